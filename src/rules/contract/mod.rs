//! Category `contract`: the production mutation contract. `[[contract.scripts]]` in
//! `dbguard.toml` lists the scripts allowed to change the database and the tables each may
//! write; the rules are active only when the config has at least one entry.
//!
//! Two file rules check each script (`uncontracted-mutation-script`,
//! `contract-table-violation`; what counts as a write is in [`writes`]); two config rules
//! check the entries themselves ([`check_config`]: `stale-contract-entry`,
//! `contract-missing-reason`).

mod contract_missing_reason;
mod contract_table_violation;
mod stale_contract_entry;
mod uncontracted_mutation_script;
pub mod writes;

use std::ops::Range;

use globset::GlobMatcher;

use super::{FileRule, RuleMeta, Severity};
use crate::config::{Config, ContractScript};

/// The family's file rules, in catalogue order.
pub static RULES: &[&dyn FileRule] = &[
    &uncontracted_mutation_script::Rule,
    &contract_table_violation::Rule,
];

/// The family's rules over the config file itself (see [`check_config`]).
pub static CONFIG_RULES: &[&RuleMeta] =
    &[&stale_contract_entry::META, &contract_missing_reason::META];

/// The prefilter literals of the file rules. They only widen the candidates (the rules run
/// on every script of a project with a contract, through `needs_no_literal`); they are the
/// words a write's span contains.
const WRITE_LITERALS: &[&str] = &[
    "insert",
    "update",
    "upsert",
    "del",
    "truncate",
    "create",
    "save",
    "remove",
    "clear",
    "destroy",
    "merge",
    "copy",
    "executeraw",
    "psql",
];

/// A config rule's verdict on a `[[contract.scripts]]` entry.
#[derive(Debug, Clone)]
pub struct ConfigHit {
    pub meta: &'static RuleMeta,
    /// The rule's default severity (`[rules] severity` is applied by the caller).
    pub severity: Severity,
    pub message: String,
    /// Byte range in the config file's text.
    pub span: Range<usize>,
}

/// Checks the contract entries of `config` (stale paths, missing reasons). Reads the disk
/// under the config root once, and only when there are entries. Disabled rules are skipped.
pub fn check_config(config: &Config) -> Vec<ConfigHit> {
    let mut out = Vec::new();
    if config.contract.is_empty() {
        return out;
    }
    let on = |m: &RuleMeta| config.rule_enabled(m.id, m.category);
    if on(&stale_contract_entry::META) {
        stale_contract_entry::check(config, &mut out);
    }
    if on(&contract_missing_reason::META) {
        contract_missing_reason::check(config, &mut out);
    }
    out.sort_by_key(|h| (h.span.start, h.meta.id));
    out
}

/// An entry's `path` as a matcher over paths relative to the config root (`./` ignored).
fn matcher(entry: &ContractScript) -> Option<GlobMatcher> {
    let path = entry.path.trim_start_matches("./");
    crate::config::compile_glob(path)
        .ok()
        .map(|g| g.compile_matcher())
}

/// The entries whose `path` matches `rel`.
fn entries_for<'c>(config: &'c Config, rel: &str) -> Vec<&'c ContractScript> {
    config
        .contract
        .iter()
        .filter(|e| matcher(e).is_some_and(|m| m.is_match(rel)))
        .collect()
}

/// A table name for comparison: schema prefix and quotes dropped, case and `_` ignored
/// (`public."User_Profile"`, `userProfile` and `user_profile` are one name).
fn normalize(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.chars()
        .filter(|c| !matches!(c, '"' | '`' | '\'' | '_' | '[' | ']'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a write to `written` is allowed by a contract that lists `listed`. A model's or
/// delegate's name (`prisma.user`, `getRepository(User)`) also matches its table in the
/// plural (`users`, `categories`), and the other way round.
pub(crate) fn same_table(written: &str, model: bool, listed: &str) -> bool {
    let (w, l) = (normalize(written), normalize(listed));
    if w == l || l == "*" {
        return true;
    }
    if !model {
        return false;
    }
    let plural = |s: &str| -> Vec<String> {
        let mut v = vec![format!("{s}s"), format!("{s}es")];
        if let Some(stem) = s.strip_suffix('y') {
            v.push(format!("{stem}ies"));
        }
        v
    };
    plural(&w).contains(&l) || plural(&l).contains(&w)
}

/// `a`, `b` and `c` as "`a`, `b`, `c`".
fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
pub(crate) mod testing {
    //! Runs a contract file rule over a snippet, under a contract given as TOML.
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use crate::config::Config;
    use crate::lang::{FileKind, JsDialect};
    use crate::rules::{FileHit, FileInput, FileRule};
    use crate::source::SourceFile;

    pub fn config(toml: &str) -> Config {
        Config::parse(toml, Path::new("/nonexistent-repo/dbguard.toml")).expect("valid config")
    }

    /// The hits of `rule` on `src` as the file `rel` (a script unless under `src/`).
    pub fn run(rule: &dyn FileRule, config: &Config, rel: &str, src: &str) -> Vec<FileHit> {
        let kind = if rel.ends_with(".sql") {
            FileKind::Sql
        } else if rel.ends_with(".sh") {
            FileKind::Shell
        } else {
            FileKind::Js(JsDialect::TypeScript)
        };
        let path = PathBuf::from("/nonexistent-repo").join(rel);
        let source = SourceFile::new(rel.to_string(), path.clone(), Arc::from(src));
        let input = FileInput::new(
            &source,
            kind,
            rel,
            config,
            config.is_test(&path),
            config.is_script(&path),
        );
        let mut out = Vec::new();
        if rule.needs_no_literal(&input) {
            rule.check(&input, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::testing::config;
    use super::*;

    #[test]
    fn table_names() {
        assert!(same_table("public.users", false, "USERS"));
        assert!(same_table("\"UserProfile\"", false, "user_profile"));
        assert!(same_table("userProfile", true, "UserProfile"));
        assert!(same_table("user", true, "users"));
        assert!(same_table("category", true, "categories"));
        assert!(same_table("Users", true, "user"));
        assert!(!same_table("user", false, "users"));
        assert!(!same_table("user", true, "user_roles"));
        assert!(same_table("anything", false, "*"));
    }

    #[test]
    fn entries_match_relative_paths() {
        let c = config(
            "[[contract.scripts]]\npath = \"./scripts/sync-*.ts\"\ntables = [\"a\"]\nreason = \"r\"\n[[contract.scripts]]\npath = \"scripts/**\"\ntables = [\"*\"]\nreason = \"r\"\n",
        );
        assert_eq!(entries_for(&c, "scripts/sync-prod.ts").len(), 2);
        assert_eq!(entries_for(&c, "scripts/x/sync-prod.ts").len(), 1);
        assert!(entries_for(&c, "src/sync-prod.ts").is_empty());
    }
}
