//! What the environment rules share: environment reads in the JS/TS syntax tree and which
//! variable names are production ones.

use std::ops::Range;

use tree_sitter::Node;

use crate::config::Config;
use crate::fragment::javascript::unwrap_expr;

/// Variables that hold production credentials unless the config says more (`[production]
/// env` adds to them): the database URLs of Prisma, Vercel Postgres, Supabase, MongoDB,
/// MySQL and Redis, and Supabase's service-role key (it bypasses row level security).
pub const DEFAULT_PRODUCTION_ENV: &[&str] = &[
    "DATABASE_URL",
    "DIRECT_URL",
    "DIRECT_DATABASE_URL",
    "POSTGRES_URL",
    "POSTGRES_PRISMA_URL",
    "POSTGRES_URL_NON_POOLING",
    "SUPABASE_DB_URL",
    "SUPABASE_SERVICE_ROLE_KEY",
    "MONGODB_URI",
    "MONGO_URL",
    "MONGO_URI",
    "MYSQL_URL",
];

/// Name segments (split on `_`) that mark a variable as production when it also names a
/// database (`PROD_DATABASE_URL`, `DATABASE_URL_PRODUCTION`, `PRODUCTION_PG_URL`).
const PRODUCTION_SEGMENTS: &[&str] = &["PROD", "PRODUCTION", "LIVE"];
const DATABASE_SEGMENTS: &[&str] = &[
    "DATABASE", "DB", "POSTGRES", "PG", "MYSQL", "MONGO", "MONGODB", "REDIS", "SUPABASE", "DSN",
];
/// Name segments that mark a variable as not production (`TEST_DATABASE_URL`,
/// `DEV_DATABASE_URL`, `DATABASE_URL_LOCAL`, `SHADOW_DATABASE_URL`).
const NON_PRODUCTION_SEGMENTS: &[&str] = &[
    "TEST",
    "TESTS",
    "TESTING",
    "DEV",
    "DEVELOPMENT",
    "LOCAL",
    "E2E",
    "CI",
    "SHADOW",
    "STAGING",
    "PREVIEW",
    "SANDBOX",
];

/// What a variable name says about the database it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvClass {
    Production,
    NonProduction,
    Other,
}

/// Classifies a variable name: configured and default production names first, then the
/// `PROD`/`TEST`-style segments of the name.
pub fn classify(name: &str, config: &Config) -> EnvClass {
    if DEFAULT_PRODUCTION_ENV.contains(&name) || config.production_env.iter().any(|n| n == name) {
        return EnvClass::Production;
    }
    let has = |set: &[&str]| {
        name.split('_')
            .any(|seg| set.iter().any(|w| w.eq_ignore_ascii_case(seg)))
    };
    if has(NON_PRODUCTION_SEGMENTS) {
        EnvClass::NonProduction
    } else if has(PRODUCTION_SEGMENTS) && has(DATABASE_SEGMENTS) {
        EnvClass::Production
    } else {
        EnvClass::Other
    }
}

/// The upper-case names of `text` (`[A-Z][A-Z0-9_]+`), for cheap tests before a parse.
pub fn upper_names(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| {
            t.len() > 1
                && t.as_bytes()[0].is_ascii_uppercase()
                && t.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// The production names of `text` with their offsets.
pub fn production_names<'a>(
    text: &'a str,
    config: &'a Config,
) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    let base = text.as_ptr() as usize;
    upper_names(text)
        .filter(move |n| is_production(n, config))
        .map(move |n| (n.as_ptr() as usize - base, n))
}

/// True when `text` names a production variable: files that do not are not parsed.
pub fn names_production(text: &str, config: &Config) -> bool {
    upper_names(text).any(|n| is_production(n, config))
}

pub fn is_production(name: &str, config: &Config) -> bool {
    classify(name, config) == EnvClass::Production
}

/// One read of an environment variable.
#[derive(Debug, Clone)]
pub struct EnvRead<'t> {
    pub name: String,
    /// The reading expression (`process.env.X`, `Deno.env.get("X")`) or the destructured
    /// property (`X` in `const { X } = process.env`).
    pub node: Node<'t>,
}

