use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "studies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub title: String,
    pub description: String,
    pub framework_id: i32,
    pub period_start: i32,
    pub period_end: i32,
    /// `model::study::Phase` as text.
    pub phase: String,
    /// The current Delphi round, from 1.
    pub round: i32,
    /// `model::study::StudySettings` as JSON.
    pub settings: String,
    pub created_by: i32,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
