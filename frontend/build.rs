//! Links the browser's bundle with each data section in a segment of its own.
//!
//! `cargo leptos build --split` hands the linked wasm to wasm-split, which gives each split
//! file the data its code uses. wasm-split lays out again the symbols of each data segment by
//! file; when alignment padding makes a segment even a few bytes longer than it was, it keeps
//! the whole segment in the main file. wasm-ld merges the read-only data into one segment of
//! about 165 KB, so a change of a few bytes anywhere moved all of it, and the main file went
//! from about 232 KB to about 279 KB brotli (144 bytes over, in the build that showed it).
//! Unmerged, each segment holds one input section, and wasm-opt packs them afterwards.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-link-arg-cdylib=--no-merge-data-segments");
    }
}
