use std::collections::HashSet;

use tree_sitter::Node;

use super::js;
use super::js::{
    env_aliases, env_reads, is_env_object, is_production, literal_string, preorder, read_name_via,
};
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
        what: "In test files (`[files] tests`) and test setup files (`playwright.config.*`, `vitest.config.*`, `jest.config.*`, `jest.setup.*`, `vitest.setup.*`, `global-setup.*`): a read of a production variable, as `process.env.DATABASE_URL`, `process.env[\"DATABASE_URL\"]`, `const { DATABASE_URL } = process.env`, `import.meta.env.X`, `Bun.env.X` or `Deno.env.get(\"X\")`, also through an alias of the environment (`const env = process.env; env.DATABASE_URL`, `const { env } = process`); and loading the default env file: `import 'dotenv/config'`, `require('dotenv').config()` or `dotenv.config()` without a `path` or with a path to `.env`/`.env.production` (a template counts when its literal tail names the file: `${__dirname}/../.env`), `process.loadEnvFile()` without a path.\n\nProduction variables are `DATABASE_URL`, `DIRECT_URL`, `DIRECT_DATABASE_URL`, `POSTGRES_URL`, `POSTGRES_PRISMA_URL`, `POSTGRES_URL_NON_POOLING`, `SUPABASE_DB_URL`, `SUPABASE_SERVICE_ROLE_KEY`, `MONGODB_URI`, `MONGO_URL`, `MONGO_URI`, `MYSQL_URL`, `REDIS_URL`, any name with a `PROD`/`PRODUCTION`/`LIVE` part that names a database (`PROD_DATABASE_URL`), and every name in `[production] env`. A name with a `TEST`/`DEV`/`LOCAL`/`E2E`/`CI` part is not one.\n\nNot reported: assigning a production variable (`process.env.DATABASE_URL = process.env.TEST_DATABASE_URL`, the safe pattern), reading it after such an assignment in the same file (also `vi.stubEnv(\"DATABASE_URL\", …)`, `process.env = { ...process.env, DATABASE_URL: … }`, `Object.assign(process.env, { DATABASE_URL: … })`), reading it in the condition of an `if` that throws or exits (a guard) or in `expect(…)`/`assert(…)`, reading it into a variable (also `const { DATABASE_URL } = process.env`, `new URL(process.env.DATABASE_URL!)`) whose first use is such a check of where it points (a local host, a test database: `const url = process.env.DATABASE_URL!; if (!url.includes(\"localhost\")) throw …`, then any use) or whose every use is a check or an error message; a presence check (`if (!url) throw`) is not a guard, `process.env.CI`, `NODE_ENV`, `dotenv.config({ path: '.env.test' })`.",
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
        let aliases = env_aliases(root, src);
        let assigned = assigned_names(root, src, &aliases);
        // Identifier uses of the file, collected on the first read stored in a variable.
        let mut uses: Option<Vec<Node>> = None;
        for read in env_reads(root, src, &aliases) {
            let start = read.node.start_byte();
            let overwritten = assigned
                .iter()
                .any(|(n, at)| *n == read.name && *at < start);
            if !is_production(&read.name, input.config)
                || overwritten
                || in_guard_condition(read.node, src)
                || only_checked_variable(read.node, src, &mut uses)
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

/// Names the test sets, with where the setting ends: later reads of them read what the test
/// set. `process.env.X = …`; `vi.stubEnv("X", …)`; `process.env = { ...process.env, X: … }`;
/// `Object.assign(process.env, { X: … })`.
fn assigned_names(root: Node, src: &str, aliases: &[&str]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    preorder(root, |node| match node.kind() {
        "assignment_expression" => {
            let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) else {
                return;
            };
            if let Some(name) = read_name_via(left, src, aliases) {
                out.push((name, node.end_byte()));
            } else if is_env_object(left, src, aliases) {
                for name in object_keys(right, src) {
                    out.push((name, node.end_byte()));
                }
            }
        }
        "call_expression" => {
            let (Some(function), Some(args)) = (
                node.child_by_field_name("function"),
                node.child_by_field_name("arguments"),
            ) else {
                return;
            };
            let function: String = src[function.byte_range()]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let mut c = args.walk();
            let mut args = args
                .named_children(&mut c)
                .filter(|n| n.kind() != "comment");
            match function.as_str() {
                "vi.stubEnv" | "vitest.stubEnv" => {
                    if let Some(name) = args.next().and_then(|a| literal_string(a, src)) {
                        out.push((name.to_string(), node.end_byte()));
                    }
                }
                "Object.assign" if args.next().is_some_and(|t| is_env_object(t, src, aliases)) => {
                    for source in args {
                        for name in object_keys(source, src) {
                            out.push((name, node.end_byte()));
                        }
                    }
                }
                _ => {}
            }
        }
        _ => {}
    });
    out
}

