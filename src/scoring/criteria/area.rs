//! Site area: room for bays, turning and queueing.

use super::Measurement;
use crate::scoring::candidates::Candidate;

pub fn area(c: &Candidate) -> Measurement {
    match c.area_m2 {
        Some(a) => Measurement::of(a, None),
        None => Measurement::missing(),
    }
}

pub fn explain(m: &Measurement) -> (String, String) {
    if m.raw.is_nan() {
        (
            "areal ukjent (punkt): nøytral verdi".into(),
            "area unknown (a point site): neutral value".into(),
        )
    } else {
        (
            format!("{:.0} m² ({:.1} daa)", m.raw, m.raw / 1000.0),
            format!("{:.0} m² ({:.1} ha)", m.raw, m.raw / 10_000.0),
        )
    }
}
