//! Makefile: recipe lines are shell fragments named after their target. Recipe prefixes
//! (`@`, `-`, `+`) are dropped, `$$` becomes `$`, `$(VAR)` is replaced by the variable's
//! value when the Makefile defines it literally, and otherwise becomes the shell expansion
//! `${VAR}` (dynamic). Variable definitions are the recipe's env; a target-specific variable
//! (`reset-staging: DATABASE_URL = …`) overrides them for that target's recipes.
//!
//! `$(shell …)` in a variable definition or rule line runs when make reads the file, and
//! `VAR != cmd` too: each is a fragment. A `define NAME … endef` macro used alone on a recipe
//! line (`$(NAME)`) runs its body lines as recipe lines.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use super::map::{FragmentBuilder, OffsetMap};
use super::{Fragment, HostContext};
use crate::lang::FileKind;

/// What a logical make line (outside recipes and `define` blocks) is.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// `targets: prerequisites`.
    Rule(Vec<String>),
    /// `targets: VAR = value`: a target-specific variable.
    TargetVar(Vec<String>, Assign),
    /// `VAR = value` and the other assignment operators.
    Var(Assign),
    /// `ifeq`, `ifdef`, `else`, `endif`…: a rule's recipe continues across them.
    Conditional,
    Other,
}

/// A variable assignment: the name, the operator (`=`, `:=`, `?=`, `+=`, `!=`…) and where the
/// value stands in the line text.
#[derive(Debug, Clone, PartialEq)]
struct Assign {
    name: String,
    op: String,
    value: Range<usize>,
}

/// A logical line outside recipes and `define` blocks: `\`-continued lines joined (the break
/// becomes one space), the comment cut off.
struct Line {
    text: String,
    map: OffsetMap,
    kind: Kind,
}