/// The keys an object literal writes (`{ ...rest, A: 1, "B": 2, C }`), spreads left out.
fn object_keys(node: Node, src: &str) -> Vec<String> {
    let node = unwrap_expr(node);
    let mut out = Vec::new();
    if node.kind() != "object" {
        return out;
    }
    let mut c = node.walk();
    for prop in node.named_children(&mut c) {
        let key = match prop.kind() {
            "pair" => prop.child_by_field_name("key"),
            "shorthand_property_identifier" => Some(prop),
            _ => None,
        };
        let Some(key) = key else { continue };
        let name = match key.kind() {
            "property_identifier" | "shorthand_property_identifier" => Some(&src[key.byte_range()]),
            _ => literal_string(key, src),
        };
        out.extend(name.map(str::to_string));
    }
    out
}

/// The read initialises a variable (`const url = process.env.DATABASE_URL!`) whose every use
/// in the file (or the first one after it) is a check as [`in_guard_condition`] accepts (`if (!url.includes("localhost"))
/// throw …`, `expect(url)…`) or part of a thrown error's message: the variable is never handed to a client. Uses are found by name
/// over the whole file (no scopes), so a same-named variable elsewhere makes it count as used:
/// the rule then reports, as it did before. `uses` caches the file's identifiers.
fn only_checked_variable<'t>(read: Node<'t>, src: &str, uses: &mut Option<Vec<Node<'t>>>) -> bool {
    // `const { DATABASE_URL } = process.env`: the binding is the read itself.
    let destructured = read.kind() == "shorthand_property_identifier_pattern";
    let mut node = read;
    while let Some(parent) = node.parent() {
        if destructured {
            break;
        }
        // `new URL(process.env.DATABASE_URL!)`: the value is parsed, then checked.
        let parsed = parent.kind() == "arguments"
            || (parent.kind() == "new_expression"
                && parent.child_by_field_name("arguments").is_some());
        if parsed {
            node = parent;
            continue;
        }
        // `(…)`, `as T`, `!`, and the left of `?? ''`.
        let fallback = parent.kind() == "binary_expression"
            && js::is_fallback_operator(parent, src)
            && parent.child_by_field_name("left") == Some(node);
        if fallback
            || matches!(
                parent.kind(),
                "parenthesized_expression"
                    | "as_expression"
                    | "satisfies_expression"
                    | "non_null_expression"
            )
        {
            node = parent;
        } else {
            break;
        }
    }
    let name = if destructured {
        read
    } else {
        let Some(declarator) = node.parent().filter(|p| p.kind() == "variable_declarator") else {
            return false;
        };
        if declarator.child_by_field_name("value") != Some(node) {
            return false;
        }
        let Some(name) = declarator
            .child_by_field_name("name")
            .filter(|n| n.kind() == "identifier")
        else {
            return false;
        };
        name
    };
    let uses = uses.get_or_insert_with(|| {
        let mut all = Vec::new();
        let root = {
            let mut r = read;
            while let Some(p) = r.parent() {
                r = p;
            }
            r
        };
        preorder(root, |n| {
            if matches!(n.kind(), "identifier" | "shorthand_property_identifier") {
                all.push(n);
            }
        });
        all
    });
    let text = &src[name.byte_range()];
    let mut later = uses.iter().filter(|u| {
        **u != name && &src[u.byte_range()] == text && u.start_byte() > name.end_byte()
    });
    // Checked first (a guard that throws), then used: the value that reaches the use passed
    // the check. Or never used except in checks and error messages.
    match later.next() {
        Some(first) if in_guard_condition(*first, src) && checks_host(*first, src) => true,
        Some(first) if in_throw(*first) => {
            later.all(|u| in_guard_condition(*u, src) || in_throw(*u))
        }
        _ => false,
    }
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

