use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ratings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub scorecard_id: i32,
    pub criterion_id: i32,
    /// Starts at 1; the optimistic-concurrency token.
    pub revision: i32,
    /// The level or category as text; `None` with `dont_know`.
    pub value: Option<String>,
    pub dont_know: bool,
    pub confidence: Option<i32>,
    pub justification: String,
    /// Citations and links as a JSON array of strings.
    pub evidence: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
