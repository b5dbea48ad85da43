//! Suppress: `dbguard-ignore` comments, `dbguard-ignore-file` headers and `[[suppress]]` config
//! entries hide findings; the `suppression` rules keep them honest (a reason, a known rule, a
//! finding actually hidden, a rule the team allows to be hidden).
//!
//! Directives are read per file by the engine ([`parse`], [`config_entries`]) and applied once
//! every finding of the run is known ([`apply`]), so that findings of the project rules
//! (`table-without-rls`) can be suppressed where they are reported too.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::finding::Finding;
use crate::lang::FileKind;
use crate::rules::suppression::{
    forbidden_suppression, suppression_without_reason, unknown_rule_in_suppression,
    unused_suppression,
};
use crate::rules::{self, Category, RuleMeta, Severity};
use crate::source::SourceFile;

/// The word that starts a directive.
pub const MARKER: &str = "dbguard-ignore";

/// What a directive covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Findings that start on the 1-based line `line` or on the lines of the statement that
    /// starts there (up to `last`: a JS/TS statement, a SQL statement, a heredoc, a YAML block
    /// scalar, backslash-continued shell lines), and findings whose span covers `line`.
    Line { line: usize, last: usize },
    /// Every finding of the file.
    File,
    /// A `dbguard-ignore-file` after the file's first comment block: covers nothing.
    Misplaced,
    /// A `[[suppress]]` entry (index `index` of `file`'s entries) whose glob matches the file.
    Config {
        file: PathBuf,
        index: usize,
        text: Arc<str>,
    },
}

/// One suppression.
#[derive(Debug, Clone)]
pub struct Directive {
    pub scope: Scope,
    /// The rules and categories it names, each with its range (in the file, or for a config
    /// entry in the config text).
    pub names: Vec<(String, Range<usize>)>,
    pub reason: Option<String>,
    /// The directive's range (in the file, or the entry's in the config text).
    pub span: Range<usize>,
}

impl Directive {
    fn is_inline(&self) -> bool {
        !matches!(self.scope, Scope::Config { .. })
    }

    fn covers(&self, f: &Finding) -> bool {
        match self.scope {
            Scope::Line { line, last } => {
                (line..=last).contains(&f.start.line)
                    || (f.start.line <= line && line <= f.end.line)
            }
            Scope::File | Scope::Config { .. } => true,
            Scope::Misplaced => false,
        }
    }
}

/// The suppression rules' settings under one config.
#[derive(Debug, Clone)]
pub struct Policy {
    pub require_reason: bool,
    pub forbid: Vec<String>,
    /// Enabled flag and severity of each of [`rules::suppression::METAS`], in order.
    rules: Vec<(bool, Severity)>,
    /// Rules the config turns off (a suppression of one hides nothing, and says why).
    disabled: Vec<&'static str>,
}

impl Policy {
    pub fn of(config: &Config) -> Policy {
        Policy {
            require_reason: config.require_reason,
            forbid: config.forbid.clone(),
            rules: rules::suppression::METAS
                .iter()
                .map(|m| {
                    (
                        config.rule_enabled(m.id, m.category),
                        config.severity_for(m.id, m.severity, m.severity),
                    )
                })
                .collect(),
            disabled: rules::all_rules()
                .filter(|m| {
                    !config.rule_enabled(m.id, m.category)
                        || (rules::is_opt_in(m.id) && !config.explicitly_enabled(m.id))
                })
                .map(|m| m.id)
                .collect(),
        }
    }

    fn setting(&self, meta: &RuleMeta) -> Option<Severity> {
        let i = rules::suppression::METAS
            .iter()
            .position(|m| m.id == meta.id)?;
        let (on, severity) = self.rules[i];
        on.then_some(severity)
    }

    fn forbids(&self, name: &str) -> bool {
        self.forbidding(name).is_some()
    }

