//! Heavy traffic passing the site: heavy vehicles per day on the nearest main road (E or R)
//! within the radius. The figure comes from the best source there is, in this order:
//! 1. a traffic segment of that road next to the site (NVDB Trafikkmengde): measured;
//! 2. a counting point attached to that road link, or carried along it
//!    (`scoring::traffic`): counted, or measured for a point layer with a given ÅDT;
//! 3. the road layer's own `heavy_aadt` field: measured;
//! 4. an estimate from the road's class (`data/traffic-proxy.toml`): estimated.
//!
//! Where a source has an ÅDT but no heavy share, the share is assumed by road class from the
//! same file, and the reason says so.

use serde::Serialize;

use super::{metres, Measurement};
use crate::domain::layers::{Traffic, TrafficBasis};
use crate::domain::profile::Criterion;
use crate::domain::traffic::{assumed_share, proxy_aadt};
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

/// How far the nearest main road may be for its traffic to count.
pub const DEFAULT_RADIUS_M: f64 = 2000.0;
/// A segment counts for the nearest road when it lies at most this much farther than the road:
/// the road layer and the traffic layer may be digitised at different scales.
pub const MATCH_M: f64 = 100.0;

/// Where a heavy-traffic figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    Segment,
    Point,
    RoadField,
    Proxy,
}

/// The traffic figure for one candidate, with everything a reason needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The nearest main road (index in `region.roads`) and its distance.
    pub road: usize,
    pub distance_m: f64,
    pub basis: Basis,
    /// The traffic feature (index in `region.traffic`) for segments and points.
    pub traffic: Option<usize>,
    pub aadt: Option<f64>,
    pub heavy_share: Option<f64>,
    pub share_assumed: bool,
    /// Heavy vehicles per day: the criterion's value.
    pub heavy: f64,
    /// For carried point values: metres along the road from the point's own link.
    pub along_m: Option<f64>,
}

/// Provenance of a figure, for breakdowns: `source` is measured, counted or estimated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    pub source: &'static str,
    pub year: Option<i32>,
    /// Heavy share used, 0..1, and whether it was assumed.
    pub heavy_share: Option<f64>,
    pub heavy_share_assumed: bool,
    /// The traffic feature: "NVDB 90355211", "tellepunkt 13447V625213".
    pub reference: Option<String>,
}

fn compatible(t: &Traffic, road: &crate::domain::layers::Road) -> bool {
    match (t.category.zip(t.number), road.number) {
        (Some((c, n)), Some(rn)) => c == road.category && n == rn,
        _ => true,
    }
}

pub fn resolve(ctx: &ScoringContext, criterion: &Criterion, c: &Candidate) -> Option<Resolved> {
    resolve_at(ctx, criterion.radius_m.unwrap_or(DEFAULT_RADIUS_M), c.point)
}

/// The traffic figure at `point`, from the nearest main road within `radius`.
pub fn resolve_at(ctx: &ScoringContext, radius: f64, point: [f64; 2]) -> Option<Resolved> {
    let (i, d) = ctx.main_roads.index.nearest(point)?;
    if d > radius {
        return None;
    }
    let road_idx = ctx.main_roads.original(i);
    let road = &ctx.region.roads[road_idx].attrs;
    let region = ctx.region;
    let with_share = |basis: Basis, t: usize, along_m: Option<f64>| {
        let tr = &region.traffic[t].attrs;
        let category = tr.category.unwrap_or(road.category);
        let (share, assumed) = match tr.heavy_share {
            Some(s) => (s, false),
            None => (assumed_share(category), true),
        };
        Resolved {
            road: road_idx,
            distance_m: d,
            basis,
            traffic: Some(t),
            aadt: Some(tr.aadt),
            heavy_share: Some(share),
            share_assumed: assumed,
            heavy: tr.aadt * share,
            along_m,
        }
    };
    let segment = ctx
        .traffic
        .segments
        .index
        .nearest_where(point, |s| {
            compatible(
                &region.traffic[ctx.traffic.segments.original(s)].attrs,
                road,
            )
        })
        .filter(|(_, ds)| *ds <= d + MATCH_M);
    if let Some((s, _)) = segment {
        return Some(with_share(
            Basis::Segment,
            ctx.traffic.segments.original(s),
            None,
        ));
    }
    if let Some(carried) = ctx.traffic.carried.get(&(road_idx as u32)) {
        return Some(with_share(
            Basis::Point,
            carried.point as usize,
            Some(carried.along_m),
        ));
    }
    let base = Resolved {
        road: road_idx,
        distance_m: d,
        basis: Basis::RoadField,
        traffic: None,
        aadt: None,
        heavy_share: None,
        share_assumed: false,
        heavy: 0.0,
        along_m: None,
    };
    Some(match road.heavy_aadt {
        Some(heavy) => Resolved { heavy, ..base },
        None => Resolved {
            basis: Basis::Proxy,
            heavy: proxy_aadt(road.category),
            ..base
        },
    })
}

