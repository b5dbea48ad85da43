use tree_sitter::Node;

use super::js::{literal_string, preorder};
use crate::fragment::javascript::unwrap_expr;
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "missing-environment-guard",
    category: Category::Environment,
    severity: Severity::Error,
    summary: "A script creates a database client without calling the project's environment guard first",
    help: "call a guard from `[guards] functions` before the client is created or first used",
    literals: &[
        "client",
        "pool",
        "knex",
        "drizzle",
        "postgres",
        "createconnection",
        "sequelize",
        "datasource",
    ],
    doc: RuleDoc {
        what: "Only when `[guards] functions` names the project's guard functions (such as `assertLocalDatabase`): a script (`[files] scripts`) that creates a database client (`new PrismaClient(…)`, `createClient(…)` from `@supabase/supabase-js`, `new Pool(…)`/`new Client(…)` from `pg` or `@neondatabase/serverless`, `knex(…)`, `drizzle(…)`, `postgres(…)`, `mysql.createConnection(…)`/`createPool(…)`, `new Sequelize(…)`, `new DataSource(…)` from `typeorm`, `new MongoClient(…)`) and calls none of the guards before the client is created or first used. A guard counts when it is called in the file before that point, by name (`assertLocalDatabase()`, defined in the file or imported) or through an imported namespace (`guards.assertLocalDatabase()`); one defined and never called does not. The call must be able to run: at the top level, or in a function that is exported or referred to (called, or passed on as in `main().catch(…)` or `run(main)`) from code that can run itself, followed through helpers and callbacks; not in the dead branch of `if (false)`, and not in a function the file never refers to (`function unused() { assertLocalDatabase(); }`). The finding is at the client's creation.\n\nOrder is the order of the text: a guard called at the top of `main()` counts for a client created at module level and first used in `main()`.",
        why: "One-off scripts (cleanups, backfills, debug helpers) run with whatever `DATABASE_URL` the shell or `.env` holds. When the project has a function that refuses to run against production, a script that skips it is the one that writes fake users or deletes rows in production.",
        example: "// scripts/debug-user.ts\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nawait prisma.user.create({ data: { email: 'debug@example.test' } });",
        instead: "Call the guard first: `assertLocalDatabase(); const prisma = new PrismaClient();`, or at the top of `main()` before the client is used.",
    },
};

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        let guards: Vec<&str> = input
            .config
            .guard_functions
            .iter()
            .map(|g| g.rsplit('.').next().unwrap_or(g))
            .collect();
        if guards.is_empty() || !input.is_script {
            return;
        }
        let Some(tree) = input.js_tree() else { return };
        let src = input.text();
        let root = tree.root_node();
        let modules = imported_modules(root, src);
        let mut creations = Vec::new();
        let mut guard_calls = Vec::new();
        let mut identifiers = Vec::new();
        // Identifiers and `{ name }` shorthands: where functions are referred to.
        let mut references = Vec::new();
        preorder(root, |node| match node.kind() {
            "new_expression" | "call_expression" => {
                if let Some(what) = client_creation(node, src, &modules) {
                    creations.push((node, what));
                }
                if node.kind() == "call_expression" && is_guard_call(node, src, &guards) {
                    guard_calls.push(node);
                }
            }
            "identifier" => {
                identifiers.push(node);
                references.push(node);
            }
            "shorthand_property_identifier" => references.push(node),
            _ => {}
        });
        // A guard counts only where it can run: not in `if (false)`, not in a function the
        // file never refers to.
        let guard_calls: Vec<usize> = guard_calls
            .into_iter()
            .filter(|call| can_run(*call, src, &references, 0))
            .map(|call| call.start_byte())
            .collect();
        for (node, what) in creations {
            let deadline = match binding(node, src) {
                Some((name, declared)) => identifiers
                    .iter()
                    .find(|i| {
                        i.start_byte() >= node.end_byte()
                            && *i != &declared
                            && &src[i.byte_range()] == name
                    })
                    .map_or(node.start_byte(), |i| i.start_byte()),
                None => node.start_byte(),
            };
            if guard_calls.iter().any(|at| *at < deadline) {
                continue;
            }
            out.push(FileHit {
                severity: META.severity,
                message: format!(
                    "{what} creates a database client and no guard ({}) is called before it is used",
                    guards
                        .iter()
                        .map(|g| format!("`{g}()`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                span: node.byte_range(),
                help: Some(format!(
                    "call `{}()` before the client is created or first used",
                    guards[0]
                )),
            });
        }
    }
}

/// How deep [`can_run`] follows a function to the places that refer to it.
const MAX_CALL_DEPTH: usize = 6;

/// A guard under this condition does not run in production, or an escape variable turns it
/// off: `if (NODE_ENV !== 'production') guard()`, `if (process.env.ALLOW_REMOTE !== '1')
/// guard()`. (`if (NODE_ENV !== 'test') guard()` runs in production: it counts.)
fn skipped_somewhere_that_matters(cond: &str, in_consequence: bool) -> bool {
    let prod = cond.contains("'production'")
        || cond.contains("\"production\"")
        || cond.contains("'prod'")
        || cond.contains("\"prod\"");
    let negated = cond.contains("!==") || cond.contains("!=");
    let escape = ["ALLOW_", "SKIP_", "FORCE", "BYPASS", "DISABLE", "I_KNOW"]
        .iter()
        .any(|w| cond.contains(w));
    escape || (prod && negated == in_consequence)
}

/// Whether the code at `node` can run when the script runs: true at the top level, false in
/// the dead branch of `if (false)`/`if (true) … else`, and in a function only when the
/// function is exported or referred to (called, or passed on as in `main().catch(…)`,
/// `run(main)`) somewhere outside its own body that can run itself. Callbacks and
/// immediately invoked functions run when their call does. Shapes it does not follow (class
/// methods, functions stored in objects) count as running, as every guard did before.
fn can_run(node: Node, src: &str, references: &[Node], depth: usize) -> bool {
    if depth > MAX_CALL_DEPTH {
        return true;
    }
    let mut child = node;
    while let Some(parent) = child.parent() {
        match parent.kind() {
            "if_statement" => {
                let condition = parent.child_by_field_name("condition").map(|c| {
                    let c = unwrap_expr(c);
                    src[c.byte_range()].trim()
                });
                let constant = match condition {
                    Some("false" | "0" | "null" | "undefined" | "!1" | "!true") => Some(false),
                    Some("true" | "1" | "!0" | "!false") => Some(true),
                    _ => None,
                };
                let branch = if parent.child_by_field_name("consequence") == Some(child) {
                    Some(true)
                } else if parent.child_by_field_name("alternative") == Some(child) {
                    Some(false)
                } else {
                    None
                };
                if let (Some(c), Some(b)) = (constant, branch) {
                    if c != b {
                        return false;
                    }
                }
                // `if (process.env.NODE_ENV !== 'production') assertLocalDatabase()`: the
                // environment decides whether the guard runs, and the one where it does not
                // is the one that matters.
                if let (Some(c), Some(b)) = (condition, branch) {
                    if skipped_somewhere_that_matters(c, b) {
                        return false;
                    }
                }
            }
            "function_declaration" | "generator_function_declaration" => {
                let name = parent.child_by_field_name("name");
                return name.is_some_and(|n| is_referred(parent, n, src, references, depth));
            }
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                // Where the function value goes, through `(…)` and `as T`.
                let mut value = parent;
                while let Some(p) = value.parent().filter(|p| {
                    matches!(
                        p.kind(),
                        "parenthesized_expression" | "as_expression" | "satisfies_expression"
                    )
                }) {
                    value = p;
                }
                let Some(holder) = value.parent() else {
                    return true;
                };
                match holder.kind() {
                    // `(async () => { … })()`: runs when the call does.
                    "call_expression" if holder.child_by_field_name("function") == Some(value) => {
                        child = holder;
                        continue;
                    }
                    // A callback: `main().then(() => …)`, `run(async () => …)`.
                    "arguments" => {
                        child = holder;
                        continue;
                    }
                    "variable_declarator" => {
                        let name = holder
                            .child_by_field_name("name")
                            .filter(|n| n.kind() == "identifier");
                        return match name {
                            Some(n) => is_referred(parent, n, src, references, depth),
                            None => true,
                        };
                    }
                    _ => return true,
                }
            }
            "method_definition" | "class_body" => return true,
            _ => {}
        }
        child = parent;
    }
    true
}

