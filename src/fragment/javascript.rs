//! JS/TS: calls that run commands become fragments. String commands (`execSync("…")`, zx
//! `` $`…` ``) are shell text; argv forms (`spawn("x", ["a"])`, `execa("x", [...])`) are argv
//! fragments. The query lives in `queries/javascript/shell-calls.scm`.
//!
//! What the file says about names ([`Facts`]) is looked up only for calls that run commands:
//! `const NAME = "…"` bindings (a command or URL held in a constant), aliases of command
//! functions (`import { execSync as run }`) and `process.env.NAME = "…"` assignments, which
//! become the environment of later calls together with the call's own `{ env: { … } }`.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use tree_sitter::{Language, Node, Parser, Query, QueryCursor, StreamingIterator};

use super::escape::decode_escape;
use super::map::FragmentBuilder;
use super::{Body, Fragment, HostContext};
use crate::lang::{FileKind, JsDialect};
use crate::shell::words::{placeholder, Word};

const QUERY_SRC: &str = include_str!("../../queries/javascript/shell-calls.scm");

/// Calls whose first argument is a shell command string.
const STRING_COMMANDS: &[&str] = &["execSync", "execaCommand", "execaCommandSync"];
/// Calls whose first argument is a program and second an argv array (or whose first argument
/// is a whole argv array, as `Bun.spawn([...])`). A lone string is a shell command only with
/// a `shell` option: without one, `spawn("npx prisma …")` looks for a program of that name.
const ARGV_COMMANDS: &[&str] = &[
    "spawn",
    "spawnSync",
    "execFile",
    "execFileSync",
    "execa",
    "execaSync",
];
/// Tags of templates that run a command.
const TAGS: &[&str] = &["$", "execa", "execaSync", "execaCommand"];
/// Objects whose `.exec(…)` runs a shell command.
const EXEC_OBJECTS: &[&str] = &[
    "child_process",
    "childProcess",
    "cp",
    "shell",
    "shelljs",
    "proc",
];
/// Modules whose command functions are followed when imported under another name.
const COMMAND_MODULES: &[&str] = &[
    "child_process",
    "node:child_process",
    "shelljs",
    "execa",
    "zx",
    "zx/core",
    "bun",
];
/// Text that must appear for a file to have aliases of command functions or module objects.
const ALIAS_HINTS: &[&str] = &[
    "child_process",
    "shelljs",
    "execa",
    "promisify",
    "\"zx",
    "'zx",
    "\"bun\"",
    "'bun'",
];
/// How many names, spreads and bindings are followed from one value (`const A = B`,
/// `{ ...base }`): real code needs a few; the bound stops cycles (`const a = b, b = a`).
pub(crate) const MAX_RESOLVE_DEPTH: usize = 8;
/// How many occurrences of one name (or of `process.env`, `require(`…) are looked at.
const MAX_TEXT_HITS: usize = 4096;
/// How many distinct names are resolved per file (each costs a scan of the text).
const MAX_NAMES: usize = 256;
/// How many `+` of one `a + b + …` chain are followed; the rest is dynamic.
pub(crate) const MAX_CONCAT_PARTS: usize = 64;

struct Compiled {
    query: Query,
}

/// The grammar of a dialect (cheap: no query is compiled).
fn language(dialect: JsDialect) -> Language {
    match dialect {
        JsDialect::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        JsDialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        JsDialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
    }
}

/// The shell-calls query for a dialect, compiled once (a few ms for TypeScript).
fn compiled(dialect: JsDialect) -> &'static Compiled {
    static JS: OnceLock<Compiled> = OnceLock::new();
    static TS: OnceLock<Compiled> = OnceLock::new();
    static TSX: OnceLock<Compiled> = OnceLock::new();
    let cell = match dialect {
        JsDialect::JavaScript => &JS,
        JsDialect::TypeScript => &TS,
        JsDialect::Tsx => &TSX,
    };
    cell.get_or_init(|| Compiled {
        query: Query::new(&language(dialect), QUERY_SRC)
            .expect("shell-calls.scm compiles for every JS dialect"),
    })
}

thread_local! {
    static PARSERS: RefCell<Vec<(JsDialect, Parser)>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn parse(dialect: JsDialect, src: &str) -> Option<tree_sitter::Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        if !parsers.iter().any(|(d, _)| *d == dialect) {
            let mut p = Parser::new();
            p.set_language(&language(dialect)).ok()?;
            parsers.push((dialect, p));
        }
        let (_, p) = parsers.iter_mut().find(|(d, _)| *d == dialect)?;
        crate::budget::parse(p, src, "JavaScript/TypeScript")
    })
}

pub fn extract(src: &str, dialect: JsDialect) -> Vec<Fragment> {
    extract_with_guards(src, dialect, &[])
}

/// [`extract`], knowing the configured guard functions (`[guards] functions`): a call to one
/// before a command is a host guard.
pub fn extract_with_guards(src: &str, dialect: JsDialect, guards: &[String]) -> Vec<Fragment> {
    let Some(tree) = parse(dialect, src) else {
        return Vec::new();
    };
    let guard_cell = OnceCell::new();
    let guard_cx = || guard_cell.get_or_init(|| GuardCx::new(tree.root_node(), src, guards));
    let c = compiled(dialect);
    // `exec` is ambiguous (RegExp, sqlite): only a module import makes it a shell call.
    let exec_is_shell = ["child_process\"", "child_process'", "shelljs\"", "shelljs'"]
        .iter()
        .any(|m| src.contains(m));
    let root = tree.root_node();
    // Aliases and module objects can only exist where a command module or promisify is named.
    let may_alias = ALIAS_HINTS.iter().any(|h| src.contains(h));
    // Built on first need: most files that pass the prefilter run no command at all.
    let facts_cell = OnceCell::new();
    let facts = || facts_cell.get_or_init(|| Facts::new(root, src, may_alias));
    let base = Arc::new(HostContext::new(FileKind::Js(dialect)));
    let idx = |name: &str| c.query.capture_index_for_name(name);
    let (i_function, i_args, i_call) = (idx("function"), idx("args"), idx("call"));
    let mut out = Vec::new();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&c.query, tree.root_node(), src.as_bytes());
    while let Some(m) = matches.next() {
        let node = |i: Option<u32>| {
            m.captures
                .iter()
                .find(|cap| Some(cap.index) == i)
                .map(|cap| cap.node)
        };
        let (Some(call), Some(function), Some(args)) =
            (node(i_call), node(i_function), node(i_args))
        else {
            continue;
        };
        let text = |n: Node| &src[n.byte_range()];
        if args.kind() == "template_string" {
            // `$`…``, execa`…`, `$({ cwd })`…``, Bun.$`…`
            if is_tag(function, src, || may_alias.then(facts)) {
                let (body, map) = string_text(args, src);
                out.push(Fragment {
                    body: Body::Shell { text: body, map },
                    span: args.byte_range(),
                    ctx: facts().context(&base, call, None, false),
                    refused_in_test: refused_in_test(call, src),
                    host_guard: guard_before(call, src, guard_cx()),
                });
            }
            continue;
        }
        // Only a bare name can be an alias (`run(…)`); `obj.run(…)` is something else.
        let (name, object, alias) = match function.kind() {
            "identifier" => {
                let alias = may_alias.then(|| facts().alias(text(function))).flatten();
                (alias.unwrap_or(text(function)), None, alias.is_some())
            }
            "member_expression" => match function.child_by_field_name("property") {
                Some(p) => (text(p), function.child_by_field_name("object"), false),
                None => continue,
            },
            _ => continue,
        };
        let string_form = STRING_COMMANDS.contains(&name)
            || (name == "exec"
                && (alias || (exec_is_shell && exec_object_ok(object, &facts().modules, src))));
        let argv_form = ARGV_COMMANDS.contains(&name);
        if !string_form && !argv_form {
            continue;
        }
        let facts = facts();
        let mut ac = args.walk();
        let list: Vec<Node> = args
            .named_children(&mut ac)
            .filter(|n| n.kind() != "comment")
            .collect();
        let Some(&first) = list.first() else { continue };
        // The options object: second argument of string forms, third of argv forms.
        let options = list
            .get(1..list.len().min(3))
            .and_then(|rest| rest.iter().find_map(|n| facts.object(*n)));
        // execa adds `env` to the parent's environment; child_process and Bun replace it.
        let replaces_env = !name.starts_with("execa");
        let ctx = facts.context(&base, call, options, replaces_env);
        let refused = refused_in_test(call, src);
        // The call's own `env: { DATABASE_URL: … }` is a value the guard never saw, unless it
        // passes the checked value on.
        let host_guard = guard_before(call, src, guard_cx())
            .filter(|g| !options.is_some_and(|o| sets_new_value(o, src, g)));
        let second = list.get(1).copied();
        if let (true, Some(array)) = (argv_form, facts.array(first)) {
            // Bun.spawn(["prisma", "migrate", "reset"])
            out.push(Fragment {
                body: Body::Argv(facts.array_words(array)),
                span: first.byte_range(),
                ctx,
                refused_in_test: refused,
                host_guard: host_guard.clone(),
            });
        } else if let (true, Some((arg, array))) =
            (argv_form, second.and_then(|s| Some((s, facts.array(s)?))))
        {
            let mut words = vec![facts.js_word(first)];
            words.extend(facts.array_words(array));
            out.push(Fragment {
                body: Body::Argv(words),
                span: first.start_byte()..arg.end_byte(),
                ctx,
                refused_in_test: refused,
                host_guard: host_guard.clone(),
            });
        } else if string_form || (argv_form && has_shell_option(options, facts)) {
            let mut b = FragmentBuilder::new();
            if !facts.push_value(first, &mut b, 0).literal {
                continue; // `execSync(cmd)` with `cmd` unknown: nothing to check
            }
            let (body, map) = b.finish();
            let first = unwrap_expr(first);
            let span = if matches!(first.kind(), "string" | "template_string") || body.is_empty() {
                first.byte_range()
            } else {
                map.range_to_host(0..body.len())
            };
            out.push(Fragment {
                body: Body::Shell { text: body, map },
                span,
                ctx,
                refused_in_test: refused,
                host_guard: host_guard.clone(),
            });
        }
    }
    out
}

