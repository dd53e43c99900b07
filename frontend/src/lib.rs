//! Hydrates the server-rendered page in the browser.
// The release build lays out the whole app's view types here; the results
// pages nest deeply enough to pass the default limit of 128.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
