//! The organization catalogue and one organization's page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::catalogue::{get_organization, list_organizations};
use crate::components::status::{ErrorNotice, NotFoundStatus};
use crate::model::AppError;

#[component]
pub fn OrganizationsPage() -> impl IntoView {
    let organizations = Resource::new(|| (), |_| list_organizations());
    view! {
        <Title text="Organizations"/>
        <h1>"Organizations"</h1>
        <p class="lede">
            "The regional and sub-regional groups Concord’s panels assess, with their member states "
            "as of 2006, the reference period of the framework’s source."
        </p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                organizations
                    .get()
                    .map(|result| match result {
                        Ok(list) => {
                            view! {
                                <div class="table-scroll">
                                    <table class="data-table">
                                        <caption class="visually-hidden">"Organizations in the catalogue"</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Acronym"</th>
                                                <th scope="col">"Name"</th>
                                                <th scope="col">"Region"</th>
                                                <th scope="col" class="num">"Founded"</th>
                                                <th scope="col" class="num">"Members (2006)"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .into_iter()
                                                .map(|o| {
                                                    view! {
                                                        <tr>
                                                            <th scope="row">
                                                                <a href=format!("/organizations/{}", o.slug)>{o.acronym}</a>
                                                            </th>
                                                            <td>{o.name}</td>
                                                            <td>{o.region}</td>
                                                            <td class="num">{o.founded}</td>
                                                            <td class="num">{o.members.len()}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let organization = Resource::new(slug, get_organization);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                organization
                    .get()
                    .map(|result| match result {
                        Ok(o) => {
                            view! {
                                <Title text=o.acronym.clone()/>
                                <p class="eyebrow">{o.region.clone()}</p>
                                <h1>{o.name.clone()} " (" {o.acronym.clone()} ")"</h1>
                                <p class="lede">{o.description.clone()}</p>
                                <dl class="facts">
                                    <dt>"Founded"</dt>
                                    <dd>{o.founded}</dd>
                                    <dt>"Member states (2006)"</dt>
                                    <dd>{o.members.len()}</dd>
                                </dl>
                                <h2>"Member states"</h2>
                                <ul class="member-list" aria-label="ISO 3166 codes of member states">
                                    {o.members.iter().map(|m| view! { <li><abbr>{m.clone()}</abbr></li> }).collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(AppError::NotFound) => view! { <NotFoundStatus/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