/// Whether a template's tag runs a command: `$`, `execa`, `$({ cwd })`, `Bun.$`, aliases.
/// `facts` (None when the file can have no aliases) is asked only about names that may be
/// aliases or module objects, so `styled.div`…`` costs nothing.
fn is_tag<'a: 'f, 'f>(
    function: Node<'a>,
    src: &'a str,
    facts: impl FnOnce() -> Option<&'f Facts<'a>>,
) -> bool {
    let tag = match function.kind() {
        "call_expression" => match function.child_by_field_name("function") {
            Some(f) => f,
            None => return false,
        },
        _ => function,
    };
    let text = |n: Node| &src[n.byte_range()];
    match tag.kind() {
        "identifier" => {
            let name = text(tag);
            TAGS.contains(&name)
                || facts().is_some_and(|f| f.alias(name).is_some_and(|a| TAGS.contains(&a)))
        }
        // `Bun.$`…``, `zx.$`…`` with `import * as zx from "zx"`
        "member_expression" => {
            let (Some(object), Some(property)) = (
                tag.child_by_field_name("object"),
                tag.child_by_field_name("property"),
            ) else {
                return false;
            };
            let object = text(object);
            text(property) == "$"
                && (object == "Bun" || facts().is_some_and(|f| f.modules.contains(&object)))
        }
        _ => false,
    }
}

/// `{ shell: true }` (any value but a literal `false`): the command string goes to a shell.
fn has_shell_option<'a>(options: Option<Node<'a>>, facts: &Facts<'a>) -> bool {
    options
        .and_then(|o| facts.property(o, "shell"))
        .is_some_and(|v| v.kind() != "false")
}

/// `exec` is child_process's only when called bare or on a known module object.
fn exec_object_ok(object: Option<Node>, modules: &[&str], src: &str) -> bool {
    match object {
        None => true,
        Some(o) if o.kind() == "identifier" => {
            let name = &src[o.byte_range()];
            EXEC_OBJECTS.contains(&name) || modules.contains(&name)
        }
        Some(o) if o.kind() == "call_expression" => src[o.byte_range()].starts_with("require("),
        _ => false,
    }
}

/// The expression inside `(x)`, `x as T`, `x satisfies T` and `x!`.
pub(crate) fn unwrap_expr(node: Node) -> Node {
    unwrap_kinds(
        node,
        &[
            "parenthesized_expression",
            "as_expression",
            "satisfies_expression",
            "non_null_expression",
        ],
    )
}

/// The first named child of `node` while `node` is one of `kinds` (a few levels at most).
pub(crate) fn unwrap_kinds<'t>(mut node: Node<'t>, kinds: &[&str]) -> Node<'t> {
    for _ in 0..MAX_RESOLVE_DEPTH {
        if !kinds.contains(&node.kind()) {
            break;
        }
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// The raw text between the quotes of a string literal (escapes left as written).
fn string_content<'s>(node: Node, src: &'s str) -> Option<&'s str> {
    let inner = super::quoted_inner(node, src).filter(|_| node.kind() == "string")?;
    Some(&src[inner])
}

/// `require("child_process")`, `await import("node:child_process")`.
fn is_command_module(node: Node, src: &str) -> bool {
    let mut node = unwrap_expr(node);
    if node.kind() == "await_expression" {
        match node.named_child(0) {
            Some(inner) => node = unwrap_expr(inner),
            None => return false,
        }
    }
    if node.kind() != "call_expression" {
        return false;
    }
    let callee = node.child_by_field_name("function");
    let is_loader = callee.is_some_and(|f| {
        f.kind() == "import" || (f.kind() == "identifier" && &src[f.byte_range()] == "require")
    });
    is_loader
        && node
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .and_then(|s| string_content(s, src))
            .is_some_and(|m| COMMAND_MODULES.contains(&m))
}

/// The static name of a command function, for aliases: `execSync` → `"execSync"`.
fn known_name(name: &str) -> Option<&'static str> {
    STRING_COMMANDS
        .iter()
        .chain(ARGV_COMMANDS)
        .chain(TAGS)
        .chain(&["exec"])
        .find(|k| **k == name)
        .copied()
}

/// What a value is made of, once pushed as text.
#[derive(Debug, Clone, Copy, Default)]
struct Parts {
    /// Some of it is literal text.
    literal: bool,
    /// Some of it is only known at run time (a placeholder in the text).
    dynamic: bool,
}

/// One binding of a name.
#[derive(Clone, Copy)]
struct Binding<'a> {
    /// Where it takes effect: the end of the declaration or assignment.
    at: usize,
    /// The block (declarations) or function (assignments) it is visible in.
    scope: Node<'a>,
    value: Node<'a>,
}

/// What the file says about names. Nothing walks the whole tree: names are found as text and
/// checked with a node lookup at that offset (`descendant_for_byte_range`), so a file pays only
/// for the names its command calls use.
pub(crate) struct Facts<'a> {
    src: &'a str,
    root: Node<'a>,
    /// Local names of command functions: `import { execSync as run }`,
    /// `const { spawnSync: sp } = require(…)`, `const run = promisify(exec)`.
    aliases: Vec<(&'a str, &'static str)>,
    /// Names bound to a command module: `import * as cp from "child_process"`,
    /// `const proc = require("node:child_process")`.
    modules: Vec<&'a str>,
    /// `const/let/var NAME = value` and `NAME = value` / `NAME += value`, by name, found on
    /// first use.
    bindings: RefCell<HashMap<&'a str, Vec<Binding<'a>>>>,
    /// `process.env.NAME = value` / `process.env["NAME"] = value`: (start byte, name, value),
    /// found on first use.
    env_sets: OnceCell<Vec<(usize, String, Node<'a>)>>,
}

