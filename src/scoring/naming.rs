//! Names for site areas, built from the data around the area's best candidate, so a
//! coordination group can say them aloud: "E18 ved Larvik", "E6 4 km sør for Jessheim,
//! Ullensaker", "Lierstranda næringsområde, Lier".
//!
//! The parts, in order of preference:
//! - the road: the nearest E or R road within 2 km (its reference, "E18"), else a numbered
//!   road within 500 m;
//! - the anchor: the candidate's own name (a named parcel or site); else a named terminal or
//!   port within 1.5 km; else the nearest named place within 20 km (the region's `places`
//!   layer); else a named substation within 3 km;
//! - the municipality of the best candidate.
//!
//! An anchor farther than 1.5 km is given with distance and compass direction from it.

use serde::Serialize;

use super::candidates::Candidate;
use super::context::ScoringContext;

const ROAD_REACH_M: f64 = 2000.0;
const LOCAL_ROAD_REACH_M: f64 = 500.0;
const TERMINAL_REACH_M: f64 = 1500.0;
const PLACE_REACH_M: f64 = 20_000.0;
const SUBSTATION_REACH_M: f64 = 3000.0;
/// Within this, an area is "at" its anchor; farther, it is "N km east of" it.
const NEAR_M: f64 = 1500.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaName {
    /// Bokmål.
    pub name: String,
    pub name_en: String,
    /// The road reference the name uses ("E18").
    pub road: Option<String>,
    /// The place, terminal, site or substation the name refers to.
    pub anchor: Option<String>,
    /// Straight-line metres from the anchor to the best candidate.
    pub anchor_distance_m: Option<f64>,
    pub municipality: Option<String>,
}

fn road(ctx: &ScoringContext, p: [f64; 2]) -> Option<String> {
    let main = ctx
        .main_roads
        .index
        .nearest(p)
        .filter(|(_, d)| *d <= ROAD_REACH_M)
        .and_then(|(i, _)| {
            ctx.region.roads[ctx.main_roads.original(i)]
                .attrs
                .reference()
        });
    main.or_else(|| {
        ctx.roads
            .index
            .within(p, LOCAL_ROAD_REACH_M)
            .into_iter()
            .filter_map(|(i, d)| {
                let r = ctx.region.roads[ctx.roads.original(i)].attrs.reference()?;
                Some((d, r))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
            .map(|(_, r)| r)
    })
}

fn anchor(ctx: &ScoringContext, c: &Candidate) -> Option<(String, f64, [f64; 2])> {
    if let Some(n) = c.name.as_ref().filter(|n| !n.trim().is_empty()) {
        return Some((n.trim().to_string(), 0.0, c.point));
    }
    let named = |name: &Option<String>| name.as_ref().filter(|n| !n.trim().is_empty()).cloned();
    let region = ctx.region;
    let terminal = ctx
        .terminals
        .within(c.point, TERMINAL_REACH_M)
        .into_iter()
        .filter_map(|(i, d)| {
            let t = &region.terminals[i as usize];
            Some((d, named(&t.attrs.name)?, i))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)))
        .map(|(d, n, i)| (n, d, i, 0));
    let place = ctx
        .places
        .nearest(c.point)
        .filter(|(_, d)| *d <= PLACE_REACH_M)
        .map(|(i, d)| (region.places[i as usize].attrs.name.clone(), d, i, 1));
    // Substations as points only: grid companies publish some as service areas, whose names
    // ("Telemark og Vestfold") say nothing about the site.
    let substation = || {
        ctx.grid
            .within(c.point, SUBSTATION_REACH_M)
            .into_iter()
            .filter(|(i, _)| matches!(region.grid[*i as usize].geometry, geo::Geometry::Point(_)))
            .filter_map(|(i, d)| Some((d, named(&region.grid[i as usize].attrs.name)?, i)))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)))
            .map(|(d, n, i)| (n, d, i, 2))
    };
    // A terminal or place the site is at wins, the nearer of the two; else the nearest place.
    let near = [terminal, place.clone()]
        .into_iter()
        .flatten()
        .filter(|a| a.1 <= NEAR_M)
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.3.cmp(&b.3)));
    let (name, d, i, layer) = near.or(place).or_else(substation)?;
    let at = match layer {
        0 => representative(&region.terminals[i as usize].geometry),
        1 => representative(&region.places[i as usize].geometry),
        _ => representative(&region.grid[i as usize].geometry),
    }
    .unwrap_or(c.point);
    Some((name, d, at))
}

