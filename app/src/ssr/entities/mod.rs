//! SeaORM entities: table shapes only. Behaviour lives in the services.

pub mod assignment;
pub mod audit;
pub mod comment;
pub mod conflict;
pub mod criterion;
pub mod dimension;
pub mod framework;
pub mod organization;
pub mod panel_member;
pub mod rating;
pub mod reconciliation;
pub mod release;
pub mod scorecard;
pub mod study;
pub mod study_organization;
pub mod user;
