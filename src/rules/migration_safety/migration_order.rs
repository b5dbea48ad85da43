//! A project rule over migrations folders: the order a migration tool applies files in is the
//! order of their names; duplicate or out-of-order version prefixes and holes in sequential
//! numbering mean some database will apply them differently from the others.

use std::path::Path;

use crate::rules::{Category, RuleDoc, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "migration-order",
    category: Category::MigrationSafety,
    severity: Severity::Error,
    summary: "duplicate, out-of-order or missing migrations in a migrations folder",
    help: "one migration per version, named so that name order is run order; renumber only migrations no database has applied yet, and never leave a Prisma folder without migration.sql",
    literals: &["migration"],
    doc: RuleDoc {
        what: "In a `migrations`/`migrate`/`migration` folder: two migrations with the same version prefix (`003_a.sql`, `003_b.sql`), a prefix whose numeric order differs from the name order the tools use (`9_x.sql` sorts after `10_y.sql`), a hole in sequential numbering (`001_`, `002_`, `003_`, `005_`; a warning; only where most steps are `+1`, so a scheme of tens is not holes), and a Prisma migration folder without `migration.sql`. Up/down pairs of one migration (`003_a.up.sql`, `003_a.down.sql`) are one migration.",
        why: "Migration tools apply files in name order and remember versions. Duplicates make two branches' migrations collide (one is skipped on databases that already recorded the version); out-of-order names run in a different order on a fresh database than on production; a hole often means a migration was deleted after it ran somewhere; a Prisma folder without `migration.sql` fails `migrate deploy`.",
        example: "migrations/003_add_orders.sql\nmigrations/003_add_invoices.sql",
        instead: "Renumber the migration that has not been applied anywhere yet (use timestamps to avoid collisions between branches); restore deleted migrations; put `migration.sql` back or remove the empty Prisma folder.",
    },
};

/// One problem in a folder: the entry it is about (a path relative to the folder), what is
/// wrong, and how bad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderHit {
    pub entry: String,
    pub message: String,
    pub severity: Severity,
}

struct Migration {
    /// The directory entry's name.
    entry: String,
    /// The migration's identity: the name without `.up`/`.down` and extension.
    identity: String,
    version: String,
}

/// The migration's identity and version prefix, or `None` for entries that are not
/// migrations (a README, `migration_lock.toml`, a name without a leading number).
fn migration_of(name: &str, is_dir: bool) -> Option<Migration> {
    if name.starts_with('.') {
        return None;
    }
    let version: String = name.chars().take_while(|c| c.is_ascii_digit()).collect();
    if version.is_empty() {
        return None;
    }
    let mut identity = name.to_string();
    if !is_dir {
        let (stem, ext) = name.rsplit_once('.')?;
        if !matches!(
            ext,
            "sql" | "js" | "ts" | "cjs" | "mjs" | "rb" | "py" | "go"
        ) {
            return None;
        }
        identity = stem
            .strip_suffix(".up")
            .or_else(|| stem.strip_suffix(".down"))
            .or_else(|| stem.strip_suffix("_up"))
            .or_else(|| stem.strip_suffix("_down"))
            .unwrap_or(stem)
            .to_string();
    }
    Some(Migration {
        entry: name.to_string(),
        identity,
        version,
    })
}

/// Checks one migrations folder (read-only: it lists the folder).
pub fn check_dir(dir: &Path) -> Vec<OrderHit> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut entries: Vec<(String, bool)> = read
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let is_dir = e.file_type().ok()?.is_dir();
            Some((name, is_dir))
        })
        .collect();
    entries.sort();
    let prisma = entries.iter().any(|(n, _)| n == "migration_lock.toml");
    let mut hits = Vec::new();
    if prisma {
        for (name, is_dir) in &entries {
            if *is_dir && !dir.join(name).join("migration.sql").is_file() {
                hits.push(OrderHit {
                    entry: name.clone(),
                    message: format!(
                        "Prisma migration folder `{name}` has no `migration.sql`: `prisma migrate deploy` fails on it"
                    ),
                    severity: Severity::Error,
                });
            }
        }
    }
    hits.extend(check_names(&entries));
    hits
}

