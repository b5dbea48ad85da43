//! Category `destructive-sql`: statements that delete tables, schemas, databases, columns or
//! every row of a table — in a `.sql` file, a JS/TS query call or a `psql` command.
//!
//! One severity ladder for all of them ([`verdict`]): an error by default; a warning in a
//! down migration or when the same file created the table earlier (a drop/recreate); info in
//! test files (tests wipe their own database), for temporary tables, and for a `psql` pinned
//! to a local host.

mod delete_without_where;
mod drop_column;
mod drop_database;
mod drop_schema;
mod drop_table;
mod truncate;
mod update_without_where;

use super::{Severity, SqlHit, SqlRule};
use crate::sql::{Origin, SqlContext, SqlNode, TableName, PLACEHOLDER};

pub static RULES: &[&dyn SqlRule] = &[
    &drop_table::Rule,
    &drop_schema::Rule,
    &drop_database::Rule,
    &truncate::Rule,
    &delete_without_where::Rule,
    &update_without_where::Rule,
    &drop_column::Rule,
];

/// A statement's text for messages: comments dropped, whitespace collapsed, placeholders shown
/// as `${…}`, at most 80 characters.
pub(crate) fn statement_text(node: &SqlNode) -> String {
    let s = crate::sql::compact(&node.node).replace(PLACEHOLDER, "${…}");
    let s = s.trim_end_matches(';').to_string();
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// The common verdict. `tables` are the tables the statement touches (for the
/// created-earlier check); `effect` says what it does ("deletes every row of `users`").
pub(crate) fn verdict(
    node: &SqlNode,
    cx: &SqlContext,
    severity: Severity,
    effect: &str,
    tables: &[TableName],
) -> SqlHit {
    let span = node.range();
    let mut message = format!("`{}` {effect}", statement_text(node));
    if let Some(f) = node.in_function() {
        message.push_str(&format!(
            " (in the body of function `{f}`: it runs whenever the function is called)"
        ));
    }
    if let Origin::ShellFile { command, file, .. } = &cx.fragment.origin {
        message = format!("`{command}` runs {file}, where {message}");
    }
    let at = span.start;
    let created: Vec<_> = tables.iter().map(|t| cx.created_before(t, at)).collect();
    let all_created = !tables.is_empty() && created.iter().all(Option::is_some);
    let (severity, why) = if cx.role.test {
        (
            Severity::Info,
            Some("in a test file: tests reset their own database".to_string()),
        )
    } else if let Some(reason) = cx.safe_target() {
        (Severity::Info, Some(reason))
    } else if all_created && created.iter().flatten().all(|c| c.temporary) {
        (
            Severity::Info,
            Some("the temporary table is created earlier in the same file".to_string()),
        )
    } else if cx.in_down_migration(&span) {
        (Severity::Warning, Some("in a down migration".to_string()))
    } else if cx.role.supabase_seed && severity == Severity::Error {
        (
            Severity::Warning,
            Some(
                "in supabase/seed.sql, which `supabase db reset` runs on the local stack (and `db push --include-seed` on the linked project)"
                    .to_string(),
            ),
        )
    } else if all_created {
        (
            Severity::Warning,
            Some("the same file creates the table earlier (a drop and recreate)".to_string()),
        )
    } else {
        (severity, None)
    };
    if let Some(why) = why {
        message.push_str(&format!("; {why}"));
    } else if let Some(target) = unsafe_target(cx) {
        message.push_str(&format!(": {target}"));
    }
    SqlHit {
        severity,
        message: crate::target::redact_credentials(&message),
        span,
    }
}

/// For a PL/pgSQL `EXECUTE` of dynamic SQL, the statement its leading string literal starts
/// (lowercased, whitespace collapsed): `EXECUTE 'DROP TABLE ' || quote_ident(t)` gives
/// `drop table`. The "drop every table" loops are written this way.
pub(crate) fn dynamic_statement(node: &SqlNode) -> Option<String> {
    use crate::rules::access_control::dynamic_sql_concatenation::{first_expr, EXEC_KINDS};
    use squawk_syntax::SyntaxKind as K;
    if !EXEC_KINDS.contains(&node.node.kind()) {
        return None;
    }
    let expr = node.node.children().find(|c| c.kind() == K::PLPGSQL_EXPR)?;
    let mut e = first_expr(&expr)?;
    loop {
        e = match e.kind() {
            K::BIN_EXPR | K::PAREN_EXPR => e.children().next()?,
            // format('DROP TABLE %I', t)
            K::CALL_EXPR => e
                .children()
                .find(|c| c.kind() == K::ARG_LIST)?
                .children()
                .next()?,
            K::ARG => e.children().next()?,
            K::LITERAL => break,
            _ => return None,
        };
    }
    let text = crate::sql::compact(&e);
    let inner = text
        .trim_start_matches(['E', 'e'])
        .strip_prefix('\'')?
        .trim_end_matches('\'');
    Some(
        inner
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase(),
    )
}

/// The verdict on an `EXECUTE` that runs `what` built at run time (or a constant string).
pub(crate) fn dynamic_verdict(node: &SqlNode, cx: &SqlContext, what: &str) -> SqlHit {
    let constant = node
        .node
        .descendants()
        .filter(|n| n.kind() == squawk_syntax::SyntaxKind::PLPGSQL_EXPR)
        .flat_map(|e| e.descendants())
        .all(|n| {
            !matches!(
                n.kind(),
                squawk_syntax::SyntaxKind::BIN_EXPR
                    | squawk_syntax::SyntaxKind::CALL_EXPR
                    | squawk_syntax::SyntaxKind::NAME_REF
            )
        });
    let effect = if constant {
        format!("runs `{what}` from a string")
    } else {
        format!("runs `{what} …` on names computed at run time")
    };
    verdict(node, cx, Severity::Error, &effect, &[])
}

/// Why a `psql` that runs the SQL may reach any database (`-h` is remote, the URL comes
/// from the environment).
fn unsafe_target(cx: &SqlContext) -> Option<String> {
    match &cx.fragment.origin {
        Origin::Shell { target, .. } | Origin::ShellFile { target, .. } => {
            Some(target.reason().to_string())
        }
        _ => None,
    }
}

/// The table a path node names.
pub(crate) fn table_of(node: &squawk_syntax::SyntaxNode) -> Option<TableName> {
    TableName::from_path(&crate::sql::compact(node))
}

#[cfg(test)]
pub(crate) mod testing {
    //! Runs one SQL rule over SQL text, as the rule files' pass/fail tests do.
    use crate::fragment::map::OffsetMap;
    use crate::rules::{Severity, SqlRule};
    use crate::sql::{parse, FileRole, Origin, SqlContext, SqlFragment};

    pub fn check_as(rule: &dyn SqlRule, sql: &str, role: FileRole) -> Vec<(Severity, String)> {
        let frag = SqlFragment::new(
            sql.to_string(),
            OffsetMap::linear(0, sql.len()),
            Origin::File,
        );
        let parsed = parse(sql);
        let cx = SqlContext::new(&frag, &parsed, role);
        let mut out = Vec::new();
        parsed.visit(&mut |n| {
            if let Some(h) = rule.check(n, &cx) {
                out.push((h.severity, h.message));
            }
        });
        out
    }

    /// Asserts the severities of a snippet's findings, as a plain script file.
    #[track_caller]
    pub fn expect(rule: &dyn SqlRule, cases: &[(&str, &[Severity])]) {
        expect_as(rule, FileRole::default(), cases)
    }

    #[track_caller]
    pub fn expect_as(rule: &dyn SqlRule, role: FileRole, cases: &[(&str, &[Severity])]) {
        for (sql, want) in cases {
            let got = check_as(rule, sql, role);
            let sev: Vec<Severity> = got.iter().map(|g| g.0).collect();
            assert_eq!(&sev, want, "{}: `{sql}` gave {got:#?}", rule.meta().id);
        }
    }
}
