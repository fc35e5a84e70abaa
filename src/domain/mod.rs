//! Domain types and rules. Nothing here does IO or knows about HTTP.

pub mod afir;
pub mod checklist;
pub mod corridor;
pub mod landuse;
pub mod layers;
pub mod pool;
pub mod profile;
pub mod programme;
pub mod queue;
pub mod region;
pub mod review;
pub mod scenario;
pub mod sizing;
pub mod toml_file;
pub mod traffic;
pub mod value_function;

pub use landuse::{LandUseClass, Suitability};
pub use layers::{Feature, Role};
pub use region::{Features, Region, RegionCorridors};

/// The radius of a profile's first criterion with `measure`, where it sets one.
pub fn measure_radius(profile: &profile::Profile, measure: profile::Measure) -> Option<f64> {
    profile
        .criteria
        .iter()
        .find(|c| c.measure == measure)
        .and_then(|c| c.radius_m)
}
