//! energistasjon: planning energy stations for heavy transport.
//!
//! The crate is a library with a thin binary (`src/main.rs`). The layers, from
//! the inside out:
//!
//! - [`domain`]: types and rules, free of IO (layers, land-use classes, the region);
//! - [`config`]: region configs (TOML) that say which GDAL datasets feed which role;
//! - [`ingest`]: GDAL → domain, with reprojection to EPSG:25833 and a validation report;
//! - [`scoring`]: candidates, criteria, ranking and explanations, on spatial [`index`]es;
//! - [`catalog`]: input layers and scored candidates as collections, and the query language
//!   shared by the API and the export;
//! - [`export`]: GeoJSON, GeoPackage, CSV, FlatGeobuf and Shapefile writers;
//! - [`programme`]: the yearly action-programme report (Markdown, HTML, CSV);
//! - [`api`]: the axum router;
//! - [`cli`]: what each command does, behind `main.rs`'s argument parsing.

pub mod api;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod domain;
pub mod dossier;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod index;
pub mod ingest;
pub mod network;
pub mod programme;
pub mod scoring;
pub mod store;
pub mod tiles;

/// The CRS every geometry is held in: ETRS89 / UTM zone 33N.
pub const INTERNAL_EPSG: u32 = 25833;