/// The guard around `node` looks at where the value points (a local host, a test database),
/// not only at whether it is set: `if (!url) throw` proves nothing about the target.
fn checks_host(node: Node, src: &str) -> bool {
    let mut n = node;
    while let Some(p) = n.parent() {
        // The `if`'s condition, or the whole assertion statement (`expect(url).toContain(…)`).
        if p.kind() == "if_statement" || p.kind().ends_with("statement") {
            let cond = p
                .child_by_field_name("condition")
                .map_or(&src[p.byte_range()], |c| &src[c.byte_range()]);
            return ["localhost", "127.0.0.1", "::1", "host", "test"]
                .iter()
                .any(|w| cond.to_ascii_lowercase().contains(w));
        }
        n = p;
    }
    false
}

/// Part of what a `throw` throws (an error message naming the host): not a use of the value.
fn in_throw(node: Node) -> bool {
    let mut node = node;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "throw_statement" => return true,
            k if k.ends_with("statement") || k.contains("function") || k == "program" => {
                return false
            }
            _ => node = parent,
        }
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

/// The literal file name at the end of a template with substitutions, when a path
/// separator follows the last substitution: `/.env` of `${__dirname}/../.env`; None for
/// `.env.${mode}` or `${name}.env`, whose file name is computed.
fn literal_tail<'s>(node: Node, src: &'s str) -> Option<&'s str> {
    let node = unwrap_expr(node);
    if node.kind() != "template_string" {
        return None;
    }
    let mut c = node.walk();
    let last = node
        .named_children(&mut c)
        .filter(|n| n.kind() == "template_substitution")
        .last()?;
    let tail = src[last.end_byte()..node.end_byte()].strip_suffix('`')?;
    let at = tail.rfind(['/', '\\'])?;
    let name = &tail[at + 1..];
    (!name.is_empty() && !name.contains(['\\', '$'])).then_some(name)
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
        if let Some(s) = literal_string(n, src).or_else(|| literal_tail(n, src)) {
            return Some((n.byte_range(), s.to_string()));
        }
        if n.kind() == "call_expression" {
            let f = n.child_by_field_name("function")?;
            let name = src[f.byte_range()].rsplit('.').next()?;
            if matches!(name, "resolve" | "join") {
                let args = n.child_by_field_name("arguments")?;
                let last = args.named_child(args.named_child_count().checked_sub(1)?)?;
                let s = literal_string(last, src).or_else(|| literal_tail(last, src))?;
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
    fn reads_after_the_test_sets_the_variable() {
        for src in [
            "vi.stubEnv('DATABASE_URL', 'postgres://localhost:5432/test');\nconst prisma = new PrismaClient({ datasources: { db: { url: process.env.DATABASE_URL } } });",
            "process.env = { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL };\nconnect(process.env.DATABASE_URL);",
            "process.env = { ...process.env, 'DIRECT_URL': 'postgres://localhost/test' };\nconnect(process.env.DIRECT_URL);",
            "Object.assign(process.env, { DATABASE_URL: process.env.TEST_DATABASE_URL });\nconnect(process.env.DATABASE_URL);",
            "const env = process.env;\nenv.DATABASE_URL = process.env.TEST_DATABASE_URL;\nconnect(env.DATABASE_URL);",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
        // Only the names set, and only after they are set.
        for (src, want) in [
            ("vi.stubEnv('DATABASE_URL', 'postgres://localhost/test');\nconnect(process.env.DIRECT_URL);", "process.env.DIRECT_URL"),
            ("connect(process.env.DATABASE_URL);\nvi.stubEnv('DATABASE_URL', 'postgres://localhost/test');", "process.env.DATABASE_URL"),
            ("Object.assign(config, { DATABASE_URL: 'x' });\nconnect(process.env.DATABASE_URL);", "process.env.DATABASE_URL"),
            ("process.env = { ...process.env, NODE_ENV: 'test' };\nconnect(process.env.DATABASE_URL);", "process.env.DATABASE_URL"),
        ] {
            assert_eq!(found(src), [want], "{src}");
        }
    }

    #[test]
    fn variables_that_are_only_checked() {
        for src in [
            "const url = process.env.DATABASE_URL!;\nif (!url.includes('localhost')) {\n  throw new Error('refusing to run against a non-local database');\n}",
            "const url = process.env.DATABASE_URL ?? '';\nexpect(url).toContain('localhost');",
            "const url = process.env.DATABASE_URL!;\nif (!url.includes('localhost')) throw new Error(`refusing: ${url}`);",
            // Checked for a local host first, then used: the value that is used passed the guard.
            "const url = process.env.DATABASE_URL!;\nif (!url.includes('localhost')) throw new Error('refusing');\nconst prisma = new PrismaClient({ datasources: { db: { url } } });",
            "const url = process.env.DATABASE_URL;\nif (!url?.includes('localhost')) throw new Error('x');\nconsole.log(`using ${url}`);",
            "const { DATABASE_URL } = process.env;\nif (!DATABASE_URL?.includes('localhost')) throw new Error('x');\nawait reset(DATABASE_URL);",
            "const url = new URL(process.env.DATABASE_URL!);\nif (url.hostname !== 'localhost') throw new Error('x');\nawait reset(url.toString());",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
        for (src, want) in [
            // Used before it is checked.
            ("const url = process.env.DATABASE_URL!;\nawait reset(url);\nif (!url.includes('localhost')) throw new Error('refusing');", "process.env.DATABASE_URL"),
            // A presence check says nothing about where the value points.
            ("const url = process.env.DATABASE_URL;\nif (!url) throw new Error('missing');\nawait reset(url);", "process.env.DATABASE_URL"),
            // A check that does not stop anything.
            ("const url = process.env.DATABASE_URL!;\nif (!url.includes('localhost')) console.warn('not local');", "process.env.DATABASE_URL"),
            // Never used at all: still a read of the production variable.
            ("const url = process.env.DATABASE_URL;", "process.env.DATABASE_URL"),
        ] {
            assert_eq!(found(src), [want], "{src}");
        }
    }

    #[test]
    fn reads_through_an_alias() {
        for (src, want) in [
            (
                "const env = process.env;\nconst url = env.DATABASE_URL;",
                "env.DATABASE_URL",
            ),
            (
                "const { env } = process;\nconnect(env['DIRECT_URL']);",
                "env['DIRECT_URL']",
            ),
            (
                "const { env } = process;\nconst { DATABASE_URL } = env;",
                "DATABASE_URL",
            ),
        ] {
            assert_eq!(found(src), [want], "{src}");
        }
        assert!(found("const env = loadEnv('test');\nconst url = env.DATABASE_URL;").is_empty());
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
            ("import dotenv from 'dotenv';\ndotenv.config({ path: `${__dirname}/../.env` });", "`${__dirname}/../.env`"),
            ("import dotenv from 'dotenv';\ndotenv.config({ path: resolve(root, `${pkg}/.env.production`) });", "`${pkg}/.env.production`"),
            ("process.loadEnvFile(`${process.cwd()}/.env`);", "`${process.cwd()}/.env`"),
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
            "import dotenv from 'dotenv';\ndotenv.config({ path: `${__dirname}/../.env.test` });",
            "import dotenv from 'dotenv';\ndotenv.config({ path: `${root}/.env.${mode}` });",
            "import dotenv from 'dotenv';\ndotenv.config({ path: `${root}/${name}.env` });",
            "import { config } from './config';\nconfig();",
            "app.config();",
            "import 'dotenv-expand';",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }
}
