use squawk_syntax::ast::{self, AstNode};

use super::verdict;
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{SqlContext, SqlNode};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "drop-schema",
    category: Category::DestructiveSql,
    severity: Severity::Error,
    summary: "`DROP SCHEMA` deletes a schema (with `CASCADE`, every table in it)",
    help: "drop the objects you mean one by one in a reviewed migration; never `DROP SCHEMA … CASCADE` in a script",
    literals: &["drop"],
    doc: RuleDoc {
        what: "`DROP SCHEMA` in SQL from any host, with the same severity ladder as `drop-table` (warning in down migrations, info in tests and for a local `psql`).",
        why: "`DROP SCHEMA public CASCADE` is the classic \"reset\" one-liner: it deletes every table, view, function and row in the schema. Pointed at the wrong database it is a full data loss.",
        example: "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;",
        instead: "Reset local databases with your tool's reset against a pinned local URL (`prisma migrate reset` with a localhost `DATABASE_URL`, `supabase db reset` without `--linked`). In migrations, drop named objects explicitly.",
    },
};

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        if let Some(head) = super::dynamic_statement(node) {
            return head
                .starts_with("drop schema")
                .then(|| super::dynamic_verdict(node, cx, "DROP SCHEMA"));
        }
        let drop = ast::DropSchema::cast(node.node.clone())?;
        let names: Vec<String> = drop
            .schema_refs()
            .filter_map(|s| crate::sql::TableName::from_path(&crate::sql::compact(s.syntax())))
            .map(|s| format!("`{}`", s.display()))
            .collect();
        let cascade = drop
            .drop_behavior()
            .is_some_and(|b| crate::sql::compact(b.syntax()).eq_ignore_ascii_case("cascade"));
        let effect = format!(
            "deletes schema {}{}",
            names.join(", "),
            if cascade {
                " and, with CASCADE, every table in it"
            } else {
                ""
            }
        );
        Some(verdict(node, cx, META.severity, &effect, &[]))
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
                ("DROP SCHEMA public CASCADE;", &[Error]),
                ("drop schema if exists staging;", &[Error]),
                ("-- drop schema public cascade;", &[]),
                ("create schema if not exists private;", &[]),
                ("drop table public.t;", &[]),
            ],
        );
    }
}
