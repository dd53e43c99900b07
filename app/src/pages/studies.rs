//! "My studies" and the study page (panel, progress and phase for
//! moderators; organizations and their scorecards for experts).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::studies::{
    load_study, my_studies, AdvanceStudy, AssignOrganizations, InviteMember, OpenRound,
};
use crate::components::form::{Field, FormError};
use crate::components::status::{ErrorNotice, NotFoundStatus};
use crate::model::study::{
    PanelRole, PanelRow, Phase, ProgressCell, ProgressRow, StudyOrganization, StudyOverview,
};
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
    let actions = PanelActions {
        invite: ServerAction::<InviteMember>::new(),
        advance: ServerAction::<AdvanceStudy>::new(),
        open_round: ServerAction::<OpenRound>::new(),
        assign: ServerAction::<AssignOrganizations>::new(),
    };
    let overview = Resource::new(
        move || {
            (
                id(),
                actions.invite.version().get(),
                actions.advance.version().get(),
                actions.open_round.version().get(),
                actions.assign.version().get(),
            )
        },
        |(id, ..)| load_study(id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(o) => view! { <StudyView overview=o actions/> }.into_any(),
                Err(AppError::NotFound) => view! { <NotFoundStatus/> }.into_any(),
                Err(AppError::Unauthorized(_)) => view! {
                    <p><a href="/login">"Sign in"</a> " to see this study."</p>
                }.into_any(),
                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
            })}
        </Suspense>
    }
}

/// The moderators' panel actions; each reloads the study when done.
#[derive(Clone, Copy)]
struct PanelActions {
    invite: ServerAction<InviteMember>,
    advance: ServerAction<AdvanceStudy>,
    open_round: ServerAction<OpenRound>,
    assign: ServerAction<AssignOrganizations>,
}

#[component]
fn StudyView(overview: StudyOverview, actions: PanelActions) -> impl IntoView {
    let s = overview.summary.clone();
    let study_id = s.id;
    let moderating = overview.panel.is_some();
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
        {moderating.then(|| view! {
            <p class="study-links">
                <a class="button button-small" href=format!("/studies/{study_id}/disagreements")>"Disagreement queue"</a> " "
                <a href=format!("/studies/{study_id}/audit")>"Audit log"</a>
                {(s.phase == Phase::Published).then(|| view! { " · " <a href=format!("/results/{study_id}")>"Published results"</a> })}
            </p>
        })}

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

        {overview.progress.clone().map(|rows| view! {
            <ProgressMatrix rows organizations=overview.organizations.clone() study_id/>
        })}
        {overview.panel.clone().map(|panel| view! {
            <PanelSection panel organizations=overview.organizations.clone() study_id phase=s.phase round=s.round
                may_manage=overview.may_manage_panel may_open_round=overview.may_open_round actions/>
        })}
    }
}

