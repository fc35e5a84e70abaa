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

#[cfg(test)]
mod tests {
    use super::*;

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
