//! Domain types and rules. Nothing here does IO or knows about HTTP.

pub mod afir;
pub mod corridor;
pub mod landuse;
pub mod layers;
pub mod pool;
pub mod profile;
pub mod programme;
pub mod region;
pub mod review;
pub mod traffic;
pub mod value_function;

pub use landuse::{LandUseClass, Suitability};
pub use layers::{Feature, Role};
pub use region::{Features, Region, RegionCorridors};
