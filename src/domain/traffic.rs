//! ÅDT (annual average daily traffic) from a counting point's hourly volumes, and what a
//! counting point's name says about what it counts. Pure: the CSV is read in `ingest`.
//!
//! How an ÅDT is computed from hours:
//! - an hour counts when its coverage is at least [`MIN_COVERAGE`] %; hours are never scaled up;
//! - a day (the local date the hour starts on) is complete when it has every hour from 00 to
//!   23, each counting, and as many hours as the clock had that day (23 or 25 on the days
//!   daylight saving time starts or ends);
//! - a day's volume is the sum of its hours;
//! - where the latest calendar year has complete days in all 12 months, the ÅDT is the
//!   month-weighted mean of the months' balanced means (below), weighted by days in the
//!   month; the period is that year;
//! - otherwise the ÅDT is the balanced mean of every complete day: 5/7 of the mean weekday
//!   plus 2/7 of the mean weekend day (Saturday and Sunday), so a count over three weekdays
//!   and a Sunday is not weighted 3:1; where only one kind of day was counted, the plain mean
//!   stands, and the value says so;
//! - public holidays count as the weekday they fall on, and no seasonal factor is applied:
//!   a count from a short period is that period's level, not a year's.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::layers::RoadCategory;

/// An hour counts only with at least this much of it covered.
pub const MIN_COVERAGE: f64 = 95.0;

/// A local timestamp as the source wrote it, with its UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    /// Offset from UTC in minutes (+120 for CEST).
    pub offset_min: i32,
}