impl EnvRead<'_> {
    pub fn span(&self) -> Range<usize> {
        self.node.byte_range()
    }
}

/// `process.env`, `import.meta.env`, `Bun.env` (whitespace and `?.` ignored), or a local
/// name bound to one (`aliases`, see [`env_aliases`]).
pub fn is_env_object(node: Node, src: &str, aliases: &[&str]) -> bool {
    let node = unwrap_expr(node);
    if node.kind() == "identifier" {
        return aliases.contains(&&src[node.byte_range()]);
    }
    if node.kind() != "member_expression" {
        return false;
    }
    let text: String = src[node.byte_range()]
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '?')
        .collect();
    matches!(
        text.as_str(),
        "process.env" | "import.meta.env" | "Bun.env" | "globalThis.process.env"
    )
}

/// The content of a string literal without substitutions, or of a template without any.
pub fn literal_string<'s>(node: Node, src: &'s str) -> Option<&'s str> {
    let node = unwrap_expr(node);
    match node.kind() {
        "string" => {}
        "template_string" => {
            let mut c = node.walk();
            if node
                .named_children(&mut c)
                .any(|n| n.kind() == "template_substitution")
            {
                return None;
            }
        }
        _ => return None,
    }
    let inner = crate::fragment::quoted_inner(node, src)?;
    let text = &src[inner];
    (!text.contains('\\')).then_some(text)
}

