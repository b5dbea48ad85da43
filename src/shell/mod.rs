//! Shell fragments → normalized commands.
//!
//! The fragment is parsed with tree-sitter-bash. Only real commands become [`Command`]s:
//! comments, `echo` arguments, heredoc bodies fed to `cat` and plain strings are data. `&&`,
//! `||`, `;`, pipes, subshells, `$(…)` and backticks are walked; `bash -c "…"`, `sh -c`,
//! `eval "…"`, `su -c "…"`, `ssh host "…"` and `bash <<EOF` bodies are parsed again as shell.

pub mod guard;
pub mod normalize;
pub mod words;

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

use tree_sitter::{Node, Parser, Tree};

use crate::fragment::map::{FragmentBuilder, OffsetMap};
use crate::fragment::{Body, Fragment, HostContext};
use guard::Guard;
use normalize::{normalize, program_name};
use words::{unquote, Word};

/// How deeply `bash -c "bash -c '…'"` strings are followed.
pub const MAX_NESTING: usize = 8;

/// How many variable assignments a script keeps track of (the most recent ones).
pub const MAX_AMBIENT: usize = 64;

/// How deeply the syntax tree is walked (`((((…))))`, `$($($(…)))`), across nested scripts
/// too. Real scripts nest a few levels; the bound keeps pathological input from exhausting
/// the stack.
pub const MAX_TREE_DEPTH: usize = 256;

/// One command as it will run: wrappers peeled, environment attached.
#[derive(Debug, Clone)]
pub struct Command {
    pub argv: Vec<Word>,
    /// Inline environment (`VAR=value` prefixes, `env`/`cross-env` assignments).
    pub env: Vec<(String, Word)>,
    /// Env files loaded by a wrapper (`dotenv -e`).
    pub env_files: Vec<Word>,
    pub wrappers: Vec<String>,
    /// Host range of the whole command.
    pub span: Range<usize>,
    /// Text fed on standard input by a heredoc or here-string, mapped to the host.
    pub stdin: Option<Word>,
    /// The file read on standard input (`< FILE`).
    pub stdin_file: Option<Word>,
    /// Variables set earlier in the same fragment (and by an enclosing `bash -c`), in order;
    /// an env file sourced in between is an entry named [`SOURCED`] with the file as value.
    pub ambient: Vec<(String, String)>,
    /// A local database was started earlier in the same fragment (`docker compose up -d`).
    pub local_db_started: Option<String>,
    /// The script refuses a non-local database before this command (a host check that exits).
    pub host_guard: Option<Guard>,
    pub ctx: Arc<HostContext>,
    pub refused_in_test: bool,
}

impl Command {
    /// The program's name (`prisma` for `./node_modules/.bin/prisma`).
    pub fn program(&self) -> &str {
        self.argv
            .first()
            .map(|w| program_name(&w.text))
            .unwrap_or("")
    }

    /// The text of `stdin`.
    pub fn stdin_text(&self) -> Option<&str> {
        self.stdin.as_ref().map(|w| w.text.as_str())
    }

    pub fn args(&self) -> &[Word] {
        self.argv.get(1..).unwrap_or(&[])
    }

    /// Arguments that do not start with `-`, in order.
    pub fn positionals(&self) -> impl Iterator<Item = &str> {
        self.args()
            .iter()
            .map(|w| w.text.as_str())
            .filter(|t| !t.starts_with('-'))
    }

    /// True when the positionals start with `words`.
    pub fn subcommand_is(&self, words: &[&str]) -> bool {
        let mut p = self.positionals();
        words.iter().all(|w| p.next() == Some(*w))
    }

    /// The argument word equal to `flag` or starting with `flag=`.
    pub fn flag(&self, flag: &str) -> Option<&Word> {
        self.args().iter().find(|w| {
            w.text == flag
                || (w.text.len() > flag.len()
                    && w.text.starts_with(flag)
                    && w.text.as_bytes()[flag.len()] == b'=')
        })
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.flag(flag).is_some()
    }

    /// The value of `--flag value` or `--flag=value`.
    pub fn flag_value(&self, flag: &str) -> Option<&Word> {
        let args = self.args();
        // The last occurrence wins, as for most CLIs (`-h a -h b` connects to b).
        let i = args.iter().rposition(|w| {
            w.text == flag || (w.text.starts_with(flag) && w.text[flag.len()..].starts_with('='))
        })?;
        if args[i].text == flag {
            args.get(i + 1)
        } else {
            Some(&args[i])
        }
    }

    /// The text of `flag_value`, without a `--flag=` prefix.
    pub fn flag_text(&self, flag: &str) -> Option<(&str, &Word)> {
        let w = self.flag_value(flag)?;
        let text = w
            .text
            .strip_prefix(flag)
            .and_then(|t| t.strip_prefix('='))
            .unwrap_or(&w.text);
        Some((text, w))
    }

    /// Host range of the argument word equal to `text`, or of the whole command.
    pub fn span_of(&self, text: &str) -> Range<usize> {
        self.argv
            .iter()
            .find(|w| w.text == text)
            .map(|w| w.span.clone())
            .unwrap_or_else(|| self.span.clone())
    }

