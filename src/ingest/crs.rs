//! Spatial reference systems. Every SpatialRef is set to traditional GIS axis order
//! (x = easting or longitude): with GDAL 3's authority order, EPSG:4326 coordinates
//! would come out swapped without any error.

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};

use crate::INTERNAL_EPSG;

#[derive(Debug, thiserror::Error)]
pub enum CrsError {
    #[error("'{definition}' is not a CRS GDAL knows: {message}. Hint: write it as EPSG:4326, EPSG:25833 or a WKT string")]
    Unknown { definition: String, message: String },
    #[error("no transformation from {from} to EPSG:{to}: {message}")]
    Transform {
        from: String,
        to: u32,
        message: String,
    },
}

/// A SpatialRef from any GDAL definition (`EPSG:4326`, WKT, PROJ string), in GIS order.
pub fn spatial_ref(definition: &str) -> Result<SpatialRef, CrsError> {
    let unknown = |message: String| CrsError::Unknown {
        definition: definition.to_string(),
        message,
    };
    // Not `SpatialRef::from_definition`: gdal 0.19 leaks the handle when the definition is
    // unknown (found by the proposal_geojson fuzz target). Owned first, it is released on
    // every path.
    let mut srs = SpatialRef::new().map_err(|e| unknown(e.to_string()))?;
    let text = std::ffi::CString::new(definition)
        .map_err(|_| unknown("it holds a NUL character".into()))?;
    // SAFETY: the handle is valid and owned by `srs` for the call; GDAL copies the text.
    let rv = unsafe { gdal_sys::OSRSetFromUserInput(srs.to_c_hsrs(), text.as_ptr()) };
    if rv != gdal_sys::OGRErr::OGRERR_NONE {
        let message = super::last_gdal_error();
        return Err(unknown(if message.is_empty() {
            format!("GDAL error {rv}")
        } else {
            message
        }));
    }
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// EPSG:25833, the internal CRS.
pub fn internal() -> Result<SpatialRef, CrsError> {
    spatial_ref(&format!("EPSG:{INTERNAL_EPSG}"))
}

/// A transformation from `from` to EPSG:25833. `from` gets GIS axis order too.
pub fn to_internal(from: &mut SpatialRef) -> Result<CoordTransform, CrsError> {
    from.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let to = internal()?;
    CoordTransform::new(from, &to).map_err(|e| CrsError::Transform {
        from: describe(from),
        to: INTERNAL_EPSG,
        message: e.to_string(),
    })
}

/// Reproject one coordinate from any CRS to EPSG:25833.
///
/// ```
/// // Oslo S, from longitude/latitude (traditional GIS order: x is the longitude).
/// let (x, y) = energistasjon::ingest::crs::reproject_point(10.7522, 59.9111, "EPSG:4326").unwrap();
/// assert!((x - 262_540.47).abs() < 0.01 && (y - 6_649_132.19).abs() < 0.01);
/// ```
pub fn reproject_point(x: f64, y: f64, from: &str) -> Result<(f64, f64), CrsError> {
    let mut src = spatial_ref(from)?;
    let ct = to_internal(&mut src)?;
    let (mut xs, mut ys, mut zs) = ([x], [y], [0.0]);
    ct.transform_coords(&mut xs, &mut ys, &mut zs)
        .map_err(|e| CrsError::Transform {
            from: from.to_string(),
            to: INTERNAL_EPSG,
            message: e.to_string(),
        })?;
    Ok((xs[0], ys[0]))
}

/// Reprojects EPSG:25833 geometries to CRS84 (lon/lat) for GeoJSON, rounded to 7 decimals
/// (about 1 cm) as RFC 7946 output usually is.
pub struct ToCrs84 {
    transform: CoordTransform,
}

impl ToCrs84 {
    pub fn new() -> Result<Self, CrsError> {
        let from = internal()?;
        let to = spatial_ref("EPSG:4326")?;
        let transform = CoordTransform::new(&from, &to).map_err(|e| CrsError::Transform {
            from: format!("EPSG:{INTERNAL_EPSG}"),
            to: 4326,
            message: e.to_string(),
        })?;
        Ok(ToCrs84 { transform })
    }

    pub fn apply(&self, g: &geo::Geometry<f64>) -> Result<geo::Geometry<f64>, CrsError> {
        use gdal::vector::ToGdal;
        use geo::MapCoords;
        let err = |e: gdal::errors::GdalError| CrsError::Transform {
            from: format!("EPSG:{INTERNAL_EPSG}"),
            to: 4326,
            message: e.to_string(),
        };
        let mut gg = g.to_gdal().map_err(err)?;
        gg.transform_inplace(&self.transform).map_err(err)?;
        let out = crate::ingest::geometry::to_geo(&gg).map_err(|message| CrsError::Transform {
            from: format!("EPSG:{INTERNAL_EPSG}"),
            to: 4326,
            message,
        })?;
        Ok(out.map_coords(|c| geo::Coord {
            x: round7(c.x),
            y: round7(c.y),
        }))
    }

    /// Many points at once, as `apply` would give them one by one: the same transform and
    /// rounding, without an OGR geometry per point.
    pub fn points(&self, xy: &[[f64; 2]]) -> Result<Vec<[f64; 2]>, CrsError> {
        let mut x: Vec<f64> = xy.iter().map(|p| p[0]).collect();
        let mut y: Vec<f64> = xy.iter().map(|p| p[1]).collect();
        let mut z = vec![0.0; xy.len()];
        self.transform
            .transform_coords(&mut x, &mut y, &mut z)
            .map_err(|e| CrsError::Transform {
                from: format!("EPSG:{INTERNAL_EPSG}"),
                to: 4326,
                message: e.to_string(),
            })?;
        Ok(x.into_iter()
            .zip(y)
            .map(|(x, y)| [round7(x), round7(y)])
            .collect())
    }
}

/// CRS84 coordinates are kept to 1e-7 degrees (about a centimetre).
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// "EPSG:4326 (WGS 84)", or the CRS name where it has no EPSG code.
pub fn describe(srs: &SpatialRef) -> String {
    let name = srs.name().unwrap_or_else(|| "unnamed CRS".to_string());
    match (srs.auth_name(), srs.auth_code()) {
        (Some(auth), Ok(code)) => format!("{auth}:{code} ({name})"),
        _ => {
            // Files often carry a WKT without the authority; ask GDAL to identify it.
            let mut probe = srs.clone();
            if probe.auto_identify_epsg().is_ok() {
                if let Ok(code) = probe.auth_code() {
                    return format!("EPSG:{code} ({name})");
                }
            }
            name
        }
    }
}

/// Reprojects a geometry from `from` (e.g. "EPSG:4326", lon/lat order) to EPSG:25833.
pub fn geometry_to_internal(
    g: &geo::Geometry<f64>,
    from: &str,
) -> Result<geo::Geometry<f64>, CrsError> {
    use gdal::vector::ToGdal;
    let mut src = spatial_ref(from)?;
    let ct = to_internal(&mut src)?;
    let err = |message: String| CrsError::Transform {
        from: from.to_string(),
        to: INTERNAL_EPSG,
        message,
    };
    let mut gg = g.to_gdal().map_err(|e| err(e.to_string()))?;
    gg.transform_inplace(&ct).map_err(|e| err(e.to_string()))?;
    crate::ingest::geometry::to_geo(&gg).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_crs_names_itself_and_says_how_to_write_one() {
        let err = spatial_ref("EPSG:999999").unwrap_err().to_string();
        assert!(err.contains("EPSG:999999"), "{err}");
        assert!(err.contains("Hint"), "{err}");
    }

    #[test]
    fn the_internal_crs_is_utm_33n() {
        assert_eq!(
            describe(&internal().unwrap()),
            "EPSG:25833 (ETRS89 / UTM zone 33N)"
        );
    }
}
