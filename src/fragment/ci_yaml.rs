//! CI YAML: GitHub Actions `run:` steps and GitLab CI `script:`/`before_script:`/
//! `after_script:` entries are shell fragments. Workflow/job/step names, `env:`/`variables:`
//! blocks, `environment:` and `services:` become the fragment's context.
//!
//! YAML anchors, aliases and `<<` merge keys are followed (bounded), GitLab `extends:` and
//! `!reference` are applied, and GitHub `${{ … }}` expressions and `$GITHUB_ENV` writes are
//! resolved as far as the file says.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use tree_sitter::{Node, Parser, Tree};

use super::escape::push_escaped;
use super::map::{FragmentBuilder, OffsetMap};
use super::{deploy_name, Fragment, HostContext};
use crate::lang::FileKind;
use crate::shell::words::{is_env_name, unquote};

thread_local! {
    static YAML: RefCell<Parser> = RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_yaml::LANGUAGE.into()).expect("yaml grammar");
        p
    });
}

/// Most alias, merge, `!reference` and `extends:` levels followed from one node.
const MAX_NESTING: usize = 16;
/// GitLab resolves at most 11 levels of `extends:`.
const MAX_EXTENDS: usize = 11;
/// Work units per document (alias and merge resolutions, mapping pairs, script entries,
/// template expansions): a billion-laughs document stops here instead of blowing up.
const MAX_VISITS: usize = 250_000;

/// The value node inside `block_node`/`flow_node` wrappers (anchors and tags skipped).
fn inner(node: Node) -> Node {
    if matches!(node.kind(), "block_node" | "flow_node") {
        let mut c = node.walk();
        let found = node
            .named_children(&mut c)
            .find(|n| !matches!(n.kind(), "anchor" | "tag" | "comment"));
        if let Some(n) = found {
            return n;
        }
    }
    node
}

/// Key/value pairs of a mapping node as written (no alias or merge handling).
fn raw_pairs<'t>(node: Node<'t>, src: &str) -> Vec<(String, Node<'t>)> {
    let node = inner(node);
    if !matches!(node.kind(), "block_mapping" | "flow_mapping") {
        return Vec::new();
    }
    let mut c = node.walk();
    node.named_children(&mut c)
        .filter(|n| matches!(n.kind(), "block_mapping_pair" | "flow_pair"))
        .filter_map(|p| {
            let key = scalar(p.child_by_field_name("key")?, src)?.0;
            Some((key, p.child_by_field_name("value")?))
        })
        .collect()
}

/// Items of a sequence node as written.
fn raw_items(node: Node) -> Vec<Node> {
    let node = inner(node);
    let mut c = node.walk();
    match node.kind() {
        "block_sequence" => node
            .named_children(&mut c)
            .filter(|n| n.kind() == "block_sequence_item")
            .filter_map(|i| i.named_child(0))
            .collect(),
        "flow_sequence" => node
            .named_children(&mut c)
            .filter(|n| n.kind() == "flow_node")
            .collect(),
        _ => Vec::new(),
    }
}

/// The value of `key` in pairs from `Doc::pairs`.
fn lookup<'t>(pairs: &[(String, Node<'t>)], key: &str) -> Option<Node<'t>> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// One parsed YAML document: its source, its anchors, and the budget for following them.
/// Every read of a node goes through `deref`, so aliases behave like the anchored node (whose
/// text, and so whose positions, are at the anchor).
struct Doc<'a> {
    src: &'a str,
    root: Node<'a>,
    /// Anchor name → the nodes carrying that anchor, in document order.
    anchors: HashMap<&'a str, Vec<Node<'a>>>,
    /// Top-level keys as written (the first of duplicates): jobs and templates for GitLab
    /// `extends:` and `!reference`.
    top: HashMap<String, Node<'a>>,
    /// Resolve GitLab `!reference [job, key, …]` tags.
    gitlab: bool,
    /// Work units left (see `MAX_VISITS`).
    visits: Cell<usize>,
    /// Current nesting of merge/`!reference` resolution (see `MAX_NESTING`).
    depth: Cell<usize>,
    /// Fragment text bytes left to emit: aliases and `extends:` repeat text, and a hostile
    /// document must not turn a small file into gigabytes of shell.
    text_left: Cell<usize>,
}

impl<'a> Doc<'a> {
    /// The first document of `tree`, with its anchor table built once.
    fn new(tree: &'a Tree, src: &'a str, gitlab: bool) -> Option<Doc<'a>> {
        let root = document_root(tree)?;
        let mut anchors: HashMap<&'a str, Vec<Node<'a>>> = HashMap::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            if n.kind() == "anchor" {
                if let Some(owner) = n.parent() {
                    let name = src[n.byte_range()].trim_start_matches('&');
                    anchors.entry(name).or_default().push(owner);
                }
                continue;
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        for list in anchors.values_mut() {
            list.sort_by_key(|n| n.start_byte());
        }
        let mut top = HashMap::new();
        for (k, v) in raw_pairs(root, src) {
            top.entry(k).or_insert(v);
        }
        Some(Doc {
            src,
            root,
            anchors,
            top,
            gitlab,
            visits: Cell::new(MAX_VISITS),
            depth: Cell::new(0),
            text_left: Cell::new(src.len().saturating_mul(16).saturating_add(1 << 20)),
        })
    }

    /// Takes one work unit; false once the document's budget is spent.
    fn spend(&self) -> bool {
        let left = self.visits.get();
        if left == 0 {
            crate::budget::note(|| {
                format!("YAML aliases and templates expand to more than {MAX_VISITS} nodes: the rest is not read")
            });
            return false;
        }
        self.visits.set(left - 1);
        true
    }

    /// Runs `f` one nesting level deeper, or returns `fallback` past the limits.
    fn nested<R>(&self, fallback: R, f: impl FnOnce() -> R) -> R {
        if self.depth.get() >= MAX_NESTING {
            crate::budget::note(|| {
                format!("YAML merges and references nested more than {MAX_NESTING} levels: not followed deeper")
            });
            return fallback;
        }
        if !self.spend() {
            return fallback;
        }
        self.depth.set(self.depth.get() + 1);
        let r = f();
        self.depth.set(self.depth.get() - 1);
        r
    }