impl<'a> Facts<'a> {
    /// Notes aliases and module objects: top-level imports, and the declarations around each
    /// `require(`, `import(` and `promisify(` (only when `may_alias`: the file names a command
    /// module or promisify).
    pub(crate) fn new(root: Node<'a>, src: &'a str, may_alias: bool) -> Facts<'a> {
        let mut f = Facts {
            src,
            root,
            aliases: Vec::new(),
            modules: Vec::new(),
            bindings: RefCell::new(HashMap::new()),
            env_sets: OnceCell::new(),
        };
        if !may_alias {
            return f;
        }
        let mut c = root.walk();
        for node in root.named_children(&mut c) {
            if node.kind() == "import_statement" {
                f.import(node);
            }
        }
        for needle in ["require(", "import(", "promisify("] {
            let name_len = needle.len() - 1;
            for (i, _) in src.match_indices(needle).take(MAX_TEXT_HITS) {
                let Some(mut node) = root.descendant_for_byte_range(i, i + name_len) else {
                    continue;
                };
                // `const x = await import(…)`: the declarator is a few levels up.
                for _ in 0..4 {
                    match node.parent() {
                        Some(p) => node = p,
                        None => break,
                    }
                    if node.kind() == "variable_declarator" {
                        f.declarator(node);
                        break;
                    }
                }
            }
        }
        f
    }

    fn text(&self, node: Node) -> &'a str {
        &self.src[node.byte_range()]
    }

    /// `const cp = require("child_process")`, `const { execSync: run } = require(…)`,
    /// `const run = promisify(exec)`.
    fn declarator(&mut self, node: Node<'a>) {
        let (Some(name), Some(value)) = (
            node.child_by_field_name("name"),
            node.child_by_field_name("value"),
        ) else {
            return;
        };
        let value = unwrap_expr(value);
        match name.kind() {
            "identifier" => {
                let name = self.text(name);
                if is_command_module(value, self.src) {
                    self.modules.push(name);
                } else if let Some(canonical) = self.promisified(value) {
                    self.aliases.push((name, canonical));
                }
            }
            "object_pattern" if is_command_module(value, self.src) => {
                let mut c = name.walk();
                for pair in name.named_children(&mut c) {
                    let (Some(key), Some(local)) = (
                        pair.child_by_field_name("key"),
                        pair.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    if let (Some(canonical), "identifier") =
                        (known_name(self.text(key)), local.kind())
                    {
                        self.aliases.push((self.text(local), canonical));
                    }
                }
            }
            _ => {}
        }
    }

    /// `promisify(exec)`, `util.promisify(cp.execFile)`: the function it wraps.
    fn promisified(&self, value: Node<'a>) -> Option<&'static str> {
        if value.kind() != "call_expression" {
            return None;
        }
        let callee = value.child_by_field_name("function")?;
        let callee = match callee.kind() {
            "member_expression" => callee.child_by_field_name("property")?,
            _ => callee,
        };
        if self.text(callee) != "promisify" {
            return None;
        }
        let arg = value.child_by_field_name("arguments")?.named_child(0)?;
        let wrapped = match arg.kind() {
            "identifier" => self.alias(self.text(arg)).unwrap_or(self.text(arg)),
            "member_expression" => self.text(arg.child_by_field_name("property")?),
            _ => return None,
        };
        ["exec", "execFile"].into_iter().find(|k| *k == wrapped)
    }

    /// `import { execSync as run } from "child_process"`, `import * as cp from "…"`.
    fn import(&mut self, node: Node<'a>) {
        let module = node
            .child_by_field_name("source")
            .and_then(|s| string_content(s, self.src));
        if !module.is_some_and(|m| COMMAND_MODULES.contains(&m)) {
            return;
        }
        let mut c = node.walk();
        let Some(clause) = node
            .named_children(&mut c)
            .find(|n| n.kind() == "import_clause")
        else {
            return;
        };
        let mut c = clause.walk();
        for part in clause.named_children(&mut c) {
            match part.kind() {
                // `import cp from "child_process"`
                "identifier" => self.modules.push(self.text(part)),
                // `import * as cp from "child_process"`
                "namespace_import" => {
                    if let Some(id) = part.named_child(0) {
                        self.modules.push(self.text(id));
                    }
                }
                "named_imports" => {
                    let mut c = part.walk();
                    for spec in part.named_children(&mut c) {
                        let (Some(name), Some(local)) = (
                            spec.child_by_field_name("name"),
                            spec.child_by_field_name("alias"),
                        ) else {
                            continue;
                        };
                        if let Some(canonical) = known_name(self.text(name)) {
                            self.aliases.push((self.text(local), canonical));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Every binding of `name`: declarations (`const NAME = v`) and assignments (`NAME = v`,
    /// `NAME += v`, kept whole: its value is the previous binding plus `v`).
    fn find_bindings(&self, name: &str) -> Vec<Binding<'a>> {
        let mut out = Vec::new();
        for (i, _) in self.src.match_indices(name).take(MAX_TEXT_HITS) {
            let Some(node) = self.root.descendant_for_byte_range(i, i + name.len()) else {
                continue;
            };
            if node.kind() != "identifier" || node.byte_range() != (i..i + name.len()) {
                continue;
            }
            let Some(parent) = node.parent() else {
                continue;
            };
            let binding = match parent.kind() {
                "variable_declarator" if parent.child_by_field_name("name") == Some(node) => parent
                    .child_by_field_name("value")
                    .map(|v| (unwrap_expr(v), BLOCK_SCOPES)),
                "assignment_expression" if parent.child_by_field_name("left") == Some(node) => {
                    parent
                        .child_by_field_name("right")
                        .map(|v| (unwrap_expr(v), FUNCTION_SCOPES))
                }
                "augmented_assignment_expression"
                    if parent.child_by_field_name("left") == Some(node) =>
                {
                    Some((parent, FUNCTION_SCOPES))
                }
                _ => None,
            };
            if let Some((value, scopes)) = binding {
                out.push(Binding {
                    at: parent.end_byte(),
                    scope: enclosing(parent, scopes).unwrap_or(self.root),
                    value,
                });
            }
        }
        out
    }

    /// `process.env.NAME = value` and `process.env["NAME"] = value` anywhere in the file.
    fn env_sets(&self) -> &[(usize, String, Node<'a>)] {
        self.env_sets.get_or_init(|| {
            let mut out = Vec::new();
            const PROCESS_ENV: &str = "process.env";
            for (i, _) in self.src.match_indices(PROCESS_ENV).take(MAX_TEXT_HITS) {
                let node = self
                    .root
                    .descendant_for_byte_range(i, i + PROCESS_ENV.len());
                let Some(left) = node
                    .filter(|n| n.byte_range() == (i..i + PROCESS_ENV.len()))
                    .and_then(|n| n.parent())
                else {
                    continue;
                };
                let name = match left.kind() {
                    "member_expression" => left
                        .child_by_field_name("property")
                        .map(|p| self.text(p).to_string()),
                    "subscript_expression" => left
                        .child_by_field_name("index")
                        .and_then(|i| string_content(i, self.src))
                        .map(str::to_string),
                    _ => None,
                };
                let Some(assign) = left.parent() else {
                    continue;
                };
                if let (Some(name), "assignment_expression", Some(right)) =
                    (name, assign.kind(), assign.child_by_field_name("right"))
                {
                    if assign.child_by_field_name("left") == Some(left) {
                        out.push((assign.start_byte(), name, right));
                    }
                }
            }
            out
        })
    }

    /// The command function a bare name stands for, when it is an alias.
    fn alias(&self, name: &str) -> Option<&'static str> {
        self.aliases
            .iter()
            .rev()
            .find(|(a, _)| *a == name)
            .map(|(_, c)| *c)
    }

    /// The value bound to the identifier `ident` where it is used: the last binding before
    /// the use, or the first one (a module constant declared below the function using it).
    pub(crate) fn lookup(&self, ident: Node<'a>) -> Option<Node<'a>> {
        let name = self.text(ident);
        let at = ident.start_byte();
        // Among the bindings whose scope holds the use: the last before it, or the first (a
        // constant declared below the function that uses it).
        let pick = |list: &[Binding<'a>]| {
            let visible = |b: &&Binding<'a>| b.scope.byte_range().contains(&at);
            list.iter()
                .filter(visible)
                .rfind(|b| b.at <= at)
                .or_else(|| list.iter().find(visible))
                .map(|b| b.value)
        };
        if let Some(list) = self.bindings.borrow().get(name) {
            return pick(list);
        }
        if self.bindings.borrow().len() >= MAX_NAMES {
            return None;
        }
        let list = self.find_bindings(name);
        let found = pick(&list);
        self.bindings.borrow_mut().insert(name, list);
        found
    }

    /// Follows names to the value they hold (bounded).
    fn resolve(&self, node: Node<'a>) -> Node<'a> {
        let mut node = unwrap_expr(node);
        for _ in 0..MAX_RESOLVE_DEPTH {
            match node.kind() {
                "identifier" | "shorthand_property_identifier" => match self.lookup(node) {
                    Some(v) => node = unwrap_expr(v),
                    None => break,
                },
                _ => break,
            }
        }
        node
    }

    /// An object literal, written in place or held in a name.
    pub(crate) fn object(&self, node: Node<'a>) -> Option<Node<'a>> {
        Some(self.resolve(node)).filter(|n| n.kind() == "object")
    }

    /// An array literal, written in place or held in a name.
    fn array(&self, node: Node<'a>) -> Option<Node<'a>> {
        Some(self.resolve(node)).filter(|n| n.kind() == "array")
    }

    /// The value of property `key` of an object literal (`{ key: v }`, or the name itself for
    /// the shorthand `{ key }`).
    pub(crate) fn property(&self, object: Node<'a>, key: &str) -> Option<Node<'a>> {
        let mut c = object.walk();
        let found = object.named_children(&mut c).find_map(|p| match p.kind() {
            "pair" => p
                .child_by_field_name("key")
                .filter(|k| self.key(*k) == Some(key))
                .and_then(|_| p.child_by_field_name("value")),
            "shorthand_property_identifier" if self.text(p) == key => Some(p),
            _ => None,
        });
        found
    }

    /// The name of an object key: `NAME`, `"NAME"` (computed keys have none).
    fn key(&self, key: Node<'a>) -> Option<&'a str> {
        match key.kind() {
            "property_identifier" => Some(self.text(key)),
            "string" => string_content(key, self.src),
            _ => None,
        }
    }

    /// Appends the string value of `node` to `b`: literals as written, names through their
    /// binding, `a + b` part by part, anything else as a dynamic placeholder standing at the
    /// expression.
    fn push_value(&self, node: Node<'a>, b: &mut FragmentBuilder, depth: usize) -> Parts {
        let node = unwrap_expr(node);
        match node.kind() {
            "string" | "template_string" => {
                let dynamic = push_string(node, self.src, b);
                return Parts {
                    literal: true,
                    dynamic,
                };
            }
            "identifier" | "shorthand_property_identifier" if depth < MAX_RESOLVE_DEPTH => {
                if let Some(value) = self.lookup(node) {
                    // Built apart: a name bound to something unknown is one placeholder.
                    let mut inner = FragmentBuilder::new();
                    let parts = self.push_value(value, &mut inner, depth + 1);
                    if parts.literal {
                        let (text, map) = inner.finish();
                        if depth == 0 {
                            // The whole value is the name: its text stands where it is written.
                            b.push_from(&text, &map, 0..text.len());
                        } else {
                            // A part (`"… --schema " + SCHEMA`): it stands at the name, so
                            // that the command's span stays at the call.
                            push_standing_for(b, &text, node.byte_range());
                        }
                        return parts;
                    }
                }
            }
            "binary_expression" if depth < MAX_RESOLVE_DEPTH && is_plus(node, self.src) => {
                return self.push_concat(node, b, depth);
            }
            // `cmd += " --force"`, as a binding: the previous value, then the addition.
            "augmented_assignment_expression" if depth < MAX_RESOLVE_DEPTH => {
                let op = node.child_by_field_name("operator").map(|o| self.text(o));
                if let (Some("+="), Some(left), Some(right)) = (
                    op,
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) {
                    let l = self.push_value(left, b, depth + 1);
                    let r = self.push_value(right, b, depth + 1);
                    return Parts {
                        literal: l.literal || r.literal,
                        dynamic: l.dynamic || r.dynamic,
                    };
                }
            }
            _ => {}
        }
        // Short placeholders: the map, not the length, ties it to the expression.
        let r = node.byte_range();
        push_standing_for(b, &placeholder(r.len().min(16)), r);
        Parts {
            literal: false,
            dynamic: true,
        }
    }

    /// `"npx prisma " + "migrate reset"`: the operands in order (a flat walk, not recursion,
    /// as long chains are left-nested). Past [`MAX_CONCAT_PARTS`] operators the rest of the
    /// chain is one dynamic part.
    fn push_concat(&self, node: Node<'a>, b: &mut FragmentBuilder, depth: usize) -> Parts {
        let mut parts = Parts::default();
        let mut stack = vec![node];
        let mut budget = MAX_CONCAT_PARTS;
        while let Some(n) = stack.pop() {
            let n = unwrap_expr(n);
            if n.kind() == "binary_expression" && is_plus(n, self.src) {
                let (left, right) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                );
                if let (Some(l), Some(r), true) = (left, right, budget > 0) {
                    budget -= 1;
                    stack.push(r);
                    stack.push(l);
                    continue;
                }
                let r = n.byte_range();
                push_standing_for(b, &placeholder(r.len().min(16)), r);
                parts.dynamic = true;
                continue;
            }
            let p = self.push_value(n, b, depth + 1);
            parts.literal |= p.literal;
            parts.dynamic |= p.dynamic;
        }
        parts
    }

    /// One argv element: a literal string (or a name bound to one) is its value; anything
    /// else is a dynamic word.
    fn js_word(&self, node: Node<'a>) -> Word {
        let mut b = FragmentBuilder::new();
        let parts = self.push_value(node, &mut b, 0);
        let span = node.byte_range();
        if parts.literal && !parts.dynamic {
            let (text, map) = b.finish();
            let written = unwrap_expr(node);
            let span = if matches!(written.kind(), "string" | "template_string") || text.is_empty()
            {
                span
            } else {
                map.range_to_host(0..text.len())
            };
            Word {
                text,
                dynamic: false,
                map,
                span,
            }
        } else {
            let mut w = Word::verbatim(&self.src[span.clone()], span.start);
            w.text = format!("${{{}}}", w.text);
            w.map = super::map::OffsetMap::linear(span.start, w.text.len());
            w.dynamic = true;
            w
        }
    }

    fn array_words(&self, array: Node<'a>) -> Vec<Word> {
        let mut c = array.walk();
        array
            .named_children(&mut c)
            .filter(|n| n.kind() != "comment")
            .map(|n| self.js_word(n))
            .collect()
    }

    /// The environment of a call: `process.env.NAME = …` earlier in the file, then the call's
    /// own `{ env: { … } }`. An `env` object without `...process.env` replaces the inherited
    /// environment when `replaces` (child_process, Bun; execa extends it).
    fn context(
        &self,
        base: &Arc<HostContext>,
        call: Node<'a>,
        options: Option<Node<'a>>,
        replaces: bool,
    ) -> Arc<HostContext> {
        let mut own = Vec::new();
        let mut inherits = true;
        if let Some(env) = options
            .and_then(|o| self.property(o, "env"))
            .and_then(|e| self.object(e))
        {
            let spreads_process_env = self.env_entries(env, &mut own, 0);
            inherits = spreads_process_env || !replaces;
        }
        let mut env: Vec<(String, String)> = Vec::new();
        if inherits {
            env.extend(
                self.env_sets()
                    .iter()
                    .filter(|(at, _, _)| *at < call.start_byte())
                    .map(|(_, name, value)| (name.clone(), self.env_value(*value))),
            );
        }
        env.extend(own);
        if env.is_empty() {
            return base.clone();
        }
        Arc::new(HostContext {
            env,
            ..(**base).clone()
        })
    }

    /// The entries of an `env` object literal, in order (later ones win). Returns true when
    /// it spreads `process.env`. Spreads of objects held in names are followed (bounded).
    fn env_entries(&self, object: Node<'a>, out: &mut Vec<(String, String)>, depth: usize) -> bool {
        let mut spreads_process_env = false;
        let mut c = object.walk();
        for p in object.named_children(&mut c) {
            match p.kind() {
                "pair" => {
                    let key = p.child_by_field_name("key").and_then(|k| self.key(k));
                    if let (Some(key), Some(value)) = (key, p.child_by_field_name("value")) {
                        out.push((key.to_string(), self.env_value(value)));
                    }
                }
                "shorthand_property_identifier" => {
                    out.push((self.text(p).to_string(), self.env_value(p)));
                }
                "spread_element" => {
                    let Some(arg) = p.named_child(0) else {
                        continue;
                    };
                    if self.text(arg) == "process.env" {
                        spreads_process_env = true;
                    } else if let (Some(inner), true) =
                        (self.object(arg), depth < MAX_RESOLVE_DEPTH)
                    {
                        spreads_process_env |= self.env_entries(inner, out, depth + 1);
                    }
                }
                _ => {}
            }
        }
        spreads_process_env
    }

    /// An environment value as text: literal strings (and names bound to them) as they are,
    /// anything else dynamic (`${NAME}`, `${…}`), so that it classifies as unknown.
    fn env_value(&self, node: Node<'a>) -> String {
        let mut b = FragmentBuilder::new();
        let parts = self.push_value(node, &mut b, 0);
        if parts.literal {
            return b.finish().0;
        }
        let node = unwrap_expr(node);
        let name = match node.kind() {
            "identifier" | "shorthand_property_identifier" => Some(self.text(node)),
            // `process.env.OTHER_URL`
            "member_expression" => node.child_by_field_name("property").map(|p| self.text(p)),
            _ => None,
        };
        format!("${{{}}}", name.unwrap_or("…"))
    }
}

/// Nodes whose `const`/`let` declarations are not seen outside them.
const BLOCK_SCOPES: &[&str] = &[
    "statement_block",
    "for_statement",
    "for_in_statement",
    "switch_body",
    "class_body",
];
/// Nodes whose assignments are taken to matter only inside them.
const FUNCTION_SCOPES: &[&str] = &[
    "function_declaration",
    "function_expression",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
];

/// The nearest ancestor of one of `kinds` (a function is a scope too), climbing a bounded number
/// of levels; None means the whole file.
fn enclosing<'a>(node: Node<'a>, kinds: &[&str]) -> Option<Node<'a>> {
    let mut node = node;
    for _ in 0..64 {
        node = node.parent()?;
        if kinds.contains(&node.kind()) || FUNCTION_SCOPES.contains(&node.kind()) {
            return Some(node);
        }
    }
    None
}

/// Appends `text` standing for the host expression at `range`: every byte maps to its start
/// but the last, which maps to its end, so that a span over the text covers the expression.
pub(crate) fn push_standing_for(
    b: &mut FragmentBuilder,
    text: &str,
    range: std::ops::Range<usize>,
) {
    let Some((last, _)) = text.char_indices().last() else {
        return;
    };
    b.push_decoded(&text[..last], range.start);
    b.push_decoded(&text[last..], range.end.saturating_sub(1).max(range.start));
}

/// `a + b`.
pub(crate) fn is_plus(node: Node, src: &str) -> bool {
    node.child_by_field_name("operator")
        .is_some_and(|o| &src[o.byte_range()] == "+")
}

/// The text of a string or template literal, with escapes decoded and `${…}` substitutions
/// replaced by a shell expansion of the same length (a dynamic word).
pub fn string_text(node: Node, src: &str) -> (String, super::map::OffsetMap) {
    let mut b = FragmentBuilder::new();
    push_string(node, src, &mut b);
    b.finish()
}

/// Appends a string or template literal's value to `b` (see [`string_text`]). Returns true
/// when it has a `${…}` substitution.
fn push_string(node: Node, src: &str, b: &mut FragmentBuilder) -> bool {
    let Some(inner) = super::quoted_inner(node, src) else {
        return false;
    };
    let (start, end) = (inner.start, inner.end);
    let mut pos = start;
    let mut dynamic = false;
    let mut c = node.walk();
    for child in node.named_children(&mut c) {
        let cr = child.byte_range();
        if cr.start < pos || cr.end > end {
            continue;
        }
        b.push_verbatim(&src[pos..cr.start], pos);
        match child.kind() {
            "escape_sequence" => b.push_decoded(&decode_escape(&src[cr.clone()]), cr.start),
            "template_substitution" => {
                dynamic = true;
                b.push_decoded(&placeholder(cr.len()), cr.start);
            }
            _ => b.push_verbatim(&src[cr.clone()], cr.start),
        }
        pos = cr.end;
    }
    b.push_verbatim(&src[pos..end], pos);
    dynamic
}

/// `expect(() => execSync("…")).toThrow()`, `await expect(p).rejects…`, `assert.throws(…)`.
/// A negated chain (`.not.toThrow()`, `.resolves.not.toThrow()`) asserts that it runs.
/// What makes a statement a host guard in this file: the configured guard functions
/// (`[guards] functions`) and the file's own functions whose body refuses a non-local host.
pub(crate) struct GuardCx<'a> {
    configured: &'a [String],
    /// The file names a local host or a configured guard: without either, nothing is a guard.
    possible: bool,
    root: Node<'a>,
    src: &'a str,
    /// Built on first need: most guards are `if` statements.
    helpers: OnceCell<Vec<String>>,
    /// Calls by callee text, in document order, built on first need (for the first call of a
    /// function declaration).
    calls: OnceCell<HashMap<&'a str, Vec<Node<'a>>>>,
}

use crate::shell::guard::LOCAL_HOSTS as LOCAL_LITERALS;

/// A body that refuses: it throws or exits.
fn refuses(text: &str) -> bool {
    text.contains("throw") || text.contains("process.exit")
}

impl<'a> GuardCx<'a> {
    pub(crate) fn new(root: Node<'a>, src: &'a str, configured: &'a [String]) -> GuardCx<'a> {
        let possible = LOCAL_LITERALS.iter().any(|l| src.contains(l))
            || configured
                .iter()
                .any(|g| src.contains(g.rsplit('.').next().unwrap_or(g)));
        GuardCx {
            configured,
            possible,
            root,
            src,
            helpers: OnceCell::new(),
            calls: OnceCell::new(),
        }
    }

    /// The first call of the function `name` declared by `decl`, outside its own body
    /// (`main()`, `main().catch(…)`, `await main()`).
    fn first_call_of(&self, decl: Node, name: &str) -> Option<Node<'a>> {
        let calls = self.calls.get_or_init(|| {
            let mut by_name: HashMap<&'a str, Vec<Node<'a>>> = HashMap::new();
            let mut stack = vec![self.root];
            while let Some(n) = stack.pop() {
                if n.kind() == "call_expression" {
                    if let Some(f) = n.child_by_field_name("function") {
                        by_name
                            .entry(&self.src[f.byte_range()])
                            .or_default()
                            .push(n);
                    }
                }
                if stack.len() < 100_000 {
                    let mut c = n.walk();
                    stack.extend(n.named_children(&mut c));
                }
            }
            for list in by_name.values_mut() {
                list.sort_by_key(|n| n.start_byte());
            }
            by_name
        });
        calls
            .get(name)?
            .iter()
            .copied()
            .find(|n| !(decl.start_byte() <= n.start_byte() && n.end_byte() <= decl.end_byte()))
    }

    fn helpers(&self) -> &[String] {
        self.helpers
            .get_or_init(|| guard_helpers(self.root, self.src))
    }
}

/// The file's functions whose body refuses a non-local host.
fn guard_helpers(root: Node, src: &str) -> Vec<String> {
    let mut helpers = Vec::new();
    if LOCAL_LITERALS.iter().any(|l| src.contains(l)) {
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            let (name, body) = match n.kind() {
                "function_declaration" => {
                    (n.child_by_field_name("name"), n.child_by_field_name("body"))
                }
                "variable_declarator" => {
                    let value = n.child_by_field_name("value");
                    let is_fn = value.is_some_and(|v| {
                        matches!(
                            v.kind(),
                            "arrow_function" | "function_expression" | "function"
                        )
                    });
                    (
                        n.child_by_field_name("name").filter(|_| is_fn),
                        value.and_then(|v| v.child_by_field_name("body")),
                    )
                }
                _ => (None, None),
            };
            if let (Some(name), Some(body)) = (name, body) {
                let b = &src[body.byte_range()];
                if refuses(b) && LOCAL_LITERALS.iter().any(|l| b.contains(l)) {
                    helpers.push(src[name.byte_range()].to_string());
                }
            }
            if stack.len() < 100_000 {
                let mut c = n.walk();
                stack.extend(n.named_children(&mut c));
            }
        }
    }
    helpers
}

/// A host guard before `call` in the statements that enclose it: an `if` that tests a database
/// variable (or a constant read from one) against a local host and throws or exits
/// (`if (!url.includes('localhost')) throw new Error('Refusing…')`), an `assert(…)` of a local
/// host, a call to a configured guard function, or a call to a function of the file that
/// refuses a non-local host. A new value for the variable between the guard and the call (a
/// `process.env.DATABASE_URL = …` assignment) undoes it.
pub(crate) fn guard_before(
    call: Node,
    src: &str,
    cx: &GuardCx,
) -> Option<crate::shell::guard::Guard> {
    guard_before_at(call, src, cx, 0)
}

fn guard_before_at(
    call: Node,
    src: &str,
    cx: &GuardCx,
    hops: usize,
) -> Option<crate::shell::guard::Guard> {
    use crate::shell::guard::Guard;
    if !cx.possible {
        return None;
    }
    let mut node = call;
    let mut depth = 0;
    while let Some(parent) = node.parent() {
        depth += 1;
        if depth > 64 {
            return None;
        }
        // A function declaration runs where it is called, not where it is written: the guard
        // must come before its first call (`assertLocalDatabase(); main();`).
        if matches!(
            parent.kind(),
            "function_declaration" | "generator_function_declaration"
        ) {
            let name = parent.child_by_field_name("name")?;
            return cx
                .first_call_of(parent, &src[name.byte_range()])
                .filter(|_| hops < 4)
                .and_then(|site| guard_before_at(site, src, cx, hops + 1));
        }
        if parent.kind() == "method_definition" {
            return None;
        }
        if matches!(parent.kind(), "statement_block" | "program") {
            let mut sibling = node.prev_named_sibling();
            while let Some(stmt) = sibling {
                if let Some((var, what, holders)) = guard_statement(stmt, src, cx) {
                    let between = &src[stmt.end_byte()..call.start_byte()];
                    if assigns(between, &var) || holders.iter().any(|h| assigns(between, h)) {
                        return None;
                    }
                    return Some(Guard {
                        reason: format!(
                            "{what} refuses a non-local {var} before this (line {})",
                            stmt.start_position().row + 1
                        ),
                        var,
                        holders,
                    });
                }
                sibling = stmt.prev_named_sibling();
            }
        }
        node = parent;
    }
    None
}

/// The variable a guard statement checks, what it is, and the constants holding the checked
/// value, if it is one.
fn guard_statement(
    stmt: Node,
    src: &str,
    cx: &GuardCx,
) -> Option<(String, &'static str, Vec<String>)> {
    match stmt.kind() {
        "if_statement" => {
            let cond = &src[stmt.child_by_field_name("condition")?.byte_range()];
            let body = &src[stmt.child_by_field_name("consequence")?.byte_range()];
            let local = LOCAL_LITERALS.iter().any(|h| cond.contains(h));
            if !(refuses(body) && local && !has_escape(cond) && cond.contains('!')) {
                return None;
            }
            let (var, holders) = guarded_var(cond, stmt.start_byte(), src)?;
            Some((var, "the code", holders))
        }
        "expression_statement" => {
            let mut expr = stmt.named_child(0)?;
            if expr.kind() == "await_expression" {
                expr = expr.named_child(0)?;
            }
            if expr.kind() != "call_expression" {
                return None;
            }
            let callee = &src[expr.child_by_field_name("function")?.byte_range()];
            let args = &src[expr.child_by_field_name("arguments")?.byte_range()];
            let name = callee.rsplit('.').next().unwrap_or(callee);
            let what = if cx
                .configured
                .iter()
                .any(|g| g.rsplit('.').next() == Some(name))
            {
                "a configured guard function"
            } else if cx.helpers().iter().any(|h| h == name) {
                "a guard function of this file"
            } else if matches!(callee, "assert" | "assert.ok" | "invariant")
                && LOCAL_LITERALS.iter().any(|h| args.contains(h))
                && !has_escape(args)
            {
                "an assertion"
            } else {
                return None;
            };
            let (var, holders) = guarded_var(args, stmt.start_byte(), src)
                .unwrap_or_else(|| ("DATABASE_URL".into(), Vec::new()));
            Some((var, what, holders))
        }
        _ => None,
    }
}

/// `text` gives `name` a new value: `name = …`, `process.env.NAME = …`, `env["NAME"] = …`, or
/// an `Object.assign(process.env, { NAME: … })` (not `==`/`===`).
fn assigns(text: &str, name: &str) -> bool {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
    text.match_indices(name).any(|(at, _)| {
        let end = at + name.len();
        if (at > 0 && word(b[at - 1])) || b.get(end).is_some_and(|c| word(*c)) {
            return false;
        }
        let rest = text[end..]
            .trim_start_matches(['\'', '"', ']'])
            .trim_start();
        let assigned = rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>");
        let merged = text[..at]
            .rfind("Object.assign(")
            .is_some_and(|o| text[o..at].contains("env") && rest.starts_with(':'));
        assigned || merged
    })
}

/// The options object sets the guarded variable to something other than the checked value.
fn sets_new_value(options: Node, src: &str, g: &crate::shell::guard::Guard) -> bool {
    let text = &src[options.byte_range()];
    let keys = [
        format!("{}:", g.var),
        format!("'{}':", g.var),
        format!("\"{}\":", g.var),
    ];
    let b = text.as_bytes();
    keys.iter()
        .flat_map(|k| text.match_indices(k.as_str()))
        // `TEST_DATABASE_URL:` is another key.
        .filter(|(at, _)| *at == 0 || !(b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_'))
        .any(|(at, key)| {
            let rest = &text[at + key.len()..];
            let value = rest
                .split([',', '}', '\n'])
                .next()
                .unwrap_or("")
                .trim()
                .trim_end_matches('!');
            let same =
                value == format!("process.env.{}", g.var) || g.holders.iter().any(|h| h == value);
            !same
        })
}

/// `… && !process.env.FORCE`: another variable is a second way through.
fn has_escape(cond: &str) -> bool {
    use crate::shell::guard::GUARD_VARS;
    cond.split("env.").skip(1).any(|rest| {
        let name: String = rest
            .chars()
            .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
            .collect();
        !GUARD_VARS.contains(&name.as_str())
    })
}

/// The database variable a guard's text checks: named in it, or held in a constant it names
/// (`const url = process.env.DATABASE_URL` earlier in the file), or the only one the file
/// reads; with the constants that hold it.
fn guarded_var(text: &str, before: usize, src: &str) -> Option<(String, Vec<String>)> {
    use crate::shell::guard::GUARD_VARS;
    if let Some(v) = GUARD_VARS.iter().find(|v| text.contains(*v)) {
        return Some((v.to_string(), Vec::new()));
    }
    let earlier = &src[..before];
    for ident in text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .filter(|t| t.len() > 1 && !t.starts_with(|c: char| c.is_ascii_digit()))
    {
        for (at, _) in earlier.match_indices(&format!("{ident} =")) {
            let tail = &earlier[at..(at + 160).min(earlier.len())];
            let tail = tail
                .get(..tail.find(';').unwrap_or(tail.len()))
                .unwrap_or(tail);
            if let Some(v) = GUARD_VARS
                .iter()
                .find(|v| tail.contains(&format!("env.{v}")))
            {
                return Some((v.to_string(), vec![ident.to_string()]));
            }
        }
    }
    let read: Vec<&&str> = GUARD_VARS
        .iter()
        .filter(|v| src.contains(&format!("env.{v}")))
        .collect();
    (read.len() == 1).then(|| (read[0].to_string(), Vec::new()))
}

pub(crate) fn refused_in_test(call: Node, src: &str) -> bool {
    let mut node = call;
    for _ in 0..16 {
        let Some(parent) = node.parent() else {
            return false;
        };
        node = parent;
        if node.kind() != "call_expression" {
            continue;
        }
        let Some(func) = node.child_by_field_name("function") else {
            continue;
        };
        match func.kind() {
            "identifier" if &src[func.byte_range()] == "expect" => {
                // Read the whole matcher chain: expect(x).rejects.toThrow(…)
                let (mut refusal, mut negated) = (false, false);
                let mut up = node;
                for _ in 0..8 {
                    let Some(p) = up.parent() else { break };
                    if p.kind() == "member_expression" {
                        if let Some(prop) = p.child_by_field_name("property") {
                            let prop = &src[prop.byte_range()];
                            refusal |= prop.starts_with("toThrow") || prop == "rejects";
                            negated |= prop == "not" || prop == "resolves";
                        }
                    } else if !matches!(p.kind(), "call_expression" | "await_expression") {
                        break;
                    }
                    up = p;
                }
                return refusal && !negated;
            }
            "member_expression" => {
                let prop = func
                    .child_by_field_name("property")
                    .map(|p| &src[p.byte_range()]);
                if matches!(prop, Some("throws" | "rejects" | "throwsAsync")) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    fn programs(src: &str) -> Vec<(String, bool)> {
        extract(src, JsDialect::TypeScript)
            .iter()
            .flat_map(|f| {
                commands(f).into_iter().map(|c| {
                    (
                        c.argv
                            .iter()
                            .map(|w| w.text.clone())
                            .collect::<Vec<_>>()
                            .join(" "),
                        c.refused_in_test,
                    )
                })
            })
            .collect()
    }

    #[test]
    fn a_host_guard_before_the_call_is_kept() {
        let guarded = |src: &str| -> Vec<bool> {
            extract(src, JsDialect::TypeScript)
                .iter()
                .map(|f| f.host_guard.is_some())
                .collect()
        };
        let src = "const url = process.env.DATABASE_URL;\nif (!url?.includes('localhost')) throw new Error('no');\nexecSync('prisma migrate reset --force');";
        assert_eq!(guarded(src), [true]);
        // A function declaration is guarded where it is first called.
        let src = "if (!process.env.DATABASE_URL?.includes('localhost')) throw new Error('no');\nmain().catch(console.error);\nasync function main() { execSync('prisma migrate reset --force'); }";
        assert_eq!(guarded(src), [true]);
        // After the call, a presence check, a second way through: no guard.
        for src in [
            "execSync('prisma migrate reset --force');\nif (!process.env.DATABASE_URL?.includes('localhost')) throw new Error('no');",
            "if (!process.env.DATABASE_URL) throw new Error('no');\nexecSync('prisma migrate reset --force');",
            "if (!process.env.DATABASE_URL?.includes('localhost') && !process.env.FORCE) throw new Error('no');\nexecSync('prisma migrate reset --force');",
            "if (!process.env.DATABASE_URL?.includes('localhost')) console.warn('no');\nexecSync('prisma migrate reset --force');",
            // A new value after the guard, however it is written.
            "if (!process.env.DATABASE_URL.includes('localhost')) throw new Error('no');\nprocess.env.DATABASE_URL=process.argv[2];\nexecSync('prisma migrate reset --force');",
            "if (!process.env.DATABASE_URL.includes('localhost')) throw new Error('no');\nObject.assign(process.env, { DATABASE_URL: process.argv[2] });\nexecSync('prisma migrate reset --force');",
            "let url = process.env.DATABASE_URL;\nif (!url.includes('localhost')) throw new Error('no');\nurl = process.argv[2];\nexecSync('prisma migrate reset --force');",
            "if (!process.env.DATABASE_URL.includes('localhost')) throw new Error('no');\nexecSync('prisma migrate reset --force', { env: { 'DATABASE_URL': process.argv[2] } });",
            // A function declaration runs where it is called (here, before the guard).
            "reset();\nif (!process.env.DATABASE_URL.includes('localhost')) throw new Error('no');\nfunction reset() { execSync('prisma migrate reset --force'); }",
        ] {
            assert_eq!(guarded(src), [false], "{src}");
        }
    }

    #[test]
    fn finds_string_and_argv_commands() {
        let src = r#"
import { execSync, spawnSync } from "node:child_process";
import { $ } from "zx";
execSync("npx prisma migrate reset --force");
spawnSync("npx", ["prisma", "db", "push", flag]);
await $`prisma migrate reset --force ${extra}`;
Bun.spawn(["dropdb", "app"]);
const run = promisify(exec);
await run(`redis-cli flushall`);
"#;
        let got: Vec<String> = programs(src).into_iter().map(|p| p.0).collect();
        assert_eq!(
            got,
            [
                "prisma migrate reset --force",
                "prisma db push ${flag}",
                "prisma migrate reset --force ${_____}",
                "dropdb app",
                "redis-cli flushall"
            ]
        );
    }

    #[test]
    fn look_alikes_are_not_commands() {
        let src = r#"
const re = /prisma migrate reset/;
re.exec("prisma migrate reset");
/x/.exec("dropdb app");
db.exec("DROP TABLE x");
console.log("prisma migrate reset");
// execSync("prisma migrate reset")
exec("prisma migrate reset"); // no child_process import in this file
"#;
        assert!(programs(src).is_empty(), "{:?}", programs(src));
    }

    #[test]
    fn refusal_assertions_are_marked() {
        let src = r#"
import { execSync } from "child_process";
test("refuses", () => {
  expect(() => execSync("prisma migrate reset --force")).toThrow(/Refusing/);
  assert.throws(() => execSync("dropdb app"));
  execSync("prisma migrate deploy");
});
"#;
        let got = programs(src);
        assert_eq!(got.len(), 3);
        assert!(got[0].1 && got[1].1 && !got[2].1, "{got:?}");
    }

    #[test]
    fn positions_in_multiline_templates() {
        let src = "execSync(`\n  npx prisma migrate reset --force\n`);";
        let f = extract(src, JsDialect::JavaScript);
        let c = commands(&f[0]);
        let at = src.find("prisma").unwrap();
        assert_eq!(c[0].argv[0].span.start, at);
    }

    /// The environment each fragment runs with (host context), in order.
    fn envs(src: &str) -> Vec<Vec<(String, String)>> {
        extract(src, JsDialect::TypeScript)
            .iter()
            .map(|f| f.ctx.env.clone())
            .collect()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn process_env_assignments_are_the_environment_of_later_calls() {
        let src = r#"
import { execSync } from "child_process";
execSync("npx prisma migrate reset --force");
const LOCAL = "postgresql://postgres:postgres@localhost:5432/app_test";
process.env.DATABASE_URL = 'postgresql://postgres:postgres@localhost:5432/app_test';
process.env["SHADOW_DATABASE_URL"] = LOCAL;
execSync("npx prisma migrate reset --force --skip-seed", { stdio: "inherit" });
process.env.DATABASE_URL = readSecret();
execSync("npx prisma migrate reset --force");
"#;
        let local = "postgresql://postgres:postgres@localhost:5432/app_test";
        let got = envs(src);
        assert_eq!(got.len(), 3);
        // Before any assignment: nothing.
        assert!(got[0].is_empty(), "{got:?}");
        assert_eq!(
            got[1],
            [
                pair("DATABASE_URL", local),
                pair("SHADOW_DATABASE_URL", local)
            ]
        );
        // A later non-literal assignment wins, and is dynamic.
        assert_eq!(got[2].last(), Some(&pair("DATABASE_URL", "${…}")));
        let c = commands(&extract(src, JsDialect::TypeScript)[1]);
        assert!(matches!(
            crate::target::assess(&c[0], &[], &["DATABASE_URL"]),
            crate::target::Target::Local(_)
        ));
    }

    #[test]
    fn env_option_objects_are_the_environment_of_the_call() {
        let src = r#"
import { execSync, spawnSync } from "child_process";
import { execa } from "execa";
const TEST_DB_URL = 'postgresql://postgres:postgres@localhost:5432/app_test';
execSync('npx prisma migrate reset --force --skip-seed', { env: { ...process.env, DATABASE_URL: TEST_DB_URL } });
spawnSync("npx", ["prisma", "migrate", "reset"], { env: { ...process.env, DATABASE_URL: process.env.PROD_URL, "MODE": `ci` } });
const env = { ...process.env, DATABASE_URL: "file:./dev.db" };
execSync("npx prisma migrate reset --force", { env, stdio: "pipe" });
process.env.DATABASE_URL = TEST_DB_URL;
execSync("npx prisma migrate reset --force", { env: { PATH: "/usr/bin" } });
await execa("prisma", ["migrate", "reset"], { env: { PATH: "/usr/bin" } });
execSync("npx prisma migrate reset --force", { env: makeEnv() });
"#;
        let local = "postgresql://postgres:postgres@localhost:5432/app_test";
        let got = envs(src);
        assert_eq!(got.len(), 6, "{got:?}");
        assert_eq!(got[0], [pair("DATABASE_URL", local)]);
        assert_eq!(
            got[1],
            [pair("DATABASE_URL", "${PROD_URL}"), pair("MODE", "ci")]
        );
        // `{ env }` shorthand for a constant object.
        assert_eq!(got[2], [pair("DATABASE_URL", "file:./dev.db")]);
        // child_process: an `env` without `...process.env` replaces the environment…
        assert_eq!(got[3], [pair("PATH", "/usr/bin")]);
        // …execa extends it.
        assert_eq!(
            got[4],
            [pair("DATABASE_URL", local), pair("PATH", "/usr/bin")]
        );
        // An `env` that is not an object literal: only what the file set.
        assert_eq!(got[5], [pair("DATABASE_URL", local)]);
    }

    #[test]
    fn negated_matchers_are_not_refusals() {
        let src = r#"
import { execSync, exec } from "child_process";
const run = promisify(exec);
test("runs", async () => {
  expect(() => execSync("npx prisma migrate reset --force")).not.toThrow();
  await expect(run("npx prisma db push --force-reset")).resolves.not.toThrow();
  await expect(run("npx prisma migrate reset --force")).rejects.toThrow(/Refusing/);
});
"#;
        let got = programs(src);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(!got[0].1 && !got[1].1 && got[2].1, "{got:?}");
    }

    #[test]
    fn aliases_and_module_objects_are_followed() {
        let src = r#"
import { execSync as run } from 'child_process';
import { exec as run2 } from 'node:child_process';
import * as proc2 from "node:child_process";
import { $ as sh3 } from "zx";
const { execSync: sh } = require('child_process');
async function f() {
  const { spawnSync: sp } = await import('node:child_process');
  sp('npx', ['prisma', 'migrate', 'reset']);
}
const execAsync = util.promisify(proc2.exec);
run('npx prisma migrate reset --force');
sh('dropdb app');
run2('redis-cli flushall');
proc2.exec('prisma db push --force-reset');
await execAsync('supabase db reset');
await sh3`prisma migrate reset`;
"#;
        let got: Vec<String> = programs(src).into_iter().map(|p| p.0).collect();
        assert_eq!(
            got,
            [
                "prisma migrate reset",
                "prisma migrate reset --force",
                "dropdb app",
                "redis-cli flushall",
                "prisma db push --force-reset",
                "supabase db reset",
                "prisma migrate reset",
            ]
        );
    }

    #[test]
    fn aliases_need_a_command_module() {
        let src = r#"
import { exec as run } from "./db";
import { execSync as sh } from "child_process";
const { execSync: sync } = require("./fake-child");
run("prisma migrate reset");
sync("prisma migrate reset");
db.sh("prisma migrate reset");
"#;
        assert!(programs(src).is_empty(), "{:?}", programs(src));
    }

    #[test]
    fn constants_and_concatenations_are_followed() {
        let src = r#"
import { execSync, spawnSync } from "child_process";
const RESET = 'npx prisma migrate reset --force';
const args = ['prisma', 'migrate', 'reset'] as const;
execSync(RESET);
spawnSync('npx', args);
execSync('npx prisma migrate ' + 'reset --force');
execSync("dropdb " + name + " --if-exists");
execSync("npx prisma migrate reset --schema " + SCHEMA);
const SCHEMA = "prisma/schema.prisma";
let cmd = "npx prisma db push";
cmd += " --force-reset";
execSync(cmd);
"#;
        let got: Vec<String> = programs(src).into_iter().map(|p| p.0).collect();
        assert_eq!(
            got,
            [
                "prisma migrate reset --force",
                "prisma migrate reset",
                "prisma migrate reset --force",
                "dropdb ${_} --if-exists",
                "prisma migrate reset --schema prisma/schema.prisma",
                "prisma db push --force-reset",
            ]
        );
        let f = extract(src, JsDialect::TypeScript);
        // The constant's text stands where it is written.
        let c = commands(&f[0]);
        let decl = src.find("prisma migrate reset --force").unwrap();
        assert_eq!(c[0].argv[0].span, decl..decl + "prisma".len());
        assert_eq!(&src[c[0].argv[2].span.clone()], "reset");
        // argv words from the constant array.
        let c = commands(&f[1]);
        assert_eq!(&src[c[0].argv[0].span.clone()], "'prisma'");
        // Each part of a concatenation maps to itself.
        let c = commands(&f[2]);
        let second = src.find("'reset --force'").unwrap() + 1;
        assert_eq!(c[0].argv[2].span, second..second + "reset".len());
        assert_eq!(&src[c[0].argv[3].span.clone()], "--force");
        // The dynamic part is a placeholder standing at the expression.
        let c = commands(&f[3]);
        assert!(c[0].argv[1].dynamic);
        assert_eq!(&src[c[0].argv[1].span.clone()], "name");
        // A constant that is one part stands at its name: the command stays at the call.
        let c = commands(&f[4]);
        let call = src.find("\"npx prisma migrate reset --schema").unwrap() + 1;
        assert_eq!(
            &src[c[0].span.clone()],
            "npx prisma migrate reset --schema \" + SCHEMA"
        );
        assert_eq!(c[0].span.start, call);
    }

    #[test]
    fn unknown_and_cyclic_names_are_not_commands() {
        let src = r#"
import { execSync } from "child_process";
const RESET = 'npx prisma migrate reset --force';
console.log(RESET);
execSync(cmd);
const a = b;
const b = a;
execSync(a);
execSync(`${a}`);
"#;
        let got: Vec<String> = programs(src).into_iter().map(|p| p.0).collect();
        assert_eq!(got, ["${_}"]);
    }

    #[test]
    fn bun_shell_member_tag() {
        let src = r#"
await Bun.$`redis-cli FLUSHALL`;
const Button = styled.div`color: red; prisma migrate reset`;
const q = other.$`prisma migrate reset`;
"#;
        let got: Vec<String> = programs(src).into_iter().map(|p| p.0).collect();
        assert_eq!(got, ["redis-cli FLUSHALL"]);
    }

    #[test]
    fn a_lone_string_runs_in_a_shell_only_with_the_shell_option() {
        let src = r#"
import { spawn, spawnSync, execFileSync, execSync } from "child_process";
import { execa } from "execa";
spawn('npx prisma migrate reset --force');
execFileSync('npx prisma migrate reset --force', { stdio: 'inherit' });
spawnSync('npx prisma migrate reset --force', { shell: false });
await execa('npx prisma migrate reset --force');
spawn('npx prisma db push --force-reset', { shell: true });
await execa('dropdb app', { shell: '/bin/bash' });
execSync('redis-cli flushall');
"#;
        let got: Vec<String> = programs(src).into_iter().map(|p| p.0).collect();
        assert_eq!(
            got,
            [
                "prisma db push --force-reset",
                "dropdb app",
                "redis-cli flushall"
            ]
        );
    }

    #[test]
    fn names_resolve_in_their_scope() {
        let src = r#"
import { execSync } from "child_process";
function a() { const cmd = 'npx prisma migrate reset --force'; execSync(cmd); }
function b(cmd: string) { execSync(cmd); }
it("drops", () => { const cmd = 'dropdb app'; execSync(cmd); });
function c() { execSync(LATER); }
const LATER = 'redis-cli flushall';
"#;
        let got: Vec<String> = programs(src).into_iter().map(|p| p.0).collect();
        assert_eq!(
            got,
            [
                "prisma migrate reset --force",
                "dropdb app",
                "redis-cli flushall"
            ]
        );
    }
}
