//! Moderators' pages: the disagreement queue (with publication), a cell
//! side by side with its reconciliation form, and the audit log.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::results::{load_audit, load_cell, load_queue, PublishRelease, ReconcileCell};
use crate::components::charts::{ConsensusRuleFacts, DisagreementBadge};
use crate::components::form::FormError;
use crate::components::status::{ErrorNotice, NotFoundStatus};
use crate::model::moderation::{CellDetail, DisagreementQueue, ReconcileMethod};
use crate::model::scorecard::reading_order;
use crate::model::AppError;

fn study_param() -> Memo<i32> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or(0)
    })
}

fn failed(e: AppError) -> AnyView {
    match e {
        AppError::NotFound => view! { <NotFoundStatus/> }.into_any(),
        AppError::Unauthorized(_) => {
            view! { <p><a href="/login">"Sign in"</a> " as a moderator."</p> }.into_any()
        }
        e => view! { <ErrorNotice error=e/> }.into_any(),
    }
}

fn spread(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

#[component]
pub fn DisagreementsPage() -> impl IntoView {
    let study = study_param();
    let query = use_query_map();
    let publish = ServerAction::<PublishRelease>::new();
    let queue = Resource::new(
        move || {
            let q = query.read();
            (
                study.get(),
                q.get("organization"),
                q.get("criterion"),
                q.get("dimension"),
                q.get("kind"),
                publish.version().get(),
            )
        },
        |(id, o, c, d, k, _)| load_queue(id, o, c, d, k),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || queue.get().map(|r| match r {
                Ok(q) => view! { <QueueView queue=q publish/> }.into_any(),
                Err(e) => failed(e),
            })}
        </Suspense>
    }
}

