//! SQL: the fragments of a repository that are SQL — a `.sql` file, a JS/TS string that is SQL
//! by its call site (`pool.query(…)`, `sql\`…\``), the `-c` string or heredoc fed to `psql`, the
//! file named by `psql -f` — parsed with `squawk-syntax` (squawk's error-tolerant Postgres
//! parser). PL/pgSQL and SQL function bodies are parsed too, so a `DELETE` inside a function is
//! seen with the function's name.

pub mod context;
pub mod shell;

use std::ops::Range;

use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SourceFile, SyntaxNode};

use crate::fragment::map::OffsetMap;
use crate::target::Target;

pub use context::{FileRole, SqlContext};

/// What a template substitution (`${id}`) or a concatenated non-literal becomes in SQL text:
/// an identifier, so that the statement still parses, and recognisably not the user's.
pub const PLACEHOLDER: &str = "__dbguard_param__";

/// A piece of SQL with a map back to the host file.
#[derive(Debug, Clone)]
pub struct SqlFragment {
    pub text: String,
    pub map: OffsetMap,
    pub origin: Origin,
    /// Why the code refuses a non-local database before this runs (a JS/TS host guard).
    pub guarded: Option<String>,
}

/// Where a SQL fragment came from: it decides severities (a test's own database, a local
/// `psql`) and how findings point back at the host.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A `.sql` file.
    File,
    /// A JS/TS string or template passed to a SQL call site (`callee` as written:
    /// `pool.query`, `prisma.$executeRawUnsafe`, the `sql` tag).
    Js {
        callee: String,
        /// The name of the function the call sits in (`down` of a migration module).
        function: Option<String>,
        /// A call site that is SQL only if the text reads as SQL (`x.query(…)`, as opposed to
        /// `prisma.$executeRaw` or a `sql` tag): only statements that parse cleanly count.
        generic: bool,
    },
    /// `psql -c "…"`, a heredoc fed to `psql`, `prisma db execute --stdin`.
    Shell { command: String, target: Target },
    /// `psql -f FILE` / `prisma db execute --file FILE`: the statements of another file;
    /// findings point at the command (`span`, host range) and name the file.
    ShellFile {
        command: String,
        target: Target,
        file: String,
        span: Range<usize>,
    },
}

impl SqlFragment {
    pub fn new(text: String, map: OffsetMap, origin: Origin) -> SqlFragment {
        SqlFragment {
            text,
            map,
            origin,
            guarded: None,
        }
    }

    /// Maps a range of this fragment's text to the host file.
    pub fn to_host(&self, r: Range<usize>) -> Range<usize> {
        match &self.origin {
            Origin::ShellFile { span, .. } => span.clone(),
            _ => self.map.range_to_host(r),
        }
    }
}

/// One syntax node a rule looks at, with where it sits: top level, or inside the body of a
/// function (`function` names it) or of a `DO` block.
pub struct SqlNode<'a> {
    pub node: SyntaxNode,
    /// The function whose body holds the node (`None` at top level and in `DO` blocks, which
    /// run where they stand).
    pub function: Option<&'a str>,
    /// Maps a range of the node's tree to the fragment's text.
    pub(crate) to_fragment: &'a dyn Fn(rowan::TextRange) -> rowan::TextRange,
}

impl SqlNode<'_> {
    /// The function whose body holds the node: a `$$ … $$` body (parsed separately) or a SQL
    /// standard `BEGIN ATOMIC … END` body (part of the statement's own tree).
    pub fn in_function(&self) -> Option<String> {
        if let Some(f) = self.function {
            return Some(f.to_string());
        }
        self.node.ancestors().skip(1).find_map(|a| {
            if let Some(f) = ast::CreateFunction::cast(a.clone()) {
                return f.name().map(|n| n.syntax().text().to_string());
            }
            ast::CreateProcedure::cast(a)
                .and_then(|p| p.name().map(|n| n.syntax().text().to_string()))
        })
    }

    /// The node's range in fragment text, from its first non-trivia token.
    pub fn range(&self) -> Range<usize> {
        self.range_of(&self.node)
    }

    /// Any node of the same tree, in fragment text.
    pub fn range_of(&self, node: &SyntaxNode) -> Range<usize> {
        let r = node.text_range();
        let start = node
            .children_with_tokens()
            .find(|x| !x.kind().is_trivia())
            .map(|x| x.text_range().start())
            .unwrap_or(r.start());
        let r = (self.to_fragment)(rowan::TextRange::new(start, r.end()));
        usize::from(r.start())..usize::from(r.end())
    }
}

