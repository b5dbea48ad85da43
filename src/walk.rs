//! Discover: a parallel walk (the `ignore` crate, as ripgrep) over the given paths, honouring
//! `.gitignore`/`.ignore` and config excludes. Each file is classified and linted on the
//! walker's threads; results are sorted once at the end, so output is deterministic.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};
use miette::Report;

use crate::config::Resolver;
use crate::engine;
use crate::finding::Finding;
use crate::lang::{classify_path, classify_shebang, Classified};
use crate::source::{FileReader, SourceFile};

/// Directories never walked into unless named on the command line.
const ALWAYS_SKIPPED_DIRS: &[&str] = &[".git", "node_modules", ".hg", ".svn"];

pub struct WalkOptions {
    pub paths: Vec<PathBuf>,
    pub no_ignore: bool,
    pub force_exclude: bool,
    pub max_file_size: u64,
    pub threads: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

#[derive(Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Sources of files with findings (for reporters that show source lines).
    pub sources: Vec<Arc<SourceFile>>,
    pub files_scanned: usize,
    pub skipped: Vec<Skipped>,
}

/// The path as the user should see it: relative to `cwd` when possible, `/`-separated.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

pub fn run(
    opts: &WalkOptions,
    resolver: &Resolver,
    reader: &dyn FileReader,
    cwd: &Path,
) -> Result<Outcome, Report> {
    for p in &opts.paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(miette::miette!(
                code = "dbguard::path",
                help = "check the path; dbguard lints files and directories that exist",
                "no such file or directory: {}",
                p.display()
            ));
        }
    }
    let mut builder = WalkBuilder::new(&opts.paths[0]);
    for p in &opts.paths[1..] {
        builder.add(p);
    }
    builder
        .hidden(false)
        .follow_links(false)
        .require_git(false)
        .threads(opts.threads)
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_some_and(|t| t.is_dir())
                    && ALWAYS_SKIPPED_DIRS.contains(&e.file_name().to_str().unwrap_or("")))
        });
    if opts.no_ignore {
        builder.standard_filters(false).hidden(false);
    }
    let outcome = Mutex::new(Outcome::default());
    let error: Mutex<Option<Report>> = Mutex::new(None);
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => display_path(path, cwd),
                        _ => String::new(),
                    };
                    outcome.lock().expect("outcome").skipped.push(Skipped {
                        path,
                        reason: err.to_string(),
                    });
                    return WalkState::Continue;
                }
            };
            let path = entry.path();
            let abs = if path.is_absolute() {
                path.to_path_buf()
            } else {
                cwd.join(path)
            };
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let config_dir = if is_dir {
                abs.as_path()
            } else {
                abs.parent().unwrap_or(&abs)
            };
            let config = match resolver.for_dir(config_dir) {
                Ok(c) => c,
                Err(e) => {
                    error.lock().expect("error").get_or_insert(e);
                    return WalkState::Quit;
                }
            };
            let explicit = entry.depth() == 0;
            if (!explicit || opts.force_exclude) && config.is_excluded(&abs) {
                return if is_dir {
                    WalkState::Skip
                } else {
                    WalkState::Continue
                };
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let display = display_path(path, cwd);
            let kind = match classify_path(path) {
                Classified::Kind(k) => Some(k),
                Classified::Unknown => None,
                Classified::NeedsShebang => read_head(path).and_then(|h| classify_shebang(&h)),
            };
            let Some(kind) = kind else {
                return WalkState::Continue;
            };
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > opts.max_file_size {
                outcome.lock().expect("outcome").skipped.push(Skipped {
                    path: display,
                    reason: format!(
                        "larger than --max-file-size ({size} > {} bytes)",
                        opts.max_file_size
                    ),
                });
                return WalkState::Continue;
            }
            let bytes = match reader.read(path) {
                Ok(b) => b,
                Err(e) => {
                    outcome.lock().expect("outcome").skipped.push(Skipped {
                        path: display,
                        reason: format!("unreadable: {e}"),
                    });
                    return WalkState::Continue;
                }
            };
            let source = match engine::decode(display.clone(), path, bytes) {
                Ok(s) => s,
                Err(reason) => {
                    outcome.lock().expect("outcome").skipped.push(Skipped {
                        path: display,
                        reason: reason.to_string(),
                    });
                    return WalkState::Continue;
                }
            };
            let findings = engine::lint_source(&source, kind, &config);
            let mut o = outcome.lock().expect("outcome");
            o.files_scanned += 1;
            if !findings.is_empty() {
                o.findings.extend(findings);
                o.sources.push(Arc::new(source));
            }
            WalkState::Continue
        })
    });
    if let Some(e) = error.into_inner().expect("error") {
        return Err(e);
    }
    let mut o = outcome.into_inner().expect("outcome");
    crate::finding::sort_and_dedup(&mut o.findings);
    o.sources.sort_by(|a, b| a.display.cmp(&b.display));
    o.sources.dedup_by(|a, b| a.display == b.display);
    o.skipped.sort();
    o.skipped.dedup();
    Ok(o)
}

fn read_head(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 256];
    let n = f.read(&mut buf).ok()?;
    buf.truncate(n);
    Some(buf)
}
