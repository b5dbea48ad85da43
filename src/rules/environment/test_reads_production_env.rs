use std::collections::HashSet;

use tree_sitter::Node;

use super::js;
use super::js::{env_reads, is_production, literal_string, preorder, read_name};
use crate::fragment::javascript::unwrap_expr;
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "test-reads-production-env",
    category: Category::Environment,
    severity: Severity::Error,
    summary: "Test code reads a production database variable or loads the default `.env` file",
    help: "read a test-specific variable (`TEST_DATABASE_URL`) and load `.env.test`; to point the code under test at the test database, assign it: `process.env.DATABASE_URL = process.env.TEST_DATABASE_URL`",
    // Every read goes through an env object (`process.env`); a destructured name is reported at
    // the name, which the default names cover.
    literals: &[
        ".env",
        "dotenv",
        "loadenvfile",
        "database_url",
        "direct_url",
        "postgres_",
        "supabase_",
        "mongo",
        "mysql_url",
        "redis_url",
        "prod",
    ],
    doc: RuleDoc {
        what: "In test files (`[files] tests`) and test setup files (`playwright.config.*`, `vitest.config.*`, `jest.config.*`, `jest.setup.*`, `vitest.setup.*`, `global-setup.*`): a read of a production variable, as `process.env.DATABASE_URL`, `process.env[\"DATABASE_URL\"]`, `const { DATABASE_URL } = process.env`, `import.meta.env.X`, `Bun.env.X` or `Deno.env.get(\"X\")`; and loading the default env file: `import 'dotenv/config'`, `require('dotenv').config()` or `dotenv.config()` without a `path` or with a path to `.env`/`.env.production`, `process.loadEnvFile()` without a path.\n\nProduction variables are `DATABASE_URL`, `DIRECT_URL`, `DIRECT_DATABASE_URL`, `POSTGRES_URL`, `POSTGRES_PRISMA_URL`, `POSTGRES_URL_NON_POOLING`, `SUPABASE_DB_URL`, `SUPABASE_SERVICE_ROLE_KEY`, `MONGODB_URI`, `MONGO_URL`, `MONGO_URI`, `MYSQL_URL`, `REDIS_URL`, any name with a `PROD`/`PRODUCTION`/`LIVE` part that names a database (`PROD_DATABASE_URL`), and every name in `[production] env`. A name with a `TEST`/`DEV`/`LOCAL`/`E2E`/`CI` part is not one.\n\nNot reported: assigning a production variable (`process.env.DATABASE_URL = process.env.TEST_DATABASE_URL`, the safe pattern), reading it after such an assignment in the same file, reading it in the condition of an `if` that throws or exits (a guard), `process.env.CI`, `NODE_ENV`, `dotenv.config({ path: '.env.test' })`.",
        why: "The variable that the application uses for its database is the one that holds production credentials on a developer's machine (`.env`) and in deploy environments. A test that reads it, or that loads `.env`, runs its inserts and cleanups against whatever that is: fake `.test` users end up in the production database, and a `deleteMany()` in an `afterAll` empties production tables.",
        example: "// jest.setup.ts\nimport 'dotenv/config';\nconst prisma = new PrismaClient({ datasources: { db: { url: process.env.DATABASE_URL } } });",
        instead: "Give tests their own variable and file: `dotenv.config({ path: '.env.test' })` and `process.env.TEST_DATABASE_URL`. When the code under test reads `DATABASE_URL`, assign it in the setup file from the test variable (`process.env.DATABASE_URL = process.env.TEST_DATABASE_URL`) and fail when the test variable is missing rather than falling back.",
    },
};

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        if !input.is_test {
            return;
        }
        let text = input.text();
        if !js::names_production(text, input.config)
            && !text.contains("dotenv")
            && !text.contains("loadEnvFile")
        {
            return;
        }
        let Some(tree) = input.js_tree() else { return };
        let src = input.text();
        let root = tree.root_node();
        let assigned = assigned_names(root, src);
        for read in env_reads(root, src) {
            let start = read.node.start_byte();
            let overwritten = assigned
                .iter()
                .any(|(n, at)| *n == read.name && *at < start);
            if !is_production(&read.name, input.config)
                || overwritten
                || in_guard_condition(read.node, src)
            {
                continue;
            }
            out.push(FileHit {
                severity: META.severity,
                message: format!(
                    "test code reads the production variable `{}`: tests can reach the production database",
                    read.name
                ),
                span: read.span(),
                help: None,
            });
        }
        for (span, what) in default_env_loads(root, src) {
            out.push(FileHit {
                severity: META.severity,
                message: format!(
                    "test code {what}: the database variables it sets are the development or production ones, not the test database"
                ),
                span,
                help: Some(
                    "load the test environment instead: `dotenv.config({ path: '.env.test' })`"
                        .to_string(),
                ),
            });
        }
    }
}

