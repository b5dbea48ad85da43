use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::SyntaxKind;

use super::verdict;
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{SqlContext, SqlNode, TableName};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "rls-disabled",
    category: Category::AccessControl,
    severity: Severity::Error,
    summary: "`DISABLE ROW LEVEL SECURITY` / `NO FORCE ROW LEVEL SECURITY` switches a table's policies off",
    help: "keep RLS enabled and write the policy the code needs; use the service role on the server for privileged access",
    literals: &["row level security"],
    doc: RuleDoc {
        what: "`ALTER TABLE … DISABLE ROW LEVEL SECURITY` and `ALTER TABLE … NO FORCE ROW LEVEL SECURITY` in SQL from any host.",
        why: "With RLS off, every role that has table privileges sees and changes every row. On Supabase the `anon` and `authenticated` roles have them by default, so the table becomes readable and writable by anyone holding the public API key. Disabling RLS \"temporarily\" to make a query work is how tables get exposed.",
        example: "ALTER TABLE public.profiles DISABLE ROW LEVEL SECURITY;",
        instead: "Leave RLS enabled and add a policy for the access you need (`CREATE POLICY … USING (auth.uid() = user_id)`); do privileged work server-side with the service role, which bypasses RLS without exposing the table.",
    },
};

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        let what = match node.node.kind() {
            SyntaxKind::DISABLE_RLS => "disables row level security",
            SyntaxKind::NO_FORCE_RLS => {
                "stops forcing row level security (the table owner bypasses the policies)"
            }
            _ => return None,
        };
        let alter = node.node.ancestors().find_map(ast::AlterTable::cast)?;
        let table = alter
            .table_relation_name()
            .and_then(|t| TableName::from_path(&crate::sql::compact(t.syntax())))
            .map(|t| t.display())
            .unwrap_or_default();
        let stmt = SqlNode {
            node: alter.syntax().clone(),
            function: node.function,
            to_fragment: node.to_fragment,
        };
        Some(verdict(
            &stmt,
            cx,
            META.severity,
            format!("`ALTER TABLE {table}` {what} on `{table}`"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::destructive_sql::testing::expect;
    use super::*;
    use Severity::*;

    #[test]
    fn cases() {
        expect(
            &Rule,
            &[
                (
                    "ALTER TABLE public.profiles DISABLE ROW LEVEL SECURITY;",
                    &[Error],
                ),
                (
                    "alter table profiles no force row level security;",
                    &[Error],
                ),
                ("alter table profiles enable row level security;", &[]),
                (
                    "-- migrate:up\nalter table t enable row level security;\n-- migrate:down\nalter table t disable row level security;",
                    &[Warning],
                ),
                ("alter table profiles force row level security;", &[]),
                ("-- alter table profiles disable row level security;", &[]),
            ],
        );
    }
}
