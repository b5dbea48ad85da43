//! JS/TS: strings and templates that are SQL by their call site become SQL fragments, mapped
//! byte for byte to the host file. Every `call_expression` is a candidate (one walk of the
//! tree; a query for "any call" costs more to compile than the walk) and its callee decides:
//! `<x>.query(…)`, `<x>.execute(…)`, `<x>.raw(…)` (only when the string starts with a SQL
//! statement), `prisma.$executeRaw*` / `$queryRaw*` (call or tag), `sql.unsafe(…)`, and
//! templates tagged `sql`, `Prisma.sql` or `<x>.sql`.
//!
//! Only the first argument is read. A string held in a name (`const Q = "…"`) is followed with
//! the shell extractor's name resolution ([`Facts`]); `"…" + x` concatenations are read part by
//! part; template substitutions and unknown operands become [`PLACEHOLDER`]. An argument that
//! is itself a tagged template (`db.execute(sql\`…\`)`) is the tag's fragment, not the call's.

use tree_sitter::Node;

use super::escape::decode_escape;
use super::javascript::{
    is_plus, parse, push_standing_for, unwrap_expr, unwrap_kinds, Facts, MAX_CONCAT_PARTS,
    MAX_RESOLVE_DEPTH,
};
use super::map::FragmentBuilder;
use crate::lang::JsDialect;
use crate::sql::{Origin, SqlFragment, PLACEHOLDER};

/// Methods whose first argument is SQL only when it reads as a statement (`router.query`,
/// `useCase.execute` and `res.raw` take other strings).
const GENERIC_METHODS: &[&str] = &[
    "query",
    "execute",
    "raw",
    // better-sqlite3
    "exec",
    "prepare",
    // pg-promise
    "none",
    "any",
    "many",
    "one",
    "oneOrNone",
    "manyOrNone",
    "result",
    "multi",
];
/// Prisma's raw methods: any string they get is SQL.
const PRISMA_METHODS: &[&str] = &[
    "$executeRaw",
    "$executeRawUnsafe",
    "$queryRaw",
    "$queryRawUnsafe",
];
/// Keys of a query-config object (`pool.query({ text: "…", values })`, mysql2's `{ sql }`,
/// sequelize's `{ query }`) that hold the SQL, for the generic methods.
const CONFIG_KEYS: &[&str] = &["text", "sql", "query"];

/// The callee inside what TypeScript's parser wraps it in: `await pool.query<Row>(…)` parses
/// with the `await` in the callee, `prisma.$queryRaw<T>`…`` as an instantiation expression.
fn unwrap_callee(node: Node) -> Node {
    unwrap_kinds(
        node,
        &[
            "await_expression",
            "non_null_expression",
            "instantiation_expression",
            "parenthesized_expression",
        ],
    )
}

/// How a call site decides that its string is SQL.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Site {
    /// Whatever it gets is SQL.
    Specific,
    /// Only a string that starts with a SQL statement.
    Generic,
}

pub fn extract(text: &str, dialect: JsDialect) -> Vec<SqlFragment> {
    extract_with_guards(text, dialect, &[])
}

