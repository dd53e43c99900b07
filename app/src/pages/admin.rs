//! Administration (admins only; others get "not found"): users and roles,
//! framework versions and their wording, the organization catalogue.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::admin::{
    load_admin, load_framework_for_edit, EditCriterion, SaveOrganization, SetAdminRole,
};
use crate::api::catalogue::get_organization;
use crate::components::form::FormError;
use crate::components::status::{ErrorNotice, NotFoundStatus};
use crate::model::admin::AdminOverview;
use crate::model::{AppError, Criterion, Organization, Scale};

/// What every admin page shows when its data is refused.
fn refused(error: AppError) -> AnyView {
    match error {
        AppError::NotFound => view! { <NotFoundStatus/> }.into_any(),
        AppError::Unauthorized(_) => {
            view! { <p><a href="/login">"Sign in"</a> " as an administrator."</p> }.into_any()
        }
        e => view! { <ErrorNotice error=e/> }.into_any(),
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let role = ServerAction::<SetAdminRole>::new();
    let overview = Resource::new(move || role.version().get(), |_| load_admin());
    view! {
        <Title text="Administration"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || overview.get().map(|r| match r {
                Ok(o) => view! { <AdminView overview=o role/> }.into_any(),
                Err(e) => refused(e),
            })}
        </Suspense>
    }
}

