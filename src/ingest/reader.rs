//! Reading one configured layer with GDAL into typed features in EPSG:25833.

use std::path::Path;

use gdal::vector::{Feature as GdalFeature, Geometry as GdalGeometry, LayerAccess};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};

use crate::config::{is_connection_string, LayerConfig, RegionConfig};
use crate::domain::layers::Feature;
use crate::domain::{Features, Role};

use super::attributes::{field_text, AttrProblem, AttributeReader, Attrs};
use super::geometry::{all_finite, repair, to_geo, Repair};
use super::mapping::MappingTable;
use super::report::{FeatureIssue, IssueKind, LayerReport};
use super::{crs, IngestError, LoadOptions, MissingField, Progress};

/// Read layer `index` of the config. Layer-level failures come back as an error; feature
/// problems are recorded in the report.
pub fn read_layer(
    config: &RegionConfig,
    index: usize,
    options: &LoadOptions,
    report: &mut LayerReport,
    progress: &dyn Progress,
) -> Result<Features, IngestError> {
    let layer_cfg = &config.layers[index];
    let source = config.resolve_source(index, options.data_dir.as_deref())?;
    let file = report.source.clone();

    if !is_connection_string(&source) && !Path::new(&source).exists() {
        return Err(IngestError::MissingFile {
            path: source,
            hint: missing_file_hint(layer_cfg, options),
        });
    }

    if let Some(format) = &layer_cfg.format {
        return super::registers::read(format, &source, layer_cfg, report);
    }

    let open_options: Vec<String> = layer_cfg
        .open_options
        .iter()
        .map(|o| config.expand(index, o, options.data_dir.as_deref()))
        .collect::<Result<_, _>>()?;
    let open_refs: Vec<&str> = open_options.iter().map(String::as_str).collect();
    let dataset = Dataset::open_ex(
        &source,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_READONLY,
            open_options: (!open_refs.is_empty()).then_some(open_refs.as_slice()),
            ..DatasetOptions::default()
        },
    )
    .map_err(|e| IngestError::Open {
        path: file.clone(),
        message: e.to_string(),
    })?;
    report.driver = Some(dataset.driver().short_name());

    let mut layer = match &layer_cfg.layer {
        Some(name) => dataset
            .layer_by_name(name)
            .map_err(|_| IngestError::NoSuchLayer {
                path: file.clone(),
                layer: name.clone(),
                available: dataset
                    .layers()
                    .map(|l| l.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?,
        None => dataset
            .layer(0)
            .map_err(|_| IngestError::NoLayers { path: file.clone() })?,
    };
    let layer_name = layer.name();
    report.layer = Some(layer_name.clone());

    if let Some(filter) = &layer_cfg.filter {
        layer
            .set_attribute_filter(filter)
            .map_err(|e| IngestError::BadFilter {
                path: file.clone(),
                layer: layer_name.clone(),
                filter: filter.clone(),
                message: match super::last_gdal_error() {
                    m if m.is_empty() => e.to_string(),
                    m => m,
                },
            })?;
    }

    // The CRS: the config's where it overrides or the source has none.
    let source_srs = match (&layer_cfg.srs, layer.spatial_ref(), layer_cfg.srs_override) {
        (Some(def), _, true) | (Some(def), None, _) => {
            Some(crs::spatial_ref(def).map_err(|e| IngestError::Crs {
                path: file.clone(),
                layer: layer_name.clone(),
                source: e,
            })?)
        }
        (_, srs, _) => srs,
    };
    let Some(mut source_srs) = source_srs else {
        return Err(IngestError::NoCrs {
            path: file.clone(),
            layer: layer_name.clone(),
        });
    };
    report.source_crs = Some(crs::describe(&source_srs));
    let geographic = source_srs.is_geographic();
    let transform = crs::to_internal(&mut source_srs).map_err(|e| IngestError::Crs {
        path: file.clone(),
        layer: layer_name.clone(),
        source: e,
    })?;

    // Every mapped field must exist before a single feature is read.
    let field_names: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    if let Some((attr, field)) = AttributeReader::missing_fields(layer_cfg, &field_names)
        .into_iter()
        .next()
    {
        return Err(IngestError::MissingField(Box::new(MissingField {
            path: file.clone(),
            layer: layer_name.clone(),
            suggestion: closest(&field, &field_names),
            available: field_names.join(", "),
            attr,
            field,
        })));
    }
    let id_idx = match &layer_cfg.id_field {
        Some(name) => Some(field_names.iter().position(|n| n == name).ok_or_else(|| {
            IngestError::MissingField(Box::new(MissingField {
                path: file.clone(),
                layer: layer_name.clone(),
                suggestion: closest(name, &field_names),
                available: field_names.join(", "),
                attr: "id_field".into(),
                field: name.clone(),
            }))
        })?),
        None => None,
    };
    let reader = AttributeReader::new(layer_cfg, &field_names, |table| {
        MappingTable::load(table, config.resolve_table_path(table).as_deref())
    })
    .map_err(|(_, e)| IngestError::Mapping(e))?;

    progress.start_layer(index, &report.label, layer.try_feature_count());
    let mut out = empty_features(layer_cfg.role);
    let family = layer_cfg.role.geometry_family();
    for (n, feature) in layer.features().enumerate() {
        report.read += 1;
        if n % 512 == 511 {
            progress.inc(index, 512);
        }
        let id = feature_id(&feature, id_idx, n);
        let issue = |kind, field: Option<String>, message: String, hint: &str| FeatureIssue {
            kind,
            feature: id.clone(),
            field,
            message,
            hint: hint.to_string(),
        };

        let Some(g) = feature.geometry() else {
            report.record(issue(
                IssueKind::Skipped,
                None,
                "the feature has no geometry".into(),
                "give the feature a geometry, or filter it out with `filter = \"…\"`",
            ));
            continue;
        };
        if g.is_empty() {
            report.record(issue(
                IssueKind::Skipped,
                None,
                "the geometry is empty".into(),
                "draw the feature again, or remove it",
            ));
            continue;
        }
        if geographic {
            if let Some(msg) = out_of_range(g) {
                report.record(issue(IssueKind::Skipped, None, msg, "check the layer's CRS: projected coordinates in a lon/lat file need `srs = \"EPSG:25833\"` and `srs_override = true`"));
                continue;
            }
        }
        let (valid, repaired) = match repair(g.clone()) {
            Ok(r) => r,
            Err(msg) => {
                report.record(issue(
                    IssueKind::Skipped,
                    None,
                    msg,
                    "fix the polygon in a GIS (QGIS: Vector › Geometry Tools › Fix Geometries)",
                ));
                continue;
            }
        };
        let projected = match valid
            .transform(&transform)
            .map_err(|e| e.to_string())
            .and_then(|g| to_geo(&g))
        {
            Ok(g) if all_finite(&g) => g,
            Ok(_) => {
                report.record(issue(
                    IssueKind::Skipped,
                    None,
                    "the coordinates cannot be reprojected to EPSG:25833".into(),
                    "check the layer's CRS and the coordinates",
                ));
                continue;
            }
            Err(msg) => {
                report.record(issue(
                    IssueKind::Skipped,
                    None,
                    msg,
                    "convert the geometry with ogr2ogr",
                ));
                continue;
            }
        };
        if !family.accepts(&projected) {
            report.record(issue(
                IssueKind::Skipped,
                None,
                format!("a {} layer takes {}, not {}", layer_cfg.role, family.describe(), geometry_name(&projected)),
                "split the source by geometry type, or set `layer`/`filter` to pick the right features",
            ));
            continue;
        }
        if let Repair::Repaired(reason) = repaired {
            report.record(issue(
                IssueKind::Repaired,
                None,
                format!("invalid polygon repaired: {reason}"),
                "check the repaired shape, and fix it in the source",
            ));
        }
        match reader.read(&feature) {
            Ok((attrs, warnings)) => {
                for AttrProblem {
                    field,
                    message,
                    hint,
                } in warnings
                {
                    report.record(issue(IssueKind::Warning, Some(field), message, &hint));
                }
                push(
                    &mut out,
                    Feature {
                        id: id.clone(),
                        geometry: projected,
                        attrs: (),
                    },
                    attrs,
                );
            }
            Err(AttrProblem {
                field,
                message,
                hint,
            }) => {
                report.record(issue(IssueKind::Skipped, Some(field), message, &hint));
            }
        }
    }
    progress.inc(index, (report.read % 512) as u64);
    report.loaded = out.len();
    if report.read > 0 && out.is_empty() {
        return Err(IngestError::NothingUsable {
            path: file,
            layer: layer_name,
            read: report.read,
        });
    }
    report.bbox_25833 = out
        .bbox()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]);
    Ok(out)
}

