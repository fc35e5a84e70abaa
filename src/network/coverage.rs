//! Station spacing along the corridors against the AFIR rules: which stations count, where
//! they meet each corridor, the gaps between them, and the share of length covered.

use geo::{Contains, LineString, Point};
use serde::Serialize;

use super::corridor::substring;
use super::Network;
use crate::domain::afir::{spacing, Fuel, Rule, Rules, Spacing, Tent};
use crate::domain::layers::StationKind;
use crate::domain::Region;

/// Why a planned station counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// In the stations layer.
    Existing,
    /// A candidate whose review status is approved.
    Approved,
    /// A candidate whose review status is built.
    Built,
    /// Given by the planner (`--assume`, `assume=`), or picked by site selection.
    Assumed,
}

/// A station that is not (yet) in the stations layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub id: String,
    pub name: Option<String>,
    /// EPSG:25833.
    pub point: [f64; 2],
    pub kind: StationKind,
    pub origin: Origin,
}

/// A station placed on a corridor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counted {
    pub id: String,
    pub name: Option<String>,
    pub origin: Origin,
    pub chainage_km: f64,
    pub access_km: f64,
    pub power_kw: Option<f64>,
}

/// A stretch longer than the rule allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub corridor: String,
    pub from_km: f64,
    pub to_km: f64,
    pub length_km: f64,
    /// Kilometres beyond the allowed spacing.
    pub excess_km: f64,
    /// Touches a corridor end.
    pub open_end: bool,
    #[serde(skip)]
    pub geometry: LineString<f64>,
}

