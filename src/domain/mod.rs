//! Domain types and rules. Nothing here does IO or knows about HTTP.

pub mod landuse;
pub mod layers;
pub mod region;

pub use landuse::{LandUseClass, Suitability};
pub use layers::{Feature, Role};
pub use region::{Features, Region};
