//! The per-file pipeline: classify → prefilter → extract fragments → analyze. Pure over
//! (path, kind, text, config), so any file source (disk, git index, stdin) can feed it.

use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

use crate::config::Config;
use crate::finding::{assign_fingerprints, sort_and_dedup, Finding};
use crate::fragment::{self, Body, Fragment};
use crate::lang::FileKind;
use crate::project::Facts;
use crate::rules::access_control::table_without_rls::RlsFacts;
use crate::rules::migration_safety::migration_order::META as MIGRATION_ORDER;
use crate::rules::{self, CommandRule, RuleMeta, Severity, SqlRule};
use crate::shell;
use crate::source::SourceFile;
use crate::sql::{FileRole, Origin, SqlContext, SqlFragment};

/// One automaton over every command rule's literals (ASCII case-insensitive).
fn prefilter() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        // Commands that run SQL need the shell pass too.
        let mut lits: Vec<&str> = rules::command_rules()
            .iter()
            .flat_map(|r| r.meta().literals.iter().copied())
            .chain(["psql", "db execute"])
            .collect();
        lits.sort_unstable();
        lits.dedup();
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(lits)
            .expect("literals build an automaton")
    })
}

/// True when the text contains a literal some rule needs.
pub fn may_match(text: &str) -> bool {
    prefilter().is_match(text)
}

/// Extracts the shell fragments of a host file. `guards` are the configured guard functions
/// (a call to one before a JS/TS command is a host guard).
pub fn fragments(kind: FileKind, text: &str, display: &str, guards: &[String]) -> Vec<Fragment> {
    match kind {
        FileKind::Shell => {
            let mut ctx = fragment::HostContext::new(kind);
            let name = display.rsplit('/').next().unwrap_or(display);
            ctx.names
                .push(name.split('.').next().unwrap_or(name).to_string());
            vec![Fragment::shell(
                text.to_string(),
                fragment::map::OffsetMap::linear(0, text.len()),
                Arc::new(ctx),
            )]
        }
        FileKind::PackageJson => fragment::package_json::extract(text),
        FileKind::GithubWorkflow => fragment::ci_yaml::extract_github(text, display),
        FileKind::GitlabCi => fragment::ci_yaml::extract_gitlab(text),
        FileKind::Makefile => fragment::makefile::extract(text),
        FileKind::Dockerfile => fragment::dockerfile::extract(text),
        FileKind::Js(d) => fragment::javascript::extract_with_guards(text, d, guards),
        // SQL and env files carry no shell commands; their rule families read them directly.
        FileKind::Sql | FileKind::Env | FileKind::Compose => Vec::new(),
    }
}

fn fragment_may_match(f: &Fragment) -> bool {
    match &f.body {
        Body::Shell { text, .. } => may_match(text),
        Body::Argv(words) => words.iter().any(|w| may_match(&w.text)),
    }
}

/// JS/TS holds commands only in exec-like calls: a file that names none has no fragments.
/// (`Prisma` is in nearly every file of a Prisma app; this keeps those files unparsed.)
fn js_may_run_commands(text: &str) -> bool {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| AhoCorasick::new(["exec", "spawn", "$`", "$("]).expect("literals"))
        .is_match(text)
}

/// A JS/TS file can hold SQL a rule reports only if it names a SQL call site and a statement
/// a SQL rule looks at. Most files of an app name neither (`deleteUser`, `onUpdate` are not
/// enough): they are not parsed for SQL.
fn js_may_hold_sql(text: &str) -> bool {
    static SITES: OnceLock<AhoCorasick> = OnceLock::new();
    static STATEMENTS: OnceLock<AhoCorasick> = OnceLock::new();
    let sites = SITES.get_or_init(|| {
        AhoCorasick::new([
            ".query(",
            ".query<",
            ".execute(",
            ".execute<",
            ".raw(",
            "$executeRaw",
            "$queryRaw",
            "sql`",
            "sql<",
            "sql.unsafe",
            "sql.type",
            "SQL`",
            "pgm.sql(",
            ".exec(",
            ".prepare(",
            ".none(",
            ".any(",
            ".many(",
            ".one(",
            ".oneOrNone(",
            ".manyOrNone(",
            ".result(",
            ".multi(",
        ])
        .expect("literals")
    });
    let statements = STATEMENTS.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build([
                "drop ",
                "truncate",
                "delete ",
                "update ",
                "row level",
                "policy",
                "grant ",
                "definer",
                "execute ",
            ])
            .expect("literals")
    });
    sites.is_match(text) && statements.is_match(text)
}

