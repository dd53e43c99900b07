//! Concord's schema. Every migration is written once with SeaORM's schema
//! builder and runs unchanged on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_users;
mod m20261128_000002_create_frameworks_and_organizations;
mod m20261128_000003_create_studies;
mod m20261128_000004_create_results;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_users::Migration),
            Box::new(m20261128_000002_create_frameworks_and_organizations::Migration),
            Box::new(m20261128_000003_create_studies::Migration),
            Box::new(m20261128_000004_create_results::Migration),
        ]
    }
}
