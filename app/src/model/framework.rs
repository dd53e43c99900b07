//! The assessment instrument and the organization catalogue, as shown to
//! people and as shipped in the seed files.

use serde::{Deserialize, Serialize};

/// A versioned framework: ordered dimensions, each with ordered criteria.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    pub slug: String,
    pub name: String,
    pub version: i32,
    pub source: String,
    pub description: String,
    pub dimensions: Vec<Dimension>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub code: String,
    pub name: String,
    pub description: String,
    pub criteria: Vec<Criterion>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub code: String,
    pub prompt: String,
    pub guidance: String,
    pub scale: Scale,
}

/// How a criterion is answered. Every scale also allows "don't know".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Scale {
    Ordinal { levels: Vec<Level> },
    Interval { min: f64, max: f64, step: f64 },
    Nominal { categories: Vec<Category> },
}

/// One level of an ordinal scale with its written anchor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub value: i32,
    pub label: String,
    pub anchor: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub value: String,
    pub label: String,
    pub anchor: String,
}

impl Scale {
    /// A short description for tables ("ordinal 0–4", "nominal, 5 categories").
    pub fn summary(&self) -> String {
        match self {
            Scale::Ordinal { levels } => match (levels.first(), levels.last()) {
                (Some(lo), Some(hi)) => format!("ordinal {}–{}", lo.value, hi.value),
                _ => "ordinal".into(),
            },
            Scale::Interval { min, max, step } => format!("interval {min}–{max}, step {step}"),
            Scale::Nominal { categories } => format!("nominal, {} categories", categories.len()),
        }
    }
}

/// A regional or sub-regional organization being assessed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Organization {
    pub slug: String,
    pub acronym: String,
    pub name: String,
    pub region: String,
    pub founded: i32,
    /// Member states as ISO 3166-1 alpha-2 codes.
    pub members: Vec<String>,
    pub description: String,
}