    /// The node an alias (`*name`) stands for: the last anchor of that name before it.
    fn anchored(&self, alias: Node<'a>) -> Option<Node<'a>> {
        let name = self.src[alias.byte_range()].trim_start_matches('*');
        let list = self.anchors.get(name)?;
        let found = list
            .iter()
            .rev()
            .find(|n| n.start_byte() < alias.start_byte())
            .copied();
        found.filter(|_| self.spend())
    }

    /// The value a node stands for: wrappers skipped, aliases and (GitLab) `!reference` tags
    /// followed. An alias or reference that cannot be followed reads as nothing (its `alias`
    /// or `tag` node).
    fn deref(&self, node: Node<'a>) -> Node<'a> {
        let mut node = node;
        let mut unresolved = node;
        for _ in 0..MAX_NESTING {
            let value = inner(node);
            let next = if value.kind() == "alias" {
                unresolved = value;
                self.anchored(value)
            } else if let Some(tag) = self.reference_tag(node) {
                unresolved = tag;
                self.reference(node)
            } else {
                return value;
            };
            match next {
                Some(n) => node = n,
                None => return unresolved,
            }
        }
        unresolved
    }

    /// The `!reference` tag of a node, in GitLab files.
    fn reference_tag(&self, node: Node<'a>) -> Option<Node<'a>> {
        if !self.gitlab || !matches!(node.kind(), "block_node" | "flow_node") {
            return None;
        }
        let mut c = node.walk();
        let tag = node
            .named_children(&mut c)
            .find(|n| n.kind() == "tag" && &self.src[n.byte_range()] == "!reference");
        tag
    }

    /// GitLab `!reference [.job, key, …]`: the node at that path from the top level.
    fn reference(&self, node: Node<'a>) -> Option<Node<'a>> {
        self.reference_tag(node)?;
        self.nested(None, || {
            let path: Vec<String> = raw_items(node)
                .into_iter()
                .filter_map(|n| Some(self.scalar(n)?.0))
                .collect();
            let (first, rest) = path.split_first()?;
            let mut target = *self.top.get(first)?;
            for key in rest {
                target = self.get(target, key)?;
            }
            Some(target)
        })
    }

    /// Key/value pairs of a mapping. A `<<` merge key adds the pairs of the merged mapping(s)
    /// that the mapping does not set itself; of several merged mappings the earlier wins.
    fn pairs(&self, node: Node<'a>) -> Vec<(String, Node<'a>)> {
        let own = raw_pairs(self.deref(node), self.src);
        let mut out = Vec::with_capacity(own.len());
        if !own.iter().any(|(k, _)| k == "<<") {
            for pair in own {
                if !self.spend() {
                    break;
                }
                out.push(pair);
            }
            return out;
        }
        let mut seen: HashSet<String> = own
            .iter()
            .filter(|(k, _)| k != "<<")
            .map(|(k, _)| k.clone())
            .collect();
        for (key, value) in own {
            if !self.spend() {
                break;
            }
            if key != "<<" {
                out.push((key, value));
                continue;
            }
            let mut sources = self.items(value);
            if sources.is_empty() {
                sources.push(value);
            }
            for source in sources {
                for (k, v) in self.nested(Vec::new(), || self.pairs(source)) {
                    if seen.insert(k.clone()) {
                        out.push((k, v));
                    }
                }
            }
        }
        out
    }

    fn get(&self, node: Node<'a>, key: &str) -> Option<Node<'a>> {
        lookup(&self.pairs(node), key)
    }

    /// Items of a sequence (each still to be `deref`ed by its reader).
    fn items(&self, node: Node<'a>) -> Vec<Node<'a>> {
        raw_items(self.deref(node))
    }

    fn scalar(&self, node: Node<'a>) -> Option<(String, OffsetMap)> {
        scalar(self.deref(node), self.src)
    }

    /// Scalar values of a mapping (`env:`, `variables:`), as name/value pairs.
    fn env_block(&self, node: Option<Node<'a>>) -> Vec<(String, String)> {
        let Some(node) = node else { return Vec::new() };
        self.pairs(node)
            .into_iter()
            .filter_map(|(k, v)| {
                // GitLab allows `VAR: { value: "…", description: "…" }`.
                let v = self.get(v, "value").unwrap_or(v);
                Some((k, self.scalar(v)?.0))
            })
            .collect()
    }

    /// `environment: production` or `environment: { name: production }`.
    fn environment(&self, node: Option<Node<'a>>) -> Option<String> {
        let node = node?;
        self.scalar(node)
            .or_else(|| self.scalar(self.get(node, "name")?))
            .map(|s| s.0)
    }

    /// A string, or the strings of a list (`extends:`).
    fn strings(&self, node: Node<'a>) -> Vec<String> {
        let list = self.items(node);
        if list.is_empty() {
            return self.scalar(node).map(|s| s.0).into_iter().collect();
        }
        list.into_iter()
            .filter_map(|n| Some(self.scalar(n)?.0))
            .collect()
    }

    /// Emits every string of a (possibly nested) list, such as a GitLab `script:`, in order.
    fn emit_script(&self, node: Node<'a>, ctx: &Arc<HostContext>, out: &mut Vec<Fragment>) {
        let mut entries = vec![node];
        while let Some(n) = entries.pop() {
            let list = self.items(n);
            if list.is_empty() {
                if let Some((text, map)) = self.scalar(n) {
                    self.emit(out, text, map, ctx);
                }
                continue;
            }
            for item in list.into_iter().rev() {
                if !self.spend() || self.text_left.get() == 0 {
                    return;
                }
                entries.push(item);
            }
        }
    }

    /// Adds a fragment unless the document's text budget is spent.
    fn emit(&self, out: &mut Vec<Fragment>, text: String, map: OffsetMap, ctx: &Arc<HostContext>) {
        let left = self.text_left.get();
        if text.len() > left {
            self.text_left.set(0);
            return;
        }
        self.text_left.set(left - text.len());
        out.push(Fragment::shell(text, map, ctx.clone()));
    }
}

fn parse_yaml(src: &str) -> Option<Tree> {
    let tree = YAML.with(|p| crate::budget::parse(&mut p.borrow_mut(), src, "YAML"))?;
    // A syntax error makes the parser drop or misplace what follows it: say so rather than
    // report a clean file (CI would refuse the file too).
    if tree.root_node().has_error() {
        crate::budget::note(|| {
            "invalid YAML (GitHub and GitLab would reject it too): the file may be read only in part"
                .to_string()
        });
    }
    Some(tree)
}

/// A scalar's value and its map back to the host.
pub fn scalar(node: Node, src: &str) -> Option<(String, OffsetMap)> {
    let node = inner(node);
    let r = node.byte_range();
    let mut b = FragmentBuilder::new();
    match node.kind() {
        "plain_scalar" => fold_lines(&mut b, src, r, |b, s, r| {
            b.push_verbatim(&s[r.clone()], r.start)
        }),
        "single_quote_scalar" => {
            fold_lines(&mut b, src, super::quoted_inner(node, src)?, |b, s, r| {
                let mut last = r.start;
                while let Some(i) = s[last..r.end].find("''") {
                    b.push_verbatim(&s[last..last + i + 1], last);
                    last += i + 2;
                }
                b.push_verbatim(&s[last..r.end], last);
            })
        }
        "double_quote_scalar" => {
            fold_lines(&mut b, src, super::quoted_inner(node, src)?, |b, s, r| {
                push_escaped(b, s, r, 0)
            })
        }
        "block_scalar" => block_scalar(&mut b, src, r),
        _ => return None,
    }
    Some(b.finish())
}

/// Flow scalars fold line breaks into spaces (an empty line is a newline).
fn fold_lines(
    b: &mut FragmentBuilder,
    src: &str,
    r: std::ops::Range<usize>,
    mut push: impl FnMut(&mut FragmentBuilder, &str, std::ops::Range<usize>),
) {
    if r.start >= r.end {
        return;
    }
    let mut pos = r.start;
    let mut first = true;
    let mut pending_break = false;
    for line in src[r.clone()].split('\n') {
        let line_start = pos;
        pos += line.len() + 1;
        let trimmed_start = if first {
            0
        } else {
            line.len() - line.trim_start().len()
        };
        let content = &line[trimmed_start..];
        let content = if pos > r.end {
            content
        } else {
            content.trim_end()
        };
        if !first && content.is_empty() {
            b.push_decoded("\n", line_start);
            pending_break = false;
            continue;
        }
        if pending_break {
            b.push_decoded(" ", line_start);
        }
        let s = line_start + trimmed_start;
        push(b, src, s..s + content.len());
        pending_break = true;
        first = false;
    }
}

/// Lines with their breaks: `\n`, `\r\n`, or a lone `\r` (YAML 1.2 ends lines at each).
fn lines_inclusive(s: &str) -> impl Iterator<Item = &str> {
    let b = s.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= b.len() {
            return None;
        }
        let mut i = start;
        while i < b.len() {
            match b[i] {
                b'\n' => {
                    i += 1;
                    break;
                }
                b'\r' if b.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    break;
                }
                b'\r' => {
                    i += 1;
                    break;
                }
                _ => i += 1,
            }
        }
        let line = &s[start..i];
        start = i;
        Some(line)
    })
}

/// `|` keeps line breaks, `>` folds them; the header may carry chomping and indentation.
fn block_scalar(b: &mut FragmentBuilder, src: &str, r: std::ops::Range<usize>) {
    let text = &src[r.clone()];
    let folded = text.starts_with('>');
    let Some(nl) = text.find(['\n', '\r']) else {
        return;
    };
    let nl = if text[nl..].starts_with("\r\n") {
        nl + 1
    } else {
        nl
    };
    let body_start = r.start + nl + 1;
    let body = &src[body_start..r.end];
    let indent = lines_inclusive(body)
        .map(|l| l.trim_end_matches(['\n', '\r']))
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .unwrap_or(0);
    let mut pos = body_start;
    let mut prev_folds = false;
    for line in lines_inclusive(body) {
        let line_start = pos;
        pos += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            b.push_decoded("\n", line_start);
            prev_folds = false;
            continue;
        }
        let cut = indent.min(content.len() - content.trim_start_matches(' ').len());
        let s = line_start + cut;
        let more_indented = content[cut..].starts_with([' ', '\t']);
        if folded && prev_folds && !more_indented {
            b.push_decoded(" ", s);
        } else if folded && prev_folds {
            b.push_decoded("\n", s);
        }
        b.push_verbatim(&content[cut..], s);
        if folded && !more_indented {
            prev_folds = true;
        } else {
            // The line's own break; a last line without one (end of file) lends its last byte.
            let at = if line.len() > content.len() {
                line_start + content.len()
            } else {
                line_start + content.len() - 1
            };
            b.push_decoded("\n", at);
            prev_folds = false;
        }
    }
    if prev_folds {
        b.push_decoded("\n", pos.saturating_sub(1));
    }
}

fn deploy_reason(env_name: Option<&str>) -> Option<String> {
    let name = env_name?;
    deploy_name(name).then(|| format!("the job deploys to environment `{name}`"))
}

fn document_root(tree: &tree_sitter::Tree) -> Option<Node<'_>> {
    let stream = tree.root_node();
    let mut c = stream.walk();
    let doc = stream
        .named_children(&mut c)
        .find(|n| n.kind() == "document")?;
    let mut c = doc.walk();
    let root = doc
        .named_children(&mut c)
        .find(|n| matches!(n.kind(), "block_node" | "flow_node"));
    root
}

fn file_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name).to_string()
}