    /// The `forbid` entry that forbids suppressing `name`: the name itself, or the category
    /// or group of the rule it names.
    fn forbidding(&self, name: &str) -> Option<&str> {
        let meta = rules::find_rule(name);
        self.forbid
            .iter()
            .find(|f| {
                *f == name
                    || meta.is_some_and(|m| {
                        *f == m.category.as_str() || Some(f.as_str()) == group_of(m.id)
                    })
            })
            .map(String::as_str)
    }
}

/// A linted file's suppressions.
#[derive(Debug, Clone)]
pub struct FileSuppressions {
    /// Display path of the file.
    pub path: String,
    pub directives: Vec<Directive>,
    pub policy: Policy,
}

/// A finding that a suppression hid, and how.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    /// `inline`, `file` or `config`.
    pub kind: &'static str,
    pub reason: Option<String>,
}

fn group_of(id: &str) -> Option<&str> {
    id.split_once('/').map(|(g, _)| g)
}

/// True when `name` (a rule id, a category or the `squawk` group) names `f`'s rule.
fn names(name: &str, f: &Finding) -> bool {
    name == f.rule || name == f.category.as_str() || Some(name) == group_of(f.rule)
}

fn known(name: &str) -> bool {
    rules::find_rule(name).is_some()
        || Category::from_name(name).is_some()
        || name == rules::migration_safety::squawk::GROUP
}

/// Reads the directives in the comments of `source` (`comments` are their ranges, sorted;
/// `js` is the tree of a JS/TS file).
pub fn parse(
    source: &SourceFile,
    kind: FileKind,
    comments: &[Range<usize>],
    js: Option<&tree_sitter::Tree>,
) -> Vec<Directive> {
    let text: &str = &source.text;
    let mut out = Vec::new();
    let mut next_code: Option<Vec<usize>> = None;
    for (ci, c) in comments.iter().enumerate() {
        let body = &text[c.clone()];
        let mut from = 0;
        while let Some(i) = body[from..].find(MARKER) {
            let at = c.start + from + i;
            from += i + MARKER.len();
            // The marker opens the comment (or a line of a block comment): prose that
            // mentions it is not a directive.
            let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |p| p + 1);
            let lead = &text[line_start.max(c.start)..at];
            if !lead.chars().all(|ch| " \t/#*-!{;<".contains(ch)) {
                continue;
            }
            let mut rest_start = at + MARKER.len();
            let file_level = text[rest_start..c.end].starts_with("-file");
            if file_level {
                rest_start += "-file".len();
            }
            let after = text[rest_start..c.end].chars().next();
            if after.is_some_and(|ch| !(ch.is_whitespace() || ch == ':' || ch == '(')) {
                continue; // `dbguard-ignored`, `dbguard-ignore-next`…
            }
            let line_end = text[rest_start..c.end]
                .find(['\n', '\r'])
                .map_or(c.end, |p| rest_start + p);
            let mut end = line_end;
            let raw = &text[rest_start..end];
            let trimmed = raw.trim_end();
            let trimmed = trimmed
                .strip_suffix("*/")
                .or_else(|| trimmed.strip_suffix("-->"))
                .unwrap_or(trimmed)
                .trim_end();
            end = rest_start + trimmed.len();
            let (names_part, reason) = split_reason(&text[rest_start..end]);
            let mut names = Vec::new();
            let b = names_part.as_bytes();
            let sep =
                |c: u8| c == b',' || c == b':' || c == b'(' || c == b')' || c.is_ascii_whitespace();
            let mut i = 0;
            while i < b.len() {
                while i < b.len() && sep(b[i]) {
                    i += 1;
                }
                let s = i;
                while i < b.len() && !sep(b[i]) {
                    i += 1;
                }
                if i > s {
                    names.push((names_part[s..i].to_string(), rest_start + s..rest_start + i));
                }
            }
            let scope = if !file_level {
                let next_code = next_code.get_or_insert_with(|| next_code_lines(source, comments));
                let line = covered_line(source, next_code, c);
                Scope::Line {
                    line,
                    last: statement_end(kind, source, js, line),
                }
            } else if in_first_block(text, comments, ci) {
                Scope::File
            } else {
                Scope::Misplaced
            };
            out.push(Directive {
                scope,
                names,
                reason,
                span: at..end,
            });
            from = line_end - c.start;
        }
    }
    out
}