/// A parsed fragment: the tree and the function bodies found in it.
pub struct Parsed {
    pub parse: squawk_syntax::Parse<SourceFile>,
    pub tree: SourceFile,
    bodies: Vec<ParsedBody>,
}

struct ParsedBody {
    root: SyntaxNode,
    function: Option<String>,
    /// Decoded body offsets → fragment offsets.
    map: RangeMap,
}

type RangeMap = Box<dyn Fn(rowan::TextRange) -> rowan::TextRange>;

pub fn parse(text: &str) -> Parsed {
    let mysql = backticks_to_quotes(text);
    let parse = SourceFile::parse(mysql.as_deref().unwrap_or(text));
    let tree = parse.tree();
    let bodies = collect_bodies(tree.syntax());
    Parsed {
        parse,
        tree,
        bodies,
    }
}

/// The bodies of the functions, procedures and `DO` blocks of a tree (one level: a body's own
/// nested bodies stay string literals).
fn collect_bodies(root: &SyntaxNode) -> Vec<ParsedBody> {
    let mut out = Vec::new();
    for node in root.descendants() {
        let (function, plpgsql, sql) = if let Some(f) = ast::CreateFunction::cast(node.clone()) {
            let name = f.name().map(|p| p.syntax().text().to_string());
            // A `CREATE FUNCTION` defines its body; it does not run it.
            (Some(name.unwrap_or_default()), f.plpgsql(), f.sql_body())
        } else if let Some(p) = ast::CreateProcedure::cast(node.clone()) {
            let name = p.name().map(|p| p.syntax().text().to_string());
            (Some(name.unwrap_or_default()), p.plpgsql(), p.sql_body())
        } else if let Some(d) = ast::Do::cast(node.clone()) {
            (None, d.plpgsql(), None)
        } else {
            continue;
        };
        if let Some(body) = plpgsql {
            let root = body.syntax();
            let map: RangeMap = Box::new(move |r| body.source_range(r));
            out.push(ParsedBody {
                root,
                function: function.clone(),
                map,
            });
        }
        if let Some(body) = sql {
            let root = body.syntax();
            let map: RangeMap = Box::new(move |r| body.source_range(r));
            out.push(ParsedBody {
                root,
                function,
                map,
            });
        }
    }
    out
}

impl Parsed {
    /// Calls `f` on every node of the tree and of every function body.
    pub fn visit(&self, f: &mut dyn FnMut(&SqlNode)) {
        let identity = |r: rowan::TextRange| r;
        for node in self.tree.syntax().descendants() {
            f(&SqlNode {
                node,
                function: None,
                to_fragment: &identity,
            });
        }
        for body in &self.bodies {
            for node in body.root.descendants() {
                f(&SqlNode {
                    node,
                    function: body.function.as_deref(),
                    to_fragment: &*body.map,
                });
            }
        }
    }
}

/// A table's name as written (`public.users`, `"Users"`), and the key it is compared by:
/// lowercased unless quoted, quotes removed, `public.` dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableName {
    pub schema: Option<String>,
    pub name: String,
}

impl TableName {
    /// From a dotted path's text (`public."Users"`).
    pub fn from_path(text: &str) -> Option<TableName> {
        let parts = split_path(text);
        let (schema, name) = match parts.as_slice() {
            [name] => (None, name.clone()),
            [.., schema, name] => (Some(schema.clone()), name.clone()),
            [] => return None,
        };
        if name.is_empty() {
            return None;
        }
        Some(TableName { schema, name })
    }

    /// The schema, `public` when unqualified.
    pub fn schema_or_public(&self) -> &str {
        self.schema.as_deref().unwrap_or("public")
    }

    /// The key tables are matched by across files: `schema.name`, `public` when unqualified.
    pub fn key(&self) -> String {
        format!("{}.{}", self.schema_or_public(), self.name)
    }

    pub fn display(&self) -> String {
        shown(&match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        })
    }
}

/// When a SQL string (`'…'`), quoted name (`"…"`) or comment (`-- …`, `/* … */`) starts at
/// byte `i`, the index of its last byte (or of the end of the text).
pub(crate) fn skip_literal(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    match b[i] {
        q @ (b'\'' | b'"') => {
            j += 1;
            while j < b.len() && b[j] != q {
                j += 1;
            }
        }
        b'-' if b.get(i + 1) == Some(&b'-') => {
            while j < b.len() && b[j] != b'\n' {
                j += 1;
            }
        }
        b'/' if b.get(i + 1) == Some(&b'*') => {
            j += 2;
            while j + 1 < b.len() && !(b[j] == b'*' && b[j + 1] == b'/') {
                j += 1;
            }
            j += 1;
        }
        _ => return None,
    }
    Some(j)
}

