//! Plain serde types shared by the browser and the server. Database entities
//! never cross into this module.

pub mod admin;
mod error;
pub mod framework;
pub mod moderation;
pub mod results;
pub mod scorecard;
pub mod study;
pub mod validation;

pub use error::AppError;
pub use framework::{Criterion, Dimension, Framework, Organization, Scale};
use serde::{Deserialize, Serialize};

/// The signed-in user as the browser sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
}