pub fn heavy_traffic(ctx: &ScoringContext, criterion: &Criterion, c: &Candidate) -> Measurement {
    match resolve(ctx, criterion, c) {
        Some(r) => Measurement {
            raw: r.heavy,
            feature: r.road as u32,
            estimated: r.basis == Basis::Proxy,
        },
        None => Measurement::of(0.0, None),
    }
}

pub fn provenance(
    ctx: &ScoringContext,
    criterion: &Criterion,
    c: &Candidate,
) -> Option<Provenance> {
    let r = resolve(ctx, criterion, c)?;
    let t = r.traffic.map(|t| &ctx.region.traffic[t]);
    let source = match (r.basis, t.map(|t| t.attrs.basis)) {
        (Basis::Proxy, _) => "estimated",
        (_, Some(TrafficBasis::Counted)) => "counted",
        _ => "measured",
    };
    Some(Provenance {
        source,
        year: t.and_then(|t| t.attrs.year),
        heavy_share: r.heavy_share,
        heavy_share_assumed: r.share_assumed,
        reference: t.map(|t| reference(t.attrs.basis, &t.id, r.basis)),
    })
}

fn reference(basis: TrafficBasis, id: &str, how: Basis) -> String {
    match (basis, how) {
        (TrafficBasis::Counted, _) => format!("tellepunkt {id}"),
        (_, Basis::Segment) => format!("NVDB {id}"),
        _ => format!("punkt {id}"),
    }
}

/// "81 048": whole numbers with a space between thousands, as in Norwegian.
pub fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

const MONTHS_NB: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "april 2026" for a count within one month, the year for a full year, else the period.
fn period_text(period: &str, months: &[&str; 12]) -> String {
    let mut parts = period.split('–');
    let (Some(a), b) = (parts.next(), parts.next()) else {
        return period.to_string();
    };
    let b = b.unwrap_or(a);
    if a.len() == 10 && b.len() == 10 && a[..7] == b[..7] {
        if let Ok(m) = a[5..7].parse::<usize>() {
            if (1..=12).contains(&m) {
                return format!("{} {}", months[m - 1], &a[..4]);
            }
        }
    }
    period.to_string()
}

pub fn explain(
    ctx: &ScoringContext,
    criterion: &Criterion,
    c: &Candidate,
    m: &Measurement,
) -> (String, String) {
    let r = (m.feature().is_some())
        .then(|| resolve(ctx, criterion, c))
        .flatten();
    words(
        ctx,
        criterion.radius_m.unwrap_or(DEFAULT_RADIUS_M),
        r.as_ref(),
    )
}

