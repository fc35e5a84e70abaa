//! The standard measurement workload, run the same way in energistasjon, geopandas and
//! PostGIS by `bench/compare_peers.sh`: for every grid centre, its municipality, the
//! distances to the nearest E/R road, road, rail line, port and grid-capacity point,
//! its N1000 land-cover class, and whether it lies in a protected area.

use rayon::prelude::*;

use crate::domain::landuse::LandUseClass;
use crate::domain::layers::{ExclusionKind, RoadCategory, TerminalKind};
use crate::domain::{Feature, Region};
use crate::index::{PartIndex, PolygonIndex};

use super::candidates::{grid_cells, AreaFilter};

/// One candidate's measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadRow {
    pub kommunenummer: Option<String>,
    pub d_main_road: f64,
    pub d_road: f64,
    pub d_rail: f64,
    pub d_port: f64,
    pub d_grid: f64,
    /// forest, bog or lake (checked in that order), or None.
    pub landcover: Option<&'static str>,
    pub protected: bool,
}

/// Indexes for the workload, built from the region's typed layers.
pub struct Workload {
    pub municipalities: PolygonIndex,
    main_roads: PartIndex,
    roads: PartIndex,
    rail: PartIndex,
    ports: PartIndex,
    grid: PartIndex,
    forest: PolygonIndex,
    bog: PolygonIndex,
    lake: PolygonIndex,
    protected: PolygonIndex,
}

fn geoms<T>(features: &[Feature<T>], keep: impl Fn(&T) -> bool) -> Vec<&geo::Geometry<f64>> {
    features
        .iter()
        .filter(|f| keep(&f.attrs))
        .map(|f| &f.geometry)
        .collect()
}

impl Workload {
    pub fn new(region: &Region) -> Self {
        let landcover =
            |class: LandUseClass| PolygonIndex::new(geoms(&region.landuse, |l| l.class == class));
        let ((main_roads, roads), (rail, ports)) = rayon::join(
            || {
                rayon::join(
                    || {
                        PartIndex::new(geoms(&region.roads, |r| {
                            matches!(r.category, RoadCategory::European | RoadCategory::National)
                        }))
                    },
                    || PartIndex::new(geoms(&region.roads, |_| true)),
                )
            },
            || {
                rayon::join(
                    || PartIndex::new(geoms(&region.rail, |_| true)),
                    || PartIndex::new(geoms(&region.terminals, |t| t.kind == TerminalKind::Port)),
                )
            },
        );
        let (((grid, forest), ((bog, lake), protected)), municipalities) = rayon::join(
            || {
                rayon::join(
                    || {
                        rayon::join(
                            || {
                                PartIndex::new(
                                    region
                                        .grid
                                        .iter()
                                        .map(|f| &f.geometry)
                                        .filter(|g| matches!(g, geo::Geometry::Point(_))),
                                )
                            },
                            || landcover(LandUseClass::Forest),
                        )
                    },
                    || {
                        rayon::join(
                            || {
                                rayon::join(
                                    || landcover(LandUseClass::Bog),
                                    || landcover(LandUseClass::Water),
                                )
                            },
                            || {
                                PolygonIndex::new(geoms(&region.exclusion, |e| {
                                    e.kind == ExclusionKind::Protected
                                }))
                            },
                        )
                    },
                )
            },
            || PolygonIndex::new(geoms(&region.boundary, |_| true)),
        );
        Workload {
            municipalities,
            main_roads,
            roads,
            rail,
            ports,
            grid,
            forest,
            bog,
            lake,
            protected,
        }
    }

    /// One cell's row. `hints` carry each line layer's last answer from the previous,
    /// neighbouring cell, which makes the nearest-part search start close to its answer.
    pub fn row(
        &self,
        region: &Region,
        p: [f64; 2],
        municipality: u32,
        hints: &mut [Option<u32>; 9],
    ) -> WorkloadRow {
        let d = |x: Option<(u32, f64)>| x.map(|(_, d)| d).unwrap_or(f64::NAN);
        let [h_main, h_road, h_rail, h_port, h_grid, h_forest, h_bog, h_lake, h_protected] = hints;
        let landcover = if self.forest.contains_any_hinted(p, h_forest) {
            Some("forest")
        } else if self.bog.contains_any_hinted(p, h_bog) {
            Some("bog")
        } else if self.lake.contains_any_hinted(p, h_lake) {
            Some("lake")
        } else {
            None
        };
        WorkloadRow {
            kommunenummer: Some(region.boundary[municipality as usize].attrs.number.clone()),
            d_main_road: d(self.main_roads.nearest_hinted(p, h_main)),
            d_road: d(self.roads.nearest_hinted(p, h_road)),
            d_rail: d(self.rail.nearest_hinted(p, h_rail)),
            d_port: d(self.ports.nearest_hinted(p, h_port)),
            d_grid: d(self.grid.nearest_hinted(p, h_grid)),
            landcover,
            protected: self.protected.contains_any_hinted(p, h_protected),
        }
    }

    /// The grid of the workload: centres of `size`-metre cells in the selected municipalities.
    pub fn cells(&self, region: &Region, size: f64, filter: &AreaFilter) -> Vec<([f64; 2], u32)> {
        grid_cells(region, &self.municipalities, size, filter)
    }

    /// Every cell's row, in cell order.
    pub fn run(&self, region: &Region, cells: &[([f64; 2], u32)]) -> Vec<WorkloadRow> {
        // Chunks of neighbouring cells share hints; the rows come out in cell order.
        cells
            .par_chunks(512)
            .flat_map_iter(|chunk| {
                let mut hints = [None; 9];
                chunk
                    .iter()
                    .map(move |&(p, m)| self.row(region, p, m, &mut hints))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}