/// Splits `RULES -- reason`: the reason follows the first `--` (or an em or en dash, which
/// editors make of `--`) that starts a word.
fn split_reason(s: &str) -> (&str, Option<String>) {
    let mut search = 0;
    while let Some((i, sep)) = ["--", "\u{2014}", "\u{2013}"]
        .iter()
        .filter_map(|sep| s[search..].find(sep).map(|i| (i, sep.len())))
        .min()
    {
        let at = search + i;
        if at == 0 || s[..at].ends_with(char::is_whitespace) {
            let reason = s[at + sep..].trim();
            return (&s[..at], (!reason.is_empty()).then(|| reason.to_string()));
        }
        search = at + sep;
    }
    (s, None)
}

/// The line a line directive covers: its own when code precedes (or, for a one-line block
/// comment, follows) the comment on that line, else the next line that holds code (blank and comment-only lines are skipped, so several
/// directives can be stacked).
fn covered_line(source: &SourceFile, next_code: &[usize], c: &Range<usize>) -> usize {
    let text: &str = &source.text;
    let start = source.line_col(c.start);
    let line_start = source.line_start(start.line);
    if !text[line_start..c.start].trim().is_empty() {
        return start.line;
    }
    let last = source.line_col(c.end.saturating_sub(1).max(c.start)).line;
    // `/* dbguard-ignore … */ code` on one line.
    let rest_of_line = text[c.end..].split(['\n', '\r']).next().unwrap_or("");
    if last == start.line && !rest_of_line.trim().is_empty() {
        return start.line;
    }
    next_code
        .get(last + 1)
        .copied()
        .filter(|&n| n > 0)
        .unwrap_or(last + 1)
}

/// For each 1-based line, the first line at or after it that holds code (its first non-blank
/// byte is not in a comment); 0 when none does. One backward pass, so that stacked
/// directives cost linear time.
fn next_code_lines(source: &SourceFile, comments: &[Range<usize>]) -> Vec<usize> {
    let count = source.line_count();
    let mut next = vec![0; count + 2];
    for line in (1..=count).rev() {
        let text = source.line_text(line);
        let first = text.len() - text.trim_start().len();
        let code = !text.trim().is_empty()
            && !crate::fragment::comments::contains(comments, source.line_start(line) + first);
        next[line] = if code { line } else { next[line + 1] };
    }
    next
}

/// How far the statement that starts on `line` goes: its last line (at most
/// [`MAX_STATEMENT_LINES`] on).
fn statement_end(
    kind: FileKind,
    source: &SourceFile,
    js: Option<&tree_sitter::Tree>,
    line: usize,
) -> usize {
    if line > source.line_count() {
        return line;
    }
    let text = source.line_text(line);
    let indent = text.len() - text.trim_start().len();
    let last = match kind {
        FileKind::Js(_) => js.map_or(line, |tree| {
            let at = source.line_start(line) + indent;
            let mut node = tree.root_node().descendant_for_byte_range(at, at);
            let mut best = None;
            while let Some(n) = node {
                if n.start_byte() != at || n.parent().is_none() || is_block(n.kind()) {
                    break;
                }
                best = Some(n);
                node = n.parent();
            }
            best.map_or(line, |n| {
                source.line_col(n.end_byte().saturating_sub(1)).line
            })
        }),
        FileKind::Sql => {
            // The line where the statement's `;` is.
            let start = source.line_start(line);
            let limit = (line + MAX_STATEMENT_LINES + 1).min(source.line_count());
            let b = &source.text.as_bytes()[..source.line_start(limit).max(start)];
            let mut i = start;
            let mut end = b.len();
            while i < b.len() {
                // Strings, quoted names and comments (`-- don't`) hold no statement end.
                if let Some(last) = crate::sql::skip_literal(b, i) {
                    i = last + 1;
                    continue;
                }
                if b[i] == b';' {
                    end = i;
                    break;
                }
                i += 1;
            }
            source.line_col(end).line
        }
        FileKind::PackageJson => line,
        _ => shell_like_end(source, line, text, indent),
    };
    last.clamp(line, line + MAX_STATEMENT_LINES)
}

