//! A QGIS project (`.qgs`) that opens every collection of the service through QGIS's own
//! OGC API Features provider, styled as the web map draws them: candidates and site areas
//! filled by score on the viridis scale with a ring in their review status's colour, input
//! layers in the map's colours. No IO: the API hands in the layers and its own address.

use std::fmt::Write;

/// The geometry a layer holds, which decides the kind of symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Geometry {
    Point,
    Line,
    Polygon,
}

/// How a layer is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Filled by a score property (viridis, 0–100), ringed by `status`.
    Scored(&'static str),
    /// One colour, the map's for this layer (RGB).
    Plain([u8; 3]),
}

/// One collection to open.
#[derive(Debug, Clone)]
pub struct Layer {
    pub id: String,
    pub title: String,
    pub geometry: Geometry,
    pub style: Style,
    /// Shown when the project opens; the many candidate sets start hidden.
    pub visible: bool,
}

/// The map's viridis stops: score from which each class starts, and its colour.
const VIRIDIS: [(f64, [u8; 3]); 5] = [
    (0.0, [0x44, 0x01, 0x54]),
    (25.0, [0x3b, 0x52, 0x8b]),
    (50.0, [0x21, 0x91, 0x8c]),
    (75.0, [0x5e, 0xc9, 0x62]),
    (100.0, [0xfd, 0xe7, 0x25]),
];

/// Review statuses and their Okabe–Ito colours, as `web/review.js` draws them.
pub const STATUS_COLOURS: [(&str, &str); 6] = [
    ("proposed", "#e69f00"),
    ("under_review", "#56b4e9"),
    ("recommended", "#f0e442"),
    ("approved", "#009e73"),
    ("rejected", "#d55e00"),
    ("built", "#0072b2"),
];

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn rgba([r, g, b]: [u8; 3], a: u8) -> String {
    format!("{r},{g},{b},{a}")
}

/// The ring colour as a QGIS expression on the feature's review status; grey without one.
fn status_expression() -> String {
    let mut e = String::from("CASE");
    for (status, colour) in STATUS_COLOURS {
        let _ = write!(e, " WHEN \"status\" = '{status}' THEN '{colour}'");
    }
    e.push_str(" ELSE '#404040' END");
    e
}

/// One symbol layer: a circle, a line or a fill, with an optional data-defined ring colour.
fn symbol(name: &str, geometry: Geometry, colour: [u8; 3], fill_alpha: u8, ring: bool) -> String {
    let (kind, class, props) = match geometry {
        Geometry::Point => (
            "marker",
            "SimpleMarker",
            vec![
                ("name", "circle".to_string()),
                ("color", rgba(colour, 255)),
                ("size", "2.6".into()),
                ("outline_color", "64,64,64,255".into()),
                ("outline_width", if ring { "0.5" } else { "0.2" }.into()),
            ],
        ),
        Geometry::Line => (
            "line",
            "SimpleLine",
            vec![
                ("line_color", rgba(colour, 255)),
                ("line_width", "0.6".into()),
            ],
        ),
        Geometry::Polygon => (
            "fill",
            "SimpleFill",
            vec![
                ("color", rgba(colour, fill_alpha)),
                ("outline_color", "90,90,90,255".into()),
                ("outline_width", if ring { "0.6" } else { "0.26" }.into()),
                ("style", "solid".into()),
            ],
        ),
    };
    let mut s = format!(
        "<symbol type=\"{kind}\" name=\"{name}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\
         <layer class=\"{class}\" enabled=\"1\" pass=\"0\" locked=\"0\">"
    );
    for (k, v) in props {
        let _ = write!(s, "<prop k=\"{k}\" v=\"{}\"/>", xml(&v));
    }
    if ring && geometry != Geometry::Line {
        let _ = write!(
            s,
            "<data_defined_properties><Option type=\"Map\"><Option name=\"name\" type=\"QString\" value=\"\"/>\
             <Option name=\"properties\" type=\"Map\"><Option name=\"outlineColor\" type=\"Map\">\
             <Option name=\"active\" type=\"bool\" value=\"true\"/>\
             <Option name=\"expression\" type=\"QString\" value=\"{}\"/>\
             <Option name=\"type\" type=\"int\" value=\"3\"/></Option></Option>\
             <Option name=\"type\" type=\"QString\" value=\"collection\"/></Option></data_defined_properties>",
            xml(&status_expression())
        );
    }
    s.push_str("</layer></symbol>");
    s
}

