//! Project rules: after the per-file pass, the rules that need every file at once — Row Level
//! Security across a migrations folder (`table-without-rls`) and the order of migrations
//! (`migration-order`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::finding::Finding;
use crate::rules::migration_safety::migration_order;
use crate::source::LineCol;

/// What one file contributes to the project rules.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// The project the file belongs to (see [`project_root`]): RLS is judged per project.
    pub project: PathBuf,
    /// `table-without-rls` findings to keep if no file enables RLS on their table, keyed by
    /// table; `forced` when `[rules] enable` names the rule.
    pub rls_candidates: Vec<RlsCandidate>,
    /// Tables some SQL enables RLS on.
    pub rls_enabled: Vec<String>,
    /// Tables some SQL drops.
    pub dropped: Vec<String>,
    /// The file says the project uses Supabase (a package.json depending on supabase-js, a
    /// file under `supabase/migrations/`).
    pub supabase: bool,
    /// The file is a migration whose folder `migration-order` should check, with the
    /// severity config of the file (`None` when the rule is disabled there).
    pub migration_dir: Option<MigrationDir>,
}

#[derive(Debug, Clone)]
pub struct RlsCandidate {
    pub table: String,
    pub finding: Finding,
    pub forced: bool,
    /// The file's path, to look for `supabase/config.toml` above it.
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MigrationDir {
    /// The folder on disk.
    pub dir: PathBuf,
    /// The folder as the user sees it (`/`-separated, relative).
    pub display: String,
    pub severity_override: Option<crate::rules::Severity>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        self.rls_candidates.is_empty()
            && self.rls_enabled.is_empty()
            && self.dropped.is_empty()
            && !self.supabase
            && self.migration_dir.is_none()
    }

    pub fn merge(&mut self, other: Facts) {
        self.rls_candidates.extend(other.rls_candidates);
        self.rls_enabled.extend(other.rls_enabled);
        self.dropped.extend(other.dropped);
        self.supabase |= other.supabase;
        self.migration_dir = self.migration_dir.take().or(other.migration_dir);
    }
}

/// Runs the project rules over the facts of every linted file; returns their findings.
pub fn run(facts: &[Facts]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut projects: BTreeMap<&Path, Vec<&Facts>> = BTreeMap::new();
    for f in facts {
        projects.entry(f.project.as_path()).or_default().push(f);
    }
    for facts in projects.values() {
        out.extend(rls(facts));
    }
    out.extend(migration_order(facts));
    out
}

/// The directory that makes a project of a file: the nearest folder above it with a `.git`,
/// a dbguard config, a `package.json` or a `supabase/` folder (the file's own folder when none
/// is found).
pub fn project_root(path: &Path) -> PathBuf {
    let start = path.parent().unwrap_or(path);
    start
        .ancestors()
        .take(32)
        .find(|d| {
            [
                ".git",
                "dbguard.toml",
                ".dbguard.toml",
                "package.json",
                "supabase",
            ]
            .iter()
            .any(|m| d.join(m).exists())
        })
        .unwrap_or(start)
        .to_path_buf()
}

fn rls(facts: &[&Facts]) -> Vec<Finding> {
    let mut out = Vec::new();
    let enabled: BTreeSet<&str> = facts
        .iter()
        .flat_map(|f| f.rls_enabled.iter().map(String::as_str))
        .collect();
    let dropped: BTreeSet<&str> = facts
        .iter()
        .flat_map(|f| f.dropped.iter().map(String::as_str))
        .collect();
    let project_uses_rls = !enabled.is_empty() || facts.iter().any(|f| f.supabase);
    for c in facts.iter().flat_map(|f| &f.rls_candidates) {
        let active = c.forced || project_uses_rls || supabase_config_above(&c.path);
        let schema = c.table.split('.').next().unwrap_or("public");
        let covered = enabled.contains(c.table.as_str())
            || enabled.contains(format!("{schema}.*").as_str())
            || enabled.contains("*.*");
        if active && !covered && !dropped.contains(c.table.as_str()) {
            out.push(c.finding.clone());
        }
    }
    out
}

fn migration_order(facts: &[Facts]) -> Vec<Finding> {
    let mut out = Vec::new();
    let dirs: BTreeMap<&Path, &MigrationDir> = facts
        .iter()
        .filter_map(|f| f.migration_dir.as_ref())
        .map(|d| (d.dir.as_path(), d))
        .collect();
    for d in dirs.values() {
        for hit in migration_order::check_dir(&d.dir) {
            let meta = &migration_order::META;
            let path = format!("{}/{}", d.display, hit.entry);
            let severity = match d.severity_override {
                Some(s) if hit.severity > crate::rules::Severity::Info => s,
                _ => hit.severity,
            };
            out.push(Finding {
                rule: meta.id,
                category: meta.category,
                severity,
                path,
                start: LineCol { line: 1, column: 1 },
                end: LineCol { line: 1, column: 1 },
                span: 0..0,
                snippet: hit.entry.clone(),
                message: hit.message,
                help: meta.help.to_string(),
                fingerprint: String::new(),
                occurrence: 0,
            });
        }
    }
    out
}

/// A `supabase/config.toml` in the file's directory or above: the project is a Supabase one.
fn supabase_config_above(path: &Path) -> bool {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.ancestors().skip(1).take(12).any(|d| {
        d.join("supabase/config.toml").is_file()
            || (d.ends_with("supabase") && d.join("config.toml").is_file())
    })
}

/// The migrations folder a file belongs to, for `migration-order`: its own folder when that is
/// named `migrations`/`migrate`/`migration`, or the folder above for Prisma-style
/// `migrations/<version>_<name>/migration.sql`.
pub fn migration_folder(path: &Path) -> Option<PathBuf> {
    let is_named = |d: &Path| {
        d.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| matches!(n, "migrations" | "migrate" | "migration"))
    };
    let parent = path.parent()?;
    let drizzle = parent.file_name().is_some_and(|n| n == "drizzle")
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(crate::sql::context::numbered);
    if is_named(parent) || drizzle {
        return Some(parent.to_path_buf());
    }
    let grand = parent.parent()?;
    is_named(grand).then(|| grand.to_path_buf())
}