#[component]
fn AdminView(overview: AdminOverview, role: ServerAction<SetAdminRole>) -> impl IntoView {
    let role_error = Signal::derive(move || role.value().get().and_then(Result::err));
    let me = overview.me;
    view! {
        <h1>"Administration"</h1>
        <h2 id="users-heading">"Users and roles"</h2>
        <FormError error=role_error/>
        <div class="table-scroll">
            <table class="data-table" aria-labelledby="users-heading">
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Joined"</th>
                    <th scope="col">"Role"</th><th scope="col">"Change"</th>
                </tr></thead>
                <tbody>
                    {overview.users.into_iter().map(|u| view! {
                        <tr>
                            <th scope="row">{u.name.clone()} {(u.id == me).then_some(" (you)")}</th>
                            <td>{u.email.clone()}</td>
                            <td>{u.joined.clone()}</td>
                            <td>{if u.is_admin { "administrator" } else { "user" }}</td>
                            <td>
                                <ActionForm action=role attr:class="inline-form">
                                    <input type="hidden" name="user_id" value=u.id/>
                                    <input type="hidden" name="grant" value=if u.is_admin { "no" } else { "yes" }/>
                                    <button type="submit" class="button button-small">
                                        {if u.is_admin { "Withdraw admin" } else { "Make admin" }}
                                        <span class="visually-hidden">" " {u.email.clone()}</span>
                                    </button>
                                </ActionForm>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>

        <h2 id="frameworks-heading">"Frameworks"</h2>
        <p>"A version used by a study is never changed: editing it creates the next version, which new studies use."</p>
        <table class="data-table" aria-labelledby="frameworks-heading">
            <thead><tr><th scope="col">"Framework"</th><th scope="col" class="num">"Version"</th><th scope="col" class="num">"Studies"</th><th scope="col">""</th></tr></thead>
            <tbody>
                {overview.frameworks.into_iter().map(|f| view! {
                    <tr>
                        <th scope="row">{f.name.clone()}</th>
                        <td class="num">{f.version}</td>
                        <td class="num">{f.studies}</td>
                        <td><a href=format!("/admin/frameworks/{}/{}", f.slug, f.version)>"Edit wording of version " {f.version}</a></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>

        <h2 id="catalogue-heading">"Organization catalogue"</h2>
        <p><a class="button" href="/admin/organizations/new">"Add an organization"</a></p>
        <table class="data-table" aria-labelledby="catalogue-heading">
            <thead><tr><th scope="col">"Organization"</th><th scope="col">"Region"</th><th scope="col" class="num">"Founded"</th><th scope="col" class="num">"Members"</th></tr></thead>
            <tbody>
                {overview.organizations.into_iter().map(|o| view! {
                    <tr>
                        <th scope="row"><a href=format!("/admin/organizations/{}", o.slug)>{o.acronym.clone()}</a> " " <span class="muted">{o.name.clone()}</span></th>
                        <td>{o.region.clone()}</td>
                        <td class="num">{o.founded}</td>
                        <td class="num">{o.members.len()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Adding (`/admin/organizations/new`) or editing a catalogue entry.
#[component]
pub fn OrganizationEditorPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let organization = Resource::new(slug, |slug| async move {
        // Only admins get the form, empty or filled.
        crate::api::admin::load_admin().await?;
        if slug == "new" {
            Ok(None)
        } else {
            get_organization(slug).await.map(Some)
        }
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || organization.get().map(|r| match r {
                Ok(o) => view! { <OrganizationForm existing=o/> }.into_any(),
                Err(e) => refused(e),
            })}
        </Suspense>
    }
}

#[component]
fn OrganizationForm(existing: Option<Organization>) -> impl IntoView {
    let save = ServerAction::<SaveOrganization>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let field_error = move |name: &'static str| {
        move || {
            error.get().and_then(|e| e.for_field(name)).map(
                |message| view! { <p class="field-error" id=format!("{name}-error")>{message}</p> },
            )
        }
    };
    let o = existing.clone().unwrap_or(Organization {
        slug: String::new(),
        acronym: String::new(),
        name: String::new(),
        region: String::new(),
        founded: 2000,
        members: Vec::new(),
        description: String::new(),
    });
    let title = match &existing {
        Some(e) => format!("Edit {}", e.acronym),
        None => "Add an organization".to_string(),
    };
    view! {
        <Title text=title.clone()/>
        <p class="eyebrow"><a href="/admin">"Administration"</a> " · catalogue"</p>
        <h1>{title}</h1>
        <ActionForm action=save attr:class="form admin-form">
            <FormError error inline=&["slug", "acronym", "name", "region", "founded", "members", "description"]/>
            <input type="hidden" name="existing" value=existing.as_ref().map(|e| e.slug.clone()).unwrap_or_default()/>
            <div class="field"><label for="org-slug">"Slug (page address)"</label>
                <input id="org-slug" name="slug" required=true value=o.slug.clone()/>{field_error("slug")}</div>
            <div class="field"><label for="org-acronym">"Acronym"</label>
                <input id="org-acronym" name="acronym" required=true value=o.acronym.clone()/>{field_error("acronym")}</div>
            <div class="field"><label for="org-name">"Name"</label>
                <input id="org-name" name="name" required=true value=o.name.clone()/>{field_error("name")}</div>
            <div class="field"><label for="org-region">"Region"</label>
                <input id="org-region" name="region" required=true value=o.region.clone()/>{field_error("region")}</div>
            <div class="field"><label for="org-founded">"Founded (year)"</label>
                <input id="org-founded" name="founded" type="number" required=true value=o.founded/>{field_error("founded")}</div>
            <div class="field"><label for="org-members">"Member states (ISO 3166-1 alpha-2, separated by commas)"</label>
                <textarea id="org-members" name="members" rows="3">{o.members.join(", ")}</textarea>{field_error("members")}</div>
            <div class="field"><label for="org-description">"Description"</label>
                <textarea id="org-description" name="description" rows="4">{o.description.clone()}</textarea>{field_error("description")}</div>
            <button type="submit" class="button">"Save organization"</button>
        </ActionForm>
    }
}

/// A framework version's criteria, each with its wording in a form.
#[component]
pub fn FrameworkEditorPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("slug").unwrap_or_default(),
            p.get("version")
                .and_then(|v| v.parse::<i32>().ok())
                .unwrap_or(0),
        )
    };
    let edit = ServerAction::<EditCriterion>::new();
    let framework = Resource::new(
        move || (key(), edit.version().get()),
        |((slug, version), _)| load_framework_for_edit(slug, version),
    );
    let error = Signal::derive(move || edit.value().get().and_then(Result::err));
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || framework.get().map(|r| match r {
                Ok(f) => view! {
                    <Title text=format!("{} v{}", f.name, f.version)/>
                    <p class="eyebrow"><a href="/admin">"Administration"</a> " · framework"</p>
                    <h1>{f.name.clone()} " · version " {f.version}</h1>
                    <p>"Saving a criterion of a version that a study uses creates version " {f.version + 1} " (or the next free one) with the change; this version stays as it is."</p>
                    <FormError error/>
                    {f.dimensions.iter().map(|d| view! {
                        <section class="dimension">
                            <h2>{d.code.clone()} " " {d.name.clone()}</h2>
                            {d.criteria.iter().map(|c| view! {
                                <CriterionEditor slug=f.slug.clone() version=f.version criterion=c.clone() action=edit/>
                            }).collect_view()}
                        </section>
                    }).collect_view()}
                }.into_any(),
                Err(e) => refused(e),
            })}
        </Suspense>
    }
}

#[component]
fn CriterionEditor(
    slug: String,
    version: i32,
    criterion: Criterion,
    action: ServerAction<EditCriterion>,
) -> impl IntoView {
    let stem = criterion.code.replace('.', "-");
    let anchors: Vec<(String, String)> = match &criterion.scale {
        Scale::Ordinal { levels } => levels
            .iter()
            .map(|l| (format!("{} · {}", l.value, l.label), l.anchor.clone()))
            .collect(),
        Scale::Nominal { categories } => categories
            .iter()
            .map(|c| (c.label.clone(), c.anchor.clone()))
            .collect(),
        Scale::Interval { .. } => Vec::new(),
    };
    view! {
        <details class="criterion-editor">
            <summary><span class="code">{criterion.code.clone()}</span> " " {criterion.prompt.clone()}</summary>
            <ActionForm action attr:class="form admin-form">
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="version" value=version/>
                <input type="hidden" name="code" value=criterion.code.clone()/>
                <div class="field"><label for=format!("{stem}-prompt")>"Prompt"</label>
                    <textarea id=format!("{stem}-prompt") name="prompt" rows="2" required=true>{criterion.prompt.clone()}</textarea></div>
                <div class="field"><label for=format!("{stem}-guidance")>"Guidance"</label>
                    <textarea id=format!("{stem}-guidance") name="guidance" rows="3">{criterion.guidance.clone()}</textarea></div>
                {anchors.into_iter().enumerate().map(|(i, (label, text))| view! {
                    <div class="field"><label for=format!("{stem}-anchor-{i}")>"Anchor " {label}</label>
                        <textarea id=format!("{stem}-anchor-{i}") name="anchors[]" rows="2">{text}</textarea></div>
                }).collect_view()}
                <button type="submit" class="button">"Save " {criterion.code.clone()}</button>
            </ActionForm>
        </details>
    }
}