/// Names assigned with `process.env.X = …`, with where the assignment ends: later reads of
/// them read what the test set.
fn assigned_names(root: Node, src: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    preorder(root, |node| {
        if node.kind() != "assignment_expression" {
            return;
        }
        if let Some(name) = node
            .child_by_field_name("left")
            .and_then(|l| read_name(l, src))
        {
            out.push((name, node.end_byte()));
        }
    });
    out
}

/// The read is checked, not used: part of the condition of an `if` whose branch throws or
/// exits (`if (!process.env.DATABASE_URL?.includes("localhost")) throw …`), or an argument of
/// an assertion (`expect(process.env.DATABASE_URL).toContain("localhost")`, `assert(…)`).
fn in_guard_condition(node: Node, src: &str) -> bool {
    let mut child = node;
    for _ in 0..16 {
        let Some(parent) = child.parent() else {
            return false;
        };
        if parent.kind() == "call_expression"
            && parent.child_by_field_name("arguments") == Some(child)
            && parent.child_by_field_name("function").is_some_and(|f| {
                matches!(
                    &src[f.byte_range()],
                    "expect" | "assert" | "assert.ok" | "assert.match" | "invariant"
                )
            })
        {
            return true;
        }
        if parent.kind() == "if_statement" {
            if parent.child_by_field_name("condition") != Some(child) {
                return false;
            }
            let Some(body) = parent.child_by_field_name("consequence") else {
                return false;
            };
            let text = &src[body.byte_range()];
            return text.contains("throw") || text.contains("process.exit");
        }
        if parent.kind().ends_with("statement") || parent.kind().contains("function") {
            return false;
        }
        child = parent;
    }
    false
}

/// Which env files a path names, by file name: `.env` and `.env.production` are the ones a
/// test must not load.
fn production_env_file(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    matches!(
        name,
        ".env" | ".env.production" | ".env.prod" | ".env.production.local"
    )
}

/// Modules whose `config()` loads `.env` unless given another path.
const DOTENV_MODULES: &[&str] = &["dotenv", "@dotenvx/dotenvx"];
/// Modules whose mere import loads `.env`.
const DOTENV_AUTOLOAD: &[&str] = &[
    "dotenv/config",
    "dotenv/config.js",
    "@dotenvx/dotenvx/config",
];

