//! The framework with every criterion and its written level anchors, and
//! how results are computed: the consensus rule, the cell figures and the
//! agreement coefficients.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::catalogue::{get_framework, DEFAULT_FRAMEWORK};
use crate::components::charts::ConsensusRuleFacts;
use crate::components::status::ErrorNotice;
use crate::model::{Criterion, Scale};

#[component]
pub fn MethodologyPage() -> impl IntoView {
    let framework = Resource::new(
        || (),
        |_| get_framework(DEFAULT_FRAMEWORK.to_string(), None),
    );
    view! {
        <Title text="Methodology"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                framework
                    .get()
                    .map(|result| match result {
                        Ok(f) => {
                            view! {
                                <p class="eyebrow">"Methodology · framework version " {f.version}</p>
                                <h1>{f.name.clone()}</h1>
                                <p class="lede">{f.description.clone()}</p>
                                <p class="source">"Source: " {f.source.clone()}</p>
                                <nav aria-label="Dimensions" class="toc">
                                    <ol>
                                        {f.dimensions.iter().map(|d| view! {
                                            <li><a href=format!("#{}", d.code)>{d.code.clone()} " " {d.name.clone()}</a></li>
                                        }).collect_view()}
                                        <li><a href="#computation">"How results are computed"</a></li>
                                    </ol>
                                </nav>
                                {f.dimensions
                                    .into_iter()
                                    .map(|d| {
                                        view! {
                                            <section class="dimension" id=d.code.clone()>
                                                <h2>{d.code.clone()} " " {d.name.clone()}</h2>
                                                <p>{d.description.clone()}</p>
                                                {d.criteria.into_iter().map(|c| view! { <CriterionCard criterion=c/> }).collect_view()}
                                            </section>
                                        }
                                    })
                                    .collect_view()}
                                <Computation/>
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
fn CriterionCard(criterion: Criterion) -> impl IntoView {
    let anchors = match &criterion.scale {
        Scale::Ordinal { levels } => levels
            .iter()
            .map(|l| (l.value.to_string(), l.label.clone(), l.anchor.clone()))
            .collect::<Vec<_>>(),
        Scale::Nominal { categories } => categories
            .iter()
            .map(|c| ("•".to_string(), c.label.clone(), c.anchor.clone()))
            .collect(),
        Scale::Interval { .. } => Vec::new(),
    };
    view! {
        <article class="criterion">
            <h3><span class="code">{criterion.code.clone()}</span> " " {criterion.prompt.clone()}</h3>
            <p class="guidance">{criterion.guidance.clone()}</p>
            <p class="scale-summary">"Scale: " {criterion.scale.summary()} ", or “don’t know”"</p>
            <table class="anchor-table">
                <caption class="visually-hidden">"Level anchors for " {criterion.code.clone()}</caption>
                <thead><tr><th scope="col">"Level"</th><th scope="col">"Label"</th><th scope="col">"Anchor"</th></tr></thead>
                <tbody>
                    {anchors.into_iter().map(|(value, label, anchor)| view! {
                        <tr><td class="num">{value}</td><th scope="row">{label}</th><td>{anchor}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </article>
    }
}

/// The consensus rule, the cell figures and the coefficients, in words.
#[component]
fn Computation() -> impl IntoView {
    let rule = concord_stats::cell::ConsensusRule::default();
    view! {
        <section class="dimension" id="computation">
            <h2>"How results are computed"</h2>
            <p>"Only submitted scorecards count, each expert once per organization (their latest Delphi round). “Don’t know” answers are counted but carry no value. A cell — one organization on one criterion — needs the study’s minimum number of ratings (pre-registered, 3 by default) for a consensus value."</p>
            <h3>"Figures per cell"</h3>
            <p>"Number of ratings and of “don’t know” answers; median with a 95% percentile-bootstrap interval (1,000 replicates, fixed seed); mean and confidence-weighted mean; standard deviation; interquartile range; minimum and maximum; the distribution over the levels; rWG against a uniform null ((A²−1)/12 for A levels); average deviation from the median; the share of ratings within one level of the median; and van der Eijk’s agreement A."</p>
            <h3>"Consensus rule and disagreement types"</h3>
            <p>"Each study pre-registers its rule before scoring; the default is:"</p>
            <ConsensusRuleFacts rule min_raters=None/>
            <p>"A cell’s published consensus value is the median, unless a moderator reconciled the cell: then the final value, the method (accepted consensus, moderator judgement, or a re-rating request), the rationale and any recorded dissent are published with it. An organization’s profile is the mean consensus value of each dimension’s ordinal criteria, with the mean of their median intervals."</p>
            <h3>"Reliability"</h3>
            <p>"Krippendorff’s alpha at the ordinal level, computed from the coincidence matrix so that missing ratings are allowed (units are cells, raters are experts), for the whole study, each dimension and each criterion, with a 95% bootstrap interval over units. Per rater: the mean signed and absolute deviation from the median of the other raters in the same cells (leniency), and the rank correlation with those medians (consistency)."</p>
            <h3>"The full set of coefficients"</h3>
            <p>"The command " <code>"concord agreement"</code> " computes, from any long-format ratings file (such as a release’s ratings download): Krippendorff’s alpha at the nominal, ordinal, interval and ratio levels; Fleiss’ kappa; Cohen’s kappa unweighted, linear- and quadratic-weighted; Scott’s pi; Conger’s kappa; Brennan–Prediger; Gwet’s AC1 and AC2 (with Gwet’s 2014 rules for missing ratings); percent agreement; the six Shrout–Fleiss / McGraw–Wong intraclass correlations with 95% confidence intervals; and Kendall’s W with tie correction."</p>
            <h3>"Anonymity"</h3>
            <p>"Experts work under stable pseudonyms; their names are shown to moderators only. The public sees releases: rater-level data appear only in cells rated by at least the study’s k raters (5 by default), under rater numbers (R1, R2, …) that are unrelated to the pseudonyms."</p>
        </section>
    }
}