/// The moderator dashboard: each expert's progress per organization.
#[component]
fn ProgressMatrix(
    rows: Vec<ProgressRow>,
    organizations: Vec<StudyOrganization>,
    study_id: i32,
) -> impl IntoView {
    view! {
        <h2 id="progress-heading">"Progress by expert and organization"</h2>
        {if rows.is_empty() {
            view! { <p>"No experts on the panel yet: invite them below."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="data-table progress-matrix" aria-labelledby="progress-heading">
                        <thead><tr>
                            <th scope="col">"Expert"</th>
                            {organizations.iter().map(|o| view! {
                                <th scope="col"><a href=format!("/studies/{study_id}/organizations/{}", o.slug) title=o.name.clone()>{o.acronym.clone()}</a></th>
                            }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>
                                    <th scope="row">{r.pseudonym} <span class="muted">" " {r.name}</span></th>
                                    {r.cells.into_iter().map(|c| {
                                        let (class, text) = match c {
                                            ProgressCell::Submitted => {
                                                return view! {
                                                    <td class="cell-submitted"><span aria-hidden="true">"✓"</span><span class="visually-hidden">"submitted"</span></td>
                                                }.into_any();
                                            }
                                            ProgressCell::Draft { answered, total } => ("cell-draft", format!("draft {answered}/{total}")),
                                            ProgressCell::NotStarted => ("cell-empty", "not started".to_string()),
                                            ProgressCell::Conflict => ("cell-conflict", "conflict".to_string()),
                                            ProgressCell::NotAssigned => ("cell-na", "not assigned".to_string()),
                                        };
                                        view! { <td class=class>{text}</td> }.into_any()
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

/// Identities, assignments, invitations, phase and round: moderators only.
#[component]
fn PanelSection(
    panel: Vec<PanelRow>,
    organizations: Vec<StudyOrganization>,
    study_id: i32,
    phase: Phase,
    round: i32,
    /// Inviting and assigning (the server's policy says).
    may_manage: bool,
    may_open_round: bool,
    actions: PanelActions,
) -> impl IntoView {
    let PanelActions {
        invite,
        advance,
        open_round,
        assign,
    } = actions;
    let invite_error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let advance_error = Signal::derive(move || advance.value().get().and_then(Result::err));
    let round_error = Signal::derive(move || open_round.value().get().and_then(Result::err));
    let assign_error = Signal::derive(move || assign.value().get().and_then(Result::err));
    let experts: Vec<PanelRow> = panel
        .iter()
        .filter(|m| m.role == PanelRole::Expert)
        .cloned()
        .collect();
    let next = phase.next();
    view! {
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
        {(!experts.is_empty() && may_manage).then(|| view! {
            <details class="assignments">
                <summary>"Assign organizations to experts"</summary>
                <p>"By default every expert rates every organization. Tick a subset to narrow it; tick none to return to all."</p>
                <FormError error=assign_error/>
                {experts.into_iter().map(|m| {
                    let all = m.assigned.is_empty();
                    let organizations = organizations.clone();
                    view! {
                        <ActionForm action=assign attr:class="form assign-form">
                            <input type="hidden" name="study_id" value=study_id/>
                            <input type="hidden" name="expert" value=m.pseudonym.clone()/>
                            <fieldset class="choice">
                                <legend>{m.pseudonym.clone()} " · " {m.name.clone()} {all.then_some(" (all)")}</legend>
                                {organizations.iter().map(|o| view! {
                                    <label><input type="checkbox" name="organizations[]" value=o.slug.clone()
                                        checked=!all && m.assigned.contains(&o.slug)/> " " {o.acronym.clone()}</label>
                                }).collect_view()}
                            </fieldset>
                            <button type="submit" class="button button-small">"Save assignments of " {m.pseudonym.clone()}</button>
                        </ActionForm>
                    }
                }).collect_view()}
            </details>
        })}
        <div class="two-col">
            {may_manage.then(|| view! {
            <section class="auth-card">
                <h3>"Invite a registered user"</h3>
                <ActionForm action=invite attr:class="form">
                    <FormError error=invite_error inline=&["email"]/>
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
            })}
            {next.map(|to| view! {
                <section class="auth-card">
                    <h3>"Phase"</h3>
                    <p>"Move the study from " <strong>{phase.as_str()}</strong> " to " <strong>{to.as_str()}</strong> "."</p>
                    <ActionForm action=advance attr:class="form">
                        <FormError error=advance_error/>
                        <input type="hidden" name="study_id" value=study_id/>
                        <input type="hidden" name="from" value=phase.as_str()/>
                        <label class="check"><input type="checkbox" name="confirm" value="yes" required=true/>
                            " I confirm the change: what experts may see and do follows the phase."</label>
                        <button type="submit" class="button">"Advance to " {to.as_str()}</button>
                    </ActionForm>
                </section>
            })}
            {may_open_round.then(|| view! {
                <section class="auth-card">
                    <h3>"Delphi round"</h3>
                    <p>"Open round " {round + 1} ": experts see the round " {round} " distribution and their own answers, and revise or confirm. Round " {round} " is kept."</p>
                    <ActionForm action=open_round attr:class="form">
                        <FormError error=round_error/>
                        <input type="hidden" name="study_id" value=study_id/>
                        <input type="hidden" name="from_round" value=round/>
                        <label class="check"><input type="checkbox" name="confirm" value="yes" required=true/>
                            " I confirm: the study returns to scoring in round " {round + 1} "."</label>
                        <button type="submit" class="button">"Open round " {round + 1}</button>
                    </ActionForm>
                </section>
            })}
        </div>
    }
}
