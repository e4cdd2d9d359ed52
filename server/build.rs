//! Records the commit the binary is built from, for `switchboard --version`, and puts the built
//! site inside the binary when `scripts/dev.sh` asks for it.
//!
//! The commit comes from `SWITCHBOARD_COMMIT` when set (a build outside the checkout, such as a
//! container's), else from `git` in the checkout, else `unknown`. The build runs again when the
//! checkout's current commit moves.
//!
//! The site: with `SWITCHBOARD_EMBED_SITE` naming the built site's folder (`target/site`) and
//! `SWITCHBOARD_EMBED_HASHES` the folder of its hash files (`target/release`), every file of the
//! site becomes part of the binary (`$OUT_DIR/site.rs`, read by `src/embedded_site.rs`), with
//! the name each bundle's files share. Without them the binary carries no site and serves the
//! one on disk, as a development build does.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=SWITCHBOARD_COMMIT");
    let commit = std::env::var("SWITCHBOARD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=SWITCHBOARD_COMMIT={commit}");
    if let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        let git_dir = PathBuf::from(git_dir);
        watch(&git_dir.join("HEAD"));
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch(&git_dir.join(branch));
        }
        watch(&git_dir.join("packed-refs"));
    }
    embed_site();
}

/// The bundles whose files the site names by one content hash: the dashboard's and the visitors'.
const BUNDLES: [(&str, &str); 2] = [
    ("switchboard", "hash.txt"),
    ("visitor_lite", "visitor_lite-hash.txt"),
];

/// Writes `$OUT_DIR/site.rs`: `FILES`, every file of the site with its path under the site's
/// folder, and `BUNDLES`, each bundle's output name with the text of its hash file.
fn embed_site() {
    println!("cargo:rerun-if-env-changed=SWITCHBOARD_EMBED_SITE");
    println!("cargo:rerun-if-env-changed=SWITCHBOARD_EMBED_HASHES");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let site = std::env::var("SWITCHBOARD_EMBED_SITE")
        .ok()
        .filter(|s| !s.is_empty());
    let mut files = Vec::new();
    let mut bundles = Vec::new();
    if let Some(site) = site {
        let site = PathBuf::from(site);
        let hashes = PathBuf::from(
            std::env::var("SWITCHBOARD_EMBED_HASHES")
                .expect("SWITCHBOARD_EMBED_HASHES names the folder of the site's hash files"),
        );
        // scripts/dev.sh rewrites the digest only when the site changed; a build without it
        // watches the whole folder.
        let digest = hashes.join("site-digest.txt");
        if digest.is_file() {
            watch(&digest);
        } else {
            println!("cargo:rerun-if-changed={}", site.display());
        }
        list_files(&site, &site, &mut files)
            .unwrap_or_else(|e| panic!("SWITCHBOARD_EMBED_SITE: reading {}: {e}", site.display()));
        files.sort();
        files = copied(&files, &out.join("site"));
        assert!(
            !files.is_empty(),
            "SWITCHBOARD_EMBED_SITE: no files in {}",
            site.display()
        );
        for (bundle, hash_file) in BUNDLES {
            let path = hashes.join(hash_file);
            if let Ok(text) = std::fs::read_to_string(&path) {
                check_shared_hash(&path, &text);
                bundles.push((bundle, text));
            }
        }
    }
    let mut code = String::from(
        "/// Every file of the site, by its path under the site's folder.\n\
         pub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (name, path) in &files {
        code.push_str(&format!("    ({name:?}, include_bytes!({path:?})),\n"));
    }
    code.push_str(
        "];\n/// Each bundle's output name, with the text of its hash file (`js: <hash>` …).\n\
         pub static BUNDLES: &[(&str, &str)] = &[\n",
    );
    for (bundle, text) in &bundles {
        code.push_str(&format!("    ({bundle:?}, {text:?}),\n"));
    }
    code.push_str("];\n");
    write_if_changed(&out.join("site.rs"), code.as_bytes());
}

/// The site's files copied under `into`, each rewritten only when its content changed, with
/// what was there before and is no longer in the site removed. The binary includes the copies:
/// rustc tracks included files by their times, and the frontend build writes every file of
/// the site anew whether it changed or not.
fn copied(files: &[(String, String)], into: &Path) -> Vec<(String, String)> {
    let mut kept = Vec::new();
    list_files(into, into, &mut kept).ok();
    for (name, _) in &kept {
        if !files.iter().any(|(n, _)| n == name) {
            std::fs::remove_file(into.join(name)).expect("removing a file the site no longer has");
        }
    }
    files
        .iter()
        .map(|(name, from)| {
            let to = into.join(name);
            let bytes = std::fs::read(from).unwrap_or_else(|e| panic!("reading {from}: {e}"));
            std::fs::create_dir_all(to.parent().expect("a file has a folder"))
                .expect("making the copy's folder");
            write_if_changed(&to, &bytes);
            (name.clone(), to.display().to_string())
        })
        .collect()
}

fn write_if_changed(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

/// Every file under `dir`, as (its path under `root` with `/` between parts, its full path).
fn list_files(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            list_files(root, &path, files)?;
        } else {
            let name = path
                .strip_prefix(root)
                .expect("a file under the site's folder")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((name, path.display().to_string()));
        }
    }
    Ok(())
}

/// Stops the build when the bundle's files (`js:`, `wasm:` and, where listed, `css:` in its hash
/// file at `path`) are named by different hashes: the server finds them by one name.
fn check_shared_hash(path: &Path, text: &str) {
    let mut found: Option<&str> = None;
    for (kind, hash) in text.lines().filter_map(|line| line.split_once(':')) {
        if !matches!(kind.trim(), "js" | "wasm" | "css") {
            continue;
        }
        match found {
            Some(seen) => assert_eq!(
                seen,
                hash.trim(),
                "{}: the bundle's files must share one hash (scripts/seal-split.js)",
                path.display()
            ),
            None => found = Some(hash.trim()),
        }
    }
}
fn git_commit() -> Option<String> {
    git(&["rev-parse", "--short=12", "HEAD"])
}

/// `git args…` run in this crate's folder: its trimmed output, when it succeeded.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !text.is_empty()).then_some(text)
}

fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