// GitHub Actions.

/// The last value of `name` in an environment list.
fn env_value<'e>(env: &'e [(String, String)], name: &str) -> Option<&'e str> {
    env.iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Every `${{ … }}` of `text`: its range and the expression inside, trimmed.
fn expressions(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("${{") {
        let start = from + i;
        let Some(j) = text[start + 3..].find("}}") else {
            break;
        };
        let end = start + 3 + j + 2;
        out.push((start..end, text[start + 3..end - 2].trim()));
        from = end;
    }
    out
}

/// `NAME` of the expression `env.NAME`.
fn env_expression(expr: &str) -> Option<&str> {
    let name = expr.strip_prefix("env.")?;
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    ok.then_some(name)
}

/// Replaces `${{ env.NAME }}` in a value by NAME's value in `known`. GitHub evaluates
/// expressions before anything runs; other expressions (`secrets.X`) stay as written.
fn resolve_env_expressions(value: &str, known: &[(String, String)]) -> String {
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    for (r, expr) in expressions(value) {
        if let Some(v) = env_expression(expr).and_then(|n| env_value(known, n)) {
            out.push_str(&value[last..r.start]);
            out.push_str(v);
            last = r.end;
        }
    }
    out.push_str(&value[last..]);
    out
}

/// An `env:` block with `${{ env.NAME }}` resolved against the environment known so far.
fn with_env_expressions(
    vars: Vec<(String, String)>,
    known: &[(String, String)],
) -> Vec<(String, String)> {
    vars.into_iter()
        .map(|(k, v)| {
            let v = resolve_env_expressions(&v, known);
            (k, v)
        })
        .collect()
}