thread_local! {
    /// What this thread is doing for the current file (a rule id, or a stage), so that a
    /// panic is reported with the rule that caused it.
    static STAGE: std::cell::Cell<&'static str> = const { std::cell::Cell::new("") };
}

fn enter(stage: &'static str) {
    STAGE.with(|s| s.set(stage));
    // Debug builds only: lets the tests prove that a panic in a rule is reported with its id.
    #[cfg(debug_assertions)]
    {
        static RULE: OnceLock<Option<String>> = OnceLock::new();
        let rule = RULE.get_or_init(|| std::env::var("DBGUARD_TEST_PANIC_RULE").ok());
        if rule.as_deref() == Some(stage) {
            panic!("DBGUARD_TEST_PANIC_RULE");
        }
    }
}

/// The rule or stage the current thread was in (for panic reports).
pub fn current_stage() -> &'static str {
    STAGE.with(|s| s.get())
}

/// One file's findings, and what it tells the project rules.
#[derive(Debug, Default)]
pub struct FileLint {
    pub findings: Vec<Finding>,
    pub facts: Facts,
    /// Why part of the file was not analyzed (SQL nested too deeply to parse).
    pub partly_skipped: Option<String>,
    /// Its `dbguard-ignore` comments and the `[[suppress]]` entries that match it.
    pub suppressions: Option<crate::suppress::FileSuppressions>,
    /// The config file that applied to it.
    pub config_file: Option<std::path::PathBuf>,
}

/// Lints one file's text.
pub fn lint_source(source: &SourceFile, kind: FileKind, config: &Config) -> Vec<Finding> {
    lint(source, kind, config).findings
}

