//! The public side: published studies, a study's release (heatmap,
//! reliability, history, downloads), an organization's consensus profile
//! and cells, and a comparison of organizations. Everything here reads
//! releases only and works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::results::{list_published, load_release};
use crate::components::charts::{
    Bar, ConsensusRuleFacts, DisagreementBadge, Heatmap, HeatmapLegend, ProfileChart, StripPlot,
};
use crate::components::status::{ErrorNotice, NotFoundStatus};
use crate::model::results::{Release, StudyResults};
use crate::model::AppError;

fn fmt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

fn failed(e: AppError) -> AnyView {
    match e {
        AppError::NotFound => view! { <NotFoundStatus/> }.into_any(),
        e => view! { <ErrorNotice error=e/> }.into_any(),
    }
}

/// The release a page shows: `?release=N`, or the latest.
fn release_resource() -> (Memo<i32>, Resource<Result<Release, AppError>>) {
    let params = use_params_map();
    let query = use_query_map();
    let study = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or(0)
    });
    let number = move || {
        query
            .read()
            .get("release")
            .and_then(|v| v.parse::<i32>().ok())
    };
    let release = Resource::new(
        move || (study.get(), number()),
        |(id, n)| load_release(id, n),
    );
    (study, release)
}

#[component]
pub fn ResultsIndexPage() -> impl IntoView {
    let studies = Resource::new(|| (), |_| list_published());
    view! {
        <Title text="Published results"/>
        <h1>"Published results"</h1>
        <p class="lede">"Consensus profiles of regional security organizations, as expert panels published them. Each release is immutable; later releases say what changed and why."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || studies.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! { <p>"Nothing has been published yet."</p> }.into_any(),
                Ok(list) => view! {
                    <table class="data-table">
                        <caption class="visually-hidden">"Published studies"</caption>
                        <thead><tr><th scope="col">"Study"</th><th scope="col">"Period"</th><th scope="col">"Latest release"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|s| view! {
                                <tr>
                                    <th scope="row"><a href=format!("/results/{}", s.id)>{s.title}</a></th>
                                    <td>{s.period}</td>
                                    <td>"Release " {s.latest.number} " · " {s.latest.published} " UTC"</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                Err(e) => failed(e),
            })}
        </Suspense>
    }
}

#[component]
pub fn StudyResultsPage() -> impl IntoView {
    let (_, release) = release_resource();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || release.get().map(|r| match r {
                Ok(r) => view! { <StudyResultsView release=r/> }.into_any(),
                Err(e) => failed(e),
            })}
        </Suspense>
    }
}