fn representative(g: &geo::Geometry<f64>) -> Option<[f64; 2]> {
    super::candidates::measurement_point(g)
}

/// Compass direction from `from` to `to`: bokmål and English.
fn direction(from: [f64; 2], to: [f64; 2]) -> (&'static str, &'static str) {
    const NB: [&str; 8] = [
        "øst", "nordøst", "nord", "nordvest", "vest", "sørvest", "sør", "sørøst",
    ];
    const EN: [&str; 8] = [
        "east",
        "northeast",
        "north",
        "northwest",
        "west",
        "southwest",
        "south",
        "southeast",
    ];
    let angle = (to[1] - from[1]).atan2(to[0] - from[0]).to_degrees();
    let sector = (((angle + 360.0 + 22.5) % 360.0) / 45.0).floor() as usize % 8;
    (NB[sector], EN[sector])
}

/// The name of an area whose best candidate is `c`.
pub fn name(ctx: &ScoringContext, c: &Candidate) -> AreaName {
    let municipality = c
        .municipality
        .map(|m| ctx.region.boundary[m as usize].attrs.name.clone());
    let road = road(ctx, c.point);
    let anchor = anchor(ctx, c);
    let with_road = |nb: String, en: String| match &road {
        Some(r) => (format!("{r} {nb}"), format!("{r} {en}")),
        None => (nb, en),
    };
    let (mut nb, mut en) = match &anchor {
        Some((a, 0.0, _)) if c.name.is_some() => (a.clone(), a.clone()),
        Some((a, d, _)) if *d <= NEAR_M => match &road {
            Some(r) => (format!("{r} ved {a}"), format!("{r} near {a}")),
            None => (a.clone(), a.clone()),
        },
        Some((a, d, at)) => {
            let (dnb, den) = direction(*at, c.point);
            let km = (d / 1000.0).round();
            with_road(
                format!("{km:.0} km {dnb} for {a}"),
                format!("{km:.0} km {den} of {a}"),
            )
        }
        None => match (&road, &municipality) {
            (Some(r), Some(m)) => (format!("{r} i {m}"), format!("{r} in {m}")),
            (Some(r), None) => (r.clone(), r.clone()),
            (None, _) => (String::new(), String::new()),
        },
    };
    let anchor_is_municipality = anchor.as_ref().map(|a| &a.0) == municipality.as_ref();
    if let Some(m) = &municipality {
        if nb.is_empty() {
            (nb, en) = (m.clone(), m.clone());
        } else if !anchor_is_municipality && anchor.is_some() {
            nb = format!("{nb}, {m}");
            en = format!("{en}, {m}");
        }
    }
    if nb.is_empty() {
        // No road, place or municipality: say where it is.
        (nb, en) = (
            format!("Område ved {:.0} Ø {:.0} N", c.point[0], c.point[1]),
            format!("Area at {:.0} E {:.0} N", c.point[0], c.point[1]),
        );
    }
    AreaName {
        name: nb,
        name_en: en,
        road,
        anchor_distance_m: anchor.as_ref().map(|a| a.1),
        anchor: anchor.map(|a| a.0),
        municipality,
    }
}

/// Make names unique in list order: the second "E6 ved Ski, Nordre Follo" becomes
/// "E6 ved Ski, Nordre Follo (2)".
pub fn disambiguate(names: &mut [AreaName]) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for n in names.iter_mut() {
        let count = seen.entry(n.name.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            n.name = format!("{} ({count})", n.name);
            n.name_en = format!("{} ({count})", n.name_en);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_follow_the_compass() {
        assert_eq!(direction([0.0, 0.0], [0.0, 10.0]).0, "nord");
        assert_eq!(direction([0.0, 0.0], [10.0, -10.0]).1, "southeast");
        assert_eq!(direction([0.0, 0.0], [-10.0, 0.1]).0, "vest");
    }
}
