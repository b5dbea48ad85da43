use squawk_syntax::ast::{self, AstNode};

use super::{table_of, verdict};
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{SqlContext, SqlNode};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "truncate",
    category: Category::DestructiveSql,
    severity: Severity::Error,
    summary: "`TRUNCATE` deletes every row of a table at once",
    help: "delete the rows you mean with a `WHERE` clause, or truncate only in test setup against a pinned local database",
    literals: &["truncate"],
    doc: RuleDoc {
        what: "`TRUNCATE` in SQL from any host. Info in test files (tests truncate their own database) and for a `psql` pinned to a local host; a warning in down migrations.",
        why: "`TRUNCATE` empties tables without scanning them, cannot be filtered and, with `CASCADE`, empties every table that references them too. A seed or cleanup script that truncates is one wrong `DATABASE_URL` away from wiping production.",
        example: "TRUNCATE TABLE \"User\", \"Session\" RESTART IDENTITY CASCADE;",
        instead: "Seed with upserts instead of wipe-and-insert; in test helpers, truncate only after checking the connection is a local test database.",
    },
};

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        if let Some(head) = super::dynamic_statement(node) {
            return head
                .starts_with("truncate")
                .then(|| super::dynamic_verdict(node, cx, "TRUNCATE"));
        }
        let t = ast::Truncate::cast(node.node.clone())?;
        let tables: Vec<_> = t
            .table_list()
            .map(|l| l.syntax().children().filter_map(|c| table_of(&c)).collect())
            .unwrap_or_default();
        let names: Vec<String> = tables
            .iter()
            .map(|t| format!("`{}`", t.display()))
            .collect();
        let cascade = t
            .drop_behavior()
            .is_some_and(|b| crate::sql::compact(b.syntax()).eq_ignore_ascii_case("cascade"));
        let effect = format!(
            "deletes every row of {}{}",
            if names.is_empty() {
                "the table".to_string()
            } else {
                names.join(", ")
            },
            if cascade {
                " and of every table that references it"
            } else {
                ""
            }
        );
        Some(verdict(node, cx, META.severity, &effect, &tables))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{expect, expect_as};
    use super::*;
    use crate::sql::FileRole;
    use Severity::*;

    #[test]
    fn cases() {
        expect(
            &Rule,
            &[
                ("TRUNCATE users;", &[Error]),
                (
                    "truncate table \"User\", \"Post\" restart identity cascade;",
                    &[Error],
                ),
                ("-- truncate users", &[]),
                ("select 'truncate users';", &[]),
                ("create temp table t (id int); truncate t;", &[Info]),
                (
                    "create function wipe() returns void language sql as $$ truncate users $$;",
                    &[Error],
                ),
                (
                    "create function wipe() returns void language sql begin atomic truncate users; end;",
                    &[Error],
                ),
            ],
        );
        let test = FileRole {
            test: true,
            ..FileRole::default()
        };
        expect_as(&Rule, test, &[("TRUNCATE users;", &[Info])]);
        let seed = FileRole::from_path("supabase/seed.sql");
        expect_as(&Rule, seed, &[("TRUNCATE users;", &[Warning])]);
        let other_seed = FileRole::from_path("db/seed.sql");
        expect_as(&Rule, other_seed, &[("TRUNCATE users;", &[Error])]);
    }
}
