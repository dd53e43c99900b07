//! SeaORM entities: table shapes only. Behaviour lives in the services.

pub mod user;