/// [`extract`], knowing the configured guard functions: SQL run after a host guard (an `if`
/// that refuses a non-local database, a guard function) is marked `guarded`.
pub fn extract_with_guards(text: &str, dialect: JsDialect, guards: &[String]) -> Vec<SqlFragment> {
    let Some(tree) = parse(dialect, text) else {
        return Vec::new();
    };
    let root = tree.root_node();
    let guard_cx = super::javascript::GuardCx::new(root, text, guards);
    let facts = Facts::new(root, text, false);
    let mut out: Vec<SqlFragment> = Vec::new();
    let mut functions = None;
    for call in calls(root) {
        let (Some(callee), Some(args)) = (
            call.child_by_field_name("function"),
            call.child_by_field_name("arguments"),
        ) else {
            continue;
        };
        let tagged = args.kind() == "template_string";
        let mut callee = unwrap_callee(callee);
        // slonik: sql.type(schema)`…`, sql.typeAlias("id")`…`
        let typed_tag = tagged && callee.kind() == "call_expression";
        if typed_tag {
            match callee.child_by_field_name("function") {
                Some(f) => callee = unwrap_callee(f),
                None => continue,
            }
        }
        let (method, object) = match callee.kind() {
            "identifier" => (callee, None),
            "member_expression" => match callee.child_by_field_name("property") {
                Some(p) => (p, callee.child_by_field_name("object")),
                None => continue,
            },
            _ => continue,
        };
        let method = &text[method.byte_range()];
        let object = object.map(|o| &text[o.byte_range()]);
        let site = match method {
            "type" | "typeAlias" if typed_tag && object == Some("sql") => Site::Specific,
            _ if typed_tag => continue,
            // `sql` of postgres.js, slonik, drizzle, Prisma; `SQL` of sql-template-strings.
            "sql" | "SQL" if tagged => Site::Specific,
            // node-pg-migrate: `pgm.sql("…")` in a migration.
            "sql" if object == Some("pgm") => Site::Specific,
            "unsafe" if object == Some("sql") => Site::Specific,
            m if object.is_some() && PRISMA_METHODS.contains(&m) => Site::Specific,
            m if object.is_some() && GENERIC_METHODS.contains(&m) && !tagged => Site::Generic,
            _ => continue,
        };
        let mut b = FragmentBuilder::new();
        let literal = if tagged {
            push_string(args, text, &mut b)
        } else {
            let mut c = args.walk();
            let Some(first) = args.named_children(&mut c).find(|n| n.kind() != "comment") else {
                continue;
            };
            // `pool.query({ text: "…", values })`
            let config = (site == Site::Generic)
                .then(|| facts.object(first))
                .flatten();
            let first = match config {
                Some(config) => match CONFIG_KEYS.iter().find_map(|k| facts.property(config, k)) {
                    Some(v) => v,
                    None => continue,
                },
                None => first,
            };
            push_value(&facts, text, first, &mut b, 0)
        };
        if !literal {
            continue; // `pool.query(q)` with `q` unknown, `db.execute(sql\`…\`)`
        }
        let (sql, map) = b.finish();
        if sql.trim().is_empty() || (site == Site::Generic && !starts_statement(&sql)) {
            continue;
        }
        // One constant passed to several call sites is one piece of SQL in the host.
        if out.iter().any(|f| f.text == sql && f.map == map) {
            continue;
        }
        let functions = functions.get_or_insert_with(|| named_functions(root, text));
        let function = enclosing_function(functions, callee.start_byte());
        let callee = callee_name(&text[callee.byte_range()]);
        let generic = site == Site::Generic;
        let mut fragment = SqlFragment::new(
            sql,
            map,
            Origin::Js {
                callee,
                function,
                generic,
            },
        );
        fragment.guarded = super::javascript::guard_before(call, text, &guard_cx).map(|g| g.reason);
        out.push(fragment);
    }
    out
}

