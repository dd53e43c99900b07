//! What a page shows when its data could not be had.

use leptos::prelude::*;

use crate::model::AppError;

#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! { <p class="form-error" role="alert">{error.to_string()}</p> }
}

/// A "not found" body that also sets the response status to 404.
#[component]
pub fn NotFoundStatus() -> impl IntoView {
    crate::pages::not_found::NotFound()
}