/// Shell quoting at a point of a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// The shell quoting in force at each byte of `text`. Follows quotes, backslashes, comments
/// and here-document bodies (read as unquoted); only used to decide whether a word put in
/// place of an expression needs quotes, so rare constructs may be misread.
fn quoting(text: &str) -> Vec<Quote> {
    let b = text.as_bytes();
    let mut at = vec![Quote::None; b.len()];
    let mut q = Quote::None;
    // Here-document delimiters (and `<<-` tab stripping) whose bodies start after this line.
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        at[i] = q;
        let c = b[i];
        match q {
            Quote::Single if c == b'\'' => q = Quote::None,
            Quote::Single => {}
            Quote::Double => match c {
                b'"' => q = Quote::None,
                b'\\' if i + 1 < b.len() => {
                    i += 1;
                    at[i] = q;
                }
                _ => {}
            },
            Quote::None => match c {
                b'\'' => q = Quote::Single,
                b'"' => q = Quote::Double,
                b'\\' => i += 1,
                b'#' if i == 0
                    || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(') =>
                {
                    while i + 1 < b.len() && b[i + 1] != b'\n' {
                        i += 1;
                    }
                }
                b'<' if b.get(i + 1) == Some(&b'<') => {
                    if b.get(i + 2) == Some(&b'<') {
                        i += 2; // here-string
                    } else if let Some((delim, strip, end)) = heredoc_delimiter(text, i + 2) {
                        heredocs.push((delim, strip));
                        i = end - 1;
                    } else {
                        i += 1;
                    }
                }
                b'\n' if !heredocs.is_empty() => {
                    let mut pos = i + 1;
                    for (delim, strip) in heredocs.drain(..) {
                        while pos < b.len() {
                            let end = text[pos..].find('\n').map_or(b.len(), |k| pos + k);
                            let line = &text[pos..end];
                            pos = end + 1;
                            let line = if strip {
                                line.trim_start_matches('\t')
                            } else {
                                line
                            };
                            if line.trim_end_matches('\r') == delim {
                                break;
                            }
                        }
                    }
                    i = pos - 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    at
}

/// The delimiter of a here-document whose `<<` ends at `from`: (delimiter without quotes,
/// `<<-` tab stripping, end of the delimiter word).
fn heredoc_delimiter(text: &str, from: usize) -> Option<(String, bool, usize)> {
    let b = text.as_bytes();
    let mut i = from;
    let strip = b.get(i) == Some(&b'-');
    if strip {
        i += 1;
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let start = i;
    while i < b.len() && !b" \t\n;&|<>()".contains(&b[i]) {
        i += 1;
    }
    let delim: String = text[start..i]
        .chars()
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect();
    (!delim.is_empty()).then_some((delim, strip, i))
}

/// One shell word standing for an unknown expression: `${{secrets.X}}` (spaces dropped, quote
/// characters neutralized), double-quoted where the shell would otherwise see it unquoted.
/// It contains `$`, so the target assessment treats it as a dynamic value.
fn expression_word(expr: &str, q: Quote) -> String {
    let body: String = expr
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '"' | '\'' | '\\' | '`' | '$' => '_',
            c => c,
        })
        .collect();
    let word = format!("${{{{{body}}}}}");
    if q == Quote::None {
        format!("\"{word}\"")
    } else {
        word
    }
}

/// GitHub substitutes every `${{ … }}` of a `run:` before the shell starts. A known
/// `env.NAME` becomes its value (its own expressions made shell words); anything else becomes
/// one dynamic word (`expression_word`), so that `DATABASE_URL=${{ secrets.PROD }} cmd` keeps
/// the secret as the variable's value. Each replacement maps to the expression's start.
fn substitute_expressions(
    text: &str,
    map: &OffsetMap,
    env: &[(String, String)],
) -> (String, OffsetMap) {
    let exprs = expressions(text);
    if exprs.is_empty() {
        return (text.to_string(), map.clone());
    }
    let quotes = quoting(text);
    let mut b = FragmentBuilder::new();
    let mut last = 0;
    for (r, expr) in exprs {
        b.push_from(text, map, last..r.start);
        let q = quotes[r.start];
        let replacement = match env_expression(expr).and_then(|n| env_value(env, n)) {
            Some(value) => {
                let mut out = String::new();
                let mut from = 0;
                for (vr, vexpr) in expressions(value) {
                    out.push_str(&value[from..vr.start]);
                    out.push_str(&expression_word(vexpr, q));
                    from = vr.end;
                }
                out.push_str(&value[from..]);
                out
            }
            None => expression_word(expr, q),
        };
        b.push_decoded(&replacement, map.to_host(r.start));
        last = r.end;
    }
    b.push_from(text, map, last..text.len());
    b.finish()
}

/// A word of a bash node, quotes removed.
fn bash_word(node: Node, text: &str) -> String {
    unquote(text, &OffsetMap::linear(0, text.len()), node.byte_range()).text
}

/// True when `word` (quotes removed) is `$GITHUB_ENV`.
fn is_github_env(word: &str) -> bool {
    matches!(word, "$GITHUB_ENV" | "${GITHUB_ENV}")
}

/// The statement whose output goes to `$GITHUB_ENV`: the body of `… >> "$GITHUB_ENV"`, or
/// the first command of `… | tee -a "$GITHUB_ENV"`.
fn writes_github_env<'t>(node: Node<'t>, text: &str) -> Option<Node<'t>> {
    let mut c = node.walk();
    match node.kind() {
        "redirected_statement" => {
            let to_env = node.named_children(&mut c).any(|r| {
                r.kind() == "file_redirect"
                    && text[r.byte_range()]
                        .trim_start_matches(|ch: char| ch.is_ascii_digit())
                        .starts_with('>')
                    && r.named_child(r.named_child_count().saturating_sub(1))
                        .is_some_and(|d| is_github_env(&bash_word(d, text)))
            });
            if to_env {
                node.child_by_field_name("body")
            } else {
                None
            }
        }
        "pipeline" => {
            let cmds: Vec<Node> = node.named_children(&mut c).collect();
            let [first, tee] = cmds.as_slice() else {
                return None;
            };
            let mut c = tee.walk();
            let words: Vec<String> = tee
                .named_children(&mut c)
                .map(|w| bash_word(w, text))
                .collect();
            let is_tee = words.first().is_some_and(|w| w == "tee")
                && words.last().is_some_and(|w| is_github_env(w));
            is_tee.then_some(*first)
        }
        _ => None,
    }
}

/// The lines an `echo`/`printf` command prints, as far as its words say.
fn printed_lines(cmd: Node, text: &str) -> Vec<String> {
    let Some(name) = cmd.child_by_field_name("name") else {
        return Vec::new();
    };
    let mut c = cmd.walk();
    let args: Vec<String> = cmd
        .children_by_field_name("argument", &mut c)
        .map(|w| bash_word(w, text))
        .collect();
    let (printed, escapes) = match bash_word(name, text).as_str() {
        "echo" => {
            let flags = args
                .iter()
                .take_while(|a| {
                    a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c))
                })
                .count();
            let escapes = args[..flags].iter().any(|a| a.contains('e'));
            (args[flags..].join(" "), escapes)
        }
        "printf" => {
            let Some((format, rest)) = args.split_first() else {
                return Vec::new();
            };
            let mut rest = rest.iter();
            let mut out = String::new();
            let mut parts = format.split("%%").peekable();
            while let Some(part) = parts.next() {
                let mut pieces = part.split("%s");
                out.push_str(pieces.next().unwrap_or(""));
                for piece in pieces {
                    out.push_str(rest.next().map_or("", String::as_str));
                    out.push_str(piece);
                }
                if parts.peek().is_some() {
                    out.push('%');
                }
            }
            (out, true)
        }
        _ => return Vec::new(),
    };
    let printed = if escapes {
        printed.replace("\\n", "\n")
    } else {
        printed
    };
    printed.lines().map(str::to_string).collect()
}

/// The variables a step appends to `$GITHUB_ENV` (`echo "NAME=value" >> "$GITHUB_ENV"`,
/// `printf`, `{ echo …; echo …; } >> $GITHUB_ENV`, `| tee -a $GITHUB_ENV`): the later steps
/// of the job run with them. A value that is exactly `$NAME` is resolved through `env`.
fn github_env_writes(text: &str, env: &[(String, String)]) -> Vec<(String, String)> {
    let Some(tree) = crate::shell::parse_bash(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let mut c = node.walk();
        let Some(body) = writes_github_env(node, text) else {
            let children: Vec<Node> = node.named_children(&mut c).collect();
            stack.extend(children.into_iter().rev());
            continue;
        };
        // The commands of the body, in order.
        let mut cmds = vec![body];
        while let Some(n) = cmds.pop() {
            if n.kind() != "command" {
                let mut c = n.walk();
                let children: Vec<Node> = n.named_children(&mut c).collect();
                cmds.extend(children.into_iter().rev());
                continue;
            }
            for line in printed_lines(n, text) {
                let Some((name, value)) = line.split_once('=') else {
                    continue;
                };
                if !is_env_name(name) {
                    continue;
                }
                let var = value
                    .strip_prefix("${")
                    .and_then(|v| v.strip_suffix('}'))
                    .or_else(|| value.strip_prefix('$'));
                let value = var
                    .filter(|v| is_env_name(v))
                    .and_then(|v| env_value(env, v))
                    .unwrap_or(value);
                out.push((name.to_string(), value.to_string()));
            }
        }
    }
    out
}

