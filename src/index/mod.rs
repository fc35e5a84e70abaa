//! Spatial indexes: bulk-loaded R-trees (rstar 0.12) per layer, and the queries the
//! scoring engine asks of them.

pub mod packed;
pub mod parts;
pub mod points;
pub mod polygons;
pub mod segment;

pub use parts::PartIndex;
pub use polygons::{PolygonIndex, PreparedPolygon};
