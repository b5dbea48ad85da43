use super::writes::{is_candidate, writes};
use super::{entries_for, list, same_table};
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "contract-table-violation",
    category: Category::Contract,
    severity: Severity::Error,
    summary: "a contracted script writes a table its `[[contract.scripts]]` entry does not list",
    help: "add the table to the entry's `tables` (and say why in `reason`), or move this write to a script whose contract allows it",
    literals: super::WRITE_LITERALS,
    doc: RuleDoc {
        what: "A write (see `uncontracted-mutation-script` for what counts) in a script that `[[contract.scripts]]` lists, to a table that none of the entries matching the script lists in `tables` (`[\"*\"]` allows every table). One finding per table, at its first write. Names are compared case-insensitively, without a schema prefix, quotes or underscores (`public.\"User_Profile\"` = `userProfile` = `user_profile`); a name that comes from a model or Prisma delegate (`prisma.user`, `getRepository(User)`, `User.destroy`) also matches its plural (`users`, `categories`). A write whose table the code does not name (`$executeRawUnsafe(query)`, `psql -f` of a file that cannot be read) is not reported.",
        why: "The contract says which tables each script may change, so that a review of the list is a review of what can happen to production. A sync script that was approved for `services` and now also updates `users` has outgrown its review.",
        example: "# dbguard.toml: tables = [\"services\"] for scripts/sync-dev-to-prod-services.ts\nawait prisma.user.updateMany({ where: { role: 'service' }, data: { active: true } });",
        instead: "Either extend the entry (`tables = [\"services\", \"user\"]`, with the reason) after review, or put the extra write in its own script with its own entry.",
    },
};

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Scripts are found by path (`is_candidate`), not by text.
    fn prefilter_literals(&self) -> &'static [&'static str] {
        &[]
    }

    fn needs_no_literal(&self, input: &FileInput) -> bool {
        is_candidate(input)
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        if !is_candidate(input) {
            return;
        }
        let entries = entries_for(input.config, input.rel);
        if entries.is_empty() {
            return;
        }
        let allowed: Vec<String> = entries
            .iter()
            .flat_map(|e| e.tables.iter().cloned())
            .collect();
        if allowed.iter().any(|t| t == "*") {
            return;
        }
        let mut reported: Vec<String> = Vec::new();
        for w in writes(input) {
            let Some(table) = &w.table else {
                continue;
            };
            if allowed.iter().any(|l| same_table(table, w.model, l))
                || reported.iter().any(|r| same_table(table, w.model, r))
            {
                continue;
            }
            reported.push(table.clone());
            let listed = if allowed.is_empty() {
                "lists no tables".to_string()
            } else {
                format!("lists only {}", list(&allowed))
            };
            out.push(FileHit {
                severity: META.severity,
                message: format!(
                    "`{}` writes `{table}`, but its `[[contract.scripts]]` entry {listed}",
                    input.rel
                ),
                span: w.span.clone(),
                help: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{config, run};
    use super::*;

    const CONTRACT: &str = "[[contract.scripts]]\npath = \"scripts/sync-*.ts\"\ntables = [\"services\"]\nreason = \"copies the service catalogue\"\n[[contract.scripts]]\npath = \"scripts/seed-all.ts\"\ntables = [\"*\"]\nreason = \"local seed\"\n";

    #[test]
    fn extra_tables_are_reported_once_each() {
        let c = config(CONTRACT);
        let src = "await prisma.service.upsert({ where: { id }, create: row, update: row });\nawait prisma.user.updateMany({ where: { role }, data: { active: true } });\nawait prisma.user.update({ where: { id }, data: { active: false } });\nawait pool.query('DELETE FROM public.sessions WHERE user_id = $1', [id]);\n";
        let hits = run(&Rule, &c, "scripts/sync-prod.ts", src);
        let got: Vec<(&str, &str)> = hits
            .iter()
            .map(|h| (&src[h.span.clone()], h.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "prisma.user.updateMany",
                    "`scripts/sync-prod.ts` writes `user`, but its `[[contract.scripts]]` entry lists only `services`"
                ),
                (
                    "DELETE FROM public.sessions WHERE user_id = $1",
                    "`scripts/sync-prod.ts` writes `sessions`, but its `[[contract.scripts]]` entry lists only `services`"
                ),
            ]
        );
    }

    #[test]
    fn listed_wildcard_unknown_and_unlisted_scripts_are_not() {
        let c = config(CONTRACT);
        let src = "await supabase.from('services').update({ a }).eq('id', 1);\nawait prisma.$executeRawUnsafe(q);\n";
        assert!(run(&Rule, &c, "scripts/sync-prod.ts", src).is_empty());
        let other = "await prisma.user.deleteMany();\n";
        assert!(run(&Rule, &c, "scripts/seed-all.ts", other).is_empty());
        // Not listed at all: that is `uncontracted-mutation-script`.
        assert!(run(&Rule, &c, "scripts/other.ts", other).is_empty());
    }
}
