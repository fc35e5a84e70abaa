//! The start-up cache: a grid's cells, its measured columns and each profile's failed
//! constraints, saved to one file so that the next `serve` on the same data skips the
//! spatial queries.
//!
//! The file is named by a key over everything the measurements depend on: the data version
//! (the region config and the bytes of every input), the shipped profiles, scenarios and
//! mapping tables, the grid (cell size, municipalities), every profile as loaded, and the
//! program itself (its size and modification time, so a
//! new build never trusts measurements made by an old one). A changed input gives a new key,
//! and so a new file.
//!
//! The payload carries its SHA-256: a truncated, corrupt or foreign file is refused with the
//! reason, and the caller measures again and overwrites it. The file is written to a
//! temporary name and renamed, so a crash mid-write leaves no half file under the real name.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::domain::landuse::LandUseClass;
use crate::domain::profile::Profile;
use crate::scoring::{Candidate, Column, ColumnKey, Columns, Failure, Failures};

const MAGIC: &[u8; 8] = b"ESTGRID\0";
/// Bumped whenever the layout below changes.
const FORMAT: u32 = 2;
const NONE_U32: u32 = u32::MAX;
const NONE_U8: u8 = u8::MAX;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("grid cache {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("grid cache {path} is not usable ({reason}); measuring again and rewriting it")]
    Corrupt { path: String, reason: String },
}

/// Where cache files go and which data they are for. Only for regions whose every source
/// is a local file or folder (`ingest::sources_hashed`): a database source can change
/// without changing the data version.
#[derive(Debug, Clone)]
pub struct CacheSpec {
    pub dir: PathBuf,
    /// `RegionReport::data_version`.
    pub data_version: String,
}

/// What one cache file holds.
pub struct GridCache {
    pub cells: Vec<Candidate>,
    pub columns: Columns,
    /// By profile id.
    pub failures: BTreeMap<String, Failures>,
}

/// The file for this data, grid and profiles.
pub fn path(spec: &CacheSpec, grid: &super::GridSpec, profiles: &[Profile]) -> PathBuf {
    let key = key(spec, grid, profiles);
    spec.dir.join(format!("grid-{}.bin", &hex(&key)[..24]))
}

fn key(spec: &CacheSpec, grid: &super::GridSpec, profiles: &[Profile]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(FORMAT.to_le_bytes());
    h.update(spec.data_version.as_bytes());
    h.update(crate::config::shipped_version().as_bytes());
    h.update(grid.size.to_bits().to_le_bytes());
    for p in &grid.filter.prefixes {
        h.update(p.as_bytes());
        h.update([0]);
    }
    for p in profiles {
        h.update(serde_json::to_vec(p).unwrap_or_default());
        h.update([0]);
    }
    h.update(program_identity().as_bytes());
    h.finalize().into()
}

/// The running program's size and modification time: a rebuilt binary may measure
/// differently, so its cache files are its own.
fn program_identity() -> String {
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    match meta {
        Ok(m) => {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            format!("{} {} {modified}", env!("CARGO_PKG_VERSION"), m.len())
        }
        Err(_) => env!("CARGO_PKG_VERSION").to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a cache file. `Ok(None)` when there is none; an error when it is there but cannot
/// be trusted. `municipalities` bounds the cells' municipality indexes.
pub fn read(
    path: &Path,
    size: f64,
    municipalities: usize,
) -> Result<Option<GridCache>, CacheError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CacheError::Io {
                path: path.display().to_string(),
                source,
            })
        }
    };
    let cache = decode(&bytes, size, municipalities).map_err(|reason| CacheError::Corrupt {
        path: path.display().to_string(),
        reason,
    })?;
    // Pruning keeps the most recently used files: a read counts as a use.
    let _ = std::fs::File::options()
        .append(true)
        .open(path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
    Ok(Some(cache))
}

/// Writes a cache file atomically: a temporary file in the same folder, then a rename.
pub fn write(
    path: &Path,
    cells: &[Candidate],
    columns: &Columns,
    failures: &BTreeMap<String, &Failures>,
) -> Result<u64, CacheError> {
    let io = |source| CacheError::Io {
        path: path.display().to_string(),
        source,
    };
    let bytes = encode(cells, columns, failures);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(&bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    prune(dir, KEEP);
    Ok(bytes.len() as u64)
}

/// Cache files kept in one folder: each new data version or build writes a new file, and
/// old ones would otherwise pile up.
const KEEP: usize = 6;

/// Removes all but the `keep` most recently used cache files in `dir`, and temporary files
/// an interrupted write left more than an hour ago.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let entries: Vec<std::fs::DirEntry> = entries.flatten().collect();
    for e in &entries {
        let p = e.path();
        let stale_tmp = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(".tmp"))
            && e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < hour_ago);
        if stale_tmp {
            let _ = std::fs::remove_file(&p);
        }
    }
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .iter()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("grid-") && n.ends_with(".bin"))
        })
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    for (_, old) in files.into_iter().skip(keep) {
        if std::fs::remove_file(&old).is_ok() {
            tracing::info!(path = %old.display(), "old grid cache removed");
        }
    }
}