    /// Looks a variable up in the command's own environment, then in the environment set
    /// earlier in its script, then in the host's (CI `env:`, Dockerfile `ENV`).
    pub fn env_var(&self, name: &str) -> Option<EnvSource<'_>> {
        if let Some((_, w)) = self.env.iter().rev().find(|(n, _)| n == name) {
            return Some(EnvSource::Inline(w));
        }
        if let Some((_, v)) = self.ambient.iter().rev().find(|(n, _)| n == name) {
            return Some(EnvSource::Script(v));
        }
        self.ctx
            .env
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| EnvSource::Host(v))
    }
}

/// The name of an [`Command::ambient`] entry that records `source .env.x` (not a valid
/// variable name, so no lookup can match it).
pub const SOURCED: &str = "<sourced>";

/// Where an environment variable's value came from.
#[derive(Debug, Clone, Copy)]
pub enum EnvSource<'a> {
    Inline(&'a Word),
    Script(&'a str),
    Host(&'a str),
}

impl<'a> EnvSource<'a> {
    pub fn value(&self) -> &'a str {
        match self {
            EnvSource::Inline(w) => &w.text,
            EnvSource::Script(s) | EnvSource::Host(s) => s,
        }
    }
}

thread_local! {
    static BASH: RefCell<Parser> = RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_bash::LANGUAGE.into())
            .expect("tree-sitter-bash grammar is compatible");
        p
    });
}

/// Parses shell text with this thread's bash parser.
pub(crate) fn parse_bash(text: &str) -> Option<Tree> {
    BASH.with(|p| crate::budget::parse(&mut p.borrow_mut(), text, "shell"))
}

/// Extracts every command of a fragment, in source order.
pub fn commands(fragment: &Fragment) -> Vec<Command> {
    let mut out = Vec::new();
    let state = State {
        ctx: fragment.ctx.clone(),
        refused: fragment.refused_in_test,
        ambient: Vec::new(),
        local_db: None,
        host_guard: fragment.host_guard.clone(),
    };
    match &fragment.body {
        Body::Shell { text, map } => {
            let mut w = Walker {
                text,
                map,
                state,
                out: &mut out,
                depth: 0,
                tree_depth: 0,
                conditional: 0,
                subshell: 0,
            };
            w.run();
        }
        Body::Argv(words) => {
            let mut state = state;
            emit(
                &mut state,
                &mut out,
                words.clone(),
                Vec::new(),
                fragment.span.clone(),
                Input::default(),
                Depth {
                    nesting: 0,
                    tree: 0,
                    conditional: false,
                },
            );
        }
    }
    out
}

#[derive(Clone)]
struct State {
    ctx: Arc<HostContext>,
    refused: bool,
    ambient: Vec<(String, String)>,
    local_db: Option<String>,
    host_guard: Option<Guard>,
}

struct Walker<'a, 'o> {
    text: &'a str,
    map: &'a OffsetMap,
    state: State,
    out: &'o mut Vec<Command>,
    /// Nesting of `bash -c` scripts.
    depth: usize,
    /// Depth in the syntax tree, counted across nested scripts.
    tree_depth: usize,
    /// Inside an `if`/`case`/loop/function body: what happens here may not happen.
    conditional: usize,
    /// Inside `( … )`, `$( … )`: what happens here stays here.
    subshell: usize,
}

/// Where a command stands: script nesting and syntax-tree depth.
#[derive(Clone, Copy)]
struct Depth {
    nesting: usize,
    tree: usize,
    /// In a branch, loop, function or subshell: may not run, or not in this shell.
    conditional: bool,
}

impl Walker<'_, '_> {
    fn run(&mut self) {
        let Some(tree) = parse_bash(self.text) else {
            return;
        };
        self.walk(tree.root_node());
    }

    fn walk(&mut self, node: Node) {
        if self.tree_depth >= MAX_TREE_DEPTH {
            crate::budget::note(|| {
                format!(
                    "shell nested deeper than {MAX_TREE_DEPTH} syntax levels: not read past them"
                )
            });
            return;
        }
        self.tree_depth += 1;
        match node.kind() {
            "comment" => {}
            // An unquoted heredoc runs its `$(…)` and backticks, even when fed to `cat`.
            "heredoc_body" => {
                let mut c = node.walk();
                let subs: Vec<Node> = node
                    .named_children(&mut c)
                    .filter(|n| n.kind() == "command_substitution")
                    .collect();
                for sub in subs {
                    self.walk(sub);
                }
                // The grammar leaves backticks in heredocs as text.
                if !heredoc_is_quoted(node, self.text) {
                    for r in backtick_spans(&self.text[node.byte_range()], node.start_byte()) {
                        self.nested(r);
                    }
                }
            }
            "command" => self.command(node, Input::default()),
            "pipeline" => self.pipeline(node),
            "redirected_statement" => self.redirected(node),
            "declaration_command" | "variable_assignment" => self.assignment(node),
            // What a subshell sets does not outlive it.
            "subshell" | "command_substitution" | "process_substitution" => {
                let saved = self.state.ambient.clone();
                self.subshell += 1;
                self.walk_children(node);
                self.subshell -= 1;
                self.state.ambient = saved;
            }
            "if_statement" | "case_statement" | "list" => {
                // Commands after a refusing host check run only against a local database.
                let guard = if self.conditional == 0 && self.subshell == 0 {
                    guard::host_guard(node, self.text)
                } else {
                    None
                };
                let branches = usize::from(node.kind() != "list");
                self.conditional += branches;
                self.walk_children(node);
                self.conditional -= branches;
                if guard.is_some() && self.state.host_guard.is_none() {
                    self.state.host_guard = guard;
                }
            }
            "while_statement"
            | "for_statement"
            | "c_style_for_statement"
            | "function_definition" => {
                self.conditional += 1;
                self.walk_children(node);
                self.conditional -= 1;
            }
            _ => self.walk_children(node),
        }
        self.tree_depth -= 1;
    }

