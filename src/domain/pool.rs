//! Charging pools the way AFIR (EU 2023/1804 art. 2) counts them: a pool's total power output
//! is the sum of its charge points' power, and its largest single charge point decides the
//! "at least one point of 350 kW" rules. Pure arithmetic on what a register lists.

use serde::Serialize;

/// One connection line of a register: power per connector and how many connectors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Connection {
    pub power_kw: Option<f64>,
    /// How many such connectors; a register that leaves it out means one.
    pub quantity: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pool {
    /// Sum over the listed connections of power × quantity (kW).
    pub total_kw: f64,
    /// The most powerful connection (kW).
    pub max_kw: f64,
    /// Charge points: the register's own count where it gives one, else the connectors.
    pub points: u32,
    /// Connectors listed with a power.
    pub connectors: u32,
}

/// The pool of a site's connections. None when no connection gives a power.
pub fn pool(connections: &[Connection], number_of_points: Option<u32>) -> Option<Pool> {
    let mut total = 0.0;
    let mut max = f64::NEG_INFINITY;
    let mut connectors = 0;
    for c in connections {
        let Some(kw) = c.power_kw.filter(|k| k.is_finite() && *k > 0.0) else {
            continue;
        };
        let q = c.quantity.unwrap_or(1).max(1);
        total += kw * q as f64;
        max = max.max(kw);
        connectors += q;
    }
    (connectors > 0).then(|| Pool {
        total_kw: total,
        max_kw: max,
        points: number_of_points.filter(|&n| n > 0).unwrap_or(connectors),
        connectors,
    })
}

/// The power of a NOBIL "Charging capacity" text: "7,4 kW - 230V 1-phase max 32A" → 7.4,
/// "150 kW DC" → 150; without a kW figure, from volts and amps ("400V 3-phase max 16A" →
/// √3 × 400 × 16 W = 11.1 kW). None when the text gives neither.
pub fn capacity_kw(text: &str) -> Option<f64> {
    let t = text.to_lowercase().replace(',', ".");
    let number_before = |unit: &str| -> Option<f64> {
        let at = t.find(unit)?;
        let head = t[..at].trim_end();
        let start = head
            .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(0, |i| i + 1);
        head[start..].parse::<f64>().ok()
    };
    if let Some(kw) = number_before("kw") {
        return Some(kw);
    }
    let volts = number_before("v")?;
    let amps = t
        .split("max")
        .nth(1)
        .and_then(|rest| rest.trim().trim_end_matches('a').trim().parse::<f64>().ok())?;
    let phases = if t.contains("3-phase") {
        3f64.sqrt()
    } else {
        1.0
    };
    Some((phases * volts * amps / 100.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobil_capacity_texts_give_their_power_in_kw() {
        assert_eq!(capacity_kw("7,4 kW - 230V 1-phase max 32A"), Some(7.4));
        assert_eq!(capacity_kw("150 kW DC"), Some(150.0));
        assert_eq!(capacity_kw("50 kW - 500VDC max 100A"), Some(50.0));
        assert_eq!(capacity_kw("400V 3-phase max 16A"), Some(11.1));
        assert_eq!(capacity_kw("230V 1-phase max 16A"), Some(3.7));
        assert_eq!(capacity_kw("Unspecified"), None);
    }

    #[test]
    fn a_pool_sums_power_times_quantity_and_keeps_its_largest_point() {
        let c = |kw: f64, q: Option<u32>| Connection {
            power_kw: Some(kw),
            quantity: q,
        };
        let p = pool(&[c(50.0, None), c(150.0, Some(2)), c(350.0, Some(1))], None).unwrap();
        assert_eq!(
            (p.total_kw, p.max_kw, p.points, p.connectors),
            (700.0, 350.0, 4, 4)
        );
        let p = pool(&[c(50.0, None)], Some(22)).unwrap();
        assert_eq!(p.points, 22);
        let none = Connection {
            power_kw: None,
            quantity: Some(3),
        };
        assert_eq!(pool(&[none], Some(2)), None);
    }
}
