//! Heavy traffic passing the site: heavy-vehicle ÅDT on the nearest main road where the data
//! has it, otherwise an estimate from the road's class (`data/traffic-proxy.toml`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::{metres, Measurement};
use crate::domain::layers::RoadCategory;
use crate::domain::profile::Criterion;
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

/// How far the nearest main road may be for its traffic to count.
pub const DEFAULT_RADIUS_M: f64 = 2000.0;

#[derive(Deserialize)]
struct ProxyTable {
    heavy_aadt: BTreeMap<String, f64>,
}

/// The estimated heavy-vehicle ÅDT of a road class.
pub fn proxy_aadt(category: RoadCategory) -> f64 {
    static TABLE: OnceLock<BTreeMap<String, f64>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        // A unit test parses this file, so an empty table here would be a packaging bug.
        toml::from_str::<ProxyTable>(include_str!("../../../data/traffic-proxy.toml"))
            .map(|t| t.heavy_aadt)
            .unwrap_or_default()
    });
    let key = match category {
        RoadCategory::Other => "other",
        other => other.code(),
    };
    table.get(key).copied().unwrap_or(0.0)
}

pub fn heavy_traffic(ctx: &ScoringContext, criterion: &Criterion, c: &Candidate) -> Measurement {
    let radius = criterion.radius_m.unwrap_or(DEFAULT_RADIUS_M);
    match ctx.main_roads.index.nearest(c.point) {
        Some((i, d)) if d <= radius => {
            let road_idx = ctx.main_roads.original(i);
            let road = &ctx.region.roads[road_idx].attrs;
            match road.heavy_aadt {
                Some(aadt) => Measurement::of(aadt, Some(road_idx as u32)),
                None => Measurement {
                    raw: proxy_aadt(road.category),
                    feature: road_idx as u32,
                    estimated: true,
                },
            }
        }
        _ => Measurement::of(0.0, None),
    }
}

pub fn explain(ctx: &ScoringContext, criterion: &Criterion, m: &Measurement) -> (String, String) {
    let radius = metres(criterion.radius_m.unwrap_or(DEFAULT_RADIUS_M));
    let Some(i) = m.feature() else {
        return (
            format!("ingen E- eller R-veg innen {radius}"),
            format!("no E or R road within {radius}"),
        );
    };
    let road = &ctx.region.roads[i].attrs;
    let name = road
        .reference()
        .unwrap_or_else(|| road.category.code().to_string());
    if m.estimated {
        (
            format!("{name}: anslått {:.0} tunge kjøretøy/døgn ut fra vegkategori {} (ÅDT mangler i dataene)", m.raw, road.category.code()),
            format!("{name}: estimated {:.0} heavy vehicles/day from road class {} (no ÅDT in the data)", m.raw, road.category.code()),
        )
    } else {
        (
            format!("{name}: ÅDT {:.0} tunge kjøretøy/døgn", m.raw),
            format!("{name}: AADT {:.0} heavy vehicles/day", m.raw),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_table_ranks_europaveg_above_riksveg_above_fylkesveg() {
        let e = proxy_aadt(RoadCategory::European);
        let r = proxy_aadt(RoadCategory::National);
        let f = proxy_aadt(RoadCategory::County);
        assert!(e > r && r > f && f > 0.0, "{e} {r} {f}");
        assert_eq!(proxy_aadt(RoadCategory::Other), 0.0);
    }
}
