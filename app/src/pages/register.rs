use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::Register;
use crate::components::form::{Field, FormError};
use crate::model::validation::{
    check_display_name, check_email, DISPLAY_NAME_MAX, EMAIL_MAX, PASSWORD_MAX,
};
use crate::Auth;

/// The browser-side password check: length and common passwords (the email
/// and name comparison happens on the server, which sees all fields).
fn check_password_alone(password: &str) -> Result<(), String> {
    crate::model::validation::check_password(password, "", "")
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let register = ServerAction::<Register>::new();
    let error = Signal::derive(move || register.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = register.value().get() {
            auth.changed();
        }
    });
    view! {
        <Title text="Create an account"/>
        <section class="auth-card">
            <h1>"Create an account"</h1>
            <p>"Experts and moderators need an account. Moderators invite registered experts to study panels."</p>
            <ActionForm action=register attr:class="form">
                <FormError error inline=&["display_name", "email", "password"]/>
                <Field label="Email" name="email" kind="email" autocomplete="email"
                    maxlength=EMAIL_MAX check=check_email error/>
                <Field label="Display name" name="display_name" autocomplete="name"
                    hint="Shown to moderators. Other experts only ever see a pseudonym."
                    maxlength=DISPLAY_NAME_MAX check=check_display_name error/>
                <Field label="Password" name="password" kind="password" autocomplete="new-password"
                    hint="At least 8 characters; a common password or your email will be refused."
                    maxlength=PASSWORD_MAX check=check_password_alone error/>
                <button type="submit" class="button">"Create account"</button>
            </ActionForm>
            <p class="form-aside">"Already registered? " <a href="/login">"Sign in"</a> "."</p>
        </section>
    }
}
