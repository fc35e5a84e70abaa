//! An index over part of a layer (the main roads, say) that remembers which features it
//! holds. Shared by the scoring context and the traffic index, which both build on it.

use geo::Geometry;

use crate::domain::Region;
use crate::index::PartIndex;

/// An index over a subset of a layer's features, remembering which ones.
#[derive(Debug, Clone)]
pub struct Subset<I> {
    pub index: I,
    /// Position in the index → position in the region's layer.
    pub ids: Vec<u32>,
}

impl<I> Subset<I> {
    pub fn original(&self, i: u32) -> usize {
        self.ids[i as usize] as usize
    }
}

pub fn subset<'a, T, I>(
    features: &'a [crate::domain::Feature<T>],
    keep: impl Fn(&T) -> bool,
    build: impl FnOnce(Vec<&'a Geometry<f64>>) -> I,
) -> Subset<I> {
    let (ids, geoms): (Vec<u32>, Vec<&Geometry<f64>>) = features
        .iter()
        .enumerate()
        .filter(|(_, f)| keep(&f.attrs))
        .map(|(i, f)| (i as u32, &f.geometry))
        .unzip();
    Subset {
        index: build(geoms),
        ids,
    }
}

/// E and R roads without ferries: the links heavy traffic and its measures use.
pub fn is_main_road(r: &crate::domain::layers::Road) -> bool {
    r.category.is_main() && !r.ferry
}

/// An index over the main roads alone, for work that needs no full context.
pub fn main_roads(region: &Region) -> Subset<PartIndex> {
    subset(&region.roads, is_main_road, PartIndex::new)
}
