use tree_sitter::Node;

use super::js;
use super::js::{
    chain_leaves, classify, is_fallback_operator, literal_string, preorder, read_name, EnvClass,
};
use crate::config::Config;
use crate::fragment::javascript::unwrap_expr;
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "env-fallback-to-production",
    category: Category::Environment,
    severity: Severity::Error,
    summary: "A test or development setting falls back to a production database variable",
    help: "fail when the test/development variable is missing instead of falling back: `const url = process.env.TEST_DATABASE_URL; if (!url) throw new Error(\"TEST_DATABASE_URL is not set\")`",
    literals: &[".env"],
    doc: RuleDoc {
        what: "An expression that uses a production variable (see `test-reads-production-env` for the names) when a non-production one is missing or the environment is not production: `process.env.TEST_DATABASE_URL || process.env.DATABASE_URL`, `?? process.env.PROD_DATABASE_URL`, `process.env.TEST_DATABASE_URL ? process.env.TEST_DATABASE_URL : process.env.DATABASE_URL`, `NODE_ENV === 'production' ? … : process.env.DATABASE_URL`, and a `switch (process.env.NODE_ENV)` whose `test`/`development` case, or whose `default` when `production` has its own case, returns or assigns a production variable. In every file, not only tests. The non-production side may go through a `const` of the same file (`const testUrl = process.env.TEST_DATABASE_URL; … testUrl || process.env.DATABASE_URL`), declared once in the file, and reads may go through an alias of the environment (`const env = process.env`).\n\nNot reported: a fallback to a literal (`process.env.PORT || 3000`, `DATABASE_URL ?? 'postgres://localhost/dev'`), between two production names (`DATABASE_URL || POSTGRES_URL`), and the production branch itself (`case 'production': return process.env.DATABASE_URL`).",
        why: "The fallback is silent: the day the test variable is missing (a new machine, a renamed secret in CI, a script run outside the test runner), the code uses the production database without a word, and the test suite's inserts and cleanups run there. The `NODE_ENV` switch of the \"test users in production\" incident did exactly that: `default: return process.env.DEV_DATABASE_URL || process.env.DATABASE_URL`.",
        example: "switch (process.env.NODE_ENV) {\n  case 'production':\n    return process.env.DATABASE_URL;\n  default:\n    return process.env.DEV_DATABASE_URL || process.env.DATABASE_URL;\n}",
        instead: "Make each environment name its database and fail loudly when it is missing: `const url = process.env.DEV_DATABASE_URL; if (!url) throw new Error('DEV_DATABASE_URL is not set')`. A literal local default (`?? 'postgres://localhost:5432/app_dev'`) is fine.",
    },
};

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        // A fallback needs a production name and something to fall back from: a
        // non-production name or an environment switch. Files without both are not parsed.
        let text = input.text();
        let config = input.config;
        if !may_fall_back(text, config) {
            return;
        }
        let Some(tree) = input.js_tree() else { return };
        let src = input.text();
        let root = tree.root_node();
        let cx = Cx {
            src,
            config,
            aliases: js::env_aliases(root, src),
            locals: env_constants(root, src),
        };
        preorder(root, |node| match node.kind() {
            "binary_expression" => logical_fallback(node, &cx, out),
            "ternary_expression" => ternary(node, &cx, out),
            "switch_statement" => switch(node, &cx, out),
            _ => {}
        });
    }
}

