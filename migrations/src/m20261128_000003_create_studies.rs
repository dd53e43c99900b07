//! Studies and their panels, scorecards and ratings.
//!
//! Ratings are append-only revisions: every save inserts a row, the highest
//! revision of a (scorecard, criterion) is its current value, and that
//! revision number is the optimistic-concurrency token. Nothing here is
//! ever updated in place except a scorecard's status and a study's phase.

use sea_orm_migration::prelude::*;

use super::m20261128_000001_create_users::Users;
use super::m20261128_000002_create_frameworks_and_organizations::{
    Criteria, Frameworks, Organizations,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Studies {
    Table,
    Id,
    Title,
    Description,
    FrameworkId,
    PeriodStart,
    PeriodEnd,
    Phase,
    Round,
    Settings,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum StudyOrganizations {
    Table,
    StudyId,
    OrganizationId,
}

#[derive(DeriveIden)]
pub enum PanelMembers {
    Table,
    Id,
    StudyId,
    UserId,
    Role,
    Pseudonym,
    InvitedAt,
}

#[derive(DeriveIden)]
pub enum Assignments {
    Table,
    PanelMemberId,
    OrganizationId,
}

#[derive(DeriveIden)]
pub enum Conflicts {
    Table,
    Id,
    PanelMemberId,
    OrganizationId,
    Statement,
    DeclaredAt,
}

#[derive(DeriveIden)]
pub enum Scorecards {
    Table,
    Id,
    StudyId,
    OrganizationId,
    PanelMemberId,
    Round,
    SubmittedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Ratings {
    Table,
    Id,
    ScorecardId,
    CriterionId,
    Revision,
    Value,
    DontKnow,
    Confidence,
    Justification,
    Evidence,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Comments {
    Table,
    Id,
    StudyId,
    OrganizationId,
    CriterionId,
    PanelMemberId,
    ParentId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum AuditLog {
    Table,
    Id,
    StudyId,
    UserId,
    Action,
    Detail,
    CreatedAt,
}

pub(crate) fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

pub(crate) fn fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
    to_table: impl IntoIden + 'static,
    to_col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

pub(crate) fn index(
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Studies::Table)
                    .col(id(Studies::Id))
                    .col(ColumnDef::new(Studies::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Studies::Description).text().not_null())
                    .col(ColumnDef::new(Studies::FrameworkId).integer().not_null())
                    .col(ColumnDef::new(Studies::PeriodStart).integer().not_null())
                    .col(ColumnDef::new(Studies::PeriodEnd).integer().not_null())
                    .col(ColumnDef::new(Studies::Phase).string_len(20).not_null())
                    .col(
                        ColumnDef::new(Studies::Round)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(ColumnDef::new(Studies::Settings).text().not_null())
                    .col(ColumnDef::new(Studies::CreatedBy).integer().not_null())
                    .col(
                        ColumnDef::new(Studies::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        Studies::Table,
                        Studies::FrameworkId,
                        Frameworks::Table,
                        Frameworks::Id,
                    ))
                    .foreign_key(&mut fk(
                        Studies::Table,
                        Studies::CreatedBy,
                        Users::Table,
                        Users::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StudyOrganizations::Table)
                    .col(
                        ColumnDef::new(StudyOrganizations::StudyId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StudyOrganizations::OrganizationId)
                            .integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(StudyOrganizations::StudyId)
                            .col(StudyOrganizations::OrganizationId),
                    )
                    .foreign_key(&mut fk(
                        StudyOrganizations::Table,
                        StudyOrganizations::StudyId,
                        Studies::Table,
                        Studies::Id,
                    ))
                    .foreign_key(&mut fk(
                        StudyOrganizations::Table,
                        StudyOrganizations::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PanelMembers::Table)
                    .col(id(PanelMembers::Id))
                    .col(ColumnDef::new(PanelMembers::StudyId).integer().not_null())
                    .col(ColumnDef::new(PanelMembers::UserId).integer().not_null())
                    .col(ColumnDef::new(PanelMembers::Role).string_len(20).not_null())
                    .col(
                        ColumnDef::new(PanelMembers::Pseudonym)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PanelMembers::InvitedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        PanelMembers::Table,
                        PanelMembers::StudyId,
                        Studies::Table,
                        Studies::Id,
                    ))
                    .foreign_key(&mut fk(
                        PanelMembers::Table,
                        PanelMembers::UserId,
                        Users::Table,
                        Users::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "panel_members_study_user",
                PanelMembers::Table,
                vec![
                    PanelMembers::StudyId.into_iden(),
                    PanelMembers::UserId.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "panel_members_study_pseudonym",
                PanelMembers::Table,
                vec![
                    PanelMembers::StudyId.into_iden(),
                    PanelMembers::Pseudonym.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Assignments::Table)
                    .col(
                        ColumnDef::new(Assignments::PanelMemberId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Assignments::OrganizationId)
                            .integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(Assignments::PanelMemberId)
                            .col(Assignments::OrganizationId),
                    )
                    .foreign_key(&mut fk(
                        Assignments::Table,
                        Assignments::PanelMemberId,
                        PanelMembers::Table,
                        PanelMembers::Id,
                    ))
                    .foreign_key(&mut fk(
                        Assignments::Table,
                        Assignments::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Conflicts::Table)
                    .col(id(Conflicts::Id))
                    .col(
                        ColumnDef::new(Conflicts::PanelMemberId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Conflicts::OrganizationId)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Conflicts::Statement).text().not_null())
                    .col(
                        ColumnDef::new(Conflicts::DeclaredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        Conflicts::Table,
                        Conflicts::PanelMemberId,
                        PanelMembers::Table,
                        PanelMembers::Id,
                    ))
                    .foreign_key(&mut fk(
                        Conflicts::Table,
                        Conflicts::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "conflicts_member_organization",
                Conflicts::Table,
                vec![
                    Conflicts::PanelMemberId.into_iden(),
                    Conflicts::OrganizationId.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Scorecards::Table)
                    .col(id(Scorecards::Id))
                    .col(ColumnDef::new(Scorecards::StudyId).integer().not_null())
                    .col(
                        ColumnDef::new(Scorecards::OrganizationId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Scorecards::PanelMemberId)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Scorecards::Round).integer().not_null())
                    .col(
                        ColumnDef::new(Scorecards::SubmittedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Scorecards::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        Scorecards::Table,
                        Scorecards::StudyId,
                        Studies::Table,
                        Studies::Id,
                    ))
                    .foreign_key(&mut fk(
                        Scorecards::Table,
                        Scorecards::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                    ))
                    .foreign_key(&mut fk(
                        Scorecards::Table,
                        Scorecards::PanelMemberId,
                        PanelMembers::Table,
                        PanelMembers::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "scorecards_one_per_round",
                Scorecards::Table,
                vec![
                    Scorecards::StudyId.into_iden(),
                    Scorecards::OrganizationId.into_iden(),
                    Scorecards::PanelMemberId.into_iden(),
                    Scorecards::Round.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Ratings::Table)
                    .col(id(Ratings::Id))
                    .col(ColumnDef::new(Ratings::ScorecardId).integer().not_null())
                    .col(ColumnDef::new(Ratings::CriterionId).integer().not_null())
                    .col(ColumnDef::new(Ratings::Revision).integer().not_null())
                    .col(ColumnDef::new(Ratings::Value).string_len(60).null())
                    .col(ColumnDef::new(Ratings::DontKnow).boolean().not_null())
                    .col(ColumnDef::new(Ratings::Confidence).integer().null())
                    .col(ColumnDef::new(Ratings::Justification).text().not_null())
                    .col(ColumnDef::new(Ratings::Evidence).text().not_null())
                    .col(
                        ColumnDef::new(Ratings::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        Ratings::Table,
                        Ratings::ScorecardId,
                        Scorecards::Table,
                        Scorecards::Id,
                    ))
                    .foreign_key(&mut fk(
                        Ratings::Table,
                        Ratings::CriterionId,
                        Criteria::Table,
                        Criteria::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // Two saves based on the same revision cannot both land.
        manager
            .create_index(index(
                "ratings_revision",
                Ratings::Table,
                vec![
                    Ratings::ScorecardId.into_iden(),
                    Ratings::CriterionId.into_iden(),
                    Ratings::Revision.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(id(Comments::Id))
                    .col(ColumnDef::new(Comments::StudyId).integer().not_null())
                    .col(
                        ColumnDef::new(Comments::OrganizationId)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Comments::CriterionId).integer().null())
                    .col(ColumnDef::new(Comments::PanelMemberId).integer().not_null())
                    .col(ColumnDef::new(Comments::ParentId).integer().null())
                    .col(ColumnDef::new(Comments::Body).text().not_null())
                    .col(
                        ColumnDef::new(Comments::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        Comments::Table,
                        Comments::StudyId,
                        Studies::Table,
                        Studies::Id,
                    ))
                    .foreign_key(&mut fk(
                        Comments::Table,
                        Comments::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                    ))
                    .foreign_key(&mut fk(
                        Comments::Table,
                        Comments::PanelMemberId,
                        PanelMembers::Table,
                        PanelMembers::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(id(AuditLog::Id))
                    .col(ColumnDef::new(AuditLog::StudyId).integer().null())
                    .col(ColumnDef::new(AuditLog::UserId).integer().null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(60).not_null())
                    .col(ColumnDef::new(AuditLog::Detail).text().not_null())
                    .col(
                        ColumnDef::new(AuditLog::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            Comments::Table.into_iden(),
            Ratings::Table.into_iden(),
            Scorecards::Table.into_iden(),
            Conflicts::Table.into_iden(),
            Assignments::Table.into_iden(),
            PanelMembers::Table.into_iden(),
            StudyOrganizations::Table.into_iden(),
            Studies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