fn encode(
    cells: &[Candidate],
    columns: &Columns,
    failures: &BTreeMap<String, &Failures>,
) -> Vec<u8> {
    let mut p = Vec::new();
    put_u64(&mut p, cells.len() as u64);
    for c in cells {
        put_f64(&mut p, c.point[0]);
        put_f64(&mut p, c.point[1]);
        put_u32(&mut p, c.municipality.unwrap_or(NONE_U32));
        p.push(c.landuse.map_or(NONE_U8, class_index));
    }
    put_u32(&mut p, columns.len() as u32);
    for (key, col) in columns {
        put_str(&mut p, key.as_str());
        for v in &col.raw {
            put_f64(&mut p, *v);
        }
        for v in &col.feature {
            put_u32(&mut p, *v);
        }
        p.extend(col.estimated.iter().map(u8::from));
    }
    put_u32(&mut p, failures.len() as u32);
    for (profile, f) in failures {
        put_str(&mut p, profile);
        let parts = f.parts();
        put_u64(&mut p, parts.kinds.len() as u64);
        p.extend_from_slice(parts.kinds);
        put_u64(&mut p, parts.cells.len() as u64);
        for c in parts.cells {
            put_u32(&mut p, *c);
        }
        put_u64(&mut p, parts.offsets.len() as u64);
        for o in parts.offsets {
            put_u32(&mut p, *o);
        }
        put_u64(&mut p, parts.items.len() as u64);
        for item in parts.items {
            put_failure(&mut p, item);
        }
    }
    let mut out = Vec::with_capacity(p.len() + 56);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(p.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&p));
    out.extend_from_slice(&p);
    out
}

fn decode(bytes: &[u8], size: f64, municipalities: usize) -> Result<GridCache, String> {
    let header = 8 + 4 + 8 + 32;
    if bytes.len() < header {
        return Err(format!("{} bytes, shorter than the header", bytes.len()));
    }
    if &bytes[..8] != MAGIC {
        return Err("not an energistasjon grid cache".into());
    }
    let mut r = Reader {
        bytes: &bytes[8..header],
        at: 0,
    };
    let format = r.u32()?;
    if format != FORMAT {
        return Err(format!("format {format}, this program writes {FORMAT}"));
    }
    let len = r.u64()?;
    let digest = r.take(32)?;
    let payload = &bytes[header..];
    if payload.len() as u64 != len {
        return Err(format!(
            "truncated: {} of {len} payload bytes",
            payload.len()
        ));
    }
    if Sha256::digest(payload)[..] != *digest {
        return Err("checksum mismatch".into());
    }
    let mut r = Reader {
        bytes: payload,
        at: 0,
    };
    let n = r.u64()? as usize;
    if n > payload.len() / 21 {
        return Err(format!("{n} cells cannot fit in {} bytes", payload.len()));
    }
    let mut cells = Vec::with_capacity(n);
    for _ in 0..n {
        let x = r.f64()?;
        let y = r.f64()?;
        let m = r.u32()?;
        if m as usize >= municipalities {
            return Err(format!("municipality index {m} out of range"));
        }
        let class = r.u8()?;
        let landuse = match class {
            NONE_U8 => None,
            c => Some(
                *LandUseClass::ALL
                    .get(c as usize)
                    .ok_or_else(|| format!("land-use class {c} out of range"))?,
            ),
        };
        cells.push(crate::scoring::candidates::grid_cell(
            [x, y],
            m,
            landuse,
            size,
        ));
    }
    let mut columns = Columns::new();
    for _ in 0..r.u32()? {
        let key = r.string()?;
        let mut col = Column {
            raw: Vec::with_capacity(n),
            feature: Vec::with_capacity(n),
            estimated: crate::scoring::Flags::with_capacity(n),
        };
        for _ in 0..n {
            col.raw.push(r.f64()?);
        }
        for _ in 0..n {
            col.feature.push(r.u32()?);
        }
        for _ in 0..n {
            col.estimated.push(r.u8()? != 0);
        }
        columns.insert(ColumnKey::from_string(key), Arc::new(col));
    }
    let mut failures = BTreeMap::new();
    for _ in 0..r.u32()? {
        let profile = r.string()?;
        if r.u64()? as usize != n {
            return Err(format!(
                "profile {profile}: failures for another cell count"
            ));
        }
        let kinds = r.take(n)?.to_vec();
        let cells_n = r.u64()? as usize;
        if cells_n > n {
            return Err(format!(
                "profile {profile}: {cells_n} cells with failures of {n}"
            ));
        }
        let mut kept = Vec::with_capacity(cells_n);
        for _ in 0..cells_n {
            kept.push(r.u32()?);
        }
        let offsets_n = r.u64()? as usize;
        if offsets_n > cells_n + 1 {
            return Err(format!(
                "profile {profile}: {offsets_n} offsets for {cells_n} cells"
            ));
        }
        let mut offsets = Vec::with_capacity(offsets_n);
        for _ in 0..offsets_n {
            offsets.push(r.u32()?);
        }
        let items_n = r.u64()? as usize;
        if items_n > r.remaining() / 22 {
            return Err(format!("{items_n} failures cannot fit"));
        }
        let mut items = Vec::with_capacity(items_n);
        for _ in 0..items_n {
            items.push(r.failure()?);
        }
        let f = Failures::from_parts(kinds, kept, offsets, items)
            .ok_or_else(|| format!("profile {profile}: failure lists do not fit together"))?;
        failures.insert(profile, f);
    }
    if r.remaining() != 0 {
        return Err(format!("{} bytes left over", r.remaining()));
    }
    Ok(GridCache {
        cells,
        columns,
        failures,
    })
}

