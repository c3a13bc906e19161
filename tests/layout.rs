//! The source tree keeps the shape ARCHITECTURE.md draws (issue 18):
//! - `src/` is grouped by stage, and a stage uses only the stages beneath it:
//!   `error` → `media` → `screening` → `judging` → `choosing` → `session` → `wasm`;
//! - no module imports one that imports it back (a module and its own files, e.g.
//!   `session/` or `screening/quality/`, count as one);
//! - code inside the crate names modules by their folder path (`crate::screening::quality`),
//!   not by the root's re-exports kept for users (`crate::quality`);
//! - no source file holds more than about 500 lines of code outside its tests, and the
//!   worker's JavaScript files stay under 300 lines each;
//! - ARCHITECTURE.md's map names every source file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const STAGES: [&str; 7] = [
    "error",
    "media",
    "screening",
    "judging",
    "choosing",
    "session",
    "wasm",
];
/// Folders that only group modules: each module directly inside is a unit of its own.
const GROUPS: [&str; 4] = ["media", "screening", "judging", "choosing"];
const MAX_CODE_LINES: usize = 500;
const MAX_WORKER_LINES: usize = 300;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "pkg") {
                continue; // built wasm packages
            }
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// `src/screening/quality/mod.rs` → `screening::quality`; `src/lib.rs` → ``.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The unit a module belongs to: a stage, or a module directly inside a grouping folder.
fn unit_of(module: &str) -> String {
    let parts: Vec<&str> = module.split("::").collect();
    if GROUPS.contains(&parts[0]) && parts.len() > 1 {
        format!("{}::{}", parts[0], parts[1])
    } else {
        parts[0].to_string()
    }
}

fn stage_rank(unit: &str) -> usize {
    let stage = unit.split("::").next().unwrap();
    STAGES
        .iter()
        .position(|s| *s == stage)
        .unwrap_or_else(|| panic!("src/{stage} is not a stage folder: add it to STAGES"))
}

/// The file's code outside its unit tests, without comment lines.
fn code_lines(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let end = (0..lines.len())
        .find(|&i| {
            lines[i].trim() == "#[cfg(test)]"
                && lines
                    .get(i + 1)
                    .is_some_and(|l| l.trim_start().starts_with("mod tests"))
        })
        .unwrap_or(lines.len());
    lines[..end]
        .iter()
        .copied()
        .filter(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with("//")
        })
        .collect()
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Every module path the code names after `crate::`, with `{a, b::c}` groups expanded
/// one level (enough to tell which modules a `use` reaches).
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // e.g. `$crate::`
        }
        let len = rest.find(|c| !is_path_char(c)).unwrap_or(rest.len());
        let head = rest[..len].trim_end_matches(':').to_string();
        if rest[len..].starts_with('{') {
            let group = &rest[len + 1..];
            let close = group.find('}').unwrap_or(group.len());
            for item in group[..close].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|&c| is_path_char(c))
                    .collect();
                let name = name.trim_end_matches(':');
                if name.is_empty() || name == "self" {
                    out.push(head.clone());
                } else {
                    out.push(format!("{head}::{name}"));
                }
            }
        } else {
            out.push(head);
        }
    }
    out
}

/// The longest module named by `path`'s leading segments.
fn resolve<'a>(path: &str, modules: &'a BTreeSet<String>) -> Option<&'a String> {
    let segs: Vec<&str> = path.split("::").collect();
    (1..=segs.len())
        .rev()
        .find_map(|n| modules.get(&segs[..n].join("::")))
}

struct Tree {
    /// Module path → its code lines (tests and comments left out).
    code: BTreeMap<String, String>,
    /// Every file, for messages.
    file: BTreeMap<String, PathBuf>,
}

fn tree() -> Tree {
    let src = root().join("src");
    let mut paths = Vec::new();
    files(&src, "rs", &mut paths);
    let mut code = BTreeMap::new();
    let mut file = BTreeMap::new();
    for p in paths {
        let m = module_of(&src, &p);
        code.insert(
            m.clone(),
            code_lines(&fs::read_to_string(&p).unwrap()).join("\n"),
        );
        file.insert(m, p);
    }
    Tree { code, file }
}

