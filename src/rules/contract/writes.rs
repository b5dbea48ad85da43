//! What a script writes to a database, and which table each write touches where the code
//! names it. Shared by the contract rules.
//!
//! Each client is recognised by evidence, not by method name alone (`.create` and `.delete`
//! are everywhere: `Object.create`, `map.delete(k)`, `stripe.customers.create`):
//! - Prisma: `<client>.<delegate>.<write>(…)` where the client is named like a Prisma client
//!   (`prisma`, `this.prisma`, `ctx.prisma`), was built with `new PrismaClient` in the file, or
//!   is the parameter of a `$transaction(async (tx) => …)` callback; or the call has Prisma's
//!   argument shape (an object with `data`, `where` or `create`). The table is the delegate.
//! - knex and supabase-js: a chain that ends in `insert`/`update`/`upsert`/`del`/`delete`/
//!   `truncate` and starts at `knex('t')` (a knex-like name: `knex`, `db`, `trx`, `tx`, `…Db`)
//!   or at `.from('t')`/`.table('t')`/`.into('t')` (not `supabase.storage.from(bucket)`).
//! - drizzle: `db.insert(t)`, `db.update(t)`, `db.delete(t)` continued with `.values`/`.set`/
//!   `.where`/`.returning`/`.onConflict…`, or on a knex-like name in a file that names drizzle.
//!   The table is the one `pgTable('name', …)` (any `…Table(`) declares in the file, else the
//!   variable's name without a `Table` suffix.
//! - TypeORM: `save`/`insert`/`update`/`upsert`/`delete`/`remove`/`clear`/`softDelete` on
//!   `getRepository(E)` (called in place or held in a name), or, in a file that names TypeORM
//!   (`typeorm`, `DataSource`, `EntityManager`), on a `…manager` or `…Repository`/`…Repo`.
//! - Sequelize: `create`/`bulkCreate`/`update`/`destroy`/`truncate`/`upsert` on a PascalCase
//!   model (not a builtin such as `Object`), in a file that names sequelize, or as
//!   `models.User`/`db.User`, or with a `where` option (`destroy`, `update`), or `bulkCreate`.
//! - Raw SQL: `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `MERGE` and `COPY … FROM` at the SQL call
//!   sites of JS/TS (`$executeRaw*`, `pool.query`, `sql` tags…), in `psql -c`/heredocs/`-f FILE`,
//!   `prisma db execute`, and in the SQL file itself. Statements inside a `CREATE FUNCTION` body
//!   define a function and do not run. A `$executeRaw*` whose SQL cannot be read, and a
//!   `psql -f FILE` whose file cannot be read, count as a write to an unnamed table.

use std::collections::HashMap;
use std::ops::Range;

use squawk_syntax::ast::{self, AstNode};
use tree_sitter::Node;

use crate::fragment::javascript::{string_text, unwrap_expr, unwrap_kinds};
use crate::lang::FileKind;
use crate::rules::FileInput;
use crate::sql::{Origin, SqlContext, SqlFragment, TableName, PLACEHOLDER};

/// One database write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    /// Host range: the callee (`prisma.user.update`), the SQL statement, or the command.
    pub span: Range<usize>,
    /// The table as the code names it, when it does.
    pub table: Option<String>,
    /// The name is a model's or delegate's (`prisma.user`, `getRepository(User)`), which may
    /// be the singular of the table's.
    pub model: bool,
}

