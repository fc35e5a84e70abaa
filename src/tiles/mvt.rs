//! Mapbox Vector Tile 2.1 encoding: protobuf by hand, since a tile is three small messages.
//! Geometry arrives in tile coordinates (y down); rings are wound as the spec asks.

use std::collections::HashMap;

/// A property value as MVT stores it; strings are borrowed from the collection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    String(&'a str),
    /// A string no other feature of the layer has (an id): written without looking for it.
    Unique(&'a str),
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
#[cfg(test)]
fn geometry(shape: &Shape) -> Option<(u32, Vec<u32>)> {
    let mut cmds = Vec::new();
    let kind = commands(shape, &mut cmds)?;
    Some((kind, cmds))
}

/// Writes the command stream into `cmds` (emptied first); the geometry type, or None when
/// nothing is left at this zoom.
fn commands(shape: &Shape, cmds: &mut Vec<u32>) -> Option<u32> {
    cmds.clear();
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
            Some(1)
        }
        Shape::Lines(ls) => {
            for l in ls {
                if let Some(l) = dedup(l, 2) {
                    encode_path(cmds, &mut cursor, &l, false);
                }
            }
            (!cmds.is_empty()).then_some(2)
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
                    encode_path(cmds, &mut cursor, &r, true);
                }
            }
            (!cmds.is_empty()).then_some(3)
        }
    }
}

/// Writes one layer feature by feature, into buffers reused across features: a tile of a
/// few hundred candidates then allocates little more than its own bytes.
pub struct LayerWriter {
    extent: u32,
    /// The layer message so far: version, name, then the features.
    body: Vec<u8>,
    keys: Vec<String>,
    /// The value table as it goes into the layer: each value a field-4 Value message.
    values: Vec<u8>,
    n_values: u32,
    /// Where to find a value already in the table (not the unique ones).
    value_index: HashMap<Vec<u8>, u32, BuildFx>,
    scratch: Vec<u8>,
    tags: Vec<u32>,
    cmds: Vec<u32>,
    feature: Vec<u8>,
}

impl LayerWriter {
    pub fn new(name: &str, extent: u32) -> Self {
        let mut body = Vec::with_capacity(4096);
        key(&mut body, 15, 0);
        varint(&mut body, 2);
        bytes(&mut body, 1, name.as_bytes());
        LayerWriter {
            extent,
            body,
            keys: Vec::new(),
            values: Vec::new(),
            n_values: 0,
            value_index: HashMap::default(),
            scratch: Vec::new(),
            tags: Vec::new(),
            cmds: Vec::new(),
            feature: Vec::new(),
        }
    }

    /// Adds a feature; one whose shape collapses at this zoom is left out.
    pub fn add(&mut self, id: u64, shape: &Shape, properties: &[(&str, Value)]) {
        let mut cmds = std::mem::take(&mut self.cmds);
        if let Some(kind) = commands(shape, &mut cmds) {
            self.write(id, kind, &cmds, properties);
        }
        self.cmds = cmds;
    }

    /// Adds a single point: no shape to build.
    pub fn add_point(&mut self, id: u64, p: [i32; 2], properties: &[(&str, Value)]) {
        let cmds = [command(1, 1), zigzag(p[0]), zigzag(p[1])];
        self.write(id, 1, &cmds, properties);
    }

    fn key_of(&mut self, k: &str) -> u32 {
        // A tile has a handful of keys: a scan beats hashing them.
        match self.keys.iter().position(|x| x == k) {
            Some(i) => i as u32,
            None => {
                self.keys.push(k.to_string());
                self.keys.len() as u32 - 1
            }
        }
    }

    fn value_of(&mut self, v: &Value) -> u32 {
        let enc = &mut self.scratch;
        enc.clear();
        match v {
            Value::String(s) | Value::Unique(s) => bytes(enc, 1, s.as_bytes()),
            Value::Double(d) => {
                key(enc, 3, 1);
                enc.extend_from_slice(&d.to_le_bytes());
            }
            Value::Int(i) => {
                key(enc, 6, 0);
                varint(enc, ((i << 1) ^ (i >> 63)) as u64);
            }
            Value::Bool(b) => {
                key(enc, 7, 0);
                varint(enc, *b as u64);
            }
        }
        let i = self.n_values;
        if !matches!(v, Value::Unique(_)) {
            if let Some(&i) = self.value_index.get(enc.as_slice()) {
                return i;
            }
            self.value_index.insert(enc.clone(), i);
        }
        bytes(&mut self.values, 4, enc);
        self.n_values += 1;
        i
    }

    fn write(&mut self, id: u64, kind: u32, cmds: &[u32], properties: &[(&str, Value)]) {
        let mut tags = std::mem::take(&mut self.tags);
        tags.clear();
        for (k, v) in properties {
            tags.push(self.key_of(k));
            tags.push(self.value_of(v));
        }
        let feat = &mut self.feature;
        feat.clear();
        key(feat, 1, 0);
        varint(feat, id);
        if !tags.is_empty() {
            packed(feat, 2, &tags);
        }
        key(feat, 3, 0);
        varint(feat, kind as u64);
        packed(feat, 4, cmds);
        bytes(&mut self.body, 2, feat);
        self.tags = tags;
    }

    /// The tile: this one layer.
    pub fn finish(mut self) -> Vec<u8> {
        for k in &self.keys {
            bytes(&mut self.body, 3, k.as_bytes());
        }
        self.body.extend_from_slice(&self.values);
        key(&mut self.body, 5, 0);
        varint(&mut self.body, self.extent as u64);
        let mut tile = Vec::with_capacity(self.body.len() + 6);
        bytes(&mut tile, 3, &self.body);
        tile
    }
}

/// A multiply-rotate hash (as rustc's FxHash) for the value table: its keys are a few
/// encoded bytes made by this process, so SipHash's guard against chosen keys buys nothing
/// and costs a tenth of a tile.
#[derive(Default, Clone, Copy)]
struct BuildFx;

impl std::hash::BuildHasher for BuildFx {
    type Hasher = Fx;
    fn build_hasher(&self) -> Fx {
        Fx(0)
    }
}

struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
}

/// A packed repeated uint32 field.
fn packed(out: &mut Vec<u8>, field: u32, items: &[u32]) {
    let len: usize = items.iter().map(|&v| varint_len(v as u64)).sum();
    key(out, field, 2);
    varint(out, len as u64);
    for &v in items {
        varint(out, v as u64);
    }
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
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