/// Unit → units it uses (its own files left out).
fn unit_graph(t: &Tree) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = t.code.keys().filter(|m| !m.is_empty()).cloned().collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, code) in &t.code {
        if m.is_empty() {
            continue; // lib.rs: the root declares the stages and re-exports
        }
        let from = unit_of(m);
        let entry = graph.entry(from.clone()).or_default();
        for p in crate_paths(code) {
            if let Some(target) = resolve(&p, &modules) {
                let to = unit_of(target);
                if to != from {
                    entry.insert(to);
                }
            }
        }
    }
    graph
}

#[test]
fn each_stage_uses_only_the_stages_beneath_it() {
    let graph = unit_graph(&tree());
    let mut wrong = Vec::new();
    for (from, tos) in &graph {
        for to in tos {
            if stage_rank(to) > stage_rank(from) {
                wrong.push(format!("{from} uses {to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "a stage uses one above it: {wrong:#?}");
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = unit_graph(&tree());
    // Depth-first search for a back edge, with the path that closes the circle.
    fn visit(
        u: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(u.to_string(), 1);
        stack.push(u.to_string());
        for v in graph.get(u).into_iter().flatten() {
            match state.get(v.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == v).unwrap();
                    let mut circle = stack[at..].to_vec();
                    circle.push(v.clone());
                    return Some(circle);
                }
                0 => {
                    if let Some(c) = visit(v, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(u.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for u in graph.keys() {
        if state.get(u.as_str()).copied().unwrap_or(0) == 0 {
            let circle = visit(u, &graph, &mut state, &mut Vec::new());
            assert!(
                circle.is_none(),
                "import circle: {}",
                circle.unwrap().join(" → ")
            );
        }
    }
}

#[test]
fn code_names_modules_by_their_folder_path() {
    let t = tree();
    let modules: BTreeSet<String> = t.code.keys().cloned().collect();
    let mut wrong = Vec::new();
    for (m, code) in &t.code {
        for p in crate_paths(code) {
            let first = p.split("::").next().unwrap_or_default();
            // Types re-exported at the root (`crate::Result`) are fine; modules are not.
            if !modules.contains(first) && first.chars().next().is_some_and(|c| c.is_lowercase()) {
                wrong.push(format!("{}: crate::{p}", t.file[m].display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "root aliases used inside the crate: {wrong:#?}"
    );
}

#[test]
fn source_files_stay_small() {
    let mut big = Vec::new();
    let mut rs = Vec::new();
    files(&root().join("src"), "rs", &mut rs);
    let mut js = Vec::new();
    files(&root().join("www"), "js", &mut js);
    files(&root().join("bin"), "mjs", &mut js);
    for p in rs.iter().chain(&js) {
        let n = code_lines(&fs::read_to_string(p).unwrap()).len();
        if n > MAX_CODE_LINES {
            big.push(format!("{}: {n} lines of code", p.display()));
        }
    }
    let www = root().join("www");
    let mut worker = vec![www.join("worker.js")];
    files(&www.join("worker"), "js", &mut worker);
    for p in &worker {
        let n = fs::read_to_string(p).unwrap().lines().count();
        if n > MAX_WORKER_LINES {
            big.push(format!(
                "{}: {n} lines (worker files: {MAX_WORKER_LINES})",
                p.display()
            ));
        }
    }
    assert!(big.is_empty(), "files to split: {big:#?}");
}

#[test]
fn architecture_md_maps_every_source_file() {
    let map = fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let src = root().join("src");
    let mut rs = Vec::new();
    files(&src, "rs", &mut rs);
    let missing: Vec<String> = rs
        .iter()
        .map(|p| {
            p.strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .map(|rel| match rel.strip_suffix("mod.rs") {
            Some(folder) => folder.to_string(), // a folder module: its folder is named
            None => rel,
        })
        .filter(|name| !map.contains(name.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "not on ARCHITECTURE.md's map: {missing:#?}"
    );
}

#[test]
fn the_checks_see_imports() {
    // The parser behind the tests above, on the forms the crate uses.
    let code = "use crate::media::demux::{self, VideoTrack};\nuse crate::screening::quality::{QuickMetrics, Rejection};\nlet x = crate::judging::faces::Face::default();";
    assert_eq!(
        crate_paths(code),
        [
            "media::demux",
            "media::demux::VideoTrack",
            "screening::quality::QuickMetrics",
            "screening::quality::Rejection",
            "judging::faces::Face::default"
        ]
    );
    assert_eq!(unit_of("screening::quality::sums"), "screening::quality");
    assert_eq!(unit_of("session::pool"), "session");
    assert!(stage_rank("media::demux") < stage_rank("screening::look"));
}