fn renderer(layer: &Layer) -> String {
    match layer.style {
        Style::Plain(colour) => format!(
            "<renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\"><symbols>{}</symbols></renderer-v2>",
            symbol("0", layer.geometry, colour, 90, false)
        ),
        Style::Scored(attr) => {
            let mut ranges = String::new();
            let mut symbols = String::new();
            for (i, (lower, colour)) in VIRIDIS.iter().enumerate() {
                // The last stop is the top of the scale: the classes are 0–25, …, 75–100.
                let Some((upper, _)) = VIRIDIS.get(i + 1) else {
                    break;
                };
                // Each class takes the colour of its middle, as the map's interpolation does.
                let mid = mix(*colour, VIRIDIS[i + 1].1);
                let _ = write!(
                    ranges,
                    "<range lower=\"{lower:.1}\" upper=\"{upper:.1}\" symbol=\"{i}\" label=\"{lower:.0} – {upper:.0}\" render=\"true\"/>"
                );
                symbols.push_str(&symbol(&i.to_string(), layer.geometry, mid, 200, true));
            }
            format!(
                "<renderer-v2 type=\"graduatedSymbol\" attr=\"{attr}\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\
                 <ranges>{ranges}</ranges><symbols>{symbols}</symbols></renderer-v2>"
            )
        }
    }
}

fn mix(a: [u8; 3], b: [u8; 3]) -> [u8; 3] {
    [0, 1, 2].map(|i| ((a[i] as u16 + b[i] as u16) / 2) as u8)
}

/// The project: every layer from the OGC API at `base` (e.g. `http://127.0.0.1:8080`), in
/// the project CRS `crs_wkt` (EPSG:25833 as WKT; QGIS reads an authority id alone only with
/// its own internal id beside it, and any project CRS only with `ProjectionsEnabled`), the
/// first layer in the list drawn on top.
pub fn project(title: &str, base: &str, crs_wkt: &str, layers: &[Layer]) -> String {
    let mut tree = String::new();
    let mut maplayers = String::new();
    let mut order = String::new();
    for (n, l) in layers.iter().enumerate() {
        let id = format!(
            "layer_{n}_{}",
            l.id.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let source = format!(
            "pagingEnabled='true' preferCoordinatesForWfsT11='false' restrictToRequestBBOX='1' typename='{}' url='{}'",
            l.id, base
        );
        let _ = write!(
            tree,
            "<layer-tree-layer id=\"{id}\" name=\"{}\" source=\"{}\" providerKey=\"OAPIF\" checked=\"{}\" expanded=\"0\"/>",
            xml(&l.title),
            xml(&source),
            if l.visible { "Qt::Checked" } else { "Qt::Unchecked" }
        );
        let geometry = match l.geometry {
            Geometry::Point => "Point",
            Geometry::Line => "Line",
            Geometry::Polygon => "Polygon",
        };
        let _ = write!(
            maplayers,
            "<maplayer type=\"vector\" geometry=\"{geometry}\" autoRefreshEnabled=\"0\">\
             <id>{id}</id><datasource>{}</datasource><layername>{}</layername>\
             <srs><spatialrefsys><authid>OGC:CRS84</authid></spatialrefsys></srs>\
             <provider encoding=\"\">OAPIF</provider>{}</maplayer>",
            xml(&source),
            xml(&l.title),
            renderer(l)
        );
        let _ = write!(order, "<item>{id}</item>");
    }
    format!(
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n\
         <qgis projectname=\"{t}\" version=\"3.22.16-Białowieża\">\n\
         <homePath path=\"\"/><title>{t}</title>\n\
         <projectCrs><spatialrefsys><wkt>{wkt}</wkt><authid>EPSG:25833</authid></spatialrefsys></projectCrs>\n\
         <layer-tree-group>{tree}<custom-order enabled=\"0\">{order}</custom-order></layer-tree-group>\n\
         <projectlayers>{maplayers}</projectlayers>\n\
         <layerorder>{order}</layerorder>\n\
         <properties><SpatialRefSys><ProjectionsEnabled type=\"int\">1</ProjectionsEnabled></SpatialRefSys></properties>\n\
         </qgis>\n",
        t = xml(title),
        wkt = xml(crs_wkt)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_is_an_oapif_source_at_the_services_address() {
        let p = project(
            "Demo & co",
            "http://example.org:8080",
            "PROJCRS[\"ETRS89 / UTM zone 33N\"]",
            &[
                Layer {
                    id: "candidates-depot".into(),
                    title: "Depot <kandidater>".into(),
                    geometry: Geometry::Polygon,
                    style: Style::Scored("score"),
                    visible: true,
                },
                Layer {
                    id: "roads".into(),
                    title: "Veger".into(),
                    geometry: Geometry::Line,
                    style: Style::Plain([0xd3, 0x54, 0x00]),
                    visible: false,
                },
            ],
        );
        assert_eq!(
            p.matches("<provider encoding=\"\">OAPIF</provider>")
                .count(),
            2
        );
        assert!(p.contains(
            "typename=&apos;candidates-depot&apos; url=&apos;http://example.org:8080&apos;"
        ));
        assert!(p.contains("Demo &amp; co") && p.contains("Depot &lt;kandidater&gt;"));
        assert_eq!(
            p.matches("<range ").count(),
            4,
            "0–25, 25–50, 50–75, 75–100"
        );
        assert!(p.contains("THEN &apos;#009e73&apos;"), "approved is green");
        assert!(p.contains("checked=\"Qt::Unchecked\""));
        assert!(p.contains("attr=\"score\""));
        assert!(p.contains("<wkt>PROJCRS[&quot;ETRS89 / UTM zone 33N&quot;]</wkt>"));
    }
}
