//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
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
        inline_suppressions: true,
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

/// The dbguard binary, run from the repository root, outside GitHub Actions, without colors.
pub fn dbguard() -> Command {
    let mut c = Command::cargo_bin("dbguard").unwrap();
    c.current_dir(root())
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1");
    c
}

/// What a run printed and how it exited.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Out {
    let o = cmd.output().unwrap();
    Out {
        code: o.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}