/// What the scan of a Makefile finds, in file order.
enum Item<'a> {
    /// One recipe command: its physical lines (host start, text without the tab), the first
    /// one after its prefix, under the targets of its rule.
    Recipe {
        /// Which rule (counted in file order): recipes of one rule share their context.
        rule: usize,
        targets: Rc<[String]>,
        lines: Vec<(usize, &'a str)>,
    },
    Line(Line),
    /// `define NAME … endef`: the body lines (host start, text with newline).
    Define {
        name: String,
        body: Vec<(usize, &'a str)>,
    },
}

/// At most this many pattern-specific variables (`%-prod: VAR = …`) are honoured, and at most
/// this many targets of one rule are compared: real Makefiles have a handful, and the bound
/// keeps a hostile file from costing rules × patterns.
const MAX_PATTERN_VARS: usize = 256;
const MAX_SHARED_TARGETS: usize = 256;

/// A target-specific (or pattern-specific, `%-staging:`) variable.
struct TargetVar {
    targets: Vec<String>,
    name: String,
    op: String,
    value: String,
}

pub fn extract(src: &str) -> Vec<Fragment> {
    let items = scan(src);
    let vars = variables(&items);
    let mut env: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    env.sort(); // HashMap order is random; keep the context deterministic
    let macros: HashMap<&str, &[(usize, &str)]> = items
        .iter()
        .filter_map(|it| match it {
            Item::Define { name, body } => Some((name.as_str(), body.as_slice())),
            _ => None,
        })
        .collect();
    let target_vars = TargetVars::new(target_variables(&items, &vars));
    // Recipes of one rule share their context.
    let mut contexts: HashMap<usize, Arc<HostContext>> = HashMap::new();
    let mut out = Vec::new();
    for item in &items {
        match item {
            Item::Recipe {
                rule,
                targets,
                lines,
            } => {
                let ctx = contexts
                    .entry(*rule)
                    .or_insert_with(|| {
                        let mut ctx = HostContext::new(FileKind::Makefile);
                        ctx.names.push(targets[0].clone());
                        ctx.env = recipe_env(&env, &vars, targets, &target_vars);
                        Arc::new(ctx)
                    })
                    .clone();
                let macro_body = macro_call(lines, &macros);
                match macro_body {
                    Some(body) if simple_macro(body, &macros) => {
                        for cmd in commands_of(body) {
                            out.push(recipe_fragment(&cmd, &vars, ctx.clone()));
                        }
                    }
                    // A macro that calls functions or other macros is not expanded: its
                    // `$(NAME)` stays a dynamic word.
                    _ => out.push(recipe_fragment(lines, &vars, ctx)),
                }
            }
            Item::Line(line) => out.extend(parse_time_shell(line, &vars, &env)),
            Item::Define { .. } => {}
        }
    }
    out
}

/// Reads the Makefile into recipes, logical lines and `define` blocks. A tab-indented line is
/// a recipe line while a rule is open; blank lines, comments and conditionals keep it open.
fn scan(src: &str) -> Vec<Item<'_>> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        lines.push((offset, line));
        offset += line.len();
    }
    let mut out = Vec::new();
    // The open rule: its number and targets.
    let mut rule: Option<(usize, Rc<[String]>)> = None;
    let mut rules = 0;
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        i += 1;
        if let Some(recipe) = line.strip_prefix('\t') {
            let Some((id, targets)) = &rule else { continue };
            // Recipe prefixes.
            let prefix = recipe.len() - recipe.trim_start_matches(['@', '-', '+', ' ']).len();
            let mut cmd = vec![(start + 1 + prefix, &recipe[prefix..])];
            // `\`-continued lines belong to the same shell command; make strips one leading tab.
            while ends_continued(cmd[cmd.len() - 1].1) && i < lines.len() {
                let (next_start, next) = lines[i];
                i += 1;
                cmd.push(match next.strip_prefix('\t') {
                    Some(rest) => (next_start + 1, rest),
                    None => (next_start, next),
                });
            }
            out.push(Item::Recipe {
                rule: *id,
                targets: targets.clone(),
                lines: cmd,
            });
            continue;
        }
        let content = line.trim_end();
        if content.trim_start().starts_with('#') {
            // A `\` at the end of a comment continues the comment.
            let mut last = line;
            while ends_continued(last) && i < lines.len() {
                last = lines[i].1;
                i += 1;
            }
            continue;
        }
        if content.trim_start().is_empty() {
            continue;
        }
        if let Some(name) = define_name(content) {
            out.push(Item::Define {
                name,
                body: define_body(&lines, &mut i),
            });
            rule = None;
            continue;
        }
        let line = logical_line(&lines, start, line, &mut i);
        match &line.kind {
            Kind::Rule(targets) => {
                rules += 1;
                rule = Some((rules, Rc::from(targets.as_slice())));
            }
            Kind::Conditional => {}
            _ => rule = None,
        }
        out.push(Item::Line(line));
    }
    out
}

/// A line ending in an odd number of backslashes continues on the next one.
fn ends_continued(line: &str) -> bool {
    let t = line.trim_end_matches(['\n', '\r']);
    (t.len() - t.trim_end_matches('\\').len()) % 2 == 1
}

/// Strips `override`, `export` and `private` in front of a definition.
fn strip_modifiers(mut s: &str) -> &str {
    loop {
        let t = s.trim_start();
        let next = ["override", "export", "private"]
            .iter()
            .find_map(|m| t.strip_prefix(m).filter(|r| r.starts_with([' ', '\t'])));
        match next {
            Some(r) => s = r,
            None => return t,
        }
    }
}

/// `define NAME`, `define NAME =`, `override define NAME`: the macro's name.
fn define_name(line: &str) -> Option<String> {
    let rest = strip_modifiers(line).strip_prefix("define")?;
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let name = rest
        .split_whitespace()
        .next()?
        .trim_end_matches(['=', ':', '?', '+', '!']);
    (!name.is_empty()).then(|| name.to_string())
}

/// The body of a `define` whose line was just read: the lines up to the matching `endef`
/// (nested `define`s counted). An unterminated `define` (make refuses it) takes the rest.
fn define_body<'a>(lines: &[(usize, &'a str)], i: &mut usize) -> Vec<(usize, &'a str)> {
    let mut body = Vec::new();
    let mut depth = 0usize;
    while let Some(&(start, line)) = lines.get(*i) {
        *i += 1;
        let first = line.split_whitespace().next().unwrap_or("");
        if first == "endef" || line.trim_start().starts_with("endef#") {
            if depth == 0 {
                break;
            }
            depth -= 1;
        } else if define_name(line.trim_end()).is_some() {
            depth += 1;
        }
        body.push((start, line));
    }
    body
}

