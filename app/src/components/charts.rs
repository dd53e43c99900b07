//! Server-rendered SVG charts. Each has a title and a description for
//! screen readers, and the page beside it carries a table with the same
//! numbers; nothing here needs JavaScript.

use leptos::prelude::*;

use crate::model::results::{CellResult, CriterionRef, OrganizationRef};

/// Fill colour of a consensus level on a 0–4 scale: a sequential blue ramp
/// that stays readable in greyscale.
pub fn level_colour(value: Option<f64>) -> &'static str {
    match value {
        None => "#ffffff",
        Some(v) if v < 0.5 => "#eff3ff",
        Some(v) if v < 1.5 => "#bdd7e7",
        Some(v) if v < 2.5 => "#6baed6",
        Some(v) if v < 3.5 => "#3182bd",
        Some(_) => "#08519c",
    }
}

/// The short mark a disagreement type gets on charts and badges.
pub fn disagreement_mark(kind: &str) -> &'static str {
    match kind {
        "consensus" => "",
        "weak" => "~",
        "polarized" => "⇆",
        "outlier-driven" => "!",
        _ => "?",
    }
}

/// A badge naming a cell's disagreement type.
#[component]
pub fn DisagreementBadge(kind: String) -> impl IntoView {
    let class = format!("badge badge-{kind}");
    view! { <span class=class>{disagreement_mark(&kind)} " " {kind.clone()}</span> }
}

/// One bar of a profile: a label, a value and an interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// Horizontal bars on a 0–`max` axis with interval whiskers.
#[component]
pub fn ProfileChart(
    id: String,
    title: String,
    description: String,
    bars: Vec<Bar>,
    max: f64,
) -> impl IntoView {
    // Each bar has its label on a line of its own above it, so long
    // dimension names fit at any width.
    let row = 46.0;
    let left = 12.0;
    let width = 520.0;
    let plot = width - left - 24.0;
    let height = 32.0 + row * bars.len() as f64;
    let x = move |v: f64| left + plot * (v / max).clamp(0.0, 1.0);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");
    let ticks: Vec<f64> = (0..=(max as i64)).map(|t| t as f64).collect();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-labelledby=labelled_by class="profile-chart">
                <title id=title_id>{title.clone()}</title>
                <desc id=desc_id>{description}</desc>
                {ticks.into_iter().map(|t| view! {
                    <line x1=x(t) x2=x(t) y1="8" y2=height - 18.0 class="grid"/>
                    <text x=x(t) y=height - 4.0 class="tick" text-anchor="middle">{t}</text>
                }).collect_view()}
                {bars.into_iter().enumerate().map(|(i, b)| {
                    let y = 8.0 + row * i as f64;
                    // The number sits right of the bar and its whisker.
                    let value_x = b
                        .value
                        .map(|v| (x(v).max(b.upper.map(x).unwrap_or(0.0)) + 6.0).min(width - 22.0))
                        .unwrap_or(left);
                    view! {
                        <text x=left y=y + 12.0 class="bar-label">{b.label.clone()}</text>
                        {b.value.map(|v| view! {
                            <rect x=left y=y + 18.0 width=(x(v) - left).max(1.0) height="16" class="bar"/>
                            <text x=value_x y=y + 30.0 class="bar-value">{format!("{v:.1}")}</text>
                        })}
                        {b.lower.zip(b.upper).map(|(lo, hi)| view! {
                            <line x1=x(lo) x2=x(hi) y1=y + 26.0 y2=y + 26.0 class="whisker"/>
                            <line x1=x(lo) x2=x(lo) y1=y + 21.0 y2=y + 31.0 class="whisker"/>
                            <line x1=x(hi) x2=x(hi) y1=y + 21.0 y2=y + 31.0 class="whisker"/>
                        })}
                        {b.value.is_none().then(|| view! {
                            <text x=left + 4.0 y=y + 30.0 class="bar-empty">"no consensus value"</text>
                        })}
                    }
                }).collect_view()}
            </svg>
            <figcaption>{title}</figcaption>
        </figure>
    }
}