/// Whether a `shell:` runs the script as commands (`bash`, `sh`, `pwsh`, `cmd`, …) rather than
/// as a program in another language (`python`, `node`, `shell: perl {0}`).
fn runs_commands(shell: &str) -> bool {
    let mut words = shell.split_whitespace();
    let mut program = words.next().unwrap_or("");
    let base = |p: &str| {
        let name = p
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(p)
            .to_ascii_lowercase();
        let name = name.strip_suffix(".exe").unwrap_or(&name).to_string();
        name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
            .to_string()
    };
    if base(program) == "env" {
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    !matches!(
        base(program).as_str(),
        "python" | "pypy" | "node" | "deno" | "bun" | "ruby" | "perl" | "php" | "rscript" | "lua"
    )
}

/// `defaults: { run: { shell: … } }` of a workflow or job.
fn default_shell<'a>(doc: &Doc<'a>, node: Node<'a>) -> Option<String> {
    let run = doc.get(doc.get(node, "defaults")?, "run")?;
    Some(doc.scalar(doc.get(run, "shell")?)?.0)
}

/// GitHub Actions workflow.
pub fn extract_github(src: &str, path: &str) -> Vec<Fragment> {
    let Some(tree) = parse_yaml(src) else {
        return Vec::new();
    };
    let Some(doc) = Doc::new(&tree, src, false) else {
        return Vec::new();
    };
    let top = doc.pairs(doc.root);
    let mut out = Vec::new();
    let mut names = vec![file_stem(path)];
    if let Some((n, _)) = lookup(&top, "name").and_then(|n| doc.scalar(n)) {
        names.push(n);
    }
    let wf_env = doc.env_block(lookup(&top, "env"));
    let wf_shell = default_shell(&doc, doc.root);
    let Some(jobs) = lookup(&top, "jobs") else {
        return out;
    };
    for (job_id, job) in doc.pairs(jobs) {
        let keys = doc.pairs(job);
        let mut job_names = names.clone();
        job_names.push(job_id);
        if let Some((n, _)) = lookup(&keys, "name").and_then(|n| doc.scalar(n)) {
            job_names.push(n);
        }
        let mut job_env = wf_env.clone();
        job_env.extend(with_env_expressions(
            doc.env_block(lookup(&keys, "env")),
            &wf_env,
        ));
        let deploy = deploy_reason(doc.environment(lookup(&keys, "environment")).as_deref());
        let has_services = lookup(&keys, "services").is_some();
        let job_shell = default_shell(&doc, job).or_else(|| wf_shell.clone());
        let Some(steps) = lookup(&keys, "steps") else {
            continue;
        };
        // Variables earlier steps appended to `$GITHUB_ENV`.
        let mut written: Vec<(String, String)> = Vec::new();
        for step in doc.items(steps) {
            let step_keys = doc.pairs(step);
            let Some(run) = lookup(&step_keys, "run") else {
                continue;
            };
            let shell = lookup(&step_keys, "shell")
                .and_then(|s| doc.scalar(s))
                .map(|s| s.0)
                .or_else(|| job_shell.clone());
            if shell.is_some_and(|s| !runs_commands(&s)) {
                continue;
            }
            let Some((text, map)) = doc.scalar(run) else {
                continue;
            };
            let mut ctx = HostContext::new(FileKind::GithubWorkflow);
            ctx.names = job_names.clone();
            if let Some((n, _)) = lookup(&step_keys, "name").and_then(|n| doc.scalar(n)) {
                ctx.names.push(n);
            }
            // `$GITHUB_ENV` values override the job's `env:`; the step's own `env:` wins.
            ctx.env = job_env.clone();
            ctx.env.extend(written.iter().cloned());
            let step_env = with_env_expressions(doc.env_block(lookup(&step_keys, "env")), &ctx.env);
            ctx.env.extend(step_env);
            ctx.deploy = deploy.clone();
            ctx.has_services = has_services;
            let (text, map) = substitute_expressions(&text, &map, &ctx.env);
            if text.contains("GITHUB_ENV") {
                written.extend(github_env_writes(&text, &ctx.env));
            }
            doc.emit(&mut out, text, map, &Arc::new(ctx));
        }
    }
    out
}

const GITLAB_RESERVED: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
];
const GITLAB_SCRIPTS: &[&str] = &["before_script", "script", "after_script"];

/// A GitLab job with its `extends:` templates applied.
#[derive(Default)]
struct GitlabJob<'a> {
    /// Keys after merging: the job's own win over its templates', a later template's over an
    /// earlier one's.
    keys: HashMap<String, Node<'a>>,
    /// `variables:` merged name by name (the last value of a name wins).
    variables: Vec<(String, String)>,
}

impl<'a> GitlabJob<'a> {
    fn apply(
        &mut self,
        keys: impl IntoIterator<Item = (String, Node<'a>)>,
        vars: Vec<(String, String)>,
    ) {
        self.keys.extend(keys);
        self.variables.extend(vars);
    }

    fn get(&self, key: &str) -> Option<Node<'a>> {
        self.keys.get(key).copied()
    }
}

/// The job `node` with its `extends:` templates (top-level keys, recursively) merged in.
fn gitlab_job<'a>(doc: &Doc<'a>, node: Node<'a>, depth: usize) -> GitlabJob<'a> {
    let own = doc.pairs(node);
    let mut job = GitlabJob::default();
    if let Some(extends) = lookup(&own, "extends") {
        for name in doc.strings(extends) {
            if depth >= MAX_EXTENDS || !doc.spend() {
                break;
            }
            if let Some(template) = doc.top.get(&name) {
                let t = gitlab_job(doc, *template, depth + 1);
                job.apply(t.keys, t.variables);
            }
        }
    }
    let vars = doc.env_block(lookup(&own, "variables"));
    job.apply(own, vars);
    job
}

