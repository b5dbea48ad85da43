//! Analyze: the rule catalogue. One file per rule, with its documentation and its tests.
//!
//! Every rule has a stable kebab-case id, one of the fixed categories, a default severity, the
//! literals it needs (for the prefilter) and its documentation, which feeds `dbguard explain`,
//! SARIF rule metadata and the README rule table.

pub mod access_control;
pub mod bypass;
pub mod contract;
pub mod destructive_command;
pub mod destructive_sql;
pub mod environment;
pub mod input;
pub mod migration_safety;
pub mod production_url;
pub mod suppression;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::shell::Command;
use crate::sql::{SqlContext, SqlNode};
pub use input::{FileHit, FileInput, FileRule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The fixed set of finding categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    DestructiveCommand,
    DestructiveSql,
    AccessControl,
    MigrationSafety,
    ProductionUrl,
    Environment,
    Bypass,
    Contract,
    Suppression,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::DestructiveCommand,
        Category::DestructiveSql,
        Category::AccessControl,
        Category::MigrationSafety,
        Category::ProductionUrl,
        Category::Environment,
        Category::Bypass,
        Category::Contract,
        Category::Suppression,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::DestructiveCommand => "destructive-command",
            Category::DestructiveSql => "destructive-sql",
            Category::AccessControl => "access-control",
            Category::MigrationSafety => "migration-safety",
            Category::ProductionUrl => "production-url",
            Category::Environment => "environment",
            Category::Bypass => "bypass",
            Category::Contract => "contract",
            Category::Suppression => "suppression",
        }
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A rule's documentation: what `dbguard explain` prints.
#[derive(Debug)]
pub struct RuleDoc {
    /// What it catches.
    pub what: &'static str,
    /// Why it is dangerous.
    pub why: &'static str,
    /// Example of code it reports.
    pub example: &'static str,
    /// What to do instead.
    pub instead: &'static str,
}

/// Everything about a rule except its check.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// One line for `dbguard rules` and the README table.
    pub summary: &'static str,
    /// The help line shown with each finding.
    pub help: &'static str,
    /// Literals (ASCII, matched case-insensitively) that a file must contain for the rule to
    /// possibly match. Used by the prefilter.
    pub literals: &'static [&'static str],
    pub doc: RuleDoc,
}

/// A rule's verdict on one command.
#[derive(Debug, Clone)]
pub struct Hit {
    pub severity: Severity,
    pub message: String,
    /// Host range to report.
    pub span: Range<usize>,
}

/// A rule over normalized shell commands, whatever host they came from.
pub trait CommandRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cmd: &Command) -> Option<Hit>;
    /// [`check`](Self::check), knowing the command rules enabled for the file: a rule that
    /// reports on top of other rules' verdicts (`auto-confirm-destructive`) asks only those.
    fn check_enabled(&self, cmd: &Command, enabled: &[&dyn CommandRule]) -> Option<Hit> {
        let _ = enabled;
        self.check(cmd)
    }
}

/// A SQL rule's verdict on one statement.
#[derive(Debug, Clone)]
pub struct SqlHit {
    pub severity: Severity,
    pub message: String,
    /// Fragment range to report.
    pub span: Range<usize>,
}

/// A rule over SQL syntax nodes, whatever host the SQL came from (a `.sql` file, a JS/TS call
/// site, a `psql` command).
pub trait SqlRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Looks at one syntax node (every node of the tree and of each function body is offered;
    /// a rule casts it to the statement it is about).
    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit>;
}

/// Every command rule.
pub fn command_rules() -> &'static [&'static dyn CommandRule] {
    static ALL: std::sync::OnceLock<Vec<&'static dyn CommandRule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        destructive_command::RULES
            .iter()
            .chain(bypass::COMMAND_RULES)
            .copied()
            .collect()
    })
}

/// Every file rule.
pub fn file_rules() -> &'static [&'static dyn FileRule] {
    static ALL: std::sync::OnceLock<Vec<&'static dyn FileRule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        production_url::RULES
            .iter()
            .chain(environment::RULES)
            .chain(bypass::RULES)
            .chain(contract::RULES)
            .copied()
            .collect()
    })
}

