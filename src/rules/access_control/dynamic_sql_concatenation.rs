use squawk_syntax::{SyntaxKind, SyntaxNode};

use super::verdict;
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{compact, SqlContext, SqlNode};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "dynamic-sql-concatenation",
    category: Category::AccessControl,
    severity: Severity::Warning,
    summary: "PL/pgSQL `EXECUTE` of SQL built by concatenation or `format('%s')`",
    help: "use `format()` with `%I` for identifiers and `%L` for literals, or pass values with `EXECUTE … USING`",
    literals: &["execute"],
    doc: RuleDoc {
        what: "In a PL/pgSQL body, `EXECUTE` (also `RETURN QUERY EXECUTE`, `OPEN … FOR EXECUTE`, `FOR … IN EXECUTE`) of a string built with `||` from something that is not a literal or a `quote_ident`/`quote_literal`/`quote_nullable` call, or with `format()` whose format string uses `%s` for an argument that is neither a literal nor quoted that way.",
        why: "Dynamic SQL built from parameters is SQL injection inside the database, and in a `SECURITY DEFINER` function it runs with the owner's rights: a table name argument of `x; DROP TABLE users` does what it says.",
        example: "EXECUTE 'DELETE FROM ' || tbl || ' WHERE id = ' || id;",
        instead: "`EXECUTE format('DELETE FROM %I WHERE id = $1', tbl) USING id;` — `%I` quotes identifiers, `%L` literals, and `USING` passes values as parameters.",
    },
};

pub(crate) const EXEC_KINDS: &[SyntaxKind] = &[
    SyntaxKind::PLPGSQL_DYN_EXECUTE_STMT,
    SyntaxKind::PLPGSQL_RETURN_QUERY_EXECUTE_STMT,
    SyntaxKind::PLPGSQL_OPEN_EXECUTE,
    SyntaxKind::PLPGSQL_FOR_DYN_STMT,
];

const QUOTING: &[&str] = &["quote_ident", "quote_literal", "quote_nullable"];

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        if !EXEC_KINDS.contains(&node.node.kind()) {
            return None;
        }
        let expr = node
            .node
            .children()
            .find(|c| c.kind() == SyntaxKind::PLPGSQL_EXPR)?;
        let value = first_expr(&expr)?;
        let why = unsafe_sql(&value, 0)?;
        Some(verdict(
            node,
            cx,
            META.severity,
            format!("`EXECUTE` runs SQL built {why}: a parameter can inject SQL"),
        ))
    }
}

/// The expression inside `PLPGSQL_EXPR → TARGET_LIST → TARGET`.
pub(crate) fn first_expr(expr: &SyntaxNode) -> Option<SyntaxNode> {
    let mut n = expr.clone();
    while matches!(
        n.kind(),
        SyntaxKind::PLPGSQL_EXPR | SyntaxKind::TARGET_LIST | SyntaxKind::TARGET
    ) {
        n = n.children().next()?;
    }
    Some(n)
}

/// Why the expression is unsafe dynamic SQL, or `None` when it is a constant, properly quoted,
/// or not built here at all (a variable).
fn unsafe_sql(e: &SyntaxNode, depth: usize) -> Option<&'static str> {
    if depth > 64 {
        return None;
    }
    match e.kind() {
        SyntaxKind::BIN_EXPR => {
            let is_concat = e
                .children()
                .any(|c| c.kind() == SyntaxKind::CUSTOM_OP && compact(&c) == "||");
            if !is_concat {
                return None;
            }
            let operands: Vec<SyntaxNode> = e
                .children()
                .filter(|c| c.kind() != SyntaxKind::CUSTOM_OP)
                .collect();
            for o in &operands {
                if let Some(w) = unsafe_operand(o, depth) {
                    return Some(w);
                }
            }
            None
        }
        SyntaxKind::CALL_EXPR => format_with_s(e),
        SyntaxKind::PAREN_EXPR => e.children().find_map(|c| unsafe_sql(&c, depth + 1)),
        _ => None,
    }
}

fn unsafe_operand(o: &SyntaxNode, depth: usize) -> Option<&'static str> {
    match o.kind() {
        SyntaxKind::LITERAL => None,
        SyntaxKind::BIN_EXPR | SyntaxKind::PAREN_EXPR => unsafe_sql(o, depth + 1),
        SyntaxKind::CALL_EXPR => {
            let name = call_name(o);
            if QUOTING.contains(&name.as_str()) {
                None
            } else if name == "format" {
                format_with_s(o)
            } else {
                Some("by concatenating a function's result with `||`")
            }
        }
        _ => Some("by concatenating a value with `||`"),
    }
}

fn call_name(call: &SyntaxNode) -> String {
    call.children()
        .next()
        .map(|n| compact(&n).to_ascii_lowercase())
        .unwrap_or_default()
}

/// `format('… %s …', x)`: `%s` inserts the value as it is.
fn format_with_s(call: &SyntaxNode) -> Option<&'static str> {
    if call_name(call) != "format" {
        return None;
    }
    let args = call.children().find(|c| c.kind() == SyntaxKind::ARG_LIST)?;
    let mut list = args.children();
    let first = list.next()?;
    let fmt = compact(&first);
    // `%s` of a literal or of `quote_ident(x)` inserts nothing a caller controls.
    let unquoted = list.any(|arg| {
        let value = arg.children().next().unwrap_or(arg);
        match value.kind() {
            SyntaxKind::LITERAL => false,
            SyntaxKind::CALL_EXPR => !QUOTING.contains(&call_name(&value).as_str()),
            _ => true,
        }
    });
    (unquoted && fmt.contains("%s")).then_some("with `format('%s')`")
}

#[cfg(test)]
mod tests {
    use super::super::super::destructive_sql::testing::expect;
    use super::*;
    use Severity::*;

    fn func(body: &str) -> String {
        format!("create function f(t text, id int) returns void language plpgsql as $$ begin {body} end $$;")
    }

    #[test]
    fn cases() {
        let cases: Vec<(String, &[Severity])> = vec![
            (func("execute 'delete from ' || t;"), &[Warning]),
            (func("execute format('drop table %s', t);"), &[Warning]),
            (func("return query execute 'select * from x where id = ' || id::text;"), &[Warning]),
            (func("execute 'delete from ' || quote_ident(t) || ' where id = ' || quote_literal(id);"), &[]),
            (func("execute format('drop table %I', t);"), &[]),
            (func("execute format('select %L', t);"), &[]),
            (func("execute format('select * from %s', quote_ident(t));"), &[]),
            (func("execute format('select %s', 'const');"), &[]),
            (func("execute format('select %s from x', t);"), &[Warning]),
            (func("execute 'select 1';"), &[]),
            (func("execute 'select ' || 'one';"), &[]),
            (func("execute 'delete from x where id = $1' using id;"), &[]),
            (func("execute stmt;"), &[]),
            ("do $$ begin execute 'truncate ' || tbl; end $$;".to_string(), &[Warning]),
        ];
        let cases: Vec<(&str, &[Severity])> = cases.iter().map(|(s, w)| (s.as_str(), *w)).collect();
        expect(&Rule, &cases);
    }
}
