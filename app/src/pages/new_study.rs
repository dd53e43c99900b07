//! Starting a study: title, reference period, organizations and the
//! pre-registered settings. The creator becomes its moderator.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::catalogue::list_organizations;
use crate::api::studies::CreateStudy;
use crate::components::form::{Field, FormError};
use crate::components::status::ErrorNotice;

#[component]
pub fn NewStudyPage() -> impl IntoView {
    let create = ServerAction::<CreateStudy>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let message = move |field: &'static str| error.get().and_then(|e| e.for_field(field));
    let organizations = Resource::new(|| (), |_| list_organizations());
    view! {
        <Title text="New study"/>
        <h1>"New study"</h1>
        <p class="lede">"You will moderate the study. It starts as a draft: invite experts, then open scoring."</p>
        <ActionForm action=create attr:class="form wide-form">
            <FormError error inline=&["title", "period", "organizations", "settings"]/>
            <Field label="Title" name="title" maxlength=200 error/>
            <div class="field">
                <label for="field-description">"Description (optional)"</label>
                <textarea id="field-description" name="description" rows="3" maxlength="5000"></textarea>
            </div>
            <fieldset class="period">
                <legend>"Reference period"</legend>
                <label>"From " <input type="number" name="period_start" min="1900" max="2100" value="2005" required=true/></label>
                <label>"to " <input type="number" name="period_end" min="1900" max="2100" value="2006" required=true/></label>
                {move || message("period").map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
            <fieldset class="org-picker">
                <legend>"Organizations to assess"</legend>
                {move || message("organizations").map(|m| view! { <p class="field-error">{m}</p> })}
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || organizations.get().map(|r| match r {
                        Ok(list) => view! {
                            <div class="org-grid">
                                {list.into_iter().map(|o| view! {
                                    <label class="check">
                                        <input type="checkbox" name="organizations[]" value=o.slug.clone()/>
                                        " " {o.acronym} <span class="muted">" " {o.name}</span>
                                    </label>
                                }).collect_view()}
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    })}
                </Suspense>
            </fieldset>
            <fieldset class="choice-column">
                <legend>"When do experts see their peers’ scorecards?"</legend>
                <label class="check"><input type="radio" name="visibility" value="after-own-submission" checked=true/>
                    " After submitting their own scorecard for that organization (recommended)"</label>
                <label class="check"><input type="radio" name="visibility" value="at-review"/>
                    " Only when the study enters review"</label>
            </fieldset>
            <div class="field-row">
                <label>"Minimum raters per cell " <input type="number" name="min_raters" min="1" max="100" value="3" required=true/></label>
                <label>"k for public anonymity " <input type="number" name="k_anonymity" min="1" max="100" value="5" required=true/></label>
            </div>
            {move || message("settings").map(|m| view! { <p class="field-error">{m}</p> })}
            <button type="submit" class="button">"Create study"</button>
        </ActionForm>
    }
}
