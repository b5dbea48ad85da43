//! `dbguard.toml` / `.dbguard.toml`: found by walking up from each linted path (the nearest
//! wins) or given with `--config`. Unknown keys and bad values are fatal, with a diagnostic
//! that points into the TOML.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use miette::{LabeledSpan, NamedSource, Report};
use serde::Deserialize;
use toml::Spanned;

use crate::rules::{self, Category, Severity};

pub const FILE_NAMES: &[&str] = &["dbguard.toml", ".dbguard.toml"];

pub const DEFAULT_TESTS: &[&str] = &[
    "**/*.test.*",
    "**/*.spec.*",
    "**/__tests__/**",
    "tests/**",
    "test/**",
    "e2e/**",
    // The same folders in any package of a monorepo, and test harness files.
    "**/tests/**",
    "**/test/**",
    "**/e2e/**",
    "**/*.setup.*",
    "**/global-setup.*",
    "**/globalSetup.*",
    "**/setupTests.*",
    "**/test-utils.*",
    "**/cypress/**",
    "**/supabase/tests/**",
];
pub const DEFAULT_SCRIPTS: &[&str] = &[
    "scripts/**",
    "bin/**",
    "tools/**",
    "**/*.sh",
    "prisma/seed.*",
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    files: RawFiles,
    #[serde(default)]
    production: RawProduction,
    #[serde(default)]
    guards: RawGuards,
    #[serde(default)]
    contract: RawContract,
    #[serde(default)]
    bypass: RawBypass,
    #[serde(default)]
    suppressions: RawSuppressions,
    #[serde(default)]
    suppress: Vec<Spanned<RawSuppress>>,
    #[serde(default)]
    baseline: RawBaseline,
    #[serde(default)]
    sql: RawSql,
}

