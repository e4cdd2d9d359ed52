//! Records the commit the binary is built from, for `switchboard --version`.
//!
//! The commit comes from `SWITCHBOARD_COMMIT` when set (a build outside the checkout, such as a
//! container's), else from `git` in the checkout, else `unknown`. The build runs again when the
//! checkout's current commit moves.

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
