//! An expert's scorecard for one organization: every criterion with its
//! anchors, saved per criterion (autosaved once the page is interactive,
//! a plain form post before), then submitted as a whole. Peers' anonymized
//! scorecards appear here once the study's visibility rule allows.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::studies::{
    load_scorecard, ConfirmPrevious, DeclareConflict, PostComment, SaveRating, SubmitScorecard,
};
use crate::components::form::FormError;
use crate::components::status::{ErrorNotice, NotFoundStatus};
use crate::model::scorecard::{
    answer_label, reading_order, CommentView, PeerScorecard, PreviousCell, RatingView,
    ScorecardPage,
};
use crate::model::{AppError, Criterion, Scale};

#[component]
pub fn ScorecardRoute() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("id").and_then(|v| v.parse::<i32>().ok()).unwrap_or(0),
            p.get("slug").unwrap_or_default(),
        )
    };
    let submit = ServerAction::<SubmitScorecard>::new();
    let conflict = ServerAction::<DeclareConflict>::new();
    let confirm = ServerAction::<ConfirmPrevious>::new();
    let comment = ServerAction::<PostComment>::new();
    let actions = Actions {
        submit,
        conflict,
        confirm,
        comment,
    };
    let page = Resource::new(
        move || {
            (
                key(),
                submit.version().get(),
                conflict.version().get(),
                confirm.version().get(),
                comment.version().get(),
            )
        },
        |((id, slug), ..)| load_scorecard(id, slug),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || page.get().map(|result| match result {
                Ok(p) => view! { <Scorecard page=p actions/> }.into_any(),
                Err(AppError::NotFound) => view! { <NotFoundStatus/> }.into_any(),
                Err(AppError::Unauthorized(_)) => view! { <p><a href="/login">"Sign in"</a> " to see this scorecard."</p> }.into_any(),
                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
            })}
        </Suspense>
    }
}

/// The page's whole-scorecard actions; each reloads the page when done.
#[derive(Clone, Copy)]
struct Actions {
    submit: ServerAction<SubmitScorecard>,
    conflict: ServerAction<DeclareConflict>,
    confirm: ServerAction<ConfirmPrevious>,
    comment: ServerAction<PostComment>,
}

