use super::writes::{is_candidate, writes};
use super::{entries_for, list};
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "uncontracted-mutation-script",
    category: Category::Contract,
    severity: Severity::Error,
    summary: "a script writes to the database but no `[[contract.scripts]]` entry lists it",
    help: "add a `[[contract.scripts]]` entry for this script with the tables it may write and the reason it exists, or remove the write",
    literals: super::WRITE_LITERALS,
    doc: RuleDoc {
        what: "A mutation script that no `[[contract.scripts]]` entry's `path` glob matches (globs are relative to the config's folder). A mutation script is a file of `[files] scripts` (or a SQL file named `seed*.sql`), not a test, that writes to a database: Prisma delegate writes (`prisma.user.update`, also through `tx` in `$transaction` callbacks) and `$executeRaw*`, knex and supabase-js chains (`knex('users').del()`, `.from('users').update(…)`), drizzle (`db.insert(users)`), TypeORM repositories and managers, Sequelize models, `INSERT`/`UPDATE`/`DELETE`/`TRUNCATE`/`MERGE`/`COPY … FROM` at SQL call sites and in `psql -c`/`-f`, and SQL seed files. Reads (`findMany`, `select`, `SELECT`) and commands that only migrate (`prisma migrate deploy`) are not writes. Active only when the config has a contract. Reported at the first write; the message names every table the script writes.",
        why: "A team that keeps a production mutation contract wants every script that can change data to be reviewed and listed with the tables it touches. A new one-off script (`fix-user-emails.ts`) that updates production rows without being listed is exactly the script that was never reviewed.",
        example: "// scripts/fix-user-emails.ts, not in dbguard.toml\nawait prisma.user.updateMany({ where: { email: { contains: ' ' } }, data: { verified: false } });",
        instead: "List it, with the tables it may write and why:\n[[contract.scripts]]\npath = \"scripts/fix-user-emails.ts\"\ntables = [\"user\"]\nreason = \"one-off cleanup of emails with spaces, ticket OPS-123\"\nor delete the script once it has run.",
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
        if !is_candidate(input) || !entries_for(input.config, input.rel).is_empty() {
            return;
        }
        let writes = writes(input);
        let Some(first) = writes.first() else {
            return;
        };
        let mut tables: Vec<String> = Vec::new();
        for t in writes.iter().filter_map(|w| w.table.as_ref()) {
            if !tables.iter().any(|k| k.eq_ignore_ascii_case(t)) {
                tables.push(t.clone());
            }
        }
        let what = match (tables.is_empty(), writes.iter().any(|w| w.table.is_none())) {
            (true, _) => "to the database (tables not named in the code)".to_string(),
            (false, false) => list(&tables),
            (false, true) => format!("{} and tables not named in the code", list(&tables)),
        };
        out.push(FileHit {
            severity: META.severity,
            message: format!(
                "`{}` writes {what}, but no `[[contract.scripts]]` entry lists it",
                input.rel
            ),
            span: first.span.clone(),
            help: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{config, run};
    use super::*;

    const CONTRACT: &str = "[[contract.scripts]]\npath = \"scripts/sync-dev-to-prod-services.ts\"\ntables = [\"services\"]\nreason = \"copies the service catalogue\"\n";

    #[test]
    fn unlisted_writers_are_reported_at_the_first_write() {
        let c = config(CONTRACT);
        let src = "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nconst users = await prisma.user.findMany();\nawait prisma.user.update({ where: { id: 1 }, data: { email } });\nawait prisma.auditLog.create({ data: { action } });\n";
        let hits = run(&Rule, &c, "scripts/fix-user-emails.ts", src);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(&src[hits[0].span.clone()], "prisma.user.update");
        assert_eq!(
            hits[0].message,
            "`scripts/fix-user-emails.ts` writes `user`, `auditLog`, but no `[[contract.scripts]]` entry lists it"
        );
        let hits = run(
            &Rule,
            &c,
            "scripts/load.sh",
            "psql \"$DATABASE_URL\" -f dump.sql\n",
        );
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].message.contains("tables not named"),
            "{}",
            hits[0].message
        );
        let hits = run(
            &Rule,
            &c,
            "supabase/seed.sql",
            "insert into plans values (1);\n",
        );
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn listed_readers_tests_and_app_code_are_not() {
        let c = config(CONTRACT);
        let write = "await prisma.services.deleteMany();\n";
        assert!(run(&Rule, &c, "scripts/sync-dev-to-prod-services.ts", write).is_empty());
        assert!(run(&Rule, &c, "src/services.ts", write).is_empty());
        assert!(run(&Rule, &c, "scripts/sync.test.ts", write).is_empty());
        assert!(run(
            &Rule,
            &c,
            "scripts/report.ts",
            "await prisma.user.findMany();\nconst o = Object.create(null); map.delete(k);\n"
        )
        .is_empty());
        assert!(run(
            &Rule,
            &c,
            "scripts/deploy-db.js",
            "execSync('npx prisma migrate deploy', { stdio: 'inherit' });\n"
        )
        .is_empty());
        // No contract: the rule is off.
        let none = config("");
        assert!(run(&Rule, &none, "scripts/fix-user-emails.ts", write).is_empty());
    }
}