const PRISMA_WRITES: &[&str] = &[
    "create",
    "createMany",
    "createManyAndReturn",
    "update",
    "updateMany",
    "updateManyAndReturn",
    "upsert",
    "delete",
    "deleteMany",
];
const CHAIN_WRITES: &[&str] = &[
    "insert",
    "update",
    "upsert",
    "del",
    "delete",
    "truncate",
    "increment",
    "decrement",
];
const DRIZZLE_WRITES: &[&str] = &["insert", "update", "delete"];
const DRIZZLE_NEXT: &[&str] = &[
    "values",
    "set",
    "where",
    "returning",
    "onConflictDoNothing",
    "onConflictDoUpdate",
    "onDuplicateKeyUpdate",
];
const TYPEORM_WRITES: &[&str] = &[
    "save",
    "insert",
    "update",
    "upsert",
    "delete",
    "remove",
    "clear",
    "softDelete",
];
const SEQUELIZE_WRITES: &[&str] = &[
    "create",
    "bulkCreate",
    "update",
    "destroy",
    "truncate",
    "upsert",
];
const REPOSITORY_GETTERS: &[&str] = &[
    "getRepository",
    "getCustomRepository",
    "getTreeRepository",
    "getMongoRepository",
];
/// PascalCase globals that are not models.
const BUILTINS: &[&str] = &[
    "Object",
    "Array",
    "Map",
    "Set",
    "WeakMap",
    "WeakSet",
    "Promise",
    "Date",
    "JSON",
    "Math",
    "Reflect",
    "Buffer",
    "URL",
    "URLSearchParams",
    "Intl",
    "Symbol",
    "Proxy",
    "Error",
    "Number",
    "String",
    "Boolean",
    "BigInt",
    "React",
    "Prisma",
    "Response",
    "Request",
    "Headers",
    "FormData",
    "Blob",
    "File",
    "Event",
];

/// A SQL seed file: `seed.sql`, `seed-users.sql`, `seeds.sql` anywhere.
pub fn is_seed_sql(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.starts_with("seed") && name.ends_with(".sql")
}

/// The file is one the contract is about: a script (or a SQL seed), not a test.
pub fn is_candidate(input: &FileInput) -> bool {
    !input.config.contract.is_empty()
        && !input.is_test
        && (input.is_script || (input.kind == FileKind::Sql && is_seed_sql(input.rel)))
}

/// Every write of the file, in source order.
pub fn writes(input: &FileInput) -> Vec<Write> {
    let mut out = Vec::new();
    match input.kind {
        FileKind::Sql => {
            let text = input.text();
            let frag = SqlFragment::new(
                text.to_string(),
                crate::fragment::map::OffsetMap::linear(0, text.len()),
                Origin::File,
            );
            sql_writes(&frag, &mut out);
        }
        FileKind::Js(dialect) => {
            let raw_sql: Vec<SqlFragment> = crate::fragment::js_sql::extract(input.text(), dialect);
            for frag in &raw_sql {
                sql_writes(frag, &mut out);
            }
            if let Some(tree) = input.js_tree() {
                JsFile::new(tree.root_node(), input.text()).writes(&raw_sql, &mut out);
            }
        }
        _ => {}
    }
    command_writes(input, &mut out);
    out.sort_by_key(|w| (w.span.start, w.span.end));
    out.dedup_by(|a, b| a.span == b.span && a.table == b.table);
    out
}

/// `psql` / `prisma db execute` commands of the file (shell scripts, JS exec calls).
fn command_writes(input: &FileInput, out: &mut Vec<Write>) {
    let lookup = crate::sql::shell::FileLookup {
        host_dir: input.source.path.parent(),
        root: &input.config.root,
    };
    for cmd in input.commands() {
        if cmd.refused_in_test || cmd.args().iter().any(|w| w.text == "--help") {
            continue;
        }
        let frags = crate::sql::shell::fragments(cmd, &lookup);
        for frag in &frags {
            sql_writes(frag, out);
        }
        let names_file = cmd.program() == "psql"
            && cmd.args().iter().any(|w| {
                matches!(w.text.as_str(), "-f" | "--file") || w.text.starts_with("--file=")
            });
        let read_file = frags
            .iter()
            .any(|f| matches!(f.origin, Origin::ShellFile { .. }));
        if names_file && !read_file {
            out.push(Write {
                span: cmd.span.clone(),
                table: None,
                model: false,
            });
        }
    }
}