/// Every `call_expression` of the tree, in document order (one cursor walk).
fn calls(root: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    loop {
        let n = cursor.node();
        if n.kind() == "call_expression" {
            out.push(n);
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// The named functions of a file, as (byte range, name): `function down()`, `async down()`,
/// `down: async () => …`, `const down = …`, `exports.down = …`. One walk of the tree (asking a
/// node for its parent costs the depth of the tree in tree-sitter).
fn named_functions(root: Node, src: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let is_function = |n: Node| {
        matches!(
            n.kind(),
            "arrow_function" | "function_expression" | "function"
        )
    };
    let text = |n: Node| src[n.byte_range()].trim_matches(['"', '\'']).to_string();
    let mut out = Vec::new();
    let mut cursor = root.walk();
    loop {
        let n = cursor.node();
        match n.kind() {
            "function_declaration" | "generator_function_declaration" | "method_definition" => {
                if let Some(name) = n.child_by_field_name("name") {
                    out.push((n.byte_range(), text(name)));
                }
            }
            "variable_declarator" | "pair" | "assignment_expression" => {
                let (name, value) = match n.kind() {
                    "variable_declarator" => (
                        n.child_by_field_name("name"),
                        n.child_by_field_name("value"),
                    ),
                    "pair" => (n.child_by_field_name("key"), n.child_by_field_name("value")),
                    _ => (
                        n.child_by_field_name("left")
                            .map(|l| l.child_by_field_name("property").unwrap_or(l)),
                        n.child_by_field_name("right"),
                    ),
                };
                if let (Some(name), Some(value)) = (name, value.filter(|v| is_function(*v))) {
                    out.push((value.byte_range(), text(name)));
                }
            }
            "function_expression" | "function" => {
                if let Some(name) = n.child_by_field_name("name") {
                    out.push((n.byte_range(), text(name)));
                }
            }
            _ => {}
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// The innermost named function around byte `at`.
fn enclosing_function(functions: &[(std::ops::Range<usize>, String)], at: usize) -> Option<String> {
    functions
        .iter()
        .filter(|(r, _)| r.contains(&at))
        .max_by_key(|(r, _)| r.start)
        .map(|(_, name)| name.clone())
}

/// Appends the SQL value of `node`: literals as written (escapes decoded), names through their
/// binding, `a + b` part by part, anything else [`PLACEHOLDER`] standing at the expression.
/// Returns whether some of it is literal text.
fn push_value<'a>(
    facts: &Facts<'a>,
    src: &'a str,
    node: Node<'a>,
    b: &mut FragmentBuilder,
    depth: usize,
) -> bool {
    let node = unwrap_expr(node);
    match node.kind() {
        "string" | "template_string" => return push_string(node, src, b),
        "identifier" if depth < MAX_RESOLVE_DEPTH => {
            if let Some(value) = facts.lookup(node) {
                let mut inner = FragmentBuilder::new();
                if push_value(facts, src, value, &mut inner, depth + 1) {
                    let (text, map) = inner.finish();
                    if depth == 0 {
                        // The whole argument is the name: the SQL stands where it is written.
                        b.push_from(&text, &map, 0..text.len());
                    } else {
                        // A part (`"DELETE FROM " + TABLE`): it stands at the name, so that
                        // a statement's range stays at the call.
                        push_standing_for(b, &text, node.byte_range());
                    }
                    return true;
                }
            }
        }
        "binary_expression" if depth < MAX_RESOLVE_DEPTH && is_plus(node, src) => {
            return push_concat(facts, src, node, b, depth);
        }
        // `q += " WHERE id = $1"`, as a binding: the previous value, then the addition.
        "augmented_assignment_expression" if depth < MAX_RESOLVE_DEPTH => {
            let op = node
                .child_by_field_name("operator")
                .map(|o| &src[o.byte_range()]);
            if let (Some("+="), Some(left), Some(right)) = (
                op,
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                let l = push_value(facts, src, left, b, depth + 1);
                let r = push_value(facts, src, right, b, depth + 1);
                return l || r;
            }
        }
        _ => {}
    }
    push_standing_for(b, PLACEHOLDER, node.byte_range());
    false
}

/// `"DELETE FROM " + table + " WHERE id = 1"`: the operands in order (a flat walk: long chains
/// are left-nested). Past [`MAX_CONCAT_PARTS`] operators the rest of the chain is one
/// placeholder.
fn push_concat<'a>(
    facts: &Facts<'a>,
    src: &'a str,
    node: Node<'a>,
    b: &mut FragmentBuilder,
    depth: usize,
) -> bool {
    let mut literal = false;
    let mut stack = vec![node];
    let mut budget = MAX_CONCAT_PARTS;
    while let Some(n) = stack.pop() {
        let n = unwrap_expr(n);
        if n.kind() == "binary_expression" && is_plus(n, src) {
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
            push_standing_for(b, PLACEHOLDER, n.byte_range());
            continue;
        }
        literal |= push_value(facts, src, n, b, depth + 1);
    }
    literal
}

/// Appends a string or template literal's value: escapes decoded, each `${…}` one
/// [`PLACEHOLDER`] standing at the substitution. Returns false for a broken literal.
fn push_string(node: Node, src: &str, b: &mut FragmentBuilder) -> bool {
    let Some(inner) = super::quoted_inner(node, src) else {
        return false;
    };
    let (start, end) = (inner.start, inner.end);
    let mut pos = start;
    let mut c = node.walk();
    for child in node.named_children(&mut c) {
        let cr = child.byte_range();
        if cr.start < pos || cr.end > end {
            continue;
        }
        b.push_verbatim(&src[pos..cr.start], pos);
        match child.kind() {
            "escape_sequence" => b.push_decoded(&decode_escape(&src[cr.clone()]), cr.start),
            "template_substitution" => push_standing_for(b, PLACEHOLDER, cr.clone()),
            _ => b.push_verbatim(&src[cr.clone()], cr.start),
        }
        pos = cr.end;
    }
    b.push_verbatim(&src[pos..end], pos);
    true
}

/// The callee as written, without the line breaks of a chain (`knex\n  .raw` → `knex.raw`).
fn callee_name(written: &str) -> String {
    let mut out = String::with_capacity(written.len());
    let mut space = false;
    for c in written.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() && !out.ends_with(['.', '?']) && !matches!(c, '.' | '?') {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// What must follow a statement's first keyword for a generic call site's string to be SQL:
/// `"update available"` and `"delete"` are not statements.
#[derive(Clone, Copy)]
enum Follows {
    /// Nothing (`BEGIN`, `COMMIT`).
    Nothing,
    /// Some other token (`TRUNCATE users`, `SELECT 1`).
    Anything,
    /// The next word is one of these (`DROP TABLE`, `CREATE OR REPLACE`).
    NextWord(&'static [&'static str]),
    /// One of these words comes later (`UPDATE … SET`, `DELETE … FROM`).
    LaterWord(&'static [&'static str]),
    /// A dollar-quoted or quoted body (`DO $$ … $$`).
    Body,
}

/// What `CREATE`, `ALTER` and `DROP` act on.
const OBJECT_KINDS: &[&str] = &[
    "table",
    "schema",
    "database",
    "index",
    "view",
    "materialized",
    "function",
    "procedure",
    "trigger",
    "type",
    "extension",
    "sequence",
    "role",
    "user",
    "policy",
    "domain",
    "unique",
    "or",
    "temp",
    "temporary",
    "unlogged",
    "global",
    "local",
    "owned",
    "publication",
    "subscription",
    "rule",
    "aggregate",
    "collation",
    "cast",
    "operator",
    "server",
    "foreign",
    "event",
    "default",
    "tablespace",
    "group",
    "column",
    "constraint",
    "if",
    "routine",
    "statistics",
    "text",
    "conversion",
    "language",
    "access",
    "transform",
    "virtual",
    "recursive",
];

/// Statement keywords and what makes them a statement.
const STATEMENTS: &[(&str, Follows)] = &[
    ("select", Follows::Anything),
    ("insert", Follows::LaterWord(&["into"])),
    ("update", Follows::LaterWord(&["set"])),
    ("delete", Follows::LaterWord(&["from"])),
    ("truncate", Follows::Anything),
    ("drop", Follows::NextWord(OBJECT_KINDS)),
    ("alter", Follows::NextWord(OBJECT_KINDS)),
    ("create", Follows::NextWord(OBJECT_KINDS)),
    ("grant", Follows::LaterWord(&["to"])),
    ("revoke", Follows::LaterWord(&["from"])),
    ("with", Follows::LaterWord(&["as"])),
    ("merge", Follows::LaterWord(&["into"])),
    ("replace", Follows::LaterWord(&["into"])),
    ("comment", Follows::NextWord(&["on"])),
    ("refresh", Follows::NextWord(&["materialized"])),
    ("start", Follows::NextWord(&["transaction"])),
    ("do", Follows::Body),
    ("begin", Follows::Nothing),
    ("commit", Follows::Nothing),
    ("rollback", Follows::Nothing),
    ("savepoint", Follows::Anything),
    ("release", Follows::Anything),
    ("set", Follows::Anything),
    ("reset", Follows::Anything),
    ("show", Follows::Anything),
    ("explain", Follows::Anything),
    ("analyze", Follows::Nothing),
    ("vacuum", Follows::Nothing),
    ("reindex", Follows::Anything),
    ("copy", Follows::Anything),
    ("call", Follows::Anything),
    ("lock", Follows::Anything),
    ("listen", Follows::Anything),
    ("notify", Follows::Anything),
    ("prepare", Follows::Anything),
    ("deallocate", Follows::Anything),
    ("pragma", Follows::Anything),
];

/// Whether SQL text starts (after whitespace and comments) with a statement.
fn starts_statement(sql: &str) -> bool {
    let rest = skip_trivia(sql);
    let Some((word, rest)) = take_word(rest) else {
        return false;
    };
    let word = word.to_ascii_lowercase();
    let Some((_, follows)) = STATEMENTS.iter().find(|(k, _)| *k == word) else {
        return false;
    };
    let rest = skip_trivia(rest);
    let has_word = |list: &[&str], w: &str| list.iter().any(|k| k.eq_ignore_ascii_case(w));
    match follows {
        Follows::Nothing => true,
        Follows::Anything => !rest.is_empty() && !rest.starts_with(';'),
        Follows::NextWord(list) => take_word(rest).is_some_and(|(w, _)| has_word(list, w)),
        Follows::LaterWord(list) => words(rest).any(|w| has_word(list, w)),
        Follows::Body => {
            rest.starts_with(['$', '\''])
                || take_word(rest).is_some_and(|(w, _)| w.eq_ignore_ascii_case("language"))
        }
    }
}

/// Skips whitespace, `-- …` and `/* … */` comments.
fn skip_trivia(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(r) = s.strip_prefix("--") {
            s = r.find('\n').map_or("", |i| &r[i..]);
        } else if let Some(r) = s.strip_prefix("/*") {
            s = r.find("*/").map_or("", |i| &r[i + 2..]);
        } else {
            return s;
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A leading word of letters, digits and `_` that starts with a letter.
fn take_word(s: &str) -> Option<(&str, &str)> {
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = s.find(|c: char| !is_word_char(c)).unwrap_or(s.len());
    Some((&s[..end], &s[end..]))
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frags(src: &str) -> Vec<SqlFragment> {
        extract(src, JsDialect::TypeScript)
    }

    fn texts(src: &str) -> Vec<String> {
        frags(src).into_iter().map(|f| f.text).collect()
    }

    fn callees(src: &str) -> Vec<String> {
        frags(src)
            .into_iter()
            .map(|f| match f.origin {
                Origin::Js { callee, .. } => callee,
                o => panic!("{o:?}"),
            })
            .collect()
    }

    /// The host text of the first occurrence of `needle` in the fragment.
    fn host_of<'a>(src: &'a str, f: &SqlFragment, needle: &str) -> &'a str {
        let i = f.text.find(needle).expect(needle);
        &src[f.map.range_to_host(i..i + needle.len())]
    }

    #[test]
    fn every_call_site_form() {
        let src = r#"
pool.query("DELETE FROM a");
client.execute('DELETE FROM b');
knex.raw(`DELETE FROM c`);
sequelize.query("DELETE FROM d", { type: QueryTypes.DELETE });
await prisma.$executeRaw`DELETE FROM e`;
await prisma.$executeRawUnsafe("DELETE FROM f");
await prisma.$queryRaw`SELECT * FROM g`;
await prisma.$queryRawUnsafe("SELECT * FROM h");
await prisma.$executeRaw(Prisma.sql`DELETE FROM i`);
await sql`DELETE FROM j`;
await sql.unsafe("DELETE FROM k");
pgm.sql(`DELETE FROM x`);
db.none("DELETE FROM y");
await db.query(SQL`DELETE FROM z`);
await db.sql`DELETE FROM l`;
await pool.query(sql.typeAlias("void")`DELETE FROM o`);
db?.query("DELETE FROM m");
this.db.query("DELETE FROM n");
"#;
        assert_eq!(
            texts(src),
            [
                "DELETE FROM a",
                "DELETE FROM b",
                "DELETE FROM c",
                "DELETE FROM d",
                "DELETE FROM e",
                "DELETE FROM f",
                "SELECT * FROM g",
                "SELECT * FROM h",
                "DELETE FROM i",
                "DELETE FROM j",
                "DELETE FROM k",
                "DELETE FROM x",
                "DELETE FROM y",
                "DELETE FROM z",
                "DELETE FROM l",
                "DELETE FROM o",
                "DELETE FROM m",
                "DELETE FROM n",
            ]
        );
        assert_eq!(
            callees(src),
            [
                "pool.query",
                "client.execute",
                "knex.raw",
                "sequelize.query",
                "prisma.$executeRaw",
                "prisma.$executeRawUnsafe",
                "prisma.$queryRaw",
                "prisma.$queryRawUnsafe",
                "Prisma.sql",
                "sql",
                "sql.unsafe",
                "pgm.sql",
                "db.none",
                "SQL",
                "db.sql",
                "sql.typeAlias",
                "db?.query",
                "this.db.query",
            ]
        );
    }

    #[test]
    fn a_tag_inside_a_call_is_one_fragment() {
        let src =
            "await db.execute(sql`TRUNCATE users`);\nawait db.execute(sql.raw('DROP TABLE t'));";
        assert_eq!(texts(src), ["TRUNCATE users", "DROP TABLE t"]);
        assert_eq!(callees(src), ["sql", "sql.raw"]);
    }

    #[test]
    fn look_alikes_are_not_sql() {
        let src = r#"
router.query("delete");
const id = req.query.id;
const q = req.query("select");
useQuery("users");
$("select");
$("DELETE FROM users");
const s = "DELETE FROM users";
// pool.query("DROP TABLE users")
/* db.execute(`TRUNCATE users`) */
console.log("DELETE FROM users");
updates.query("update available");
command.execute("drop everything");
res.raw("create a user");
other.unsafe("DROP TABLE x");
query("DROP TABLE y");
String.raw`DROP TABLE z`;
sqlx`DROP TABLE w`;
pool.query(`${verb} FROM users`);
pool.query(unknownVariable);
"#;
        assert!(texts(src).is_empty(), "{:?}", texts(src));
        // Only the first argument is SQL.
        let src = r#"pool.query("SELECT 1", ["DROP TABLE second_argument"]);"#;
        assert_eq!(texts(src), ["SELECT 1"]);
    }

    #[test]
    fn generic_sites_need_a_statement_after_comments() {
        let src = r#"
pool.query("  -- wipe\n /* all */ TRUNCATE users");
pool.query("begin");
pool.query("Update users set a = 1");
pool.query("create or replace function f() returns void as $$ $$ language sql");
pool.query("do $$ begin end $$");
pool.query("do it now");
pool.query("insert coin");
"#;
        assert_eq!(
            texts(src),
            [
                "  -- wipe\n /* all */ TRUNCATE users",
                "begin",
                "Update users set a = 1",
                "create or replace function f() returns void as $$ $$ language sql",
                "do $$ begin end $$",
            ]
        );
        // Specific sites take any string.
        assert_eq!(texts("prisma.$queryRawUnsafe('users')"), ["users"]);
    }

    #[test]
    fn position_of_a_statement_in_a_multiline_template() {
        let src = "import { pool } from './db';\n\nexport async function reset() {\n  // wipe\n  await pool.query(`\n    BEGIN;\n    DROP TABLE users;\n    COMMIT;\n  `);\n}\n";
        let f = &frags(src)[0];
        let i = f.text.find("DROP").unwrap();
        let r = f.map.range_to_host(i..i + "DROP TABLE users".len());
        assert_eq!(&src[r.clone()], "DROP TABLE users");
        // Line 7 (1-based) of the host, column 5.
        let line = src[..r.start].matches('\n').count() + 1;
        let col = r.start - src[..r.start].rfind('\n').unwrap();
        assert_eq!((line, col), (7, 5));
        assert_eq!(src.lines().nth(4).unwrap(), "  await pool.query(`");
    }

    #[test]
    fn escapes_are_decoded_and_mapped() {
        let src = r#"pool.query("DELETE FROM \"Users\";\nDROP TABLE it\u0073 -- x\\y");"#;
        let f = &frags(src)[0];
        assert_eq!(f.text, "DELETE FROM \"Users\";\nDROP TABLE its -- x\\y");
        assert_eq!(host_of(src, f, "DROP TABLE it"), "DROP TABLE it");
        // A decoded escape maps to the escape's first byte.
        assert_eq!(host_of(src, f, "\"Users\""), "\\\"Users\\");
        let i = f.text.find("its").unwrap() + 2;
        assert_eq!(&src[f.map.to_host(i)..f.map.to_host(i) + 6], "\\u0073");
        let i = f.text.find('\\').unwrap();
        assert_eq!(&src[f.map.to_host(i)..f.map.to_host(i) + 2], "\\\\");
        let src = "pool.query('DELETE FROM o\\'brien')";
        let f = &frags(src)[0];
        assert_eq!(f.text, "DELETE FROM o'brien");
        assert_eq!(host_of(src, f, "brien"), "brien");
    }

    #[test]
    fn substitutions_are_placeholders() {
        let src = "await sql`DELETE FROM ${table} ${where}`;";
        let f = &frags(src)[0];
        assert_eq!(f.text, format!("DELETE FROM {PLACEHOLDER} {PLACEHOLDER}"));
        assert_eq!(host_of(src, f, PLACEHOLDER), "${table}");
        let i = f.text.rfind(PLACEHOLDER).unwrap();
        assert_eq!(f.map.to_host(i), src.find("${where}").unwrap());
        assert_eq!(host_of(src, f, "DELETE FROM "), "DELETE FROM ");
    }

    #[test]
    fn constants_and_concatenations() {
        let src = r#"
const WIPE = `TRUNCATE sessions`;
const TABLE = "users";
function a() { return pool.query(WIPE); }
function b(id) { return pool.query("DELETE FROM " + TABLE + " WHERE id = " + id); }
function c() { return prisma.$executeRawUnsafe(LATER); }
function d(t) { return db.query("DROP TABLE " + t); }
function e() { let q = "DELETE FROM logs"; q += " WHERE old"; return db.query(q); }
const LATER = 'DROP SCHEMA s';
"#;
        let fs = frags(src);
        let t: Vec<_> = fs.iter().map(|f| f.text.clone()).collect();
        assert_eq!(
            t,
            [
                "TRUNCATE sessions".to_string(),
                format!("DELETE FROM users WHERE id = {PLACEHOLDER}"),
                "DROP SCHEMA s".to_string(),
                format!("DROP TABLE {PLACEHOLDER}"),
                "DELETE FROM logs WHERE old".to_string(),
            ]
        );
        // A whole constant stands where it is written; a part stands at its name.
        assert_eq!(
            host_of(src, &fs[0], "TRUNCATE sessions"),
            "TRUNCATE sessions"
        );
        assert!(fs[0].map.to_host(0) < src.find("function a").unwrap());
        assert_eq!(host_of(src, &fs[1], "users"), "TABLE");
        assert_eq!(host_of(src, &fs[1], PLACEHOLDER), "id");
        assert_eq!(host_of(src, &fs[3], PLACEHOLDER), "t");
        assert_eq!(host_of(src, &fs[2], "DROP SCHEMA s"), "DROP SCHEMA s");
    }

    #[test]
    fn one_constant_used_twice_is_one_fragment() {
        let src = "const Q = 'TRUNCATE t';\npool.query(Q);\nclient.query(Q);";
        assert_eq!(texts(src), ["TRUNCATE t"]);
    }

    #[test]
    fn query_config_objects() {
        let src = r#"
pool.query({ text: "DELETE FROM a", values: [] });
conn.execute({ sql: 'DELETE FROM b', timeout: 5 });
router.query({ text: "delete" });
"#;
        assert_eq!(texts(src), ["DELETE FROM a", "DELETE FROM b"]);
    }

    #[test]
    fn typescript_and_tsx() {
        let src = r#"
const rows = await prisma.$queryRaw<User[]>`SELECT * FROM users`;
await pool.query<Row>("DELETE FROM t" as string);
const q = ("TRUNCATE x" satisfies string);
await db.query(q!);
const users = await sql<User[]>`DELETE FROM y`;
"#;
        assert_eq!(
            texts(src),
            [
                "SELECT * FROM users",
                "DELETE FROM t",
                "TRUNCATE x",
                "DELETE FROM y"
            ]
        );
        let tsx = r#"
export function Reset() {
  const onClick = async () => {
    await pool.query<Row>(`DROP TABLE users`);
    await prisma.$queryRaw<User[]>`DELETE FROM users`;
  };
  return <button onClick={onClick}>DELETE FROM users</button>;
}
"#;
        let f = extract(tsx, JsDialect::Tsx);
        assert_eq!(f.len(), 2);
        assert_eq!(host_of(tsx, &f[0], "DROP TABLE users"), "DROP TABLE users");
        assert_eq!(f[1].text, "DELETE FROM users");
        let js = "module.exports = async (knex) => knex\n  .raw('DROP TABLE t');";
        let f = extract(js, JsDialect::JavaScript);
        assert_eq!(f.len(), 1);
        assert!(matches!(&f[0].origin, Origin::Js { callee, .. } if callee == "knex.raw"));
    }

    #[test]
    fn broken_files_do_not_panic() {
        for src in [
            "pool.query(`DROP TABLE ${",
            "pool.query(\"DROP TABLE",
            "sql`",
            "prisma.$executeRaw(",
            "pool.query('\\",
            "sql`é${x}é`",
        ] {
            let _ = extract(src, JsDialect::TypeScript);
            let _ = extract(src, JsDialect::JavaScript);
        }
    }

    #[test]
    fn enclosing_function_names() {
        let functions = |src: &str| -> Vec<Option<String>> {
            frags(src)
                .into_iter()
                .map(|f| match f.origin {
                    Origin::Js { function, .. } => function,
                    _ => None,
                })
                .collect()
        };
        assert_eq!(
            functions("exports.down = async (knex) => { await knex.raw('DROP TABLE a'); };"),
            [Some("down".to_string())]
        );
        assert_eq!(
            functions(
                "module.exports = { async down(q) { await q.sequelize.query('DROP TABLE a'); } };"
            ),
            [Some("down".to_string())]
        );
        assert_eq!(
            functions("export async function up(db) { await db.execute(sql`DROP TABLE a`); }"),
            [Some("up".to_string())]
        );
        assert_eq!(functions("await pool.query('DROP TABLE a');"), [None]);
    }

    #[test]
    fn callee_names_drop_chain_line_breaks() {
        assert_eq!(callee_name("knex\n  .raw"), "knex.raw");
        assert_eq!(callee_name("db ?.query"), "db?.query");
        assert_eq!(callee_name("new  Db().query"), "new Db().query");
    }
}
