//! The spatial indexes scoring asks, built once per region.

use std::sync::{Arc, OnceLock};

use geo::Geometry;

use crate::domain::landuse::LandUseClass;
use crate::domain::layers::{RoadCategory, StationKind};
use crate::domain::Region;
use crate::index::{PartIndex, PolygonIndex};
use crate::network::synergy::{self, Reach};
use crate::network::{RoadGraph, SnapIndex};

pub use super::subset::{is_main_road, main_roads, subset, Subset};

/// Everything scoring queries. Building it is the only expensive step per region;
/// every profile and every re-weighting reuses it.
#[derive(Debug, Clone)]
pub struct ScoringContext<'r> {
    pub region: &'r Region,
    /// E and R roads, ferries left out.
    pub main_roads: Subset<PartIndex>,
    /// Every road, ferries left out.
    pub roads: Subset<PartIndex>,
    pub rail: PartIndex,
    pub terminals: PolygonIndex,
    pub grid: PolygonIndex,
    /// Substations with known free capacity above zero.
    pub grid_with_capacity: Subset<PolygonIndex>,
    pub stations: Vec<(StationKind, Subset<PolygonIndex>)>,
    pub all_stations: PolygonIndex,
    pub municipalities: PolygonIndex,
    pub landuse: PolygonIndex,
    pub exclusion: PolygonIndex,
    /// Named places, for naming site areas.
    pub places: PolygonIndex,
    /// Traffic segments and counting points, attached to the main roads.
    pub traffic: super::traffic::TrafficIndex,
    /// True when some road in the layer carries a heavy-vehicle ÅDT.
    pub roads_have_aadt: bool,
    /// The road graph and corridors, when the region has a corridors file.
    pub network: Option<std::sync::Arc<crate::network::Network>>,
    /// Drive-time work built on first use: most profiles never drive.
    drive: DriveCache,
}

/// The road graph of a region without corridors, and the drive times to its terminals.
#[derive(Clone, Default)]
struct DriveCache {
    roads: OnceLock<Arc<(RoadGraph, SnapIndex)>>,
    terminals: OnceLock<Arc<Reach>>,
}

impl std::fmt::Debug for DriveCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriveCache")
            .field("roads", &self.roads.get().is_some())
            .field("terminals", &self.terminals.get())
            .finish()
    }
}

impl<'r> ScoringContext<'r> {
    pub fn new(region: &'r Region) -> Self {
        let not_ferry_main = is_main_road;
        let polygons = |layer: Vec<&Geometry<f64>>| PolygonIndex::new(layer);
        let ((main_roads, roads), (rail, terminals)) = rayon::join(
            || {
                rayon::join(
                    || subset(&region.roads, not_ferry_main, PartIndex::new),
                    || subset(&region.roads, |r| !r.ferry, PartIndex::new),
                )
            },
            || {
                rayon::join(
                    || PartIndex::new(region.rail.iter().map(|f| &f.geometry)),
                    || polygons(region.terminals.iter().map(|f| &f.geometry).collect()),
                )
            },
        );
        let ((grid, municipalities), (landuse, exclusion)) = rayon::join(
            || {
                rayon::join(
                    || polygons(region.grid.iter().map(|f| &f.geometry).collect()),
                    || polygons(region.boundary.iter().map(|f| &f.geometry).collect()),
                )
            },
            || {
                rayon::join(
                    || polygons(region.landuse.iter().map(|f| &f.geometry).collect()),
                    || polygons(region.exclusion.iter().map(|f| &f.geometry).collect()),
                )
            },
        );
        let network = region
            .corridors
            .is_some()
            .then(|| crate::network::Network::build(region).map(std::sync::Arc::new))
            .flatten();
        let grid_with_capacity = subset(
            &region.grid,
            |s| s.available_mw.is_some_and(|mw| mw > 0.0),
            PolygonIndex::new,
        );
        let stations = [
            StationKind::Charging,
            StationKind::Hydrogen,
            StationKind::Biogas,
        ]
        .into_iter()
        .map(|kind| {
            (
                kind,
                subset(&region.stations, |s| s.kind == kind, PolygonIndex::new),
            )
        })
        .collect();
        let traffic = super::traffic::TrafficIndex::new(region, &main_roads);
        ScoringContext {
            region,
            traffic,
            main_roads,
            roads,
            rail,
            terminals,
            grid,
            grid_with_capacity,
            stations,
            all_stations: PolygonIndex::new(region.stations.iter().map(|f| &f.geometry)),
            municipalities,
            landuse,
            exclusion,
            places: PolygonIndex::new(region.places.iter().map(|f| &f.geometry)),
            roads_have_aadt: region.roads.iter().any(|r| r.attrs.heavy_aadt.is_some()),
            network,
            drive: DriveCache::default(),
        }
    }

    /// The road graph for drive times, its snapping index and how far off the road a point
    /// may lie: the corridors' network when the region has one, else a graph built on first
    /// use at the default tolerances (as `energistasjon synergies` does).
    pub fn roads(&self) -> (&RoadGraph, &SnapIndex, f64) {
        if let Some(n) = self.network.as_deref() {
            return (&n.graph, n.snaps(), n.settings.point_snap_m);
        }
        let g = self
            .drive
            .roads
            .get_or_init(|| Arc::new(synergy::graph_for(self.region)));
        let snap = crate::domain::corridor::NetworkSettings::default().point_snap_m;
        (&g.0, &g.1, snap)
    }

    /// Drive times from anywhere to the region's terminals (not the review store's approved
    /// sites: scoring reads no store), built on first use: what `logistics_synergy` measures.
    /// The build runs no parallel work, so that rayon threads waiting on it cannot deadlock.
    pub fn terminal_reach(&self) -> &Reach {
        self.drive.terminals.get_or_init(|| {
            let (graph, snaps, max_snap_m) = self.roads();
            Arc::new(Reach::new(
                graph,
                snaps,
                synergy::facilities_of(self.region),
                max_snap_m,
            ))
        })
    }

    pub fn stations_of(&self, kind: StationKind) -> &Subset<PolygonIndex> {
        // Every kind is built in `new`, so the lookup cannot miss.
        &self
            .stations
            .iter()
            .find(|(k, _)| *k == kind)
            .unwrap_or(&self.stations[0])
            .1
    }

    /// The municipality containing `p`: index into `region.boundary`.
    pub fn municipality_at(&self, p: [f64; 2]) -> Option<u32> {
        self.municipalities.first_containing(p)
    }

    /// The land-use class at `p`; where layers overlap, the earlier in the config wins.
    pub fn landuse_at(&self, p: [f64; 2]) -> Option<(u32, LandUseClass)> {
        self.landuse
            .first_containing(p)
            .map(|i| (i, self.region.landuse[i as usize].attrs.class))
    }

    /// Road category of a road feature.
    pub fn road_category(&self, road: usize) -> RoadCategory {
        self.region.roads[road].attrs.category
    }
}
