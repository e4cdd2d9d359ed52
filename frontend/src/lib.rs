//! The wasm entry point: hydrates the page the server rendered, and nothing else.

use leptos::prelude::{document, Owner};

/// Called by the hydration script once the wasm is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::plural_rules::install();
    // The pages are lazy routes (see `app::routes`): each hydrates once its chunk is loaded,
    // so hydration is asynchronous, and the page is marked live only when it is done.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        let mounted = leptos::mount::hydrate_from_async(body, app::App).await;
        let root = Owner::new();
        root.with(app::mark_when_hydrated);
        std::mem::forget(root);
        mounted.forget();
    });
}
