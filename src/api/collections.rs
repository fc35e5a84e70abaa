//! The collections the OGC API serves: every input role with features, and the scored
//! candidates of every profile. Built once at start-up, in CRS84, ready to page through.

use geo::{BoundingRect, Geometry};
use serde_json::{Map, Value};

use crate::config::{load_profile, profile_names};
use crate::domain::Region;
use crate::ingest::crs::{CrsError, ToCrs84};
use crate::scoring::report::breakdown;
use crate::scoring::{candidates, measure, rank, AreaFilter, Normalized, ScoringContext};

/// One feature, already in CRS84 GeoJSON form.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    /// [min lon, min lat, max lon, max lat].
    pub bbox: [f64; 4],
    pub geometry: Value,
    pub properties: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Collection {
    pub id: String,
    pub title: String,
    pub description: String,
    pub items: Vec<Item>,
    pub extent: Option<[f64; 4]>,
}

impl Collection {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// GeoJSON for a geometry already in CRS84, with counter-clockwise exterior rings (RFC 7946).
fn geojson(g: &Geometry<f64>) -> Value {
    use geo::orient::{Direction, Orient};
    let oriented = match g {
        Geometry::Polygon(p) => Geometry::Polygon(p.orient(Direction::Default)),
        Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(mp.orient(Direction::Default)),
        other => other.clone(),
    };
    let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&oriented));
    serde_json::to_value(&geometry).unwrap_or(Value::Null)
}

fn item(
    t: &ToCrs84,
    id: String,
    g: &Geometry<f64>,
    properties: Map<String, Value>,
) -> Result<Item, CrsError> {
    let lonlat = t.apply(g)?;
    let bbox = lonlat
        .bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .unwrap_or([0.0; 4]);
    Ok(Item {
        id,
        bbox,
        geometry: geojson(&lonlat),
        properties,
    })
}

fn props<T: serde::Serialize>(id: &str, attrs: &T) -> Map<String, Value> {
    let mut m = match serde_json::to_value(attrs) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    m.insert("id".into(), Value::String(id.to_string()));
    m
}

fn extent(items: &[Item]) -> Option<[f64; 4]> {
    items.iter().map(|i| i.bbox).reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
}

fn layer<T: serde::Serialize>(
    t: &ToCrs84,
    id: &str,
    title: &str,
    features: &[crate::domain::Feature<T>],
) -> Result<Option<Collection>, CrsError> {
    if features.is_empty() {
        return Ok(None);
    }
    let items = features
        .iter()
        .map(|f| item(t, f.id.clone(), &f.geometry, props(&f.id, &f.attrs)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Collection {
        id: id.to_string(),
        title: title.to_string(),
        description: format!("Input layer '{id}', EPSG:25833 internally, served in CRS84"),
        extent: extent(&items),
        items,
    }))
}

/// A profile's measured candidates, kept so that new weights only re-weigh and re-rank.
pub struct Scored {
    pub profile: crate::domain::profile::Profile,
    pub raw: crate::scoring::RawTable,
    pub norm: Normalized,
    /// Kommunenummer of each candidate, for filters and the response.
    pub kommunenummer: Vec<Option<String>>,
}

/// Every collection of a region: the input layers, then `candidates-{profile}` for each
/// shipped profile, scored on suitable parcels. Also returns each profile's measurements.
pub fn build(region: &Region) -> Result<(Vec<Collection>, Vec<Scored>), CrsError> {
    let t = ToCrs84::new()?;
    let mut out = Vec::new();
    let layers = [
        layer(&t, "municipalities", "Kommuner", &region.boundary)?,
        layer(&t, "landuse", "Arealbruk", &region.landuse)?,
        layer(&t, "roads", "Veger", &region.roads)?,
        layer(&t, "rail", "Jernbane", &region.rail)?,
        layer(&t, "terminals", "Terminaler og havner", &region.terminals)?,
        layer(&t, "grid", "Nettkapasitet", &region.grid)?,
        layer(&t, "stations", "Energistasjoner", &region.stations)?,
        layer(&t, "exclusion", "Utelukkede områder", &region.exclusion)?,
    ];
    out.extend(layers.into_iter().flatten());

    let ctx = ScoringContext::new(region);
    let mut scored = Vec::new();
    for name in profile_names() {
        let Ok(profile) = load_profile(&name) else {
            tracing::warn!(profile = %name, "profile could not be loaded; its candidates are not served");
            continue;
        };
        let cands = candidates::parcels(&ctx, &profile, &AreaFilter::default());
        let raw = measure(&ctx, &profile, cands, &|_| {});
        let norm = Normalized::new(&raw, &profile);
        let weights: Vec<f64> = profile.criteria.iter().map(|c| c.weight).collect();
        let ranking = rank(&raw, &norm, &weights);
        let mut items = Vec::with_capacity(raw.len());
        for i in 0..raw.len() {
            let report = breakdown(&ctx, &raw, &norm, &ranking, &weights, i);
            let mut p = props(&report.id, &report);
            p.insert(
                "municipality_rank".into(),
                report
                    .municipality_rank
                    .map(Value::from)
                    .unwrap_or(Value::Null),
            );
            items.push(item(&t, report.id.clone(), &raw.candidates[i].geometry, p)?);
        }
        out.push(Collection {
            id: format!("candidates-{}", profile.id),
            title: profile.name.clone(),
            description: profile.description.clone(),
            extent: extent(&items),
            items,
        });
        let kommunenummer = raw
            .candidates
            .iter()
            .map(|c| {
                c.municipality
                    .map(|m| region.boundary[m as usize].attrs.number.clone())
            })
            .collect();
        scored.push(Scored {
            profile,
            raw,
            norm,
            kommunenummer,
        });
    }
    Ok((out, scored))
}
