//! What the administration pages show and send.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    /// "2026-11-28".
    pub joined: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameworkVersion {
    pub slug: String,
    pub version: i32,
    pub name: String,
    /// Studies using this version; a used version is never edited in place.
    pub studies: usize,
}

/// New wording for one criterion: one anchor per level or category, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriterionEdit {
    pub code: String,
    pub prompt: String,
    pub guidance: String,
    pub anchors: Vec<String>,
}

/// The administration page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub users: Vec<UserRow>,
    pub frameworks: Vec<FrameworkVersion>,
    pub organizations: Vec<crate::model::Organization>,
    pub me: i32,
}