/// Every per-statement SQL rule.
pub fn sql_rules() -> &'static [&'static dyn SqlRule] {
    static ALL: std::sync::OnceLock<Vec<&'static dyn SqlRule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        destructive_sql::RULES
            .iter()
            .chain(access_control::RULES)
            .copied()
            .collect()
    })
}

/// Rules that see the whole project after the per-file pass.
pub fn project_rules() -> &'static [&'static RuleMeta] {
    static PROJECT: [&RuleMeta; 2] = [
        &access_control::table_without_rls::META,
        &migration_safety::migration_order::META,
    ];
    &PROJECT
}

/// Every rule's metadata, in catalogue order: command rules, SQL rules, file rules, project
/// rules, config rules, then squawk's migration rules.
pub fn all_rules() -> impl Iterator<Item = &'static RuleMeta> {
    command_rules()
        .iter()
        .map(|r| r.meta())
        .chain(sql_rules().iter().map(|r| r.meta()))
        .chain(file_rules().iter().map(|r| r.meta()))
        .chain(project_rules().iter().copied())
        .chain(contract::CONFIG_RULES.iter().copied())
        .chain(suppression::METAS.iter().copied())
        .chain(migration_safety::squawk::metas().iter())
}

/// Rules that are off unless `[rules] enable` names them (or their group).
pub fn is_opt_in(id: &str) -> bool {
    migration_safety::squawk::is_opt_in(id)
}

pub fn find_rule(id: &str) -> Option<&'static RuleMeta> {
    all_rules().find(|m| m.id == id)
}

/// The fence language of a rule's example, from its category and text.
fn example_lang(meta: &RuleMeta) -> &'static str {
    let sql = matches!(
        meta.category,
        Category::DestructiveSql | Category::AccessControl | Category::MigrationSafety
    ) && meta.id != "migration-order";
    let ex = meta.doc.example.trim_start();
    let js = [
        "const ", "import ", "await ", "export ", "// ", "process.", "if (",
    ];
    if sql {
        "sql"
    } else if ex.starts_with("[[") || ex.starts_with("# dbguard.toml") {
        "toml"
    } else if ex.starts_with('"') && ex.contains("\": ") {
        "json"
    } else if js.iter().any(|p| ex.starts_with(p)) {
        "ts"
    } else {
        "sh"
    }
}

/// Renders a rule's documentation as Markdown.
pub fn render_doc(meta: &RuleMeta) -> String {
    format!(
        "# {id}\n\nCategory: {cat} · Default severity: {sev}{opt_in}\n\n{summary}\n\n## What it catches\n{what}\n\n## Why it is dangerous\n{why}\n\n## Example\n```{lang}\n{example}\n```\n\n## Use instead\n{instead}\n",
        id = meta.id,
        opt_in = if is_opt_in(meta.id) {
            " · Off unless enabled in `[rules] enable`"
        } else {
            ""
        },
        lang = example_lang(meta),
        cat = meta.category.as_str(),
        sev = meta.severity.as_str(),
        summary = meta.summary,
        what = meta.doc.what.trim(),
        why = meta.doc.why.trim(),
        example = meta.doc.example.trim(),
        instead = meta.doc.instead.trim(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_consistent() {
        let mut ids: Vec<&str> = all_rules().map(|m| m.id).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule id");
        for m in all_rules() {
            assert!(
                m.id.strip_prefix("squawk/")
                    .unwrap_or(m.id)
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                m.id
            );
            assert!(
                !m.literals.is_empty() || !command_rules().iter().any(|r| r.meta().id == m.id),
                "{} has no prefilter literals",
                m.id
            );
            assert!(m.literals.iter().all(|l| l.is_ascii()), "{}", m.id);
            for (name, text) in [
                ("summary", m.summary),
                ("help", m.help),
                ("what", m.doc.what),
                ("why", m.doc.why),
                ("example", m.doc.example),
                ("instead", m.doc.instead),
            ] {
                assert!(text.trim().len() > 10, "{}: {name} is missing", m.id);
            }
        }
    }
}