/// `import 'dotenv/config'`, `dotenv.config()`, `config({ path: '.env' })`,
/// `process.loadEnvFile()`: where each load is and what it does.
fn default_env_loads(root: Node, src: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let text = |n: Node| &src[n.byte_range()];
    // Names bound to the dotenv module (`import dotenv from "dotenv"`) and to its `config`.
    let mut objects: HashSet<&str> = HashSet::new();
    let mut functions: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    preorder(root, |node| match node.kind() {
        "import_statement" => {
            let Some(source) = node.child_by_field_name("source") else {
                return;
            };
            let Some(module) = literal_string(source, src) else {
                return;
            };
            if DOTENV_AUTOLOAD.contains(&module) {
                out.push((
                    source.byte_range(),
                    format!("loads the default `.env` file (`import '{module}'`)"),
                ));
            } else if DOTENV_MODULES.contains(&module) {
                import_bindings(node, src, &mut objects, &mut functions);
            }
        }
        "variable_declarator" => {
            let (Some(name), Some(value)) = (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ) else {
                return;
            };
            if !require_of(value, src).is_some_and(|m| DOTENV_MODULES.contains(&m)) {
                return;
            }
            match name.kind() {
                "identifier" => {
                    objects.insert(text(name));
                }
                "object_pattern" => pattern_config(name, src, &mut functions),
                _ => {}
            }
        }
        _ => {}
    });
    preorder(root, |node| {
        if node.kind() != "call_expression" {
            return;
        }
        let (Some(function), Some(args)) = (
            node.child_by_field_name("function"),
            node.child_by_field_name("arguments"),
        ) else {
            return;
        };
        if let Some(module) = require_of(node, src) {
            if DOTENV_AUTOLOAD.contains(&module) {
                out.push((
                    node.byte_range(),
                    format!("loads the default `.env` file (`require('{module}')`)"),
                ));
            }
            return;
        }
        let function_text: String = text(function).split_whitespace().collect();
        let is_dotenv_config = match function.kind() {
            "identifier" => functions.contains(text(function)),
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    function.child_by_field_name("object"),
                    function.child_by_field_name("property"),
                ) else {
                    return;
                };
                text(property) == "config"
                    && (objects.contains(text(object))
                        || require_of(object, src).is_some_and(|m| DOTENV_MODULES.contains(&m)))
            }
            _ => false,
        };
        let first = args.named_child(0).filter(|n| n.kind() != "comment");
        if is_dotenv_config {
            let path = first.and_then(|o| path_option(o, src));
            match (first, path) {
                (_, Some(PathArg::Files(files))) => {
                    for (range, file) in files {
                        if production_env_file(&file) {
                            out.push((range, format!("loads `{file}`")));
                        }
                    }
                }
                (_, Some(PathArg::Dynamic)) => {}
                (None, None) => out.push((
                    node.byte_range(),
                    format!(
                        "loads the default `.env` file (`{}` without a `path`)",
                        text(node)
                    ),
                )),
                (Some(_), None) => out.push((
                    node.byte_range(),
                    "loads the default `.env` file (dotenv `config` without a `path`)".into(),
                )),
            }
        } else if function_text == "process.loadEnvFile" {
            match first {
                None => out.push((
                    node.byte_range(),
                    "loads the default `.env` file (`process.loadEnvFile()` without a path)".into(),
                )),
                Some(arg) => {
                    if let Some(PathArg::Files(files)) = path_value(arg, src) {
                        for (range, file) in files {
                            if production_env_file(&file) {
                                out.push((range, format!("loads `{file}`")));
                            }
                        }
                    }
                }
            }
        }
    });
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// `require("m")` (through `await`, parentheses and `as`): `m`.
fn require_of<'s>(node: Node, src: &'s str) -> Option<&'s str> {
    let node = unwrap_expr(node);
    if node.kind() != "call_expression" {
        return None;
    }
    let function = node.child_by_field_name("function")?;
    if &src[function.byte_range()] != "require" {
        return None;
    }
    let first = node.child_by_field_name("arguments")?.named_child(0)?;
    literal_string(first, src)
}