/// Joins a make line with its `\`-continued lines and cuts its comment. The backslash, the
/// line break and the blanks around them become one space (mapped to the backslash).
fn logical_line(lines: &[(usize, &str)], start: usize, line: &str, i: &mut usize) -> Line {
    let mut b = FragmentBuilder::new();
    let (mut start, mut line) = (start, line);
    let mut first = true;
    loop {
        let content = line.trim_end_matches(['\n', '\r']);
        // Continuation lines lose their leading blanks.
        let lead = if first {
            0
        } else {
            content.len() - content.trim_start().len()
        };
        first = false;
        if !ends_continued(content) || *i >= lines.len() {
            b.push_verbatim(&content[lead..], start + lead);
            break;
        }
        let body = content[..content.len() - 1].trim_end();
        if lead < body.len() {
            b.push_verbatim(&body[lead..], start + lead);
        }
        b.push_decoded(" ", start + content.len() - 1);
        (start, line) = lines[*i];
        *i += 1;
    }
    let (text, map) = b.finish();
    let text = cut_comment(&text).to_string();
    let kind = classify(&text);
    Line { text, map, kind }
}

/// The line without its comment: from the first `#` that is not escaped and not inside a
/// `$(…)` (GNU make 4.3+ reads `$(shell echo '#')` whole).
fn cut_comment(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{')) => {
                depth += 1;
                i += 1;
            }
            b')' | b'}' if depth > 0 => depth -= 1,
            b'#' if depth == 0 => return &text[..i],
            _ => {}
        }
        i += 1;
    }
    text
}

/// Finds the first `:` or `=` outside `$(…)`.
fn first_separator(text: &str) -> Option<(usize, u8)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{')) => {
                depth += 1;
                i += 1;
            }
            b')' | b'}' if depth > 0 => depth -= 1,
            c @ (b':' | b'=') if depth == 0 => return Some((i, c)),
            _ => {}
        }
        i += 1;
    }
    None
}

/// What a logical line is. Lines indented with blanks are never rules.
fn classify(text: &str) -> Kind {
    let first = text.split_whitespace().next().unwrap_or("");
    if matches!(
        first,
        "ifeq" | "ifneq" | "ifdef" | "ifndef" | "else" | "endif"
    ) {
        return Kind::Conditional;
    }
    if matches!(
        first,
        "include" | "-include" | "sinclude" | "vpath" | "unexport" | "undefine"
    ) {
        return Kind::Other;
    }
    let Some((at, sep)) = first_separator(text) else {
        return Kind::Other;
    };
    let rest = &text[at + 1..];
    let assignment_op = sep == b'=' || rest.starts_with('=') || rest.starts_with(":=");
    if assignment_op {
        return assignment(text, 0).map_or(Kind::Other, Kind::Var);
    }
    if text.starts_with([' ', '\t']) {
        return Kind::Other;
    }
    let targets: Vec<String> = text[..at].split_whitespace().map(str::to_string).collect();
    if targets.is_empty() {
        return Kind::Other;
    }
    // `a:: b` is a double-colon rule.
    let after = at + 1 + usize::from(rest.starts_with(':'));
    match assignment(text, after) {
        Some(a) => Kind::TargetVar(targets, a),
        None => Kind::Rule(targets),
    }
}

/// `[override|export|private]… NAME OP value` from `text[from..]`.
fn assignment(text: &str, from: usize) -> Option<Assign> {
    let s = strip_modifiers(&text[from..]);
    let name_len = s
        .find(|c: char| c.is_whitespace() || matches!(c, ':' | '?' | '+' | '!' | '=' | '#'))
        .unwrap_or(s.len());
    let name = &s[..name_len];
    let after = s[name_len..].trim_start();
    let op = [":::=", "::=", ":=", "?=", "+=", "!=", "="]
        .into_iter()
        .find(|op| after.starts_with(op))?;
    if name.is_empty() {
        return None;
    }
    let value_start = text.len() - after.len() + op.len();
    let value_start =
        value_start + (text[value_start..].len() - text[value_start..].trim_start().len());
    Some(Assign {
        name: name.to_string(),
        op: op.to_string(),
        value: value_start..text.trim_end().len().max(value_start),
    })
}