/// The data-changing statements of a SQL fragment.
fn sql_writes(frag: &SqlFragment, out: &mut Vec<Write>) {
    let parsed = crate::sql::parse(&frag.text);
    let cx = SqlContext::new(frag, &parsed, crate::sql::FileRole::default());
    let generic = matches!(frag.origin, Origin::Js { generic: true, .. });
    parsed.visit(&mut |node| {
        // A function body defines what a later call does; it does not run here.
        if node.in_function().is_some() {
            return;
        }
        let Some(tables) = written_tables(&node.node) else {
            return;
        };
        let span = node.range();
        // `x.query("…")` is SQL only when it reads as a statement.
        if generic && cx.statement_has_errors(span.start) {
            return;
        }
        let span = frag.to_host(span);
        if tables.is_empty() {
            out.push(Write {
                span: span.clone(),
                table: None,
                model: false,
            });
        }
        for table in tables {
            out.push(Write {
                span: span.clone(),
                table,
                model: false,
            });
        }
    });
}

/// The tables a statement writes (`None` inside: named at run time), or `None` when it does
/// not write.
fn written_tables(node: &squawk_syntax::SyntaxNode) -> Option<Vec<Option<String>>> {
    let name = |n: Option<&squawk_syntax::SyntaxNode>| -> Option<String> {
        let t = TableName::from_path(&crate::sql::compact(n?))?;
        (!t.name.contains(PLACEHOLDER)).then_some(t.name)
    };
    if let Some(i) = ast::Insert::cast(node.clone()) {
        return Some(vec![name(
            i.relation_name_ref().as_ref().map(|r| r.syntax()),
        )]);
    }
    if let Some(u) = ast::Update::cast(node.clone()) {
        return Some(vec![name(u.relation_name().as_ref().map(|r| r.syntax()))]);
    }
    if let Some(d) = ast::Delete::cast(node.clone()) {
        return Some(vec![name(d.relation_name().as_ref().map(|r| r.syntax()))]);
    }
    if let Some(m) = ast::Merge::cast(node.clone()) {
        return Some(vec![name(
            m.table_relation_name().as_ref().map(|r| r.syntax()),
        )]);
    }
    if let Some(t) = ast::Truncate::cast(node.clone()) {
        let tables: Vec<Option<String>> = t
            .table_list()
            .map(|l| l.syntax().children().map(|c| name(Some(&c))).collect())
            .unwrap_or_default();
        return Some(tables);
    }
    if let Some(c) = ast::Copy::cast(node.clone()) {
        let text = crate::sql::compact(c.syntax()).to_ascii_lowercase();
        let from = text.split_whitespace().any(|w| w == "from");
        if c.copy_query().is_some() || !from {
            return None;
        }
        let table = c.copy_table().and_then(|t| t.table_name_ref());
        return Some(vec![name(table.as_ref().map(|t| t.syntax()))]);
    }
    None
}

/// The callee inside `await`, `x!`, `x<T>` and parentheses.
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

/// A string literal's value (a template only without substitutions).
fn literal(node: Node, src: &str) -> Option<String> {
    let node = unwrap_expr(node);
    match node.kind() {
        "string" => Some(string_text(node, src).0),
        "template_string" => {
            let mut c = node.walk();
            let dynamic = node
                .named_children(&mut c)
                .any(|n| n.kind() == "template_substitution");
            (!dynamic).then(|| string_text(node, src).0)
        }
        _ => None,
    }
}

fn args(call: Node) -> Vec<Node> {
    let Some(a) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    if a.kind() != "arguments" {
        return Vec::new();
    }
    let mut c = a.walk();
    a.named_children(&mut c)
        .filter(|n| n.kind() != "comment")
        .collect()
}

/// The last name of `a.b.c` / `this.c` / `c`.
fn last_name<'s>(node: Node, src: &'s str) -> Option<&'s str> {
    let node = unwrap_expr(node);
    match node.kind() {
        "identifier" => Some(&src[node.byte_range()]),
        "member_expression" => node
            .child_by_field_name("property")
            .map(|p| &src[p.byte_range()]),
        _ => None,
    }
}