/// The cheap test before the parse: a production name after `||`, `??` or `?` on its line, at
/// the start of a line that continues an operator (`: process.env.X`, a previous line ending
/// in `||`), or any production name in a file with a `switch` that names an environment; and something to fall back from (a non-production name, or an
/// environment switch such as `NODE_ENV`).
fn may_fall_back(text: &str, config: &Config) -> bool {
    let switches = [
        "NODE_ENV", "_ENV", "MODE", "isProd", "isTest", "isDev", "isLocal",
    ];
    // Most files name no production variable at all: a substring test first.
    static HINTS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let hints = HINTS.get_or_init(|| {
        aho_corasick::AhoCorasick::new(
            js::DEFAULT_PRODUCTION_ENV
                .iter()
                .copied()
                .chain(["PROD", "LIVE"]),
        )
        .expect("literals")
    });
    if !hints.is_match(text)
        && !config
            .production_env
            .iter()
            .any(|n| text.contains(n.as_str()))
    {
        return false;
    }
    let names_switch = switches.iter().any(|s| text.contains(s));
    if !(names_switch
        || js::upper_names(text).any(|n| js::classify(n, config) == EnvClass::NonProduction))
    {
        return false;
    }
    let has_switch = names_switch && text.contains("switch");
    js::production_names(text, config).any(|(at, _)| {
        if has_switch {
            return true;
        }
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[line_start..at];
        let before = line.trim_start();
        let previous = text[..line_start.saturating_sub(1)]
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .trim_end();
        line.contains("||")
            || line.contains('?')
            || before.starts_with(':')
            || ["||", "??", "?", ":"]
                .iter()
                .any(|op| previous.ends_with(op))
    })
}

/// What the checks need: the text, the config, the file's aliases of `process.env` and its
/// constants that hold an environment variable.
struct Cx<'s> {
    src: &'s str,
    config: &'s Config,
    aliases: Vec<&'s str>,
    locals: Vec<(&'s str, String)>,
}

/// Top-level-or-not `const x = process.env.X` (through `!`, `as T`, parentheses), by local
/// name: `x` stands for `X` wherever it is used. Names declared more than once in the file
/// (shadowing, `let` reassignments aside) are left out rather than guessed.
fn env_constants<'s>(root: Node, src: &'s str) -> Vec<(&'s str, String)> {
    let mut found: Vec<(&'s str, Option<String>)> = Vec::new();
    preorder(root, |node| {
        if node.kind() != "variable_declarator" {
            return;
        }
        let Some(name) = node
            .child_by_field_name("name")
            .filter(|n| n.kind() == "identifier")
        else {
            return;
        };
        let is_const = node
            .parent()
            .and_then(|d| d.child(0))
            .is_some_and(|k| k.kind() == "const");
        let read = node
            .child_by_field_name("value")
            .filter(|_| is_const)
            .and_then(|v| read_name(v, src));
        let text = &src[name.byte_range()];
        match found.iter_mut().find(|(n, _)| *n == text) {
            Some(entry) => entry.1 = None,
            None => found.push((text, read)),
        }
    });
    found
        .into_iter()
        .filter_map(|(n, r)| r.map(|r| (n, r)))
        .collect()
}

/// The variable `node` reads and its class: an environment read, or a constant holding one.
/// The name as a message shows it: `` `X` ``, or `` `X` (in `x`) `` through a constant.
fn class_of(node: Node, cx: &Cx) -> Option<(String, EnvClass)> {
    let src = cx.src;
    if let Some(name) = js::read_name_via(node, src, &cx.aliases) {
        let class = classify(&name, cx.config);
        return Some((format!("`{name}`"), class));
    }
    let node = unwrap_expr(node);
    if node.kind() != "identifier" {
        return None;
    }
    let local = &src[node.byte_range()];
    // Only constants of non-production variables: a production one behind a local name is
    // invisible to the text test of `may_fall_back`, and the result must not depend on it.
    let (_, name) = cx
        .locals
        .iter()
        .find(|(n, v)| *n == local && classify(v, cx.config) == EnvClass::NonProduction)?;
    Some((
        format!("`{name}` (in `{local}`)"),
        classify(name, cx.config),
    ))
}

fn hit(span: Node, message: String) -> FileHit {
    FileHit {
        severity: META.severity,
        message,
        span: span.byte_range(),
        help: None,
    }
}

/// `NONPROD || PROD`, `NONPROD ?? PROD`; in a longer chain, the first production operand
/// after a non-production one (reported once, at the `a || b` that reaches it).
fn logical_fallback(node: Node, cx: &Cx, out: &mut Vec<FileHit>) {
    let src = cx.src;
    if !is_fallback_operator(node, src) {
        return;
    }
    let (Some(left), Some(right)) = (
        node.child_by_field_name("left"),
        node.child_by_field_name("right"),
    ) else {
        return;
    };
    let Some((prod, EnvClass::Production)) = class_of(right, cx) else {
        return;
    };
    let mut leaves = Vec::new();
    chain_leaves(left, src, &mut leaves);
    let classes: Vec<(String, EnvClass)> = leaves.iter().filter_map(|l| class_of(*l, cx)).collect();
    if classes.iter().any(|(_, c)| *c == EnvClass::Production) {
        return;
    }
    if let Some((other, _)) = classes.iter().find(|(_, c)| *c == EnvClass::NonProduction) {
        out.push(hit(
            node,
            format!("falls back to the production variable {prod} when {other} is not set"),
        ));
    }
}

/// A value that is a production variable: the variable itself or the head of a `||` chain.
fn production_value<'t>(value: Node<'t>, cx: &Cx) -> Option<(Node<'t>, String)> {
    let src = cx.src;
    let value = unwrap_expr(value);
    let mut leaves = Vec::new();
    chain_leaves(value, src, &mut leaves);
    let head = *leaves.first()?;
    match class_of(head, cx)? {
        (name, EnvClass::Production) => Some((if leaves.len() == 1 { value } else { head }, name)),
        _ => None,
    }
}