/// `target other: deps` → `target`; variable assignments and directives are not rules.
#[cfg(test)]
fn rule_target(line: &str) -> Option<String> {
    match classify(cut_comment(line)) {
        Kind::Rule(targets) => targets.into_iter().next(),
        _ => None,
    }
}

fn is_env_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Global variables with literal values: `NAME = value`, `NAME := value`, `NAME ?= value`
/// (unless already set), `NAME += more`, `export NAME = value`.
fn variables(items: &[Item]) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = HashMap::new();
    for item in items {
        let Item::Line(Line {
            text,
            kind: Kind::Var(a),
            ..
        }) = item
        else {
            continue;
        };
        let value = text[a.value.clone()].trim();
        if !is_env_name(&a.name) || a.op == "!=" || value.contains('$') {
            continue;
        }
        match a.op.as_str() {
            "?=" if vars.contains_key(&a.name) => {}
            "+=" => {
                let v = vars.entry(a.name.clone()).or_default();
                if !v.is_empty() {
                    v.push(' ');
                }
                v.push_str(value);
            }
            _ => {
                vars.insert(a.name.clone(), value.to_string());
            }
        }
    }
    vars
}

/// Target-specific variables, their values expanded: a global literal is substituted, any
/// other reference stays a shell expansion (`$(STAGING_URL)` → `${STAGING_URL}`, dynamic).
fn target_variables(items: &[Item], vars: &HashMap<String, String>) -> Vec<TargetVar> {
    let mut out = Vec::new();
    for item in items {
        let Item::Line(Line {
            text,
            map,
            kind: Kind::TargetVar(targets, a),
        }) = item
        else {
            continue;
        };
        if !is_env_name(&a.name) {
            continue;
        }
        let mut b = FragmentBuilder::new();
        push_make_text(&mut b, text, map, a.value.clone(), vars);
        let value = if a.op == "!=" {
            format!("$({})", b.text) // the output of a command
        } else {
            b.text
        };
        out.push(TargetVar {
            targets: targets.clone(),
            name: a.name.clone(),
            op: a.op.clone(),
            value,
        });
    }
    out
}

/// `reset-%` matches `reset-staging`; a name without `%` matches itself.
fn target_matches(pattern: &str, target: &str) -> bool {
    match pattern.split_once('%') {
        Some((pre, post)) => {
            target.len() >= pre.len() + post.len()
                && target.starts_with(pre)
                && target.ends_with(post)
        }
        None => pattern == target,
    }
}

/// Target-specific variables indexed by target, so that a recipe looks up only its own.
struct TargetVars {
    all: Vec<TargetVar>,
    /// Target name → indices into `all`, in file order.
    exact: HashMap<String, Vec<usize>>,
    /// Indices of the variables set for a `%` pattern, in file order.
    patterns: Vec<usize>,
}

impl TargetVars {
    fn new(all: Vec<TargetVar>) -> Self {
        let mut exact: HashMap<String, Vec<usize>> = HashMap::new();
        let mut patterns = Vec::new();
        for (k, tv) in all.iter().enumerate() {
            if tv.targets.iter().any(|t| t.contains('%')) && patterns.len() < MAX_PATTERN_VARS {
                patterns.push(k);
            }
            for t in tv.targets.iter().filter(|t| !t.contains('%')) {
                let at = exact.entry(t.clone()).or_default();
                if at.last() != Some(&k) {
                    at.push(k);
                }
            }
        }
        TargetVars {
            all,
            exact,
            patterns,
        }
    }
}

