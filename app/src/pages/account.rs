use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::ChangePassword;
use crate::components::form::{Field, FormError};
use crate::model::validation::PASSWORD_MAX;
use crate::Auth;

#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let saved = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <Title text="Your account"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                auth.user
                    .get()
                    .map(|user| match user {
                        Ok(Some(user)) => {
                            view! {
                                <section class="narrow">
                                    <h1>"Your account"</h1>
                                    <dl class="facts">
                                        <dt>"Name"</dt>
                                        <dd data-testid="account-name">{user.display_name}</dd>
                                        <dt>"Email"</dt>
                                        <dd>{user.email}</dd>
                                        <dt>"Role"</dt>
                                        <dd>{if user.is_admin { "Administrator" } else { "Registered user" }}</dd>
                                    </dl>
                                </section>
                                <section class="auth-card">
                                    <h2>"Change password"</h2>
                                    <ActionForm action=change attr:class="form">
                                        <FormError error inline=&["current_password", "new_password"]/>
                                        {move || saved().then(|| view! {
                                            <p class="form-success" role="status">"Your password has been changed."</p>
                                        })}
                                        <Field label="Current password" name="current_password" kind="password"
                                            autocomplete="current-password" error/>
                                        <Field label="New password" name="new_password" kind="password"
                                            autocomplete="new-password" maxlength=PASSWORD_MAX
                                            hint="At least 8 characters; not a common password." error/>
                                        <button type="submit" class="button">"Change password"</button>
                                    </ActionForm>
                                </section>
                            }
                                .into_any()
                        }
                        _ => {
                            view! {
                                <section class="narrow">
                                    <h1>"Your account"</h1>
                                    <p>
                                        <a href="/login?next=/account">"Sign in"</a>
                                        " to see your account."
                                    </p>
                                </section>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}
