//! Tiles already encoded, kept for the next request that asks for the same one. A tile is
//! known by everything that shapes it: the collection, z/x/y, the request's query (weights
//! and filters, as sent) and the review stamp its statuses were read at. A change to the
//! review state moves the stamp, so stale tiles are never served; they age out instead.

use bytes::Bytes;

/// What makes two tile requests the same tile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TileKey {
    pub collection: String,
    pub z: u8,
    pub x: u32,
    pub y: u32,
    /// The raw query string: the same weights in another order are another key, which only
    /// costs a miss.
    pub query: String,
    /// The store's review stamp; 0 without a store or for a plain layer.
    pub stamp: i64,
}

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<TileKey, Bytes> for ByBytes {
    fn weight(&self, key: &TileKey, tile: &Bytes) -> u64 {
        // The key and the map's own bookkeeping count too: an empty tile is not free.
        (tile.len() + key.collection.len() + key.query.len() + 96) as u64
    }
}

/// A bounded cache of encoded tiles, evicting the least useful first (CLOCK-Pro).
pub struct Rendered {
    tiles: quick_cache::sync::Cache<TileKey, Bytes, ByBytes>,
    capacity: u64,
}

/// Tiles kept by default: 32 MiB, a few thousand map tiles.
pub const DEFAULT_BYTES: u64 = 32 << 20;

impl Rendered {
    /// A cache of at most `capacity` bytes; 0 keeps nothing.
    pub fn new(capacity: u64) -> Self {
        let items = (capacity / 8192).clamp(16, 1 << 20) as usize;
        Rendered {
            tiles: quick_cache::sync::Cache::with_weighter(items, capacity.max(1), ByBytes),
            capacity,
        }
    }

    pub fn get(&self, key: &TileKey) -> Option<Bytes> {
        if self.capacity == 0 {
            return None;
        }
        self.tiles.get(key)
    }

    pub fn insert(&self, key: TileKey, tile: Bytes) {
        if self.capacity > 0 {
            self.tiles.insert(key, tile);
        }
    }

    /// Tiles kept and the bytes they take.
    pub fn usage(&self) -> (usize, u64) {
        (self.tiles.len(), self.tiles.weight())
    }
}

impl Default for Rendered {
    fn default() -> Self {
        Rendered::new(DEFAULT_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(x: u32, stamp: i64) -> TileKey {
        TileKey {
            collection: "candidates-depot-grid".into(),
            z: 12,
            x,
            y: 1190,
            query: "min_score=0".into(),
            stamp,
        }
    }

    #[test]
    fn a_kept_tile_is_found_only_under_the_same_stamp() {
        let r = Rendered::new(1 << 20);
        r.insert(key(1, 7), Bytes::from_static(b"tile"));
        assert_eq!(r.get(&key(1, 7)).as_deref(), Some(&b"tile"[..]));
        assert_eq!(r.get(&key(1, 8)), None);
        assert_eq!(r.get(&key(2, 7)), None);
    }

    #[test]
    fn the_cache_stays_within_its_bytes() {
        let r = Rendered::new(64 << 10);
        for x in 0..1000 {
            r.insert(key(x, 0), Bytes::from(vec![0u8; 1000]));
        }
        let (n, bytes) = r.usage();
        assert!(bytes <= 64 << 10, "{bytes} bytes kept");
        assert!(n > 10 && n < 70, "{n} tiles kept");
    }

    #[test]
    fn a_zero_sized_cache_keeps_nothing() {
        let r = Rendered::new(0);
        r.insert(key(1, 0), Bytes::from_static(b"tile"));
        assert_eq!(r.get(&key(1, 0)), None);
    }
}
