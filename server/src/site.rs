//! Where the built site is, and Leptos' settings for it: the site a release binary carries
//! inside it, or, when `LEPTOS_SITE_ROOT` is set or the binary carries none, a folder on disk.

use std::collections::HashMap;
use std::sync::Arc;

use app::Bundle;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::ArcStoredValue;
use leptos::WasmSplitManifest;

use tower_http::services::ServeDir;

use crate::embedded_site::EmbeddedSite;
use crate::settings::Settings;

/// The site's folder when `LEPTOS_SITE_ROOT` is unset and the binary carries no site.
pub const DEFAULT_SITE_ROOT: &str = "target/site";

/// The site folder Leptos is told of when the site is inside the binary: a path that cannot
/// exist (nothing lies under `/dev/null`), so that Leptos, which would read a split manifest
/// from its site folder and serve files found there, finds nothing and leaves both to us.
const NO_FOLDER: &str = "/dev/null/switchboard-site";

/// The built site this process serves.
#[derive(Clone)]
pub struct Site {
    /// Leptos' settings for the dashboard's bundle.
    pub options: LeptosOptions,
    /// The settings that name the visitors' light client's files, when the build made it;
    /// without it the pages it drives load no script (they work as they do without JavaScript).
    pub lite: Option<LeptosOptions>,
    /// The site inside the binary, when it is the one served.
    pub carried: Option<Arc<EmbeddedSite>>,
    /// Which wasm chunks each lazy page needs, for the page to preload them, when the site is
    /// inside the binary (Leptos reads a folder's manifest itself).
    pub split_manifest: Option<WasmSplitManifest>,
}

impl Site {
    /// The site `settings` name: the folder `LEPTOS_SITE_ROOT` names when set, else the one
    /// inside the binary, else [`DEFAULT_SITE_ROOT`].
    pub fn open(settings: &Settings) -> Self {
        match (&settings.site_root, EmbeddedSite::carried()) {
            (None, Some(carried)) => Self::carried(settings, carried),
            (root, _) => Self::on_disk(settings, root.as_deref().unwrap_or(DEFAULT_SITE_ROOT)),
        }
    }

    fn on_disk(settings: &Settings, root: &str) -> Self {
        let options = bundle_options(
            settings,
            Bundle::Dashboard.output_name().to_owned(),
            root,
            beside_binary("hash.txt"),
        );
        let lite = folder_bundle(&options, Bundle::VisitorLite);
        Self {
            options,
            lite,
            carried: None,
            split_manifest: None,
        }
    }

    /// Leptos finds a bundle's files by its output name, and its hash file only beside the
    /// binary, so here each bundle's output name is the name its files share (`switchboard.
    /// <hash>`, which the build makes one for all of a bundle's files) and no hash file is read.
    fn carried(settings: &Settings, carried: Arc<EmbeddedSite>) -> Self {
        let named = |bundle: Bundle| {
            let hashes = carried.hash_file(bundle.output_name()).unwrap_or_default();
            let name = match hash_of(hashes, "js") {
                Some(hash) => format!("{}.{hash}", bundle.output_name()),
                None => bundle.output_name().to_owned(),
            };
            (bundle_options(settings, name, NO_FOLDER, false), hashes)
        };
        let (options, dashboard_hashes) = named(Bundle::Dashboard);
        let (lite, _) = named(Bundle::VisitorLite);
        let lite = carried
            .has(&format!("pkg/{}.wasm", lite.output_name))
            .then_some(lite);
        let split_manifest = split_manifest(&carried, dashboard_hashes);
        Self {
            options,
            lite,
            carried: Some(carried),
            split_manifest,
        }
    }
}

/// Leptos' settings for the bundle named `output_name`, whose files are in `root`'s `pkg/`.
fn bundle_options(
    settings: &Settings,
    output_name: String,
    root: &str,
    hash_files: bool,
) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(output_name)
        .site_root(root)
        .site_pkg_dir("pkg")
        .site_addr(settings.site_addr)
        .hash_files(hash_files)
        .build()
}

/// The routes of the built files: `/pkg/…` (wasm, JavaScript, CSS) and, when the site is inside
/// the binary, the files beside that folder (the favicon), which Leptos' fallback serves from a
/// folder.
///
/// They are served apart from Leptos' file and error handler. That handler takes its answer's
/// status from a reactive context it finds through the thread's current owner, and twice in
/// the suite a wasm file came back with another page's status (401, then 410) and broke the
/// page that loaded it; these files have no status but their own.
pub fn file_routes<S: Clone + Send + Sync + 'static>(site: &Site) -> Router<S> {
    let Some(carried) = site.carried.clone() else {
        let dir = std::path::Path::new(&*site.options.site_root).join(&*site.options.site_pkg_dir);
        return Router::new().nest_service(
            "/pkg",
            ServeDir::new(dir).precompressed_br().precompressed_gzip(),
        );
    };
    let mut router = Router::new().route(
        "/pkg/{*path}",
        get({
            let carried = carried.clone();
            move |Path(path): Path<String>, headers: HeaderMap| {
                std::future::ready(carried.respond(&format!("pkg/{path}"), &headers))
            }
        }),
    );
    for path in carried.top_level_paths() {
        let carried = carried.clone();
        router = router.route(
            &format!("/{path}"),
            get(move |headers: HeaderMap| std::future::ready(carried.respond(path, &headers))),
        );
    }
    router
}

/// The value of `key` (`js`, `split`, `manifest`) in a hash file's text.
fn hash_of<'a>(hashes: &'a str, key: &str) -> Option<&'a str> {
    hashes
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, hash)| hash.trim())
        .filter(|hash| !hash.is_empty())
}

/// The carried dashboard's split manifest (`pkg/__wasm_split_manifest.<hash>.json`) with the
/// name of its chunk loader, as Leptos reads them from a folder.
fn split_manifest(carried: &EmbeddedSite, hashes: &str) -> Option<WasmSplitManifest> {
    let manifest = carried.text(&format!(
        "pkg/__wasm_split_manifest.{}.json",
        hash_of(hashes, "manifest")?
    ))?;
    let chunks: HashMap<String, Vec<String>> = serde_json::from_str(manifest).ok()?;
    let loader = format!("__wasm_split.{}.js", hash_of(hashes, "split")?);
    Some(WasmSplitManifest(ArcStoredValue::new((
        "/pkg".to_owned(),
        chunks,
        loader,
    ))))
}

/// Whether a file named `name` lies beside the running binary. A build that names its files by
/// their content lists the names there (`hash.txt` from cargo-leptos, where Leptos reads them;
/// a plain `cargo build` writes none).
fn beside_binary(name: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name).is_file()))
        .unwrap_or(false)
}

/// Where the files of a bundle other than the dashboard's are named in a site folder
/// (`scripts/dev.sh` builds the visitors' beside cargo-leptos' bundle and writes
/// `<name>-hash.txt` beside the binary), or none when this build has none.
fn folder_bundle(options: &LeptosOptions, bundle: Bundle) -> Option<LeptosOptions> {
    let name = bundle.output_name();
    let mut visitor = options.clone();
    visitor.output_name = name.into();
    visitor.hash_file = format!("{name}-hash.txt").into();
    let built = if options.hash_files {
        beside_binary(&visitor.hash_file)
    } else {
        std::path::Path::new(&*options.site_root)
            .join(&*options.site_pkg_dir)
            .join(format!("{name}.wasm"))
            .is_file()
    };
    built.then_some(visitor)
}