impl LocalTime {
    /// Parse `2026-04-11 22:00:00+02:00`, `2025-03-26T13:00:00+01:00` or `…Z`.
    pub fn parse(text: &str) -> Result<LocalTime, String> {
        let t = text.trim();
        let bad = || {
            format!("'{t}' is not a timestamp like 2026-04-11 22:00:00+02:00 (date, time and UTC offset)")
        };
        let b = t.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b' ' || b[10] == b'T') {
            return Err(bad());
        }
        let num = |s: &str| -> Result<u32, String> {
            if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse::<u32>().map_err(|_| bad())
        };
        let part = |a: usize, z: usize| t.get(a..z).ok_or_else(bad);
        let year = num(part(0, 4)?)? as i32;
        let month = num(part(5, 7)?)?;
        let day = num(part(8, 10)?)?;
        let hour = num(part(11, 13)?)?;
        let minute = num(part(14, 16)?)?;
        let second = num(part(17, 19)?)?;
        if part(13, 14)? != ":" || part(16, 17)? != ":" {
            return Err(bad());
        }
        let mut rest = t.get(19..).ok_or_else(bad)?;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            rest = &frac[digits..];
        }
        let offset_min = match rest {
            "Z" => 0,
            _ if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) => {
                // Byte ranges: a non-ASCII character here is no offset, and no panic.
                let at = |a: usize, z: usize| rest.get(a..z).ok_or_else(bad);
                if at(3, 4)? != ":" {
                    return Err(bad());
                }
                let h = num(at(1, 3)?)? as i32;
                let m = num(at(4, 6)?)? as i32;
                if h > 14 || m > 59 {
                    return Err(bad());
                }
                let sign = if rest.starts_with('-') { -1 } else { 1 };
                sign * (h * 60 + m)
            }
            _ => return Err(bad()),
        };
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(bad());
        }
        Ok(LocalTime {
            year,
            month,
            day,
            hour,
            minute,
            offset_min,
        })
    }

    pub fn date(&self) -> Date {
        Date {
            year: self.year,
            month: self.month,
            day: self.day,
        }
    }

    /// Minutes since 1970-01-01 00:00 UTC.
    pub fn utc_minutes(&self) -> i64 {
        self.date().days_since_epoch() * 1440 + (self.hour * 60 + self.minute) as i64
            - self.offset_min as i64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Days since 1970-01-01 (proleptic Gregorian; Hinnant's days_from_civil).
    pub fn days_since_epoch(&self) -> i64 {
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// True on Saturdays and Sundays.
    pub fn is_weekend(&self) -> bool {
        // 1970-01-01 was a Thursday: 0 = Thursday, 2 = Saturday, 3 = Sunday.
        matches!(self.days_since_epoch().rem_euclid(7), 2 | 3)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// One hour of one counting point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hour {
    pub from: LocalTime,
    pub volume: f64,
    /// Percent of the hour with valid data.
    pub coverage: f64,
}

/// A counting point's ÅDT and what it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Adt {
    pub aadt: f64,
    /// The mean complete weekday, where weekdays were counted.
    pub weekday: Option<f64>,
    /// The mean complete weekend day, where weekends were counted.
    pub weekend: Option<f64>,
    /// Complete days used.
    pub days: u32,
    /// "2025" for a full year, else "first–last" complete day.
    pub period: String,
    /// The year the value holds for: the full year, or the year of the last complete day.
    pub year: i32,
    /// False where only weekdays or only weekend days were counted.
    pub balanced: bool,
}

/// The complete days of a point's hours: date → volume.
pub fn complete_days(hours: &[Hour]) -> BTreeMap<Date, f64> {
    struct Acc {
        volume: f64,
        n: u32,
        all_counted: bool,
        seen: BTreeMap<(u32, i32), u32>,
    }
    let mut days: BTreeMap<Date, Acc> = BTreeMap::new();
    for h in hours {
        let acc = days.entry(h.from.date()).or_insert(Acc {
            volume: 0.0,
            n: 0,
            all_counted: true,
            seen: BTreeMap::new(),
        });
        acc.volume += h.volume;
        acc.n += 1;
        acc.all_counted &= h.coverage >= MIN_COVERAGE && h.volume.is_finite() && h.volume >= 0.0;
        *acc.seen
            .entry((h.from.hour, h.from.offset_min))
            .or_insert(0) += 1;
    }
    days.into_iter()
        .filter_map(|(date, acc)| {
            let first = acc.seen.keys().find(|(h, _)| *h == 0)?.1;
            let last = acc.seen.keys().rev().find(|(h, _)| *h == 23)?.1;
            // Spring forward (+60 → 23 hours) and fall back (−60 → 25 hours).
            let expected = 24 + (first - last) / 60;
            // Every clock hour of the day: 23 distinct hours on the spring-forward day.
            let distinct = (0..24)
                .filter(|h| acc.seen.keys().any(|(x, _)| x == h))
                .count() as i32;
            let hours_covered = distinct == expected.min(24);
            let no_duplicates = acc.seen.values().all(|&n| n == 1);
            (acc.all_counted && hours_covered && no_duplicates && acc.n as i32 == expected)
                .then_some((date, acc.volume))
        })
        .collect()
}

/// 5/7 of the mean weekday plus 2/7 of the mean weekend day; the plain mean where one
/// kind is missing. Returns (value, weekday mean, weekend mean, balanced).
fn balanced<'a>(
    days: impl Iterator<Item = (&'a Date, &'a f64)>,
) -> (f64, Option<f64>, Option<f64>, bool) {
    let (mut wd, mut nwd, mut we, mut nwe) = (0.0, 0u32, 0.0, 0u32);
    for (d, v) in days {
        if d.is_weekend() {
            we += v;
            nwe += 1;
        } else {
            wd += v;
            nwd += 1;
        }
    }
    let weekday = (nwd > 0).then(|| wd / nwd as f64);
    let weekend = (nwe > 0).then(|| we / nwe as f64);
    match (weekday, weekend) {
        (Some(a), Some(b)) => (a * 5.0 / 7.0 + b * 2.0 / 7.0, weekday, weekend, true),
        (Some(a), None) => (a, weekday, weekend, false),
        (None, Some(b)) => (b, weekday, weekend, false),
        (None, None) => (f64::NAN, None, None, false),
    }
}

/// The ÅDT of a point's hours, by the rules at the top of this module; None without a
/// complete day.
pub fn adt(hours: &[Hour]) -> Option<Adt> {
    let days = complete_days(hours);
    let first = *days.keys().next()?;
    let last = *days.keys().next_back()?;
    // The latest year with complete days in every month.
    let full_year = (first.year..=last.year)
        .rev()
        .find(|&y| (1..=12).all(|m| days.keys().any(|d| d.year == y && d.month == m)));
    if let Some(y) = full_year {
        let mut sum = 0.0;
        let mut n_days = 0;
        let (mut all_balanced, mut year_days) = (true, 0u32);
        for m in 1..=12 {
            let month = days.iter().filter(|(d, _)| d.year == y && d.month == m);
            n_days += month.clone().count() as u32;
            let (mdt, _, _, b) = balanced(month);
            all_balanced &= b;
            sum += mdt * days_in_month(y, m) as f64;
            year_days += days_in_month(y, m);
        }
        let in_year = days.iter().filter(|(d, _)| d.year == y);
        let (_, weekday, weekend, _) = balanced(in_year);
        return Some(Adt {
            aadt: sum / year_days as f64,
            weekday,
            weekend,
            days: n_days,
            period: y.to_string(),
            year: y,
            balanced: all_balanced,
        });
    }
    let (aadt, weekday, weekend, balanced) = balanced(days.iter());
    Some(Adt {
        aadt,
        weekday,
        weekend,
        days: days.len() as u32,
        period: if first == last {
            first.to_string()
        } else {
            format!("{first}–{last}")
        },
        year: last.year,
        balanced,
    })
}

/// What a counting point counts, read from Statens vegvesen's point id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointKind {
    /// Both directions of a road: usable as the road's ÅDT.
    Road,
    /// One direction; `base` is the name without its direction words, for pairing.
    Direction { base: String, dir: Direction },
    /// Not road traffic of the main carriageway: the reason, in English.
    Other(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    North,
    South,
    East,
    West,
    /// "mot X": one direction, towards a place.
    Towards,
}

impl Direction {
    /// True for two points that together count both directions.
    pub fn opposes(self, other: Direction) -> bool {
        use Direction::*;
        matches!(
            (self, other),
            (North, South) | (South, North) | (East, West) | (West, East) | (Towards, Towards)
        )
    }
}

/// The words that give a point's direction.
pub fn direction_word(word: &str) -> Option<Direction> {
    match word.to_lowercase().as_str() {
        "nordgående" => Some(Direction::North),
        "sydgående" | "sørgående" => Some(Direction::South),
        "østgående" => Some(Direction::East),
        "vestgående" => Some(Direction::West),
        _ => None,
    }
}

/// Classify a trafikkdata point: bicycle and pedestrian counters (id with `B`, or "sykkel",
/// "fortau"), ramps, and one-direction points ("nordgående", "mot sentrum").
pub fn classify(point_id: &str, name: &str) -> PointKind {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let bicycle_id = point_id.chars().nth(5).is_some_and(|c| c == 'B');
    if bicycle_id || words.iter().any(|w| w.contains("sykkel") || *w == "fortau") {
        return PointKind::Other("a bicycle or pedestrian counter");
    }
    if words.iter().any(|w| w.contains("rampe")) {
        return PointKind::Other("a ramp, which carries part of a junction's traffic");
    }
    let mut dir = None;
    let mut base = Vec::new();
    let mut skip_next = false;
    for w in &words {
        if skip_next {
            skip_next = false;
            continue;
        }
        if let Some(d) = direction_word(w) {
            dir = Some(d);
        } else if *w == "mot" {
            dir = dir.or(Some(Direction::Towards));
            skip_next = true;
        } else {
            base.push(*w);
        }
    }
    match dir {
        Some(dir) => {
            base.sort_unstable();
            PointKind::Direction {
                base: base.join(" "),
                dir,
            }
        }
        None => PointKind::Road,
    }
}

/// The road a point's name gives: "E6 Manglerud", "Rv 163 Brobekk", "Frognerstranda (E18)",
/// "Rødtvet (Rv.4)", "Hovedkjørefelt Rv150 Grefsen". Returns (category letter, number).
pub fn road_in_name(name: &str) -> Option<(char, u32)> {
    let tokens: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    for (i, t) in tokens.iter().enumerate() {
        let lower = t.to_lowercase();
        let (prefix, rest) = match lower.find(|c: char| c.is_ascii_digit()) {
            Some(p) => lower.split_at(p),
            None => (lower.as_str(), ""),
        };
        let cat = match prefix.trim_end_matches('.') {
            "e" => 'E',
            "rv" | "riksveg" => 'R',
            "fv" | "fylkesveg" => 'F',
            _ => continue,
        };
        let digits = if rest.is_empty() {
            // "Rv 163": the number is the next token.
            tokens.get(i + 1).map(String::as_str).unwrap_or("")
        } else {
            rest
        };
        let n: String = digits.chars().take_while(|c| c.is_ascii_digit()).collect();
        if let Ok(n) = n.parse::<u32>() {
            return Some((cat, n));
        }
    }
    None
}

/// Directional points this far apart or nearer, with the same base name, are one site.
pub const PAIR_DISTANCE_M: f64 = 1000.0;

/// A counting point with its computed ÅDT, in lon/lat.
#[derive(Debug, Clone, PartialEq)]
pub struct CountedPoint {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub adt: Adt,
}

/// Turn counting points into road counts: points that count both directions stand as they
/// are; two one-direction points with the same base name and opposite directions within
/// [`PAIR_DISTANCE_M`] become one count (the sum, at their midpoint, id `A+B`); the rest are
/// left out, each with its reason.
pub fn road_counts(points: Vec<CountedPoint>) -> (Vec<CountedPoint>, Vec<(CountedPoint, String)>) {
    let mut out = Vec::new();
    let mut left_out = Vec::new();
    let mut directional: Vec<(CountedPoint, String, Direction)> = Vec::new();
    for p in points {
        match classify(&p.id, &p.name) {
            PointKind::Road => out.push(p),
            PointKind::Other(why) => left_out.push((p, format!("left out: {why}"))),
            PointKind::Direction { base, dir } => directional.push((p, base, dir)),
        }
    }
    let mut used = vec![false; directional.len()];
    for i in 0..directional.len() {
        if used[i] {
            continue;
        }
        let (a, base, dir) = &directional[i];
        let partner = (i + 1..directional.len())
            .filter(|&j| !used[j])
            .filter(|&j| directional[j].1 == *base && dir.opposes(directional[j].2))
            .map(|j| (j, metres_between(a, &directional[j].0)))
            .filter(|(_, d)| *d <= PAIR_DISTANCE_M)
            .min_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
        if let Some((j, _)) = partner {
            used[i] = true;
            used[j] = true;
            let b = &directional[j].0;
            out.push(CountedPoint {
                id: format!("{}+{}", a.id, b.id),
                name: format!("{} (begge retninger)", base_name(&a.name)),
                lon: (a.lon + b.lon) / 2.0,
                lat: (a.lat + b.lat) / 2.0,
                adt: Adt {
                    aadt: a.adt.aadt + b.adt.aadt,
                    weekday: a.adt.weekday.zip(b.adt.weekday).map(|(x, y)| x + y),
                    weekend: a.adt.weekend.zip(b.adt.weekend).map(|(x, y)| x + y),
                    days: a.adt.days.min(b.adt.days),
                    period: if a.adt.period == b.adt.period {
                        a.adt.period.clone()
                    } else {
                        format!("{}; {}", a.adt.period, b.adt.period)
                    },
                    year: a.adt.year.min(b.adt.year),
                    balanced: a.adt.balanced && b.adt.balanced,
                },
            });
        }
    }
    for (i, (p, _, _)) in directional.into_iter().enumerate() {
        if !used[i] {
            left_out.push((
                p,
                "left out: it counts one direction, and no point for the other direction lies within 1 km under the same name".into(),
            ));
        }
    }
    (out, left_out)
}

/// The name without its direction words ("E6 Sandstuveien Nordgående" → "E6 Sandstuveien").
fn base_name(name: &str) -> String {
    let mut words = Vec::new();
    let mut skip_next = false;
    for w in name.split_whitespace() {
        if skip_next {
            skip_next = false;
        } else if w.eq_ignore_ascii_case("mot") {
            skip_next = true;
        } else if direction_word(w).is_none() {
            words.push(w);
        }
    }
    words.join(" ")
}

/// Great-circle distance in metres, close enough for pairing points a few hundred metres apart.
fn metres_between(a: &CountedPoint, b: &CountedPoint) -> f64 {
    let r = 6_371_000.0_f64;
    let (la, lb) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lb - la;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la.cos() * lb.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

// Estimates by road class (`data/traffic-proxy.toml`), where no count or segment says more.

#[derive(Deserialize)]
struct ProxyTable {
    heavy_aadt: BTreeMap<String, f64>,
    heavy_share: BTreeMap<String, f64>,
}

fn table() -> &'static ProxyTable {
    static TABLE: OnceLock<ProxyTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        // A unit test parses this file, so an empty table here would be a packaging bug.
        toml::from_str::<ProxyTable>(include_str!("../../data/traffic-proxy.toml")).unwrap_or(
            ProxyTable {
                heavy_aadt: BTreeMap::new(),
                heavy_share: BTreeMap::new(),
            },
        )
    })
}