fn class_index(c: LandUseClass) -> u8 {
    LandUseClass::ALL
        .iter()
        .position(|&k| k == c)
        .map_or(NONE_U8, |i| i as u8)
}

fn put_u32(p: &mut Vec<u8>, v: u32) {
    p.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(p: &mut Vec<u8>, v: u64) {
    p.extend_from_slice(&v.to_le_bytes());
}

fn put_f64(p: &mut Vec<u8>, v: f64) {
    p.extend_from_slice(&v.to_bits().to_le_bytes());
}

fn put_str(p: &mut Vec<u8>, s: &str) {
    put_u32(p, s.len() as u32);
    p.extend_from_slice(s.as_bytes());
}

/// Every failure in 22 bytes: tag, land-use class, a feature index, two numbers.
fn put_failure(p: &mut Vec<u8>, f: &Failure) {
    let (tag, class, feature, a, b) = f.fields();
    p.push(tag);
    p.push(class);
    put_u32(p, feature);
    put_u64(p, a);
    put_u64(p, b);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.remaining() < n {
            return Err(format!("ends early at byte {}", self.at));
        }
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }

    fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_bits(self.u64()?))
    }

    fn string(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| "a name is not UTF-8".to_string())
    }

    fn failure(&mut self) -> Result<Failure, String> {
        let tag = self.u8()?;
        let class = self.u8()?;
        Failure::from_fields((tag, class, self.u32()?, self.u64()?, self.u64()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Vec<Candidate>, Columns, Failures) {
        let cells = vec![
            crate::scoring::candidates::grid_cell([125.0, 375.0], 0, None, 250.0),
            crate::scoring::candidates::grid_cell(
                [375.0, 375.0],
                1,
                Some(LandUseClass::Industrial),
                250.0,
            ),
        ];
        let mut columns = Columns::new();
        columns.insert(
            ColumnKey::main_road(),
            Arc::new(Column {
                raw: vec![12.5, f64::NAN],
                feature: vec![3, u32::MAX],
                estimated: [false, true].into_iter().collect(),
            }),
        );
        let basis = |landuse| crate::scoring::Basis {
            landuse,
            road_m: 12.5,
            road_limit_m: Some(10.0),
            corridor_m: f64::NAN,
            corridor_limit_m: None,
        };
        let mut failures = Failures::default();
        failures.push(&[], &basis(None));
        failures.push(
            &[
                Failure::LanduseForbidden {
                    class: LandUseClass::Industrial,
                },
                Failure::TooCloseToSensitiveLand {
                    distance_m: 12.0,
                    limit_m: 50.0,
                    landuse: 7,
                },
            ],
            &basis(Some(LandUseClass::Industrial)),
        );
        (cells, columns, failures)
    }

    #[test]
    fn a_cache_reads_back_exactly_what_was_written() {
        let (cells, columns, failures) = sample();
        let map = BTreeMap::from([("depot".to_string(), &failures)]);
        let bytes = encode(&cells, &columns, &map);
        let back = decode(&bytes, 250.0, 2).unwrap();
        assert_eq!(back.cells, cells);
        let col = &back.columns[&ColumnKey::main_road()];
        assert_eq!(col.raw[0], 12.5);
        assert!(col.raw[1].is_nan());
        assert_eq!(col.feature, vec![3, u32::MAX]);
        assert_eq!(col.estimated.iter().collect::<Vec<_>>(), vec![false, true]);
        assert_eq!(back.failures["depot"], failures);
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_refused_not_trusted() {
        let (cells, columns, failures) = sample();
        let map = BTreeMap::from([("depot".to_string(), &failures)]);
        let bytes = encode(&cells, &columns, &map);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], 250.0, 2).is_err(), "cut at {cut}");
        }
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            assert!(decode(&bad, 250.0, 2).is_err(), "flipped byte {at}");
        }
    }

    #[test]
    fn a_cell_in_an_unknown_municipality_is_refused() {
        let (cells, columns, failures) = sample();
        let map = BTreeMap::from([("depot".to_string(), &failures)]);
        let bytes = encode(&cells, &columns, &map);
        let err = decode(&bytes, 250.0, 1).err().unwrap();
        assert!(err.contains("municipality index 1"), "{err}");
    }
}
