//! Host guards: a statement that refuses to go on unless a database variable points at a
//! local host. Commands after a guard (at the top level of the same script) run only against a
//! local database.
//!
//! Recognised shapes (the test must not have a second way to pass, such as `|| "$FORCE" = 1`):
//! - `[[ "$DATABASE_URL" == *localhost* ]] || exit 1` (also `|| { …; exit 1; }`);
//! - `[[ "$DATABASE_URL" != *localhost* ]] && exit 1`;
//! - `if [[ "$DATABASE_URL" != *localhost* ]]; then …; exit 1; fi`, or the positive test with
//!   the exit in `else`; a `read` (a confirmation prompt) in the refusing branch is no guard;
//! - `case "$DATABASE_URL" in *localhost*|*127.0.0.1*) ;; *) …; exit 1 ;; esac`.
//!
//! The exit must be a statement of the branch itself: an `exit` inside `( … )` only leaves
//! the subshell.

use tree_sitter::Node;

/// Variables a guard can check, as the rules read them.
pub const GUARD_VARS: &[&str] = &[
    "DATABASE_URL",
    "POSTGRES_URL",
    "DIRECT_URL",
    "PGHOST",
    "DB_HOST",
];

/// Host names a guard compares a database URL with.
pub const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// A refusing host check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The variable it checks.
    pub var: String,
    pub reason: String,
    /// JS/TS constants that hold the checked value (`const url = process.env.DATABASE_URL`):
    /// passing one on to the command is passing the checked value.
    pub holders: Vec<String>,
}

/// The guard `node` is, if it is one.
pub fn host_guard(node: Node, src: &str) -> Option<Guard> {
    let text = |n: Node| &src[n.byte_range()];
    let guard = |var: &str| Guard {
        var: var.to_string(),
        reason: format!("the script refuses a non-local {var} before this"),
        holders: Vec::new(),
    };
    match node.kind() {
        "list" => {
            let (left, right) = (node.named_child(0)?, node.named_child(1)?);
            let op = node.child(1).map(text)?;
            // `dbguard check-url "$DATABASE_URL" || exit 1`
            if let Some(var) = check_url_var(left, src) {
                return (op == "||" && refuses(right, src, 0)).then(|| Guard {
                    var: var.to_string(),
                    reason: "`dbguard check-url` vets the database URL earlier".into(),
                    holders: Vec::new(),
                });
            }
            let var = checked_var(text(left))?;
            let polarity = test_polarity(left, src)?;
            let refuses = refuses(right, src, 0);
            let ok = match (op, polarity) {
                ("||", Polarity::IsLocal) | ("&&", Polarity::NotLocal) => refuses,
                _ => false,
            };
            ok.then(|| guard(var))
        }
        "if_statement" => {
            let condition = node.child_by_field_name("condition")?;
            let var = checked_var(text(condition))?;
            let polarity = test_polarity(condition, src)?;
            let (then_body, else_body) = branches(node);
            let refusing = match polarity {
                Polarity::NotLocal => then_body,
                Polarity::IsLocal => else_body,
            };
            (!refusing.is_empty() && branch_refuses(&refusing, src)).then(|| guard(var))
        }
        "case_statement" => {
            let var = checked_var(text(node.child_by_field_name("value")?))?;
            let mut c = node.walk();
            let items: Vec<Node> = node
                .named_children(&mut c)
                .filter(|n| n.kind() == "case_item")
                .collect();
            let local_passes = items.iter().any(|i| {
                let (patterns, body) = case_item(*i, src);
                patterns
                    .iter()
                    .any(|p| LOCAL_HOSTS.iter().any(|h| p.contains(h)))
                    && !branch_refuses(&body, src)
            });
            let rest_refuses = items.iter().any(|i| {
                let (patterns, body) = case_item(*i, src);
                patterns.iter().any(|p| p == "*") && branch_refuses(&body, src)
            });
            (local_passes && rest_refuses).then(|| guard(var))
        }
        _ => None,
    }
}