/// MySQL quotes names with backticks (Prisma's MySQL migrations, PlanetScale): the same text
/// with each backtick outside strings and comments turned into a double quote, byte for byte,
/// so that the Postgres parser reads the names and offsets stay the same. `None` when there is
/// no backtick.
fn backticks_to_quotes(text: &str) -> Option<String> {
    if !text.contains('`') {
        return None;
    }
    let mut out = text.as_bytes().to_vec();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = skip_literal(b, i) {
            i = end;
        } else if b[i] == b'`' {
            out[i] = b'"';
        }
        i += 1;
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(out).ok()
}

/// How deeply SQL may nest (parentheses, brackets, a run of `NOT`s) before it is not parsed:
/// the parser's tree building is quadratic in depth, and real SQL nests a few dozen levels.
pub const MAX_DEPTH: usize = 1000;

/// The statements of `text` nested deeper than [`MAX_DEPTH`], blanked out (every byte but line
/// breaks becomes a space, so offsets stay the same), and why; `None` when nothing is too deep.
/// Statements end at `;`; strings, quoted names and comments do not count.
pub fn blank_too_deep(text: &str) -> Option<(String, String)> {
    let b = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut deepest = 0usize;
    let (mut start, mut depth, mut max, mut nots, mut max_nots) = (0usize, 0usize, 0, 0, 0);
    let mut finish = |start: usize, end: usize, level: usize, out: &mut Option<Vec<u8>>| {
        if level > MAX_DEPTH {
            deepest = deepest.max(level);
            let o = out.get_or_insert_with(|| b.to_vec());
            for byte in &mut o[start..end] {
                if *byte != b'\n' {
                    *byte = b' ';
                }
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = skip_literal(b, i) {
            i = end + 1;
            continue;
        }
        match b[i] {
            b'(' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            b';' => {
                finish(start, i, max.max(max_nots), &mut out);
                (start, depth, max, nots, max_nots) = (i + 1, 0, 0, 0, 0);
            }
            c if c.is_ascii_alphabetic() => {
                let word = i;
                while i + 1 < b.len() && (b[i + 1].is_ascii_alphanumeric() || b[i + 1] == b'_') {
                    i += 1;
                }
                if b[word..=i].eq_ignore_ascii_case(b"not") {
                    nots += 1;
                    max_nots = max_nots.max(nots);
                } else {
                    nots = 0;
                }
            }
            _ => {}
        }
        i += 1;
    }
    finish(start, b.len(), max.max(max_nots), &mut out);
    let blanked = String::from_utf8(out?).ok()?;
    Some((
        blanked,
        format!("SQL nested {deepest} levels deep (more than {MAX_DEPTH}): that statement is not parsed"),
    ))
}

/// Why some of `text` is not parsed (see [`blank_too_deep`]).
pub fn too_deep(text: &str) -> Option<String> {
    blank_too_deep(text).map(|(_, why)| why)
}

/// Text for messages: a placeholder shows as `${…}`.
pub fn shown(text: &str) -> String {
    text.replace(PLACEHOLDER, "${…}")
}

/// Splits `a."B c".d` into normalized identifiers: quoted ones keep their case. Keywords that
/// precede or follow a relation name (`ONLY t`, `t *`) are dropped.
fn split_path(text: &str) -> Vec<String> {
    // The last whitespace-separated word (outside quotes) that is not a keyword is the path.
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c.is_whitespace() && !quoted {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    // `a . b` (spaces around the dot) is one path.
    let mut joined: Vec<String> = Vec::new();
    for w in words {
        match joined.last_mut() {
            Some(last) if last.ends_with('.') || w.starts_with('.') => last.push_str(&w),
            _ => joined.push(w),
        }
    }
    let path = joined
        .into_iter()
        .rfind(|w| {
            !matches!(
                w.to_ascii_lowercase().as_str(),
                "only" | "*" | "if" | "exists" | "table"
            )
        })
        .unwrap_or_default();
    let text = path.as_str();
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut cur)),
            c if c.is_whitespace() && !quoted => {}
            c if quoted => cur.push(c),
            c => cur.push(c.to_ascii_lowercase()),
        }
    }
    parts.push(cur);
    parts
}