    fn walk_children(&mut self, node: Node) {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.walk(child);
        }
    }

    fn word(&self, node: Node) -> Word {
        unquote(self.text, self.map, node.byte_range())
    }

    /// `export NAME=value` / `NAME=value` as a statement: remembered for later commands.
    fn assignment(&mut self, node: Node) {
        let assignments: Vec<Node> = if node.kind() == "variable_assignment" {
            vec![node]
        } else {
            let mut c = node.walk();
            node.named_children(&mut c)
                .filter(|n| n.kind() == "variable_assignment")
                .collect()
        };
        for a in assignments {
            if let (Some(name), Some(value)) = (
                a.child_by_field_name("name"),
                a.child_by_field_name("value"),
            ) {
                let value = self.word(value);
                self.record(self.text[name.byte_range()].to_string(), value.text);
            }
        }
        self.walk_children(node);
    }

    /// Records `NAME=value` for later commands. In a branch, a value that targets a local or
    /// test database does not replace one that does not: the worst case stays. A new value
    /// for the variable a host guard checked voids the guard.
    fn record(&mut self, name: String, value: String) {
        if self
            .state
            .host_guard
            .as_ref()
            .is_some_and(|g| g.var == name)
        {
            self.state.host_guard = None;
        }
        if self.conditional > 0 {
            let current = self.state.ambient.iter().rev().find(|(n, _)| *n == name);
            if current.is_some_and(|(_, v)| !targets_local(v)) && targets_local(&value) {
                return;
            }
        }
        // Only the last value of a name counts; and a hostile script cannot grow this
        // without bound (each relevant command gets a copy).
        self.state.ambient.retain(|(n, _)| *n != name);
        if self.state.ambient.len() >= MAX_AMBIENT {
            self.state.ambient.remove(0);
        }
        self.state.ambient.push((name, value));
    }

    /// A statement with redirections: a heredoc or here-string is the command's stdin.
    fn redirected(&mut self, node: Node) {
        let mut stdin: Option<Word> = None;
        let mut stdin_file: Option<Word> = None;
        let mut cursor = node.walk();
        let redirects: Vec<Node> = node
            .children_by_field_name("redirect", &mut cursor)
            .collect();
        for r in &redirects {
            let mut c = r.walk();
            for child in r.children(&mut c) {
                if child.kind() == "heredoc_body" {
                    stdin = Some(self.verbatim(child.byte_range()));
                }
            }
            if r.kind() == "herestring_redirect" {
                if let Some(arg) = r.named_child(0) {
                    stdin = Some(self.word(arg));
                }
            }
            if let Some(file) = self.reads_file(*r) {
                stdin_file = Some(file);
            }
        }
        match node.child_by_field_name("body") {
            Some(body) if body.kind() == "command" => self.command(
                body,
                Input {
                    text: stdin,
                    file: stdin_file,
                },
            ),
            Some(body) => self.walk(body),
            None => {}
        }
        for r in redirects {
            let mut c = r.walk();
            for child in r.children(&mut c) {
                self.walk(child);
            }
        }
    }

    /// Parses a range of this fragment as a script of its own (one nesting level deeper).
    fn nested(&mut self, r: Range<usize>) {
        if self.depth >= MAX_NESTING {
            crate::budget::note(nesting_note);
            return;
        }
        let script = self.verbatim(r);
        let mut w = Walker {
            text: &script.text,
            map: &script.map,
            state: self.state.clone(),
            out: self.out,
            depth: self.depth + 1,
            tree_depth: self.tree_depth,
            conditional: 0,
            subshell: 0,
        };
        w.run();
    }

    /// A range of the fragment taken as it is (a heredoc body).
    fn verbatim(&self, r: Range<usize>) -> Word {
        let mut b = FragmentBuilder::new();
        b.push_from(self.text, self.map, r);
        let (text, map) = b.finish();
        Word {
            span: map.range_to_host(0..text.len()),
            text,
            dynamic: false,
            map,
        }
    }

    /// `a | b`: each command runs; what `echo TEXT`, `printf TEXT` or `cat FILE` writes is the
    /// next command's standard input (`echo "DROP TABLE t" | psql`).
    fn pipeline(&mut self, node: Node) {
        let mut c = node.walk();
        let parts: Vec<Node> = node.named_children(&mut c).collect();
        let mut input = Input::default();
        for part in parts {
            if part.kind() == "command" {
                let next = self.output_of(part);
                self.command(part, std::mem::take(&mut input));
                input = next;
            } else {
                input = Input::default();
                self.walk(part);
            }
        }
    }

    /// What a command writes to a pipe, when it is known: `echo`/`printf` text, `cat` file.
    fn output_of(&self, node: Node) -> Input {
        let Some(name) = node.child_by_field_name("name") else {
            return Input::default();
        };
        let mut c = node.walk();
        let args: Vec<Node> = node
            .children_by_field_name("argument", &mut c)
            .filter(|a| !self.text[a.byte_range()].starts_with('-'))
            .collect();
        match &self.text[name.byte_range()] {
            "echo" | "printf" if args.len() == 1 => Input {
                text: Some(self.word(args[0])),
                file: None,
            },
            "cat" if args.len() == 1 => Input {
                text: None,
                file: Some(self.word(args[0])),
            },
            // `yes | cmd` answers every prompt: `y` (or its argument), spanning `yes`.
            "yes" => {
                let mut text = match args.first() {
                    Some(a) => self.word(*a),
                    None => self.verbatim(name.byte_range()),
                };
                if args.is_empty() {
                    text.text = "y".into();
                }
                text.span = self.map.range_to_host(node.byte_range());
                Input {
                    text: Some(text),
                    file: None,
                }
            }
            _ => Input::default(),
        }
    }

    /// The file of a `< FILE` redirect.
    fn reads_file(&self, r: Node) -> Option<Word> {
        if r.kind() != "file_redirect" {
            return None;
        }
        let mut c = r.walk();
        let reads = r
            .children(&mut c)
            .find(|op| !op.is_named())
            .is_some_and(|op| &self.text[op.byte_range()] == "<");
        let dest = r.child_by_field_name("destination").filter(|_| reads)?;
        Some(self.word(dest))
    }

    fn command(&mut self, node: Node, input: Input) {
        let mut argv = Vec::new();
        let mut env = Vec::new();
        let mut stdin = input.text;
        let mut stdin_file = input.file;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "variable_assignment" => {
                    if let (Some(name), Some(value)) = (
                        child.child_by_field_name("name"),
                        child.child_by_field_name("value"),
                    ) {
                        env.push((self.text[name.byte_range()].to_string(), self.word(value)));
                    }
                    self.walk_children(child);
                }
                "command_name" => {
                    argv.push(self.word(child));
                    self.walk_children(child);
                }
                "herestring_redirect" => {
                    if let Some(arg) = child.named_child(0) {
                        stdin = Some(self.word(arg));
                    }
                    self.walk_children(child);
                }
                "file_redirect" => {
                    if let Some(file) = self.reads_file(child) {
                        stdin_file = Some(file);
                    }
                    self.walk_children(child);
                }
                "comment" => self.walk_children(child),
                _ => {
                    argv.push(self.word(child));
                    // `$(…)` inside an argument runs before the command.
                    self.walk_children(child);
                }
            }
        }
        let span = self.map.range_to_host(node.byte_range());
        emit(
            &mut self.state,
            self.out,
            argv,
            env,
            span,
            Input {
                text: stdin,
                file: stdin_file,
            },
            Depth {
                nesting: self.depth,
                tree: self.tree_depth,
                conditional: self.conditional > 0 || self.subshell > 0,
            },
        );
    }
}

