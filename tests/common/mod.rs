//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use dbguard::config::Resolver;
use dbguard::source::DiskReader;
use dbguard::walk::{self, Outcome, WalkOptions};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lints `paths` (relative to the repository root) the way `dbguard check` does.
pub fn lint(paths: &[&Path]) -> Outcome {
    let root = root();
    let opts = WalkOptions {
        paths: paths.iter().map(|p| root.join(p)).collect(),
        no_ignore: false,
        force_exclude: false,
        max_file_size: 2 * 1024 * 1024,
        threads: 2,
    };
    let resolver = Resolver::new(None, &root).expect("default config");
    walk::run(&opts, &resolver, &DiskReader, &root).expect("lint runs")
}

/// Every file below `dir`, hidden ones included, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable fixture dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
