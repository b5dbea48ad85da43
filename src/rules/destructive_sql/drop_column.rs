use squawk_syntax::ast::{self, AstNode};

use super::{table_of, verdict};
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{SqlContext, SqlNode, TableName};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "drop-column",
    category: Category::DestructiveSql,
    severity: Severity::Error,
    summary: "`ALTER TABLE … DROP COLUMN` deletes a column's data in every row",
    help: "stop using the column first, deploy, back it up, then drop it in a later migration",
    literals: &["drop"],
    doc: RuleDoc {
        what: "`ALTER TABLE … DROP COLUMN` in SQL from any host — including the migrations Prisma generates when a field is removed or renamed in `schema.prisma`. A warning when the same file created the table or in a down migration; info in test files.",
        why: "The column's values are gone for every row. ORMs generate drops for renames (drop + add), so a rename in the schema file silently becomes data loss in production; and code still deployed that reads the column breaks.",
        example: "ALTER TABLE \"User\" DROP COLUMN \"legacyEmail\";",
        instead: "Expand and contract: add the new column, backfill, switch the code, and drop the old column in a later release after a backup. For renames use `RENAME COLUMN` (edit the generated migration).",
    },
};

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        let drop = ast::DropColumn::cast(node.node.clone())?;
        let alter = node.node.ancestors().find_map(ast::AlterTable::cast)?;
        let table = alter
            .table_relation_name()
            .and_then(|t| table_of(t.syntax()));
        let column = drop
            .column_name_ref()
            .and_then(|c| TableName::from_path(&crate::sql::compact(c.syntax())))
            .map(|c| c.name)
            .unwrap_or_default();
        let alter_node = SqlNode {
            node: alter.syntax().clone(),
            function: node.function,
            to_fragment: node.to_fragment,
        };
        let effect = match &table {
            Some(t) => format!(
                "deletes column `{column}` of `{}` in every row",
                t.display()
            ),
            None => format!("deletes column `{column}` in every row"),
        };
        let tables: Vec<_> = table.into_iter().collect();
        let mut hit = verdict(&alter_node, cx, META.severity, &effect, &tables);
        // Several drops in one ALTER TABLE are several findings: point at each.
        hit.span = node.range();
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
                ("ALTER TABLE \"User\" DROP COLUMN \"legacy\";", &[Error]),
                (
                    "alter table users drop column a, drop column if exists b;",
                    &[Error, Error],
                ),
                ("alter table users drop a;", &[Error]),
                (
                    "create table users (a int);\nalter table users drop column a;",
                    &[Warning],
                ),
                ("alter table users add column a int;", &[]),
                ("alter table users drop constraint users_pkey;", &[]),
                ("-- alter table users drop column a;", &[]),
            ],
        );
    }
}