/// How many lines after its first a suppressed statement may span.
const MAX_STATEMENT_LINES: usize = 200;

/// JS/TS nodes a next-line directive does not spread over: a directive above a function is
/// about its first line, not its whole body.
fn is_block(kind: &str) -> bool {
    kind.contains("function")
        || kind.contains("class")
        || kind.contains("method")
        || kind == "statement_block"
        || kind == "program"
}

/// Shell, YAML, Makefile, Dockerfile: backslash continuations, a heredoc's body, a YAML block
/// scalar (`run: |`) and the lines indented under it.
fn shell_like_end(source: &SourceFile, line: usize, text: &str, indent: usize) -> usize {
    let count = source.line_count().min(line + MAX_STATEMENT_LINES);
    let trimmed = text.trim_end();
    if let Some(delim) = heredoc_delimiter(trimmed) {
        return (line + 1..=count)
            .find(|&n| source.line_text(n).trim() == delim)
            .unwrap_or(line);
    }
    let block = trimmed.ends_with('|')
        || trimmed.ends_with('>')
        || trimmed.ends_with("|-")
        || trimmed.ends_with(">-");
    if block {
        let mut last = line;
        for n in line + 1..=count {
            let t = source.line_text(n);
            if t.trim().is_empty() {
                continue;
            }
            if t.len() - t.trim_start().len() <= indent {
                break;
            }
            last = n;
        }
        return last;
    }
    let mut last = line;
    while last < count && source.line_text(last).trim_end().ends_with('\\') {
        last += 1;
    }
    last
}

/// The delimiter of a heredoc that `line` opens (`<<EOF`, `<<-'SQL'`), not a here-string.
fn heredoc_delimiter(line: &str) -> Option<&str> {
    let at = line.find("<<")?;
    let rest = line[at + 2..].trim_start_matches('-').trim_start();
    if rest.starts_with('<') {
        return None;
    }
    let word = rest
        .split(|c: char| c.is_whitespace() || c == ';' || c == ')')
        .next()?
        .trim_matches(|c| c == '\'' || c == '"');
    (!word.is_empty()).then_some(word)
}

/// True when only whitespace and comments (and a `#!` line, a YAML `---`) precede comment
/// `index`.
fn in_first_block(text: &str, comments: &[Range<usize>], index: usize) -> bool {
    let mut prev = 0;
    for c in &comments[..index] {
        if !gap_is_blank(&text[prev..c.start], prev == 0) {
            return false;
        }
        prev = c.end;
    }
    gap_is_blank(&text[prev..comments[index].start], prev == 0)
}

fn gap_is_blank(gap: &str, at_start: bool) -> bool {
    let gap = if at_start && gap.starts_with("#!") {
        gap.find('\n').map_or("", |i| &gap[i..])
    } else {
        gap
    };
    gap.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l == "---"
    })
}

/// The `[[suppress]]` entries of `config` whose `path` glob matches the file at `rel`.
pub fn config_entries(config: &Config, rel: &str) -> Vec<Directive> {
    let Some(file) = &config.file else {
        return Vec::new();
    };
    config
        .suppress
        .iter()
        .enumerate()
        .filter(|(_, e)| e.matches(rel))
        .map(|(index, e)| Directive {
            scope: Scope::Config {
                file: file.clone(),
                index,
                text: config.text.clone(),
            },
            names: vec![(e.rule.clone(), e.span.clone())],
            reason: e.reason.clone().filter(|r| !r.trim().is_empty()),
            span: e.span.clone(),
        })
        .collect()
}