/// `[sql]`: an extension of the issue's schema for the SQL rules.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSql {
    /// Schemas whose tables an API exposes (`table-without-rls`); default `["public"]`.
    exposed_schemas: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<Severity>>,
    /// Rules that are off unless enabled (reserved for rules with an opt-in).
    #[serde(default)]
    enable: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    exclude: Option<Vec<Spanned<String>>>,
    tests: Option<Vec<Spanned<String>>>,
    scripts: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduction {
    #[serde(default)]
    hosts: Vec<Spanned<String>>,
    #[serde(default)]
    ports: Vec<u16>,
    #[serde(default)]
    env: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGuards {
    #[serde(default)]
    functions: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    #[serde(default)]
    scripts: Vec<Spanned<RawContractScript>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContractScript {
    path: Spanned<String>,
    #[serde(default)]
    tables: Vec<String>,
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBypass {
    #[serde(default)]
    allow: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppressions {
    #[serde(default = "yes")]
    require_reason: bool,
    #[serde(default)]
    forbid: Vec<Spanned<String>>,
}

impl Default for RawSuppressions {
    fn default() -> Self {
        RawSuppressions {
            require_reason: true,
            forbid: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppress {
    path: Spanned<String>,
    rule: Spanned<String>,
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    path: Option<String>,
}

/// One entry of the mutation contract.
#[derive(Debug, Clone)]
pub struct ContractScript {
    pub path: String,
    pub tables: Vec<String>,
    pub reason: Option<String>,
    /// Byte range of the entry in the config file.
    pub span: std::ops::Range<usize>,
    /// Byte range of the `path` value in the config file.
    pub path_span: std::ops::Range<usize>,
}

/// A `[[suppress]]` entry for hosts without comments.
#[derive(Debug, Clone)]
pub struct SuppressEntry {
    pub path: String,
    pub rule: String,
    pub reason: Option<String>,
    /// Byte range of the entry in the config file.
    pub span: std::ops::Range<usize>,
    matcher: globset::GlobMatcher,
}

impl SuppressEntry {
    /// True when the entry's `path` glob matches `rel` (relative to the config's folder).
    pub fn matches(&self, rel: &str) -> bool {
        self.matcher.is_match(rel)
    }
}

/// A validated configuration.
#[derive(Debug)]
pub struct Config {
    /// The config file, if any.
    pub file: Option<PathBuf>,
    /// The config file's text (empty for the defaults): findings about entries point into it.
    pub text: Arc<str>,
    /// Directory that globs are relative to.
    pub root: PathBuf,
    disabled_rules: Vec<String>,
    disabled_categories: Vec<Category>,
    pub(crate) severity: HashMap<String, Severity>,
    pub enabled: Vec<String>,
    /// Schemas whose tables an API exposes (`[sql] exposed_schemas`).
    pub exposed_schemas: Vec<String>,
    exclude: GlobSet,
    tests: GlobSet,
    scripts: GlobSet,
    pub production_hosts: GlobSet,
    /// The `[production] hosts` globs as written (lowercase), for literal prefilters.
    pub production_host_patterns: Vec<String>,
    pub production_ports: Vec<u16>,
    pub production_env: Vec<String>,
    pub guard_functions: Vec<String>,
    pub contract: Vec<ContractScript>,
    pub bypass_allow: Vec<String>,
    pub require_reason: bool,
    pub forbid: Vec<String>,
    pub suppress: Vec<SuppressEntry>,
    pub baseline: Option<String>,
}

impl Config {
    /// The built-in defaults, relative to `root`.
    pub fn default_at(root: PathBuf) -> Config {
        Self::build(RawConfig::default(), None, root, "").expect("defaults are valid")
    }

    /// Parses and validates `text` (the contents of `path`).
    pub fn parse(text: &str, path: &Path) -> Result<Config, Report> {
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            diagnostic(path, text, span, e.message().to_string(), None)
        })?;
        Self::build(raw, Some(path.to_path_buf()), root, text)
    }

    pub fn load(path: &Path) -> Result<Config, Report> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| miette::miette!("cannot read config {}: {e}", path.display()))?;
        Self::parse(&text, path)
    }

    fn build(
        raw: RawConfig,
        file: Option<PathBuf>,
        root: PathBuf,
        text: &str,
    ) -> Result<Config, Report> {
        let path = file
            .clone()
            .unwrap_or_else(|| PathBuf::from("dbguard.toml"));
        let err = |span: std::ops::Range<usize>, msg: String, help: Option<String>| {
            diagnostic(&path, text, span, msg, help)
        };
        let check_rule = |name: &Spanned<String>| -> Result<(), Report> {
            let n = name.get_ref();
            if rules::find_rule(n).is_some()
                || Category::from_name(n).is_some()
                || n == rules::migration_safety::squawk::GROUP
            {
                return Ok(());
            }
            Err(err(
                name.span(),
                format!("unknown rule or category `{n}`"),
                Some("run `dbguard rules` for the list of rule ids".into()),
            ))
        };
        let mut disabled_rules = Vec::new();
        let mut disabled_categories = Vec::new();
        for d in &raw.rules.disable {
            check_rule(d)?;
            match Category::from_name(d.get_ref()) {
                Some(c) => disabled_categories.push(c),
                None => disabled_rules.push(d.get_ref().clone()),
            }
        }
        for e in &raw.rules.enable {
            check_rule(e)?;
        }
        let mut severity = HashMap::new();
        for (id, sev) in &raw.rules.severity {
            if rules::find_rule(id).is_none() {
                return Err(err(
                    sev.span(),
                    format!("unknown rule `{id}` in [rules] severity"),
                    Some("run `dbguard rules` for the list of rule ids".into()),
                ));
            }
            severity.insert(id.clone(), *sev.get_ref());
        }
        for f in &raw.suppressions.forbid {
            check_rule(f)?;
        }
        let globs = |list: Option<&Vec<Spanned<String>>>,
                     defaults: &[&str]|
         -> Result<GlobSet, Report> {
            let mut b = GlobSetBuilder::new();
            match list {
                Some(list) => {
                    for g in list {
                        b.add(
                            compile_glob(g.get_ref())
                                .map_err(|e| err(g.span(), format!("invalid glob: {e}"), None))?,
                        );
                    }
                }
                None => {
                    for g in defaults {
                        b.add(compile_glob(g).expect("default globs are valid"));
                    }
                }
            }
            b.build().map_err(|e| miette::miette!("invalid globs: {e}"))
        };
        let exclude = globs(raw.files.exclude.as_ref(), &[])?;
        let tests = globs(raw.files.tests.as_ref(), DEFAULT_TESTS)?;
        let scripts = globs(raw.files.scripts.as_ref(), DEFAULT_SCRIPTS)?;
        let mut hosts = GlobSetBuilder::new();
        for h in &raw.production.hosts {
            let g = globset::GlobBuilder::new(&h.get_ref().to_ascii_lowercase())
                .literal_separator(false)
                .build()
                .map_err(|e| err(h.span(), format!("invalid host glob: {e}"), None))?;
            hosts.add(g);
        }
        let mut contract = Vec::new();
        for s in &raw.contract.scripts {
            let span = s.span();
            let s = s.get_ref();
            compile_glob(s.path.get_ref())
                .map_err(|e| err(s.path.span(), format!("invalid glob: {e}"), None))?;
            if let Some(file) = &file {
                let full = file
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join(s.path.get_ref());
                if full.is_dir() {
                    return Err(err(
                        s.path.span(),
                        format!("contract path `{}` is a directory", s.path.get_ref()),
                        Some(format!(
                            "use a glob such as \"{}/**\"",
                            s.path.get_ref().trim_end_matches('/')
                        )),
                    ));
                }
            }
            contract.push(ContractScript {
                path: s.path.get_ref().clone(),
                tables: s.tables.clone(),
                reason: s.reason.clone(),
                span,
                path_span: s.path.span(),
            });
        }
        let mut suppress = Vec::new();
        for entry in &raw.suppress {
            let span = entry.span();
            let s = entry.get_ref();
            check_rule(&s.rule)?;
            let glob = compile_glob(s.path.get_ref())
                .map_err(|e| err(s.path.span(), format!("invalid glob: {e}"), None))?;
            suppress.push(SuppressEntry {
                path: s.path.get_ref().clone(),
                rule: s.rule.get_ref().clone(),
                reason: s.reason.clone(),
                span,
                matcher: glob.compile_matcher(),
            });
        }
        Ok(Config {
            file,
            text: Arc::from(text),
            root,
            disabled_rules,
            disabled_categories,
            severity,
            enabled: raw
                .rules
                .enable
                .iter()
                .map(|e| e.get_ref().clone())
                .collect(),
            exclude,
            tests,
            scripts,
            production_hosts: hosts
                .build()
                .map_err(|e| miette::miette!("invalid host globs: {e}"))?,
            production_host_patterns: raw
                .production
                .hosts
                .iter()
                .map(|h| h.get_ref().to_ascii_lowercase())
                .collect(),
            production_ports: raw.production.ports,
            production_env: raw.production.env,
            guard_functions: raw.guards.functions,
            contract,
            bypass_allow: raw.bypass.allow,
            require_reason: raw.suppressions.require_reason,
            forbid: raw
                .suppressions
                .forbid
                .iter()
                .map(|f| f.get_ref().clone())
                .collect(),
            suppress,
            baseline: raw.baseline.path,
            exposed_schemas: raw
                .sql
                .exposed_schemas
                .unwrap_or_else(|| vec!["public".to_string()]),
        })
    }

    pub fn rule_enabled(&self, id: &str, category: Category) -> bool {
        !self.disabled_categories.contains(&category)
            && !self
                .disabled_rules
                .iter()
                .any(|r| r == id || group_of(id) == Some(r.as_str()))
    }

    /// `[rules] enable` names the rule or its group (`squawk`).
    pub fn explicitly_enabled(&self, id: &str) -> bool {
        self.enabled
            .iter()
            .any(|r| r == id || group_of(id) == Some(r.as_str()))
    }

    /// The severity of a finding after `[rules] severity`. Findings the rule itself lowered to
    /// `info` because of their context (a local target) stay `info`.
    pub fn severity_for(&self, id: &str, default: Severity, found: Severity) -> Severity {
        match self.severity.get(id) {
            Some(&s) if !(found == Severity::Info && default != Severity::Info) => s,
            _ => found,
        }
    }

    fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        let rel = self.relative(path);
        self.exclude.is_match(rel)
            || rel
                .ancestors()
                .skip(1)
                .any(|a| !a.as_os_str().is_empty() && self.exclude.is_match(a))
    }

    pub fn is_test(&self, path: &Path) -> bool {
        self.tests.is_match(self.relative(path))
    }

    pub fn is_script(&self, path: &Path) -> bool {
        self.scripts.is_match(self.relative(path))
    }
}

/// The group a rule id belongs to: `squawk` for `squawk/…`.
fn group_of(id: &str) -> Option<&str> {
    id.split_once('/').map(|(g, _)| g)
}

pub(crate) fn compile_glob(g: &str) -> Result<globset::Glob, globset::Error> {
    // Paths are matched relative to the config's folder: `./scripts/*` means `scripts/*`.
    let g = g.trim_start_matches("./");
    globset::GlobBuilder::new(g)
        .literal_separator(true)
        .build()
        .or_else(|_| Glob::new(g))
}

fn diagnostic(
    path: &Path,
    text: &str,
    span: std::ops::Range<usize>,
    msg: String,
    help: Option<String>,
) -> Report {
    let mut d = miette::MietteDiagnostic::new(format!("invalid config: {msg}"))
        .with_code("dbguard::config")
        .with_label(LabeledSpan::at(span, msg));
    if let Some(h) = help {
        d = d.with_help(h);
    }
    Report::new(d).with_source_code(NamedSource::new(
        path.display().to_string(),
        text.to_string(),
    ))
}

/// Finds the config for each path: `--config`, or the nearest `dbguard.toml`/`.dbguard.toml`
/// walking up from the path's directory; cached per directory.
pub struct Resolver {
    explicit: Option<Arc<Config>>,
    default: Arc<Config>,
    cache: Mutex<HashMap<PathBuf, Arc<Config>>>,
    loaded: Mutex<HashMap<PathBuf, Arc<Config>>>,
}

impl Resolver {
    pub fn new(explicit: Option<&Path>, cwd: &Path) -> Result<Resolver, Report> {
        let explicit = match explicit {
            Some(p) => Some(Arc::new(Config::load(p)?)),
            None => None,
        };
        Ok(Resolver {
            explicit,
            default: Arc::new(Config::default_at(cwd.to_path_buf())),
            cache: Mutex::new(HashMap::new()),
            loaded: Mutex::new(HashMap::new()),
        })
    }

    /// Every config file read so far (and `--config`), in path order.
    pub fn loaded_configs(&self) -> Vec<Arc<Config>> {
        if let Some(c) = &self.explicit {
            return vec![c.clone()];
        }
        let loaded = self.loaded.lock().expect("config cache");
        let mut paths: Vec<&PathBuf> = loaded.keys().collect();
        paths.sort();
        paths.iter().map(|p| loaded[*p].clone()).collect()
    }

    /// The config for an (absolute) directory.
    pub fn for_dir(&self, dir: &Path) -> Result<Arc<Config>, Report> {
        if let Some(c) = &self.explicit {
            return Ok(c.clone());
        }
        // `cwd/../x` is looked up from `x`'s real folder, not through `cwd`.
        let normalized;
        let dir = if dir.components().any(|c| {
            matches!(
                c,
                std::path::Component::ParentDir | std::path::Component::CurDir
            )
        }) {
            normalized = crate::source::absolute(dir, Path::new("/"));
            normalized.as_path()
        } else {
            dir
        };
        if let Some(c) = self.cache.lock().expect("config cache").get(dir) {
            return Ok(c.clone());
        }
        let found = dir
            .ancestors()
            .find_map(|d| FILE_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()));
        let config = match found {
            Some(file) => {
                let existing = self
                    .loaded
                    .lock()
                    .expect("config cache")
                    .get(&file)
                    .cloned();
                match existing {
                    Some(c) => c,
                    None => {
                        let c = Arc::new(Config::load(&file)?);
                        self.loaded
                            .lock()
                            .expect("config cache")
                            .insert(file, c.clone());
                        c
                    }
                }
            }
            None => self.default.clone(),
        };
        self.cache
            .lock()
            .expect("config cache")
            .insert(dir.to_path_buf(), config.clone());
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Config, Report> {
        Config::parse(s, Path::new("/repo/dbguard.toml"))
    }

    #[test]
    fn parses_the_documented_schema() {
        let c = parse(
            r#"
[rules]
disable = ["supabase-db-push", "bypass"]
severity = { "prisma-migrate-dev-in-deploy" = "warning" }
[files]
exclude = ["legacy/**"]
[production]
hosts = ["db.prod.example.com", "*.prod.internal"]
ports = [4546]
env = ["DATABASE_URL", "PROD_DATABASE_URL"]
[guards]
functions = ["assertNotProduction"]
[[contract.scripts]]
path = "scripts/deploy-db.js"
tables = ["services"]
reason = "applies migrations in CI"
[bypass]
allow = ["SKIP_ENV_VALIDATION"]
[suppressions]
require_reason = true
forbid = []
"#,
        )
        .unwrap();
        assert!(!c.rule_enabled("supabase-db-push", Category::DestructiveCommand));
        assert!(c.rule_enabled("dropdb", Category::DestructiveCommand));
        assert!(!c.rule_enabled("anything", Category::Bypass));
        assert_eq!(
            c.severity_for(
                "prisma-migrate-dev-in-deploy",
                Severity::Error,
                Severity::Error
            ),
            Severity::Warning
        );
        assert_eq!(
            c.severity_for(
                "prisma-migrate-dev-in-deploy",
                Severity::Error,
                Severity::Info
            ),
            Severity::Info
        );
        assert!(c.is_excluded(Path::new("/repo/legacy/a/b.sh")));
        assert!(!c.is_excluded(Path::new("/repo/src/legacy.sh")));
        assert!(c.production_hosts.is_match("api.prod.internal"));
        assert_eq!(c.contract[0].tables, ["services"]);
        assert!(c.is_test(Path::new("/repo/src/a.test.ts")));
        // Monorepo packages and test harness files are tests too.
        assert!(c.is_test(Path::new("/repo/packages/api/test/db.ts")));
        assert!(c.is_test(Path::new("/repo/vitest.setup.ts")));
        assert!(c.is_test(Path::new("/repo/e2e/global-setup.ts")));
        assert!(c.is_test(Path::new("/repo/supabase/tests/database/rls.test.sql")));
        assert!(!c.is_test(Path::new("/repo/src/testimonials.ts")));
        assert!(!c.is_test(Path::new("/repo/scripts/seed.ts")));
        assert!(c.is_script(Path::new("/repo/scripts/x/y.ts")));
    }

    fn error_text(s: &str) -> String {
        let e = parse(s).unwrap_err();
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, e.as_ref())
            .unwrap();
        out
    }

    #[test]
    fn errors_point_into_the_toml() {
        let e = error_text("[rules]\ndisable = [\"no-such-rule\"]\n");
        assert!(e.contains("unknown rule or category `no-such-rule`"), "{e}");
        assert!(e.contains("dbguard.toml:2:"), "{e}");
        let e = error_text("[files]\nexclud = []\n");
        assert!(e.contains("unknown field `exclud`"), "{e}");
        assert!(e.contains(":2:"), "{e}");
        let e = error_text("[rules]\nseverity = { dropdb = \"fatal\" }\n");
        assert!(e.contains("unknown variant `fatal`"), "{e}");
        let e = error_text("[files]\nexclude = [\"a/[\"]\n");
        assert!(e.contains("invalid glob"), "{e}");
        let e = error_text("[production]\nports = [\"x\"]\n");
        assert!(e.contains("invalid type"), "{e}");
        let e = error_text("[rules\n");
        assert!(e.contains("invalid config"), "{e}");
    }
}