/// What a command reads on standard input.
#[derive(Default)]
struct Input {
    /// A heredoc or here-string.
    text: Option<Word>,
    /// `< FILE`.
    file: Option<Word>,
}

fn nesting_note() -> String {
    format!("shell code nested more than {MAX_NESTING} levels (`bash -c`, `eval`, heredocs): not followed deeper")
}

/// Normalizes one command, records it, and follows the shell code it runs.
fn emit(
    state: &mut State,
    out: &mut Vec<Command>,
    argv: Vec<Word>,
    env: Vec<(String, Word)>,
    span: Range<usize>,
    input: Input,
    at: Depth,
) {
    let stdin = input.text;
    let n = normalize(argv, env);
    if n.argv.is_empty() {
        return;
    }
    // Only a command that carries a rule's literal can be reported: only it needs the
    // script's environment so far.
    let relevant = n.argv.iter().any(|w| crate::engine::may_match(&w.text))
        || stdin
            .as_ref()
            .is_some_and(|w| crate::engine::may_match(&w.text));
    let cmd = Command {
        argv: n.argv,
        env: n.env,
        env_files: n.env_files,
        wrappers: n.wrappers,
        span,
        stdin: stdin.clone(),
        stdin_file: input.file,
        ambient: if relevant {
            state.ambient.clone()
        } else {
            Vec::new()
        },
        local_db_started: state.local_db.clone(),
        host_guard: state.host_guard.clone(),
        ctx: state.ctx.clone(),
        refused_in_test: state.refused,
    };
    let program = cmd.program();
    if matches!(program, "source" | ".") {
        let env_file = cmd
            .args()
            .first()
            .filter(|f| crate::target::is_env_file_name(&f.text));
        if let Some(f) = env_file {
            state.ambient.push((SOURCED.to_string(), f.text.clone()));
        }
    }
    // Only a database started unconditionally, in this shell, is known to be there.
    if state.local_db.is_none() && !at.conditional {
        state.local_db = starts_local_database(&cmd);
    }
    // `find … -exec cmd {} \;` runs cmd (one nesting level deeper, so `find -exec find
    // -exec …` is bounded like `bash -c`).
    if program == "find" && at.nesting < MAX_NESTING {
        let inner = Depth {
            nesting: at.nesting + 1,
            ..at
        };
        for words in find_exec(cmd.args()) {
            emit(
                state,
                out,
                words,
                Vec::new(),
                cmd.span.clone(),
                Input::default(),
                inner,
            );
        }
    }
    let scripts = if at.nesting < MAX_NESTING {
        nested_scripts(&cmd, stdin)
    } else {
        if !nested_scripts(&cmd, stdin).is_empty() {
            crate::budget::note(nesting_note);
        }
        Vec::new()
    };
    for script in scripts {
        // The inner script inherits the outer command's inline environment.
        let mut inner = state.clone();
        inner
            .ambient
            .extend(cmd.env.iter().map(|(k, v)| (k.clone(), v.text.clone())));
        let mut w = Walker {
            text: &script.text,
            map: &script.map,
            state: inner,
            out,
            depth: at.nesting + 1,
            tree_depth: at.tree,
            conditional: 0,
            subshell: 0,
        };
        w.run();
    }
    out.push(cmd);
}

