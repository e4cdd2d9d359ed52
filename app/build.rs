//! Generates the `i18n` module from `locales/*.json`, and the plural rules of those languages
//! for the browser's bundle (see `plural_rules.rs`), and each language's strings as JSON for the
//! server to give the browser one at a time (see `build/ui_strings.rs`).

#[path = "build/locale_parser.rs"]
mod locale_parser;
#[path = "build/ui_strings.rs"]
mod ui_strings;

use std::error::Error;
use std::path::{Path, PathBuf};

use icu::locale::LocaleFallbacker;
use icu::plurals::provider::PluralsCardinalV1;
use icu_provider_export::baked_exporter::{self, BakedExporter};
use icu_provider_export::prelude::DataMarker;
use icu_provider_export::{DeduplicationStrategy, ExportDriver};
use icu_provider_source::SourceDataProvider;
use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let config = Config::new("en")?
        .add_locale("ru")?
        .add_locale("de")?
        .add_locale("fr")?
        .add_locale("es")?
        .add_locale("ar")?
        // Counted sentences as plain strings ("3 unread"), for the launcher the loader draws.
        .parse_options(ParseOptions::new().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    bake_plural_rules(&translations, &out.join("plural_rules"))?;
    translations.generate_i18n_module(out.join("i18n"))?;
    strings_one_language_at_a_time(&out)?;
    Ok(())
}

/// Writes each language's table for the server and, for the browser's build (`hydrate` without
/// `ssr`), makes the generated module look its tables up at run time and parse no language tag.
fn strings_one_language_at_a_time(out: &Path) -> Result<(), Box<dyn Error>> {
    let path = out.join("i18n").join("mod.rs");
    let mut module = syn::parse_file(&std::fs::read_to_string(&path)?)?;
    ui_strings::write_json(&ui_strings::tables(&module)?, &out.join("ui_strings"))?;
    let browser = std::env::var_os("CARGO_FEATURE_HYDRATE").is_some()
        && std::env::var_os("CARGO_FEATURE_SSR").is_none();
    if browser {
        ui_strings::load_at_run_time(&mut module)?;
        locale_parser::build_tags_at_compile_time(&mut module)?;
        std::fs::write(&path, quote::ToTokens::to_token_stream(&module).to_string())?;
    }
    Ok(())
}

/// Writes the cardinal plural rules of the translations' languages as Rust, from
/// `cldr/cldr-core/supplemental/plurals.json` (CLDR 48.2, the version ICU4X 2.2 was tested
/// with, cut to our languages). The server uses ICU's compiled data, which holds every
/// locale's; the browser needs six.
fn bake_plural_rules(translations: &TranslationsInfos, into: &Path) -> Result<(), Box<dyn Error>> {
    let cldr = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("no manifest dir")?)
        .join("cldr");
    println!("cargo::rerun-if-changed={}", cldr.display());
    let source = SourceDataProvider::new_custom().with_cldr(&cldr)?;
    let mut options = baked_exporter::Options::default();
    options.overwrite = true;
    // leptos_i18n asks for exactly the languages it was built with, so there is nothing to
    // fall back from.
    options.use_internal_fallback = false;
    options.use_separate_crates = true;
    let exporter = BakedExporter::new(into.to_owned(), options)?;
    ExportDriver::new(
        translations.get_locales_langids(),
        DeduplicationStrategy::None.into(),
        LocaleFallbacker::new_without_data(),
    )
    .with_markers([PluralsCardinalV1::INFO])
    .export(&source, exporter)?;
    Ok(())
}
