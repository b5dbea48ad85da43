use super::{matcher, ConfigHit};
use crate::config::Config;
use crate::rules::{Category, RuleDoc, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "stale-contract-entry",
    category: Category::Contract,
    severity: Severity::Warning,
    summary: "a `[[contract.scripts]]` entry's `path` matches no file",
    help: "remove the entry, or fix its `path` (a glob relative to the folder of dbguard.toml)",
    literals: &["contract"],
    doc: RuleDoc {
        what: "An entry of `[[contract.scripts]]` whose `path` glob matches no file under the config's folder (the walk skips `node_modules`, `.git` and what `.gitignore` ignores; hidden folders such as `.github` are searched). Reported at the `path` value in dbguard.toml.",
        why: "The contract is a list of what may change production. An entry for a script that was renamed or deleted keeps a permission nobody reviews, and hides that the renamed script is no longer covered as written.",
        example: "[[contract.scripts]]\npath = \"scripts/backfill-2023.ts\"   # deleted last year\ntables = [\"orders\"]\nreason = \"one-off backfill\"",
        instead: "Delete the entry when its script is gone, or point `path` at the script's new name.",
    },
};

/// Directories never searched for contracted scripts.
const SKIPPED_DIRS: &[&str] = &["node_modules", ".git"];

pub(super) fn check(config: &Config, out: &mut Vec<ConfigHit>) {
    let matchers: Vec<_> = config.contract.iter().map(matcher).collect();
    let mut found = vec![false; matchers.len()];
    let walk = ignore::WalkBuilder::new(&config.root)
        .hidden(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
        })
        .build();
    for entry in walk.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&config.root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        for (i, m) in matchers.iter().enumerate() {
            if !found[i] && m.as_ref().is_some_and(|m| m.is_match(&rel)) {
                found[i] = true;
            }
        }
        if found.iter().all(|f| *f) {
            break;
        }
    }
    for (entry, found) in config.contract.iter().zip(found) {
        if !found {
            out.push(ConfigHit {
                meta: &META,
                severity: META.severity,
                message: format!(
                    "contract entry `{}` matches no file (the glob is relative to the folder of this config)",
                    entry.path
                ),
                span: entry.path_span.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check_config;
    use crate::config::Config;

    #[test]
    fn entries_that_match_nothing_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("scripts/ops")).unwrap();
        std::fs::create_dir_all(root.join("node_modules/pkg/scripts")).unwrap();
        std::fs::create_dir_all(root.join(".github/scripts")).unwrap();
        std::fs::write(root.join("scripts/ops/sync.ts"), "").unwrap();
        std::fs::write(root.join("node_modules/pkg/scripts/old.ts"), "").unwrap();
        std::fs::write(root.join(".github/scripts/cleanup.sh"), "").unwrap();
        let toml = "[[contract.scripts]]\npath = \"scripts/ops/*.ts\"\ntables = [\"*\"]\nreason = \"r\"\n\n[[contract.scripts]]\npath = \"scripts/old.ts\"\ntables = [\"*\"]\nreason = \"r\"\n\n[[contract.scripts]]\npath = \"**/old.ts\"\ntables = [\"*\"]\nreason = \"r\"\n\n[[contract.scripts]]\npath = \".github/scripts/cleanup.sh\"\ntables = [\"*\"]\nreason = \"r\"\n";
        let file = root.join("dbguard.toml");
        std::fs::write(&file, toml).unwrap();
        let config = Config::load(&file).unwrap();
        let hits = check_config(&config);
        let got: Vec<(&str, &str)> = hits
            .iter()
            .map(|h| (h.meta.id, &toml[h.span.clone()]))
            .collect();
        // `**/old.ts` only matches inside node_modules, which is not searched.
        assert_eq!(
            got,
            [
                ("stale-contract-entry", "\"scripts/old.ts\""),
                ("stale-contract-entry", "\"**/old.ts\"")
            ]
        );
        assert!(hits[0]
            .message
            .starts_with("contract entry `scripts/old.ts` matches no file"));
    }
}
