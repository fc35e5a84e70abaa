//! Hard constraints. A site that fails any is excluded, and every failure is listed.

use serde::Serialize;

use crate::domain::landuse::LandUseClass;
use crate::domain::profile::Profile;

use super::candidates::Candidate;
use super::context::ScoringContext;
use super::criteria::metres;

/// One failed constraint, kept compact (a grid run has hundreds of thousands of sites);
/// its reason is written out when asked for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "constraint", rename_all = "snake_case")]
pub enum Failure {
    LanduseForbidden {
        class: LandUseClass,
    },
    LanduseNotAllowed {
        class: LandUseClass,
    },
    LanduseUnknown,
    TooFarFromMainRoad {
        distance_m: f64,
        limit_m: f64,
    },
    NoMainRoad,
    TooFarFromCorridor {
        distance_m: f64,
        limit_m: f64,
    },
    /// Off the road network, or no corridor reachable.
    NoCorridorAccess {
        /// Metres to the nearest road; NaN when a road is near but no corridor is reachable.
        road_m: f64,
    },
    TooSmall {
        area_m2: f64,
        min_m2: f64,
    },
    InExclusion {
        feature: u32,
    },
    TooCloseToSensitiveLand {
        distance_m: f64,
        limit_m: f64,
        landuse: u32,
    },
    /// The profile's grid rule is a constraint and the best substation within reach has
    /// less free than the station's 2030 peak power (default scenario, an estimate).
    GridShort2030 {
        peak_mw: f64,
        free_mw: f64,
    },
}

/// Check every constraint of `profile`; `main_road_m` is the measured distance to an E or R road.
pub fn check(
    ctx: &ScoringContext,
    profile: &Profile,
    c: &Candidate,
    main_road_m: f64,
) -> Vec<Failure> {
    let k = &profile.constraints;
    let mut out = Vec::new();
    match c.landuse {
        Some(class) => {
            if k.forbidden_landuse.contains(&class) {
                out.push(Failure::LanduseForbidden { class });
            } else if k
                .allowed_landuse
                .as_ref()
                .is_some_and(|a| !a.contains(&class))
            {
                out.push(Failure::LanduseNotAllowed { class });
            }
        }
        None if k.exclude_unknown_landuse => out.push(Failure::LanduseUnknown),
        None => {}
    }
    if let Some(limit) = k.max_main_road_distance_m {
        if main_road_m.is_nan() {
            out.push(Failure::NoMainRoad);
        } else if main_road_m > limit {
            out.push(Failure::TooFarFromMainRoad {
                distance_m: main_road_m,
                limit_m: limit,
            });
        }
    }
    if let (Some(limit), Some(n)) = (k.max_corridor_access_m, &ctx.network) {
        match n.corridor_access(c.point, &c.id) {
            Ok(Some((d, _))) if d <= limit => {}
            Ok(Some((d, _))) => out.push(Failure::TooFarFromCorridor {
                distance_m: d,
                limit_m: limit,
            }),
            Ok(None) => out.push(Failure::NoCorridorAccess { road_m: f64::NAN }),
            Err(crate::network::NetworkError::OffNetwork { distance_m, .. }) => {
                out.push(Failure::NoCorridorAccess { road_m: distance_m })
            }
            Err(_) => out.push(Failure::NoCorridorAccess { road_m: f64::NAN }),
        }
    }
    if let (Some(min), Some(area)) = (k.min_area_m2, c.area_m2) {
        if area < min {
            out.push(Failure::TooSmall {
                area_m2: area,
                min_m2: min,
            });
        }
    }
    if !k.exclusion_kinds.is_empty() {
        let hits: Vec<u32> = match &c.geometry {
            geo::Geometry::Point(_) => ctx.exclusion.containing(c.point),
            g => match crate::index::polygons::as_multipolygon(g) {
                Some(shape) => ctx
                    .exclusion
                    .overlap_areas(&shape)
                    .into_iter()
                    .map(|(i, _)| i)
                    .collect(),
                None => ctx.exclusion.containing(c.point),
            },
        };
        for i in hits {
            if k.exclusion_kinds
                .contains(&ctx.region.exclusion[i as usize].attrs.kind)
            {
                out.push(Failure::InExclusion { feature: i });
            }
        }
    }
    if let (Some(limit), false) = (k.safety_distance_m, k.safety_classes.is_empty()) {
        let near = ctx
            .landuse
            .within(c.point, limit)
            .into_iter()
            .find(|(i, _)| {
                k.safety_classes
                    .contains(&ctx.region.landuse[*i as usize].attrs.class)
            });
        if let Some((i, d)) = near {
            out.push(Failure::TooCloseToSensitiveLand {
                distance_m: d,
                limit_m: limit,
                landuse: i,
            });
        }
    }
    if profile.grid_2030 == crate::domain::profile::GridRule::Constraint {
        // Unknown capacity is not a failure: the data say nothing either way.
        if let Some(s) = super::sizing::in_2030(ctx, profile, c.point) {
            if let crate::domain::sizing::Grid::Short { free_mw, .. } = s.grid {
                out.push(Failure::GridShort2030 {
                    peak_mw: s.peak_mw,
                    free_mw,
                });
            }
        }
    }
    out
}