/// Local names bound to an environment object in the file: `const env = process.env`,
/// `const { env } = process`, `const { env: e } = globalThis.process`. File-wide by name (no
/// scopes): a name is an alias wherever it is used once it is bound so anywhere.
pub fn env_aliases<'s>(root: Node, src: &'s str) -> Vec<&'s str> {
    let mut out: Vec<&'s str> = Vec::new();
    preorder(root, |node| {
        if node.kind() != "variable_declarator" {
            return;
        }
        let (Some(name), Some(value)) = (
            node.child_by_field_name("name"),
            node.child_by_field_name("value"),
        ) else {
            return;
        };
        match name.kind() {
            "identifier" if is_env_object(value, src, &out) => out.push(&src[name.byte_range()]),
            "object_pattern"
                if matches!(
                    &src[unwrap_expr(value).byte_range()],
                    "process" | "globalThis.process"
                ) =>
            {
                let mut c = name.walk();
                for prop in name.named_children(&mut c) {
                    match prop.kind() {
                        "shorthand_property_identifier_pattern"
                            if &src[prop.byte_range()] == "env" =>
                        {
                            out.push("env")
                        }
                        "pair_pattern" => {
                            let (Some(k), Some(v)) = (
                                prop.child_by_field_name("key"),
                                prop.child_by_field_name("value"),
                            ) else {
                                continue;
                            };
                            if &src[k.byte_range()] == "env" && v.kind() == "identifier" {
                                out.push(&src[v.byte_range()]);
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    });
    out
}

/// The variable `node` reads, if it is an environment read: `process.env.X`,
/// `process.env["X"]`, `import.meta.env.X`, `Bun.env.X`, `Deno.env.get("X")`. Parentheses,
/// `as T` and `!` around it are looked through.
pub fn read_name(node: Node, src: &str) -> Option<String> {
    read_name_via(node, src, &[])
}

/// [`read_name`], also through the local aliases of an environment object (`env.X` after
/// `const env = process.env`).
pub fn read_name_via(node: Node, src: &str, aliases: &[&str]) -> Option<String> {
    let node = unwrap_expr(node);
    match node.kind() {
        "member_expression" => {
            let object = node.child_by_field_name("object")?;
            let property = node.child_by_field_name("property")?;
            (is_env_object(object, src, aliases) && property.kind() == "property_identifier")
                .then(|| src[property.byte_range()].to_string())
        }
        "subscript_expression" => {
            let object = node.child_by_field_name("object")?;
            let index = node.child_by_field_name("index")?;
            if !is_env_object(object, src, aliases) {
                return None;
            }
            literal_string(index, src).map(str::to_string)
        }
        "call_expression" => {
            let function = node.child_by_field_name("function")?;
            let text: String = src[function.byte_range()]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if text != "Deno.env.get" {
                return None;
            }
            let args = node.child_by_field_name("arguments")?;
            let first = args.named_child(0)?;
            literal_string(first, src).map(str::to_string)
        }
        _ => None,
    }
}

/// `process.env.X = …` and `delete process.env.X` write, not read (`??=` and `||=` read).
fn is_write(node: Node, src: &str) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    match parent.kind() {
        "assignment_expression" => parent.child_by_field_name("left") == Some(node),
        "unary_expression" => src[parent.byte_range()].starts_with("delete"),
        _ => false,
    }
}

pub use crate::fragment::preorder;

/// Every environment read of the file, in source order; writes are not reads. `aliases` are
/// the file's [`env_aliases`].
pub fn env_reads<'t>(root: Node<'t>, src: &str, aliases: &[&str]) -> Vec<EnvRead<'t>> {
    let mut out = Vec::new();
    preorder(root, |node| match node.kind() {
        "member_expression" | "subscript_expression" | "call_expression" => {
            if let Some(name) = read_name_via(node, src, aliases) {
                if !is_write(node, src) {
                    out.push(EnvRead { name, node });
                }
            }
        }
        "variable_declarator" => {
            let (Some(pattern), Some(value)) = (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ) else {
                return;
            };
            let value = unwrap_expr(value);
            let from_env = is_env_object(value, src, aliases)
                || src[value.byte_range()].replace(char::is_whitespace, "")
                    == "Deno.env.toObject()";
            if pattern.kind() == "object_pattern" && from_env {
                destructured(pattern, src, &mut out);
            }
        }
        _ => {}
    });
    out
}

/// The properties of `{ A, B: b, C = "x" }` taken from an environment object.
fn destructured<'t>(pattern: Node<'t>, src: &str, out: &mut Vec<EnvRead<'t>>) {
    let mut c = pattern.walk();
    for prop in pattern.named_children(&mut c) {
        let key = match prop.kind() {
            "shorthand_property_identifier_pattern" => Some(prop),
            "pair_pattern" => prop.child_by_field_name("key"),
            "object_assignment_pattern" => prop.child_by_field_name("left"),
            _ => None,
        };
        let Some(key) = key else { continue };
        let name = match key.kind() {
            "string" => literal_string(key, src).map(str::to_string),
            _ => Some(src[key.byte_range()].to_string()),
        };
        if let Some(name) = name {
            out.push(EnvRead { name, node: key });
        }
    }
}

/// The reads of a `a || b ?? c` chain's operands (the chain's leaves, left to right).
pub fn chain_leaves<'t>(node: Node<'t>, src: &str, out: &mut Vec<Node<'t>>) {
    let node = unwrap_expr(node);
    if node.kind() == "binary_expression" && is_fallback_operator(node, src) {
        if let (Some(l), Some(r)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) {
            chain_leaves(l, src, out);
            chain_leaves(r, src, out);
            return;
        }
    }
    out.push(node);
}

/// `||` or `??`.
pub fn is_fallback_operator(node: Node, src: &str) -> bool {
    node.child_by_field_name("operator")
        .is_some_and(|o| matches!(&src[o.byte_range()], "||" | "??"))
}

#[cfg(test)]
pub(crate) mod testing {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use crate::config::Config;
    use crate::lang::{FileKind, JsDialect};
    use crate::rules::{FileInput, FileRule, Severity};
    use crate::source::SourceFile;

