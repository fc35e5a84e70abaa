//! Streaming writers for GeoJSON (RFC 7946) and CSV: one feature at a time to any `Write`,
//! so an export of half a million candidates never sits in memory, and the API can send it
//! as it is produced. Geometries arrive as CRS84 GeoJSON (from the catalog: 7 decimals,
//! counter-clockwise exterior rings). Tests check both against GDAL's reading.

use std::io::{self, Write};

use serde_json::json;

use super::{Field, Value};

fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Str(s) => json!(s),
        Value::Int(i) => json!(i),
        Value::Real(x) if x.is_finite() => json!(x),
        Value::Real(_) | Value::Null => serde_json::Value::Null,
    }
}

/// A GeoJSON FeatureCollection, written feature by feature. No `crs` member: RFC 7946
/// says CRS84. The metadata is a foreign member, which GIS clients ignore.
pub struct GeoJsonWriter<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> GeoJsonWriter<W> {
    pub fn new(mut out: W, name: &str, metadata: &serde_json::Value) -> io::Result<Self> {
        writeln!(
            out,
            "{{\"type\":\"FeatureCollection\",\"name\":{},\"metadata\":{},\"features\":[",
            json!(name),
            metadata
        )?;
        Ok(GeoJsonWriter { out, first: true })
    }

    pub fn feature(
        &mut self,
        id: &str,
        geometry: &serde_json::Value,
        fields: &[Field],
        values: &[Value],
    ) -> io::Result<()> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        // Properties in column order, as every other format has them.
        write!(
            self.out,
            "{{\"type\":\"Feature\",\"id\":{},\"geometry\":{},\"properties\":{{",
            json!(id),
            geometry
        )?;
        for (k, (f, v)) in fields.iter().zip(values).enumerate() {
            if k > 0 {
                self.out.write_all(b",")?;
            }
            write!(self.out, "{}:{}", json!(f.name), to_json(v))?;
        }
        self.out.write_all(b"}}")?;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// How a CSV carries geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvGeometry {
    /// A `WKT` column in CRS84.
    Wkt,
    /// `lon` and `lat` columns: the point, or the centroid of a line or polygon.
    LonLat,
}

fn cell(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Real(x) if x.is_finite() => x.to_string(),
        Value::Real(_) | Value::Null => String::new(),
    }
}

/// The csv crate's error as an IO error, the way every writer here reports.
fn io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// CSV with a header, UTF-8, comma-separated, quoted where RFC 4180 needs it (the csv crate).
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    geometry: CsvGeometry,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W, fields: &[Field], geometry: CsvGeometry) -> io::Result<Self> {
        let mut out = csv::WriterBuilder::new().from_writer(out);
        let mut header: Vec<&str> = match geometry {
            CsvGeometry::Wkt => vec!["WKT"],
            CsvGeometry::LonLat => vec!["lon", "lat"],
        };
        header.extend(fields.iter().map(|f| f.name.as_str()));
        out.write_record(&header).map_err(io_error)?;
        Ok(CsvWriter { out, geometry })
    }

    pub fn row(&mut self, geometry: &serde_json::Value, values: &[Value]) -> io::Result<()> {
        let mut cells: Vec<String> = match self.geometry {
            CsvGeometry::Wkt => vec![wkt(geometry)],
            CsvGeometry::LonLat => match lonlat(geometry) {
                Some((x, y)) => vec![format!("{x:.7}"), format!("{y:.7}")],
                None => vec![String::new(), String::new()],
            },
        };
        cells.extend(values.iter().map(cell));
        self.out.write_record(&cells).map_err(io_error)
    }

    pub fn finish(self) -> io::Result<W> {
        self.out
            .into_inner()
            .map_err(|e| io::Error::other(e.error().to_string()))
    }
}

fn coords(v: &serde_json::Value) -> String {
    match v.as_array() {
        Some(a) if a.first().is_some_and(|x| x.is_number()) => a
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        Some(a) => format!("({})", a.iter().map(coords).collect::<Vec<_>>().join(", ")),
        None => String::new(),
    }
}

/// WKT of a GeoJSON geometry.
pub fn wkt(g: &serde_json::Value) -> String {
    let kind = g["type"].as_str().unwrap_or("");
    let c = &g["coordinates"];
    match kind {
        "Point" => format!("POINT ({})", coords(c)),
        "LineString" | "Polygon" | "MultiPoint" | "MultiLineString" | "MultiPolygon" => {
            format!("{} {}", kind.to_uppercase(), coords(c))
        }
        "GeometryCollection" => format!(
            "GEOMETRYCOLLECTION ({})",
            g["geometries"]
                .as_array()
                .map(|gs| gs.iter().map(wkt).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ),
        _ => "GEOMETRYCOLLECTION EMPTY".to_string(),
    }
}

/// The point itself, or the centroid of anything larger.
fn lonlat(g: &serde_json::Value) -> Option<(f64, f64)> {
    use geo::Centroid;
    let geometry: geo::Geometry<f64> = serde_json::from_value::<geojson::Geometry>(g.clone())
        .ok()?
        .try_into()
        .ok()?;
    let p = geometry.centroid()?;
    Some((p.x(), p.y()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::FieldType;

    #[test]
    fn wkt_follows_the_geometry_type() {
        assert_eq!(
            wkt(&json!({"type": "Point", "coordinates": [10.5, 59.9]})),
            "POINT (10.5 59.9)"
        );
        assert_eq!(
            wkt(&json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})),
            "POLYGON ((0 0, 1 0, 1 1, 0 0))"
        );
    }

    #[test]
    fn csv_quotes_commas_and_quotes_and_keeps_norwegian_letters() {
        let fields = [Field::new("kommunenavn", FieldType::Str)];
        let mut w = CsvWriter::new(Vec::new(), &fields, CsvGeometry::LonLat).unwrap();
        w.row(
            &json!({"type": "Point", "coordinates": [10.5, 59.9]}),
            &[Value::Str("Bærum, \"Ås\"".into())],
        )
        .unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "lon,lat,kommunenavn\n10.5000000,59.9000000,\"Bærum, \"\"Ås\"\"\"\n"
        );
    }
}
