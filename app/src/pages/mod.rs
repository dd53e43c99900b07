//! One module per route.

pub mod account;
pub mod admin;
pub mod home;
pub mod login;
pub mod methodology;
pub mod moderation;
pub mod new_study;
pub mod not_found;
pub mod organizations;
pub mod register;
pub mod results;
pub mod scorecard;
pub mod studies;
