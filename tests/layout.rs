//! The layout's promises (docs/ARCHITECTURE.md), checked on the source itself: within each crate
//! no two modules import each other, even through others; only the engine implements `Engine`;
//! and no source file grows past 450 lines before its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates' source roots, from the workspace root.
const ROOTS: [&str; 3] = ["src", "server/src", "app/src"];
/// The most lines a file holds before its `#[cfg(test)]` module.
const MAX_LINES: usize = 450;

/// A module's path inside its crate: `["engine", "chat"]` for `src/engine/chat.rs`.
type ModPath = Vec<String>;

struct Source {
    path: PathBuf,
    module: ModPath,
    /// The text before the file's tests, without comments.
    code: String,
    /// How many lines come before the file's tests.
    lines: usize,
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory reads") {
        let path = entry.expect("a directory entry reads").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn module_of(root: &Path, file: &Path) -> ModPath {
    let relative = file.strip_prefix(root).expect("the file is under its root");
    let mut parts: ModPath = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The file's text before its tests, with line comments dropped (doc links are not imports).
fn code_of(text: &str) -> (String, usize) {
    let before_tests: Vec<&str> = text
        .lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .collect();
    let code = before_tests
        .iter()
        .map(|line| match line.trim_start().starts_with("//") {
            true => "",
            false => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    (code, before_tests.len())
}

fn sources(root: &str) -> Vec<Source> {
    let root = workspace().join(root);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a source file reads");
            let (code, lines) = code_of(&text);
            Source {
                module: module_of(&root, &path),
                path,
                code,
                lines,
            }
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The module paths a file names: `crate::a::b`, `super::a`, `self::a`, and the names inside
/// `use crate::{a, b::c}`.
fn named_paths(source: &Source) -> Vec<ModPath> {
    let code = &source.code;
    let mut paths = Vec::new();
    for (start, _) in code.match_indices("::") {
        let before = &code[..start];
        let base_start = before.rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1);
        let base = &before[base_start..];
        if base_start > 0 && before[..base_start].ends_with("::") {
            continue;
        }
        let mut path: ModPath = match base {
            "crate" => Vec::new(),
            "super" => source.module[..source.module.len().saturating_sub(1)].to_vec(),
            "self" => source.module.clone(),
            _ => continue,
        };
        let rest = &code[start..];
        let mut segments = rest.split("::").skip(1);
        if rest.starts_with("::{") {
            let group = &rest[3..rest.find('}').unwrap_or(rest.len())];
            for item in group.split(',') {
                let mut named = path.clone();
                named.extend(
                    item.trim()
                        .split("::")
                        .map(|s| s.trim().to_owned())
                        .take_while(|s| !s.is_empty() && s.chars().all(is_ident)),
                );
                paths.push(named);
            }
            continue;
        }
        for segment in segments.by_ref() {
            let name: String = segment.chars().take_while(|c| is_ident(*c)).collect();
            if name.is_empty() {
                break;
            }
            let whole = name.len() == segment.len();
            path.push(name);
            if !whole {
                break;
            }
        }
        paths.push(path);
    }
    paths
}

/// Which modules each module imports, each reduced to the longest prefix that is a module.
fn imports(sources: &[Source]) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let modules: BTreeSet<ModPath> = sources.iter().map(|s| s.module.clone()).collect();
    sources
        .iter()
        .map(|source| {
            let targets = named_paths(source)
                .into_iter()
                .filter_map(|path| {
                    (1..=path.len())
                        .rev()
                        .map(|n| path[..n].to_vec())
                        .find(|prefix| modules.contains(prefix))
                })
                .filter(|target| *target != source.module)
                .collect();
            (source.module.clone(), targets)
        })
        .collect()
}

/// Cycles among the children of each module, each child standing for everything under it. A
/// child using its parent's items is not a cycle: the parent declares the child.
fn sibling_cycles(imports: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<String> {
    let parents: BTreeSet<ModPath> = imports
        .keys()
        .filter(|m| !m.is_empty())
        .map(|m| m[..m.len() - 1].to_vec())
        .collect();
    let mut cycles = Vec::new();
    for parent in parents {
        let child_of = |m: &ModPath| -> Option<String> {
            (m.len() > parent.len() && m[..parent.len()] == parent[..])
                .then(|| m[parent.len()].clone())
        };
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, targets) in imports {
            let Some(a) = child_of(from) else { continue };
            let edges = graph.entry(a.clone()).or_default();
            edges.extend(targets.iter().filter_map(&child_of).filter(|b| *b != a));
        }
        for start in graph.keys() {
            if let Some(path) = path_back(&graph, start) {
                let place = if parent.is_empty() {
                    "crate".to_owned()
                } else {
                    parent.join("::")
                };
                cycles.push(format!("in {place}: {}", path.join(" -> ")));
            }
        }
    }
    cycles
}

/// A path from `start` back to itself, if there is one.
fn path_back(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![vec![start.to_owned()]];
    while let Some(path) = stack.pop() {
        let last = path.last().expect("paths are never empty");
        for next in graph.get(last).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_module_imports_itself_through_others_in_any_crate() {
    let mut cycles = Vec::new();
    for root in ROOTS {
        for cycle in sibling_cycles(&imports(&sources(root))) {
            cycles.push(format!("{root}: {cycle}"));
        }
    }
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_check_sees_a_cycle_when_there_is_one() {
    let source = |module: &[&str], code: &str| Source {
        path: PathBuf::new(),
        module: module.iter().map(|s| s.to_string()).collect(),
        code: code.to_owned(),
        lines: 0,
    };
    let tree = [
        source(&[], "mod a; mod b; mod c;"),
        source(&["a"], "use crate::b::Thing;"),
        source(&["b"], "use crate::{c, d};"),
        source(&["c"], "fn f() { super::a::go() }"),
    ];
    let cycles = sibling_cycles(&imports(&tree));
    assert!(
        cycles.iter().any(|c| c == "in crate: a -> b -> c -> a"),
        "{cycles:?}"
    );
    let without = &tree[..3];
    assert!(sibling_cycles(&imports(without)).is_empty());
}

#[test]
fn only_the_engine_implements_engine_and_no_file_passes_450_lines_before_its_tests() {
    let mut findings = Vec::new();
    for root in ROOTS {
        for source in sources(root) {
            let name = source.path.display().to_string();
            if source.lines > MAX_LINES {
                findings.push(format!("{name}: {} lines before its tests", source.lines));
            }
            let in_engine = root == "src" && source.module.first().is_some_and(|m| m == "engine");
            if !in_engine && source.code.contains("impl Engine") {
                findings.push(format!("{name}: implements Engine outside src/engine/"));
            }
            if !in_engine && source.code.contains("Weak<Inner>") {
                findings.push(format!("{name}: holds the engine's Inner"));
            }
        }
    }
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