/// The function declared as `name` is exported, or referred to outside its own body from
/// code that can run.
fn is_referred(function: Node, name: Node, src: &str, references: &[Node], depth: usize) -> bool {
    let mut up = function.parent();
    for _ in 0..3 {
        match up {
            Some(p) if p.kind() == "export_statement" => return true,
            Some(p) => up = p.parent(),
            None => break,
        }
    }
    let text = &src[name.byte_range()];
    let body = function.byte_range();
    references.iter().any(|r| {
        *r != name
            && !(body.start <= r.start_byte() && r.end_byte() <= body.end)
            && &src[r.byte_range()] == text
            && can_run(*r, src, references, depth + 1)
    })
}

/// The modules the file imports or requires.
fn imported_modules<'s>(root: Node, src: &'s str) -> Vec<&'s str> {
    let mut out = Vec::new();
    preorder(root, |node| match node.kind() {
        "import_statement" => {
            if let Some(m) = node
                .child_by_field_name("source")
                .and_then(|s| literal_string(s, src))
            {
                out.push(m);
            }
        }
        "call_expression" => {
            let is_require = node
                .child_by_field_name("function")
                .is_some_and(|f| matches!(&src[f.byte_range()], "require" | "import"));
            let first = node
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0));
            if let (true, Some(m)) = (is_require, first.and_then(|f| literal_string(f, src))) {
                out.push(m);
            }
        }
        _ => {}
    });
    out
}

