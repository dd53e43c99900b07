use sea_orm::entity::prelude::*;

/// Immutable once written: the next publication writes the next number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "releases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub study_id: i32,
    pub number: i32,
    pub round: i32,
    /// `model::results::StudyResults` as JSON.
    pub results: String,
    /// `Vec<model::results::AnonymousRating>` as JSON.
    pub ratings: String,
    /// `Vec<model::results::ChangeEntry>` as JSON.
    pub changelog: String,
    pub created_by: i32,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
