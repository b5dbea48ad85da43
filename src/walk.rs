//! Discover: a parallel walk (the `ignore` crate, as ripgrep) over the given paths, honouring
//! `.gitignore`/`.ignore` and config excludes. Each file is classified and linted on the
//! walker's threads; results are sorted once at the end, so output is deterministic.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};
use miette::Report;

use crate::config::{Config, Resolver};
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
    /// Honour `dbguard-ignore` comments (false: `--no-inline-suppressions`).
    pub inline_suppressions: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

impl Skipped {
    /// The note's kind: `internal-error` (a dbguard bug: the run exits 2) or `file-skipped`.
    pub fn kind(&self) -> &'static str {
        if self.reason.starts_with(INTERNAL_ERROR) {
            "internal-error"
        } else {
            "file-skipped"
        }
    }
}

#[derive(Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Sources of files with findings (for reporters that show source lines).
    pub sources: Vec<Arc<SourceFile>>,
    pub files_scanned: usize,
    /// Display paths of the linted files.
    pub scanned: Vec<String>,
    pub skipped: Vec<Skipped>,
    /// What the linted files tell the project rules.
    pub facts: Vec<crate::project::Facts>,
    /// The linted files' suppressions.
    pub suppressions: Vec<crate::suppress::FileSuppressions>,
    /// The config files that applied to the linted files.
    pub configs_used: std::collections::BTreeSet<PathBuf>,
    /// Findings that a suppression hid.
    pub suppressed: Vec<crate::suppress::Suppressed>,
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
            let abs = crate::source::absolute(path, cwd);
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
            // A config inside the linted paths is checked too (its contract entries).
            if crate::config::FILE_NAMES.contains(&entry.file_name().to_str().unwrap_or("")) {
                outcome
                    .lock()
                    .expect("outcome")
                    .configs_used
                    .insert(abs.clone());
            }
            let size = entry.metadata().map(|m| m.len()).ok();
            let result = lint_file(
                path,
                display_path(path, cwd),
                size,
                reader,
                &config,
                opts.max_file_size,
            );
            outcome.lock().expect("outcome").add(result);
            WalkState::Continue
        })
    });
    if let Some(e) = error.into_inner().expect("error") {
        return Err(e);
    }
    let mut outcome = outcome.into_inner().expect("outcome");
    outcome.config_findings(&resolver.loaded_configs(), cwd);
    Ok(outcome.finish(opts, cwd))
}

/// How a skipped file's reason starts when linting it panicked.
pub const INTERNAL_ERROR: &str = "internal error";

/// The message of a caught panic.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// What became of one file.
pub enum FileResult {
    Linted(Box<(SourceFile, engine::FileLint)>),
    Skipped(Skipped),
    /// Not a kind dbguard reads.
    NotRead,
}

impl Outcome {
    fn add(&mut self, result: FileResult) {
        match result {
            FileResult::Linted(linted) => {
                let (source, lint) = *linted;
                self.files_scanned += 1;
                self.scanned.push(source.display.clone());
                let keep = !lint.findings.is_empty()
                    || !lint.facts.rls_candidates.is_empty()
                    || lint.suppressions.is_some();
                self.suppressions.extend(lint.suppressions);
                self.configs_used.extend(lint.config_file);
                if let Some(reason) = lint.partly_skipped {
                    self.skipped.push(Skipped {
                        path: source.display.clone(),
                        reason,
                    });
                }
                self.findings.extend(lint.findings);
                if !lint.facts.is_empty() {
                    self.facts.push(lint.facts);
                }
                if keep {
                    self.sources.push(Arc::new(source));
                }
            }
            FileResult::Skipped(s) => self.skipped.push(s),
            FileResult::NotRead => {}
        }
    }

