//! Reusable view pieces.

pub mod form;
pub mod header;
pub mod status;
