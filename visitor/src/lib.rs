//! The visitors' wasm entry point: hydrates the widget and the hosted chat pages, and
//! carries nothing of the dashboard.

/// Called by the hydration script once the wasm is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::VisitorApp);
}