/// Organizations × criteria, coloured by consensus value, marked by
/// disagreement type.
#[component]
pub fn Heatmap(
    organizations: Vec<OrganizationRef>,
    criteria: Vec<CriterionRef>,
    cells: Vec<CellResult>,
) -> impl IntoView {
    let size = 26.0;
    let left = 80.0;
    let top = 60.0;
    let width = left + size * criteria.len() as f64 + 10.0;
    let height = top + size * organizations.len() as f64 + 10.0;
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-labelledby="heatmap-title heatmap-desc" class="heatmap">
                <title id="heatmap-title">"Consensus values by organization and criterion"</title>
                <desc id="heatmap-desc">"Each square is one cell; darker blue is a higher consensus level on the 0 to 4 scale, white has none. A mark inside names the disagreement: ~ weak, ⇆ polarized, ! outlier-driven, ? insufficient ratings. The table below lists the same values."</desc>
                {criteria.iter().enumerate().map(|(j, c)| view! {
                    <text class="heat-col" transform=format!("translate({},{}) rotate(-60)", left + size * j as f64 + size / 2.0, top - 6.0)>{c.code.clone()}</text>
                }).collect_view()}
                {organizations.iter().enumerate().map(|(i, o)| {
                    let y = top + size * i as f64;
                    view! {
                        <text x=left - 6.0 y=y + size / 2.0 + 4.0 text-anchor="end" class="heat-row">{o.acronym.clone()}</text>
                        {criteria.iter().enumerate().map(|(j, c)| {
                            let cell = cells.iter().find(|x| x.organization == o.slug && x.criterion == c.code);
                            let value = cell.and_then(|x| if c.scale == "ordinal" { x.consensus.as_deref().and_then(|v| v.parse::<f64>().ok()) } else { None });
                            let kind = cell.map(|x| x.disagreement.clone()).unwrap_or_default();
                            let fill = if c.scale == "ordinal" { level_colour(value) } else { "#f5f6f4" };
                            let x0 = left + size * j as f64;
                            let dark = value.is_some_and(|v| v >= 2.5);
                            view! {
                                <rect x=x0 y=y width=size - 2.0 height=size - 2.0 fill=fill class="heat-cell"/>
                                <text x=x0 + size / 2.0 - 1.0 y=y + size / 2.0 + 4.0 text-anchor="middle"
                                    class=if dark { "heat-mark heat-mark-light" } else { "heat-mark" }>{disagreement_mark(&kind)}</text>
                            }
                        }).collect_view()}
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}

/// The key to the heatmap's colours and marks, as plain HTML.
#[component]
pub fn HeatmapLegend() -> impl IntoView {
    let marks = ["weak", "polarized", "outlier-driven", "insufficient"];
    view! {
        <ul class="legend" aria-label="Key to the overview">
            {(0..=4).map(|level| view! {
                <li><span class="swatch" style=format!("background:{}", level_colour(Some(level as f64)))></span>" " {level}</li>
            }).collect_view()}
            <li><span class="swatch" style="background:#ffffff"></span>" no consensus value"</li>
            {marks.into_iter().map(|m| view! {
                <li><span class="mark">{disagreement_mark(m)}</span>" " {m}</li>
            }).collect_view()}
        </ul>
    }
}

/// The consensus rule in words: what makes a cell consensus, polarized,
/// outlier-driven, weak or insufficient. Shown wherever types are (SPEC §4),
/// with the study's own thresholds; `min_raters` `None` speaks of "the
/// study's minimum" (the methodology page).
#[component]
pub fn ConsensusRuleFacts(
    rule: concord_stats::cell::ConsensusRule,
    min_raters: Option<u32>,
) -> impl IntoView {
    let percent = |share: f64| format!("{:.0}%", share * 100.0);
    view! {
        <dl class="facts">
            <dt>"consensus"</dt>
            <dd>"interquartile range at most " {rule.max_iqr} " level, and at least " {percent(rule.min_share_near_median)} " of ratings within " {rule.near_median_levels} " level of the median"</dd>
            <dt>"polarized"</dt>
            <dd>"two groups, each with at least " {percent(rule.min_group_share)} " of the ratings, separated by an empty gap of at least " {rule.min_gap_levels} " level"
                {rule.polarized_below_agreement.map(|a| format!(", or van der Eijk’s A below {a}"))}</dd>
            <dt>"outlier-driven"</dt>
            <dd>"not consensus, but removing at most " {rule.max_outliers} " rating furthest from the median would give consensus"</dd>
            <dt>"weak"</dt><dd>"none of the above"</dd>
            <dt>"insufficient"</dt>
            <dd>{match min_raters {
                Some(m) => format!("fewer than {m} ratings"),
                None => "fewer ratings than the study’s minimum".to_string(),
            }}</dd>
        </dl>
    }
}

/// One cell's ratings as a strip of dots (rater-level, when published) or
/// as counts per level (aggregate only).
#[component]
pub fn StripPlot(
    id: String,
    label: String,
    levels: Vec<String>,
    points: Option<Vec<String>>,
    counts: Vec<(String, usize)>,
) -> impl IntoView {
    let step = 36.0;
    let width = 20.0 + step * levels.len() as f64;
    let position = |v: &str| levels.iter().position(|l| l == v);
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let description = match &points {
        Some(p) => format!("{} ratings shown as dots, one per rater, on levels {}.", p.len(), levels.join(", ")),
        None => format!(
            "Counts per level (rater-level points are published only for cells with enough raters): {}.",
            counts.iter().map(|(v, n)| format!("{v}: {n}")).collect::<Vec<_>>().join(", ")
        ),
    };
    let mut stacked: Vec<(f64, f64)> = Vec::new();
    if let Some(p) = &points {
        let mut height = vec![0usize; levels.len()];
        for v in p {
            if let Some(i) = position(v) {
                stacked.push((
                    14.0 + step * i as f64 + step / 2.0,
                    44.0 - 7.0 * height[i] as f64,
                ));
                height[i] += 1;
            }
        }
    }
    view! {
        <svg viewBox=format!("0 0 {width} 64") role="img" aria-labelledby=labelled_by class="strip-plot">
            <title id=title_id>{label} ": " {description}</title>
            <line x1="10" x2=width - 10.0 y1="50" y2="50" class="axis"/>
            {levels.iter().enumerate().map(|(i, l)| view! {
                <text x=14.0 + step * i as f64 + step / 2.0 y="62" text-anchor="middle" class="tick">{l.clone()}</text>
            }).collect_view()}
            {if points.is_some() {
                stacked.into_iter().map(|(cx, cy)| view! { <circle cx=cx cy=cy r="3.2" class="dot"/> }).collect_view().into_any()
            } else {
                let top = counts.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
                counts.iter().filter_map(|(v, n)| {
                    let i = position(v)?;
                    let h = 40.0 * (*n as f64) / top;
                    Some(view! { <rect x=14.0 + step * i as f64 + 8.0 y=48.0 - h width=step - 16.0 height=h class="count-bar"/> })
                }).collect_view().into_any()
            }}
        </svg>
    }
}