/// The reason for a traffic figure (bokmål, English): where it comes from and how the heavy
/// count follows. `r` is None where no E or R road lies within `radius_m`.
pub fn words(ctx: &ScoringContext, radius_m: f64, r: Option<&Resolved>) -> (String, String) {
    let radius = metres(radius_m);
    let Some(r) = r else {
        return (
            format!("ingen E- eller R-veg innen {radius}"),
            format!("no E or R road within {radius}"),
        );
    };
    let road = &ctx.region.roads[r.road].attrs;
    let road_name = road
        .reference()
        .unwrap_or_else(|| road.category.code().to_string());
    let heavy = thousands(r.heavy);
    match (r.basis, r.traffic) {
        (Basis::Proxy, _) => (
            format!("{road_name}: anslått {heavy} tunge kjøretøy/døgn ut fra vegkategori {} (ingen trafikkdata for vegen)", road.category.code()),
            format!("{road_name}: estimated {heavy} heavy vehicles/day from road class {} (no traffic data for the road)", road.category.code()),
        ),
        (Basis::RoadField, _) | (_, None) => (
            format!("{road_name}: {heavy} tunge kjøretøy/døgn (ÅDT i veglenkens data)"),
            format!("{road_name}: {heavy} heavy vehicles/day (AADT in the road link's data)"),
        ),
        (_, Some(t)) => {
            let f = &ctx.region.traffic[t];
            let tr = &f.attrs;
            let aadt = thousands(tr.aadt);
            let pct = format!("{:.0} %", r.heavy_share.unwrap_or(0.0) * 100.0);
            let (share_nb, share_en) = if r.share_assumed {
                (format!("{pct} tunge antatt"), format!("{pct} heavy assumed"))
            } else {
                (format!("{pct} lange kjøretøy"), format!("{pct} long vehicles"))
            };
            let label = match &tr.name {
                Some(n) if tr.basis == TrafficBasis::Counted => {
                    if crate::domain::traffic::road_in_name(n).is_some() {
                        n.clone()
                    } else {
                        format!("{road_name} {n}")
                    }
                }
                _ => road_name.clone(),
            };
            let (src_nb, src_en) = match tr.basis {
                TrafficBasis::Counted => {
                    let period = tr.period.clone().unwrap_or_default();
                    let days = tr.days.unwrap_or(0);
                    (
                        format!("tellepunkt {}, {}, {days} hele døgn", f.id, period_text(&period, &MONTHS_NB)),
                        format!("counting point {}, {}, {days} complete days", f.id, period_text(&period, &MONTHS_EN)),
                    )
                }
                TrafficBasis::Measured => {
                    let year = tr.year.map(|y| format!(", {y}")).unwrap_or_default();
                    let what = if r.basis == Basis::Segment { "NVDB" } else { "punkt" };
                    (format!("{what} {}{year}", f.id), format!("{} {}{year}", if r.basis == Basis::Segment { "NVDB" } else { "point" }, f.id))
                }
            };
            let carried = match r.along_m {
                Some(a) if a > 0.0 => (
                    format!("; overført {} langs vegen", metres(a)),
                    format!("; carried {} along the road", metres(a)),
                ),
                _ => (String::new(), String::new()),
            };
            let (volume_nb, volume_en) = if tr.basis == TrafficBasis::Counted {
                (
                    format!("{aadt} kjøretøy/døgn målt"),
                    format!("{aadt} vehicles/day counted"),
                )
            } else {
                (
                    format!("ÅDT {aadt} kjøretøy/døgn"),
                    format!("AADT {aadt} vehicles/day"),
                )
            };
            (
                format!("{label}: {volume_nb} ({src_nb}{}), {share_nb} → {heavy} tunge/døgn", carried.0),
                format!("{label}: {volume_en} ({src_en}{}), {share_en} → {heavy} heavy/day", carried.1),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::layers::RoadCategory;

    #[test]
    fn the_proxy_table_ranks_europaveg_above_riksveg_above_fylkesveg() {
        let e = proxy_aadt(RoadCategory::European);
        let r = proxy_aadt(RoadCategory::National);
        let f = proxy_aadt(RoadCategory::County);
        assert!(e > r && r > f && f > 0.0, "{e} {r} {f}");
        assert_eq!(proxy_aadt(RoadCategory::Other), 0.0);
    }

    #[test]
    fn every_road_class_has_an_assumed_heavy_share_between_zero_and_one() {
        for c in [
            RoadCategory::European,
            RoadCategory::National,
            RoadCategory::County,
            RoadCategory::Municipal,
            RoadCategory::Private,
            RoadCategory::Other,
        ] {
            let s = assumed_share(c);
            assert!(s > 0.0 && s < 1.0, "{c:?} {s}");
        }
        assert_eq!(assumed_share(RoadCategory::European), 0.10);
    }

    #[test]
    fn figures_read_with_norwegian_thousands_and_periods_with_month_names() {
        assert_eq!(thousands(81_047.6), "81 048");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_234_567.0), "1 234 567");
        assert_eq!(
            period_text("2026-04-12–2026-04-15", &MONTHS_NB),
            "april 2026"
        );
        assert_eq!(period_text("2025", &MONTHS_NB), "2025");
        assert_eq!(
            period_text("2026-03-30–2026-04-02", &MONTHS_EN),
            "2026-03-30–2026-04-02"
        );
    }
}
