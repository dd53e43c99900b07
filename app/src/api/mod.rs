//! Server functions, grouped by concern. Each body runs on the server only
//! and goes through `ssr::respond` so errors carry their HTTP status.

pub mod auth;
pub mod catalogue;
pub mod studies;
