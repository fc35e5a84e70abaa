//! One land-use fixture in seven formats must give the same features and classes,
//! and coordinates must land where PROJ says they do.

mod common;

use std::path::Path;

use energistasjon::config::RegionConfig;
use energistasjon::domain::LandUseClass;
use energistasjon::ingest::{crs, load_region, LoadOptions, NoProgress};
use geo::{Area, Centroid};

#[derive(Debug)]
struct Parcel {
    id: String,
    name: String,
    class: LandUseClass,
    area: f64,
    centroid: (f64, f64),
}

fn load_parcels(layer_toml: &str) -> Vec<Parcel> {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_region(dir.path(), layer_toml);
    let config = RegionConfig::load(&path).unwrap();
    let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
    let layer = &report.layers[0];
    assert!(layer.error.is_none(), "{:?}", layer.error);
    assert_eq!(
        (layer.skipped, layer.repaired, layer.warnings),
        (0, 0, 0),
        "{:?}",
        layer.issues
    );
    let mut parcels: Vec<Parcel> = region
        .landuse
        .iter()
        .map(|f| {
            let c = f.geometry.centroid().unwrap();
            Parcel {
                id: f.id.clone(),
                name: f.attrs.name.clone().unwrap_or_default(),
                class: f.attrs.class,
                area: f.geometry.unsigned_area(),
                centroid: (c.x(), c.y()),
            }
        })
        .collect();
    parcels.sort_by(|a, b| a.id.cmp(&b.id));
    parcels
}

fn sosi_layer(file: &str, code_field: &str, extra: &str) -> String {
    let path = common::fixtures().join("formats").join(file);
    format!(
        r#"[[layers]]
role = "landuse"
source = "{}"
id_field = "pid"
{extra}
[layers.fields]
name = "name"
class = {{ field = "{code_field}", table = "sosi-arealformal" }}
"#,
        path.display()
    )
}

fn assert_same(reference: &[Parcel], other: &[Parcel], format: &str) {
    assert_eq!(reference.len(), other.len(), "{format}: feature count");
    for (a, b) in reference.iter().zip(other) {
        assert_eq!(a.id, b.id, "{format}: ids");
        assert_eq!(a.name, b.name, "{format}: names (æøå must survive)");
        assert_eq!(a.class, b.class, "{format}: class of {}", a.id);
        assert!(
            (a.area - b.area).abs() < 0.01,
            "{format}: area of {}: {} vs {}",
            a.id,
            a.area,
            b.area
        );
        let d =
            ((a.centroid.0 - b.centroid.0).powi(2) + (a.centroid.1 - b.centroid.1).powi(2)).sqrt();
        assert!(d < 0.01, "{format}: {} moved {d} m", a.id);
    }
}

#[test]
fn the_same_parcels_load_from_every_supported_format() {
    let reference = load_parcels(&sosi_layer("parcels.geojson", "arealformal", ""));
    let classes: Vec<_> = reference.iter().map(|p| (p.id.as_str(), p.class)).collect();
    assert_eq!(
        classes,
        vec![
            ("p1", LandUseClass::Industrial),
            ("p2", LandUseClass::Commercial),
            ("p3", LandUseClass::Residential),
            ("p4", LandUseClass::GreenSpace),
            ("p5", LandUseClass::Transport),
        ]
    );
    // Alnabru industri is 0.004° × 0.002° at 59.93° N: about 223 m × 222 m.
    assert!(
        (reference[0].area - 49_600.0).abs() < 600.0,
        "{}",
        reference[0].area
    );

    for (file, field, extra) in [
        ("parcels.gpkg", "arealformal", ""),
        ("parcels.fgb", "arealformal", ""),
        ("parcels.gml", "arealformal", ""),
        // Shapefile field names stop at ten characters.
        ("parcels.shp", "arealforma", ""),
        // CSV has no CRS of its own.
        ("parcels.csv", "arealformal", "srs = \"EPSG:4326\""),
    ] {
        assert_same(
            &reference,
            &load_parcels(&sosi_layer(file, field, extra)),
            file,
        );
    }

    let osm = format!(
        r#"[[layers]]
role = "landuse"
source = "{}"
layer = "multipolygons"
open_options = ["CONFIG_FILE={}"]
id_field = "ref"
[layers.fields]
name = "name"
class = {{ field = "landuse", table = "osm-landuse" }}
"#,
        common::fixtures().join("formats/parcels.osm").display(),
        common::root()
            .join("data/presets/osm/osmconf.ini")
            .display()
    );
    assert_same(&reference, &load_parcels(&osm), "parcels.osm");
}