    /// The findings about the config files themselves (the mutation contract's entries).
    fn config_findings(&mut self, configs: &[Arc<Config>], cwd: &Path) {
        for config in configs {
            // Only the configs of linted files: not one read for another reason (the current
            // folder's `[baseline] path`).
            let Some(file) = config
                .file
                .as_ref()
                .filter(|f| self.configs_used.contains(*f))
            else {
                continue;
            };
            let hits = crate::rules::contract::check_config(config);
            if hits.is_empty() {
                continue;
            }
            let source = Arc::new(SourceFile::new(
                display_path(file, cwd),
                file.clone(),
                config.text.clone(),
            ));
            let mut found: Vec<Finding> = hits
                .into_iter()
                .map(|h| {
                    Finding::new(
                        &source,
                        h.meta,
                        config.severity_for(h.meta.id, h.meta.severity, h.severity),
                        h.span,
                        h.message,
                        h.meta.help.to_string(),
                    )
                })
                .collect();
            crate::finding::sort_and_dedup(&mut found);
            crate::finding::assign_fingerprints(&mut found);
            // They can be suppressed like any finding: a `# dbguard-ignore` in the TOML, or a
            // `[[suppress]]` entry whose `path` is the config's own name.
            let kind = crate::lang::FileKind::Env; // `#` comments, line by line
            let comments = crate::fragment::comments::ranges(kind, &config.text, None);
            let mut directives = if crate::suppress::may_hold_directive(&config.text) {
                crate::suppress::parse(&source, kind, &comments, None)
            } else {
                Vec::new()
            };
            let name = file.file_name().map(|n| n.to_string_lossy().to_string());
            directives.extend(crate::suppress::config_entries(
                config,
                name.as_deref().unwrap_or("dbguard.toml"),
            ));
            if !directives.is_empty() {
                self.suppressions.push(crate::suppress::FileSuppressions {
                    path: source.display.clone(),
                    directives,
                    policy: crate::suppress::Policy::of(config),
                });
            }
            self.findings.extend(found);
            self.sources.push(source);
        }
    }

    /// Runs the project rules, then sorts everything once, so output does not depend on
    /// thread timing.
    pub(crate) fn finish(mut self, opts: &WalkOptions, cwd: &Path) -> Outcome {
        let mut project = crate::project::run(&self.facts);
        crate::finding::sort_and_dedup(&mut project);
        // Occurrences are counted per file, as the engine counts them.
        for file in project.chunk_by_mut(|a, b| a.path == b.path) {
            crate::finding::assign_fingerprints(file);
        }
        self.findings.extend(project);
        crate::finding::sort_and_dedup(&mut self.findings);
        self.sources.sort_by(|a, b| a.display.cmp(&b.display));
        self.sources.dedup_by(|a, b| a.display == b.display);
        self.suppressions.sort_by(|a, b| a.path.cmp(&b.path));
        self.suppressions.dedup_by(|a, b| a.path == b.path);
        let applied = crate::suppress::apply(
            &mut self.findings,
            &self.suppressions,
            &self.sources,
            opts.inline_suppressions,
            cwd,
        );
        self.suppressed = applied.suppressed;
        self.sources.extend(applied.sources);
        self.sources.sort_by(|a, b| a.display.cmp(&b.display));
        self.sources.dedup_by(|a, b| a.display == b.display);
        self.skipped.sort();
        self.skipped.dedup();
        self.scanned.sort();
        self.scanned.dedup();
        self
    }
}

/// Classifies, reads (through `reader`) and lints one file. `size` is the file's size when
/// known before reading.
pub fn lint_file(
    path: &Path,
    display: String,
    size: Option<u64>,
    reader: &dyn FileReader,
    config: &Config,
    max_file_size: u64,
) -> FileResult {
    let skipped = |reason: String| {
        FileResult::Skipped(Skipped {
            path: display.clone(),
            reason,
        })
    };
    let kind = match classify_path(path) {
        Classified::Kind(k) => k,
        Classified::Unknown => return FileResult::NotRead,
        Classified::NeedsShebang => match reader.head(path).as_deref().and_then(classify_shebang) {
            Some(k) => k,
            None => return FileResult::NotRead,
        },
    };
    let too_large = |n: u64| format!("larger than --max-file-size ({n} > {max_file_size} bytes)");
    if let Some(n) = size.filter(|&n| n > max_file_size) {
        return skipped(too_large(n));
    }
    let bytes = match reader.read(path) {
        Ok(b) => b,
        Err(e) => return skipped(format!("unreadable: {e}")),
    };
    if bytes.len() as u64 > max_file_size {
        return skipped(too_large(bytes.len() as u64));
    }
    match engine::decode(display.clone(), path, bytes, kind) {
        // A panic is a bug, but it must cost one file, not the run (or a team's commit).
        Ok(source) => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            engine::lint(&source, kind, config)
        })) {
            Ok(lint) => FileResult::Linted(Box::new((source, lint))),
            Err(panic) => skipped(format!(
                "{INTERNAL_ERROR} in {} (a dbguard bug, please report it): {}",
                match engine::current_stage() {
                    "" | "extract" => "extraction".to_string(),
                    rule => format!("rule `{rule}`"),
                },
                panic_message(panic.as_ref())
            )),
        },
        Err(reason) => skipped(reason.to_string()),
    }
}