fn is_pascal(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.any(|c| c.is_ascii_lowercase())
        && !BUILTINS.contains(&name)
}

/// Names knex and drizzle clients are given: `knex`, `db`, `trx`, `tx`, `adminDb`.
fn is_db_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    matches!(l.as_str(), "db" | "tx" | "trx" | "database" | "k")
        || l.contains("knex")
        || l.ends_with("db")
        || l.ends_with("trx")
}

fn has_key(object: Node, src: &str, keys: &[&str]) -> bool {
    let object = unwrap_expr(object);
    if object.kind() != "object" {
        return false;
    }
    let mut c = object.walk();
    let found = object.named_children(&mut c).any(|p| {
        let key = match p.kind() {
            "pair" => p.child_by_field_name("key").map(|k| &src[k.byte_range()]),
            "shorthand_property_identifier" => Some(&src[p.byte_range()]),
            _ => None,
        };
        key.is_some_and(|k| keys.contains(&k.trim_matches(['"', '\''])))
    });
    found
}

/// What a JS/TS file declares that tells its clients apart.
struct JsFile<'a> {
    src: &'a str,
    calls: Vec<Node<'a>>,
    /// Names bound to `new PrismaClient(…)` and `$transaction` callback parameters.
    prisma_clients: Vec<&'a str>,
    /// `const repo = ds.getRepository(User)`: name → entity.
    repositories: HashMap<&'a str, String>,
    /// `const users = pgTable('users', …)`: name → table.
    tables: HashMap<&'a str, String>,
    sequelize: bool,
    drizzle: bool,
    typeorm: bool,
}