/// `<<'EOF'`, `<<"EOF"` and `<<\\EOF` heredocs are text; `<<EOF` expands.
fn heredoc_is_quoted(body: Node, src: &str) -> bool {
    let Some(redirect) = body.parent() else {
        return true;
    };
    let mut c = redirect.walk();
    let start = redirect
        .children(&mut c)
        .find(|n| n.kind() == "heredoc_start");
    start.is_none_or(|n| src[n.byte_range()].contains(['\'', '"', '\\']))
}

/// The insides of unescaped backtick pairs in `text` (which starts at `base`).
fn backtick_spans(text: &str, base: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'\\' if !escaped => {
                escaped = true;
                continue;
            }
            b'`' if !escaped => match open.take() {
                Some(start) => out.push(base + start + 1..base + i),
                None => open = Some(i),
            },
            _ => {}
        }
        escaped = false;
    }
    out
}

/// A value that targets a local or test database.
fn targets_local(v: &str) -> bool {
    use crate::target::{classify_value, UrlClass};
    matches!(classify_value(v), UrlClass::Local(_) | UrlClass::TestDb(_))
}

/// The commands of `find … -exec cmd … {} ;` (also `-execdir`, `-ok`, `+`).
fn find_exec(args: &[Word]) -> Vec<Vec<Word>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(start) = args[i..]
        .iter()
        .position(|w| matches!(w.text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir"))
    {
        let from = i + start + 1;
        let len = args[from..]
            .iter()
            .position(|w| matches!(w.text.as_str(), ";" | "+"))
            .unwrap_or(args.len() - from);
        out.push(args[from..from + len].to_vec());
        i = from + len;
    }
    out
}

/// The shell scripts a command runs: `bash -c "…"`, `sh -c`, `eval "…"`, `su -c "…"`,
/// `ssh host "…"` (or a heredoc to ssh), a heredoc fed to a shell, `trap '…' SIG`,
/// `concurrently "…" "…"`, `nodemon --exec "…"`, `npx -c "…"`.
fn nested_scripts(cmd: &Command, stdin: Option<Word>) -> Vec<Word> {
    const CONCURRENTLY_OPTS: &[&str] = &[
        "-n",
        "--names",
        "-c",
        "--prefix-colors",
        "-p",
        "--prefix",
        "-s",
        "--success",
        "-m",
        "--max-processes",
        "--restart-tries",
        "--restart-after",
        "-t",
        "--timestamp-format",
    ];
    if cmd.program() != "concurrently" {
        return nested_script(cmd, stdin).into_iter().collect();
    }
    let args = cmd.args();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        if w.text.starts_with('-') {
            i += if CONCURRENTLY_OPTS.contains(&w.text.as_str()) {
                2
            } else {
                1
            };
            continue;
        }
        // `npm:dev` names a package script, not shell text.
        if !["npm:", "pnpm:", "yarn:", "bun:"]
            .iter()
            .any(|p| w.text.starts_with(p))
        {
            out.push(w.clone());
        }
        i += 1;
    }
    out
}

fn nested_script(cmd: &Command, stdin: Option<Word>) -> Option<Word> {
    let args = cmd.args();
    match cmd.program() {
        "trap" if args.len() >= 2 && args[0].text != "-" => args.first().cloned(),
        "nodemon" | "ts-node-dev" => cmd
            .flag_value("--exec")
            .or_else(|| cmd.flag_value("-x"))
            .cloned(),
        "npx" => cmd
            .flag_value("-c")
            .or_else(|| cmd.flag_value("--call"))
            .cloned(),
        "bash" | "sh" | "zsh" | "dash" | "ksh" => {
            let c = args.iter().position(|w| {
                w.text.len() > 1
                    && w.text.starts_with('-')
                    && !w.text.starts_with("--")
                    && w.text.contains('c')
            });
            match c {
                Some(i) => args.get(i + 1).cloned(),
                None if args.iter().all(|w| w.text.starts_with('-')) => stdin,
                None => None,
            }
        }
        "su" => {
            let i = args
                .iter()
                .position(|w| w.text == "-c" || w.text == "--command")?;
            args.get(i + 1).cloned()
        }
        "eval" if args.len() == 1 => args.first().cloned(),
        "ssh" => {
            // ssh [options] host command: only the common one-string form.
            let mut i = 0;
            while let Some(w) = args.get(i) {
                if w.text.starts_with('-') {
                    let takes_value =
                        w.text.len() == 2 && "bcDEeFIiJLlmOopQRSWw".contains(&w.text[1..]);
                    i += if takes_value { 2 } else { 1 };
                } else {
                    break;
                }
            }
            match args.len().checked_sub(i) {
                Some(2) => Some(args[i + 1].clone()),
                // `ssh host <<'EOF' … EOF`
                Some(1) => stdin,
                _ => None,
            }
        }
        _ => None,
    }
}

