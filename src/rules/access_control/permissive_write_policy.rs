use squawk_syntax::ast::{self, AstNode};

use super::{roles, verdict};
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{compact, SqlContext, SqlNode};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "permissive-write-policy",
    category: Category::AccessControl,
    severity: Severity::Error,
    summary: "an RLS policy lets every row be inserted, updated or deleted (`USING (true)` / `WITH CHECK (true)`)",
    help: "tie the policy to the caller: `USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id)`",
    literals: &["policy"],
    doc: RuleDoc {
        what: "`CREATE POLICY` for `INSERT`, `UPDATE`, `DELETE` or `ALL` (the default when `FOR` is left out), and `ALTER POLICY` (its command taken from the `CREATE POLICY` in the same file; a warning when that is not there), whose `USING` or `WITH CHECK` expression is literally `true`. A public-read policy (`FOR SELECT … USING (true)`) is fine, and so are `AS RESTRICTIVE` policies (they only narrow access) and policies only for `service_role`/`postgres`, which bypass RLS anyway.",
        why: "A policy whose condition is `true` allows the operation on every row for every role it applies to (`public` when no `TO` is given, which includes `anon`). RLS is enabled, so the table looks protected, but anyone with the public API key can rewrite or delete all of it.",
        example: "CREATE POLICY \"Anyone can update\" ON public.orders FOR UPDATE USING (true);",
        instead: "Write the condition that says whose rows these are (`auth.uid() = user_id`), restrict the policy `TO authenticated`, and do administrative writes with the service role.",
    },
};

const PRIVILEGED: &[&str] = &["service_role", "postgres", "supabase_admin"];

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        let policy = Policy::of(&node.node)?;
        // A RESTRICTIVE policy only narrows what the permissive ones allow.
        if policy.restrictive {
            return None;
        }
        // ALTER POLICY does not repeat the command: take it from the CREATE POLICY of the same
        // name in the same file; when it is not there, the policy may be a read policy.
        let (command, known) = match &policy.command {
            Some(c) => (c.clone(), true),
            None => match created_command(cx, &policy.name, &policy.table) {
                Some(c) => (c, true),
                None => ("all".to_string(), false),
            },
        };
        if command == "select" {
            return None;
        }
        if let Some(list) = &policy.roles {
            let roles = roles(list);
            if !roles.is_empty() && roles.iter().all(|r| PRIVILEGED.contains(&r.as_str())) {
                return None;
            }
        }
        let clause = policy.clauses.iter().find(|(_, c)| is_true(c))?;
        let what = if !known {
            "may allow writes to every row (its command is set where the policy is created)"
                .to_string()
        } else if clause.0 == "WITH CHECK" {
            format!(
                "lets {} write rows with any values",
                command.to_ascii_uppercase()
            )
        } else {
            format!("lets {} reach every row", command.to_ascii_uppercase())
        };
        let mut hit = verdict(
            node,
            cx,
            META.severity,
            format!(
                "policy {} on `{}` {what}: its {} is `true`",
                policy.name, policy.table, clause.0
            ),
        );
        if !known && hit.severity == Severity::Error {
            hit.severity = Severity::Warning;
        }
        Some(hit)
    }
}