fn missing_file_hint(layer: &LayerConfig, options: &LoadOptions) -> String {
    if layer.source.contains("{data_dir}") {
        format!(
            "check that --data-dir ({}) is the folder that holds the data",
            options
                .data_dir
                .as_deref()
                .map(|d| d.display().to_string())
                .unwrap_or_default()
        )
    } else {
        "check the `source` path; relative paths are read from the config file's folder".into()
    }
}

fn feature_id(f: &GdalFeature, id_idx: Option<usize>, n: usize) -> String {
    id_idx
        .and_then(|i| field_text(f, i))
        .or_else(|| f.fid().map(|fid| fid.to_string()))
        .unwrap_or_else(|| format!("#{}", n + 1))
}

fn out_of_range(g: &GdalGeometry) -> Option<String> {
    let e = g.envelope();
    let bad = e.MinX < -180.0 || e.MaxX > 180.0 || e.MinY < -90.0 || e.MaxY > 90.0;
    bad.then(|| {
        format!(
            "coordinates out of range for longitude/latitude (x {:.1}..{:.1}, y {:.1}..{:.1})",
            e.MinX, e.MaxX, e.MinY, e.MaxY
        )
    })
}

fn geometry_name(g: &geo::Geometry<f64>) -> &'static str {
    use geo::Geometry as G;
    match g {
        G::Point(_) | G::MultiPoint(_) => "points",
        G::LineString(_) | G::MultiLineString(_) | G::Line(_) => "lines",
        G::Polygon(_) | G::MultiPolygon(_) | G::Rect(_) | G::Triangle(_) => "polygons",
        G::GeometryCollection(_) => "geometry collections",
    }
}

