use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::Login;
use crate::components::form::{Field, FormError};
use crate::model::validation::check_email;
use crate::Auth;

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let login = ServerAction::<Login>::new();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = login.value().get() {
            auth.changed();
        }
    });
    let next = move || use_query_map().read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in"/>
        <section class="auth-card">
            <h1>"Sign in"</h1>
            <ActionForm action=login attr:class="form" attr:novalidate=false>
                <FormError error inline=&["email", "password"]/>
                <input type="hidden" name="next" value=next/>
                <Field label="Email" name="email" kind="email" autocomplete="email" check=check_email error/>
                <Field label="Password" name="password" kind="password" autocomplete="current-password" error/>
                <button type="submit" class="button">"Sign in"</button>
            </ActionForm>
            <p class="form-aside">"New to Concord? " <a href="/register">"Create an account"</a> "."</p>
        </section>
    }
}