/// `docker compose up`, `supabase start` & co. start a database on this machine.
fn starts_local_database(cmd: &Command) -> Option<String> {
    let what = match cmd.program() {
        "docker" if cmd.positionals().next() == Some("compose") => {
            return compose_up(cmd, 2, "docker compose up")
        }
        "docker-compose" => return compose_up(cmd, 1, "docker-compose up"),
        "supabase" if cmd.subcommand_is(&["start"]) => "supabase start",
        "pg_ctl" | "pg_ctlcluster" if cmd.positionals().any(|p| p == "start") => "pg_ctl start",
        _ => return None,
    };
    Some(what.to_string())
}

/// `docker compose [-f file] up [services]` starts a local database unless the compose file
/// says production or the services it names are not databases (`up -d web`).
fn compose_up(cmd: &Command, from: usize, what: &str) -> Option<String> {
    const DB_WORDS: &[&str] = &[
        "postgres", "pg", "db", "database", "mysql", "maria", "mongo", "redis", "supabase", "sql",
    ];
    let argv = &cmd.argv;
    let mut i = from;
    while let Some(w) = argv.get(i) {
        match w.text.as_str() {
            "-f" | "--file" => {
                let file = argv.get(i + 1).map(|f| f.text.to_ascii_lowercase());
                if file.is_some_and(|f| f.contains("prod")) {
                    return None;
                }
                i += 2;
            }
            "-p" | "--project-name" | "--env-file" | "--profile" | "--project-directory" => i += 2,
            t if t.starts_with('-') => i += 1,
            _ => break,
        }
    }
    if argv.get(i).map(|w| w.text.as_str()) != Some("up") {
        return None;
    }
    let services: Vec<String> = argv[i + 1..]
        .iter()
        .map(|w| w.text.to_ascii_lowercase())
        .filter(|t| !t.starts_with('-'))
        .collect();
    let names_a_database = services
        .iter()
        .any(|s| DB_WORDS.iter().any(|d| s.contains(d)));
    (services.is_empty() || names_a_database).then(|| what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::FileKind;

    fn cmds(src: &str) -> Vec<Command> {
        let ctx = Arc::new(HostContext::new(FileKind::Shell));
        let f = Fragment::shell(src.to_string(), OffsetMap::linear(0, src.len()), ctx);
        commands(&f)
    }

    fn argvs(src: &str) -> Vec<String> {
        cmds(src)
            .iter()
            .map(|c| {
                c.argv
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn splits_lists_pipes_and_substitutions() {
        let got = argvs("a 1 && b || c; d | e & (f) && echo \"$(g x)\" `h`");
        for want in ["a 1", "b", "c", "d", "e", "f", "g x", "h"] {
            assert!(
                got.contains(&want.to_string()),
                "{want} missing from {got:?}"
            );
        }
    }

    #[test]
    fn data_is_not_a_command() {
        let got = argvs("# prisma migrate reset\necho \"prisma migrate reset\"\ncat <<EOF\nprisma migrate reset\nEOF\nprintf 'dropdb x'\n");
        assert!(
            got.iter()
                .all(|c| !c.starts_with("prisma") && !c.starts_with("dropdb")),
            "{got:?}"
        );
    }

    #[test]
    fn follows_nested_shells_with_positions() {
        let src = "bash -c \"npx prisma migrate reset --force\"";
        let c = cmds(src);
        let inner = c
            .iter()
            .find(|c| c.program() == "prisma")
            .expect("nested prisma");
        assert_eq!(&src[inner.argv[0].span.clone()], "prisma");
        assert_eq!(&src[inner.span.clone()], "npx prisma migrate reset --force");
        let heredoc = cmds("bash <<EOF\ndropdb app\nEOF\n");
        assert!(heredoc.iter().any(|c| c.program() == "dropdb"));
    }

    #[test]
    fn nesting_is_bounded() {
        let mut s = "dropdb x".to_string();
        // Quoting grows exponentially with depth: 10 levels is past the bound and still small.
        for _ in 0..MAX_NESTING + 2 {
            s = format!("bash -c {}", shell_quote(&s));
        }
        // Must terminate; the innermost command is past the bound.
        let c = cmds(&s);
        assert!(c.iter().all(|c| c.program() != "dropdb"));
        assert_eq!(c.len(), MAX_NESTING + 1);
    }

    #[test]
    fn deep_trees_do_not_exhaust_the_stack() {
        let deep = format!("{}dropdb x{}", "(".repeat(100_000), ")".repeat(100_000));
        let _ = cmds(&deep);
        let subst = format!("echo {}dropdb x{}", "$(".repeat(20_000), ")".repeat(20_000));
        let _ = cmds(&subst);
        // Shallow nesting is still followed.
        assert!(cmds("( ( ( (dropdb x) ) ) )")
            .iter()
            .any(|c| c.program() == "dropdb"));
    }

    fn shell_quote(s: &str) -> String {
        format!("'{}'", s.replace('\'', "'\\''"))
    }

    #[test]
    fn remembers_exports_and_local_starts() {
        let c = cmds("export DATABASE_URL=postgres://localhost/x\ndocker compose up -d db && prisma migrate reset");
        let p = c.iter().find(|c| c.program() == "prisma").unwrap();
        assert_eq!(
            p.env_var("DATABASE_URL").unwrap().value(),
            "postgres://localhost/x"
        );
        assert_eq!(p.local_db_started.as_deref(), Some("docker compose up"));
    }

    #[test]
    fn host_guards_protect_later_commands() {
        for guard in [
            "[[ \"$DATABASE_URL\" == *localhost* ]] || { echo refusing; exit 1; }",
            "if [[ \"${DATABASE_URL}\" != *@localhost:* && \"$DATABASE_URL\" != *@127.0.0.1:* ]]; then\n  echo 'Refusing' >&2\n  exit 1\nfi",
            "case \"$DATABASE_URL\" in\n  *localhost*|*127.0.0.1*) ;;\n  *) echo refusing; exit 1 ;;\nesac",
            "dbguard check-url \"$DATABASE_URL\" || exit 1",
        ] {
            let c = cmds(&format!("{guard}\nprisma migrate reset --force\n"));
            let p = c.iter().find(|c| c.program() == "prisma").unwrap();
            assert_eq!(p.host_guard.as_ref().map(|g| g.var.as_str()), Some("DATABASE_URL"), "{guard}");
        }
        // A check that does not refuse, or comes after, is no guard.
        for src in [
            "if [[ \"$DATABASE_URL\" == *localhost* ]]; then echo local; fi\nprisma migrate reset",
            "prisma migrate reset\n[[ \"$DATABASE_URL\" == *localhost* ]] || exit 1",
            "[[ -n \"$DATABASE_URL\" ]] || exit 1\nprisma migrate reset",
        ] {
            let c = cmds(src);
            let p = c.iter().find(|c| c.program() == "prisma").unwrap();
            assert!(p.host_guard.is_none(), "{src}");
        }
    }

    fn guard_of(src: &str) -> Option<String> {
        let c = cmds(src);
        let p = c.iter().find(|c| c.program() == "prisma").expect("prisma");
        p.host_guard.as_ref().map(|g| g.var.clone())
    }

    #[test]
    fn guards_must_really_refuse_non_local_databases() {
        let reset = "\nnpx prisma migrate reset --force\n";
        for not_a_guard in [
            // Refuses local databases instead.
            "if [[ \"$DATABASE_URL\" == *localhost* ]]; then echo refusing; exit 1; fi",
            "case \"$DATABASE_URL\" in *localhost*) exit 1 ;; esac",
            // The exit only leaves a subshell.
            "[[ \"$DATABASE_URL\" == *localhost* ]] || (echo refusing; exit 1)",
            // A confirmation prompt, not a refusal.
            "if [[ $DATABASE_URL != *localhost* ]]; then read -p 'Continue?' ok; [[ $ok == y ]] || exit 1; fi",
            // An escape hatch.
            "[[ \"$DATABASE_URL\" == *localhost* || \"${FORCE:-}\" == 1 ]] || exit 1",
            // Defined, never called.
            "check_local() { [[ \"$DATABASE_URL\" == *localhost* ]] || exit 1; }",
            // Only in one branch.
            "if [ -n \"$CI\" ]; then [[ \"$DATABASE_URL\" == *localhost* ]] || exit 1; fi",
            // check-url must refuse too, at the top level.
            "dbguard check-url \"$DATABASE_URL\" || echo 'not local, continuing'",
            "dbguard check-url \"$DATABASE_URL\"",
            "f() { dbguard check-url \"$DATABASE_URL\" || exit 1; }",
            "( dbguard check-url \"$DATABASE_URL\" || exit 1 )",
            // Another variable.
            "[[ \"$DATABASE_URL_TEST\" == *localhost* ]] || exit 1",
            "dbguard check-url \"$DATABASE_URL_TEST\" || exit 1",
        ] {
            assert_eq!(guard_of(&format!("{not_a_guard}{reset}")), None, "{not_a_guard}");
        }
        // A new value after the check voids it.
        let reassigned = "[[ \"$DATABASE_URL\" == *localhost* ]] || exit 1\nexport DATABASE_URL=\"$PROD_DATABASE_URL\"";
        assert_eq!(guard_of(&format!("{reassigned}{reset}")), None);
        // The checked variable is remembered, so a PGHOST check does not vouch for prisma.
        assert_eq!(
            guard_of(&format!(
                "if [[ \"$PGHOST\" != localhost ]]; then exit 1; fi{reset}"
            )),
            Some("PGHOST".into())
        );
        assert_eq!(
            guard_of(&format!("if [[ \"$DATABASE_URL\" == *localhost* ]]; then :; else echo no; exit 1; fi{reset}")),
            Some("DATABASE_URL".into())
        );
    }

    fn database_url(src: &str) -> Option<String> {
        let c = cmds(src);
        let p = c.iter().find(|c| c.program() == "prisma").expect("prisma");
        p.env_var("DATABASE_URL").map(|v| v.value().to_string())
    }

    #[test]
    fn branches_keep_the_worst_value_and_subshells_do_not_leak() {
        let local = "postgresql://postgres@localhost/app";
        let branchy = format!("if [[ \"$1\" == --prod ]]; then export DATABASE_URL=\"$PROD_DATABASE_URL\"\nelse export DATABASE_URL={local}; fi\nprisma migrate reset");
        assert_eq!(
            database_url(&branchy).as_deref(),
            Some("$PROD_DATABASE_URL")
        );
        let sub = format!("export DATABASE_URL={local}\n( export DATABASE_URL=\"$PROD_URL\" )\nprisma migrate reset");
        assert_eq!(database_url(&sub).as_deref(), Some(local));
        let later = format!(
            "export DATABASE_URL={local}\nexport DATABASE_URL=\"$PROD_URL\"\nprisma migrate reset"
        );
        assert_eq!(database_url(&later).as_deref(), Some("$PROD_URL"));
        // A sourced env file comes after the export, so it wins.
        let c = cmds(&format!(
            "export DATABASE_URL={local}\nsource .env.production\nprisma migrate reset"
        ));
        let p = c.iter().find(|c| c.program() == "prisma").unwrap();
        assert_eq!(
            p.ambient.last().map(|(n, v)| (n.as_str(), v.as_str())),
            Some((SOURCED, ".env.production"))
        );
        // A library script is not an env file.
        let c = cmds(&format!(
            "export DATABASE_URL={local}\n. ./scripts/lib.sh\nprisma migrate reset"
        ));
        assert!(c
            .iter()
            .find(|c| c.program() == "prisma")
            .unwrap()
            .ambient
            .iter()
            .all(|(n, _)| n != SOURCED));
    }

    #[test]
    fn more_places_commands_run() {
        let got = argvs(concat!(
            "trap 'dropdb -h \"$PGHOST\" acme' EXIT\n",
            "ls | xargs -n1 dropdb\n",
            "find backups -name '*.dump' -exec pg_restore --clean -d \"$DATABASE_URL\" {} \\;\n",
            "watch -n 60 redis-cli -h cache FLUSHDB\n",
            "concurrently -n db,web \"prisma db push --accept-data-loss\" \"next dev\" npm:lint\n",
            "nodemon --exec \"prisma db push --force-reset\"\n",
            "ssh deploy@db.prod <<'EOF'\nsudo -u postgres dropdb acme\nEOF\n",
            "cat <<EOF\nRun `prisma migrate reset --force` locally\nEOF\n",
            "command -v dropdb >/dev/null || exit 1\n",
        ));
        for want in [
            "dropdb -h $PGHOST acme",
            "dropdb",
            "pg_restore --clean -d $DATABASE_URL {}",
            "redis-cli -h cache FLUSHDB",
            "prisma db push --accept-data-loss",
            "next dev",
            "prisma db push --force-reset",
            "dropdb acme",
            "prisma migrate reset --force",
        ] {
            assert!(
                got.contains(&want.to_string()),
                "{want} missing from {got:?}"
            );
        }
        assert!(
            !got.iter().any(|c| c == "lint" || c.starts_with("npm:")),
            "{got:?}"
        );
        // A quoted heredoc is text.
        assert!(
            argvs("cat <<'EOF'\nRun `prisma migrate reset` locally\nEOF\n")
                .iter()
                .all(|c| !c.starts_with("prisma"))
        );
    }

    #[test]
    fn find_exec_nesting_is_bounded() {
        let src = format!("find {}dropdb x", "-exec find ".repeat(1000));
        let c = cmds(&src);
        assert!(c.iter().all(|c| c.program() != "dropdb"));
        assert!(cmds("find . -exec find . -exec dropdb x \\;")
            .iter()
            .any(|c| c.program() == "dropdb"));
    }

    #[test]
    fn compose_up_starts_a_database_only_if_it_names_one() {
        let started = |src: &str| {
            cmds(&format!("{src} && prisma migrate reset"))
                .last()
                .unwrap()
                .local_db_started
                .clone()
        };
        assert!(started("docker compose up -d").is_some());
        assert!(started("docker compose up -d postgres").is_some());
        assert!(started("docker-compose -f docker-compose.test.yml up -d db").is_some());
        assert!(started("docker compose up -d web").is_none());
        assert!(started("docker compose -f docker-compose.prod.yml up -d").is_none());
        assert!(started("supabase start").is_some());
        // Only a database started unconditionally, in this shell.
        assert!(started("f() { docker compose up -d; }").is_none());
        assert!(started("if [ -n \"$CI\" ]; then docker compose up -d db; fi").is_none());
        assert!(started("( docker compose up -d db )").is_none());
    }

    #[test]
    fn heredoc_and_herestring_are_stdin() {
        let c =
            cmds("mongosh \"$URL\" <<'JS'\ndb.dropDatabase()\nJS\nmongo <<< 'db.dropDatabase()'");
        assert_eq!(c[0].stdin_text(), Some("db.dropDatabase()\n"));
        assert_eq!(c[1].stdin_text(), Some("db.dropDatabase()"));
    }
}