/// A `case` item's patterns and body statements.
fn case_item<'t>(item: Node<'t>, src: &str) -> (Vec<String>, Vec<Node<'t>>) {
    let mut c = item.walk();
    let pattern_nodes: Vec<Node<'t>> = item.children_by_field_name("value", &mut c).collect();
    let patterns = pattern_nodes
        .iter()
        .map(|p| src[p.byte_range()].to_string())
        .collect();
    let mut c = item.walk();
    let body = item
        .named_children(&mut c)
        .filter(|n| !pattern_nodes.contains(n))
        .collect();
    (patterns, body)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Polarity {
    /// The test passes when the variable is local.
    IsLocal,
    /// The test passes when the variable is not local.
    NotLocal,
}

/// The guard variable a test mentions (`$DATABASE_URL`, `${DATABASE_URL:-}`), as a whole
/// name: `$DATABASE_URL_TEST` is another variable.
fn checked_var(text: &str) -> Option<&'static str> {
    GUARD_VARS.iter().copied().find(|v| {
        [format!("${v}"), format!("${{{v}")].iter().any(|pat| {
            text.match_indices(pat.as_str()).any(|(i, _)| {
                let next = text[i + pat.len()..].chars().next();
                !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
    })
}

/// The variable `dbguard check-url "$VAR"` vets, when `node` is that command.
fn check_url_var(node: Node, src: &str) -> Option<&'static str> {
    if node.kind() != "command" {
        return None;
    }
    let name = node.child_by_field_name("name")?;
    let program = &src[name.byte_range()];
    if program.rsplit('/').next() != Some("dbguard") {
        return None;
    }
    let text = &src[node.byte_range()];
    if !text.contains("check-url") {
        return None;
    }
    checked_var(text)
}

/// Whether a test passes for local hosts or for the others. A test with a second way to pass
/// (`||`, `-o`) or that mentions no local host is not a host check.
fn test_polarity(node: Node, src: &str) -> Option<Polarity> {
    let t = &src[node.byte_range()];
    if !LOCAL_HOSTS.iter().any(|h| t.contains(h)) || t.contains("||") || t.contains(" -o ") {
        return None;
    }
    let negated = t.contains("!=") || t.trim_start().starts_with('!') || t.contains("! [");
    let positive = t.contains("==") || t.contains("=~") || t.contains(" = ");
    match (negated, positive) {
        (true, false) => Some(Polarity::NotLocal),
        (false, true) => Some(Polarity::IsLocal),
        _ => None,
    }
}

/// The statements of an `if`'s `then` branch and of its `else` branch.
fn branches(node: Node) -> (Vec<Node>, Vec<Node>) {
    let mut then_body = Vec::new();
    let mut else_body = Vec::new();
    let mut seen_then = false;
    let mut c = node.walk();
    for child in node.children(&mut c) {
        match child.kind() {
            "then" => seen_then = true,
            "else_clause" => {
                let mut ec = child.walk();
                else_body.extend(child.named_children(&mut ec));
            }
            "elif_clause" | "fi" | "comment" => {}
            _ if seen_then && child.is_named() => then_body.push(child),
            _ => {}
        }
    }
    (then_body, else_body)
}

/// A branch refuses when one of its own statements exits or returns, and it asks nothing
/// (a `read` prompt makes it a confirmation, not a refusal).
fn branch_refuses(statements: &[Node], src: &str) -> bool {
    statements.iter().any(|s| refuses(*s, src, 0))
        && !statements.iter().any(|s| contains_read(*s, src))
}

/// `exit`/`return` as the statement itself, or in a `{ …; }` group; not in a subshell.
fn refuses(node: Node, src: &str, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    match node.kind() {
        "command" => node
            .child_by_field_name("name")
            .is_some_and(|n| matches!(&src[n.byte_range()], "exit" | "return")),
        "compound_statement" => {
            let mut c = node.walk();
            let stmts: Vec<Node> = node.named_children(&mut c).collect();
            stmts.iter().any(|s| refuses(*s, src, depth + 1))
                && !stmts.iter().any(|s| contains_read(*s, src))
        }
        "redirected_statement" => node
            .child_by_field_name("body")
            .is_some_and(|b| refuses(b, src, depth + 1)),
        _ => false,
    }
}

/// Whether a `read` runs anywhere under `node`. Iterative and bounded: a statement too large
/// to search counts as asking (so it is not taken for a guard).
fn contains_read(node: Node, src: &str) -> bool {
    let mut stack = vec![node];
    let mut visited = 0;
    while let Some(n) = stack.pop() {
        visited += 1;
        if visited > 10_000 {
            return true;
        }
        if n.kind() == "command"
            && n.child_by_field_name("name")
                .is_some_and(|c| &src[c.byte_range()] == "read")
        {
            return true;
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    false
}