/// One corridor against one rule.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub rule: String,
    pub year: u16,
    pub fuel: Fuel,
    pub max_spacing_km: f64,
    pub min_share: f64,
    pub min_pool_kw: Option<f64>,
    pub max_access_km: f64,
    pub source: String,
    pub stations: Vec<Counted>,
    /// Stations of the right kind near the corridor that do not count: too little power,
    /// or not built for heavy vehicles.
    pub not_counted: Vec<NotCounted>,
    pub gaps: Vec<Gap>,
    pub covered_km: f64,
    pub share_covered: f64,
    pub pass: bool,
    /// Passes with no station counted: only because corridor ends count as served.
    pub rests_on_ends: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotCounted {
    pub id: String,
    pub name: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorridorReport {
    pub name: String,
    pub tent: Tent,
    pub refs: Vec<String>,
    pub length_km: f64,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UrbanNodeReport {
    pub name: String,
    pub kommunenummer: String,
    pub fuel: Fuel,
    pub rule: String,
    pub stations: Vec<String>,
    pub pass: bool,
}

/// The whole report for one rule year.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub year: u16,
    /// Power requirements were ignored (`--ignore-power`): spacing alone.
    pub ignore_power: bool,
    pub corridors: Vec<CorridorReport>,
    pub urban_nodes: Vec<UrbanNodeReport>,
    /// Corridors the data could not resolve, and other problems.
    pub problems: Vec<String>,
    pub assumptions: Vec<String>,
}

impl Report {
    pub fn gaps(&self) -> impl Iterator<Item = (&CorridorReport, &Check, &Gap)> {
        self.corridors.iter().flat_map(|c| {
            c.checks
                .iter()
                .flat_map(move |k| k.gaps.iter().map(move |g| (c, k, g)))
        })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub ignore_power: bool,
}

/// Where the stations of `fuel` that count for `rule` meet corridor `ci`.
pub fn place_stations(
    network: &Network,
    region: &Region,
    rule: &Rule,
    ci: usize,
    planned: &[Planned],
    options: Options,
) -> (Vec<Counted>, Vec<NotCounted>) {
    let kind = rule.fuel.station_kind();
    let limit = rule.max_access_km * 1000.0;
    let mut counted = Vec::new();
    let mut not_counted = Vec::new();
    for s in region.stations.iter().filter(|s| s.attrs.kind == kind) {
        let Some(p) = point_of(&s.geometry) else {
            continue;
        };
        let Ok(Some(pos)) = network.position(ci, p, limit, &s.id) else {
            continue;
        };
        let a = &s.attrs;
        let reason = match (rule.fuel, a.power_kw, rule.min_pool_kw) {
            (Fuel::Electric, _, _) if !a.heavy => {
                Some("ikke bygget for tunge kjøretøy / not built for heavy vehicles".to_string())
            }
            (_, Some(kw), Some(min)) if kw < min && !options.ignore_power => Some(format!(
                "{kw:.0} kW, regelen krever {min:.0} kW / {kw:.0} kW, the rule asks for {min:.0} kW"
            )),
            _ => match (a.max_point_kw, rule.min_point_kw) {
                (Some(kw), Some(min)) if kw < min && !options.ignore_power => Some(format!(
                    "sterkeste ladepunkt {kw:.0} kW, regelen krever et på {min:.0} kW / strongest point {kw:.0} kW, the rule asks for one of {min:.0} kW"
                )),
                _ => None,
            },
        };
        match reason {
            Some(reason) => not_counted.push(NotCounted {
                id: s.id.clone(),
                name: a.name.clone(),
                reason,
            }),
            None => counted.push(Counted {
                id: s.id.clone(),
                name: a.name.clone(),
                origin: Origin::Existing,
                chainage_km: pos.chainage_m / 1000.0,
                access_km: pos.access_m / 1000.0,
                power_kw: a.power_kw,
            }),
        }
    }
    for s in planned.iter().filter(|s| s.kind == kind) {
        if let Ok(Some(pos)) = network.position(ci, s.point, limit, &s.id) {
            counted.push(Counted {
                id: s.id.clone(),
                name: s.name.clone(),
                origin: s.origin,
                chainage_km: pos.chainage_m / 1000.0,
                access_km: pos.access_m / 1000.0,
                power_kw: None,
            });
        }
    }
    counted.sort_by(|a, b| a.chainage_km.total_cmp(&b.chainage_km));
    (counted, not_counted)
}

/// A point for a station geometry: the point itself, or the centre of its bounds.
pub fn point_of(g: &geo::Geometry<f64>) -> Option<[f64; 2]> {
    use geo::BoundingRect;
    match g {
        geo::Geometry::Point(p) => Some([p.x(), p.y()]),
        other => other.bounding_rect().map(|r| {
            let c = r.center();
            [c.x, c.y]
        }),
    }
}

/// Gaps of a spacing, with their geometry along corridor `ci`.
pub fn gaps_of(network: &Network, ci: usize, s: &Spacing, max_spacing_km: f64) -> Vec<Gap> {
    let c = &network.corridors[ci];
    s.gaps()
        .map(|g| Gap {
            corridor: c.name.clone(),
            from_km: g.from_km,
            to_km: g.to_km,
            length_km: g.length_km,
            excess_km: g.length_km - max_spacing_km,
            open_end: g.open_end,
            geometry: substring(&c.line, g.from_km * 1000.0, g.to_km * 1000.0),
        })
        .collect()
}

/// Check every resolved corridor against the rules of `year`.
pub fn analyse(
    network: &Network,
    region: &Region,
    rules: &Rules,
    year: u16,
    planned: &[Planned],
    options: Options,
) -> Report {
    let mut corridors = Vec::new();
    for (ci, c) in network.corridors.iter().enumerate() {
        let mut checks = Vec::new();
        for rule in rules
            .0
            .iter()
            .filter(|r| r.year == year && r.network == c.tent)
        {
            let (stations, not_counted) =
                place_stations(network, region, rule, ci, planned, options);
            let chain: Vec<f64> = stations.iter().map(|s| s.chainage_km).collect();
            let s = spacing(c.length_m / 1000.0, &chain, rule.max_spacing_km);
            checks.push(Check {
                rule: rule.id.clone(),
                year: rule.year,
                fuel: rule.fuel,
                max_spacing_km: rule.max_spacing_km,
                min_share: rule.min_share,
                min_pool_kw: if options.ignore_power {
                    None
                } else {
                    rule.min_pool_kw
                },
                max_access_km: rule.max_access_km,
                source: rule.source.clone(),
                gaps: gaps_of(network, ci, &s, rule.max_spacing_km),
                covered_km: s.covered_km,
                share_covered: s.share,
                pass: s.share + 1e-12 >= rule.min_share,
                rests_on_ends: stations.is_empty() && s.share + 1e-12 >= rule.min_share,
                stations,
                not_counted,
            });
        }
        corridors.push(CorridorReport {
            name: c.name.clone(),
            tent: c.tent,
            refs: c.refs.iter().map(|r| r.to_string()).collect(),
            length_km: c.length_m / 1000.0,
            checks,
        });
    }
    let mut problems: Vec<String> = network.problems.iter().map(|p| p.to_string()).collect();
    let mut urban_nodes = Vec::new();
    for rule in rules.0.iter().filter(|r| r.year == year && r.urban_nodes) {
        let kind = rule.fuel.station_kind();
        for node in &network.urban_nodes {
            let Some(area) = region
                .boundary
                .iter()
                .find(|m| m.attrs.number == node.kommunenummer)
            else {
                problems.push(format!(
                    "urban node '{}': kommunenummer {} is not in the boundary layer. Hint: check [[urban_node]] in the corridors file",
                    node.name, node.kommunenummer
                ));
                continue;
            };
            let inside = |p: [f64; 2]| area.geometry.contains(&Point::new(p[0], p[1]));
            let mut stations: Vec<String> = region
                .stations
                .iter()
                .filter(|s| s.attrs.kind == kind)
                .filter(|s| point_of(&s.geometry).is_some_and(inside))
                .map(|s| s.id.clone())
                .collect();
            stations.extend(
                planned
                    .iter()
                    .filter(|s| s.kind == kind && inside(s.point))
                    .map(|s| s.id.clone()),
            );
            urban_nodes.push(UrbanNodeReport {
                name: node.name.clone(),
                kommunenummer: node.kommunenummer.clone(),
                fuel: rule.fuel,
                rule: rule.id.clone(),
                pass: !stations.is_empty(),
                stations,
            });
        }
    }
    Report {
        year,
        ignore_power: options.ignore_power,
        corridors,
        urban_nodes,
        problems,
        assumptions: assumptions(network),
    }
}

/// What the analysis assumes, printed with every report.
fn assumptions(network: &Network) -> Vec<String> {
    vec![
        "Korridorendene regnes som om en stasjon står like utenfor / corridor ends count as if a station stood just beyond them".into(),
        "Begge kjøreretninger vurderes samlet; AFIR krever hver retning / both directions are assessed together; AFIR asks for each direction".into(),
        format!(
            "Stasjoner teller innen regelens kjøreavstand fra korridoren; punkter mer enn {:.0} m fra veg er utenfor nettet / stations count within the rule's driving distance of the corridor; points more than {:.0} m from a road are off the network",
            network.settings.point_snap_m, network.settings.point_snap_m
        ),
        "Godkjente, bygde og antatte kandidater regnes som bygget etter regelens effektkrav / approved, built and assumed candidates are taken as built to the rule's power".into(),
    ]
}

/// What counting one more station changes on one corridor check: the gaps around it before
/// and after, and the share covered. Only checks where the station counts are listed.
#[derive(Debug, Clone, Serialize)]
pub struct GapChange {
    pub corridor: String,
    pub rule: String,
    pub fuel: Fuel,
    pub year: u16,
    pub chainage_km: f64,
    pub access_km: f64,
    /// The gaps the station falls in before it is counted.
    pub closes: Vec<Gap>,
    /// What is left of them with the station counted.
    pub left: Vec<Gap>,
    pub share_before: f64,
    pub share_after: f64,
    pub pass_before: bool,
    pub pass_after: bool,
}

/// Compares a report without the station `id` against one with it (same rules, same
/// corridors, so the checks line up by position).
pub fn site_effect(before: &Report, after: &Report, id: &str) -> Vec<GapChange> {
    let mut out = Vec::new();
    for (cb, ca) in before.corridors.iter().zip(&after.corridors) {
        for (kb, ka) in cb.checks.iter().zip(&ca.checks) {
            let Some(me) = ka.stations.iter().find(|s| s.id == id) else {
                continue;
            };
            let at = me.chainage_km;
            let closes: Vec<Gap> = kb
                .gaps
                .iter()
                .filter(|g| g.from_km <= at && at <= g.to_km)
                .cloned()
                .collect();
            let (lo, hi) = closes
                .iter()
                .fold((at, at), |(lo, hi), g| (lo.min(g.from_km), hi.max(g.to_km)));
            let left = ka
                .gaps
                .iter()
                .filter(|g| g.to_km > lo && g.from_km < hi)
                .cloned()
                .collect();
            out.push(GapChange {
                corridor: cb.name.clone(),
                rule: kb.rule.clone(),
                fuel: kb.fuel,
                year: kb.year,
                chainage_km: at,
                access_km: me.access_km,
                closes,
                left,
                share_before: kb.share_covered,
                share_after: ka.share_covered,
                pass_before: kb.pass,
                pass_after: ka.pass,
            });
        }
    }
    out
}
