//! SeaORM entities: table shapes only. Behaviour lives in the services.

pub mod criterion;
pub mod dimension;
pub mod framework;
pub mod organization;
pub mod user;
