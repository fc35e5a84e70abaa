//! A loaded region: every feature of every role, in EPSG:25833.

use std::collections::BTreeMap;

use geo::{BoundingRect, Rect};

use super::corridor::CorridorsFile;

use super::layers::{
    Exclusion, Feature, LandUse, Municipality, Place, Rail, Road, Role, Site, Station, Substation,
    Terminal, Traffic,
};

/// Features of one role, as read from one source layer.
#[derive(Debug, Clone)]
pub enum Features {
    Boundary(Vec<Feature<Municipality>>),
    Landuse(Vec<Feature<LandUse>>),
    Roads(Vec<Feature<Road>>),
    Rail(Vec<Feature<Rail>>),
    Terminals(Vec<Feature<Terminal>>),
    Grid(Vec<Feature<Substation>>),
    Stations(Vec<Feature<Station>>),
    Exclusion(Vec<Feature<Exclusion>>),
    Candidates(Vec<Feature<Site>>),
    Places(Vec<Feature<Place>>),
    Traffic(Vec<Feature<Traffic>>),
}

macro_rules! for_each_variant {
    ($value:expr, $v:ident => $body:expr) => {
        match $value {
            Features::Boundary($v) => $body,
            Features::Landuse($v) => $body,
            Features::Roads($v) => $body,
            Features::Rail($v) => $body,
            Features::Terminals($v) => $body,
            Features::Grid($v) => $body,
            Features::Stations($v) => $body,
            Features::Exclusion($v) => $body,
            Features::Candidates($v) => $body,
            Features::Places($v) => $body,
            Features::Traffic($v) => $body,
        }
    };
}

impl Features {
    pub fn len(&self) -> usize {
        for_each_variant!(self, v => v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bounding box of every geometry, or None when there are none.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        for_each_variant!(self, v => merge_bboxes(v.iter().filter_map(|f| f.geometry.bounding_rect())))
    }
}

fn merge_bboxes(rects: impl Iterator<Item = Rect<f64>>) -> Option<Rect<f64>> {
    rects.reduce(|a, b| {
        Rect::new(
            (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
            (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
        )
    })
}

/// Everything the engine knows about a planning region.
#[derive(Debug, Clone, Default)]
pub struct Region {
    pub name: String,
    pub boundary: Vec<Feature<Municipality>>,
    pub landuse: Vec<Feature<LandUse>>,
    pub roads: Vec<Feature<Road>>,
    pub rail: Vec<Feature<Rail>>,
    pub terminals: Vec<Feature<Terminal>>,
    pub grid: Vec<Feature<Substation>>,
    pub stations: Vec<Feature<Station>>,
    pub exclusion: Vec<Feature<Exclusion>>,
    pub candidates: Vec<Feature<Site>>,
    pub places: Vec<Feature<Place>>,
    /// Traffic segments and counting points.
    pub traffic: Vec<Feature<Traffic>>,
    /// Corridors and network settings, when the region config names a corridors file.
    pub corridors: Option<RegionCorridors>,
}

/// The corridors file with each corridor's end points in EPSG:25833.
#[derive(Debug, Clone, Default)]
pub struct RegionCorridors {
    pub file: CorridorsFile,
    /// `(from, to)` per corridor, in file order.
    pub ends: Vec<([f64; 2], [f64; 2])>,
}

impl Region {
    pub fn new(name: impl Into<String>) -> Self {
        Region {
            name: name.into(),
            ..Region::default()
        }
    }

    pub fn add(&mut self, features: Features) {
        match features {
            Features::Boundary(v) => self.boundary.extend(v),
            Features::Landuse(v) => self.landuse.extend(v),
            Features::Roads(v) => self.roads.extend(v),
            Features::Rail(v) => self.rail.extend(v),
            Features::Terminals(v) => self.terminals.extend(v),
            Features::Grid(v) => self.grid.extend(v),
            Features::Stations(v) => self.stations.extend(v),
            Features::Exclusion(v) => self.exclusion.extend(v),
            Features::Candidates(v) => self.candidates.extend(v),
            Features::Places(v) => self.places.extend(v),
            Features::Traffic(v) => self.traffic.extend(v),
        }
    }

    pub fn count(&self, role: Role) -> usize {
        match role {
            Role::Boundary => self.boundary.len(),
            Role::Landuse => self.landuse.len(),
            Role::Roads => self.roads.len(),
            Role::Rail => self.rail.len(),
            Role::Terminals => self.terminals.len(),
            Role::Grid => self.grid.len(),
            Role::Stations => self.stations.len(),
            Role::Exclusion => self.exclusion.len(),
            Role::Candidates => self.candidates.len(),
            Role::Places => self.places.len(),
            Role::Traffic => self.traffic.len(),
        }
    }

    /// Feature counts for every role, including the empty ones.
    pub fn counts(&self) -> BTreeMap<Role, usize> {
        Role::ALL.iter().map(|&r| (r, self.count(r))).collect()
    }

    /// The extent of the municipalities, or of everything when there are none.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        let boundary = merge_bboxes(
            self.boundary
                .iter()
                .filter_map(|f| f.geometry.bounding_rect()),
        );
        boundary.or_else(|| {
            merge_bboxes(
                self.roads
                    .iter()
                    .filter_map(|f| f.geometry.bounding_rect())
                    .chain(
                        self.landuse
                            .iter()
                            .filter_map(|f| f.geometry.bounding_rect()),
                    ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{point, Geometry};

    fn station(x: f64, y: f64) -> Feature<Substation> {
        Feature {
            id: format!("{x}"),
            geometry: Geometry::Point(point!(x: x, y: y)),
            attrs: Substation {
                name: None,
                available_mw: Some(1.0),
            },
        }
    }

    #[test]
    fn features_report_their_count_and_extent() {
        let f = Features::Grid(vec![station(1.0, 5.0), station(3.0, 2.0)]);
        assert_eq!(f.len(), 2);
        let bbox = f.bbox().unwrap();
        assert_eq!(
            (bbox.min().x, bbox.min().y, bbox.max().x, bbox.max().y),
            (1.0, 2.0, 3.0, 5.0)
        );
    }

    #[test]
    fn a_region_counts_every_role_even_when_empty() {
        let mut region = Region::new("test");
        region.add(Features::Grid(vec![station(0.0, 0.0)]));
        region.add(Features::Grid(vec![station(1.0, 0.0)]));
        let counts = region.counts();
        assert_eq!(counts[&Role::Grid], 2);
        assert_eq!(counts[&Role::Roads], 0);
        assert_eq!(counts.len(), Role::ALL.len());
    }
}
