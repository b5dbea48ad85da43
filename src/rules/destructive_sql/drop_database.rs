use squawk_syntax::ast::{self, AstNode};

use super::verdict;
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{SqlContext, SqlNode};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "drop-database",
    category: Category::DestructiveSql,
    severity: Severity::Error,
    summary: "`DROP DATABASE` deletes a whole database",
    help: "keep database drops out of code; drop test databases by a name that says test, against a pinned local host",
    literals: &["drop"],
    doc: RuleDoc {
        what: "`DROP DATABASE` in SQL from any host (info in test files and for a `psql` pinned to a local host).",
        why: "It deletes every schema, table and row of the database at once. In a script it runs against whatever server the connection string of the moment points at.",
        example: "DROP DATABASE IF EXISTS acme WITH (FORCE);",
        instead: "Create and drop throwaway databases only in test setup, with names ending in `_test` on a local server; never drop shared databases from code.",
    },
};

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        let drop = ast::DropDatabase::cast(node.node.clone())?;
        let name = drop
            .database_ref()
            .map(|d| crate::sql::shown(&crate::sql::compact(d.syntax())))
            .unwrap_or_default();
        let mut hit = verdict(
            node,
            cx,
            META.severity,
            &format!("deletes database `{name}`"),
            &[],
        );
        if hit.severity > Severity::Info && crate::target::is_test_db_name(&name) {
            hit.severity = Severity::Info;
            hit.message
                .push_str("; the name says it is a test database");
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
                ("DROP DATABASE acme;", &[Error]),
                ("drop database if exists acme with (force);", &[Error]),
                ("drop database if exists acme_test;", &[Info]),
                ("create database acme;", &[]),
                ("-- drop database acme;", &[]),
            ],
        );
    }
}
