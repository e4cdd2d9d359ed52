//! Where the built site is: Leptos' settings, and the bundles the build made.

use app::Bundle;
use leptos::config::LeptosOptions;

use crate::settings::Settings;

/// Leptos' site settings, built from ours so the binary runs without cargo-leptos.
pub fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("switchboard")
        .site_root(settings.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(settings.site_addr)
        .hash_files(beside_binary("hash.txt"))
        .build()
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

/// Where the files of a bundle other than the dashboard's are named (`scripts/dev.sh` builds
/// the visitors' beside cargo-leptos' bundle and writes `<name>-hash.txt` beside the
/// binary), or none when this build has none.
pub fn extra_bundle(options: &LeptosOptions, bundle: Bundle) -> Option<LeptosOptions> {
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