/// The variables one target sets for its recipes: pattern-specific first, then
/// target-specific (which win), each applied to the value so far.
fn target_overrides(
    target: &str,
    global: &HashMap<String, String>,
    target_vars: &TargetVars,
) -> Vec<(String, String)> {
    let patterns = target_vars.patterns.iter().filter(|&&k| {
        target_vars.all[k]
            .targets
            .iter()
            .any(|p| p.contains('%') && target_matches(p, target))
    });
    let exact = target_vars.exact.get(target).into_iter().flatten();
    let mut set: Vec<(String, String)> = Vec::new();
    // The value of each name so far: set here, or global.
    let mut current: HashMap<&str, usize> = HashMap::new();
    for &k in patterns.chain(exact) {
        let tv = &target_vars.all[k];
        let prev = match current.get(tv.name.as_str()) {
            Some(&i) => Some(set[i].1.as_str()),
            None => global.get(&tv.name).map(String::as_str),
        };
        let value = match (tv.op.as_str(), prev) {
            ("?=", Some(_)) => continue,
            ("+=", Some(p)) if !p.is_empty() => format!("{p} {}", tv.value),
            _ => tv.value.clone(),
        };
        current.insert(&tv.name, set.len());
        set.push((tv.name.clone(), value));
    }
    set
}

/// A recipe's environment: the global variables (`env`, the same as `vars`), then what its
/// targets set. A recipe shared
/// by several targets (`a b:`) gets only the settings all of them agree on.
fn recipe_env(
    env: &[(String, String)],
    vars: &HashMap<String, String>,
    targets: &[String],
    target_vars: &TargetVars,
) -> Vec<(String, String)> {
    let mut env = env.to_vec();
    if target_vars.all.is_empty() {
        return env;
    }
    let mut per_target = targets
        .iter()
        .take(MAX_SHARED_TARGETS)
        .map(|t| target_overrides(t, vars, target_vars));
    let first = per_target.next().unwrap_or_default();
    if first.is_empty() {
        return env;
    }
    // The last value each other target sets, by name.
    let others: Vec<HashMap<String, String>> =
        per_target.map(|set| set.into_iter().collect()).collect();
    let finals: HashMap<&str, &str> = first
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    for (name, value) in &first {
        // Only the final value of each name, and only if every target agrees.
        if finals.get(name.as_str()) == Some(&value.as_str())
            && others.iter().all(|o| o.get(name) == Some(value))
        {
            env.push((name.clone(), value.clone()));
        }
    }
    env
}

/// The recipe is `$(NAME)` alone and NAME is a `define` macro: its body.
fn macro_call<'a>(
    lines: &[(usize, &str)],
    macros: &HashMap<&str, &'a [(usize, &'a str)]>,
) -> Option<&'a [(usize, &'a str)]> {
    let [(_, line)] = lines else { return None };
    let t = line.trim();
    let name = t
        .strip_prefix("$(")
        .and_then(|n| n.strip_suffix(')'))
        .or_else(|| t.strip_prefix("${").and_then(|n| n.strip_suffix('}')))?;
    macros.get(name).copied()
}

/// A macro body is expanded only when it is plain recipe text: `$$`, automatic variables and
/// `$(VAR)` references to variables that are not macros. Function calls (`$(call …)`,
/// `$(if …)`) and nested macros would need make's evaluator.
fn simple_macro(body: &[(usize, &str)], macros: &HashMap<&str, &[(usize, &str)]>) -> bool {
    body.iter().all(|(_, line)| {
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'$' {
                i += 1;
                continue;
            }
            match bytes.get(i + 1) {
                Some(&open @ (b'(' | b'{')) => {
                    let close = if open == b'(' { ')' } else { '}' };
                    let Some(len) = line[i + 2..].find(close) else {
                        return false;
                    };
                    let name = &line[i + 2..i + 2 + len];
                    if !is_env_name(name) || macros.contains_key(name) {
                        return false;
                    }
                    i += len + 3;
                }
                _ => i += 2,
            }
        }
        true
    })
}

/// The commands of a macro body: each line is a recipe line (prefixes and leading blanks
/// dropped, `\`-continued lines joined, blank lines skipped).
fn commands_of<'a>(body: &[(usize, &'a str)]) -> Vec<Vec<(usize, &'a str)>> {
    let mut out: Vec<Vec<(usize, &str)>> = Vec::new();
    let mut continued = false;
    for &(start, line) in body {
        if continued {
            out.last_mut()
                .expect("continued command")
                .push((start, line));
        } else {
            let prefix = line.len() - line.trim_start_matches(['@', '-', '+', ' ', '\t']).len();
            if !line[prefix..].trim().is_empty() {
                out.push(vec![(start + prefix, &line[prefix..])]);
            }
        }
        continued = !line.trim().is_empty() && ends_continued(line);
    }
    out
}