/// Lints one file's text and collects its facts for the project rules.
pub fn lint(source: &SourceFile, kind: FileKind, config: &Config) -> FileLint {
    crate::budget::take_exceeded(); // a previous file's, already reported
    enter("extract");
    // Debug builds only: lets the tests prove that a panic costs one file, not the run.
    #[cfg(debug_assertions)]
    if let Ok(marker) = std::env::var("DBGUARD_TEST_PANIC") {
        if !marker.is_empty() && source.text.contains(marker.as_str()) {
            panic!("DBGUARD_TEST_PANIC");
        }
    }
    let depth_checked = matches!(kind, FileKind::Js(_))
        && (may_match(&source.text) || js_may_hold_sql(&source.text));
    if depth_checked {
        let depth = crate::budget::bracket_depth(&source.text);
        if depth > crate::budget::MAX_JS_DEPTH {
            return FileLint {
                partly_skipped: Some(format!(
                    "JS/TS nested {depth} levels deep (more than {}): not parsed",
                    crate::budget::MAX_JS_DEPTH
                )),
                ..FileLint::default()
            };
        }
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = crate::source::absolute(&source.path, &cwd);
    let rel = abs.strip_prefix(&config.root).unwrap_or(&abs);
    let mut out = FileLint {
        config_file: config.file.clone(),
        ..FileLint::default()
    };
    let mut sql = Vec::new();
    match kind {
        FileKind::Sql => sql.push(SqlFragment::new(
            source.text.to_string(),
            fragment::map::OffsetMap::linear(0, source.text.len()),
            Origin::File,
        )),
        FileKind::Js(dialect) if js_may_hold_sql(&source.text) => {
            sql.extend(fragment::js_sql::extract_with_guards(
                &source.text,
                dialect,
                &config.guard_functions,
            ));
        }
        FileKind::PackageJson => out.facts.supabase = uses_supabase_js(&source.text),
        _ => {}
    }
    let commands = command_findings(source, kind, config, &abs, &mut out.findings);
    sql.extend(commands);
    let rel = rel.to_string_lossy().replace('\\', "/");
    let mut role = FileRole::from_path(&rel);
    role.test = config.is_test(&abs);
    if !sql.is_empty() {
        sql_findings(source, &sql, role, config, &abs, &mut out);
    }
    let input = rules::FileInput::new(
        source,
        kind,
        &rel,
        config,
        role.test,
        config.is_script(&abs),
    )
    .with_depth_checked(depth_checked);
    file_findings(&input, &mut out.findings);
    let mut directives = Vec::new();
    if crate::suppress::may_hold_directive(&source.text) {
        enter("suppress");
        let comments = input.comments();
        directives = crate::suppress::parse(source, kind, comments, input.js_tree());
    }
    directives.extend(crate::suppress::config_entries(config, &rel));
    if !directives.is_empty() {
        out.suppressions = Some(crate::suppress::FileSuppressions {
            path: source.display.clone(),
            directives,
            policy: crate::suppress::Policy::of(config),
        });
    }
    if kind == FileKind::Sql {
        out.facts.supabase |= is_supabase_migration(&rel);
    }
    let order_on = config.rule_enabled(MIGRATION_ORDER.id, MIGRATION_ORDER.category);
    if role.migration && order_on && matches!(kind, FileKind::Sql | FileKind::Js(_)) {
        if let Some(dir) = crate::project::migration_folder(&abs) {
            let display = crate::project::migration_folder(Path::new(&source.display))
                .map(|d| d.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|| dir.to_string_lossy().to_string());
            out.facts.migration_dir = Some(crate::project::MigrationDir {
                dir,
                display,
                severity_override: config.severity.get(MIGRATION_ORDER.id).copied(),
            });
        }
    }
    if !out.facts.is_empty() {
        out.facts.project = crate::project::project_root(&abs);
    }
    if let Some(reason) = crate::budget::take_exceeded() {
        out.partly_skipped.get_or_insert(reason);
    }
    sort_and_dedup(&mut out.findings);
    assign_fingerprints(&mut out.findings);
    for c in &mut out.facts.rls_candidates {
        let one = std::slice::from_mut(&mut c.finding);
        assign_fingerprints(one);
    }
    out
}

/// A package.json that depends on supabase-js: the project serves tables through Supabase.
fn uses_supabase_js(package_json: &str) -> bool {
    package_json.contains("\"@supabase/supabase-js\"")
}

fn is_supabase_migration(path: &str) -> bool {
    path.contains("supabase/migrations/")
}

/// The facts a file on disk contributes to the project rules when it is not itself linted
/// (`--staged`, `--changed-since`): which tables get RLS or are dropped, and whether the
/// project uses Supabase. Cheap: SQL is parsed only when it mentions either.
pub fn context_facts(path: &Path, kind: FileKind, text: &str, config: &Config) -> Facts {
    let mut facts = Facts::default();
    match kind {
        FileKind::PackageJson => facts.supabase = uses_supabase_js(text),
        FileKind::Sql => {
            facts.supabase = is_supabase_migration(&path.to_string_lossy().replace('\\', "/"));
            static AC: OnceLock<AhoCorasick> = OnceLock::new();
            let relevant = AC
                .get_or_init(|| {
                    AhoCorasickBuilder::new()
                        .ascii_case_insensitive(true)
                        .build(["level security", "drop"])
                        .expect("literals")
                })
                .is_match(text);
            if relevant {
                let parsed = crate::sql::parse(text);
                let mut rls = RlsFacts::default();
                rules::access_control::table_without_rls::collect(
                    &parsed,
                    &config.exposed_schemas,
                    &mut rls,
                );
                facts.rls_enabled = rls.enabled;
                facts.dropped = rls.dropped;
            }
        }
        _ => {}
    }
    facts
}

/// One automaton over every file rule's literals; pattern `i` belongs to `owners[i]`; the
/// last value counts the rules that have literals.
fn file_prefilter() -> &'static (AhoCorasick, Vec<usize>, usize) {
    static AC: OnceLock<(AhoCorasick, Vec<usize>, usize)> = OnceLock::new();
    AC.get_or_init(|| {
        let mut lits = Vec::new();
        let mut owners = Vec::new();
        for (i, rule) in rules::file_rules().iter().enumerate() {
            for l in rule.prefilter_literals() {
                lits.push(*l);
                owners.push(i);
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(lits)
            .expect("literals build an automaton");
        let mut distinct = owners.clone();
        distinct.dedup();
        let n = distinct.len();
        (ac, owners, n)
    })
}

/// Runs the file rules whose literals the file contains (or that need none).
fn file_findings(input: &rules::FileInput, findings: &mut Vec<Finding>) {
    let all = rules::file_rules();
    let config = input.config;
    let mut candidate = vec![false; all.len()];
    let (ac, owners, with_literals) = file_prefilter();
    let mut left = *with_literals;
    for m in ac.find_overlapping_iter(input.text()) {
        let owner = owners[m.pattern().as_usize()];
        if !candidate[owner] {
            candidate[owner] = true;
            left -= 1;
            if left == 0 {
                break;
            }
        }
    }
    let mut hits = Vec::new();
    for (i, rule) in all.iter().enumerate() {
        let meta = rule.meta();
        if !config.rule_enabled(meta.id, meta.category)
            || (rules::is_opt_in(meta.id) && !config.explicitly_enabled(meta.id))
        {
            continue;
        }
        enter(meta.id);
        if !candidate[i] && !rule.needs_no_literal(input) {
            continue;
        }
        hits.clear();
        rule.check(input, &mut hits);
        for hit in hits.drain(..) {
            findings.push(finding(
                input.source,
                meta,
                config.severity_for(meta.id, meta.severity, hit.severity),
                hit.span,
                hit.message,
                hit.help.unwrap_or_else(|| meta.help.to_string()),
            ));
        }
    }
    enter("extract");
}

/// Runs the command rules over the file's shell fragments; returns the SQL the commands run
/// (`psql -c`, heredocs, `psql -f`).
fn command_findings(
    source: &SourceFile,
    kind: FileKind,
    config: &Config,
    abs: &Path,
    findings: &mut Vec<Finding>,
) -> Vec<SqlFragment> {
    let mut sql = Vec::new();
    if !may_match(&source.text) {
        return sql;
    }
    if matches!(kind, FileKind::Js(_)) && !js_may_run_commands(&source.text) {
        return sql;
    }
    let active: Vec<&dyn CommandRule> = rules::command_rules()
        .iter()
        .copied()
        .filter(|r| config.rule_enabled(r.meta().id, r.meta().category))
        .collect();
    let lookup = crate::sql::shell::FileLookup {
        host_dir: abs.parent(),
        root: &config.root,
    };
    for frag in fragments(kind, &source.text, &source.display, &config.guard_functions) {
        if !fragment_may_match(&frag) {
            continue;
        }
        for cmd in shell::commands(&frag) {
            // `--help` prints usage and runs nothing.
            if cmd.args().iter().any(|w| w.text == "--help") {
                continue;
            }
            if !cmd.refused_in_test {
                sql.extend(crate::sql::shell::fragments(&cmd, &lookup));
            }
            for rule in &active {
                enter(rule.meta().id);
                let Some(hit) = rule.check_enabled(&cmd, &active) else {
                    continue;
                };
                let meta = rule.meta();
                let span =
                    hit.span.start.min(source.text.len())..hit.span.end.min(source.text.len());
                findings.push(finding(
                    source,
                    meta,
                    config.severity_for(meta.id, meta.severity, hit.severity),
                    span,
                    hit.message,
                    meta.help.to_string(),
                ));
            }
            enter("extract");
        }
    }
    sql
}

fn finding(
    source: &SourceFile,
    meta: &'static RuleMeta,
    severity: Severity,
    span: Range<usize>,
    message: String,
    help: String,
) -> Finding {
    Finding::new(source, meta, severity, span, message, help)
}

/// Runs the SQL rules (and squawk's, on migration files) over the file's SQL fragments.
fn sql_findings(
    source: &SourceFile,
    sql: &[SqlFragment],
    role: FileRole,
    config: &Config,
    abs: &Path,
    out: &mut FileLint,
) {
    let active: Vec<&dyn SqlRule> = rules::sql_rules()
        .iter()
        .copied()
        .filter(|r| config.rule_enabled(r.meta().id, r.meta().category))
        .collect();
    let rls = &rules::access_control::table_without_rls::META;
    let rls_on = config.rule_enabled(rls.id, rls.category);
    // Statements nested too deeply to parse are blanked out (offsets kept), the rest parsed.
    let blanked: Vec<SqlFragment>;
    let sql: Vec<&SqlFragment> = if sql.iter().any(|f| crate::sql::too_deep(&f.text).is_some()) {
        blanked = sql
            .iter()
            .map(|f| match crate::sql::blank_too_deep(&f.text) {
                Some((text, why)) => {
                    out.partly_skipped.get_or_insert(why);
                    SqlFragment { text, ..f.clone() }
                }
                None => f.clone(),
            })
            .collect();
        blanked.iter().collect()
    } else {
        sql.iter().collect()
    };
    let mut parsed_fragments = Vec::new();
    for frag in sql {
        parsed_fragments.push((frag, crate::sql::parse(&frag.text)));
    }
    // A table one call creates is known to the file's later calls.
    let file_tables: Vec<crate::sql::context::Created> = if parsed_fragments.len() > 1 {
        parsed_fragments
            .iter()
            .flat_map(|(f, p)| SqlContext::new(f, p, role).created_in_host())
            .collect()
    } else {
        Vec::new()
    };
    for (frag, parsed) in &parsed_fragments {
        let (frag, parsed) = (*frag, parsed);
        let cx = SqlContext::new(frag, parsed, role).with_file_tables(file_tables.clone());
        parsed.visit(&mut |node| {
            for rule in &active {
                enter(rule.meta().id);
                if let Some(hit) = rule.check(node, &cx) {
                    if cx.needs_clean_parse() && cx.statement_has_errors(hit.span.start) {
                        continue;
                    }
                    let meta = rule.meta();
                    out.findings.push(finding(
                        source,
                        meta,
                        config.severity_for(meta.id, meta.severity, hit.severity),
                        frag.to_host(hit.span),
                        hit.message,
                        meta.help.to_string(),
                    ));
                }
            }
            enter("extract");
        });
        enter(rules::access_control::table_without_rls::META.id);
        let mut facts = RlsFacts::default();
        rules::access_control::table_without_rls::collect(
            parsed,
            &config.exposed_schemas,
            &mut facts,
        );
        out.facts.rls_enabled.extend(facts.enabled);
        out.facts.dropped.extend(facts.dropped);
        let is_file = matches!(frag.origin, Origin::File);
        if is_file && rls_on && !role.test {
            let forced = config.enabled.iter().any(|e| e == rls.id);
            for (table, span) in facts.created {
                let severity = config.severity_for(rls.id, rls.severity, rls.severity);
                let message = format!(
                    "table `{}` is created in schema `{}`, but no SQL file of the project enables row level security on it",
                    table.display(),
                    table.schema_or_public()
                );
                out.facts.rls_candidates.push(crate::project::RlsCandidate {
                    table: table.key(),
                    finding: finding(
                        source,
                        rls,
                        severity,
                        frag.to_host(span),
                        message,
                        rls.help.to_string(),
                    ),
                    forced,
                    path: abs.to_path_buf(),
                });
            }
        }
        if is_file && role.migration && !rules::migration_safety::squawk::not_postgres(abs) {
            let enabled = |id: &'static str| {
                config.rule_enabled(id, rules::Category::MigrationSafety)
                    && (!rules::is_opt_in(id) || config.explicitly_enabled(id))
            };
            enter("squawk");
            for v in rules::migration_safety::squawk::lint(&parsed.parse, &frag.text, &enabled) {
                let Some(meta) = rules::find_rule(v.id) else {
                    continue;
                };
                // Locks on a table this migration created lock nobody (squawk misses
                // `ALTER TABLE ONLY "public"."t"` of `supabase db pull` output).
                if rules::migration_safety::squawk::on_new_table(parsed, &cx, v.span.start) {
                    continue;
                }
                let help = v.help.unwrap_or_else(|| meta.help.to_string());
                out.findings.push(finding(
                    source,
                    meta,
                    config.severity_for(meta.id, meta.severity, meta.severity),
                    frag.to_host(v.span),
                    v.message,
                    help,
                ));
            }
        }
    }
}

/// Builds a source file from bytes, or says why it cannot be linted (binary, not UTF-8).
/// SQL files are decoded leniently: dumps and old migrations are often Latin-1, and one
/// accented letter in a comment must not hide a `DROP TABLE` (each invalid byte becomes one
/// replacement character, so lines and columns stay right).
pub fn decode(
    display: String,
    path: &Path,
    bytes: Vec<u8>,
    kind: FileKind,
) -> Result<SourceFile, &'static str> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err("UTF-16 text (only UTF-8 is read)");
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err("binary file (NUL byte)");
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) if kind == FileKind::Sql => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        Err(_) => return Err("not valid UTF-8"),
    };
    // A UTF-8 byte order mark is not text: columns on line 1 count from after it.
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(SourceFile::new(
        display,
        path.to_path_buf(),
        Arc::from(text),
    ))
}