/// GitLab CI configuration. Hidden jobs (`.name`) run only through the jobs that `extends:`
/// or `!reference` them, so they are reported with those jobs' context.
pub fn extract_gitlab(src: &str) -> Vec<Fragment> {
    let Some(tree) = parse_yaml(src) else {
        return Vec::new();
    };
    let Some(doc) = Doc::new(&tree, src, true) else {
        return Vec::new();
    };
    let top_pairs = doc.pairs(doc.root);
    let mut out = Vec::new();
    let global_env = doc.env_block(lookup(&top_pairs, "variables"));
    let global_ctx = {
        let mut ctx = HostContext::new(FileKind::GitlabCi);
        ctx.env = global_env.clone();
        Arc::new(ctx)
    };
    let defaults = lookup(&top_pairs, "default").map(|d| doc.pairs(d));
    for keys in std::iter::once(&top_pairs).chain(defaults.as_ref()) {
        for key in ["before_script", "after_script"] {
            if let Some(node) = lookup(keys, key) {
                doc.emit_script(node, &global_ctx, &mut out);
            }
        }
    }
    // `default: services:` (or the older top-level `services:`) applies to every job.
    let default_services = defaults
        .as_ref()
        .and_then(|d| lookup(d, "services"))
        .or_else(|| lookup(&top_pairs, "services"))
        .is_some();
    for (job_name, node) in &top_pairs {
        if GITLAB_RESERVED.contains(&job_name.as_str()) || job_name.starts_with('.') {
            continue;
        }
        let job = gitlab_job(&doc, *node, 0);
        let mut ctx = HostContext::new(FileKind::GitlabCi);
        ctx.names.push(job_name.clone());
        if let Some((stage, _)) = job.get("stage").and_then(|s| doc.scalar(s)) {
            ctx.names.push(stage);
        }
        ctx.deploy = deploy_reason(doc.environment(job.get("environment")).as_deref());
        ctx.has_services = default_services || job.get("services").is_some();
        // A deploy job without service containers gets its database from project CI/CD
        // variables, which override the file's global `variables:`: those are no evidence.
        if ctx.deploy.is_none() || ctx.has_services {
            ctx.env = global_env.clone();
        }
        ctx.env.extend(job.variables.iter().cloned());
        let ctx = Arc::new(ctx);
        for key in GITLAB_SCRIPTS {
            if let Some(node) = job.get(key) {
                doc.emit_script(node, &ctx, &mut out);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::fragment::Body;
    use crate::rules::Severity;
    use crate::source::SourceFile;

    fn texts(f: &[Fragment]) -> Vec<String> {
        f.iter()
            .map(|f| match &f.body {
                Body::Shell { text, .. } => text.clone(),
                Body::Argv(_) => String::new(),
            })
            .collect()
    }

    const WF: &str = "name: Deploy\non: push\nenv:\n  A: \"1\"\njobs:\n  migrate:\n    environment: production\n    services:\n      postgres:\n        image: postgres\n    env:\n      DATABASE_URL: ${{ secrets.DATABASE_URL }}\n    steps:\n      - name: one\n        run: |\n          echo hi\n          npx prisma migrate reset --force\n      - run: \"npx prisma \\\"db\\\" push\"\n      - run: >\n          npx prisma\n          migrate deploy\n      - uses: actions/checkout@v4\n      - shell: python\n        run: print('x')\n";

    #[test]
    fn invalid_yaml_is_a_partial_skip_not_a_clean_file() {
        crate::budget::take_exceeded();
        let src = "on: push\njobs:\n  a:\n    steps:\n      - run: npx prisma migrate reset --force\n      - run: echo done: ok\n";
        extract_github(src, ".github/workflows/a.yml");
        let note = crate::budget::take_exceeded().expect("noted");
        assert!(note.contains("invalid YAML"), "{note}");
        extract_github("on: push\njobs: {}\n", ".github/workflows/b.yml");
        assert_eq!(crate::budget::take_exceeded(), None);
    }

    #[test]
    fn github_run_steps_with_context() {
        let f = extract_github(WF, ".github/workflows/deploy.yml");
        assert_eq!(
            texts(&f),
            [
                "echo hi\nnpx prisma migrate reset --force\n",
                "npx prisma \"db\" push",
                "npx prisma migrate deploy\n"
            ]
        );
        let ctx = &f[0].ctx;
        assert_eq!(ctx.names, ["deploy", "Deploy", "migrate", "one"]);
        assert_eq!(
            ctx.env,
            [
                ("A".into(), "1".into()),
                ("DATABASE_URL".into(), "${{ secrets.DATABASE_URL }}".into())
            ]
        );
        assert!(ctx.deploy.is_some());
        assert!(ctx.has_services);
        // Positions inside the block scalar map to the host line.
        let Body::Shell { text, map } = &f[0].body else {
            panic!()
        };
        let at = text.find("prisma").unwrap();
        assert_eq!(&WF[map.to_host(at)..map.to_host(at) + 6], "prisma");
        let Body::Shell { text, map } = &f[2].body else {
            panic!()
        };
        let at = text.find("migrate").unwrap();
        assert_eq!(&WF[map.to_host(at)..map.to_host(at) + 7], "migrate");
    }

    #[test]
    fn gitlab_scripts() {
        let src = "variables:\n  DATABASE_URL: postgres://postgres@postgres/app_test\nstages: [test]\ndefault:\n  before_script:\n    - npm ci\ntest:\n  stage: test\n  services: [postgres]\n  script:\n    - npx prisma migrate reset --force\n    - |\n      npm test\n  after_script: echo done\n";
        let f = extract_gitlab(src);
        assert_eq!(
            texts(&f),
            [
                "npm ci",
                "npx prisma migrate reset --force",
                "npm test\n",
                "echo done"
            ]
        );
        assert_eq!(f[1].ctx.names, ["test", "test"]);
        assert!(f[1].ctx.has_services);
        assert_eq!(f[1].ctx.env[0].0, "DATABASE_URL");
    }

    #[test]
    fn tolerates_odd_documents() {
        assert!(extract_github("", "x.yml").is_empty());
        assert!(extract_github("- a\n- b", "x.yml").is_empty());
        assert!(extract_github("jobs: [1, 2]", "x.yml").is_empty());
        assert!(extract_gitlab("a: &x [*x]").is_empty());
    }

    /// Findings of the whole pipeline: (severity, message, matched host text).
    fn lint(kind: FileKind, src: &str) -> Vec<(Severity, String, String)> {
        let path = match kind {
            FileKind::GitlabCi => ".gitlab-ci.yml",
            _ => ".github/workflows/ci.yml",
        };
        let source = SourceFile::new(path.into(), path.into(), Arc::from(src));
        crate::engine::lint_source(&source, kind, &Config::default_at(".".into()))
            .into_iter()
            .map(|f| (f.severity, f.message, src[f.span].to_string()))
            .collect()
    }

    fn env_of<'c>(f: &'c Fragment, name: &str) -> Option<&'c str> {
        env_value(&f.ctx.env, name)
    }

    fn shell_body(f: &Fragment) -> (&str, &OffsetMap) {
        let Body::Shell { text, map } = &f.body else {
            panic!("not a shell fragment")
        };
        (text, map)
    }

    /// Asserts that `needle` in the fragment text maps to `needle` in the host.
    fn assert_maps(src: &str, f: &Fragment, needle: &str) {
        let (text, map) = shell_body(f);
        let at = text.find(needle).expect(needle);
        let host = map.to_host(at);
        assert_eq!(&src[host..host + needle.len()], needle, "in {text:?}");
    }

    const GITHUB_ENV_WF: &str = r#"env: { TEST_DB: postgresql://postgres:postgres@localhost:5432/app_test }
jobs: { test: { runs-on: ubuntu-latest, services: {postgres: {image: postgres:16}}, steps: [
  { run: 'echo "DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app_test" >> "$GITHUB_ENV"' },
  { run: npx prisma migrate reset --force },
  { run: npx prisma db push --accept-data-loss, env: { DATABASE_URL: '${{ env.TEST_DB }}' } } ] } }
"#;

    #[test]
    fn github_env_expressions_and_github_env_writes_resolve() {
        let f = extract_github(GITHUB_ENV_WF, "ci.yml");
        let local = "postgresql://postgres:postgres@localhost:5432/app_test";
        assert_eq!(env_of(&f[0], "DATABASE_URL"), None);
        assert_eq!(env_of(&f[1], "DATABASE_URL"), Some(local));
        assert_eq!(env_of(&f[2], "DATABASE_URL"), Some(local));
        let found = lint(FileKind::GithubWorkflow, GITHUB_ENV_WF);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|f| f.0 == Severity::Info), "{found:?}");

        // Look-alikes: a write in a later step, in another job, or to `$GITHUB_OUTPUT`, and an
        // unknown `env.NAME`, pin nothing.
        let src = r#"jobs:
  a:
    steps:
      - run: echo "DATABASE_URL=postgres://localhost/app" >> "$GITHUB_OUTPUT"
      - run: npx prisma migrate reset --force
      - run: npx prisma db push --accept-data-loss
        env: { DATABASE_URL: "${{ env.NOT_SET }}" }
      - run: echo "DATABASE_URL=postgres://localhost/app" >> "$GITHUB_ENV"
  b:
    steps:
      - run: npx prisma migrate reset --force
"#;
        let f = extract_github(src, "ci.yml");
        assert_eq!(env_of(&f[1], "DATABASE_URL"), None);
        assert_eq!(env_of(&f[2], "DATABASE_URL"), Some("${{ env.NOT_SET }}"));
        assert_eq!(env_of(&f[4], "DATABASE_URL"), None);
        let found = lint(FileKind::GithubWorkflow, src);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|f| f.0 == Severity::Error), "{found:?}");
    }

    #[test]
    fn github_env_write_forms() {
        let env = vec![("LOCAL".to_string(), "postgres://localhost/a".to_string())];
        let script = r#"echo "A=1" >> "$GITHUB_ENV"
echo B=2 >>$GITHUB_ENV
printf "C=%s\n" "3" >> ${GITHUB_ENV}
printf 'D=4\nE=5\n' >> "$GITHUB_ENV"
{ echo "F=6"; echo -e "G=7\nH=8"; } >> "$GITHUB_ENV"
echo "I=$LOCAL" | tee -a "$GITHUB_ENV"
echo "J=$UNKNOWN" >> "$GITHUB_ENV"
echo "K=9" >> "$GITHUB_OUTPUT"
echo "L=10" > env.txt
cat "$GITHUB_ENV"
"#;
        let got = github_env_writes(script, &env);
        let want: Vec<(String, String)> = [
            ("A", "1"),
            ("B", "2"),
            ("C", "3"),
            ("D", "4"),
            ("E", "5"),
            ("F", "6"),
            ("G", "7"),
            ("H", "8"),
            ("I", "postgres://localhost/a"),
            ("J", "$UNKNOWN"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn inline_expressions_become_one_dynamic_word() {
        let src = r#"jobs: { test: { runs-on: ubuntu-latest,
  env: { DATABASE_URL: postgresql://postgres:postgres@localhost:5432/app },
  steps: [ { run: 'DATABASE_URL=${{ secrets.PROD_DATABASE_URL }} npx prisma migrate reset --force' } ] } }
"#;
        let f = extract_github(src, "ci.yml");
        let (text, map) = shell_body(&f[0]);
        assert_eq!(
            text,
            "DATABASE_URL=\"${{secrets.PROD_DATABASE_URL}}\" npx prisma migrate reset --force"
        );
        // The replacement maps to the expression's start; the rest stays exact.
        let expr = src.find("${{ secrets").unwrap();
        assert_eq!(map.to_host(text.find('"').unwrap()), expr);
        assert_eq!(map.to_host(text.find("}}").unwrap()), expr);
        assert_maps(src, &f[0], "npx prisma migrate reset --force");
        let found = lint(FileKind::GithubWorkflow, src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Error);
        assert!(
            found[0]
                .1
                .contains("DATABASE_URL comes from `${{secrets.PROD_DATABASE_URL}}`"),
            "{}",
            found[0].1
        );
        assert!(found[0].2.ends_with("npx prisma migrate reset --force"));

        // Look-alike: a known `env.NAME` is replaced by its (local) value.
        let src = r#"env: { LOCAL_URL: "postgres://postgres@localhost/app" }
jobs: { test: { steps: [ { run: 'DATABASE_URL=${{ env.LOCAL_URL }} npx prisma migrate reset --force' } ] } }
"#;
        let f = extract_github(src, "ci.yml");
        assert_eq!(
            shell_body(&f[0]).0,
            "DATABASE_URL=postgres://postgres@localhost/app npx prisma migrate reset --force"
        );
        assert_maps(src, &f[0], "npx prisma");
        let found = lint(FileKind::GithubWorkflow, src);
        assert_eq!(found[0].0, Severity::Info, "{found:?}");
    }

    #[test]
    fn expression_words_follow_shell_quoting() {
        let src = "jobs:\n  a:\n    steps:\n      - run: |\n          # don't reset here\n          echo \"ref: ${{ github.ref }}\" '${{ github.sha }}'\n          cat <<EOF\n          it's ${{ github.actor }}\n          EOF\n          npx prisma migrate reset --force --schema=${{ inputs.schema }}\n";
        let f = extract_github(src, "ci.yml");
        let (text, _) = shell_body(&f[0]);
        assert_eq!(
            text,
            "# don't reset here\necho \"ref: ${{github.ref}}\" '${{github.sha}}'\ncat <<EOF\nit's \"${{github.actor}}\"\nEOF\nnpx prisma migrate reset --force --schema=\"${{inputs.schema}}\"\n"
        );
        // Positions inside the block scalar stay exact after the substitutions.
        assert_maps(src, &f[0], "npx prisma migrate reset --force --schema=");
        assert_maps(src, &f[0], "it's");
        // Quote characters inside an expression cannot break the shell's quoting.
        assert_eq!(
            expression_word("github.ref == 'refs/heads/main' && \"a\"", Quote::Single),
            "${{github.ref==_refs/heads/main_&&_a_}}"
        );
    }

    #[test]
    fn github_anchors_and_aliases() {
        let src = r#"jobs:
  test:
    env: &localenv
      DATABASE_URL: postgres://postgres@localhost/app
    steps:
      - &resetstep
        name: reset
        run: npx prisma migrate reset --force
  prod:
    environment: production
    steps: [*resetstep]
  again:
    env: *localenv
    steps:
      - *resetstep
"#;
        let f = extract_github(src, "ci.yml");
        assert_eq!(texts(&f), ["npx prisma migrate reset --force"; 3]);
        assert_eq!(f[0].span, f[1].span);
        assert_eq!(f[1].span, f[2].span);
        assert_maps(src, &f[1], "npx prisma");
        assert!(f[1].ctx.deploy.is_some());
        assert_eq!(env_of(&f[1], "DATABASE_URL"), None);
        assert_eq!(
            env_of(&f[2], "DATABASE_URL"),
            Some("postgres://postgres@localhost/app")
        );
        assert_eq!(f[2].ctx.names.last().map(String::as_str), Some("reset"));
    }

    #[test]
    fn only_non_shell_interpreters_are_skipped() {
        for shell in [
            "bash",
            "sh -e {0}",
            "pwsh",
            "powershell",
            "cmd",
            "zsh {0}",
            "bash --noprofile --norc -eo pipefail {0}",
        ] {
            assert!(runs_commands(shell), "{shell}");
        }
        for shell in [
            "python",
            "python {0}",
            "python3 {0}",
            "/usr/bin/env python3 {0}",
            "node {0}",
            "ruby {0}",
            "perl {0}",
            "C:\\Python\\python.exe {0}",
        ] {
            assert!(!runs_commands(shell), "{shell}");
        }
        let src = r#"defaults: { run: { shell: pwsh } }
jobs:
  win:
    steps:
      - run: npx prisma migrate reset --force
      - shell: cmd
        run: npx prisma db push --accept-data-loss
      - shell: python {0}
        run: print("npx prisma migrate reset --force")
  py:
    defaults: { run: { shell: python } }
    steps:
      - run: print("npx prisma migrate reset --force")
      - shell: bash
        run: npx prisma migrate reset --skip-seed
"#;
        let f = extract_github(src, "ci.yml");
        assert_eq!(
            texts(&f),
            [
                "npx prisma migrate reset --force",
                "npx prisma db push --accept-data-loss",
                "npx prisma migrate reset --skip-seed"
            ]
        );
    }

    #[test]
    fn gitlab_anchors_and_merge_keys() {
        let src = r#".common: &common
  image: node:20
  services: [postgres]
  variables: { DATABASE_URL: postgres://postgres@postgres/app }
.steps: &common_steps
  - npm ci
  - &reset npx prisma migrate reset --force
test:
  <<: *common
  script: [*common_steps, "echo done"]
prod:
  <<: *common
  services: []
  variables: { DATABASE_URL: $PROD_DATABASE_URL }
  script:
    - *reset
"#;
        let f = extract_gitlab(src);
        assert_eq!(
            texts(&f),
            [
                "npm ci",
                "npx prisma migrate reset --force",
                "echo done",
                "npx prisma migrate reset --force"
            ]
        );
        assert_eq!(f[0].ctx.names, ["test"]);
        assert!(f[1].ctx.has_services);
        assert_eq!(
            env_of(&f[1], "DATABASE_URL"),
            Some("postgres://postgres@postgres/app")
        );
        // Explicit keys win over merged ones; the alias maps to the anchored text.
        assert_eq!(f[3].ctx.names, ["prod"]);
        assert_eq!(env_of(&f[3], "DATABASE_URL"), Some("$PROD_DATABASE_URL"));
        assert_eq!(f[1].span, f[3].span);
        assert_maps(src, &f[3], "npx prisma migrate reset --force");
    }

    const EXTENDS: &str = r#"variables: { DATABASE_URL: postgresql://postgres:postgres@localhost:5432/app_test }
.reset-template: { script: [npx prisma migrate reset --force] }
reset-prod:
  extends: .reset-template
  environment: production
  variables: { DATABASE_URL: $PROD_DATABASE_URL }
"#;

    #[test]
    fn gitlab_extends_reports_templates_with_the_job_context() {
        let f = extract_gitlab(EXTENDS);
        assert_eq!(texts(&f), ["npx prisma migrate reset --force"]);
        assert_eq!(f[0].ctx.names, ["reset-prod"]);
        assert!(f[0].ctx.deploy.is_some());
        assert_eq!(
            f[0].ctx.env,
            [("DATABASE_URL".into(), "$PROD_DATABASE_URL".into())]
        );
        assert_maps(EXTENDS, &f[0], "npx prisma migrate reset --force");
        let found = lint(FileKind::GitlabCi, EXTENDS);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Error);

        // Chains and lists of templates: later templates and the job's own keys win, and
        // variables merge name by name. A template alone is never reported.
        let src = r#".base: { variables: { A: "1", B: "1" }, stage: test }
.db: { extends: .base, services: [postgres], variables: { B: "2" }, script: [npx prisma migrate reset --force] }
.other: { variables: { C: "3" }, stage: verify }
local-test:
  extends: [.db, .other]
  variables: { DATABASE_URL: postgres://postgres@postgres/app_test }
loop-a: { extends: loop-b, script: [echo a] }
loop-b: { extends: loop-a }
"#;
        let f = extract_gitlab(src);
        assert_eq!(
            texts(&f),
            ["npx prisma migrate reset --force", "echo a", "echo a"]
        );
        assert_eq!(f[0].ctx.names, ["local-test", "verify"]);
        assert!(f[0].ctx.has_services);
        for (name, value) in [("A", "1"), ("B", "2"), ("C", "3")] {
            assert_eq!(env_of(&f[0], name), Some(value));
        }
        let found = lint(FileKind::GitlabCi, src);
        assert!(found.iter().all(|f| f.0 == Severity::Info), "{found:?}");
    }

    #[test]
    fn gitlab_reference_tags() {
        let src = r#".setup:
  before_script:
    - npx prisma migrate reset --force
.vars:
  variables: { DATABASE_URL: $PROD_DATABASE_URL }
deploy:
  environment: production
  variables: !reference [.vars, variables]
  script:
    - !reference [.setup, before_script]
    - npm run deploy
self-ref:
  script: !reference [self-ref, script]
"#;
        let f = extract_gitlab(src);
        assert_eq!(
            texts(&f),
            ["npx prisma migrate reset --force", "npm run deploy"]
        );
        assert_eq!(f[0].ctx.names, ["deploy"]);
        assert_eq!(env_of(&f[0], "DATABASE_URL"), Some("$PROD_DATABASE_URL"));
        assert_maps(src, &f[0], "npx prisma migrate reset --force");
        // Outside GitLab a `!reference` tag is just a list.
        assert!(extract_github("jobs: { a: { steps: !reference [x, y] } }", "x.yml").is_empty());
    }

    #[test]
    fn gitlab_deploy_jobs_without_services_ignore_global_variables() {
        let src = r#"variables:
  DATABASE_URL: postgres://postgres:postgres@localhost:5432/app
deploy:
  environment: production
  script: [npx prisma migrate reset --force]
deploy-with-db:
  environment: production
  services: [postgres]
  script: [npx prisma migrate reset --force --skip-seed]
test:
  script: [npx prisma migrate reset --force --skip-generate]
"#;
        let f = extract_gitlab(src);
        assert_eq!(env_of(&f[0], "DATABASE_URL"), None);
        assert!(env_of(&f[1], "DATABASE_URL").is_some());
        assert!(env_of(&f[2], "DATABASE_URL").is_some());
        let found = lint(FileKind::GitlabCi, src);
        let severities: Vec<Severity> = found.iter().map(|f| f.0).collect();
        assert_eq!(
            severities,
            [Severity::Error, Severity::Info, Severity::Info],
            "{found:?}"
        );
        // `default: services:` gives every job its service containers.
        let with_default = format!("default: {{ services: [postgres] }}\n{src}");
        let f = extract_gitlab(&with_default);
        assert!(f[0].ctx.has_services);
        assert!(env_of(&f[0], "DATABASE_URL").is_some());
    }

    #[test]
    fn hostile_documents_stay_bounded() {
        // Billion laughs: 10^9 script lines if aliases were expanded without a bound.
        let mut src = String::from(
            "a: &a [\"npx prisma migrate reset --force\", x, x, x, x, x, x, x, x, x]\n",
        );
        for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            src.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{prev}"); 10].join(", ")
            ));
        }
        src.push_str("job: { script: [*i], variables: { <<: [*i, *i] } }\n");
        let f = extract_gitlab(&src);
        let text: usize = texts(&f).iter().map(String::len).sum();
        assert!(text <= src.len() * 16 + (1 << 20), "{text}");
        let steps = src.replace("job: { script: [*i]", "jobs: { a: { steps: [*i]");
        assert!(extract_github(&steps, "x.yml").is_empty());
        // Cycles through aliases, merge keys, extends and references.
        assert!(
            extract_gitlab("a: &x [*x]\nb: &m { <<: *m, script: *x }\nc: { extends: c }")
                .is_empty()
        );
        let cyclic = "j: &j { <<: *j, script: [*j, !reference [j, script]], extends: [j, j, j] }\n";
        assert!(extract_gitlab(cyclic).is_empty());
    }
}
