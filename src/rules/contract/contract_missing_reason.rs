use super::ConfigHit;
use crate::config::Config;
use crate::rules::{Category, RuleDoc, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "contract-missing-reason",
    category: Category::Contract,
    severity: Severity::Warning,
    summary: "a `[[contract.scripts]]` entry has no `reason`",
    help: "add `reason = \"…\"`: why this script may change the database, and who approved it",
    literals: &["contract"],
    doc: RuleDoc {
        what: "An entry of `[[contract.scripts]]` without a `reason` key, or with an empty one. Reported at the entry in dbguard.toml.",
        why: "A permission to change production data without a recorded reason cannot be reviewed later: nobody knows whether the script is still needed, or why it may touch those tables.",
        example: "[[contract.scripts]]\npath = \"scripts/sync-dev-to-prod-services.ts\"\ntables = [\"services\"]",
        instead: "[[contract.scripts]]\npath = \"scripts/sync-dev-to-prod-services.ts\"\ntables = [\"services\"]\nreason = \"publishes the service catalogue edited in dev; reviewed in PR #412\"",
    },
};

pub(super) fn check(config: &Config, out: &mut Vec<ConfigHit>) {
    for entry in &config.contract {
        if entry
            .reason
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty())
        {
            continue;
        }
        out.push(ConfigHit {
            meta: &META,
            severity: META.severity,
            message: format!("contract entry `{}` has no `reason`", entry.path),
            span: entry.span.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::check_config;
    use crate::config::Config;

    #[test]
    fn entries_without_reason() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("scripts")).unwrap();
        std::fs::write(root.join("scripts/a.ts"), "").unwrap();
        let toml = "[[contract.scripts]]\npath = \"scripts/a.ts\"\ntables = [\"a\"]\n\n[[contract.scripts]]\npath = \"scripts/a.ts\"\ntables = [\"b\"]\nreason = \"  \"\n\n[[contract.scripts]]\npath = \"scripts/a.ts\"\ntables = [\"c\"]\nreason = \"ticket OPS-1\"\n";
        let file = root.join("dbguard.toml");
        std::fs::write(&file, toml).unwrap();
        let config = Config::load(&file).unwrap();
        let hits = check_config(&config);
        assert_eq!(hits.len(), 2, "{hits:?}");
        for h in &hits {
            assert_eq!(h.meta.id, "contract-missing-reason");
        }
        assert_eq!(
            hits[0].message,
            "contract entry `scripts/a.ts` has no `reason`"
        );
        // The entry, from its `[[contract.scripts]]` header, is what is reported.
        assert!(
            toml[hits[0].span.clone()]
                .starts_with("[[contract.scripts]]\npath = \"scripts/a.ts\"\ntables = [\"a\"]"),
            "{:?}",
            &toml[hits[0].span.clone()]
        );
    }
}