#[component]
fn QueueView(queue: DisagreementQueue, publish: ServerAction<PublishRelease>) -> impl IntoView {
    let query = use_query_map();
    let selected = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let id = queue.study_id;
    let publish_error = Signal::derive(move || publish.value().get().and_then(Result::err));
    let published = Signal::derive(move || publish.value().get().and_then(Result::ok));
    let kinds = [
        "polarized",
        "outlier-driven",
        "weak",
        "insufficient",
        "consensus",
    ];
    view! {
        <Title text=format!("Disagreements · {}", queue.title)/>
        <p class="eyebrow"><a href=format!("/studies/{id}")>{queue.title.clone()}</a> " · " {queue.phase.as_str()}</p>
        <h1>"Disagreement queue"</h1>
        <p>"Cells sorted by disagreement type (polarized first) and then by spread. Open a cell to see every rating side by side and to reconcile it, or to request a re-rating: opening the next Delphi round on the study page then asks the panel to look at those cells again. "
           <a href=format!("/studies/{id}/audit")>"Audit log"</a></p>
        <form method="get" action=format!("/studies/{id}/disagreements") class="filter-form">
            <label>"Organization " <select name="organization">
                <option value="">"any"</option>
                {queue.organizations.iter().map(|(s, a)| view! { <option value=s.clone() selected=selected("organization") == *s>{a.clone()}</option> }).collect_view()}
            </select></label>
            <label>"Dimension " <select name="dimension">
                <option value="">"any"</option>
                {queue.dimensions.iter().map(|(c, n)| view! { <option value=c.clone() selected=selected("dimension") == *c>{c.clone()} " " {n.clone()}</option> }).collect_view()}
            </select></label>
            <label>"Criterion " <select name="criterion">
                <option value="">"any"</option>
                {queue.criteria.iter().map(|c| view! { <option value=c.clone() selected=selected("criterion") == *c>{c.clone()}</option> }).collect_view()}
            </select></label>
            <label>"Type " <select name="kind">
                <option value="">"any"</option>
                {kinds.iter().map(|k| view! { <option value=*k selected=selected("kind") == *k>{*k}</option> }).collect_view()}
            </select></label>
            <button type="submit" class="button button-small">"Filter"</button>
        </form>
        <div class="table-scroll">
            <table class="data-table">
                <caption>{queue.cells.len()} " cells"</caption>
                <thead><tr>
                    <th scope="col">"Cell"</th><th scope="col">"Type"</th><th scope="col" class="num">"n"</th>
                    <th scope="col" class="num">"Median"</th><th scope="col" class="num">"IQR"</th><th scope="col" class="num">"SD"</th>
                    <th scope="col">"Distribution"</th><th scope="col">"Reconciled"</th>
                </tr></thead>
                <tbody>
                    {queue.cells.into_iter().map(|c| view! {
                        <tr>
                            <th scope="row"><a href=format!("/studies/{id}/cells/{}/{}", c.organization, c.criterion)>{c.acronym.clone()} " · " {c.criterion.clone()}</a></th>
                            <td><DisagreementBadge kind=c.result.disagreement.clone()/></td>
                            <td class="num">{c.result.n}</td>
                            <td class="num">{spread(c.result.median)}</td>
                            <td class="num">{spread(c.result.iqr)}</td>
                            <td class="num">{spread(c.result.sd)}</td>
                            <td class="mono">{c.result.counts.iter().map(|(v, n)| format!("{v}:{n}")).collect::<Vec<_>>().join(" ")}</td>
                            <td>{c.result.reconciliation.map(|r| format!("{} ({})", r.final_value.unwrap_or_else(|| "re-rating".into()), r.method))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <details class="rule-in-force">
            <summary>"This study’s consensus rule (how the disagreement types are decided)"</summary>
            <ConsensusRuleFacts rule=queue.consensus_rule.clone() min_raters=Some(queue.min_raters)/>
        </details>
        {queue.may_publish.then(|| view! {
            <section class="auth-card publish-card">
                <h2>"Publish"</h2>
                <p>"Publishing freezes the current results as the study’s next numbered release, with a changelog against the previous one. The public sees releases only."</p>
                <ActionForm action=publish attr:class="form">
                    <FormError error=publish_error/>
                    {move || published.get().map(|n| view! {
                        <p class="form-success" role="status">"Release " {n} " published: " <a href=format!("/results/{id}?release={n}")>"see it as the public does"</a></p>
                    })}
                    <input type="hidden" name="study_id" value=id/>
                    <label class="check"><input type="checkbox" name="confirm" value="yes" required=true/> " I confirm: publish the current results as a new release."</label>
                    <button type="submit" class="button">"Publish release"</button>
                </ActionForm>
            </section>
        })}
    }
}

#[component]
pub fn CellPage() -> impl IntoView {
    let study = study_param();
    let params = use_params_map();
    let reconcile = ServerAction::<ReconcileCell>::new();
    let cell = Resource::new(
        move || {
            let p = params.read();
            (
                study.get(),
                p.get("slug").unwrap_or_default(),
                p.get("code").unwrap_or_default(),
                reconcile.version().get(),
            )
        },
        |(id, slug, code, _)| load_cell(id, slug, code),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || cell.get().map(|r| match r {
                Ok(c) => view! { <CellView cell=c reconcile/> }.into_any(),
                Err(e) => failed(e),
            })}
        </Suspense>
    }
}

#[component]
fn CellView(cell: CellDetail, reconcile: ServerAction<ReconcileCell>) -> impl IntoView {
    let id = cell.study_id;
    let error = Signal::derive(move || reconcile.value().get().and_then(Result::err));
    let saved = Signal::derive(move || matches!(reconcile.value().get(), Some(Ok(()))));
    let r = cell.result.clone();
    view! {
        <Title text=format!("{} {} · reconcile", cell.acronym, cell.criterion)/>
        <p class="eyebrow"><a href=format!("/studies/{id}")>{cell.title.clone()}</a> " · "
            <a href=format!("/studies/{id}/disagreements")>"disagreement queue"</a></p>
        <h1>{cell.acronym.clone()} " · " <span class="code">{cell.criterion.clone()}</span></h1>
        <p class="lede">{cell.prompt.clone()}</p>
        <dl class="facts">
            <dt>"Disagreement"</dt><dd><DisagreementBadge kind=r.disagreement.clone()/></dd>
            <dt>"Ratings"</dt><dd>{r.n} {(r.n_dont_know > 0).then(|| format!(" and {} “don’t know”", r.n_dont_know))}</dd>
            <dt>"Median"</dt><dd>{spread(r.median)} {match (r.median_lower, r.median_upper) { (Some(l), Some(u)) => format!(" (95% interval {l:.1}–{u:.1})"), _ => String::new() }}</dd>
            <dt>"IQR · SD · rWG"</dt><dd>{spread(r.iqr)} " · " {spread(r.sd)} " · " {spread(r.rwg)}</dd>
            <dt>"Distribution"</dt><dd class="mono">{r.counts.iter().map(|(v, n)| format!("{v}: {n}")).collect::<Vec<_>>().join(" · ")}</dd>
        </dl>
        <h2 id="ratings-heading">"Ratings side by side"</h2>
        <div class="table-scroll">
            <table class="data-table" aria-labelledby="ratings-heading">
                <thead><tr><th scope="col">"Expert"</th><th scope="col">"Value"</th><th scope="col" class="num">"Confidence"</th><th scope="col">"Justification"</th><th scope="col">"Evidence"</th></tr></thead>
                <tbody>
                    {cell.ratings.iter().map(|x| view! {
                        <tr>
                            <th scope="row">{x.pseudonym.clone()} <br/><span class="muted">{x.name.clone()} " · round " {x.round}</span></th>
                            <td>{x.value.clone()}</td>
                            <td class="num">{x.confidence.map(|c| c.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td>{x.justification.clone()}</td>
                            <td><ul class="evidence">{x.evidence.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view()}</ul></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>"Discussion"</h2>
        {if cell.comments.is_empty() {
            view! { <p class="muted">"No comments on this cell."</p> }.into_any()
        } else {
            view! {
                <ol class="comments">
                    {reading_order(&cell.comments).into_iter().map(|(c, answered)| view! {
                        <li class="comment" class:reply=answered.is_some()>
                            <p class="comment-meta"><strong>{c.author.clone()}</strong> {c.author_name.clone().map(|n| format!(" ({n})"))} " · " {c.posted.clone()} " UTC"
                                {answered.map(|a| format!(" · in reply to {a}"))}</p>
                            <p class="comment-body">{c.body.clone()}</p>
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        {(!cell.history.is_empty()).then(|| view! {
            <h2>"Reconciliations so far"</h2>
            <ol>
                {cell.history.iter().map(|h| view! {
                    <li>"Round " {h.round} ": " <strong>{h.final_value.clone().unwrap_or_else(|| "re-rating requested".into())}</strong>
                        " (" {h.method.clone()} ") — " {h.rationale.clone()}
                        {(!h.dissent.is_empty()).then(|| format!(" Dissent: {}", h.dissent))}</li>
                }).collect_view()}
            </ol>
        })}
        {cell.may_reconcile.then(|| view! {
            <section class="auth-card">
                <h2>"Reconcile this cell"</h2>
                <ActionForm action=reconcile attr:class="form">
                    <FormError error/>
                    {move || saved.get().then(|| view! { <p class="form-success" role="status">"Reconciliation recorded in the audit log."</p> })}
                    <input type="hidden" name="study_id" value=id/>
                    <input type="hidden" name="organization" value=cell.organization.clone()/>
                    <input type="hidden" name="criterion" value=cell.criterion.clone()/>
                    <fieldset class="choice">
                        <legend>"Method"</legend>
                        {ReconcileMethod::ALL
                            .into_iter()
                            .filter(|&m| cell.may_request_rerating || m != ReconcileMethod::ReRatingRequested)
                            .map(|m| view! {
                                <label><input type="radio" name="method" value=m.as_str() checked=m == ReconcileMethod::ModeratorJudgement/> " " {m.label()}</label>
                            })
                            .collect_view()}
                    </fieldset>
                    <div class="field">
                        <label for="final-value">{if cell.may_request_rerating { "Final value (empty for a re-rating request)" } else { "Final value" }}</label>
                        <select id="final-value" name="final_value">
                            <option value="">"—"</option>
                            {cell.values.iter().map(|(v, l)| view! { <option value=v.clone()>{l.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="rationale">"Rationale (published with the cell)"</label>
                        <textarea id="rationale" name="rationale" rows="3" required=true></textarea>
                    </div>
                    <div class="field">
                        <label for="dissent">"Recorded dissent"</label>
                        <textarea id="dissent" name="dissent" rows="2"></textarea>
                    </div>
                    <button type="submit" class="button">"Record reconciliation"</button>
                </ActionForm>
            </section>
        })}
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let study = study_param();
    let log = Resource::new(move || study.get(), load_audit);
    view! {
        <Title text="Audit log"/>
        <p class="eyebrow"><a href=move || format!("/studies/{}", study.get())>"Study"</a></p>
        <h1>"Audit log"</h1>
        <p>"Every action on the study, newest first: who, when, what and why. Append-only."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || log.get().map(|r| match r {
                Ok(rows) => view! {
                    <div class="table-scroll">
                        <table class="data-table">
                            <caption class="visually-hidden">"Audit log entries"</caption>
                            <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"Action"</th><th scope="col">"Details"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|a| view! {
                                    <tr><td class="mono">{a.when}</td><td>{a.who}</td><td class="code">{a.action}</td><td class="mono small">{a.detail}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
                Err(e) => failed(e),
            })}
        </Suspense>
    }
}
