//! See the crate description.
mod model;
pub use model::*;
