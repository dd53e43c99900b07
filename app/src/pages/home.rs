//! The start page: what Concord is and the framework it applies.

use leptos::prelude::*;
use leptos_meta::Title;

struct Function {
    number: &'static str,
    name: &'static str,
    text: &'static str,
}

const FUNCTIONS: [Function; 4] = [
    Function {
        number: "1",
        name: "Security dialogue and conflict management",
        text: "Establishing or maintaining peace within the region: instruments for conflict \
               prevention, mediation and management.",
    },
    Function {
        number: "2",
        name: "Military cooperation",
        text: "Mutual restraint and confidence-building to reduce the dangers of military \
               activity, and shared capacity building for defence and peace missions.",
    },
    Function {
        number: "3",
        name: "Democracy and human rights",
        text: "Promoting democratic standards in government and respect for human rights, as \
               ends in themselves and as foundations of peaceful, secure conditions.",
    },
    Function {
        number: "4",
        name: "Economic and functional cooperation",
        text: "Prosperity and interdependence, and cooperative approaches to functional risks \
               including the ‘new threats’ of terrorism and proliferation.",
    },
];

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
        <section class="hero">
            <p class="eyebrow">"Expert assessment of regional security cooperation"</p>
            <h1>"How well do regional organizations build security?"</h1>
            <p class="lede">
                "Concord lets panels of experts score regional and sub-regional organizations — "
                "the EU, NATO, the OSCE, the African Union, ECOWAS, the OAS, ASEAN, the SCO, "
                "the CSTO, the GCC and others — against one shared framework. Experts score "
                "blind, review each other under pseudonyms and revise in Delphi rounds; "
                "moderators reconcile disagreements; the server measures inter-rater agreement "
                "and publishes consensus profiles for everyone to read and re-compute."
            </p>
        </section>

        <section aria-labelledby="framework-heading">
            <h2 id="framework-heading">"The framework"</h2>
            <p>
                "The established models — the alliance, the collective security system, the "
                "security regime and the security community — often fail to capture what today’s "
                "regional groups actually say and do. Concord therefore assesses what a group "
                "does: four security functions, which a group often performs at once."
            </p>
            <ol class="function-grid">
                {FUNCTIONS
                    .iter()
                    .map(|f| {
                        view! {
                            <li class="function-card">
                                <span class="function-number" aria-hidden="true">{f.number}</span>
                                <h3>{f.name}</h3>
                                <p>{f.text}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <h3>"Normative quality"</h3>
            <p>
                "Each organization is also judged on the quality of its cooperation: whether it is "
                "free and democratically conducted or coerced and hegemonic; inclusive or zero-sum "
                "towards outsiders; adaptive or rigidly framed; whether it gives an appropriate "
                "return on the effort invested; and whether it works within the framework of the "
                "United Nations and global norms."
            </p>
        </section>

        <section aria-labelledby="how-heading">
            <h2 id="how-heading">"How a study works"</h2>
            <ol class="steps">
                <li><strong>"Scoring. "</strong>"Each expert scores their organizations blind, with a confidence, a justification and evidence for every criterion."</li>
                <li><strong>"Review. "</strong>"Experts see their peers’ anonymized scorecards and discuss each cell."</li>
                <li><strong>"Delphi rounds. "</strong>"Experts see the group’s distribution and may revise, giving reasons for every change."</li>
                <li><strong>"Reconciliation. "</strong>"Moderators resolve the remaining disagreements, recording rationale and dissent."</li>
                <li><strong>"Publication. "</strong>"Consensus profiles, agreement statistics and anonymized data are released, numbered and immutable."</li>
            </ol>
            <p class="cta">
                <a class="button" href="/register">"Register as an expert"</a>
                " "
                <a href="/login">"or sign in"</a>
            </p>
        </section>
    }
}
