//! Mapbox Vector Tile 2.1 encoding: protobuf by hand, since a tile is three small messages.
//! Geometry arrives in tile coordinates (y down); rings are wound as the spec asks.

use std::collections::HashMap;

/// A property value as MVT stores it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Double(f64),
    Int(i64),
    Bool(bool),
}

/// Geometry in integer tile coordinates.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Points(Vec<[i32; 2]>),
    Lines(Vec<Vec<[i32; 2]>>),
    /// Each polygon: exterior ring first, then holes; rings not closed.
    Polygons(Vec<Vec<Vec<[i32; 2]>>>),
}

pub struct Feature {
    pub id: u64,
    pub properties: Vec<(String, Value)>,
    pub shape: Shape,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, ((field as u64) << 3) | wire as u64);
}

fn bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    key(out, field, 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn zigzag(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
}

fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

/// Twice the signed area in tile coordinates; positive is clockwise on screen (y down).
fn area2(ring: &[[i32; 2]]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] as i64 * b[1] as i64 - b[0] as i64 * a[1] as i64
        })
        .sum()
}

fn encode_path(cmds: &mut Vec<u32>, cursor: &mut [i32; 2], path: &[[i32; 2]], close: bool) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    cmds.push(command(1, 1));
    cmds.push(zigzag(first[0] - cursor[0]));
    cmds.push(zigzag(first[1] - cursor[1]));
    *cursor = *first;
    if !rest.is_empty() {
        cmds.push(command(2, rest.len() as u32));
        for p in rest {
            cmds.push(zigzag(p[0] - cursor[0]));
            cmds.push(zigzag(p[1] - cursor[1]));
            *cursor = *p;
        }
    }
    if close {
        cmds.push(command(7, 1));
    }
}

/// Drops repeated points; None when too few are left for the shape.
fn dedup(path: &[[i32; 2]], min: usize) -> Option<Vec<[i32; 2]>> {
    let mut out: Vec<[i32; 2]> = Vec::with_capacity(path.len());
    for p in path {
        if out.last() != Some(p) {
            out.push(*p);
        }
    }
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    (out.len() >= min).then_some(out)
}

/// The geometry type and command stream, or None when nothing is left at this zoom.
fn geometry(shape: &Shape) -> Option<(u32, Vec<u32>)> {
    let mut cmds = Vec::new();
    let mut cursor = [0, 0];
    match shape {
        Shape::Points(ps) => {
            if ps.is_empty() {
                return None;
            }
            cmds.push(command(1, ps.len() as u32));
            for p in ps {
                cmds.push(zigzag(p[0] - cursor[0]));
                cmds.push(zigzag(p[1] - cursor[1]));
                cursor = *p;
            }
            Some((1, cmds))
        }
        Shape::Lines(ls) => {
            for l in ls {
                if let Some(l) = dedup(l, 2) {
                    encode_path(&mut cmds, &mut cursor, &l, false);
                }
            }
            (!cmds.is_empty()).then_some((2, cmds))
        }
        Shape::Polygons(polys) => {
            for poly in polys {
                for (i, ring) in poly.iter().enumerate() {
                    let Some(mut r) = dedup(ring, 3) else {
                        if i == 0 {
                            break;
                        }
                        continue;
                    };
                    let a = area2(&r);
                    if a == 0 {
                        if i == 0 {
                            break;
                        }
                        continue;
                    }
                    // Exterior clockwise on screen, holes counter-clockwise.
                    if (i == 0) != (a > 0) {
                        r.reverse();
                    }
                    encode_path(&mut cmds, &mut cursor, &r, true);
                }
            }
            (!cmds.is_empty()).then_some((3, cmds))
        }
    }
}

/// One layer of `features`, with `extent` units per tile side.
pub fn layer(name: &str, extent: u32, features: &[Feature]) -> Vec<u8> {
    let mut keys: Vec<String> = Vec::new();
    let mut key_index: HashMap<String, u32> = HashMap::new();
    let mut values: Vec<Vec<u8>> = Vec::new();
    let mut value_index: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut body = Vec::new();
    key(&mut body, 15, 0);
    varint(&mut body, 2);
    bytes(&mut body, 1, name.as_bytes());
    for f in features {
        let Some((kind, cmds)) = geometry(&f.shape) else {
            continue;
        };
        let mut tags = Vec::new();
        for (k, v) in &f.properties {
            let ki = *key_index.entry(k.clone()).or_insert_with(|| {
                keys.push(k.clone());
                keys.len() as u32 - 1
            });
            let mut enc = Vec::new();
            match v {
                Value::String(s) => bytes(&mut enc, 1, s.as_bytes()),
                Value::Double(d) => {
                    key(&mut enc, 3, 1);
                    enc.extend_from_slice(&d.to_le_bytes());
                }
                Value::Int(i) => {
                    key(&mut enc, 6, 0);
                    varint(&mut enc, ((i << 1) ^ (i >> 63)) as u64);
                }
                Value::Bool(b) => {
                    key(&mut enc, 7, 0);
                    varint(&mut enc, *b as u64);
                }
            }
            let vi = *value_index.entry(enc.clone()).or_insert_with(|| {
                values.push(enc);
                values.len() as u32 - 1
            });
            tags.push(ki);
            tags.push(vi);
        }
        let mut feat = Vec::new();
        key(&mut feat, 1, 0);
        varint(&mut feat, f.id);
        if !tags.is_empty() {
            let mut packed = Vec::new();
            for t in tags {
                varint(&mut packed, t as u64);
            }
            bytes(&mut feat, 2, &packed);
        }
        key(&mut feat, 3, 0);
        varint(&mut feat, kind as u64);
        let mut packed = Vec::new();
        for c in cmds {
            varint(&mut packed, c as u64);
        }
        bytes(&mut feat, 4, &packed);
        bytes(&mut body, 2, &feat);
    }
    for k in &keys {
        bytes(&mut body, 3, k.as_bytes());
    }
    for v in &values {
        bytes(&mut body, 4, v);
    }
    key(&mut body, 5, 0);
    varint(&mut body, extent as u64);
    let mut tile = Vec::new();
    bytes(&mut tile, 3, &body);
    tile
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_zigzag_follow_the_spec_examples() {
        // The spec's point example: MoveTo(25, 17) is [9, 50, 34].
        let (kind, cmds) = geometry(&Shape::Points(vec![[25, 17]])).unwrap();
        assert_eq!((kind, cmds), (1, vec![9, 50, 34]));
        // Its line example: [9, 4, 4, 18, 0, 16, 16, 0].
        let (kind, cmds) = geometry(&Shape::Lines(vec![vec![[2, 2], [2, 10], [10, 10]]])).unwrap();
        assert_eq!((kind, cmds), (2, vec![9, 4, 4, 18, 0, 16, 16, 0]));
        // Its polygon example: [9, 6, 12, 18, 10, 12, 24, 44, 15].
        let (kind, cmds) = geometry(&Shape::Polygons(vec![vec![vec![
            [3, 6],
            [8, 12],
            [20, 34],
        ]]]))
        .unwrap();
        assert_eq!((kind, cmds), (3, vec![9, 6, 12, 18, 10, 12, 24, 44, 15]));
    }

    #[test]
    fn a_ring_that_collapses_at_this_zoom_is_left_out() {
        assert!(geometry(&Shape::Polygons(vec![vec![vec![[1, 1], [1, 1], [1, 1]]]])).is_none());
        assert!(geometry(&Shape::Lines(vec![vec![[5, 5], [5, 5]]])).is_none());
    }
}
