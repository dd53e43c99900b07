//! The instrument and what it is applied to: versioned frameworks with
//! ordered dimensions and criteria, and the organization catalogue.
//! A criterion's scale is stored as JSON text (the same on both databases);
//! an organization's member states likewise, as ISO 3166 codes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Frameworks {
    Table,
    Id,
    Slug,
    Version,
    Name,
    Description,
    Source,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Dimensions {
    Table,
    Id,
    FrameworkId,
    Position,
    Code,
    Name,
    Description,
}

#[derive(DeriveIden)]
pub enum Criteria {
    Table,
    Id,
    DimensionId,
    Position,
    Code,
    Prompt,
    Guidance,
    Scale,
}

#[derive(DeriveIden)]
pub enum Organizations {
    Table,
    Id,
    Slug,
    Acronym,
    Name,
    Region,
    Founded,
    Members,
    Description,
}

fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Frameworks::Table)
                    .col(id(Frameworks::Id))
                    .col(ColumnDef::new(Frameworks::Slug).string_len(100).not_null())
                    .col(ColumnDef::new(Frameworks::Version).integer().not_null())
                    .col(ColumnDef::new(Frameworks::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Frameworks::Description).text().not_null())
                    .col(ColumnDef::new(Frameworks::Source).text().not_null())
                    .col(
                        ColumnDef::new(Frameworks::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("frameworks_slug_version")
                    .table(Frameworks::Table)
                    .col(Frameworks::Slug)
                    .col(Frameworks::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Dimensions::Table)
                    .col(id(Dimensions::Id))
                    .col(ColumnDef::new(Dimensions::FrameworkId).integer().not_null())
                    .col(ColumnDef::new(Dimensions::Position).integer().not_null())
                    .col(ColumnDef::new(Dimensions::Code).string_len(20).not_null())
                    .col(ColumnDef::new(Dimensions::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Dimensions::Description).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Dimensions::Table, Dimensions::FrameworkId)
                            .to(Frameworks::Table, Frameworks::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("dimensions_framework_code")
                    .table(Dimensions::Table)
                    .col(Dimensions::FrameworkId)
                    .col(Dimensions::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Criteria::Table)
                    .col(id(Criteria::Id))
                    .col(ColumnDef::new(Criteria::DimensionId).integer().not_null())
                    .col(ColumnDef::new(Criteria::Position).integer().not_null())
                    .col(ColumnDef::new(Criteria::Code).string_len(20).not_null())
                    .col(ColumnDef::new(Criteria::Prompt).text().not_null())
                    .col(ColumnDef::new(Criteria::Guidance).text().not_null())
                    .col(ColumnDef::new(Criteria::Scale).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Criteria::Table, Criteria::DimensionId)
                            .to(Dimensions::Table, Dimensions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("criteria_dimension_code")
                    .table(Criteria::Table)
                    .col(Criteria::DimensionId)
                    .col(Criteria::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(id(Organizations::Id))
                    .col(
                        ColumnDef::new(Organizations::Slug)
                            .string_len(60)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Organizations::Acronym)
                            .string_len(30)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organizations::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organizations::Region)
                            .string_len(60)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Organizations::Founded).integer().not_null())
                    .col(ColumnDef::new(Organizations::Members).text().not_null())
                    .col(ColumnDef::new(Organizations::Description).text().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Organizations::Table.into_iden(),
            Criteria::Table.into_iden(),
            Dimensions::Table.into_iden(),
            Frameworks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