    /// Where a file lives and what the config says.
    pub struct Setup<'a> {
        pub rel: &'a str,
        pub toml: &'a str,
        pub is_test: bool,
        pub is_script: bool,
    }

    /// The rule's findings on `src` as (reported text, severity, message).
    pub fn run(rule: &dyn FileRule, setup: &Setup, src: &str) -> Vec<(String, Severity, String)> {
        let config = Config::parse(setup.toml, Path::new("/repo/dbguard.toml")).expect("config");
        let source = SourceFile::new(
            setup.rel.to_string(),
            PathBuf::from(setup.rel),
            Arc::from(src),
        );
        let input = FileInput::new(
            &source,
            FileKind::Js(JsDialect::TypeScript),
            setup.rel,
            &config,
            setup.is_test,
            setup.is_script,
        );
        let mut hits = Vec::new();
        rule.check(&input, &mut hits);
        hits.into_iter()
            .map(|h| (src[h.span].to_string(), h.severity, h.message))
            .collect()
    }

    /// The reported texts only.
    pub fn spans(rule: &dyn FileRule, setup: &Setup, src: &str) -> Vec<String> {
        run(rule, setup, src).into_iter().map(|h| h.0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::JsDialect;

    fn reads(src: &str) -> Vec<(String, String)> {
        let tree = crate::fragment::javascript::parse(JsDialect::TypeScript, src).unwrap();
        let aliases = env_aliases(tree.root_node(), src);
        env_reads(tree.root_node(), src, &aliases)
            .into_iter()
            .map(|r| (r.name.clone(), src[r.span()].to_string()))
            .collect()
    }

    #[test]
    fn finds_every_read_form() {
        let src = r#"
const a = process.env.DATABASE_URL;
const b = process.env["DIRECT_URL"];
const c = import.meta.env.VITE_DB;
const d = Bun.env.POSTGRES_URL;
const e = Deno.env.get("MONGO_URL");
const { REDIS_URL, SUPABASE_DB_URL: sb, MYSQL_URL = "x" } = process.env;
const f = process.env.X!;
"#;
        let names: Vec<String> = reads(src).into_iter().map(|r| r.0).collect();
        assert_eq!(
            names,
            [
                "DATABASE_URL",
                "DIRECT_URL",
                "VITE_DB",
                "POSTGRES_URL",
                "MONGO_URL",
                "REDIS_URL",
                "SUPABASE_DB_URL",
                "MYSQL_URL",
                "X"
            ]
        );
    }

    #[test]
    fn writes_are_not_reads() {
        let src = "process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;\ndelete process.env.DIRECT_URL;\nconst env = process.env;";
        assert_eq!(
            reads(src),
            [(
                "TEST_DATABASE_URL".to_string(),
                "process.env.TEST_DATABASE_URL".to_string()
            )]
        );
    }

    #[test]
    fn reads_through_aliases() {
        let src = "const env = process.env;\nconst a = env.DATABASE_URL;\nconst { DIRECT_URL } = env;\nconst { env: e } = process;\nconst b = e['POSTGRES_URL'];\nconst other = {};\nconst c = other.MONGO_URL;";
        assert_eq!(
            reads(src),
            [
                ("DATABASE_URL".to_string(), "env.DATABASE_URL".to_string()),
                ("DIRECT_URL".to_string(), "DIRECT_URL".to_string()),
                ("POSTGRES_URL".to_string(), "e['POSTGRES_URL']".to_string()),
            ]
        );
        let src = "const { env } = process;\nexport const url = env.MYSQL_URL;";
        assert_eq!(
            reads(src),
            [("MYSQL_URL".to_string(), "env.MYSQL_URL".to_string())]
        );
        // Without an alias, `env` is any object.
        assert!(reads("const env = loadEnv();\nconst u = env.DATABASE_URL;").is_empty());
    }

    #[test]
    fn classifies_names() {
        let config = Config::default_at("/repo".into());
        use EnvClass::*;
        for (name, class) in [
            ("DATABASE_URL", Production),
            ("POSTGRES_PRISMA_URL", Production),
            ("SUPABASE_SERVICE_ROLE_KEY", Production),
            ("PROD_DATABASE_URL", Production),
            ("DATABASE_URL_PRODUCTION", Production),
            ("TEST_DATABASE_URL", NonProduction),
            ("DATABASE_URL_TEST", NonProduction),
            ("DEV_DATABASE_URL", NonProduction),
            ("NODE_ENV", Other),
            ("CI", NonProduction),
            ("PROD_API_URL", Other),
            ("PORT", Other),
        ] {
            assert_eq!(classify(name, &config), class, "{name}");
        }
        let config = Config::parse(
            "[production]\nenv = [\"PRIMARY_DB\"]\n",
            std::path::Path::new("/repo/dbguard.toml"),
        )
        .unwrap();
        assert_eq!(classify("PRIMARY_DB", &config), Production);
        assert_eq!(classify("DATABASE_URL", &config), Production);
    }
}