#[component]
fn Scorecard(page: ScorecardPage, actions: Actions) -> impl IntoView {
    let Actions {
        submit,
        conflict,
        confirm,
        comment,
    } = actions;
    let total = page
        .framework
        .dimensions
        .iter()
        .map(|d| d.criteria.len())
        .sum::<usize>();
    let answered = RwSignal::new(
        page.own
            .iter()
            .filter(|r| r.value.is_some() || r.dont_know)
            .count(),
    );
    let submit_error = Signal::derive(move || submit.value().get().and_then(Result::err));
    let conflict_error = Signal::derive(move || conflict.value().get().and_then(Result::err));
    let org = page.organization.clone();
    let study_id = page.study_id;
    let editable = page.may_rate;
    let codes: Vec<String> = page
        .framework
        .dimensions
        .iter()
        .flat_map(|d| d.criteria.iter().map(|c| c.code.clone()))
        .collect();
    view! {
        <Title text=format!("{} · scorecard", org.acronym)/>
        <p class="eyebrow">
            <a href=format!("/studies/{study_id}")>{page.study_title.clone()}</a>
            " · " {page.phase.as_str()} " · round " {page.round}
        </p>
        <h1>"Scorecard: " {org.name.clone()} " (" {org.acronym.clone()} ")"</h1>
        <div class="progress" role="group" aria-label="Scorecard completion">
            <progress max=total value=move || answered.get()></progress>
            <span>{move || answered.get()} " of " {total} " criteria answered"</span>
        </div>
        {page.submitted.then(|| view! {
            <p class="form-success" role="status">
                "You submitted this scorecard for round " {page.round} ". "
                {page.peers.is_some().then(|| view! { <a href="#peers-heading">"See your peers’ scorecards"</a> })}
            </p>
        })}
        {page.conflicted.then(|| view! { <p class="notice">"You declared a conflict of interest for this organization."</p> })}
        {(!editable && !page.submitted && !page.conflicted).then(|| page.refusal.clone().map(|r| view! { <p class="notice">{r}</p> }))}
        {(editable && !page.previous.is_empty()).then(|| {
            let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
            let previous_round = page.round - 1;
            let slug = org.slug.clone();
            view! {
                <section class="notice delphi" aria-labelledby="delphi-heading">
                    <h2 id="delphi-heading">"Delphi round " {page.round}</h2>
                    <p>"Each criterion shows your round " {previous_round} " answer and how the panel answered. "
                       "Revise or confirm; a changed value needs a justification. Round " {previous_round} " stays on record."</p>
                    <ActionForm action=confirm attr:class="form inline-form">
                        <FormError error=confirm_error/>
                        <input type="hidden" name="study_id" value=study_id/>
                        <input type="hidden" name="organization" value=slug/>
                        <button type="submit" class="button button-small">"Confirm my round " {previous_round} " answers where I have not revised"</button>
                    </ActionForm>
                </section>
            }
        })}

        {page.framework.dimensions.iter().map(|d| {
            let own = page.own.clone();
            let previous = page.previous.clone();
            let org_slug = org.slug.clone();
            view! {
                <section class="dimension" aria-labelledby=format!("dim-{}", d.code)>
                    <h2 id=format!("dim-{}", d.code)>{d.code.clone()} " " {d.name.clone()}</h2>
                    {d.criteria.iter().map(|c| {
                        let current = own.iter().find(|r| r.criterion == c.code).cloned();
                        let previous = previous.iter().find(|p| p.criterion == c.code).cloned();
                        view! { <CriterionForm study_id organization=org_slug.clone() criterion=c.clone() current previous editable answered/> }
                    }).collect_view()}
                </section>
            }
        }).collect_view()}

        {editable.then(|| {
            let slug = org.slug.clone();
            let conflict_slug = org.slug.clone();
            view! {
            <section class="auth-card submit-card">
                <h2>"Submit"</h2>
                <p>"Submit when every criterion has a value or “don’t know”. After submitting you cannot change this round’s ratings."</p>
                <ActionForm action=submit attr:class="form">
                    <FormError error=submit_error/>
                    <input type="hidden" name="study_id" value=study_id/>
                    <input type="hidden" name="organization" value=slug/>
                    <button type="submit" class="button">"Submit scorecard"</button>
                </ActionForm>
            </section>
            <details class="conflict">
                <summary>"Declare a conflict of interest"</summary>
                <ActionForm action=conflict attr:class="form">
                    <FormError error=conflict_error/>
                    <input type="hidden" name="study_id" value=study_id/>
                    <input type="hidden" name="organization" value=conflict_slug/>
                    <label for="conflict-statement">"What is the conflict?"</label>
                    <textarea id="conflict-statement" name="statement" rows="3" maxlength="2000" required=true></textarea>
                    <button type="submit" class="button">"Declare conflict"</button>
                </ActionForm>
            </details>
        }})}

        {page.peers.clone().map(|peers| view! { <PeerTable peers framework_codes=codes.clone()/> })}
        {page.comments.clone().map(|comments| view! {
            <Discussion comments codes=codes.clone() may_comment=page.may_comment study_id organization=org.slug.clone() action=comment/>
        })}
    }
}

