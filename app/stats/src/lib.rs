//! Pure agreement and consensus statistics: no IO, no database, no Leptos.
//!
//! Plain data in, numbers out. The web app and the `concord agreement`
//! command call into these modules:
//!
//! - [`matrix`]: long-format ratings → a units × raters matrix over a
//!   category set ([`RatingMatrix`]);
//! - [`alpha`]: Krippendorff's alpha at every level, with a seeded bootstrap;
//! - [`kappa`]: percent agreement, Cohen, Scott, Fleiss, Conger,
//!   Brennan–Prediger, Gwet's AC1/AC2, Light, with Gwet's standard errors;
//! - [`icc`]: the six Shrout–Fleiss / McGraw–Wong ICCs with F-based intervals;
//! - [`kendall`]: Kendall's W (tie-corrected) and the Friedman test;
//! - [`cell`]: within-cell statistics and the disagreement type of SPEC §4;
//! - [`rater`]: per-rater leniency and consistency;
//! - [`report`]: the JSON report of `concord agreement`;
//! - [`csv`], [`rng`], [`dist`]: a borrowing RFC 4180 reader, a seeded
//!   generator, and the distribution functions behind intervals and p-values.

// Tests may unwrap: a panic there is a failing test, not a crash.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod alpha;
pub mod cell;
pub mod csv;
pub mod dist;
pub mod icc;
mod intern;
pub mod kappa;
pub mod kendall;
pub mod matrix;
mod pages;
mod par;
mod profile;
pub mod rater;
pub mod report;
pub mod rng;
mod scan;

pub use alpha::{bootstrap_alpha, krippendorff_alpha, AlphaInterval, BootstrapOptions, Level};
pub use cell::{
    cell_stats, disagreement_type, CellRating, CellSettings, CellStats, ConsensusRule,
    DisagreementType, OrdinalScale,
};
pub use matrix::{BuildOptions, CategorySet, RatingMatrix};
pub use rater::{rater_stats, RaterStats};
pub use report::{agreement_report, AgreementOptions, InputError};