#[test]
fn oslo_s_reprojects_to_the_published_utm33_coordinate() {
    let (x, y) = crs::reproject_point(10.7522, 59.9111, "EPSG:4326").unwrap();
    assert!((x - 262_540.47).abs() <= 0.01, "x = {x}");
    assert!((y - 6_649_132.19).abs() <= 0.01, "y = {y}");
}

fn load_point(dir: &Path, file: &str, body: &str, srs: Option<&str>) -> (f64, f64) {
    std::fs::write(dir.join(file), body).unwrap();
    let srs_line = srs.map(|s| format!("srs = \"{s}\"\n")).unwrap_or_default();
    let path = common::write_region(
        dir,
        &format!(
            "[[layers]]\nrole = \"grid\"\nsource = \"{file}\"\n{srs_line}[layers.fields]\nname = \"name\"\n"
        ),
    );
    let config = RegionConfig::load(&path).unwrap();
    let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
    assert!(report.is_usable(), "{:?}", report.layers[0].error);
    match region.grid[0].geometry {
        geo::Geometry::Point(p) => (p.x(), p.y()),
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn oslo_s_lands_in_the_same_place_from_a_lon_lat_file_and_a_utm32_file() {
    let dir = tempfile::tempdir().unwrap();
    let wgs84 = load_point(
        dir.path(),
        "oslo_s.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Oslo S"},"geometry":{"type":"Point","coordinates":[10.7522,59.9111]}}]}"#,
        None,
    );
    assert!(
        (wgs84.0 - 262_540.47).abs() <= 0.01 && (wgs84.1 - 6_649_132.19).abs() <= 0.01,
        "{wgs84:?}: axes swapped?"
    );
    // Oslo S in EPSG:25832, as PROJ computes it (gdaltransform -s_srs EPSG:4326 -t_srs EPSG:25832).
    let utm32 = load_point(
        dir.path(),
        "oslo_s.csv",
        "WKT,name\n\"POINT (597988.154789847 6642807.23840106)\",Oslo S\n",
        Some("EPSG:25832"),
    );
    assert!((utm32.0 - wgs84.0).abs() <= 0.01, "{utm32:?} vs {wgs84:?}");
    assert!((utm32.1 - wgs84.1).abs() <= 0.01, "{utm32:?} vs {wgs84:?}");
}

#[test]
fn the_osm_preset_reads_a_pbf_extract_into_every_role() {
    let config = RegionConfig::load(&common::root().join("data/presets/osm/region.toml")).unwrap();
    let options = LoadOptions {
        data_dir: Some(common::fixtures().join("osm")),
    };
    let (region, report) = load_region(&config, &options, &NoProgress);
    for l in &report.layers {
        assert!(l.error.is_none(), "{}: {:?}", l.label, l.error);
        assert_eq!(l.skipped, 0, "{}: {:?}", l.label, l.issues);
    }
    assert_eq!(region.boundary.len(), 1);
    assert_eq!(region.boundary[0].attrs.number, "0301");
    // Motorway, trunk, secondary and service; the footway is filtered out.
    assert_eq!(region.roads.len(), 4);
    let e6 = region
        .roads
        .iter()
        .find(|r| r.attrs.number == Some(6))
        .unwrap();
    assert_eq!(
        e6.attrs.reference().as_deref(),
        Some("E6"),
        "ref 'E 6' makes a europaveg"
    );
    let rv4 = region
        .roads
        .iter()
        .find(|r| r.attrs.number == Some(4))
        .unwrap();
    assert_eq!(
        rv4.attrs.reference().as_deref(),
        Some("Rv4"),
        "trunk maps to riksveg"
    );
    assert_eq!(e6.attrs.speed_kmh, Some(90.0));
    assert_eq!(region.rail.len(), 1);
    let classes: Vec<_> = region.landuse.iter().map(|l| l.attrs.class).collect();
    assert!(classes.contains(&LandUseClass::Industrial) && classes.contains(&LandUseClass::Port));
    assert_eq!(region.terminals.len(), 1);
    assert_eq!(region.grid.len(), 1);
    assert_eq!(
        region.grid[0].attrs.available_mw, None,
        "OSM has no free capacity"
    );
    let kinds: Vec<_> = region
        .stations
        .iter()
        .map(|s| (s.attrs.kind, s.attrs.heavy))
        .collect();
    use energistasjon::domain::layers::StationKind;
    assert!(
        kinds.contains(&(StationKind::Charging, true)),
        "hgv=designated is a heavy-vehicle charger"
    );
    assert!(kinds.iter().any(|(k, _)| *k == StationKind::Hydrogen));
    assert_eq!(region.exclusion.len(), 1);
}