/// The table a `CREATE TABLE` / `CREATE TABLE … AS` statement creates, and whether it is
/// temporary.
pub fn created_table(node: &SyntaxNode) -> Option<(TableName, bool)> {
    use squawk_syntax::SyntaxKind;
    if !matches!(
        node.kind(),
        SyntaxKind::CREATE_TABLE | SyntaxKind::CREATE_TABLE_AS
    ) {
        return None;
    }
    let name = node
        .children()
        .find(|c| c.kind() == SyntaxKind::TABLE_NAME)?;
    let table = TableName::from_path(&compact(&name))?;
    // Everything between CREATE and the name: `TEMP`, `TEMPORARY`, `LOCAL TEMP`, `UNLOGGED`.
    let head = node
        .children_with_tokens()
        .take_while(|e| e.kind() != SyntaxKind::TABLE_NAME)
        .map(|e| e.to_string().to_ascii_lowercase())
        .collect::<String>();
    let temporary = head.contains("temp");
    Some((table, temporary))
}

/// The text of a node without comments, whitespace collapsed.
pub fn compact(node: &SyntaxNode) -> String {
    let mut s = String::new();
    for t in node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        if t.kind().is_trivia() {
            if !s.ends_with(' ') && !s.is_empty() {
                s.push(' ');
            }
            continue;
        }
        s.push_str(t.text());
    }
    s.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_normalize() {
        let t = TableName::from_path("public.\"Users\"").unwrap();
        assert_eq!(t.key(), "public.Users");
        assert_eq!(TableName::from_path("USERS").unwrap().key(), "public.users");
        assert_eq!(
            TableName::from_path("auth . users").unwrap().key(),
            "auth.users"
        );
        assert_eq!(
            TableName::from_path("\"a.b\"").unwrap().name,
            "a.b".to_string()
        );
        assert_eq!(
            TableName::from_path("ONLY public.\"Task\"").unwrap().key(),
            "public.Task"
        );
        assert_eq!(
            TableName::from_path("users *").unwrap().key(),
            "public.users"
        );
        assert_eq!(
            TableName::from_path("tenant___dbguard_param___events")
                .unwrap()
                .display(),
            "tenant_${…}_events"
        );
    }

    #[test]
    fn mysql_backticks_are_quoted_names() {
        let sql = "ALTER TABLE `User` DROP COLUMN `bio`; -- `x`\nSELECT '`a`';";
        assert_eq!(
            backticks_to_quotes(sql).unwrap(),
            "ALTER TABLE \"User\" DROP COLUMN \"bio\"; -- `x`\nSELECT '`a`';"
        );
        assert!(backticks_to_quotes("select 1").is_none());
        let p = parse("DELETE FROM `Session`;");
        assert!(p.parse.errors().is_empty());
    }

    #[test]
    fn nesting_budget() {
        assert!(too_deep("select ((1));").is_none());
        let deep = format!("select {}1{};", "(".repeat(1001), ")".repeat(1001));
        assert!(too_deep(&deep).unwrap().contains("1001 levels"));
        // Parentheses in strings and comments do not count.
        let quoted = format!("select '{}'; -- {}\n", "(".repeat(2000), "(".repeat(2000));
        assert!(too_deep(&quoted).is_none());
        assert!(too_deep(&format!("select {} true;", "not ".repeat(1200))).is_some());
        assert!(too_deep(&format!("select {}", "1 + ".repeat(5000))).is_none());
        // Only the deep statement is blanked; the next one stays.
        let text = format!("select {};\nDROP TABLE t;", "(".repeat(1500));
        let (blanked, why) = blank_too_deep(&text).unwrap();
        assert_eq!(blanked.len(), text.len());
        assert!(blanked.ends_with(";\nDROP TABLE t;"), "{blanked:?}");
        assert!(blanked.starts_with("       ") && why.contains("1500 levels"));
    }

    #[test]
    fn function_bodies_map_to_fragment_text() {
        let sql = "create function wipe() returns void language plpgsql as $$\nbegin\n  delete from t;\nend $$;";
        let p = parse(sql);
        let mut found = Vec::new();
        p.visit(&mut |n| {
            if ast::Delete::can_cast(n.node.kind()) {
                found.push((n.function.map(str::to_string), n.range()));
            }
        });
        assert_eq!(found.len(), 1);
        let (func, r) = &found[0];
        assert_eq!(func.as_deref(), Some("wipe"));
        assert_eq!(&sql[r.clone()], "delete from t");
    }
}
