//! Reconciliations and releases.
//!
//! Both are append-only: a cell's reconciliation is its latest row, and a
//! release, once written, is never updated; the next publication writes the
//! next number.
use sea_orm_migration::prelude::*;

use super::m20261128_000001_create_users::Users;
use super::m20261128_000002_create_frameworks_and_organizations::{Criteria, Organizations};
use super::m20261128_000003_create_studies::{fk, id, index, Studies};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Reconciliations {
    Table,
    Id,
    StudyId,
    OrganizationId,
    CriterionId,
    Round,
    FinalValue,
    Method,
    Rationale,
    Dissent,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Releases {
    Table,
    Id,
    StudyId,
    Number,
    Round,
    Results,
    Ratings,
    Changelog,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reconciliations::Table)
                    .col(id(Reconciliations::Id))
                    .col(
                        ColumnDef::new(Reconciliations::StudyId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Reconciliations::OrganizationId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Reconciliations::CriterionId)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Reconciliations::Round).integer().not_null())
                    .col(
                        ColumnDef::new(Reconciliations::FinalValue)
                            .string_len(100)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Reconciliations::Method)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Reconciliations::Rationale).text().not_null())
                    .col(ColumnDef::new(Reconciliations::Dissent).text().not_null())
                    .col(ColumnDef::new(Reconciliations::UserId).integer().not_null())
                    .col(
                        ColumnDef::new(Reconciliations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        Reconciliations::Table,
                        Reconciliations::StudyId,
                        Studies::Table,
                        Studies::Id,
                    ))
                    .foreign_key(&mut fk(
                        Reconciliations::Table,
                        Reconciliations::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                    ))
                    .foreign_key(&mut fk(
                        Reconciliations::Table,
                        Reconciliations::CriterionId,
                        Criteria::Table,
                        Criteria::Id,
                    ))
                    .foreign_key(&mut fk(
                        Reconciliations::Table,
                        Reconciliations::UserId,
                        Users::Table,
                        Users::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "reconciliations_cell",
                Reconciliations::Table,
                vec![
                    Reconciliations::StudyId.into_iden(),
                    Reconciliations::OrganizationId.into_iden(),
                    Reconciliations::CriterionId.into_iden(),
                ],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Releases::Table)
                    .col(id(Releases::Id))
                    .col(ColumnDef::new(Releases::StudyId).integer().not_null())
                    .col(ColumnDef::new(Releases::Number).integer().not_null())
                    .col(ColumnDef::new(Releases::Round).integer().not_null())
                    .col(ColumnDef::new(Releases::Results).text().not_null())
                    .col(ColumnDef::new(Releases::Ratings).text().not_null())
                    .col(ColumnDef::new(Releases::Changelog).text().not_null())
                    .col(ColumnDef::new(Releases::CreatedBy).integer().not_null())
                    .col(
                        ColumnDef::new(Releases::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        Releases::Table,
                        Releases::StudyId,
                        Studies::Table,
                        Studies::Id,
                    ))
                    .foreign_key(&mut fk(
                        Releases::Table,
                        Releases::CreatedBy,
                        Users::Table,
                        Users::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "releases_study_number",
                Releases::Table,
                vec![Releases::StudyId.into_iden(), Releases::Number.into_iden()],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Releases::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Reconciliations::Table).to_owned())
            .await
    }
}
