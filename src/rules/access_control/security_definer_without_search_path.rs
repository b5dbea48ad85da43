use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::SyntaxKind;

use super::verdict;
use crate::rules::{Category, RuleDoc, RuleMeta, Severity, SqlHit, SqlRule};
use crate::sql::{compact, SqlContext, SqlNode};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "security-definer-without-search-path",
    category: Category::AccessControl,
    severity: Severity::Error,
    summary: "a `SECURITY DEFINER` function without `SET search_path`",
    help: "add `SET search_path = ''` and schema-qualify every name in the body",
    literals: &["definer"],
    doc: RuleDoc {
        what: "`CREATE FUNCTION`/`CREATE PROCEDURE … SECURITY DEFINER` with no `SET search_path` option (any value counts, `''` included), unless an `ALTER FUNCTION … SET search_path` for it follows in the same file; and `ALTER FUNCTION … SECURITY DEFINER` for a function whose `search_path` is pinned nowhere in the file.",
        why: "A security-definer function runs with its owner's rights — usually a superuser-like role that bypasses RLS. Without a fixed `search_path`, unqualified names in its body resolve through the caller's search path, so a caller who can create objects in a schema earlier on the path can substitute their own table or function and run it with the owner's rights.",
        example: "CREATE FUNCTION public.handle_new_user() RETURNS trigger\nLANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN INSERT INTO profiles (id) VALUES (new.id); RETURN new; END $$;",
        instead: "`… SECURITY DEFINER SET search_path = '' AS $$ … INSERT INTO public.profiles …` — pin the path and qualify names; or use `SECURITY INVOKER` when the caller's rights are enough.",
    },
};

impl SqlRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
        if matches!(
            node.node.kind(),
            SyntaxKind::ALTER_FUNCTION | SyntaxKind::ALTER_PROCEDURE
        ) {
            return altered_to_definer(node, cx);
        }
        let (kind, name, options) = if let Some(f) = ast::CreateFunction::cast(node.node.clone()) {
            (
                "function",
                f.name().map(|n| compact(n.syntax())),
                f.option_list()?,
            )
        } else if let Some(p) = ast::CreateProcedure::cast(node.node.clone()) {
            (
                "procedure",
                p.name().map(|n| compact(n.syntax())),
                p.option_list()?,
            )
        } else {
            return None;
        };
        let opts: Vec<_> = options.syntax().children().collect();
        if !opts
            .iter()
            .any(|o| o.kind() == SyntaxKind::SECURITY_DEFINER_FUNC_OPTION)
        {
            return None;
        }
        let sets_path = opts.iter().any(|o| {
            o.kind() == SyntaxKind::SET_FUNC_OPTION
                && compact(o).to_ascii_lowercase().contains("search_path")
        });
        if sets_path {
            return None;
        }
        let name = name.unwrap_or_default();
        // `ALTER FUNCTION f(…) SET search_path = …` elsewhere in the file pins it too.
        let bare = name.to_ascii_lowercase();
        if cx.alters_of(&bare).any(|t| t.contains("search_path")) {
            return None;
        }
        Some(verdict(
            node,
            cx,
            META.severity,
            format!(
                "{kind} `{name}` runs with its owner's rights (SECURITY DEFINER) but does not pin `search_path`"
            ),
        ))
    }
}

/// `ALTER FUNCTION f() SECURITY DEFINER` without a `search_path` anywhere for `f` in the file
/// (neither in this statement, another `ALTER`, nor the `CREATE`).
fn altered_to_definer(node: &SqlNode, cx: &SqlContext) -> Option<SqlHit> {
    let text = compact(&node.node).to_ascii_lowercase();
    if !text.contains("security definer") || text.contains("search_path") {
        return None;
    }
    let name = text
        .split_whitespace()
        .nth(2)?
        .split('(')
        .next()?
        .to_string();
    if cx.alters_of(&name).any(|t| t.contains("search_path")) {
        return None;
    }
    let root = node.node.ancestors().last()?;
    let created_pinned = root.descendants().any(|n| {
        ast::CreateFunction::cast(n.clone())
            .and_then(|f| f.name())
            .is_some_and(|f| compact(f.syntax()).to_ascii_lowercase() == name)
            && compact(&n).to_ascii_lowercase().contains("search_path")
    });
    if created_pinned {
        return None;
    }
    Some(verdict(
        node,
        cx,
        META.severity,
        format!(
            "`ALTER FUNCTION {name}` makes it run with its owner's rights (SECURITY DEFINER) but does not pin `search_path`"
        ),
    ))
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
                    "create function f() returns void language plpgsql security definer as $$ begin end $$;",
                    &[Error],
                ),
                (
                    "create or replace procedure p() language sql security definer as $$ select 1 $$;",
                    &[Error],
                ),
                (
                    "create function f() returns void language plpgsql security definer set search_path = '' as $$ begin end $$;",
                    &[],
                ),
                (
                    "create function f() returns void security definer set search_path to public, pg_temp language sql as $$ select 1 $$;",
                    &[],
                ),
                (
                    "create function f() returns void language plpgsql security invoker as $$ begin end $$;",
                    &[],
                ),
                ("create function f() returns int language sql as $$ select 1 $$;", &[]),
                (
                    "create function public.f() returns void language plpgsql security definer as $$ begin end $$;\nalter function public.f() set search_path = '';",
                    &[],
                ),
                (
                    "create function f() returns void language plpgsql security definer as $$ begin end $$;\nalter function g() set search_path = '';",
                    &[Error],
                ),
                ("alter function public.f1() security definer;", &[Error]),
                (
                    "alter function public.f1() security definer set search_path = '';",
                    &[],
                ),
                (
                    "alter function f1() security definer;\nalter function f1() set search_path = pg_catalog;",
                    &[],
                ),
                ("alter function f1() owner to postgres;", &[]),
                ("-- create function f() returns void security definer as $$ $$;", &[]),
            ],
        );
    }
}
