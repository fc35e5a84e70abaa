//! The layering a newcomer reads from the folder tree holds in the code: the top-level modules
//! depend on each other one way only, `domain` on none of them, and no two files in one folder
//! import each other. Read from the sources' `crate::` and `super::` paths.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod common;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments and its test module, where a test may reach anywhere.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names that follow `prefix` in the code: `crate::a`, and each name of `crate::{a, b::c}`.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices(prefix) {
        // `super::` inside `crate::a::super::` does not occur; a `super::` after a name does
        // (`self::super::`), and neither is a different module's path here.
        let before = code[..i].chars().last().unwrap_or(' ');
        if before.is_alphanumeric() || before == '_' || (before == ':' && prefix == "super::") {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut at_start = true;
            for (j, c) in list.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_start = true,
                    c if at_start && !c.is_whitespace() => {
                        out.insert(ident(&list[j..]));
                        at_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// Every file as (its folder relative to src, its module name), with its code.
fn sources() -> Vec<(String, String, String)> {
    let src = common::root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap();
            let dir = rel
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let name = rel.file_stem().unwrap().to_string_lossy().to_string();
            (dir, name, code(&f))
        })
        .collect()
}

/// A cycle in `edges`, as the path round it, if there is one.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let from = path.iter().position(|p| p == n).unwrap();
                let mut c = path[from..].to_vec();
                c.push(n.to_string());
                return Some(c);
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, edges, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

/// The top-level modules (the folders and files under src/) each file uses.
fn layer_edges() -> BTreeMap<String, BTreeSet<String>> {
    let top: BTreeSet<String> = sources()
        .iter()
        .map(|(dir, name, _)| {
            dir.split('/')
                .next()
                .filter(|d| !d.is_empty())
                .unwrap_or(name)
                .to_string()
        })
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (dir, name, code) in sources() {
        let from = dir
            .split('/')
            .next()
            .filter(|d| !d.is_empty())
            .unwrap_or(&name)
            .to_string();
        if from == "lib" || from == "main" || from == "fuzzing" {
            continue; // the crate root and the fuzz entry points reach every layer by design
        }
        for to in names_after(&code, "crate::") {
            if to != from && top.contains(&to) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

#[test]
fn the_top_level_modules_depend_on_each_other_one_way_only() {
    let edges = layer_edges();
    assert!(edges.len() > 10, "too few modules read: {edges:?}");
    assert_eq!(cycle(&edges), None, "a cycle between layers");
}

#[test]
fn the_domain_uses_no_other_module_of_the_crate() {
    let edges = layer_edges();
    assert_eq!(edges.get("domain"), None, "domain reaches out");
}

#[test]
fn the_layers_below_scoring_do_not_reach_up_into_it() {
    let edges = layer_edges();
    for low in ["domain", "config", "index", "network", "ingest"] {
        let up: Vec<_> = edges
            .get(low)
            .into_iter()
            .flatten()
            .filter(|m| {
                ["scoring", "catalog", "api", "cli", "store", "export"].contains(&m.as_str())
            })
            .collect();
        assert!(up.is_empty(), "{low} uses {up:?}");
    }
}

#[test]
fn no_two_files_in_one_folder_import_each_other() {
    let files = sources();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (dir, name, code) in &files {
        if name == "mod" || dir.is_empty() {
            continue;
        }
        let siblings: BTreeSet<&str> = files
            .iter()
            .filter(|(d, n, _)| d == dir && n != "mod" && n != name)
            .map(|(_, n, _)| n.as_str())
            .collect();
        let mut used = names_after(code, "super::");
        used.extend(names_after(
            code,
            &format!("crate::{}::", dir.replace('/', "::")),
        ));
        for to in used {
            if siblings.contains(to.as_str()) {
                edges
                    .entry(format!("{dir}/{name}"))
                    .or_default()
                    .insert(format!("{dir}/{to}"));
            }
        }
    }
    assert!(
        !edges.is_empty(),
        "no sibling imports found at all: the scan is broken"
    );
    assert_eq!(cycle(&edges), None, "files in one folder import each other");
}
