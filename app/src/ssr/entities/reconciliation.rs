use sea_orm::entity::prelude::*;

/// Append-only: a cell's reconciliation is its latest row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reconciliations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub study_id: i32,
    pub organization_id: i32,
    pub criterion_id: i32,
    pub round: i32,
    pub final_value: Option<String>,
    pub method: String,
    pub rationale: String,
    pub dissent: String,
    pub user_id: i32,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
