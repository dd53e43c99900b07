//! The framework with every criterion and its written level anchors.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::catalogue::{get_framework, DEFAULT_FRAMEWORK};
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
