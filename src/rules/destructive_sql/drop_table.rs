use squawk_syntax::ast::{self, AstNode};

use super::{table_of, verdict};
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{SqlContext, SqlNode};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "drop-table",
    category: Category::DestructiveSql,
    severity: Severity::Error,
    summary: "`DROP TABLE` deletes a table and every row in it",
    help: "rename or archive the table in one release and drop it in a later, reviewed migration after a backup",
    literals: &["drop"],
    doc: RuleDoc {
        what: "`DROP TABLE` in a `.sql` file, a JS/TS query call or a `psql` command, and `EXECUTE 'DROP TABLE ' || …` in PL/pgSQL (the \"drop every table\" loop). A warning in a down migration (`down.sql`, `*.down.sql`, after `-- migrate:down`, a JS migration's `down`) or when the same file created the table earlier; info in test files, for temporary tables, for Prisma's SQLite rebuild (a copy renamed to the dropped name right after) and for `psql` pinned to a local host. Inside a function body it is still reported, naming the function.",
        why: "A dropped table takes its rows with it; the only way back is a restore from backup, losing everything written since. Scripts and migrations that drop tables are run against the wrong database more often than anyone plans.",
        example: "DROP TABLE IF EXISTS public.orders CASCADE;",
        instead: "Stop reading and writing the table first, keep it (or a copy) for a release, take a backup, and drop it in a dedicated, reviewed migration. For scratch data use `CREATE TEMP TABLE`.",
    },
};

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        if let Some(head) = super::dynamic_statement(node) {
            return head
                .starts_with("drop table")
                .then(|| super::dynamic_verdict(node, cx, "DROP TABLE"));
        }
        let drop = ast::DropTable::cast(node.node.clone())?;
        let tables: Vec<_> = drop
            .table_name_refs()
            .filter_map(|t| table_of(t.syntax()))
            .collect();
        let names: Vec<String> = tables
            .iter()
            .map(|t| format!("`{}`", t.display()))
            .collect();
        let effect = match names.len() {
            0 => "deletes a table and its rows".to_string(),
            1 => format!("deletes table {} and every row in it", names[0]),
            _ => format!("deletes tables {} and every row in them", names.join(", ")),
        };
        let mut hit = verdict(node, cx, META.severity, &effect, &tables);
        let at = node.range().start;
        if hit.severity > Severity::Info
            && !tables.is_empty()
            && tables.iter().all(|t| cx.rebuilt_after(t, at))
        {
            hit.severity = Severity::Info;
            hit.message.push_str(
                "; the table is rebuilt: a copy is renamed to it right after (Prisma's RedefineTables)",
            );
        }
        Some(hit)
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
                ("DROP TABLE users;", &[Error]),
                ("drop table if exists public.orders, items cascade;", &[Error]),
                ("-- DROP TABLE users;\nselect 1;", &[]),
                ("/* drop table users; */ select 'drop table users';", &[]),
                ("create table t (id int);\ndrop table t;", &[Warning]),
                ("create temp table t (id int);\ndrop table t;", &[Info]),
                ("drop table t;\ncreate table t (id int);", &[Error]),
                ("create table a (id int);\ndrop table a, b;", &[Error]),
                (
                    "-- migrate:up\ncreate table a (id int);\n-- migrate:down\ndrop table b;",
                    &[Warning],
                ),
                ("drop view v; drop index i;", &[]),
                (
                    "CREATE TABLE \"new_User\" (\"id\" INTEGER);\nINSERT INTO \"new_User\" SELECT \"id\" FROM \"User\";\nDROP TABLE \"User\";\nALTER TABLE \"new_User\" RENAME TO \"User\";",
                    &[Info],
                ),
                (
                    "ALTER TABLE \"new_User\" RENAME TO \"User\";\nDROP TABLE \"User\";",
                    &[Error],
                ),
                (
                    "do $$ declare r record; begin for r in select tablename from pg_tables where schemaname = 'public' loop execute 'DROP TABLE IF EXISTS ' || quote_ident(r.tablename) || ' CASCADE'; end loop; end $$;",
                    &[Error],
                ),
                (
                    "do $$ begin execute format('drop table %I', 'x'); execute 'select 1'; end $$;",
                    &[Error],
                ),
                (
                    "create function f() returns void language plpgsql as $$ begin drop table x; end $$;",
                    &[Error],
                ),
            ],
        );
        let test = FileRole {
            test: true,
            ..FileRole::default()
        };
        expect_as(&Rule, test, &[("DROP TABLE users;", &[Info])]);
        let down = FileRole::from_path("migrations/001_init/down.sql");
        expect_as(&Rule, down, &[("DROP TABLE users;", &[Warning])]);
    }

    #[test]
    fn message_names_function() {
        let got = super::super::testing::check_as(
            &Rule,
            "create function public.reset_all() returns void language plpgsql as $$ begin drop table x; end $$;",
            FileRole::default(),
        );
        assert!(got[0].1.contains("`public.reset_all`"), "{}", got[0].1);
    }
}