/// What `node` creates, as it reads in a message (`new PrismaClient()`), if it is a client.
fn client_creation(node: Node, src: &str, modules: &[&str]) -> Option<String> {
    let imports = |m: &str| modules.contains(&m);
    let imports_prefix = |p: &str| modules.iter().any(|x| x.starts_with(p));
    if node.kind() == "new_expression" {
        let constructor = node.child_by_field_name("constructor")?;
        let text = &src[constructor.byte_range()];
        let class = text.rsplit('.').next()?;
        let ok = match class {
            "PrismaClient" | "Sequelize" => true,
            "Pool" | "Client" => imports("pg") || imports("@neondatabase/serverless"),
            "DataSource" => imports("typeorm"),
            "MongoClient" => imports("mongodb"),
            _ => false,
        };
        return ok.then(|| format!("`new {text}()`"));
    }
    let function = node.child_by_field_name("function")?;
    let (name, object) = match function.kind() {
        "identifier" => (&src[function.byte_range()], None),
        "member_expression" => (
            &src[function.child_by_field_name("property")?.byte_range()],
            function.child_by_field_name("object"),
        ),
        // `require("knex")({ … })`
        "call_expression" => {
            let inner = function.child_by_field_name("function")?;
            let first = function.child_by_field_name("arguments")?.named_child(0)?;
            let module = literal_string(first, src)?;
            return (&src[inner.byte_range()] == "require"
                && matches!(module, "knex" | "postgres"))
            .then(|| format!("`require('{module}')()`"));
        }
        _ => return None,
    };
    let ok = match name {
        "createClient" => imports("@supabase/supabase-js"),
        "knex" | "Knex" => object.is_none() && imports("knex"),
        "drizzle" => object.is_none() && imports_prefix("drizzle-orm"),
        "postgres" => object.is_none() && imports("postgres"),
        "createConnection" | "createPool" => {
            object.is_some_and(|o| src[o.byte_range()].to_ascii_lowercase().contains("mysql"))
                && imports_prefix("mysql")
        }
        _ => false,
    };
    ok.then(|| format!("`{}()`", &src[function.byte_range()]))
}

