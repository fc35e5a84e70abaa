//! Where a set's candidates lie in CRS84. Grid cells are points, so they keep two numbers
//! each (16 bytes, not a 64-byte `Geometry` and a 32-byte box): at national scale that is
//! the difference between 0.1 and 0.5 GB.

use std::borrow::Cow;

use geo::{Geometry, Point};
use rayon::prelude::*;

use super::bounds;
use crate::ingest::crs::{CrsError, ToCrs84};
use crate::scoring::Candidate;

/// Points transformed per GDAL call; each rayon task makes its own transform.
const CHUNK: usize = 65_536;

pub enum LonLat {
    /// Every candidate is a point.
    Points(Vec<[f64; 2]>),
    /// Parcels and other shapes, with their boxes.
    Shapes {
        geoms: Vec<Geometry<f64>>,
        bbox: Vec<[f64; 4]>,
    },
}

impl LonLat {
    pub fn new(candidates: &[Candidate]) -> Result<Self, CrsError> {
        let points: Option<Vec<[f64; 2]>> = candidates
            .iter()
            .map(|c| match c.geometry {
                Geometry::Point(p) => Some([p.x(), p.y()]),
                _ => None,
            })
            .collect();
        if let Some(points) = points {
            let chunks = points
                .par_chunks(CHUNK)
                .map(|chunk| ToCrs84::new()?.points(chunk))
                .collect::<Result<Vec<_>, CrsError>>()?;
            return Ok(LonLat::Points(chunks.concat()));
        }
        let t = ToCrs84::new()?;
        let geoms = candidates
            .iter()
            .map(|c| t.apply(&c.geometry))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LonLat::Shapes {
            bbox: geoms.iter().map(bounds).collect(),
            geoms,
        })
    }

    pub fn len(&self) -> usize {
        match self {
            LonLat::Points(p) => p.len(),
            LonLat::Shapes { geoms, .. } => geoms.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn geometry(&self, i: usize) -> Cow<'_, Geometry<f64>> {
        match self {
            LonLat::Points(p) => Cow::Owned(Geometry::Point(Point::new(p[i][0], p[i][1]))),
            LonLat::Shapes { geoms, .. } => Cow::Borrowed(&geoms[i]),
        }
    }

    pub fn bbox(&self, i: usize) -> [f64; 4] {
        match self {
            LonLat::Points(p) => [p[i][0], p[i][1], p[i][0], p[i][1]],
            LonLat::Shapes { bbox, .. } => bbox[i],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_transformed_in_bulk_match_one_by_one_to_the_bit() {
        let t = ToCrs84::new().unwrap();
        let xy: Vec<[f64; 2]> = (0..5_000)
            .map(|i| {
                let i = i as f64;
                [
                    -70_000.0 + i * 251.3,
                    6_450_000.0 + (i * 7_919.0) % 1_400_000.0,
                ]
            })
            .collect();
        let bulk = t.points(&xy).unwrap();
        for (p, q) in xy.iter().zip(&bulk) {
            let one = t.apply(&Geometry::Point(Point::new(p[0], p[1]))).unwrap();
            let Geometry::Point(one) = one else {
                panic!("a point stays a point")
            };
            assert_eq!(
                [one.x().to_bits(), one.y().to_bits()],
                [q[0].to_bits(), q[1].to_bits()]
            );
        }
    }
}
