//! Labelled form fields with inline validation. Server messages show with
//! or without JavaScript; once hydrated, a field also checks itself as the
//! person leaves it, with the same rules the server applies.

use leptos::prelude::*;

use crate::model::AppError;

/// A rule run in the browser when the field loses focus.
pub type Check = fn(&str) -> Result<(), String>;

#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] check: Option<Check>,
    #[prop(optional)] maxlength: Option<usize>,
    /// The last server answer, from which this field picks its own message.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let local = RwSignal::new(None::<String>);
    let message = move || {
        local
            .get()
            .or_else(|| error.get().and_then(|e| e.for_field(name)))
    };
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let on_blur = move |ev: leptos::ev::FocusEvent| {
        if let Some(check) = check {
            let value = event_target_value(&ev);
            local.set(if value.is_empty() {
                None
            } else {
                check(&value).err()
            });
        }
    };
    let on_input = move |_| local.set(None);
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id.clone()
                name=name
                type=kind
                autocomplete=autocomplete
                maxlength=maxlength
                required=true
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=described_by
                on:blur=on_blur
                on:input=on_input
            />
            {move || {
                message()
                    .map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })
            }}
        </div>
    }
}

/// The form-level message: every error the form does not show beside a
/// field, so no refusal goes unseen.
#[component]
pub fn FormError(
    #[prop(into)] error: Signal<Option<AppError>>,
    /// Fields whose messages the form shows beside their inputs.
    #[prop(optional)]
    inline: &'static [&'static str],
) -> impl IntoView {
    move || {
        error
            .get()
            .and_then(|e| e.outside(inline))
            .map(|m| view! { <p class="form-error" role="alert">{m}</p> })
    }
}
