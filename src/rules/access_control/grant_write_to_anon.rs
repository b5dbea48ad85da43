use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::SyntaxKind;

use super::{roles, verdict};
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{compact, SqlContext, SqlNode};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "grant-write-to-anon",
    category: Category::AccessControl,
    severity: Severity::Error,
    summary: "`GRANT` of write privileges on tables to `anon` or `PUBLIC`",
    help: "grant writes to `authenticated` (with RLS policies) or do them server-side; give `anon` at most `SELECT`",
    literals: &["grant"],
    doc: RuleDoc {
        what: "`GRANT INSERT|UPDATE|DELETE|TRUNCATE|ALL … ON [TABLE] t` or `ON ALL TABLES IN SCHEMA s` to `anon`, `public` or `PUBLIC`. Grants of `SELECT`, grants to other roles and grants on sequences, functions or schemas are not reported. When the same file enables row level security on every table granted (what `supabase db pull` writes: Supabase's default `GRANT ALL … TO anon` next to `ENABLE ROW LEVEL SECURITY`) the finding is info, unless `TRUNCATE` is named: TRUNCATE ignores RLS.",
        why: "`anon` is the role of every unauthenticated API request on Supabase/PostgREST, and `PUBLIC` is every role. Write privileges for them mean the only thing between the internet and the table's rows is RLS — and `TRUNCATE` is not subject to RLS at all.",
        example: "GRANT ALL ON ALL TABLES IN SCHEMA public TO anon;",
        instead: "Grant `SELECT` to `anon` where public reads are intended, writes to `authenticated` with RLS policies, and keep administrative writes on the server with the service role.",
    },
};

const WRITES: &[&str] = &["insert", "update", "delete", "truncate", "all"];
const EXPOSED: &[&str] = &["anon", "public"];

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        let g = ast::Grant::cast(node.node.clone())?;
        let objects = g.on_privilege_objects_clause()?;
        let on = compact(objects.syntax()).to_ascii_lowercase();
        let on = on.trim_start_matches("on").trim_start();
        let tables = on.starts_with("table ") || on.starts_with("all tables ");
        let other_object = [
            "sequence",
            "function",
            "procedure",
            "routine",
            "schema",
            "database",
            "type",
            "domain",
            "language",
            "foreign",
            "large",
            "tablespace",
            "parameter",
            "all ",
        ]
        .iter()
        .any(|k| on.starts_with(k));
        if !tables && other_object {
            return None;
        }
        // The privileges: every token between GRANT and ON.
        let mut privileges = Vec::new();
        for e in g.syntax().children_with_tokens() {
            if e.kind() == SyntaxKind::ON_PRIVILEGE_OBJECTS_CLAUSE {
                break;
            }
            if let Some(n) = e.as_node() {
                privileges.extend(
                    compact(n)
                        .to_ascii_lowercase()
                        .split(|c: char| !c.is_ascii_alphabetic())
                        .filter(|w| !w.is_empty())
                        .map(str::to_string),
                );
            }
        }
        let writes: Vec<&str> = WRITES
            .iter()
            .copied()
            .filter(|w| privileges.iter().any(|p| p == w))
            .collect();
        if writes.is_empty() {
            return None;
        }
        let roles = roles(g.role_ref_list()?.syntax());
        let exposed: Vec<&String> = roles
            .iter()
            .filter(|r| EXPOSED.contains(&r.as_str()))
            .collect();
        let role = exposed.first()?;
        // `supabase db pull`/`db dump` write `GRANT ALL ON TABLE t TO anon` for every table, next
        // to `ENABLE ROW LEVEL SECURITY`: the grant is Supabase's default and RLS decides.
        let tables: Vec<crate::sql::TableName> = objects
            .syntax()
            .descendants()
            .filter(|n| n.kind() == SyntaxKind::RELATION_NAME_REF)
            .filter_map(|n| crate::sql::TableName::from_path(&compact(&n)))
            .collect();
        // TRUNCATE is not subject to RLS: naming it is never covered by policies. (`ALL` includes
        // it too, but PostgREST offers no TRUNCATE; `GRANT ALL … TO anon` is Supabase's default.)
        if !writes.contains(&"truncate")
            && !tables.is_empty()
            && tables.iter().all(|t| cx.enables_rls(t))
        {
            let mut hit = verdict(
                node,
                cx,
                META.severity,
                format!(
                    "grants {} on {} to `{role}`; row level security is enabled on it in this file, so its policies decide",
                    writes.join(", ").to_ascii_uppercase(),
                    on
                ),
            );
            hit.severity = Severity::Info;
            return Some(hit);
        }
        Some(verdict(
            node,
            cx,
            META.severity,
            format!(
                "grants {} on {} to `{role}`: anyone can write these tables through the API, limited only by RLS",
                writes.join(", ").to_ascii_uppercase(),
                on
            ),
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
                ("grant insert, update on table public.t to anon;", &[Error]),
                (
                    "GRANT ALL ON ALL TABLES IN SCHEMA public TO anon;",
                    &[Error],
                ),
                ("grant all privileges on users to public;", &[Error]),
                ("grant delete on t to authenticated, PUBLIC;", &[Error]),
                ("grant truncate on t to anon;", &[Error]),
                ("grant select on table public.t to anon;", &[]),
                (
                    "grant all on table public.t to authenticated, service_role;",
                    &[],
                ),
                ("grant usage on schema public to anon;", &[]),
                ("grant all on all sequences in schema public to anon;", &[]),
                ("grant execute on function f() to anon;", &[]),
                ("grant authenticated to app_user;", &[]),
                ("revoke all on t from anon;", &[]),
                (
                    "alter table \"public\".\"t\" enable row level security;\ngrant all on table \"public\".\"t\" to \"anon\";",
                    &[Info],
                ),
                (
                    "alter table t enable row level security;\ngrant all on table t, u to anon;",
                    &[Error],
                ),
                (
                    "alter table t enable row level security;\ngrant truncate on t to anon;",
                    &[Error],
                ),
                (
                    "alter table t enable row level security;\ngrant insert, update on t to anon;",
                    &[Info],
                ),
                (
                    "alter table t force row level security;\ngrant insert on t to anon;",
                    &[Error],
                ),
                ("-- grant all on t to anon;", &[]),
            ],
        );
    }
}