/// A recipe command's fragment.
fn recipe_fragment(
    lines: &[(usize, &str)],
    vars: &HashMap<String, String>,
    ctx: Arc<HostContext>,
) -> Fragment {
    let mut b = FragmentBuilder::new();
    for &(start, line) in lines {
        let map = OffsetMap::linear(start, line.len());
        push_make_text(&mut b, line, &map, 0..line.len(), vars);
    }
    let (text, map) = b.finish();
    Fragment::shell(text, map, ctx)
}

/// The commands make runs while reading a line: every `$(shell …)`, and the value of
/// `VAR != command`. Each is named after its variable, or `$(shell)`.
fn parse_time_shell(
    line: &Line,
    vars: &HashMap<String, String>,
    env: &[(String, String)],
) -> Vec<Fragment> {
    let text = line.text.as_str();
    let assign = match &line.kind {
        Kind::Var(a) | Kind::TargetVar(_, a) => Some(a),
        _ => None,
    };
    let mut ranges = Vec::new();
    match assign {
        Some(a) if a.op == "!=" => ranges.push(a.value.clone()),
        _ => {
            let mut from = 0;
            while let Some(at) = text[from..].find("$(shell").map(|i| from + i) {
                let content = at + "$(shell".len();
                let close = matching_paren(text, at + 1);
                if text[content..].starts_with([' ', '\t']) {
                    ranges.push(content..close.min(text.len()));
                }
                from = (close + 1).min(text.len()).max(content);
            }
        }
    }
    let name = assign.map_or("$(shell)", |a| a.name.as_str());
    ranges
        .into_iter()
        .filter(|r| !text[r.clone()].trim().is_empty())
        .map(|r| {
            let mut b = FragmentBuilder::new();
            push_make_text(&mut b, text, &line.map, r, vars);
            let (t, m) = b.finish();
            let mut ctx = HostContext::new(FileKind::Makefile);
            ctx.names.push(name.to_string());
            ctx.env = env.to_vec();
            Fragment::shell(t, m, Arc::new(ctx))
        })
        .collect()
}