/// A file's line directives as (line, index), sorted by line, and its other directives.
type DirectiveIndex = (Vec<(usize, usize)>, Vec<usize>);

/// What applying the suppressions did.
#[derive(Debug, Default)]
pub struct Applied {
    pub suppressed: Vec<Suppressed>,
    /// Sources of config files that findings now point into.
    pub sources: Vec<Arc<SourceFile>>,
}

/// Hides the findings that directives cover and adds the findings about the directives.
/// With `inline` false, comments are ignored (`--no-inline-suppressions`): only `[[suppress]]`
/// entries apply. `sources` are the linted files' sources (for positions); `cwd` makes the
/// config files' display paths.
pub fn apply(
    findings: &mut Vec<Finding>,
    files: &[FileSuppressions],
    sources: &[Arc<SourceFile>],
    inline: bool,
    cwd: &Path,
) -> Applied {
    let mut applied = Applied::default();
    if files.is_empty() {
        return applied;
    }
    let by_path: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    // used[file][directive][name]
    let mut used: Vec<Vec<Vec<bool>>> = files
        .iter()
        .map(|f| {
            f.directives
                .iter()
                .map(|d| vec![false; d.names.len()])
                .collect()
        })
        .collect();
    // Per file: its line directives as (line, index), sorted, and the others.
    let index: Vec<DirectiveIndex> = files
        .iter()
        .map(|f| {
            let mut by_line = Vec::new();
            let mut others = Vec::new();
            for (di, d) in f.directives.iter().enumerate() {
                match d.scope {
                    Scope::Line { line, .. } => by_line.push((line, di)),
                    _ => others.push(di),
                }
            }
            by_line.sort_unstable();
            (by_line, others)
        })
        .collect();
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        let Some(&fi) = by_path.get(f.path.as_str()) else {
            kept.push(f);
            continue;
        };
        if f.category == Category::Suppression {
            kept.push(f);
            continue;
        }
        let file = &files[fi];
        let mut hidden: Option<(&'static str, Option<String>)> = None;
        // Line directives are in line order and cover at most MAX_STATEMENT_LINES lines: only
        // those that start near the finding are looked at.
        let (by_line, others) = &index[fi];
        let lo = by_line.partition_point(|&(line, _)| line + MAX_STATEMENT_LINES < f.start.line);
        let hi = by_line.partition_point(|&(line, _)| line <= f.end.line.max(f.start.line));
        let near = by_line[lo..hi.max(lo)].iter().map(|&(_, di)| di);
        for di in near.chain(others.iter().copied()) {
            let d = &file.directives[di];
            if (d.is_inline() && !inline) || !d.covers(&f) {
                continue;
            }
            for (ni, (name, _)) in d.names.iter().enumerate() {
                if !names(name, &f) {
                    continue;
                }
                used[fi][di][ni] = true;
                if !file.policy.forbids(name) && hidden.is_none() {
                    let kind = match d.scope {
                        Scope::Config { .. } => "config",
                        Scope::File => "file",
                        _ => "inline",
                    };
                    hidden = Some((kind, d.reason.clone()));
                }
            }
        }
        match hidden {
            Some((kind, reason)) => applied.suppressed.push(Suppressed {
                finding: f,
                kind,
                reason,
            }),
            None => kept.push(f),
        }
    }
    *findings = kept;
    let mut about = Vec::new();

    // Config entries are judged once across the files they matched.
    let mut entries: BTreeMap<(PathBuf, usize), (&Directive, &Policy, bool)> = BTreeMap::new();
    for (fi, file) in files.iter().enumerate() {
        let source = sources.iter().find(|s| s.display == file.path);
        for (di, d) in file.directives.iter().enumerate() {
            let was_used = used[fi][di].iter().any(|u| *u);
            if let Scope::Config {
                file: cfg, index, ..
            } = &d.scope
            {
                let e = entries
                    .entry((cfg.clone(), *index))
                    .or_insert((d, &file.policy, false));
                e.2 |= was_used;
                continue;
            }
            if !inline {
                continue;
            }
            let Some(source) = source else { continue };
            let mut push = |meta: &'static RuleMeta, span: Range<usize>, message: String| {
                if let Some(severity) = file.policy.setting(meta) {
                    about.push(Finding::new(
                        source,
                        meta,
                        severity,
                        span,
                        message,
                        meta.help.to_string(),
                    ));
                }
            };
            judge(d, &file.policy, &used[fi][di], &mut push);
        }
    }
    for ((cfg, _), (d, policy, was_used)) in entries {
        let Scope::Config { text, .. } = &d.scope else {
            continue;
        };
        let display = crate::walk::display_path(&cfg, cwd);
        let source = match applied.sources.iter().find(|s| s.display == display) {
            Some(s) => s.clone(),
            None => {
                let s = Arc::new(SourceFile::new(display, cfg.clone(), text.clone()));
                applied.sources.push(s.clone());
                s
            }
        };
        let before = about.len();
        let mut push = |meta: &'static RuleMeta, span: Range<usize>, message: String| {
            if let Some(severity) = policy.setting(meta) {
                about.push(Finding::new(
                    &source,
                    meta,
                    severity,
                    span,
                    message,
                    meta.help.to_string(),
                ));
            }
        };
        judge(d, policy, &[was_used], &mut push);
        if about.len() == before {
            applied.sources.retain(|s| !Arc::ptr_eq(s, &source));
        }
    }
    // Fingerprints are per file, like the engine's.
    crate::finding::sort_and_dedup(&mut about);
    for chunk in about.chunk_by_mut(|a, b| a.path == b.path) {
        crate::finding::assign_fingerprints(chunk);
    }
    findings.extend(about);
    crate::finding::sort_and_dedup(findings);
    applied
}

