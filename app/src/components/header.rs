//! The site header: brand, navigation and the signed-in user.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::auth::Logout;
use crate::Auth;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            auth.changed();
        }
    });
    view! {
        <header class="site-header">
            <div class="site-header-inner">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◈"</span>
                    " Concord"
                </A>
                <nav aria-label="Main" class="main-nav">
                    <A href="/results">"Results"</A>
                    <A href="/organizations">"Organizations"</A>
                    <A href="/methodology">"Methodology"</A>
                </nav>
                <div class="user-nav">
                    <Transition fallback=|| ()>
                        {move || {
                            auth.user
                                .get()
                                .map(|user| match user {
                                    Ok(Some(user)) => {
                                        view! {
                                            <A href="/studies">"My studies"</A>
                                            {user.is_admin.then(|| view! { <A href="/admin">"Admin"</A> })}
                                            <A href="/account" attr:class="user-name">
                                                {user.display_name}
                                            </A>
                                            <ActionForm action=logout attr:class="inline-form">
                                                <button type="submit" class="button-link">
                                                    "Sign out"
                                                </button>
                                            </ActionForm>
                                        }
                                            .into_any()
                                    }
                                    _ => {
                                        view! {
                                            <A href="/login">"Sign in"</A>
                                            <A href="/register" attr:class="button button-small">
                                                "Register"
                                            </A>
                                        }
                                            .into_any()
                                    }
                                })
                        }}
                    </Transition>
                </div>
            </div>
        </header>
    }
}
