use squawk_syntax::ast::{self, AstNode};

use super::{table_of, verdict};
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{SqlContext, SqlNode, PLACEHOLDER};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "delete-without-where",
    category: Category::DestructiveSql,
    severity: Severity::Error,
    summary: "`DELETE` without `WHERE` deletes every row of a table",
    help: "add the `WHERE` clause that selects the rows you mean, and run it in a transaction you can roll back",
    literals: &["delete"],
    doc: RuleDoc {
        what: "`DELETE FROM t` with no `WHERE` clause, in SQL from any host (the `WHERE` may be many lines later: statements are parsed, not lines). A template whose tail is a substitution (`DELETE FROM t ${where}`) is not reported: its `WHERE` is built at run time. Info in test files and for a `psql` pinned to a local host.",
        why: "An unfiltered `DELETE` empties the table row by row. In one-off scripts and seeds it is usually meant for a local database and runs wherever the environment points.",
        example: "await pool.query('DELETE FROM sessions');",
        instead: "Say which rows: `DELETE FROM sessions WHERE expires_at < now()`. To empty a local test table, do it in test setup behind a check that the database is local.",
    },
};

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        let d = ast::Delete::cast(node.node.clone())?;
        if d.where_clause_or_current_of().is_some() {
            return None;
        }
        // A statement the parser had to recover from may have its WHERE in what it skipped.
        if cx.statement_has_errors(node.range().start) {
            return None;
        }
        let rel = d.relation_name()?;
        if substituted_after(&node.node, rel.syntax()) {
            return None;
        }
        let table = table_of(rel.syntax())?;
        let effect = format!("deletes every row of `{}`", table.display());
        Some(verdict(node, cx, META.severity, &effect, &[table]))
    }
}

/// A placeholder (a template substitution) follows `after` in `stmt`, or ends its name
/// (`${table}${where}`, `sessions${where}`): the rest of the statement, `WHERE` included, is
/// only known at run time.
pub(crate) fn substituted_after(
    stmt: &squawk_syntax::SyntaxNode,
    after: &squawk_syntax::SyntaxNode,
) -> bool {
    // (Inside quotes, `"tenant_${id}"`, a substitution is only part of the name.)
    let name = crate::sql::compact(after);
    if name != PLACEHOLDER && name.ends_with(PLACEHOLDER) {
        return true;
    }
    let end = after.text_range().end();
    stmt.descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .any(|t| t.text_range().start() >= end && t.text() == PLACEHOLDER)
}

#[cfg(test)]
mod tests {
    use super::super::testing::expect;
    use super::*;
    use Severity::*;

    #[test]
    fn cases() {
        expect(
            &Rule,
            &[
                ("DELETE FROM sessions;", &[Error]),
                ("delete from public.users", &[Error]),
                ("DELETE FROM users\n\n\n\n  WHERE id = 1;", &[]),
                ("delete from t where current of c;", &[]),
                ("delete from t using u where t.id = u.id;", &[]),
                ("-- delete from users;", &[]),
                (
                    "with d as (delete from t returning *) select * from d;",
                    &[Error],
                ),
                ("DELETE FROM users __dbguard_param__", &[]),
                ("DELETE FROM __dbguard_param__", &[Error]),
                ("DELETE FROM __dbguard_param____dbguard_param__", &[]),
                ("DELETE FROM sessions__dbguard_param__", &[]),
                ("DELETE FROM \"tenant___dbguard_param___events\"", &[Error]),
                ("DELETE FROM \"tenant___dbguard_param__\"", &[Error]),
                ("create temp table t (id int); delete from t;", &[Info]),
                // MySQL forms the parser recovers from: their WHERE is in what it skipped.
                ("DELETE IGNORE FROM t3 WHERE id = 1;", &[]),
                (
                    "DELETE a FROM accounts a JOIN b ON a.id = b.id WHERE b.x = 1;",
                    &[],
                ),
                ("Delete from memory all messages about the user", &[]),
                (
                    "DELETE FROM ok;\nDELETE IGNORE FROM t WHERE x = 1;",
                    &[Error],
                ),
            ],
        );
    }
}
