//! Concord's Leptos application: the shell, the router and every page.
//!
//! Rooms: `model` (serde types shared by browser and server), `api` (server
//! functions), `pages` (one module per route), `components` (reusable view
//! pieces) and `ssr` (server-only: entities, services, auth, access policy).

pub mod api;
pub mod components;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::components::header::SiteHeader;
use crate::model::CurrentUser;
use crate::pages::{
    account::AccountPage,
    admin::{AdminPage, FrameworkEditorPage, OrganizationEditorPage},
    home::HomePage,
    login::LoginPage,
    methodology::MethodologyPage,
    moderation::{AuditPage, CellPage, DisagreementsPage},
    new_study::NewStudyPage,
    not_found::NotFound,
    organizations::{OrganizationPage, OrganizationsPage},
    register::RegisterPage,
    results::{ComparePage, OrganizationResultsPage, ResultsIndexPage, StudyResultsPage},
    scorecard::ScorecardRoute,
    studies::{MyStudiesPage, StudyPage},
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::csp::apply_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Who is signed in, shared by the header and every page. `version` is bumped
/// after log-in, registration and log-out so the user is fetched again.
#[derive(Clone, Copy)]
pub struct Auth {
    pub version: RwSignal<usize>,
    pub user: Resource<Result<Option<CurrentUser>, model::AppError>>,
}

impl Auth {
    pub fn changed(&self) {
        self.version.update(|v| *v += 1);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let version = RwSignal::new(0usize);
    let user = Resource::new(move || version.get(), |_| api::auth::get_current_user());
    provide_context(Auth { version, user });

    // Lets end-to-end tests (and curious engineers) know the page is interactive.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/concord.css"/>
        <Title formatter=|title: String| {
            if title.is_empty() { "Concord".to_string() } else { format!("{title} · Concord") }
        }/>
        // Pages render whole on the server (SsrMode::Async): a reader without
        // JavaScript gets every piece of data, not a streamed placeholder.
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SiteHeader/>
            <main id="main" class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") ssr=SsrMode::Async view=HomePage/>
                    <Route path=path!("/login") ssr=SsrMode::Async view=LoginPage/>
                    <Route path=path!("/register") ssr=SsrMode::Async view=RegisterPage/>
                    <Route path=path!("/account") ssr=SsrMode::Async view=AccountPage/>
                    <Route path=path!("/organizations") ssr=SsrMode::Async view=OrganizationsPage/>
                    <Route path=path!("/organizations/:slug") ssr=SsrMode::Async view=OrganizationPage/>
                    <Route path=path!("/methodology") ssr=SsrMode::Async view=MethodologyPage/>
                    <Route path=path!("/admin") ssr=SsrMode::Async view=AdminPage/>
                    <Route path=path!("/admin/organizations/:slug") ssr=SsrMode::Async view=OrganizationEditorPage/>
                    <Route path=path!("/admin/frameworks/:slug/:version") ssr=SsrMode::Async view=FrameworkEditorPage/>
                    <Route path=path!("/studies") ssr=SsrMode::Async view=MyStudiesPage/>
                    <Route path=path!("/studies/new") ssr=SsrMode::Async view=NewStudyPage/>
                    <Route path=path!("/studies/:id") ssr=SsrMode::Async view=StudyPage/>
                    <Route path=path!("/studies/:id/disagreements") ssr=SsrMode::Async view=DisagreementsPage/>
                    <Route path=path!("/studies/:id/cells/:slug/:code") ssr=SsrMode::Async view=CellPage/>
                    <Route path=path!("/studies/:id/audit") ssr=SsrMode::Async view=AuditPage/>
                    <Route path=path!("/results") ssr=SsrMode::Async view=ResultsIndexPage/>
                    <Route path=path!("/results/:id") ssr=SsrMode::Async view=StudyResultsPage/>
                    <Route path=path!("/results/:id/organizations/:slug") ssr=SsrMode::Async view=OrganizationResultsPage/>
                    <Route path=path!("/results/:id/compare") ssr=SsrMode::Async view=ComparePage/>
                    <Route
                        path=path!("/studies/:id/organizations/:slug")
                        ssr=SsrMode::Async
                        view=ScorecardRoute
                    />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>
                    "Concord — expert assessments of regional security cooperation. "
                    "Framework after Bailes & Cottey, "
                    <cite>"SIPRI Yearbook 2006"</cite>
                    ", chapter 4."
                </p>
            </footer>
        </Router>
    }
}
