use squawk_syntax::ast::{self, AstNode};

use super::delete_without_where::substituted_after;
use super::{table_of, verdict};
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{SqlContext, SqlNode};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "update-without-where",
    category: Category::DestructiveSql,
    severity: Severity::Error,
    summary: "`UPDATE` without `WHERE` overwrites a column in every row",
    help: "add the `WHERE` clause that selects the rows you mean, and run it in a transaction you can roll back",
    literals: &["update"],
    doc: RuleDoc {
        what: "`UPDATE t SET …` with no `WHERE` clause, in SQL from any host. A template whose tail (or the end of the table name) is a substitution is not reported, nor is a statement the parser had to recover from (MySQL's `UPDATE a JOIN b`). Info in test files, for a backfill of columns the same file just added (`ADD COLUMN plan` then `UPDATE t SET plan = 'free'`) and for a `psql` pinned to a local host; a warning in down migrations.",
        why: "An unfiltered `UPDATE` replaces the value in every row: the old values are gone unless you restore a backup. Backfills belong in reviewed migrations, not in ad-hoc scripts.",
        example: "UPDATE users SET email = 'test@example.test';",
        instead: "Add the `WHERE` clause (`WHERE id = $1`), or, for a deliberate backfill of every row, put it in a migration where `UPDATE … WHERE true` states the intent and reviewers see it.",
    },
};

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        let u = ast::Update::cast(node.node.clone())?;
        if u.where_clause_or_current_of().is_some() || u.set_clause().is_none() {
            return None;
        }
        // A statement the parser had to recover from may have its WHERE in what it skipped.
        if cx.statement_has_errors(node.range().start) {
            return None;
        }
        let rel = u.relation_name()?;
        if substituted_after(&node.node, rel.syntax()) {
            return None;
        }
        let table = table_of(rel.syntax())?;
        let effect = format!("changes every row of `{}`", table.display());
        let mut hit = verdict(
            node,
            cx,
            META.severity,
            &effect,
            std::slice::from_ref(&table),
        );
        // `ADD COLUMN c` then `UPDATE t SET c = …`: a backfill overwrites no existing value.
        let columns: Vec<String> = u
            .set_clause()
            .map(|s| {
                s.syntax()
                    .descendants()
                    .filter(|c| c.kind() == squawk_syntax::SyntaxKind::COLUMN_TARGET)
                    .filter_map(|c| table_of(&c).map(|t| t.name))
                    .collect()
            })
            .unwrap_or_default();
        let at = node.range().start;
        if hit.severity > Severity::Info
            && !columns.is_empty()
            && columns.iter().all(|c| cx.added_before(&table, c, at))
        {
            hit.severity = Severity::Info;
            hit.message.push_str(
                "; it backfills columns added earlier in the same file, so no existing value is overwritten",
            );
        }
        Some(hit)
    }
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
                ("UPDATE users SET email = 'x@example.test';", &[Error]),
                ("update public.accounts set balance = 0", &[Error]),
                (
                    "UPDATE users SET active = false\n\n  WHERE last_login < now();",
                    &[],
                ),
                ("update users set x = 1 where true;", &[]),
                ("-- update users set x = 1;", &[]),
                ("select 1 for update;", &[]),
                (
                    "insert into t values (1) on conflict (id) do update set x = 1;",
                    &[],
                ),
                (
                    "UPDATE users SET name = __dbguard_param__ __dbguard_param__",
                    &[],
                ),
                (
                    "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';",
                    &[Info],
                ),
                ("UPDATE t5 JOIN t6 ON t5.a = t6.a SET t5.b = 1 WHERE t6.c = 2;", &[]),
                (
                    "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free', email = null;",
                    &[Error],
                ),
                (
                    "ALTER TABLE accounts ADD COLUMN plan text;\nUPDATE users SET plan = 'free';",
                    &[Error],
                ),
            ],
        );
    }
}