fn empty_features(role: Role) -> Features {
    match role {
        Role::Boundary => Features::Boundary(Vec::new()),
        Role::Landuse => Features::Landuse(Vec::new()),
        Role::Roads => Features::Roads(Vec::new()),
        Role::Rail => Features::Rail(Vec::new()),
        Role::Terminals => Features::Terminals(Vec::new()),
        Role::Grid => Features::Grid(Vec::new()),
        Role::Stations => Features::Stations(Vec::new()),
        Role::Exclusion => Features::Exclusion(Vec::new()),
        Role::Candidates => Features::Candidates(Vec::new()),
        Role::Places => Features::Places(Vec::new()),
        Role::Traffic => Features::Traffic(Vec::new()),
    }
}

fn push(out: &mut Features, f: Feature<()>, attrs: Attrs) {
    let Feature { id, geometry, .. } = f;
    macro_rules! put {
        ($vec:expr, $a:expr) => {
            $vec.push(Feature {
                id,
                geometry,
                attrs: $a,
            })
        };
    }
    match (out, attrs) {
        (Features::Boundary(v), Attrs::Boundary(a)) => put!(v, a),
        (Features::Landuse(v), Attrs::Landuse(a)) => put!(v, a),
        (Features::Roads(v), Attrs::Roads(a)) => put!(v, a),
        (Features::Rail(v), Attrs::Rail(a)) => put!(v, a),
        (Features::Terminals(v), Attrs::Terminals(a)) => put!(v, a),
        (Features::Grid(v), Attrs::Grid(a)) => put!(v, a),
        (Features::Stations(v), Attrs::Stations(a)) => put!(v, a),
        (Features::Exclusion(v), Attrs::Exclusion(a)) => put!(v, a),
        (Features::Candidates(v), Attrs::Candidates(a)) => put!(v, a),
        (Features::Places(v), Attrs::Places(a)) => put!(v, a),
        (Features::Traffic(v), Attrs::Traffic(a)) => put!(v, a),
        // The reader is built for the layer's role, so its attributes always match.
        _ => {}
    }
}

/// The field name nearest to `wanted`, for "did you mean" hints.
fn closest(wanted: &str, names: &[String]) -> Option<String> {
    let w = wanted.to_lowercase();
    names
        .iter()
        .map(|n| (levenshtein(&w, &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= 3.max(w.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.clone())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_field_finds_its_nearest_name() {
        let names = vec!["kommunenummer".to_string(), "kommunenavn".to_string()];
        assert_eq!(
            closest("komunenummer", &names).as_deref(),
            Some("kommunenummer")
        );
        assert_eq!(closest("zzzz", &names), None);
    }
}
