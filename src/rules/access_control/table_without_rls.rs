//! A project rule: it needs every SQL file of the project, because a table is usually created
//! in one migration and gets its RLS in a later one. The per-file pass collects [`RlsFacts`];
//! [`crate::project`] decides.

use std::ops::Range;

use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::SyntaxKind;

use crate::rules::{Category, RuleDoc, RuleMeta, Severity};
use crate::sql::{compact, Parsed, TableName};

pub static META: RuleMeta = RuleMeta {
    id: "table-without-rls",
    category: Category::AccessControl,
    severity: Severity::Error,
    summary: "a table in an exposed schema that no migration enables Row Level Security on",
    help: "add `ALTER TABLE … ENABLE ROW LEVEL SECURITY;` (and the policies the app needs) in a migration",
    literals: &["create table"],
    doc: RuleDoc {
        what: "A `CREATE TABLE` in schema `public` (or unqualified; `[sql] exposed_schemas` changes the list) for which no SQL file of the project runs `ALTER TABLE … ENABLE ROW LEVEL SECURITY` — the enabling migration may be any file, earlier or later, and a `DO` loop that runs `ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY` for every table covers the schema (`FORCE` alone does not enable RLS). Active when the project uses Supabase (a `supabase/migrations/` folder, a `supabase/config.toml`, or `@supabase/supabase-js` in a package.json) or when some migration enables RLS on some table; silent in projects that never use RLS (force it with `[rules] enable`). Temporary tables and tables dropped later are not reported.",
        why: "On Supabase every table in `public` is reachable through the auto-generated API with the public `anon` key. Without RLS, anyone can read and write all of its rows. Projects that rely on RLS elsewhere have the same hole for the table that was forgotten.",
        example: "CREATE TABLE public.invoices (id bigint primary key, customer_id uuid, amount numeric);",
        instead: "In the same migration: `ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;` and `CREATE POLICY … USING (auth.uid() = customer_id);`. Keep tables that must not be exposed in a schema the API does not serve.",
    },
};

/// What one SQL fragment says about RLS.
#[derive(Debug, Default, Clone)]
pub struct RlsFacts {
    /// Tables created in an exposed schema, with the fragment range of their `CREATE TABLE`.
    pub created: Vec<(TableName, Range<usize>)>,
    /// Keys of tables that get `ENABLE ROW LEVEL SECURITY`.
    pub enabled: Vec<String>,
    /// Keys of tables dropped.
    pub dropped: Vec<String>,
}

pub fn collect(parsed: &Parsed, exposed: &[String], facts: &mut RlsFacts) {
    // The "enable RLS on every table" loop: `EXECUTE format('ALTER TABLE public.%I ENABLE ROW
    // LEVEL SECURITY', r.tablename)` covers the schema (`*` when the schema is computed too).
    parsed.visit(&mut |node| {
        let Some(head) = crate::rules::destructive_sql::dynamic_statement(node) else {
            return;
        };
        if !head.contains("enable row level security") {
            return;
        }
        let target = head
            .strip_prefix("alter table ")
            .map(|t| {
                t.trim_start_matches("if exists ")
                    .trim_start_matches("only ")
            })
            .and_then(|t| t.split_whitespace().next())
            .unwrap_or("");
        let schema = match target.split_once('.') {
            Some((s, _)) if !s.contains('%') => s.trim_matches('"').to_string(),
            _ => "*".to_string(),
        };
        facts.enabled.push(format!("{schema}.*"));
    });
    let from = |n: &squawk_syntax::SyntaxNode| TableName::from_path(&compact(n));
    for node in parsed.tree.syntax().descendants() {
        match node.kind() {
            SyntaxKind::CREATE_TABLE | SyntaxKind::CREATE_TABLE_AS => {
                let Some((name, temporary)) = crate::sql::created_table(&node) else {
                    continue;
                };
                if temporary || !exposed.iter().any(|s| s == name.schema_or_public()) {
                    continue;
                }
                let start = node
                    .children_with_tokens()
                    .find(|e| !e.kind().is_trivia())
                    .map(|e| e.text_range().start())
                    .unwrap_or(node.text_range().start());
                let end = node
                    .children()
                    .find(|c| c.kind() == SyntaxKind::TABLE_NAME)
                    .map(|n| n.text_range().end())
                    .unwrap_or(node.text_range().end());
                facts
                    .created
                    .push((name, usize::from(start)..usize::from(end)));
            }
            // `FORCE` alone does not enable RLS; only `ENABLE` does.
            SyntaxKind::ENABLE_RLS => {
                let table = node
                    .ancestors()
                    .find_map(ast::AlterTable::cast)
                    .and_then(|a| a.table_relation_name())
                    .and_then(|t| from(t.syntax()));
                if let Some(t) = table {
                    facts.enabled.push(t.key());
                }
            }
            SyntaxKind::DROP_TABLE => {
                if let Some(d) = ast::DropTable::cast(node.clone()) {
                    facts.dropped.extend(
                        d.table_name_refs()
                            .filter_map(|t| from(t.syntax()))
                            .map(|t| t.key()),
                    );
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(sql: &str) -> RlsFacts {
        let mut f = RlsFacts::default();
        collect(&crate::sql::parse(sql), &["public".to_string()], &mut f);
        f
    }

    #[test]
    fn collects_tables_and_rls() {
        let f = facts(
            "create table public.a (id int);\ncreate table b (id int);\ncreate table private.c (id int);\ncreate temp table d (id int);\nalter table a enable row level security;\ndrop table if exists e;",
        );
        let created: Vec<String> = f.created.iter().map(|c| c.0.key()).collect();
        assert_eq!(created, ["public.a", "public.b"]);
        assert_eq!(f.enabled, ["public.a"]);
        assert_eq!(f.dropped, ["public.e"]);
        let f = facts(
            "create table public.a (id int);\ndo $$ declare r record; begin for r in select tablename from pg_tables where schemaname = 'public' loop execute format('alter table public.%I enable row level security', r.tablename); end loop; end $$;",
        );
        assert_eq!(f.enabled, ["public.*"]);
        let sql = "  create table public.a (id int);";
        let f = facts(sql);
        assert_eq!(&sql[f.created[0].1.clone()], "create table public.a");
    }
}