fn key(category: RoadCategory) -> &'static str {
    match category {
        RoadCategory::Other => "other",
        other => other.code(),
    }
}

/// The estimated heavy-vehicle ÅDT of a road class.
pub fn proxy_aadt(category: RoadCategory) -> f64 {
    table()
        .heavy_aadt
        .get(key(category))
        .copied()
        .unwrap_or(0.0)
}

/// The heavy share assumed for a road class where the data give none.
pub fn assumed_share(category: RoadCategory) -> f64 {
    table()
        .heavy_share
        .get(key(category))
        .copied()
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_with_a_non_ascii_offset_is_an_error_not_a_panic() {
        // Found by the traffic_csv fuzz target: the offset was sliced inside a character.
        assert!(LocalTime::parse("2026-04-13 22:00:00+0\u{3bd}:00").is_err());
        assert!(LocalTime::parse("2026-04-13 22:00:00+02\u{3bd}0").is_err());
    }

    fn t(s: &str) -> LocalTime {
        LocalTime::parse(s).unwrap()
    }

    fn day(date: &str, offset: &str, volume: f64) -> Vec<Hour> {
        (0..24)
            .map(|h| Hour {
                from: t(&format!("{date} {h:02}:00:00{offset}")),
                volume,
                coverage: 100.0,
            })
            .collect()
    }

    #[test]
    fn timestamps_parse_with_space_or_t_and_an_offset() {
        let a = t("2026-04-11 22:00:00+02:00");
        assert_eq!(
            (a.year, a.month, a.day, a.hour, a.offset_min),
            (2026, 4, 11, 22, 120)
        );
        let b = t("2025-03-26T13:00:00+01:00");
        assert_eq!((b.hour, b.offset_min), (13, 60));
        assert_eq!(t("2025-03-26T12:00:00Z").utc_minutes(), b.utc_minutes());
        for bad in [
            "2026-13-01 00:00:00+01:00",
            "2026-02-30 00:00:00+01:00",
            "yesterday",
            "2026-04-11 22:00:00",
            "2026-04-11 25:00:00+02:00",
        ] {
            assert!(LocalTime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekends_are_saturday_and_sunday() {
        assert!(t("2026-04-11 00:00:00+02:00").date().is_weekend()); // Saturday
        assert!(t("2026-04-12 00:00:00+02:00").date().is_weekend()); // Sunday
        assert!(!t("2026-04-13 00:00:00+02:00").date().is_weekend()); // Monday
    }

    #[test]
    fn a_day_missing_an_hour_or_with_a_poorly_covered_hour_is_not_complete() {
        let mut hours = day("2026-04-13", "+02:00", 100.0);
        hours.extend(day("2026-04-14", "+02:00", 100.0));
        hours.remove(5);
        hours[30].coverage = 66.67;
        hours.extend(day("2026-04-15", "+02:00", 50.0));
        let days = complete_days(&hours);
        assert_eq!(days.len(), 1);
        assert_eq!(days.values().next(), Some(&1200.0));
    }

    #[test]
    fn the_day_daylight_saving_time_starts_has_23_hours_and_is_complete() {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST.
        let hours: Vec<Hour> = (0..24)
            .filter(|h| *h != 2)
            .map(|h| Hour {
                from: t(&format!(
                    "2026-03-29 {h:02}:00:00{}",
                    if h < 2 { "+01:00" } else { "+02:00" }
                )),
                volume: 10.0,
                coverage: 100.0,
            })
            .collect();
        assert_eq!(hours.len(), 23);
        assert_eq!(complete_days(&hours).values().next(), Some(&230.0));
    }

    #[test]
    fn weekdays_weigh_five_sevenths_and_weekends_two_sevenths() {
        let mut hours = day("2026-04-12", "+02:00", 10.0); // Sunday: 240
        hours.extend(day("2026-04-13", "+02:00", 20.0)); // Monday: 480
        hours.extend(day("2026-04-14", "+02:00", 30.0)); // Tuesday: 720
        let a = adt(&hours).unwrap();
        assert_eq!(a.aadt, 600.0 * 5.0 / 7.0 + 240.0 * 2.0 / 7.0);
        assert_eq!((a.days, a.balanced, a.year), (3, true, 2026));
        assert_eq!(a.period, "2026-04-12–2026-04-14");
    }

    #[test]
    fn a_year_with_complete_days_in_every_month_gives_a_yearly_aadt_for_that_year() {
        let mut hours = Vec::new();
        for m in 1..=12 {
            for d in 1..=days_in_month(2025, m) {
                let date = format!("2025-{m:02}-{d:02}");
                let weekend = t(&format!("{date} 00:00:00+01:00")).date().is_weekend();
                hours.extend(day(&date, "+01:00", if weekend { 50.0 } else { 100.0 }));
            }
        }
        // A few days of 2026 do not make 2026 a full year.
        hours.extend(day("2026-01-05", "+01:00", 500.0));
        let a = adt(&hours).unwrap();
        assert_eq!((a.period.as_str(), a.year, a.days), ("2025", 2025, 365));
        let expected = 2400.0 * 5.0 / 7.0 + 1200.0 * 2.0 / 7.0;
        assert!((a.aadt - expected).abs() < 1e-9, "{} vs {expected}", a.aadt);
    }

    #[test]
    fn the_day_daylight_saving_time_ends_has_25_hours_and_is_complete() {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:00 comes twice.
        let mut hours = Vec::new();
        for h in 0..24 {
            let offsets: &[&str] = match h {
                0 | 1 => &["+02:00"],
                2 => &["+02:00", "+01:00"],
                _ => &["+01:00"],
            };
            for o in offsets {
                hours.push(Hour {
                    from: t(&format!("2026-10-25 {h:02}:00:00{o}")),
                    volume: 10.0,
                    coverage: 100.0,
                });
            }
        }
        assert_eq!(complete_days(&hours).values().next(), Some(&250.0));
    }

    #[test]
    fn weekdays_alone_give_their_mean_and_say_it_is_unbalanced() {
        let a = adt(&day("2026-04-13", "+02:00", 20.0)).unwrap();
        assert_eq!(
            (a.aadt, a.balanced, a.period.as_str()),
            (480.0, false, "2026-04-13")
        );
        assert!(adt(&[]).is_none());
    }

    #[test]
    fn names_tell_ramps_bicycles_and_directions_apart() {
        assert_eq!(classify("13447V625213", "E6 Manglerud"), PointKind::Road);
        assert!(matches!(
            classify("70429B619257", "Frognerstranda 03"),
            PointKind::Other(_)
        ));
        assert!(matches!(
            classify("84604V1", "Helsfyr (fortau)"),
            PointKind::Other(_)
        ));
        assert!(matches!(
            classify("36449V625237", "Skullerud pårampe Sydgående"),
            PointKind::Other(_)
        ));
        let a = classify("04477V625649", "E6 Alnabru sydgående Furuset Helsfyr");
        let b = classify("05120V625649", "E6 Alnabru nordgående Helsfyr Furuset");
        match (a, b) {
            (PointKind::Direction { base: x, .. }, PointKind::Direction { base: y, .. }) => {
                assert_eq!(x, y)
            }
            other => panic!("{other:?}"),
        }
        match classify("1", "Svartdalstunellen mot sentrum") {
            PointKind::Direction { base, dir } => {
                assert_eq!(
                    (base.as_str(), dir),
                    ("svartdalstunellen", Direction::Towards)
                )
            }
            other => panic!("{other:?}"),
        }
    }

    fn point(id: &str, name: &str, lon: f64, aadt: f64) -> CountedPoint {
        CountedPoint {
            id: id.into(),
            name: name.into(),
            lon,
            lat: 59.9,
            adt: Adt {
                aadt,
                weekday: Some(aadt),
                weekend: None,
                days: 3,
                period: "2026-04-13–2026-04-15".into(),
                year: 2026,
                balanced: false,
            },
        }
    }

    #[test]
    fn opposite_directions_under_one_name_become_one_count_and_the_rest_are_left_out_with_a_reason()
    {
        let (counts, left) = road_counts(vec![
            point("1", "E6 Sandstuveien Nordgående", 10.800, 30_000.0),
            point("2", "E6 Sandstuveien sydgående", 10.801, 28_000.0),
            point("3", "Rv 4 Bjerke sydgående", 10.85, 9_000.0),
            point("4", "E6 Manglerud", 10.81, 80_000.0),
            point("5", "Skullerud pårampe Sydgående", 10.83, 5_000.0),
        ]);
        let ids: Vec<&str> = counts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["4", "1+2"]);
        assert_eq!(counts[1].adt.aadt, 58_000.0);
        assert_eq!(counts[1].name, "E6 Sandstuveien (begge retninger)");
        let left: Vec<(&str, bool)> = left
            .iter()
            .map(|(p, why)| (p.id.as_str(), why.contains("one direction")))
            .collect();
        assert_eq!(left, [("5", false), ("3", true)]);
    }

    #[test]
    fn road_refs_are_read_from_point_names_in_every_spelling_used() {
        assert_eq!(road_in_name("E6 Manglerud"), Some(('E', 6)));
        assert_eq!(road_in_name("Frognerstranda (E18)"), Some(('E', 18)));
        assert_eq!(road_in_name("Rv 163 Brobekk Nordgående"), Some(('R', 163)));
        assert_eq!(road_in_name("Rv. 150 Ulvensplitten"), Some(('R', 150)));
        assert_eq!(road_in_name("Rødtvet (Rv.4)"), Some(('R', 4)));
        assert_eq!(
            road_in_name("Hovedkjørefelt Rv150 Grefsen"),
            Some(('R', 150))
        );
        assert_eq!(road_in_name("Klemetsrud"), None);
        assert_eq!(road_in_name("Dr. Eufemias Gt. Vestgående"), None);
    }
}