/// A failure as plain numbers: tag (its place in `check`'s order), land-use class index
/// (`u8::MAX` for none), a feature index (`u32::MAX` for none) and two numbers as bits.
pub type Fields = (u8, u8, u32, u64, u64);

impl Failure {
    /// Its plain numbers: equal fields are the same failure, NaN included.
    pub fn fields(&self) -> Fields {
        const NONE: u32 = u32::MAX;
        let (tag, class, feature, a, b) = match *self {
            Failure::LanduseForbidden { class } => (0, Some(class), NONE, 0.0, 0.0),
            Failure::LanduseNotAllowed { class } => (1, Some(class), NONE, 0.0, 0.0),
            Failure::LanduseUnknown => (2, None, NONE, 0.0, 0.0),
            Failure::TooFarFromMainRoad {
                distance_m,
                limit_m,
            } => (3, None, NONE, distance_m, limit_m),
            Failure::NoMainRoad => (4, None, NONE, 0.0, 0.0),
            Failure::TooFarFromCorridor {
                distance_m,
                limit_m,
            } => (5, None, NONE, distance_m, limit_m),
            Failure::NoCorridorAccess { road_m } => (6, None, NONE, road_m, 0.0),
            Failure::TooSmall { area_m2, min_m2 } => (7, None, NONE, area_m2, min_m2),
            Failure::InExclusion { feature } => (8, None, feature, 0.0, 0.0),
            Failure::TooCloseToSensitiveLand {
                distance_m,
                limit_m,
                landuse,
            } => (9, None, landuse, distance_m, limit_m),
            Failure::GridShort2030 { peak_mw, free_mw } => (10, None, NONE, peak_mw, free_mw),
        };
        let class = class.map_or(u8::MAX, |c: LandUseClass| {
            LandUseClass::ALL
                .iter()
                .position(|&k| k == c)
                .map_or(u8::MAX, |i| i as u8)
        });
        (tag, class, feature, f64::to_bits(a), f64::to_bits(b))
    }

    /// Back from `fields`; the reason when they are not a failure.
    pub fn from_fields((tag, class, feature, a, b): Fields) -> Result<Failure, String> {
        let (a, b) = (f64::from_bits(a), f64::from_bits(b));
        let class = || {
            LandUseClass::ALL
                .get(class as usize)
                .copied()
                .ok_or_else(|| format!("failure {tag} without a land-use class"))
        };
        Ok(match tag {
            0 => Failure::LanduseForbidden { class: class()? },
            1 => Failure::LanduseNotAllowed { class: class()? },
            2 => Failure::LanduseUnknown,
            3 => Failure::TooFarFromMainRoad {
                distance_m: a,
                limit_m: b,
            },
            4 => Failure::NoMainRoad,
            5 => Failure::TooFarFromCorridor {
                distance_m: a,
                limit_m: b,
            },
            6 => Failure::NoCorridorAccess { road_m: a },
            7 => Failure::TooSmall {
                area_m2: a,
                min_m2: b,
            },
            8 => Failure::InExclusion { feature },
            9 => Failure::TooCloseToSensitiveLand {
                distance_m: a,
                limit_m: b,
                landuse: feature,
            },
            10 => Failure::GridShort2030 {
                peak_mw: a,
                free_mw: b,
            },
            other => return Err(format!("unknown failure kind {other}")),
        })
    }

