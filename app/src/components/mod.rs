//! Reusable view pieces.

pub mod charts;
pub mod form;
pub mod header;
pub mod status;