/// Comment threads per cell, and a form to start or continue one.
#[component]
fn Discussion(
    comments: Vec<CommentView>,
    codes: Vec<String>,
    may_comment: bool,
    study_id: i32,
    organization: String,
    action: ServerAction<PostComment>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let comment_form = NodeRef::new();
    reset_on_success(action, comment_form, None);
    let threads: Vec<(String, Vec<CommentView>)> = codes
        .iter()
        .filter_map(|code| {
            let thread: Vec<CommentView> = comments
                .iter()
                .filter(|c| &c.criterion == code)
                .cloned()
                .collect();
            (!thread.is_empty()).then(|| (code.clone(), thread))
        })
        .collect();
    view! {
        <section aria-labelledby="discussion-heading" class="discussion">
            <h2 id="discussion-heading">"Discussion"</h2>
            {threads.is_empty().then(|| view! { <p class="muted">"No comments on this organization’s cells yet."</p> })}
            {threads.into_iter().map(|(code, thread)| view! {
                <article class="thread" aria-label=format!("Comments on {code}")>
                    <h3 class="code">{code.clone()}</h3>
                    <ol class="comments">
                        {reading_order(&thread).into_iter().map(|(c, answered)| view! {
                            <li class="comment" class:reply=answered.is_some()>
                                <p class="comment-meta">
                                    <strong>{c.author.clone()}</strong>
                                    {c.author_name.clone().map(|n| view! { " (" {n} ")" })}
                                    " · " <time>{c.posted.clone()} " UTC"</time>
                                    {answered.map(|a| format!(" · in reply to {a}"))}
                                </p>
                                <p class="comment-body">{c.body.clone()}</p>
                                {may_comment.then(|| view! {
                                    <ReplyForm action study_id organization=organization.clone() comment=c.clone()/>
                                })}
                            </li>
                        }).collect_view()}
                    </ol>
                </article>
            }).collect_view()}
            {may_comment.then(|| view! {
                <ActionForm action node_ref=comment_form attr:class="form comment-form">
                    <FormError error/>
                    <input type="hidden" name="study_id" value=study_id/>
                    <input type="hidden" name="organization" value=organization.clone()/>
                    <label for="comment-criterion">"Criterion"</label>
                    <select id="comment-criterion" name="criterion">
                        {codes.iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                    <label for="comment-body">"Comment (seen by the panel under your pseudonym)"</label>
                    <textarea id="comment-body" name="body" rows="3" maxlength="2000" required=true></textarea>
                    <button type="submit" class="button">"Post comment"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// Once a comment is posted, empties `form` and folds `folded` away: the
/// page reloads its data but keeps its elements, typed text included.
fn reset_on_success(
    action: ServerAction<PostComment>,
    form: NodeRef<leptos::html::Form>,
    folded: Option<NodeRef<leptos::html::Details>>,
) {
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            if let Some(details) = folded.and_then(|d| d.get_untracked()) {
                let _ = details.remove_attribute("open");
            }
        }
    });
}

/// A reply to one comment, folded away until asked for.
#[component]
fn ReplyForm(
    action: ServerAction<PostComment>,
    study_id: i32,
    organization: String,
    comment: CommentView,
) -> impl IntoView {
    let field = format!("reply-{}", comment.id);
    let form = NodeRef::new();
    let folded = NodeRef::new();
    reset_on_success(action, form, Some(folded));
    view! {
        <details class="reply-box" node_ref=folded>
            <summary>"Reply"</summary>
            <ActionForm action node_ref=form attr:class="form comment-form">
                <input type="hidden" name="study_id" value=study_id/>
                <input type="hidden" name="organization" value=organization/>
                <input type="hidden" name="criterion" value=comment.criterion.clone()/>
                <input type="hidden" name="parent" value=comment.id/>
                <label for=field.clone()>{format!("Reply to {}", comment.author)}</label>
                <textarea id=field name="body" rows="2" maxlength="2000" required=true></textarea>
                <button type="submit" class="button">"Post reply"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn CriterionForm(
    study_id: i32,
    organization: String,
    criterion: Criterion,
    current: Option<RatingView>,
    previous: Option<PreviousCell>,
    editable: bool,
    answered: RwSignal<usize>,
) -> impl IntoView {
    let save = ServerAction::<SaveRating>::new();
    let revision = RwSignal::new(current.as_ref().map(|r| r.revision).unwrap_or(0));
    let was_answered = current
        .as_ref()
        .is_some_and(|r| r.value.is_some() || r.dont_know);
    let counted = RwSignal::new(was_answered);
    Effect::new(move |_| {
        if let Some(Ok(new_revision)) = save.value().get() {
            revision.set(new_revision);
            if !counted.get_untracked() {
                counted.set(true);
                answered.update(|n| *n += 1);
            }
        }
    });
    let status = move || match save.value().get() {
        Some(Ok(r)) => {
            view! { <span class="saved" role="status">"Saved · revision " {r}</span> }.into_any()
        }
        Some(Err(e)) => {
            view! { <span class="field-error" role="alert">{e.to_string()}</span> }.into_any()
        }
        None if save.pending().get() => view! { <span class="saving">"Saving…"</span> }.into_any(),
        None => match revision.get() {
            0 => view! { <span class="muted">"Not yet rated"</span> }.into_any(),
            r => view! { <span class="muted">"Saved · revision " {r}</span> }.into_any(),
        },
    };
    let stem = criterion.code.replace('.', "-");
    let id = move |suffix: &str| format!("{stem}-{suffix}");
    let (value, dont_know) = current
        .as_ref()
        .map(|r| (r.value.clone(), r.dont_know))
        .unwrap_or((None, false));
    let options: Vec<(String, String, String)> = match &criterion.scale {
        Scale::Ordinal { levels } => levels
            .iter()
            .map(|l| {
                (
                    l.value.to_string(),
                    format!("{} · {}", l.value, l.label),
                    l.anchor.clone(),
                )
            })
            .collect(),
        Scale::Nominal { categories } => categories
            .iter()
            .map(|c| (c.value.clone(), c.label.clone(), c.anchor.clone()))
            .collect(),
        Scale::Interval { .. } => Vec::new(),
    };
    // Once interactive, any change saves the criterion at once.
    let autosave = move |ev: leptos::ev::Event| {
        use leptos::wasm_bindgen::JsCast;
        if let Some(form) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
        {
            let _ = form.request_submit();
        }
    };
    view! {
        <ActionForm action=save attr:class="criterion-form" on:change=autosave>
            <fieldset disabled=!editable>
                <legend><span class="code">{criterion.code.clone()}</span> " " {criterion.prompt.clone()}</legend>
                <p class="guidance">{criterion.guidance.clone()}</p>
                {previous.as_ref().filter(|p| p.rerating_requested).map(|_| view! {
                    <p class="notice rerate">"The moderators asked the panel to re-rate this cell: please look at it again."</p>
                })}
                {previous.map(|p| view! {
                    <p class="previous-round">
                        "Round " {p.round} ": you answered " <strong>{p.own.clone().unwrap_or_else(|| "nothing".into())}</strong>
                        ". Panel: "
                        {if p.distribution.is_empty() {
                            "no submitted answers".to_string()
                        } else {
                            p.distribution
                                .iter()
                                .map(|(v, n)| format!("{v}: {n} {}", if *n == 1 { "expert" } else { "experts" }))
                                .collect::<Vec<_>>()
                                .join(" · ")
                        }}
                        "."
                    </p>
                })}
                <input type="hidden" name="study_id" value=study_id/>
                <input type="hidden" name="organization" value=organization/>
                <input type="hidden" name="criterion" value=criterion.code.clone()/>
                <input type="hidden" name="base_revision" prop:value=move || revision.get().to_string()/>
                <div class="levels" role="radiogroup" aria-label=format!("Rating for {}", criterion.code)>
                    {options.into_iter().map(|(v, label, anchor)| {
                        let checked = value.as_deref() == Some(v.as_str());
                        view! {
                            <label class="level">
                                <input type="radio" name="value" value=v checked=checked/>
                                <span class="level-text"><strong>{label}</strong> <span class="anchor">{anchor}</span></span>
                            </label>
                        }
                    }).collect_view()}
                    <label class="level dont-know">
                        <input type="radio" name="value" value="dont-know" checked=dont_know/>
                        <span class="level-text"><strong>"Don’t know"</strong></span>
                    </label>
                </div>
                <div class="rating-details">
                    <label for=id("confidence")>"Confidence (0–100)"</label>
                    <input id=id("confidence") name="confidence" type="number" min="0" max="100" step="1"
                        value=current.as_ref().and_then(|r| r.confidence).map(|c| c.to_string())/>
                    <label for=id("justification")>"Justification"</label>
                    <textarea id=id("justification") name="justification" rows="3" maxlength="5000">
                        {current.as_ref().map(|r| r.justification.clone()).unwrap_or_default()}
                    </textarea>
                    <label for=id("evidence")>"Evidence (one citation or link per line)"</label>
                    <textarea id=id("evidence") name="evidence" rows="2">
                        {current.as_ref().map(|r| r.evidence.join("\n")).unwrap_or_default()}
                    </textarea>
                </div>
                <div class="criterion-actions">
                    <button type="submit" class="button button-small">"Save " {criterion.code.clone()}</button>
                    {status}
                </div>
            </fieldset>
        </ActionForm>
    }
}

#[component]
fn PeerTable(peers: Vec<PeerScorecard>, framework_codes: Vec<String>) -> impl IntoView {
    view! {
        <section aria-labelledby="peers-heading">
            <h2 id="peers-heading">"Peers’ scorecards"</h2>
            {if peers.is_empty() {
                view! { <p>"No other expert has rated this organization yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="data-table peers">
                            <caption class="visually-hidden">"Peers’ ratings by criterion, under pseudonyms"</caption>
                            <thead><tr>
                                <th scope="col">"Criterion"</th>
                                {peers.iter().map(|p| view! { <th scope="col">{p.pseudonym.clone()} {(!p.submitted).then_some(" (draft)")}</th> }).collect_view()}
                            </tr></thead>
                            <tbody>
                                {framework_codes.into_iter().map(|code| view! {
                                    <tr>
                                        <th scope="row" class="code">{code.clone()}</th>
                                        {peers.iter().map(|p| {
                                            let r = p.ratings.iter().find(|r| r.criterion == code);
                                            let shown = r.map(|r| answer_label(r.value.as_deref(), r.dont_know)).unwrap_or_else(|| "—".to_string());
                                            let why = r.map(|r| r.justification.clone()).unwrap_or_default();
                                            view! { <td title=why>{shown}</td> }
                                        }).collect_view()}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