/// The findings about one directive.
fn judge(
    d: &Directive,
    policy: &Policy,
    used: &[bool],
    push: &mut dyn FnMut(&'static RuleMeta, Range<usize>, String),
) {
    let (what, named) = match d.scope {
        Scope::Config { .. } => ("`[[suppress]]` entry", "`[[suppress]]` entry for"),
        Scope::File | Scope::Misplaced => ("`dbguard-ignore-file`", "dbguard-ignore-file"),
        _ => ("`dbguard-ignore`", "dbguard-ignore"),
    };
    let named = |name: &str| match d.scope {
        Scope::Config { .. } => format!("{named} `{name}`"),
        _ => format!("`{named} {name}`"),
    };
    if d.names.is_empty() {
        push(
            &unknown_rule_in_suppression::META,
            d.span.clone(),
            format!("{what} names no rule: a blanket suppression is not accepted"),
        );
    }
    if d.reason.is_none() && policy.require_reason {
        push(
            &suppression_without_reason::META,
            d.span.clone(),
            match d.scope {
                Scope::Config { .. } => format!("{what} gives no reason (add `reason = \"…\"`)"),
                _ => format!("{what} gives no reason (write it after ` -- `)"),
            },
        );
    }
    for (i, (name, span)) in d.names.iter().enumerate() {
        if !known(name) {
            let hint = if d.reason.is_none() && d.names.len() > 1 {
                " (is it part of the reason? separate the reason with ` -- `)"
            } else {
                ""
            };
            push(
                &unknown_rule_in_suppression::META,
                span.clone(),
                format!("`{name}` is not a dbguard rule or category{hint}"),
            );
        } else if let Some(listed) = policy.forbidding(name) {
            let why = if listed == name {
                format!("`{name}` is in `[suppressions] forbid`")
            } else {
                format!("its group `{listed}` is in `[suppressions] forbid`")
            };
            push(
                &forbidden_suppression::META,
                span.clone(),
                format!("`{name}` may not be suppressed ({why}): the finding stays"),
            );
        } else if matches!(d.scope, Scope::Misplaced) {
            push(
                &unused_suppression::META,
                span.clone(),
                format!(
                    "{} is not in the file's first comment block, so it covers nothing",
                    named(name)
                ),
            );
        } else if !used.get(i).copied().unwrap_or(false) && policy.disabled.contains(&name.as_str())
        {
            push(
                &unused_suppression::META,
                span.clone(),
                format!(
                    "{} hides nothing: `{name}` is turned off by the config",
                    named(name)
                ),
            );
        } else if !used.get(i).copied().unwrap_or(false) {
            let place = match d.scope {
                Scope::Line { line, last } if last > line => format!(" on lines {line}-{last}"),
                Scope::Line { line, .. } => format!(" on line {line}"),
                Scope::Config { .. } => " in the files its `path` matches".to_string(),
                _ => " in this file".to_string(),
            };
            push(
                &unused_suppression::META,
                span.clone(),
                format!("{} hides nothing: no `{name}` finding{place}", named(name)),
            );
        }
    }
}

/// True when the text may hold a directive (cheap test before comments are computed).
pub fn may_hold_directive(text: &str) -> bool {
    text.contains(MARKER)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fragment::comments;
    use crate::lang::FileKind;

    fn directives(kind: FileKind, text: &str) -> (SourceFile, Vec<Directive>) {
        let source = SourceFile::new("f".into(), "f".into(), Arc::from(text));
        let tree = match kind {
            FileKind::Js(d) => crate::fragment::javascript::parse(d, text),
            _ => None,
        };
        let comments = comments::ranges(kind, text, tree.as_ref());
        let d = parse(&source, kind, &comments, tree.as_ref());
        (source, d)
    }

    fn last(d: &Directive) -> Option<usize> {
        match d.scope {
            Scope::Line { last, .. } => Some(last),
            _ => None,
        }
    }

    #[test]
    fn a_directive_covers_the_statement_that_starts_on_its_line() {
        let ts = FileKind::Js(crate::lang::JsDialect::TypeScript);
        let (_, d) = directives(
            ts,
            "// dbguard-ignore drop-table -- fixture\nawait sql`\n  DROP TABLE t\n`;\nf();\n// dbguard-ignore x -- y\nfunction g() {\n  h();\n}\n",
        );
        assert_eq!((line(&d[0]), last(&d[0])), (Some(2), Some(4)));
        // Not a whole function body.
        assert_eq!((line(&d[1]), last(&d[1])), (Some(7), Some(7)));
        let (_, d) = directives(
            FileKind::Shell,
            "# dbguard-ignore drop-table -- scratch\npsql \"$U\" <<'SQL'\nDROP TABLE t;\nSQL\necho\n# dbguard-ignore dropdb -- x\ndropdb \\\n  -h h app\n",
        );
        assert_eq!((line(&d[0]), last(&d[0])), (Some(2), Some(4)));
        assert_eq!((line(&d[1]), last(&d[1])), (Some(7), Some(8)));
        let (_, d) = directives(
            FileKind::GithubWorkflow,
            "steps:\n  # dbguard-ignore prisma-migrate-reset -- preview\n  - run: |\n      npm ci\n      npx prisma migrate reset --force\n  - run: echo\n",
        );
        assert_eq!((line(&d[0]), last(&d[0])), (Some(3), Some(5)));
        let (_, d) = directives(
            FileKind::Sql,
            "-- dbguard-ignore delete-without-where -- all of it\nDELETE\n  FROM t;\nDELETE FROM u;\n",
        );
        assert_eq!((line(&d[0]), last(&d[0])), (Some(2), Some(3)));
        // An apostrophe in a comment opens no string.
        let (_, d) = directives(
            FileKind::Sql,
            "-- dbguard-ignore drop-table -- scratch\nDROP TABLE a -- don't keep\n;\nDROP TABLE b;\n",
        );
        assert_eq!((line(&d[0]), last(&d[0])), (Some(2), Some(3)));
    }

    fn line(d: &Directive) -> Option<usize> {
        match d.scope {
            Scope::Line { line, .. } => Some(line),
            _ => None,
        }
    }

    #[test]
    fn every_comment_syntax() {
        let (_, d) = directives(
            FileKind::Shell,
            "# dbguard-ignore dropdb -- test db\ndropdb app_test\ndropdb x # dbguard-ignore dropdb, destructive-command -- why\n",
        );
        assert_eq!(d.len(), 2);
        assert_eq!(line(&d[0]), Some(2));
        assert_eq!(d[0].reason.as_deref(), Some("test db"));
        assert_eq!(line(&d[1]), Some(3));
        let names: Vec<&str> = d[1].names.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["dropdb", "destructive-command"]);
        let (s, d) = directives(
            FileKind::Js(crate::lang::JsDialect::TypeScript),
            "// dbguard-ignore drop-table -- fixture\nawait sql`DROP TABLE t`;\n/* dbguard-ignore truncate -- ok */ f();\n",
        );
        assert_eq!((line(&d[0]), line(&d[1])), (Some(2), Some(3)));
        assert_eq!(d[1].reason.as_deref(), Some("ok"));
        assert_eq!(&s.text[d[0].names[0].1.clone()], "drop-table");
        let (_, d) = directives(
            FileKind::Sql,
            "-- dbguard-ignore drop-table -- recreated below\nDROP TABLE t;\n",
        );
        assert_eq!(
            (line(&d[0]), d[0].reason.as_deref()),
            (Some(2), Some("recreated below"))
        );
    }

    #[test]
    fn parenthesised_rules_are_read() {
        let (_, d) = directives(
            FileKind::Shell,
            "dropdb x # dbguard-ignore(dropdb, redis-flush) -- scratch\n",
        );
        let names: Vec<&str> = d[0].names.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["dropdb", "redis-flush"]);
        assert_eq!(d[0].reason.as_deref(), Some("scratch"));
    }

    #[test]
    fn stacked_directives_skip_comment_lines_and_blank_lines() {
        let (_, d) = directives(
            FileKind::Shell,
            "# dbguard-ignore dropdb -- a\n\n# dbguard-ignore redis-flush -- b\n# more words\ndropdb x && redis-cli flushall\n",
        );
        assert_eq!((line(&d[0]), line(&d[1])), (Some(5), Some(5)));
    }

    #[test]
    fn prose_and_look_alikes_are_not_directives() {
        let (_, d) = directives(
            FileKind::Shell,
            "# use dbguard-ignore to silence a rule\n# dbguard-ignored dropdb\necho 'dbguard-ignore dropdb'\n",
        );
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn file_directives_only_in_the_first_block() {
        let (_, d) = directives(
            FileKind::Shell,
            "#!/bin/sh\n# dbguard-ignore-file dropdb -- throwaway CI box\n\necho hi\n# dbguard-ignore-file redis-flush -- late\n",
        );
        assert!(matches!(d[0].scope, Scope::File));
        assert!(matches!(d[1].scope, Scope::Misplaced));
    }

    #[test]
    fn reason_splits_at_a_word_dash_dash() {
        assert_eq!(
            split_reason(" a,b -- why"),
            (" a,b ", Some("why".to_string()))
        );
        assert_eq!(split_reason(" a --"), (" a ", None));
        assert_eq!(split_reason(" a-b"), (" a-b", None));
        assert_eq!(
            split_reason(" a \u{2014} em dash"),
            (" a ", Some("em dash".to_string()))
        );
        assert_eq!(
            split_reason(" a \u{2013} en"),
            (" a ", Some("en".to_string()))
        );
    }
}