/// The index of the `)` that closes the `(` at `open` (or the text's end), counting nesting.
fn matching_paren(text: &str, open: usize) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.bytes().enumerate().skip(open) {
        match c {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Appends make text `text[range]` (mapped by `map`) as the shell text make hands over:
/// `$$` is `$`, `$(VAR)`/`${VAR}` is the variable's literal value or else `${VAR}`, and
/// `$(shell …)` is the command substitution `$(…)`.
fn push_make_text(
    b: &mut FragmentBuilder,
    text: &str,
    map: &OffsetMap,
    range: Range<usize>,
    vars: &HashMap<String, String>,
) {
    let bytes = text.as_bytes();
    let end = range.end;
    let mut last = range.start;
    let mut i = range.start;
    while i < end {
        if bytes[i] != b'$' || i + 1 >= end {
            i += 1;
            continue;
        }
        b.push_from(text, map, last..i);
        match bytes[i + 1] {
            b'$' => {
                b.push_decoded("$", map.to_host(i));
                i += 2;
            }
            b'(' if text[i + 2..end].starts_with("shell")
                && text[i + 7..end].starts_with([' ', '\t']) =>
            {
                // `$(shell` becomes `$(` and blanks of the same length, so the map stays
                // linear; the command and its `)` stay as written.
                b.push_verbatim("$(     ", map.to_host(i));
                i += 7;
            }
            open @ (b'(' | b'{') => {
                let close = if open == b'(' { ')' } else { '}' };
                match text[i + 2..end].find(close) {
                    Some(len) if is_env_name(&text[i + 2..i + 2 + len]) => {
                        let name = &text[i + 2..i + 2 + len];
                        match vars.get(name) {
                            Some(value) => b.push_decoded(value, map.to_host(i)),
                            None => b.push_decoded(&format!("${{{name}}}"), map.to_host(i)),
                        }
                        i += len + 3;
                    }
                    _ => {
                        b.push_from(text, map, i..i + 1);
                        i += 1;
                    }
                }
            }
            _ => {
                b.push_from(text, map, i..i + 1);
                i += 1;
            }
        }
        last = i;
    }
    b.push_from(text, map, last..end);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    #[test]
    fn recipes_prefixes_continuations_and_variables() {
        let src = "PRISMA := npx prisma\n.PHONY: reset\nreset: deps\n\t@echo \"$$HOME\"\n\t-$(PRISMA) migrate \\\n\t\treset --force\n\n# dropdb x\nclean:\n\trm -rf dist\n";
        let f = extract(src);
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].ctx.names, ["reset"]);
        let cmds = commands(&f[1]);
        let reset = cmds
            .iter()
            .find(|c| c.program() == "prisma")
            .expect("prisma");
        assert!(reset.subcommand_is(&["migrate", "reset"]));
        // The substituted program maps to where `$(PRISMA)` is written.
        let at = src.find("$(PRISMA)").unwrap();
        assert_eq!(reset.span.start, at);
        let flag = reset.flag("--force").unwrap();
        assert_eq!(&src[flag.span.clone()], "--force");
    }

    #[test]
    fn assignments_are_not_targets() {
        assert_eq!(rule_target("A := b"), None);
        assert_eq!(rule_target("deploy: build"), Some("deploy".into()));
        assert_eq!(rule_target("x = a:b"), None);
    }

    /// The fragment whose commands include `program`, and that command.
    fn find<'f>(f: &'f [Fragment], program: &str) -> Option<(&'f Fragment, crate::shell::Command)> {
        f.iter().find_map(|f| {
            commands(f)
                .into_iter()
                .find(|c| c.program() == program)
                .map(|c| (f, c))
        })
    }

    fn env_of<'e>(f: &'e Fragment, name: &str) -> Option<&'e str> {
        f.ctx
            .env
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn target_specific_variables_override_for_their_recipes() {
        let src = "export DATABASE_URL = postgresql://postgres:postgres@localhost:5432/app\nreset-staging: DATABASE_URL = $(STAGING_DATABASE_URL)\nreset-staging:\n\tnpx prisma migrate reset --force\nreset-local:\n\tnpx prisma migrate reset --force\n";
        let f = extract(src);
        assert_eq!(f.len(), 2, "the target-variable line is no rule");
        assert_eq!(f[0].ctx.names, ["reset-staging"]);
        assert_eq!(
            env_of(&f[0], "DATABASE_URL"),
            Some("${STAGING_DATABASE_URL}")
        );
        assert_eq!(
            env_of(&f[1], "DATABASE_URL"),
            Some("postgresql://postgres:postgres@localhost:5432/app")
        );
        // `:=`, `export`, a literal global substituted, pattern-specific and `+=`.
        let src = "HOST := db.prod.internal\nwipe: export DATABASE_URL := postgres://$(HOST)/app\nwipe:\n\tdropdb app\n%-local: PGHOST = localhost\nreset-local: PGHOST += -p 5433\nreset-local:\n\tdropdb app\n";
        let f = extract(src);
        assert_eq!(
            env_of(&f[0], "DATABASE_URL"),
            Some("postgres://db.prod.internal/app")
        );
        assert_eq!(env_of(&f[0], "PGHOST"), None);
        assert_eq!(env_of(&f[1], "PGHOST"), Some("localhost -p 5433"));
        // A recipe shared by two targets gets only what both set alike.
        let src = "a: DATABASE_URL = postgres://localhost/x\na b:\n\tdropdb app\n";
        assert_eq!(env_of(&extract(src)[0], "DATABASE_URL"), None);
        assert_eq!(
            classify("a b: override X ?= 1"),
            Kind::TargetVar(
                vec!["a".into(), "b".into()],
                Assign {
                    name: "X".into(),
                    op: "?=".into(),
                    value: 19..20
                }
            )
        );
        assert_eq!(classify("a:: b c"), Kind::Rule(vec!["a".into()]));
        assert_eq!(rule_target("A ::= b"), None);
    }

    #[test]
    fn shell_function_and_shell_assignment_run_at_parse_time() {
        let src = "WIPE := $(shell redis-cli -h cache.prod.internal flushall)\nLATER != redis-cli -h $(HOST) flushdb # comment\ndeploy: $(shell dropdb \\\n    app)\n\t@echo $(shell redis-cli flushall)\n";
        let f = extract(src);
        let (frag, wipe) = find(&f, "redis-cli").unwrap();
        assert_eq!(frag.ctx.names, ["WIPE"]);
        assert_eq!(
            &src[wipe.span.clone()],
            "redis-cli -h cache.prod.internal flushall"
        );
        let later: Vec<_> = f.iter().filter(|f| f.ctx.names == ["LATER"]).collect();
        assert_eq!(later.len(), 1);
        let c = &commands(later[0])[0];
        assert_eq!(c.argv[2].text, "${HOST}");
        assert_eq!(&src[c.argv[3].span.clone()], "flushdb");
        // A rule line's `$(shell …)`, continued over two lines.
        let (frag, dropdb) = find(&f, "dropdb").unwrap();
        assert_eq!(frag.ctx.names, ["$(shell)"]);
        assert_eq!(&src[dropdb.argv[1].span.clone()], "app");
        // In a recipe, `$(shell …)` is a command substitution.
        let recipe = f.iter().find(|f| f.ctx.names == ["deploy"]).unwrap();
        let cmds = commands(recipe);
        let flush = cmds.iter().find(|c| c.program() == "redis-cli").unwrap();
        assert_eq!(&src[flush.span.clone()], "redis-cli flushall");
    }

    #[test]
    fn shell_function_look_alikes() {
        for src in [
            "# WIPE := $(shell redis-cli flushall)\n",
            "MSG := $(shell echo 'redis-cli flushall')\n",
            "X := $(shelly redis-cli flushall)\n",
            "HINT = run redis-cli flushall yourself # $(shell redis-cli flushall)\n",
            "# a long comment \\\nWIPE := $(shell redis-cli flushall)\n",
        ] {
            let f = extract(src);
            assert!(find(&f, "redis-cli").is_none(), "{src}");
        }
    }

    #[test]
    fn define_macros_expand_in_recipes() {
        let src = "define RESET_DB\n\t@echo resetting\n\tnpx prisma migrate reset \\\n\t  --force\nendef\n\nreset:\n\t@$(RESET_DB)\n";
        let f = extract(src);
        assert_eq!(f.len(), 2, "one fragment per macro line");
        assert!(f.iter().all(|f| f.ctx.names == ["reset"]));
        let (_, reset) = find(&f, "prisma").unwrap();
        assert!(reset.has_flag("--force"));
        assert_eq!(&src[reset.argv[0].span.clone()], "prisma");
        assert_eq!(&src[reset.flag("--force").unwrap().span.clone()], "--force");
        // A macro that calls make functions is not expanded.
        let src = "define RESET\n\t$(call log,reset) npx prisma migrate reset --force\nendef\nreset:\n\t$(RESET)\n";
        assert!(find(&extract(src), "prisma").is_none());
        // A macro used inside a longer line is not expanded either.
        let src =
            "define RESET\nnpx prisma migrate reset --force\nendef\nreset:\n\techo $(RESET)\n";
        assert!(find(&extract(src), "prisma").is_none());
    }

    #[test]
    fn define_bodies_are_not_rules_or_variables() {
        let src = "define HELP\nDATABASE_URL = postgres://localhost/x\nreset:\n\tdropdb app\n  define INNER\n  endef\nWIPE := $(shell redis-cli flushall)\nendef\nclean:\n\trm -rf dist\n";
        let f = extract(src);
        assert_eq!(f.len(), 1, "only the clean recipe");
        assert_eq!(f[0].ctx.names, ["clean"]);
        assert_eq!(env_of(&f[0], "DATABASE_URL"), None);
    }

    #[test]
    fn conditionals_keep_the_recipe_open() {
        let src = "reset:\nifeq ($(CI),true)\n\tdropdb app\nelse\n\techo skip\nendif\n";
        let f = extract(src);
        let (frag, _) = find(&f, "dropdb").unwrap();
        assert_eq!(frag.ctx.names, ["reset"]);
    }
}