    /// Its place in `check`'s order.
    pub fn order(&self) -> u8 {
        self.fields().0
    }

    /// The reason in plain words, bokmål and English.
    pub fn reason(&self, ctx: &ScoringContext) -> (String, String) {
        match *self {
            Failure::LanduseForbidden { class } => (
                format!("arealbruken «{class}» er utelukket for denne stasjonstypen"),
                format!("land use '{class}' is ruled out for this station type"),
            ),
            Failure::LanduseNotAllowed { class } => (
                format!("arealbruken «{class}» er ikke blant de tillatte"),
                format!("land use '{class}' is not among the allowed classes"),
            ),
            Failure::LanduseUnknown => (
                "arealbruken er ukjent".into(),
                "the land use is unknown".into(),
            ),
            Failure::TooFarFromMainRoad {
                distance_m,
                limit_m,
            } => (
                format!(
                    "{} fra nærmeste E- eller R-veg; grensen er {}",
                    metres(distance_m),
                    metres(limit_m)
                ),
                format!(
                    "{} from the nearest E or R road; the limit is {}",
                    metres(distance_m),
                    metres(limit_m)
                ),
            ),
            Failure::NoMainRoad => (
                "ingen E- eller R-veg i datagrunnlaget".into(),
                "no E or R road in the data".into(),
            ),
            Failure::TooFarFromCorridor {
                distance_m,
                limit_m,
            } => (
                format!(
                    "{} kjøring fra nærmeste TEN-T-korridor; grensen er {} (AFIR art. 4)",
                    metres(distance_m),
                    metres(limit_m)
                ),
                format!(
                    "{} driving from the nearest TEN-T corridor; the limit is {} (AFIR art. 4)",
                    metres(distance_m),
                    metres(limit_m)
                ),
            ),
            Failure::NoCorridorAccess { road_m } if road_m.is_nan() => (
                "ingen TEN-T-korridor kan nås på vegnettet herfra".into(),
                "no TEN-T corridor can be reached on the road network from here".into(),
            ),
            Failure::NoCorridorAccess { road_m } => (
                format!("{} fra nærmeste veg: ikke på vegnettet", metres(road_m)),
                format!(
                    "{} from the nearest road: not on the road network",
                    metres(road_m)
                ),
            ),
            Failure::TooSmall { area_m2, min_m2 } => (
                format!("arealet {area_m2:.0} m² er under minstekravet {min_m2:.0} m²"),
                format!("the area {area_m2:.0} m² is below the minimum {min_m2:.0} m²"),
            ),
            Failure::InExclusion { feature } => {
                let e = &ctx.region.exclusion[feature as usize];
                let kind = serde_json::to_value(e.attrs.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let name = e.attrs.name.clone().unwrap_or_else(|| e.id.clone());
                (
                    format!("ligger i et utelukket område: {name} ({kind})"),
                    format!("lies in an excluded area: {name} ({kind})"),
                )
            }
            Failure::TooCloseToSensitiveLand {
                distance_m,
                limit_m,
                landuse,
            } => {
                let class = ctx.region.landuse[landuse as usize].attrs.class;
                (
                    format!(
                        "{} fra {class}; sikkerhetsavstanden er {}",
                        metres(distance_m),
                        metres(limit_m)
                    ),
                    format!(
                        "{} from {class}; the safety distance is {}",
                        metres(distance_m),
                        metres(limit_m)
                    ),
                )
            }
            Failure::GridShort2030 { peak_mw, free_mw } => (
                format!(
                    "nettet kan ikke forsyne 2030-størrelsen: stasjonen trenger anslagsvis {peak_mw:.1} MW, beste nettstasjon innen rekkevidde har {free_mw:.1} MW ledig"
                ),
                format!(
                    "the grid cannot feed the 2030 size: the station needs an estimated {peak_mw:.1} MW, the best substation within reach has {free_mw:.1} MW free"
                ),
            ),
        }
    }
}