/// `guard()` or `ns.guard()` for a configured guard name.
fn is_guard_call(call: Node, src: &str, guards: &[&str]) -> bool {
    let Some(function) = call.child_by_field_name("function") else {
        return false;
    };
    let function = unwrap_expr(function);
    let name = match function.kind() {
        "identifier" => &src[function.byte_range()],
        "member_expression" => match function.child_by_field_name("property") {
            Some(p) => &src[p.byte_range()],
            None => return false,
        },
        _ => return false,
    };
    guards.contains(&name)
}

/// The variable the client is stored in (`const prisma = new PrismaClient()`,
/// `prisma = await knex(…)`), with the identifier that declares it.
fn binding<'t>(creation: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)> {
    let mut node = creation;
    for _ in 0..8 {
        let parent = node.parent()?;
        match parent.kind() {
            "await_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => node = parent,
            "variable_declarator" => {
                let name = parent.child_by_field_name("name")?;
                return (name.kind() == "identifier").then(|| (&src[name.byte_range()], name));
            }
            "assignment_expression" => {
                let left = parent.child_by_field_name("left")?;
                return (left.kind() == "identifier").then(|| (&src[left.byte_range()], left));
            }
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::js::testing::{run, spans, Setup};
    use super::*;

    const SCRIPT: Setup = Setup {
        rel: "scripts/debug-user.ts",
        toml: "[guards]\nfunctions = [\"assertLocalDatabase\"]\n",
        is_test: false,
        is_script: true,
    };

    fn found(src: &str) -> Vec<String> {
        spans(&Rule, &SCRIPT, src)
    }

    #[test]
    fn clients_without_a_guard() {
        for (src, want) in [
            ("import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nawait prisma.user.findMany();", "new PrismaClient()"),
            ("import { createClient } from '@supabase/supabase-js';\nconst sb = createClient(url, key);", "createClient(url, key)"),
            ("import pg from 'pg';\nconst pool = new pg.Pool({ connectionString });", "new pg.Pool({ connectionString })"),
            ("const { Client } = require('pg');\nconst c = new Client();\nawait c.connect();", "new Client()"),
            ("import knex from 'knex';\nconst db = knex(config);", "knex(config)"),
            ("const db = require('knex')({ client: 'pg' });", "require('knex')({ client: 'pg' })"),
            ("import { drizzle } from 'drizzle-orm/node-postgres';\nconst db = drizzle(pool);", "drizzle(pool)"),
            ("import postgres from 'postgres';\nconst sql = postgres(url);", "postgres(url)"),
            ("import mysql from 'mysql2/promise';\nconst conn = await mysql.createConnection(url);", "mysql.createConnection(url)"),
            ("import { Sequelize } from 'sequelize';\nconst s = new Sequelize(url);", "new Sequelize(url)"),
            ("import { DataSource } from 'typeorm';\nconst ds = new DataSource(opts);", "new DataSource(opts)"),
            // Defined, never called.
            ("function assertLocalDatabase() {}\nconst prisma = new PrismaClient();\nprisma.user.count();", "new PrismaClient()"),
            // Called after the client is used.
            ("const prisma = new PrismaClient();\nasync function main() {\n  await prisma.user.deleteMany();\n  assertLocalDatabase();\n}", "new PrismaClient()"),
        ] {
            assert_eq!(found(src), [want], "{src}");
        }
        let hits = run(&Rule, &SCRIPT, "const prisma = new PrismaClient();");
        assert_eq!(
            hits[0].2,
            "`new PrismaClient()` creates a database client and no guard (`assertLocalDatabase()`) is called before it is used"
        );
    }

    #[test]
    fn guarded_clients_and_look_alikes() {
        for src in [
            "import { assertLocalDatabase } from '../lib/guards';\nassertLocalDatabase();\nconst prisma = new PrismaClient();",
            "import * as guards from '../lib/guards';\nguards.assertLocalDatabase();\nconst prisma = new PrismaClient();",
            "const prisma = new PrismaClient();\nasync function main() {\n  assertLocalDatabase();\n  await prisma.user.deleteMany();\n}\nmain();",
            "import { createClient } from 'redis';\nconst r = createClient();",
            "const pool = new Pool({ max: 4 });",
            "const ds = new DataSource(opts);",
            "const c = new Client({ intents: [] });",
            "// const prisma = new PrismaClient();",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }

    #[test]
    fn guards_that_cannot_run() {
        for src in [
            "if (false) assertLocalDatabase();\nconst prisma = new PrismaClient();",
            "if (process.env.NODE_ENV !== 'production') assertLocalDatabase();\nconst prisma = new PrismaClient();",
            "if (process.env.ALLOW_REMOTE !== '1') assertLocalDatabase();\nconst prisma = new PrismaClient();",
            "if (true) {\n  console.log('start');\n} else {\n  assertLocalDatabase();\n}\nconst prisma = new PrismaClient();",
            "function unused() {\n  assertLocalDatabase();\n}\nconst prisma = new PrismaClient();",
            "const check = () => assertLocalDatabase();\nconst prisma = new PrismaClient();",
            // Referred to only from itself, or from a function nobody calls.
            "function again() {\n  assertLocalDatabase();\n  again();\n}\nconst prisma = new PrismaClient();",
            "function helper() {\n  assertLocalDatabase();\n}\nfunction unused() {\n  helper();\n}\nconst prisma = new PrismaClient();",
            "function helper() {\n  assertLocalDatabase();\n}\nif (0) helper();\nconst prisma = new PrismaClient();",
        ] {
            assert_eq!(found(src), ["new PrismaClient()"], "{src}");
        }
    }

    #[test]
    fn guards_that_run() {
        for src in [
            // Called at the top level, through a helper, or from main() before the use.
            "function ensureLocal() {\n  assertLocalDatabase();\n}\nensureLocal();\nconst prisma = new PrismaClient();",
            "function helper() {\n  assertLocalDatabase();\n}\nfunction setup() {\n  helper();\n}\nsetup();\nconst prisma = new PrismaClient();",
            "const prisma = new PrismaClient();\nconst main = async () => {\n  assertLocalDatabase();\n  await prisma.user.deleteMany();\n};\nmain().catch(console.error);",
            "const prisma = new PrismaClient();\nasync function main() {\n  assertLocalDatabase();\n  await prisma.user.count();\n}\nrun(main);",
            "const prisma = new PrismaClient();\n(async () => {\n  assertLocalDatabase();\n  await prisma.user.count();\n})();",
            "const prisma = new PrismaClient();\nasync function main() {\n  assertLocalDatabase();\n  await prisma.user.count();\n}\nif (require.main === module) main();",
            // Exported: the caller is elsewhere.
            "const prisma = new PrismaClient();\nexport async function seed() {\n  assertLocalDatabase();\n  await prisma.user.count();\n}",
            "const prisma = new PrismaClient();\nexport const seed = async () => {\n  guards.assertLocalDatabase();\n  await prisma.user.count();\n};",
            "if (true) assertLocalDatabase();\nconst prisma = new PrismaClient();",
            "if (process.env.NODE_ENV !== 'test') assertLocalDatabase();\nconst prisma = new PrismaClient();",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }

    #[test]
    fn off_without_guards_and_outside_scripts() {
        let no_guards = Setup { toml: "", ..SCRIPT };
        assert!(spans(&Rule, &no_guards, "const prisma = new PrismaClient();").is_empty());
        let app = Setup {
            rel: "src/db.ts",
            is_script: false,
            ..SCRIPT
        };
        assert!(spans(&Rule, &app, "const prisma = new PrismaClient();").is_empty());
    }
}
