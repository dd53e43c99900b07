//! "My studies" and the study page (panel, progress and phase for
//! moderators; organizations and their scorecards for experts).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::studies::{load_study, my_studies, AdvanceStudy, InviteMember};
use crate::components::form::{Field, FormError};
use crate::components::status::{ErrorNotice, NotFoundStatus};
use crate::model::study::{PanelRole, StudyOverview};
use crate::model::AppError;

fn role_label(role: Option<PanelRole>) -> &'static str {
    match role {
        Some(PanelRole::Moderator) => "Moderator",
        Some(PanelRole::Expert) => "Expert",
        None => "Administrator",
    }
}

#[component]
pub fn MyStudiesPage() -> impl IntoView {
    let studies = Resource::new(|| (), |_| my_studies());
    view! {
        <Title text="My studies"/>
        <h1>"My studies"</h1>
        <p><a class="button" href="/studies/new">"New study"</a></p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || studies.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! {
                    <p>"You are not on any study’s panel yet. Moderators invite registered experts by email."</p>
                }.into_any(),
                Ok(list) => view! {
                    <table class="data-table">
                        <caption class="visually-hidden">"Studies you are on"</caption>
                        <thead><tr>
                            <th scope="col">"Study"</th><th scope="col">"Period"</th>
                            <th scope="col">"Phase"</th><th scope="col">"Your role"</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|s| view! {
                                <tr>
                                    <th scope="row"><a href=format!("/studies/{}", s.id)>{s.title}</a></th>
                                    <td>{s.period}</td>
                                    <td><span class="phase">{s.phase.as_str()}</span> " · round " {s.round}</td>
                                    <td>{role_label(s.role)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                Err(AppError::Unauthorized(_)) => view! {
                    <p><a href="/login?next=/studies">"Sign in"</a> " to see your studies."</p>
                }.into_any(),
                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
pub fn StudyPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or(0)
    };
    let invite = ServerAction::<InviteMember>::new();
    let advance = ServerAction::<AdvanceStudy>::new();
    let overview = Resource::new(
        move || (id(), invite.version().get(), advance.version().get()),
        |(id, _, _)| load_study(id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(o) => view! { <StudyView overview=o invite advance/> }.into_any(),
                Err(AppError::NotFound) => view! { <NotFoundStatus/> }.into_any(),
                Err(AppError::Unauthorized(_)) => view! {
                    <p><a href="/login">"Sign in"</a> " to see this study."</p>
                }.into_any(),
                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn StudyView(
    overview: StudyOverview,
    invite: ServerAction<InviteMember>,
    advance: ServerAction<AdvanceStudy>,
) -> impl IntoView {
    let s = overview.summary.clone();
    let study_id = s.id;
    let moderating = overview.panel.is_some();
    let next = s.phase.next();
    let invite_error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let advance_error = Signal::derive(move || advance.value().get().and_then(Result::err));
    view! {
        <Title text=s.title.clone()/>
        <p class="eyebrow">"Study · " {s.period.clone()} " · " {role_label(s.role)}</p>
        <h1>{s.title.clone()}</h1>
        {(!overview.description.is_empty()).then(|| view! { <p class="lede">{overview.description.clone()}</p> })}
        <dl class="facts">
            <dt>"Phase"</dt><dd><span class="phase">{s.phase.as_str()}</span> " · Delphi round " {s.round}</dd>
            <dt>"Visibility"</dt><dd>{match overview.settings.visibility {
                crate::model::study::VisibilityRule::AfterOwnSubmission => "peers’ scorecards after one’s own submission",
                crate::model::study::VisibilityRule::AtReview => "peers’ scorecards from the review phase on",
            }}</dd>
            <dt>"Minimum raters per cell"</dt><dd>{overview.settings.min_raters}</dd>
        </dl>

        <h2>"Organizations"</h2>
        <table class="data-table">
            <caption class="visually-hidden">"Organizations in this study"</caption>
            <thead><tr><th scope="col">"Organization"</th><th scope="col">{if moderating { "Progress" } else { "Your scorecard" }}</th></tr></thead>
            <tbody>
                {overview.organizations.iter().map(|o| view! {
                    <tr>
                        <th scope="row"><a href=format!("/studies/{study_id}/organizations/{}", o.slug)>{o.acronym.clone()}</a> " " <span class="muted">{o.name.clone()}</span></th>
                        <td>{o.status.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>

        {overview.panel.clone().map(|panel| view! {
            <h2>"Panel"</h2>
            <table class="data-table">
                <caption class="visually-hidden">"Panel members with identities (visible to moderators only)"</caption>
                <thead><tr>
                    <th scope="col">"Pseudonym"</th><th scope="col">"Name"</th><th scope="col">"Email"</th>
                    <th scope="col">"Role"</th><th scope="col" class="num">"Scorecards submitted"</th>
                </tr></thead>
                <tbody>
                    {panel.into_iter().map(|m| view! {
                        <tr>
                            <th scope="row">{m.pseudonym}</th><td>{m.name}</td><td>{m.email}</td>
                            <td>{m.role.as_str()}</td><td class="num">{m.submitted}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <div class="two-col">
                <section class="auth-card">
                    <h3>"Invite a registered user"</h3>
                    <ActionForm action=invite attr:class="form">
                        <FormError error=invite_error/>
                        <input type="hidden" name="study_id" value=study_id/>
                        <Field label="Email" name="email" kind="email" error=invite_error/>
                        <fieldset class="choice">
                            <legend>"Role"</legend>
                            <label><input type="radio" name="role" value="expert" checked=true/> " Expert"</label>
                            <label><input type="radio" name="role" value="moderator"/> " Co-moderator"</label>
                        </fieldset>
                        <button type="submit" class="button">"Invite"</button>
                    </ActionForm>
                </section>
                {next.map(|to| view! {
                    <section class="auth-card">
                        <h3>"Phase"</h3>
                        <p>"Move the study from " <strong>{s.phase.as_str()}</strong> " to " <strong>{to.as_str()}</strong> "."</p>
                        <ActionForm action=advance attr:class="form">
                            <FormError error=advance_error/>
                            <input type="hidden" name="study_id" value=study_id/>
                            <input type="hidden" name="from" value=s.phase.as_str()/>
                            <label class="check"><input type="checkbox" name="confirm" value="yes" required=true/>
                                " I confirm the change: what experts may see and do follows the phase."</label>
                            <button type="submit" class="button">"Advance to " {to.as_str()}</button>
                        </ActionForm>
                    </section>
                })}
            </div>
        })}
    }
}