/// Lints `bytes` as if they were the file `path` (`--stdin-filename`).
pub fn lint_stdin(
    path: &Path,
    bytes: Vec<u8>,
    opts: &WalkOptions,
    resolver: &Resolver,
    cwd: &Path,
    force_exclude: bool,
) -> Result<Outcome, Report> {
    struct Stdin(Vec<u8>);
    impl FileReader for Stdin {
        fn read(&self, _: &Path) -> std::io::Result<Vec<u8>> {
            Ok(self.0.clone())
        }
    }
    let abs = crate::source::absolute(path, cwd);
    let config = resolver.for_dir(abs.parent().unwrap_or(&abs))?;
    let mut outcome = Outcome::default();
    if !(force_exclude && config.is_excluded(&abs)) {
        let size = Some(bytes.len() as u64);
        let display = display_path(path, cwd);
        outcome.add(lint_file(
            path,
            display,
            size,
            &Stdin(bytes),
            &config,
            opts.max_file_size,
        ));
    }
    Ok(outcome.finish(opts, cwd))
}

/// Lints a list of files (the git index, the files changed since a commit) on all threads.
/// Config excludes apply to every file.
pub fn lint_files(
    files: &[PathBuf],
    opts: &WalkOptions,
    resolver: &Resolver,
    reader: &dyn FileReader,
    cwd: &Path,
) -> Result<Outcome, Report> {
    let mut outcome = lint_files_raw(files, opts, resolver, reader, cwd)?;
    // The project rules judge the listed files against the whole project: RLS enabled in a
    // migration that is not among them still counts.
    outcome.facts.extend(project_context(cwd, resolver));
    outcome.config_findings(&resolver.loaded_configs(), cwd);
    Ok(outcome.finish(opts, cwd))
}

/// What the project's SQL files and package.json files on disk say, for the project rules
/// when only some files are linted. Only RLS, drops and Supabase use are read; no findings.
pub fn project_context(root: &Path, resolver: &Resolver) -> Vec<crate::project::Facts> {
    let mut out = Vec::new();
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && ALWAYS_SKIPPED_DIRS.contains(&e.file_name().to_str().unwrap_or("")))
        })
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        let kind = match classify_path(path) {
            Classified::Kind(
                k @ (crate::lang::FileKind::Sql | crate::lang::FileKind::PackageJson),
            ) => k,
            _ => continue,
        };
        if entry.metadata().map_or(true, |m| m.len() > 2 * 1024 * 1024) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(config) = resolver.for_dir(path.parent().unwrap_or(root)) else {
            continue;
        };
        let mut facts = engine::context_facts(path, kind, &text, &config);
        if !facts.is_empty() {
            facts.project = crate::project::project_root(path);
            out.push(facts);
        }
    }
    out
}

fn lint_files_raw(
    files: &[PathBuf],
    opts: &WalkOptions,
    resolver: &Resolver,
    reader: &dyn FileReader,
    cwd: &Path,
) -> Result<Outcome, Report> {
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let outcome = Mutex::new(Outcome::default());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let error: Mutex<Option<Report>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(files.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let abs = crate::source::absolute(path, cwd);
                if crate::config::FILE_NAMES
                    .iter()
                    .any(|n| abs.file_name().is_some_and(|f| f == *n))
                {
                    outcome
                        .lock()
                        .expect("outcome")
                        .configs_used
                        .insert(abs.clone());
                }
                let config = match resolver.for_dir(abs.parent().unwrap_or(&abs)) {
                    Ok(c) => c,
                    Err(e) => {
                        error.lock().expect("error").get_or_insert(e);
                        break;
                    }
                };
                if config.is_excluded(&abs) {
                    continue;
                }
                let result = lint_file(
                    path,
                    display_path(path, cwd),
                    None,
                    reader,
                    &config,
                    opts.max_file_size,
                );
                outcome.lock().expect("outcome").add(result);
            });
        }
    });
    if let Some(e) = error.into_inner().expect("error") {
        return Err(e);
    }
    Ok(outcome.into_inner().expect("outcome"))
}