#[component]
fn StudyResultsView(release: Release) -> impl IntoView {
    let res = release.results.clone();
    let id = res.study_id;
    let n = release.summary.number;
    view! {
        <Title text=res.title.clone()/>
        <p class="eyebrow">"Published results · " {res.period.clone()} " · release " {n}</p>
        <h1>{res.title.clone()}</h1>
        <p>"Release " {n} ", published " {release.summary.published.clone()} " UTC from Delphi round " {release.summary.round}
           ". Cells need " {res.min_raters} " ratings for a consensus value; rater-level data appear only in cells with at least " {res.k_anonymity} " raters."</p>
        <p class="downloads">
            "Download: "
            <a href=format!("/api/v1/studies/{id}/releases/{n}/cells.csv")>"cells (CSV)"</a> " · "
            <a href=format!("/api/v1/studies/{id}/releases/{n}/ratings.csv")>"anonymized ratings (CSV)"</a> " · "
            <a href=format!("/api/v1/studies/{id}/releases/{n}")>"everything (JSON)"</a>
        </p>
        <h2>"Overview"</h2>
        <Heatmap organizations=res.organizations.clone() criteria=res.criteria.clone() cells=res.cells.clone()/>
        <HeatmapLegend/>
        <details class="rule-in-force">
            <summary>"This study’s consensus rule (how the marks are decided)"</summary>
            <ConsensusRuleFacts rule=res.consensus_rule.clone() min_raters=Some(res.min_raters)/>
        </details>
        <details class="table-alternative">
            <summary>"The overview as a table"</summary>
            <HeatmapTable results=res.clone()/>
        </details>
        <p>"Organizations: "
            {res.organizations.iter().map(|o| view! { <a href=format!("/results/{id}/organizations/{}", o.slug)>{o.acronym.clone()}</a> " " }).collect_view()}
            " · " <a href=format!("/results/{id}/compare")>"compare organizations"</a>
        </p>
        <h2 id="reliability-heading">"Reliability"</h2>
        <p>"Krippendorff’s alpha at the ordinal level with a 95% bootstrap interval (1,000 replicates), over the cells of the study, of each dimension and of each criterion."</p>
        <div class="table-scroll">
            <table class="data-table" aria-labelledby="reliability-heading">
                <thead><tr><th scope="col">"Scope"</th><th scope="col">""</th><th scope="col" class="num">"α (ordinal)"</th><th scope="col" class="num">"95% interval"</th><th scope="col" class="num">"Cells"</th><th scope="col" class="num">"Ratings"</th></tr></thead>
                <tbody>
                    {res.reliability.iter().map(|r| view! {
                        <tr>
                            <th scope="row" class="code">{r.scope.clone()}</th><td>{r.label.clone()}</td>
                            <td class="num">{fmt(r.alpha)}</td>
                            <td class="num">{match (r.lower, r.upper) { (Some(l), Some(u)) => format!("{l:.2} to {u:.2}"), _ => "—".into() }}</td>
                            <td class="num">{r.units}</td><td class="num">{r.ratings}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="raters-heading">"Raters"</h2>
        {res.raters.is_empty().then(|| view! {
            <p>"Per-rater figures are published only when the panel has at least " {res.k_anonymity} " raters."</p>
        })}
        <p>"Each rater against the median of the other raters in the same cells (ordinal criteria): a positive mean deviation rates higher than the rest of the panel; the rank correlation measures consistency. Rater numbers are per study and say nothing about who rated."</p>
        <div class="table-scroll">
            <table class="data-table" aria-labelledby="raters-heading">
                <thead><tr><th scope="col">"Rater"</th><th scope="col" class="num">"Cells rated"</th><th scope="col" class="num">"Mean deviation"</th><th scope="col" class="num">"Mean absolute deviation"</th><th scope="col" class="num">"Rank correlation"</th></tr></thead>
                <tbody>
                    {res.raters.iter().map(|r| view! {
                        <tr>
                            <th scope="row">{r.rater.clone()}</th>
                            <td class="num">{r.n_rated}</td>
                            <td class="num">{fmt(r.mean_signed_deviation)}</td>
                            <td class="num">{fmt(r.mean_absolute_deviation)}</td>
                            <td class="num">{fmt(r.rank_correlation)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="history-heading">"Release history"</h2>
        <ol class="release-history" aria-labelledby="history-heading">
            {release.history.iter().map(|h| view! {
                <li>
                    <a href=format!("/results/{id}?release={}", h.number)>"Release " {h.number}</a>
                    " · " {h.published.clone()} " UTC · round " {h.round}
                    {(h.number > 1).then(|| format!(" · {} changed cells", h.changes))}
                    {(h.number == n).then_some(" (shown)")}
                </li>
            }).collect_view()}
        </ol>
        {(!release.changelog.is_empty()).then(|| view! {
            <h2 id="changes-heading">"Changes since release " {n - 1}</h2>
            <table class="data-table" aria-labelledby="changes-heading">
                <thead><tr><th scope="col">"Cell"</th><th scope="col">"Before"</th><th scope="col">"After"</th><th scope="col">"Why"</th></tr></thead>
                <tbody>
                    {release.changelog.iter().map(|c| view! {
                        <tr>
                            <th scope="row">{c.organization.clone()} " · " <span class="code">{c.criterion.clone()}</span></th>
                            <td>{c.before.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{c.after.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{c.reasons.join(", ")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

#[component]
fn HeatmapTable(results: StudyResults) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="data-table compact">
                <caption class="visually-hidden">"Consensus value and disagreement type per organization and criterion"</caption>
                <thead><tr>
                    <th scope="col">"Organization"</th>
                    {results.criteria.iter().map(|c| view! { <th scope="col" class="code">{c.code.clone()}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {results.organizations.iter().map(|o| view! {
                        <tr>
                            <th scope="row">{o.acronym.clone()}</th>
                            {results.criteria.iter().map(|c| {
                                let cell = results.cell(&o.slug, &c.code);
                                view! { <td>{cell.map(|x| format!("{} ({})", x.consensus.clone().unwrap_or_else(|| "—".into()), x.disagreement)).unwrap_or_default()}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The profile bars of one organization.
fn profile_bars(results: &StudyResults, slug: &str) -> Vec<Bar> {
    results
        .profiles
        .iter()
        .filter(|p| p.organization == slug)
        .map(|p| Bar {
            label: results
                .dimensions
                .iter()
                .find(|d| d.code == p.dimension)
                .map(|d| format!("{} {}", d.code, d.name))
                .unwrap_or_else(|| p.dimension.clone()),
            value: p.value,
            lower: p.lower,
            upper: p.upper,
        })
        .collect()
}

#[component]
pub fn OrganizationResultsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let (_, release) = release_resource();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || release.get().map(|r| match r {
                Ok(r) if r.results.organizations.iter().any(|o| o.slug == slug()) => {
                    view! { <OrganizationResultsView release=r slug=slug()/> }.into_any()
                }
                Ok(_) => view! { <NotFoundStatus/> }.into_any(),
                Err(e) => failed(e),
            })}
        </Suspense>
    }
}

#[component]
fn OrganizationResultsView(release: Release, slug: String) -> impl IntoView {
    let res = release.results.clone();
    let id = res.study_id;
    let org = res
        .organizations
        .iter()
        .find(|o| o.slug == slug)
        .cloned()
        .unwrap_or_else(|| crate::model::results::OrganizationRef {
            slug: slug.clone(),
            acronym: slug.clone(),
            name: slug.clone(),
        });
    let bars = profile_bars(&res, &slug);
    let levels: Vec<String> = (0..=4).map(|l| l.to_string()).collect();
    view! {
        <Title text=format!("{} · {}", org.acronym, res.title)/>
        <p class="eyebrow"><a href=format!("/results/{id}")>{res.title.clone()}</a> " · release " {release.summary.number}</p>
        <h1>{org.name.clone()} " (" {org.acronym.clone()} ")"</h1>
        <p><a href=format!("/organizations/{}", org.slug)>"About the organization"</a></p>
        <h2>"Consensus profile"</h2>
        <ProfileChart id="profile".into() max=4.0
            title=format!("{}: mean consensus level per dimension (0–4)", org.acronym)
            description="One bar per dimension: the mean consensus level of its ordinal criteria; the whisker spans the mean 95% interval of the cell medians. The cell table below has every value.".into()
            bars/>
        <h2 id="cells-heading">"Cells"</h2>
        <div class="table-scroll">
            <table class="data-table" aria-labelledby="cells-heading">
                <thead><tr>
                    <th scope="col">"Criterion"</th><th scope="col">"Consensus"</th><th scope="col">"Disagreement"</th>
                    <th scope="col" class="num">"n"</th><th scope="col" class="num">"Median (95% interval)"</th>
                    <th scope="col">"Distribution"</th><th scope="col">"Reconciliation"</th>
                </tr></thead>
                <tbody>
                    {res.cells.iter().filter(|c| c.organization == slug).map(|c| {
                        let criterion = res.criteria.iter().find(|x| x.code == c.criterion).cloned();
                        let ordinal = criterion.as_ref().is_some_and(|x| x.scale == "ordinal");
                        let points: Option<Vec<String>> = {
                            let p: Vec<String> = release.ratings.iter()
                                .filter(|r| r.organization == c.organization && r.criterion == c.criterion && !r.value.is_empty())
                                .map(|r| r.value.clone()).collect();
                            (!p.is_empty()).then_some(p)
                        };
                        let plot_levels = if ordinal { levels.clone() } else { c.counts.iter().map(|(v, _)| v.clone()).collect() };
                        let row = view! {
                            <tr>
                                <th scope="row"><span class="code">{c.criterion.clone()}</span> " " <span class="muted">{criterion.map(|x| x.prompt).unwrap_or_default()}</span></th>
                                <td>{c.consensus.clone().unwrap_or_else(|| "—".into())}</td>
                                <td><DisagreementBadge kind=c.disagreement.clone()/></td>
                                <td class="num">{c.n} {(c.n_dont_know > 0).then(|| format!(" (+{} don’t know)", c.n_dont_know))}</td>
                                <td class="num">{fmt(c.median)} {match (c.median_lower, c.median_upper) { (Some(l), Some(u)) => format!(" ({l:.1}–{u:.1})"), _ => String::new() }}</td>
                                <td>{ordinal.then(|| view! {
                                    <StripPlot id=format!("strip-{}", c.criterion.replace('.', "-")) label=c.criterion.clone() levels=plot_levels points counts=c.counts.clone()/>
                                }.into_any())}
                                {(!ordinal).then(|| c.counts.iter().filter(|(_, n)| *n > 0).map(|(v, n)| format!("{v}: {n}")).collect::<Vec<_>>().join(", "))}</td>
                                <td>{c.reconciliation.clone().map(|r| view! {
                                    <span class="note"><strong>{r.method.replace('-', " ")}</strong> ": " {r.rationale}
                                    {(!r.dissent.is_empty()).then(|| view! { <br/> <em>"Dissent: "</em> {r.dissent.clone()} })}</span>
                                })}</td>
                            </tr>
                        };
                        row.into_any()
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <details class="rule-in-force">
            <summary>"This study’s consensus rule (how the disagreement types are decided)"</summary>
            <ConsensusRuleFacts rule=res.consensus_rule.clone() min_raters=Some(res.min_raters)/>
        </details>
    }
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let query = use_query_map();
    let chosen = move || query.read().get_all("org").unwrap_or_default();
    let (_, release) = release_resource();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || release.get().map(|r| match r {
                Ok(r) => view! { <CompareView release=r chosen=chosen()/> }.into_any(),
                Err(e) => failed(e),
            })}
        </Suspense>
    }
}

#[component]
fn CompareView(release: Release, chosen: Vec<String>) -> impl IntoView {
    let res = release.results.clone();
    let id = res.study_id;
    let picked: Vec<_> = res
        .organizations
        .iter()
        .filter(|o| chosen.contains(&o.slug))
        .take(4)
        .cloned()
        .collect();
    view! {
        <Title text=format!("Compare · {}", res.title)/>
        <p class="eyebrow"><a href=format!("/results/{id}")>{res.title.clone()}</a> " · release " {release.summary.number}</p>
        <h1>"Compare organizations"</h1>
        <form method="get" action=format!("/results/{id}/compare") class="compare-form">
            <fieldset class="choice">
                <legend>"Choose two to four organizations"</legend>
                {res.organizations.iter().map(|o| view! {
                    <label><input type="checkbox" name="org" value=o.slug.clone() checked=chosen.contains(&o.slug)/> " " {o.acronym.clone()}</label>
                }).collect_view()}
            </fieldset>
            <input type="hidden" name="release" value=release.summary.number/>
            <button type="submit" class="button">"Compare"</button>
        </form>
        {if picked.len() < 2 {
            view! { <p>"Pick at least two organizations."</p> }.into_any()
        } else {
            view! {
                <div class="compare-grid">
                    {picked.iter().map(|o| view! {
                        <ProfileChart id=format!("profile-{}", o.slug) max=4.0
                            title=format!("{}: mean consensus level per dimension", o.acronym)
                            description="Bars are mean consensus levels per dimension on the 0–4 scale, whiskers the mean 95% intervals; the table below has the values.".into()
                            bars=profile_bars(&res, &o.slug)/>
                    }).collect_view()}
                </div>
                <table class="data-table">
                    <caption>"Mean consensus level per dimension"</caption>
                    <thead><tr><th scope="col">"Dimension"</th>{picked.iter().map(|o| view! { <th scope="col" class="num">{o.acronym.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {res.dimensions.iter().filter(|d| res.profiles.iter().any(|p| p.dimension == d.code)).map(|d| view! {
                            <tr>
                                <th scope="row">{d.code.clone()} " " {d.name.clone()}</th>
                                {picked.iter().map(|o| {
                                    let p = res.profiles.iter().find(|p| p.organization == o.slug && p.dimension == d.code);
                                    view! { <td class="num">{fmt(p.and_then(|p| p.value))}</td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