/// The order checks over a folder's sorted entries `(name, is_dir)`.
pub fn check_names(entries: &[(String, bool)]) -> Vec<OrderHit> {
    let mut migrations: Vec<Migration> = entries
        .iter()
        .filter_map(|(n, d)| migration_of(n, *d))
        .collect();
    migrations.sort_by(|a, b| a.entry.cmp(&b.entry));
    // One record per migration (an up/down pair is one).
    migrations.dedup_by(|a, b| a.identity == b.identity);
    let mut hits = Vec::new();
    if migrations.len() < 2 {
        return hits;
    }
    // Duplicates: the same version for different migrations.
    for (i, m) in migrations.iter().enumerate() {
        if let Some(first) = migrations[..i]
            .iter()
            .find(|o| numeric_eq(&o.version, &m.version))
        {
            hits.push(OrderHit {
                entry: m.entry.clone(),
                message: format!(
                    "migration `{}` has version {} like `{}`: tools that record versions apply only one of them",
                    m.entry, m.version, first.entry
                ),
                severity: Severity::Error,
            });
        }
    }
    // Out of order: name order (what tools use) differs from numeric order.
    for pair in migrations.windows(2) {
        if numeric_cmp(&pair[0].version, &pair[1].version) == std::cmp::Ordering::Greater {
            hits.push(OrderHit {
                entry: pair[0].entry.clone(),
                message: format!(
                    "migration `{}` (version {}) sorts before `{}` (version {}): tools apply files in name order, which is not the version order; pad the numbers with zeros",
                    pair[0].entry, pair[0].version, pair[1].entry, pair[1].version
                ),
                severity: Severity::Error,
            });
        }
    }
    // Holes, only in sequential numbering: small numbers (not timestamps), most of them
    // consecutive (a folder numbered in steps of ten has no holes, it has a scheme).
    let mut numbers: Vec<(u64, &Migration)> = migrations
        .iter()
        .filter(|m| m.version.len() <= 6)
        .filter_map(|m| m.version.parse::<u64>().ok().map(|n| (n, m)))
        .collect();
    numbers.sort_by_key(|(n, _)| *n);
    numbers.dedup_by_key(|(n, _)| *n);
    let consecutive = numbers.windows(2).filter(|p| p[1].0 == p[0].0 + 1).count();
    let sequential = numbers.len() == migrations.len()
        && numbers.len() >= 3
        && consecutive * 2 >= numbers.len() - 1;
    if sequential {
        for pair in numbers.windows(2) {
            let (a, b) = (pair[0].0, pair[1].0);
            if b > a + 1 {
                let missing = if b == a + 2 {
                    format!("version {} is", a + 1)
                } else {
                    format!("versions {} to {} are", a + 1, b - 1)
                };
                hits.push(OrderHit {
                    entry: pair[1].1.entry.clone(),
                    message: format!(
                        "migration `{}` follows version {a}: {missing} missing from the sequence",
                        pair[1].1.entry
                    ),
                    severity: Severity::Warning,
                });
            }
        }
    }
    hits
}

fn numeric_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn numeric_eq(a: &str, b: &str) -> bool {
    numeric_cmp(a, b) == std::cmp::Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<OrderHit> {
        let mut v: Vec<(String, bool)> = list.iter().map(|n| (n.to_string(), false)).collect();
        v.sort();
        check_names(&v)
    }

    fn summary(h: &[OrderHit]) -> Vec<(String, Severity)> {
        h.iter().map(|h| (h.entry.clone(), h.severity)).collect()
    }

    #[test]
    fn clean_folders() {
        assert!(names(&["001_init.sql", "002_users.sql", "003_orders.sql"]).is_empty());
        assert!(names(&[
            "001_init.up.sql",
            "001_init.down.sql",
            "002_x.up.sql",
            "002_x.down.sql"
        ])
        .is_empty());
        assert!(names(&[
            "20240101120000_init.sql",
            "20240305090000_orders.sql",
            "README.md"
        ])
        .is_empty());
        assert!(names(&["0001_a.sql"]).is_empty());
    }

    #[test]
    fn duplicates_order_and_gaps() {
        assert_eq!(
            summary(&names(&["001_init.sql", "002_a.sql", "002_b.sql"])),
            [("002_b.sql".to_string(), Severity::Error)]
        );
        assert_eq!(
            summary(&names(&["1_init.sql", "2_a.sql", "3_c.sql", "10_b.sql"])),
            [
                ("10_b.sql".to_string(), Severity::Error),
                ("10_b.sql".to_string(), Severity::Warning)
            ]
        );
        assert_eq!(
            summary(&names(&["001_init.sql", "002_a.sql", "004_b.sql"])),
            [("004_b.sql".to_string(), Severity::Warning)]
        );
        let h = names(&["001_init.sql", "002_a.sql", "003_b.sql", "007_c.sql"]);
        assert!(h[0].message.contains("4 to 6"), "{}", h[0].message);
        // A scheme of steps, not a sequence with holes.
        assert!(names(&["010_a.sql", "020_b.sql", "030_c.sql", "050_d.sql"]).is_empty());
        assert!(names(&["001_init.sql", "005_b.sql"]).is_empty());
        // Timestamps have holes by nature.
        assert!(names(&["20240101_a.sql", "20240301_b.sql"]).is_empty());
    }

    #[test]
    fn prisma_folder_without_migration_sql() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("migrations");
        std::fs::create_dir_all(m.join("20240101000000_init")).unwrap();
        std::fs::write(m.join("20240101000000_init/migration.sql"), "select 1;").unwrap();
        std::fs::create_dir_all(m.join("20240201000000_orders")).unwrap();
        std::fs::write(m.join("migration_lock.toml"), "provider = \"postgresql\"").unwrap();
        let h = check_dir(&m);
        assert_eq!(
            summary(&h),
            [("20240201000000_orders".to_string(), Severity::Error)]
        );
    }
}
