//! One module per route.

pub mod account;
pub mod home;
pub mod login;
pub mod methodology;
pub mod new_study;
pub mod not_found;
pub mod organizations;
pub mod register;
pub mod scorecard;
pub mod studies;