impl<'a> JsFile<'a> {
    fn new(root: Node<'a>, src: &'a str) -> JsFile<'a> {
        let lower = src.to_ascii_lowercase();
        let mut f = JsFile {
            src,
            calls: Vec::new(),
            prisma_clients: Vec::new(),
            repositories: HashMap::new(),
            tables: HashMap::new(),
            sequelize: lower.contains("sequelize"),
            drizzle: lower.contains("drizzle"),
            typeorm: lower.contains("typeorm")
                || lower.contains("datasource")
                || lower.contains("entitymanager"),
        };
        let mut declarators = Vec::new();
        crate::fragment::preorder(root, |node| match node.kind() {
            "call_expression" => f.calls.push(node),
            "variable_declarator" => declarators.push(node),
            _ => {}
        });
        for d in declarators {
            f.declarator(d);
        }
        for call in f.calls.clone() {
            f.transaction_param(call);
        }
        f
    }

    fn text(&self, node: Node) -> &'a str {
        &self.src[node.byte_range()]
    }

    fn declarator(&mut self, d: Node<'a>) {
        let (Some(name), Some(value)) = (
            d.child_by_field_name("name"),
            d.child_by_field_name("value"),
        ) else {
            return;
        };
        if name.kind() != "identifier" {
            return;
        }
        let name = self.text(name);
        let value = unwrap_callee(unwrap_expr(value));
        if self.text(value).contains("new PrismaClient") {
            self.prisma_clients.push(name);
            return;
        }
        if value.kind() != "call_expression" {
            return;
        }
        let Some(callee) = value.child_by_field_name("function").map(unwrap_callee) else {
            return;
        };
        let Some(method) = last_name(callee, self.src) else {
            return;
        };
        let first = args(value).into_iter().next();
        if REPOSITORY_GETTERS.contains(&method) {
            let entity = first.and_then(|a| {
                literal(a, self.src).or_else(|| last_name(a, self.src).map(str::to_string))
            });
            self.repositories.insert(name, entity.unwrap_or_default());
        } else if method.ends_with("Table") {
            if let Some(table) = first.and_then(|a| literal(a, self.src)) {
                self.tables.insert(name, table);
            }
        }
    }

    /// `prisma.$transaction(async (tx) => …)`: `tx` is a client.
    fn transaction_param(&mut self, call: Node<'a>) {
        let Some(callee) = call.child_by_field_name("function").map(unwrap_callee) else {
            return;
        };
        if last_name(callee, self.src) != Some("$transaction") {
            return;
        }
        let Some(f) = args(call).into_iter().next() else {
            return;
        };
        let param = match f.kind() {
            "arrow_function" => f.child_by_field_name("parameter").or_else(|| {
                f.child_by_field_name("parameters")
                    .and_then(|p| p.named_child(0))
            }),
            "function_expression" | "function" => f
                .child_by_field_name("parameters")
                .and_then(|p| p.named_child(0)),
            _ => None,
        };
        let param = param.map(|p| p.child_by_field_name("pattern").unwrap_or(p));
        if let Some(p) = param.filter(|p| p.kind() == "identifier") {
            self.prisma_clients.push(self.text(p));
        }
    }

    fn is_prisma_client(&self, node: Node) -> bool {
        last_name(node, self.src).is_some_and(|n| {
            n.to_ascii_lowercase().contains("prisma") || self.prisma_clients.contains(&n)
        })
    }

    fn writes(&self, raw_sql: &[SqlFragment], out: &mut Vec<Write>) {
        for &call in &self.calls {
            if let Some(w) = self.call_write(call, raw_sql) {
                out.push(w);
            }
        }
    }

    fn call_write(&self, call: Node<'a>, raw_sql: &[SqlFragment]) -> Option<Write> {
        let callee = unwrap_callee(call.child_by_field_name("function")?);
        if callee.kind() != "member_expression" {
            return None;
        }
        let method = self.text(callee.child_by_field_name("property")?);
        let object = unwrap_callee(callee.child_by_field_name("object")?);
        let args = args(call);
        let write = |table: Option<String>, model: bool| {
            Some(Write {
                span: callee.byte_range(),
                table,
                model,
            })
        };
        // `prisma.$executeRaw…`: its SQL is read as SQL; one that cannot be read still writes.
        if method.starts_with("$executeRaw") {
            let call_range = call.byte_range();
            let seen = raw_sql.iter().any(|f| {
                matches!(f.origin, Origin::Js { .. }) && call_range.contains(&f.to_host(0..0).start)
            });
            return if seen { None } else { write(None, false) };
        }
        let first = args.first().copied();
        // Prisma: `<client>.<delegate>.<write>(…)`.
        if PRISMA_WRITES.contains(&method) && object.kind() == "member_expression" {
            let delegate = self.text(object.child_by_field_name("property")?);
            let client = object.child_by_field_name("object")?;
            let lower_first = delegate
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase());
            if lower_first {
                let shaped = first
                    .is_some_and(|a| has_key(a, self.src, &["data", "where", "create"]))
                    || (method == "deleteMany" && args.is_empty());
                if shaped || self.is_prisma_client(client) {
                    return write(Some(delegate.to_string()), true);
                }
            }
        }
        // knex / supabase-js chains.
        if CHAIN_WRITES.contains(&method) {
            if let Some(table) = self.chain_table(object) {
                return write(Some(table), false);
            }
            // knex names the table after the write too: `db.insert(row).into('payments')`.
            let on_knex = last_name(object, self.src).is_some_and(is_db_name);
            if on_knex {
                if let Some(table) = self.table_after(call) {
                    return write(Some(table), false);
                }
            }
        }
        // knex: `db.batchInsert('events', rows, 100)`.
        if method == "batchInsert" && last_name(object, self.src).is_some_and(is_db_name) {
            return write(first.and_then(|a| literal(a, self.src)), false);
        }
        // drizzle: `db.insert(users).values(…)`.
        if DRIZZLE_WRITES.contains(&method) && args.len() == 1 {
            let arg = unwrap_expr(args[0]);
            if matches!(arg.kind(), "identifier" | "member_expression") {
                let chained = call
                    .parent()
                    .filter(|p| p.kind() == "member_expression")
                    .and_then(|p| p.child_by_field_name("property"))
                    .is_some_and(|p| DRIZZLE_NEXT.contains(&self.text(p)));
                let db = last_name(object, self.src).is_some_and(is_db_name);
                if db && (chained || self.drizzle) {
                    let var = last_name(arg, self.src)?;
                    return match self.tables.get(var) {
                        Some(t) => write(Some(t.clone()), false),
                        None => {
                            let t = var.strip_suffix("Table").filter(|t| !t.is_empty());
                            write(Some(t.unwrap_or(var).to_string()), true)
                        }
                    };
                }
            }
        }
        // TypeORM repositories and managers.
        if TYPEORM_WRITES.contains(&method) {
            if let Some(entity) = self.repository(object) {
                let entity = Some(entity).filter(|e| !e.is_empty());
                return write(entity, true);
            }
            let recv = last_name(object, self.src)
                .unwrap_or("")
                .to_ascii_lowercase();
            if self.typeorm && recv.ends_with("manager") {
                let entity = first
                    .and_then(|a| last_name(a, self.src))
                    .filter(|n| is_pascal(n) && args.len() > 1 || method == "clear");
                return write(entity.map(str::to_string), true);
            }
            if self.typeorm && (recv.ends_with("repository") || recv.ends_with("repo")) {
                return write(None, true);
            }
        }
        // Sequelize models.
        if SEQUELIZE_WRITES.contains(&method) {
            let model = last_name(object, self.src).filter(|n| is_pascal(n))?;
            let of_models = object.kind() == "member_expression"
                && object
                    .child_by_field_name("object")
                    .and_then(|o| last_name(o, self.src))
                    .is_some_and(|o| matches!(o, "models" | "db"));
            let with_where = args
                .iter()
                .any(|a| has_key(*a, self.src, &["where", "truncate"]));
            if self.sequelize
                || of_models
                || method == "bulkCreate"
                || (with_where && matches!(method, "destroy" | "update"))
            {
                return write(Some(model.to_string()), true);
            }
        }
        None
    }

    /// The entity of a TypeORM repository: `getRepository(User)` in place or held in a name.
    fn repository(&self, object: Node<'a>) -> Option<String> {
        match object.kind() {
            "identifier" => self.repositories.get(self.text(object)).cloned(),
            "call_expression" => {
                let callee = unwrap_callee(object.child_by_field_name("function")?);
                if !REPOSITORY_GETTERS.contains(&last_name(callee, self.src)?) {
                    return None;
                }
                let first = args(object).into_iter().next()?;
                literal(first, self.src).or_else(|| last_name(first, self.src).map(str::to_string))
            }
            _ => None,
        }
    }

    /// The table named later in a knex chain: `….into('t')`, `….table('t')`.
    fn table_after(&self, call: Node<'a>) -> Option<String> {
        let member = call.parent().filter(|p| p.kind() == "member_expression")?;
        let prop = self.text(member.child_by_field_name("property")?);
        if !matches!(prop, "into" | "table") {
            return None;
        }
        let next = member.parent().filter(|p| p.kind() == "call_expression")?;
        args(next)
            .into_iter()
            .next()
            .and_then(|a| literal(a, self.src))
    }

    /// The table a knex or supabase-js chain starts at: `knex('users')…`, `db('t')…`,
    /// `supabase.from('users')…`, `knex.table('t')`, `knex.into('t')`.
    fn chain_table(&self, mut node: Node<'a>) -> Option<String> {
        for _ in 0..32 {
            node = unwrap_callee(node);
            if node.kind() != "call_expression" {
                return None;
            }
            let callee = unwrap_callee(node.child_by_field_name("function")?);
            let first = args(node).into_iter().next();
            match callee.kind() {
                "identifier" => {
                    return first
                        .and_then(|a| literal(a, self.src))
                        .filter(|_| is_db_name(self.text(callee)));
                }
                "member_expression" => {
                    let prop = self.text(callee.child_by_field_name("property")?);
                    let inner = unwrap_callee(callee.child_by_field_name("object")?);
                    if matches!(prop, "from" | "table" | "into") {
                        if let Some(t) = first.and_then(|a| literal(a, self.src)) {
                            // `supabase.storage.from('avatars')` is a bucket; `Buffer.from('x')`
                            // and `Array.from('x')` are not tables.
                            let storage = last_name(inner, self.src) == Some("storage");
                            let global = inner.kind() == "identifier"
                                && is_pascal(self.text(inner))
                                || matches!(self.text(inner), "Buffer" | "Array");
                            return (!storage && !global).then_some(t);
                        }
                    }
                    node = inner;
                }
                _ => return None,
            }
        }
        None
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Config;
    use crate::lang::JsDialect;
    use crate::source::SourceFile;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    /// The tables a snippet writes (`?` for an unnamed one), as a script under `rel`.
    pub(crate) fn tables_at(rel: &str, src: &str) -> Vec<String> {
        let config = Config::default_at(PathBuf::from("/repo"));
        let kind = if rel.ends_with(".sql") {
            FileKind::Sql
        } else if rel.ends_with(".sh") {
            FileKind::Shell
        } else {
            FileKind::Js(JsDialect::TypeScript)
        };
        let source = SourceFile::new(
            rel.to_string(),
            Path::new("/repo").join(rel),
            Arc::from(src),
        );
        let input = FileInput::new(&source, kind, rel, &config, false, true);
        writes(&input)
            .into_iter()
            .map(|w| w.table.unwrap_or_else(|| "?".into()))
            .collect()
    }

    fn tables(src: &str) -> Vec<String> {
        tables_at("scripts/x.ts", src)
    }

    #[test]
    fn prisma_writes() {
        assert_eq!(
            tables("await prisma.user.update({ where: { id }, data: { email } });"),
            ["user"]
        );
        assert_eq!(
            tables("await this.prisma.userProfile.deleteMany();"),
            ["userProfile"]
        );
        assert_eq!(
            tables("await prisma.$transaction(async (t) => { await t.post.createMany({ data }); await t.post.findMany(); });"),
            ["post"]
        );
        assert_eq!(
            tables("const client = new PrismaClient();\nawait client.service.upsert(args);"),
            ["service"]
        );
        assert_eq!(
            tables("await db.account.delete({ where: { id } });"),
            ["account"]
        );
        // Reads and look-alikes.
        assert!(tables("await prisma.user.findMany({ where: { id } });").is_empty());
        assert!(tables("const o = Object.create(proto); map.delete(k); set.clear();").is_empty());
        assert!(
            tables("document.createElement('div'); stripe.customers.create({ email });").is_empty()
        );
        assert!(tables("await stripe.customers.update(id, { email });").is_empty());
    }

    #[test]
    fn raw_sql_writes() {
        assert_eq!(
            tables("await prisma.$executeRaw`UPDATE \"User\" SET email = lower(email) WHERE id = ${id}`;"),
            ["User"]
        );
        assert_eq!(tables("await prisma.$executeRawUnsafe(query);"), ["?"]);
        assert!(tables("await prisma.$queryRaw`SELECT * FROM users`;").is_empty());
        assert_eq!(
            tables("await pool.query('INSERT INTO public.users (id) VALUES ($1)', [id]);"),
            ["users"]
        );
        assert_eq!(
            tables("await pool.query(`TRUNCATE sessions, tokens`);"),
            ["sessions", "tokens"]
        );
        assert!(tables("await pool.query('SELECT * FROM users WHERE id = $1', [id]);").is_empty());
        assert!(tables("router.query('update the page');").is_empty());
    }

    #[test]
    fn knex_supabase_drizzle() {
        assert_eq!(
            tables("await knex('users').where({ id }).update({ email });"),
            ["users"]
        );
        assert_eq!(tables("await db('sessions').del();"), ["sessions"]);
        assert_eq!(tables("await trx.into('audit').insert(row);"), ["audit"]);
        assert_eq!(
            tables("await db.insert({ a: 1 }).into('payments');"),
            ["payments"]
        );
        assert_eq!(
            tables("await db.batchInsert('events', rows, 100);"),
            ["events"]
        );
        assert_eq!(
            tables("await db('accounts').increment('balance', 10);"),
            ["accounts"]
        );
        assert_eq!(
            tables("await supabase.from('profiles').update({ name }).eq('id', id);"),
            ["profiles"]
        );
        assert_eq!(
            tables("await supabase.from('profiles').delete().eq('id', id);"),
            ["profiles"]
        );
        assert!(tables("await supabase.from('profiles').select('*').eq('id', id);").is_empty());
        assert!(tables("await supabase.storage.from('avatars').remove([path]); await supabase.storage.from('avatars').update(path, file);").is_empty());
        assert!(
            tables("const h = createHash('sha256').update(data); Buffer.from('x').update;")
                .is_empty()
        );
        assert_eq!(
            tables("import { users } from './schema';\nawait db.insert(users).values(row);"),
            ["users"]
        );
        assert_eq!(
            tables("const usersTable = pgTable('app_users', {});\nawait db.update(usersTable).set({ a }).where(eq(usersTable.id, 1));"),
            ["app_users"]
        );
        assert_eq!(
            tables(
                "import { drizzle } from 'drizzle-orm/node-postgres';\nawait db.delete(sessions);"
            ),
            ["sessions"]
        );
        assert!(
            tables("cache.delete(key); seen.delete(id); await db.select().from(users);").is_empty()
        );
    }

    #[test]
    fn typeorm_and_sequelize() {
        assert_eq!(
            tables("const repo = AppDataSource.getRepository(User);\nawait repo.save(user);"),
            ["User"]
        );
        assert_eq!(
            tables("await dataSource.getRepository(Order).delete({ id });"),
            ["Order"]
        );
        assert_eq!(
            tables("import { DataSource } from 'typeorm';\nawait ds.manager.delete(Session, { expired: true });"),
            ["Session"]
        );
        assert!(tables("await cacheManager.delete(key);").is_empty());
        assert_eq!(
            tables("const { Sequelize } = require('sequelize');\nawait User.bulkCreate(rows); await User.destroy({ where: { id } });"),
            ["User", "User"]
        );
        assert_eq!(tables("await db.User.create({ name });"), ["User"]);
        assert!(tables("const x = Object.create(null); const el = Foo.create({ a });").is_empty());
    }

    #[test]
    fn shell_and_sql_files() {
        assert_eq!(
            tables_at(
                "scripts/fix.sh",
                "psql \"$DATABASE_URL\" -c \"UPDATE services SET active = false WHERE id = 3\"\n"
            ),
            ["services"]
        );
        assert_eq!(
            tables_at(
                "scripts/load.sh",
                "psql \"$DATABASE_URL\" -f ./missing.sql\n"
            ),
            ["?"]
        );
        assert!(tables_at(
            "scripts/report.sh",
            "psql \"$DATABASE_URL\" -c 'SELECT count(*) FROM users'\n"
        )
        .is_empty());
        assert!(tables_at("scripts/deploy.sh", "npx prisma migrate deploy\n").is_empty());
        assert_eq!(
            tables_at(
                "supabase/seed.sql",
                "INSERT INTO plans (id) VALUES (1);\nCOPY prices FROM stdin;\nCOPY users TO stdout;\nCREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM logs; END $$ LANGUAGE plpgsql;\n"
            ),
            ["plans", "prices"]
        );
        assert!(is_seed_sql("supabase/seed.sql"));
        assert!(is_seed_sql("db/seeds-dev.sql"));
        assert!(!is_seed_sql("db/schema.sql"));
    }
}
