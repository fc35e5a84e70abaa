//! A small map of a site and its surroundings as SVG, drawn from the region's layers in
//! EPSG:25833: no tiles and no browser needed, so the dossier prints and archives as is.

use std::fmt::Write;

use geo::{Coord, Geometry, LineString, Polygon};

/// Drawing width and height in SVG units.
const W: f64 = 480.0;
const H: f64 = 360.0;

/// One layer to draw: how it looks and what the legend calls it.
pub struct Layer<'a> {
    pub fill: &'static str,
    pub stroke: &'static str,
    pub width: f64,
    pub label: String,
    pub geometries: Vec<&'a Geometry<f64>>,
}

/// Maps EPSG:25833 metres into the drawing, north up.
struct Frame {
    x0: f64,
    y1: f64,
    scale: f64,
}

impl Frame {
    fn pt(&self, c: Coord<f64>) -> (f64, f64) {
        ((c.x - self.x0) * self.scale, (self.y1 - c.y) * self.scale)
    }
}

fn ring(out: &mut String, f: &Frame, l: &LineString<f64>, close: bool) {
    for (i, c) in l.coords().enumerate() {
        let (x, y) = f.pt(*c);
        let _ = write!(out, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
    }
    if close {
        out.push('Z');
    }
}

fn polygon(out: &mut String, f: &Frame, p: &Polygon<f64>) {
    ring(out, f, p.exterior(), true);
    for h in p.interiors() {
        ring(out, f, h, true);
    }
}

/// The path data of a geometry; points become small squares so one `<path>` draws all.
fn path(out: &mut String, f: &Frame, g: &Geometry<f64>) {
    match g {
        Geometry::Point(p) => {
            let (x, y) = f.pt(p.0);
            let _ = write!(out, "M{:.1} {:.1}h6v6h-6Z", x - 3.0, y - 3.0);
        }
        Geometry::MultiPoint(m) => m.iter().for_each(|p| path(out, f, &Geometry::Point(*p))),
        Geometry::LineString(l) => ring(out, f, l, false),
        Geometry::MultiLineString(m) => m.iter().for_each(|l| ring(out, f, l, false)),
        Geometry::Polygon(p) => polygon(out, f, p),
        Geometry::MultiPolygon(m) => m.iter().for_each(|p| polygon(out, f, p)),
        Geometry::GeometryCollection(c) => c.iter().for_each(|g| path(out, f, g)),
        Geometry::Rect(r) => polygon(out, f, &r.to_polygon()),
        Geometry::Triangle(t) => polygon(out, f, &t.to_polygon()),
        Geometry::Line(l) => ring(out, f, &LineString::from(vec![l.start, l.end]), false),
    }
}

/// The map of `centre` ± `half_m` metres: layers bottom to top, the site on top in red,
/// a 500 m scale bar and a north arrow. `title` names the map for screen readers.
pub fn svg(
    centre: [f64; 2],
    half_m: f64,
    layers: &[Layer],
    site: &Geometry<f64>,
    title: &str,
) -> String {
    let half_h = half_m * H / W;
    let f = Frame {
        x0: centre[0] - half_m,
        y1: centre[1] + half_h,
        scale: W / (2.0 * half_m),
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-labelledby="map-title"><title id="map-title">{}</title><rect width="{W}" height="{H}" fill="#f7f7f2"/>"##,
        escape(title)
    );
    for l in layers {
        if l.geometries.is_empty() {
            continue;
        }
        let mut d = String::new();
        for g in &l.geometries {
            path(&mut d, &f, g);
        }
        let _ = write!(
            out,
            r#"<path d="{d}" fill="{}" stroke="{}" stroke-width="{}" fill-rule="evenodd"><title>{}</title></path>"#,
            l.fill,
            l.stroke,
            l.width,
            escape(&l.label)
        );
    }
    let mut d = String::new();
    path(&mut d, &f, site);
    let _ = write!(
        out,
        r##"<path d="{d}" fill="#d7301f" fill-opacity="0.35" stroke="#b30000" stroke-width="2.5"/>"##
    );
    let (cx, cy) = f.pt(Coord {
        x: centre[0],
        y: centre[1],
    });
    let _ = write!(
        out,
        r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="5" fill="#b30000" stroke="#fff" stroke-width="1.5"/>"##
    );
    // Scale bar: 500 m, or 100 m on a small map.
    let bar_m = if half_m >= 1000.0 { 500.0 } else { 100.0 };
    let bar = bar_m * f.scale;
    let _ = write!(
        out,
        r##"<g font-family="sans-serif" font-size="12" fill="#222"><rect x="12" y="{y}" width="{bar:.1}" height="5" fill="#222"/><text x="12" y="{ty}">{bar_m:.0} m</text><text x="{nx}" y="26" font-weight="bold">N</text><path d="M{ax} 30l-6 14h12Z"/></g></svg>"##,
        y = H - 18.0,
        ty = H - 24.0,
        nx = W - 24.0,
        ax = W - 20.0,
    );
    out
}

/// Text safe inside XML and HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{point, polygon};

    #[test]
    fn the_site_is_drawn_at_the_centre_and_north_is_up() {
        let site = Geometry::Point(point!(x: 1000.0, y: 2000.0));
        let land = Geometry::Polygon(
            polygon![(x: 1000.0, y: 2000.0), (x: 1100.0, y: 2000.0), (x: 1100.0, y: 2100.0)],
        );
        let layers = [Layer {
            fill: "#ccc",
            stroke: "none",
            width: 0.0,
            label: "Arealbruk <næring>".into(),
            geometries: vec![&land],
        }];
        let s = svg([1000.0, 2000.0], 1000.0, &layers, &site, "Kart");
        // The centre maps to (240, 180); 100 m north is 24 units up at 0.24 units per metre.
        assert!(s.contains(r#"cx="240.0" cy="180.0""#), "{s}");
        assert!(
            s.contains("M240.0 180.0L264.0 180.0L264.0 156.0L240.0 180.0Z"),
            "{s}"
        );
        assert!(s.contains("Arealbruk &lt;næring&gt;"));
        assert!(s.contains("500 m"));
    }
}