/// The names an `import … from "dotenv"` binds: the module object and `config`.
fn import_bindings<'s>(
    import: Node,
    src: &'s str,
    objects: &mut HashSet<&'s str>,
    functions: &mut HashSet<&'s str>,
) {
    let mut c = import.walk();
    let Some(clause) = import
        .named_children(&mut c)
        .find(|n| n.kind() == "import_clause")
    else {
        return;
    };
    let mut c = clause.walk();
    for part in clause.named_children(&mut c) {
        match part.kind() {
            "identifier" => {
                objects.insert(&src[part.byte_range()]);
            }
            "namespace_import" => {
                let mut c = part.walk();
                let id = part
                    .named_children(&mut c)
                    .find(|n| n.kind() == "identifier");
                if let Some(id) = id {
                    objects.insert(&src[id.byte_range()]);
                }
            }
            "named_imports" => {
                let mut c = part.walk();
                for spec in part.named_children(&mut c) {
                    let name = spec.child_by_field_name("name");
                    if name.is_some_and(|n| &src[n.byte_range()] == "config") {
                        let local = spec.child_by_field_name("alias").or(name);
                        if let Some(local) = local {
                            functions.insert(&src[local.byte_range()]);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// `const { config } = require("dotenv")`, `const { config: loadEnv } = …`.
fn pattern_config<'s>(pattern: Node, src: &'s str, functions: &mut HashSet<&'s str>) {
    let mut c = pattern.walk();
    for prop in pattern.named_children(&mut c) {
        match prop.kind() {
            "shorthand_property_identifier_pattern" if &src[prop.byte_range()] == "config" => {
                functions.insert("config");
            }
            "pair_pattern" => {
                let key = prop.child_by_field_name("key");
                let value = prop.child_by_field_name("value");
                if let (Some(k), Some(v)) = (key, value) {
                    if &src[k.byte_range()] == "config" && v.kind() == "identifier" {
                        functions.insert(&src[v.byte_range()]);
                    }
                }
            }
            _ => {}
        }
    }
}

enum PathArg {
    /// The file names given, with where each is written.
    Files(Vec<(std::ops::Range<usize>, String)>),
    /// A path computed at run time: unknown.
    Dynamic,
}

/// The `path` of a dotenv options object; None when the object has no `path`.
fn path_option(options: Node, src: &str) -> Option<PathArg> {
    let options = unwrap_expr(options);
    if options.kind() != "object" {
        return Some(PathArg::Dynamic);
    }
    let mut c = options.walk();
    for prop in options.named_children(&mut c) {
        match prop.kind() {
            "pair" => {
                let key = prop.child_by_field_name("key")?;
                let key = literal_string(key, src).unwrap_or(&src[key.byte_range()]);
                if key == "path" {
                    return prop
                        .child_by_field_name("value")
                        .and_then(|v| path_value(v, src));
                }
            }
            "shorthand_property_identifier" if &src[prop.byte_range()] == "path" => {
                return Some(PathArg::Dynamic);
            }
            // `{ ...options }` may hold a path.
            "spread_element" => return Some(PathArg::Dynamic),
            _ => {}
        }
    }
    None
}

/// A path value: a string, an array of strings (dotenv loads each), or
/// `path.resolve(__dirname, "../.env")` / `join(…)` (the last argument names the file).
fn path_value(value: Node, src: &str) -> Option<PathArg> {
    let value = unwrap_expr(value);
    let one = |n: Node| -> Option<(std::ops::Range<usize>, String)> {
        let n = unwrap_expr(n);
        if let Some(s) = literal_string(n, src) {
            return Some((n.byte_range(), s.to_string()));
        }
        if n.kind() == "call_expression" {
            let f = n.child_by_field_name("function")?;
            let name = src[f.byte_range()].rsplit('.').next()?;
            if matches!(name, "resolve" | "join") {
                let args = n.child_by_field_name("arguments")?;
                let last = args.named_child(args.named_child_count().checked_sub(1)?)?;
                let s = literal_string(last, src)?;
                return Some((last.byte_range(), s.to_string()));
            }
        }
        None
    };
    if value.kind() == "array" {
        let mut c = value.walk();
        let files: Option<Vec<_>> = value.named_children(&mut c).map(one).collect();
        return Some(files.map_or(PathArg::Dynamic, PathArg::Files));
    }
    Some(one(value).map_or(PathArg::Dynamic, |f| PathArg::Files(vec![f])))
}

#[cfg(test)]
mod tests {
    use super::super::js::testing::{spans, Setup};
    use super::*;

    const TEST: Setup = Setup {
        rel: "tests/users.test.ts",
        toml: "",
        is_test: true,
        is_script: false,
    };

    fn found(src: &str) -> Vec<String> {
        spans(&Rule, &TEST, src)
    }

    #[test]
    fn production_reads_in_tests() {
        for (src, want) in [
            (
                "const url = process.env.DATABASE_URL;",
                "process.env.DATABASE_URL",
            ),
            (
                "const url = process.env['DIRECT_URL'];",
                "process.env['DIRECT_URL']",
            ),
            ("const { DATABASE_URL } = process.env;", "DATABASE_URL"),
            (
                "const { DATABASE_URL: url = '' } = process.env;",
                "DATABASE_URL",
            ),
            (
                "const u = import.meta.env.POSTGRES_URL;",
                "import.meta.env.POSTGRES_URL",
            ),
            (
                "const u = Bun.env.PROD_DATABASE_URL;",
                "Bun.env.PROD_DATABASE_URL",
            ),
            (
                "const u = Deno.env.get(\"SUPABASE_SERVICE_ROLE_KEY\");",
                "Deno.env.get(\"SUPABASE_SERVICE_ROLE_KEY\")",
            ),
            (
                "new PrismaClient({ datasources: { db: { url: process.env.DATABASE_URL! } } });",
                "process.env.DATABASE_URL",
            ),
            (
                "process.env.DATABASE_URL ??= 'postgres://localhost/test';",
                "process.env.DATABASE_URL",
            ),
            (
                "await connect(expect.any(String), process.env.DATABASE_URL);",
                "process.env.DATABASE_URL",
            ),
        ] {
            assert_eq!(found(src), [want], "{src}");
        }
    }

    #[test]
    fn look_alike_reads_stay_clean() {
        for src in [
            "const url = process.env.TEST_DATABASE_URL;",
            "if (process.env.CI) retries = 2;",
            "const env = process.env.NODE_ENV;",
            "process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;",
            "process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;\nconst prisma = new PrismaClient({ datasources: { db: { url: process.env.DATABASE_URL } } });",
            "if (!process.env.DATABASE_URL?.includes('localhost')) {\n  throw new Error('tests need a local database');\n}",
            "const env = { DATABASE_URL: process.env.TEST_DATABASE_URL };",
            "// process.env.DATABASE_URL",
            "const s = 'process.env.DATABASE_URL';",
            "expect(process.env.DATABASE_URL).toContain('localhost');",
            "assert.match(process.env.DATABASE_URL ?? '', /localhost/);",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }

    #[test]
    fn only_in_tests() {
        let app = Setup {
            rel: "src/db.ts",
            is_test: false,
            ..TEST
        };
        assert!(spans(&Rule, &app, "export const url = process.env.DATABASE_URL;").is_empty());
        assert!(spans(&Rule, &app, "import 'dotenv/config';").is_empty());
    }

    #[test]
    fn configured_production_names() {
        let setup = Setup {
            toml: "[production]\nenv = [\"PRIMARY_DSN\"]\n",
            ..TEST
        };
        assert_eq!(
            spans(&Rule, &setup, "const u = process.env.PRIMARY_DSN;"),
            ["process.env.PRIMARY_DSN"]
        );
    }

    #[test]
    fn default_env_file_loads() {
        for (src, want) in [
            ("import 'dotenv/config';", "'dotenv/config'"),
            ("require('dotenv/config');", "require('dotenv/config')"),
            ("require('dotenv').config();", "require('dotenv').config()"),
            ("import dotenv from 'dotenv';\ndotenv.config();", "dotenv.config()"),
            ("import * as dotenv from 'dotenv';\ndotenv.config({ override: true });", "dotenv.config({ override: true })"),
            ("import { config } from 'dotenv';\nconfig({ path: '.env' });", "'.env'"),
            ("const { config: load } = require('dotenv');\nload({ path: '.env.production' });", "'.env.production'"),
            ("const dotenv = require('dotenv');\ndotenv.config({ path: path.resolve(__dirname, '../.env') });", "'../.env'"),
            ("dotenv.config({ path: ['.env.test', '.env'] });\nimport dotenv from 'dotenv';", "'.env'"),
            ("process.loadEnvFile();", "process.loadEnvFile()"),
            ("process.loadEnvFile('.env');", "'.env'"),
        ] {
            assert_eq!(found(src), [want], "{src}");
        }
    }

    #[test]
    fn test_env_file_loads_stay_clean() {
        for src in [
            "import dotenv from 'dotenv';\ndotenv.config({ path: '.env.test' });",
            "require('dotenv').config({ path: path.join(__dirname, '.env.test') });",
            "import { config } from 'dotenv';\nconfig({ path: `.env.${process.env.NODE_ENV}` });",
            "import { config } from 'dotenv';\nconfig({ path: envFile });",
            "process.loadEnvFile('.env.test');",
            "process.loadEnvFile(resolve(root, '.env.e2e'));",
            "import { config } from './config';\nconfig();",
            "app.config();",
            "import 'dotenv-expand';",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }
}