/// Environment names (`NODE_ENV`, `APP_ENV`, `VERCEL_ENV`, `import.meta.env.MODE`) and local
/// names that hold one (`env`, `nodeEnv`, `environment`).
fn is_environment_selector(node: Node, src: &str) -> bool {
    let node = unwrap_expr(node);
    if let Some(name) = read_name(node, src) {
        let upper = name.to_ascii_uppercase();
        return matches!(
            upper.as_str(),
            "NODE_ENV" | "MODE" | "ENV" | "ENVIRONMENT" | "STAGE"
        ) || upper.ends_with("_ENV")
            || upper.ends_with("_ENVIRONMENT")
            || upper.ends_with("_STAGE");
    }
    node.kind() == "identifier"
        && matches!(
            src[node.byte_range()].to_ascii_lowercase().as_str(),
            "env" | "nodeenv" | "environment" | "appenv" | "stage" | "mode"
        )
}

/// What an environment name such as `'test'` is.
fn environment_label(value: &str) -> EnvClass {
    match value.to_ascii_lowercase().as_str() {
        "production" | "prod" => EnvClass::Production,
        "test" | "testing" | "development" | "dev" | "local" | "e2e" => EnvClass::NonProduction,
        _ => EnvClass::Other,
    }
}

/// Which branch of `cond ? a : b` runs outside production: true for `a`, false for `b`.
fn non_production_branch(cond: Node, src: &str) -> Option<bool> {
    let cond = unwrap_expr(cond);
    match cond.kind() {
        "unary_expression" if src[cond.byte_range()].starts_with('!') => {
            non_production_branch(cond.child_by_field_name("argument")?, src).map(|b| !b)
        }
        "identifier" => match src[cond.byte_range()].to_ascii_lowercase().as_str() {
            "isprod" | "isproduction" => Some(false),
            "isdev" | "isdevelopment" | "istest" | "islocal" => Some(true),
            _ => None,
        },
        "binary_expression" => {
            let equal = match &src[cond.child_by_field_name("operator")?.byte_range()] {
                "===" | "==" => true,
                "!==" | "!=" => false,
                _ => return None,
            };
            let (l, r) = (
                cond.child_by_field_name("left")?,
                cond.child_by_field_name("right")?,
            );
            let (selector, label) = if is_environment_selector(l, src) {
                (l, r)
            } else {
                (r, l)
            };
            if !is_environment_selector(selector, src) {
                return None;
            }
            match (environment_label(literal_string(label, src)?), equal) {
                (EnvClass::Production, _) => Some(!equal),
                (EnvClass::NonProduction, true) => Some(true),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `NONPROD ? NONPROD : PROD` (a fallback spelled as a ternary) and
/// `NODE_ENV === 'production' ? … : PROD`.
fn ternary(node: Node, cx: &Cx, out: &mut Vec<FileHit>) {
    let src = cx.src;
    let (Some(cond), Some(then), Some(other)) = (
        node.child_by_field_name("condition"),
        node.child_by_field_name("consequence"),
        node.child_by_field_name("alternative"),
    ) else {
        return;
    };
    // Presence test of a non-production variable.
    let (tested, negated) = match unwrap_expr(cond) {
        c if c.kind() == "unary_expression" && src[c.byte_range()].starts_with('!') => {
            (c.child_by_field_name("argument"), true)
        }
        c => (Some(c), false),
    };
    // `process.env.TEST_DATABASE_URL ? … : …` tests a value; `process.env.CI ? … : …` tests
    // a flag, whose other branch is every other environment, production included (judged
    // like a `NODE_ENV` switch below).
    let tested_value = tested
        .and_then(|t| class_of(t, cx))
        .filter(|(name, _)| names_a_value(name));
    if let Some((name, EnvClass::NonProduction)) = tested_value {
        let fallback = if negated { then } else { other };
        if let Some((value, prod)) = production_value(fallback, cx) {
            out.push(hit(
                value,
                format!("falls back to the production variable {prod} when {name} is not set"),
            ));
        }
        return;
    }
    let Some(branch) = non_production_branch(cond, src) else {
        return;
    };
    let value = if branch { then } else { other };
    if let Some((value, prod)) = production_value(value, cx) {
        let cond: String = src[cond.byte_range()]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let when = if branch { "when" } else { "unless" };
        out.push(hit(
            value,
            format!("uses the production variable {prod} outside production ({when} `{cond}`)"),
        ));
    }
}

/// A variable that holds a connection (`TEST_DATABASE_URL`, `DEV_DB_HOST`), not a flag (`CI`).
fn names_a_value(name: &str) -> bool {
    name.split('_').any(|seg| {
        [
            "URL",
            "URI",
            "DSN",
            "DB",
            "DATABASE",
            "HOST",
            "CONNECTION",
            "CONN",
        ]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(seg))
    })
}

/// Cases sharing one body: their labels (None for `default`), the labels as written, the
/// body's statements.
type CaseGroup<'t> = (Vec<Option<EnvClass>>, Vec<String>, Vec<Node<'t>>);

/// `switch (process.env.NODE_ENV)`: a test/development case, or the default when production
/// has its own case, that returns or assigns a production variable.
fn switch(node: Node, cx: &Cx, out: &mut Vec<FileHit>) {
    let src = cx.src;
    let (Some(value), Some(body)) = (
        node.child_by_field_name("value"),
        node.child_by_field_name("body"),
    ) else {
        return;
    };
    if !is_environment_selector(value, src) {
        return;
    }
    let selector = &src[unwrap_expr(value).byte_range()];
    // Cases in groups: `case 'test': case 'development': …` share one body.
    let mut groups: Vec<CaseGroup> = Vec::new();
    let mut pending: (Vec<Option<EnvClass>>, Vec<String>) = (Vec::new(), Vec::new());
    let mut c = body.walk();
    for case in body.named_children(&mut c) {
        let (label, words) = match case.kind() {
            "switch_case" => {
                let label = case.child_by_field_name("value");
                let text = label.and_then(|l| literal_string(l, src));
                (
                    Some(text.map_or(EnvClass::Other, environment_label)),
                    format!("'{}'", text.unwrap_or("…")),
                )
            }
            "switch_default" => (None, "default".to_string()),
            _ => continue,
        };
        pending.0.push(label);
        pending.1.push(words);
        let mut cc = case.walk();
        let statements: Vec<Node> = case
            .children_by_field_name("body", &mut cc)
            .filter(|n| n.is_named() && n.kind() != "comment")
            .collect();
        if !statements.is_empty() {
            let (labels, words) = std::mem::take(&mut pending);
            groups.push((labels, words, statements));
        }
    }
    let has_production = groups
        .iter()
        .any(|(labels, _, _)| labels.contains(&Some(EnvClass::Production)));
    for (labels, words, statements) in &groups {
        if labels.contains(&Some(EnvClass::Production)) {
            continue;
        }
        let non_production = labels.contains(&Some(EnvClass::NonProduction))
            || (has_production && labels.contains(&None));
        if !non_production {
            continue;
        }
        for statement in statements {
            for value in branch_values(*statement) {
                if let Some((value, prod)) = production_value(value, cx) {
                    out.push(hit(
                        value,
                        format!(
                            "the {} branch of `switch ({selector})` uses the production variable {prod}",
                            words.join("/")
                        ),
                    ));
                }
            }
        }
    }
}

/// What a case body hands out: `return X`, `url = X`, `const url = X`.
fn branch_values(statement: Node) -> Vec<Node> {
    let mut out = Vec::new();
    match statement.kind() {
        "return_statement" => out.extend(statement.named_child(0)),
        "expression_statement" => {
            let e = statement.named_child(0).map(unwrap_expr);
            if let Some(e) = e.filter(|e| e.kind() == "assignment_expression") {
                out.extend(e.child_by_field_name("right"));
            }
        }
        "lexical_declaration" | "variable_declaration" => {
            let mut c = statement.walk();
            for d in statement.named_children(&mut c) {
                out.extend(d.child_by_field_name("value"));
            }
        }
        "statement_block" => {
            let mut c = statement.walk();
            for s in statement.named_children(&mut c) {
                out.extend(branch_values(s));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::js::testing::{run, spans, Setup};
    use super::*;

    const APP: Setup = Setup {
        rel: "src/lib/db.ts",
        toml: "",
        is_test: false,
        is_script: false,
    };

    fn found(src: &str) -> Vec<String> {
        spans(&Rule, &APP, src)
    }

    #[test]
    fn fallbacks_to_production() {
        for (src, want) in [
            (
                "const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;",
                "process.env.TEST_DATABASE_URL || process.env.DATABASE_URL",
            ),
            (
                "const url = process.env.DATABASE_URL_TEST ?? process.env.PROD_DATABASE_URL;",
                "process.env.DATABASE_URL_TEST ?? process.env.PROD_DATABASE_URL",
            ),
            (
                "const url = process.env.E2E_DB ?? process.env.TEST_DB ?? process.env.DATABASE_URL!;",
                "process.env.E2E_DB ?? process.env.TEST_DB ?? process.env.DATABASE_URL",
            ),
            (
                "const url = process.env.TEST_DATABASE_URL ? process.env.TEST_DATABASE_URL : process.env.DATABASE_URL;",
                "process.env.DATABASE_URL",
            ),
            (
                "const url = process.env.NODE_ENV === 'production' ? process.env.DATABASE_URL : process.env.DIRECT_URL;",
                "process.env.DIRECT_URL",
            ),
            (
                "const url = process.env.NODE_ENV !== 'production' ? process.env.DATABASE_URL : x;",
                "process.env.DATABASE_URL",
            ),
            (
                "const url = process.env.NODE_ENV === 'test' ? process.env.DATABASE_URL : y;",
                "process.env.DATABASE_URL",
            ),
            (
                "const url = isProd ? secrets.db : process.env.DATABASE_URL || 'postgres://localhost/dev';",
                "process.env.DATABASE_URL",
            ),
        ] {
            assert_eq!(found(src), [want], "{src}");
        }
    }

    #[test]
    fn the_incident_switch() {
        let src = r#"export function databaseUrl(): string | undefined {
  switch (process.env.NODE_ENV) {
    case 'production':
      return process.env.DATABASE_URL;
    case 'test':
      return process.env.TEST_DATABASE_URL;
    default:
      return process.env.DEV_DATABASE_URL || process.env.DATABASE_URL;
  }
}"#;
        let hits = run(&Rule, &APP, src);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(
            hits[0].0,
            "process.env.DEV_DATABASE_URL || process.env.DATABASE_URL"
        );
        assert_eq!(
            hits[0].2,
            "falls back to the production variable `DATABASE_URL` when `DEV_DATABASE_URL` is not set"
        );
    }

    #[test]
    fn switch_branches() {
        let src = r#"let url;
switch (process.env.NODE_ENV) {
  case 'production':
    url = process.env.DATABASE_URL;
    break;
  case 'development':
  case 'test': {
    url = process.env.DIRECT_URL;
    break;
  }
  default:
    url = process.env.DATABASE_URL;
}"#;
        assert_eq!(
            found(src),
            ["process.env.DIRECT_URL", "process.env.DATABASE_URL"]
        );
        let hits = run(&Rule, &APP, src);
        assert!(
            hits[0].2.contains("the 'development'/'test' branch"),
            "{}",
            hits[0].2
        );
    }

    #[test]
    fn through_a_constant() {
        let src = "const testUrl = process.env.TEST_DATABASE_URL;\nexport const url = testUrl || process.env.DATABASE_URL;";
        let hits = run(&Rule, &APP, src);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].0, "testUrl || process.env.DATABASE_URL");
        assert_eq!(
            hits[0].2,
            "falls back to the production variable `DATABASE_URL` when `TEST_DATABASE_URL` (in `testUrl`) is not set"
        );
        for (src, want) in [
            (
                "const devUrl = process.env.DEV_DATABASE_URL!;\nconst url = devUrl ? devUrl : process.env.DATABASE_URL;",
                "process.env.DATABASE_URL",
            ),
            (
                "const env = process.env;\nconst url = env.TEST_DATABASE_URL ?? env.DATABASE_URL;",
                "env.TEST_DATABASE_URL ?? env.DATABASE_URL",
            ),
        ] {
            assert_eq!(found(src), [want], "{src}");
        }
        for src in [
            // `let` may be reassigned; a name declared twice is not guessed.
            "let testUrl = process.env.TEST_DATABASE_URL;\nexport const url = testUrl || process.env.DATABASE_URL;",
            "const testUrl = process.env.TEST_DATABASE_URL;\nfunction f() {\n  const testUrl = cfg.url;\n  return testUrl || process.env.DATABASE_URL;\n}",
            "const testUrl = loadTestUrl();\nexport const url = testUrl || process.env.DATABASE_URL;",
            "const primary = process.env.DATABASE_URL;\nexport const url = primary || process.env.DIRECT_URL;",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }

    #[test]
    fn look_alikes_stay_clean() {
        for src in [
            "const port = process.env.PORT || 3000;",
            "const url = process.env.DATABASE_URL ?? 'postgres://localhost/dev';",
            "const url = process.env.DATABASE_URL || process.env.POSTGRES_URL;",
            "const url = process.env.TEST_DATABASE_URL ?? 'postgres://localhost:5432/test';",
            "const url = process.env.TEST_DATABASE_URL || process.env.DEV_DATABASE_URL;",
            "const url = process.env.NODE_ENV === 'test' ? process.env.TEST_DATABASE_URL : process.env.DATABASE_URL;",
            "const url = process.env.NODE_ENV === 'production' ? process.env.DATABASE_URL : 'postgres://localhost/dev';",
            // Without a production case, the default is the production branch.
            "switch (process.env.NODE_ENV) {\n  case 'test':\n    return process.env.TEST_DATABASE_URL;\n  default:\n    return process.env.DATABASE_URL;\n}",
            "switch (process.env.NODE_ENV) {\n  case 'production':\n    return process.env.DATABASE_URL;\n  default:\n    return 'postgres://localhost/dev';\n}",
            "switch (process.env.NODE_ENV) {\n  case 'staging':\n  case 'production':\n    return process.env.DATABASE_URL;\n  default:\n    return process.env.DEV_DATABASE_URL;\n}",
            "switch (command) {\n  case 'test':\n    return process.env.DATABASE_URL;\n}",
            "const a = process.env.TEST_DATABASE_URL || DATABASE_URL;",
            // A flag, not a value: off CI is every other environment, production included.
            "const url = process.env.CI ? process.env.CI_DATABASE_URL : process.env.DATABASE_URL;",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }
}