/// The parts of a `CREATE POLICY` or `ALTER POLICY` this rule reads.
struct Policy {
    name: String,
    table: String,
    /// `insert`, `select`…; `None` for `ALTER POLICY`, which does not say.
    command: Option<String>,
    roles: Option<squawk_syntax::SyntaxNode>,
    clauses: Vec<(&'static str, squawk_syntax::SyntaxNode)>,
    restrictive: bool,
}

impl Policy {
    fn of(node: &squawk_syntax::SyntaxNode) -> Option<Policy> {
        use squawk_syntax::SyntaxKind as K;
        let (command, holder) = if let Some(p) = ast::CreatePolicy::cast(node.clone()) {
            let command = p
                .policy_command()
                .map(|c| compact(c.syntax()).to_ascii_lowercase())
                .unwrap_or_else(|| "for all".to_string());
            let command = command.trim_start_matches("for").trim().to_string();
            (Some(command), node.clone())
        } else if node.kind() == K::ALTER_POLICY {
            let holder = node.children().find(|c| c.kind() == K::ALTER_POLICY_TO)?;
            (None, holder)
        } else {
            return None;
        };
        let name = node
            .children()
            .find(|c| matches!(c.kind(), K::POLICY | K::POLICY_REF))
            .map(|n| compact(&n))
            .unwrap_or_default();
        let table = node
            .children()
            .find(|c| c.kind() == K::ON_TABLE)
            .map(|t| compact(&t))
            .unwrap_or_default();
        let table = table
            .get(2..)
            .and_then(crate::sql::TableName::from_path)
            .map(|t| t.display())
            .unwrap_or_default();
        let roles = holder
            .children()
            .find(|c| c.kind() == K::POLICY_ROLES)
            .and_then(|r| r.children().next());
        let clauses = holder
            .children()
            .filter_map(|c| match c.kind() {
                K::USING_EXPR_CLAUSE => Some(("USING", c)),
                K::WITH_CHECK_EXPR_CLAUSE => Some(("WITH CHECK", c)),
                _ => None,
            })
            .collect();
        let restrictive = node
            .children()
            .find(|c| c.kind() == K::AS_POLICY_TYPE)
            .is_some_and(|t| compact(&t).to_ascii_lowercase().contains("restrictive"));
        Some(Policy {
            name,
            table,
            command,
            roles,
            clauses,
            restrictive,
        })
    }
}

/// The command of the `CREATE POLICY name ON table` in the same fragment.
fn created_command(cx: &SqlContext, name: &str, table: &str) -> Option<String> {
    let parsed = crate::sql::parse(&cx.fragment.text);
    let found = parsed.tree.syntax().descendants().find_map(|n| {
        let p = Policy::of(&n)?;
        (p.command.is_some()
            && p.name.eq_ignore_ascii_case(name)
            && p.table.eq_ignore_ascii_case(table))
        .then_some(p.command)
        .flatten()
    });
    found
}

/// `USING (true)`, `WITH CHECK ((true))`.
fn is_true(clause: &squawk_syntax::SyntaxNode) -> bool {
    let expr: String = clause
        .children()
        .map(|c| compact(&c))
        .collect::<Vec<_>>()
        .join(" ");
    let e = expr.trim().to_ascii_lowercase();
    let e = e.trim_matches(|c| c == '(' || c == ')' || c == ' ');
    e == "true"
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
                ("create policy p on t for insert with check (true);", &[Error]),
                ("create policy p on t for update using (true);", &[Error]),
                ("create policy \"all\" on public.t using ( true );", &[Error]),
                ("create policy p on t for delete to anon using ((true));", &[Error]),
                ("create policy p on t for all to authenticated using (true) with check (true);", &[Error]),
                ("create policy p on t for select using (true);", &[]),
                ("create policy p on t for update using (auth.uid() = user_id);", &[]),
                ("create policy p on t for all to service_role using (true);", &[]),
                ("create policy p on t for insert with check (auth.uid() = user_id and true);", &[]),
                ("-- create policy p on t for insert with check (true);", &[]),
                (
                    "create policy p on t for update using (auth.uid() = id);\nalter policy p on t using (true);",
                    &[Error],
                ),
                (
                    "create policy p on t for select using (auth.uid() = id);\nalter policy p on t using (true);",
                    &[],
                ),
                ("alter policy p on t using (true);", &[Warning]),
                ("create policy p on t as restrictive for all using (true);", &[]),
                ("create policy p on t as permissive for delete using (true);", &[Error]),
                ("alter policy p on t rename to q;", &[]),
            ],
        );
    }
}
