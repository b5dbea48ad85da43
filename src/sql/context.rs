//! What a SQL rule knows about where a statement sits: the file's role (migration, down
//! migration, test), the `-- migrate:down` section, the tables created earlier in the same
//! fragment, and the fragment's origin.

use std::ops::Range;

use squawk_syntax::ast::AstNode;

use super::{Origin, Parsed, SqlFragment, TableName};

/// The role of the file that holds the SQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileRole {
    /// A migration: a file in a `migrations`, `migration` or `migrate` folder.
    pub migration: bool,
    /// A whole file of down migration: `down.sql`, `*.down.sql`, `*_down.sql`.
    pub down: bool,
    /// A test file or test helper (`files.tests`).
    pub test: bool,
    /// `supabase/seed.sql`: `supabase db reset` runs it against the local stack (and
    /// `db push --include-seed` against the linked project).
    pub supabase_seed: bool,
}

impl FileRole {
    /// The role a path says (`test` comes from the config and is set by the caller).
    pub fn from_path(display: &str) -> FileRole {
        let lower = display.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('/').collect();
        let name = parts.pop().unwrap_or("");
        // drizzle-kit writes `drizzle/0003_brave_hulk.sql` by default.
        let drizzle = parts.last() == Some(&"drizzle") && numbered(name);
        let migration = drizzle
            || parts
                .iter()
                .any(|p| matches!(*p, "migrations" | "migration" | "migrate"));
        let stem = name.strip_suffix(".sql").unwrap_or(name);
        let down = stem == "down" || stem.ends_with(".down") || stem.ends_with("_down");
        FileRole {
            migration,
            down,
            test: false,
            supabase_seed: name == "seed.sql" && parts.last() == Some(&"supabase"),
        }
    }
}

/// `0003_name…`: a name that starts with a version number and an underscore.
pub(crate) fn numbered(name: &str) -> bool {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && name.as_bytes().get(digits) == Some(&b'_')
}

/// Where the down section of a migration file starts (`-- migrate:down` of dbmate,
/// `-- +goose Down`, `-- +migrate Down` of sql-migrate), as a fragment offset.
pub fn down_section_start(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("--") {
            let marker: String = rest
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_lowercase();
            if marker == "migrate:down" || marker == "+goose down" || marker == "+migrate down" {
                return Some(offset);
            }
        }
        offset += line.len();
    }
    None
}

/// A table created in the fragment, and where.
#[derive(Debug, Clone)]
pub struct Created {
    pub table: TableName,
    pub temporary: bool,
    pub at: usize,
}

pub struct SqlContext<'a> {
    pub fragment: &'a SqlFragment,
    pub role: FileRole,
    down_from: Option<usize>,
    created: Vec<Created>,
    /// Tables the file's other SQL fragments create (`client.query("CREATE TEMP TABLE s …")`
    /// before `client.query("TRUNCATE s")`), with host offsets.
    created_in_file: Vec<Created>,
    /// Keys of tables the fragment enables RLS on.
    rls_enabled: Vec<String>,
    /// Columns the fragment adds (`ALTER TABLE t ADD COLUMN c`): table key, column, where.
    added_columns: Vec<(String, String, usize)>,
    /// `ALTER FUNCTION`/`ALTER PROCEDURE` statements: (target name, text), lowercased.
    alter_functions: Vec<(String, String)>,
    /// Where the parser reported errors (fragment offsets, sorted).
    errors: Vec<usize>,
    /// Tables that another table is renamed to (`ALTER TABLE new_t RENAME TO t`): key, where.
    renamed_to: Vec<(String, usize)>,
}

impl<'a> SqlContext<'a> {
    pub fn new(fragment: &'a SqlFragment, parsed: &Parsed, role: FileRole) -> SqlContext<'a> {
        let down_from = down_section_start(&fragment.text);
        let created = parsed
            .tree
            .syntax()
            .descendants()
            .filter_map(|n| {
                let (table, temporary) = super::created_table(&n)?;
                Some(Created {
                    table,
                    temporary,
                    at: usize::from(n.text_range().start()),
                })
            })
            .collect();
        let mut rls_enabled = Vec::new();
        let mut added_columns = Vec::new();
        let mut alter_functions = Vec::new();
        let mut renamed_to = Vec::new();
        for n in parsed.tree.syntax().descendants() {
            use squawk_syntax::SyntaxKind as K;
            let table_of_alter = |n: &squawk_syntax::SyntaxNode| {
                n.ancestors()
                    .find(|a| a.kind() == K::ALTER_TABLE)
                    .and_then(|a| a.children().find(|c| c.kind() == K::TABLE_RELATION_NAME))
                    .and_then(|t| TableName::from_path(&super::compact(&t)))
            };
            match n.kind() {
                K::ALTER_FUNCTION | K::ALTER_PROCEDURE => {
                    let text = super::compact(&n).to_ascii_lowercase();
                    let target = text
                        .split_whitespace()
                        .nth(2)
                        .unwrap_or("")
                        .split('(')
                        .next()
                        .unwrap_or("")
                        .to_string();
                    alter_functions.push((target, text));
                }
                K::TABLE_RENAME_TO => {
                    let to = n
                        .children()
                        .find(|c| c.kind() == K::TABLE_NAME)
                        .and_then(|t| TableName::from_path(&super::compact(&t)));
                    if let Some(t) = to {
                        renamed_to.push((t.key(), usize::from(n.text_range().start())));
                    }
                }
                K::ENABLE_RLS => {
                    if let Some(t) = table_of_alter(&n) {
                        rls_enabled.push(t.key());
                    }
                }
                K::ADD_COLUMN => {
                    let column = n
                        .descendants()
                        .find(|c| c.kind() == K::COLUMN_NAME)
                        .and_then(|c| TableName::from_path(&super::compact(&c)));
                    if let (Some(t), Some(c)) = (table_of_alter(&n), column) {
                        added_columns.push((t.key(), c.name, usize::from(n.text_range().start())));
                    }
                }
                _ => {}
            }
        }
        SqlContext {
            fragment,
            role,
            down_from,
            created,
            created_in_file: Vec::new(),
            rls_enabled,
            added_columns,
            alter_functions,
            renamed_to,
            errors: {
                let mut e: Vec<usize> = parsed
                    .parse
                    .errors()
                    .iter()
                    .map(|e| usize::from(e.range().start()))
                    .collect();
                e.sort_unstable();
                e
            },
        }
    }

    /// The statement at `range` is part of a down migration (a down file or section, or the
    /// `down` function of a JS/TS migration module).
    pub fn in_down_migration(&self, range: &Range<usize>) -> bool {
        let down_function = self.role.migration
            && matches!(&self.fragment.origin, Origin::Js { function: Some(f), .. } if f == "down");
        self.role.down || down_function || self.down_from.is_some_and(|d| range.start >= d)
    }

    /// The tables this fragment creates, with host offsets (for the file's other fragments).
    pub fn created_in_host(&self) -> Vec<Created> {
        self.created
            .iter()
            .map(|c| Created {
                at: self.fragment.to_host(c.at..c.at + 1).start,
                ..c.clone()
            })
            .collect()
    }

    /// Tables created by the file's other fragments ([`SqlContext::created_in_host`]).
    pub fn with_file_tables(mut self, created: Vec<Created>) -> Self {
        self.created_in_file = created;
        self
    }

    /// The table was created earlier in this fragment, or earlier in the file by another
    /// fragment (temporary or not).
    pub fn created_before(&self, table: &TableName, at: usize) -> Option<&Created> {
        let key = table.key();
        self.created
            .iter()
            .find(|c| c.at < at && c.table.key() == key)
            .or_else(|| {
                let host = self.fragment.to_host(at..at + 1).start;
                self.created_in_file
                    .iter()
                    .find(|c| c.at < host && c.table.key() == key)
            })
    }

    /// The origin's own reason for `info`: a `psql` pinned to a local host.
    pub fn safe_target(&self) -> Option<String> {
        if let Some(reason) = &self.fragment.guarded {
            return Some(reason.clone());
        }
        match &self.fragment.origin {
            Origin::Shell { target, .. } | Origin::ShellFile { target, .. } if target.is_safe() => {
                Some(target.reason().to_string())
            }
            _ => None,
        }
    }

    /// The `ALTER FUNCTION`/`ALTER PROCEDURE` statements of the fragment for `name`
    /// (lowercased, without arguments), as lowercased text.
    pub fn alters_of<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.alter_functions
            .iter()
            .filter(move |(target, _)| target == name)
            .map(|(_, text)| text.as_str())
    }

    /// The parser reported an error between `start` and the end of the statement there (the
    /// next `;`): what it parsed is a fragment of something else (MySQL's `DELETE IGNORE`, an
    /// English sentence passed to `.query()`), not a statement to judge.
    pub fn statement_has_errors(&self, start: usize) -> bool {
        let text = &self.fragment.text;
        let start = start.min(text.len());
        let end = text[start..].find(';').map_or(text.len(), |e| start + e);
        let i = self.errors.partition_point(|&e| e < start);
        self.errors.get(i).is_some_and(|&e| e <= end)
    }

    /// Another table is renamed to `table` after `at`: the drop at `at` is part of a rebuild
    /// (Prisma's SQLite `RedefineTables`: create `new_t`, copy, drop `t`, rename `new_t`).
    pub fn rebuilt_after(&self, table: &TableName, at: usize) -> bool {
        let key = table.key();
        self.renamed_to
            .iter()
            .any(|(t, pos)| *t == key && *pos > at)
    }

    /// Only statements that parse cleanly count in this fragment.
    pub fn needs_clean_parse(&self) -> bool {
        matches!(self.fragment.origin, Origin::Js { generic: true, .. })
    }

    /// The fragment enables RLS on the table.
    pub fn enables_rls(&self, table: &TableName) -> bool {
        self.rls_enabled.contains(&table.key())
    }

    /// The fragment added `column` to `table` before `at` (a backfill follows).
    pub fn added_before(&self, table: &TableName, column: &str, at: usize) -> bool {
        let key = table.key();
        self.added_columns
            .iter()
            .any(|(t, c, pos)| *t == key && c == column && *pos < at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_from_paths() {
        assert!(FileRole::from_path("prisma/migrations/2024_x/migration.sql").migration);
        assert!(FileRole::from_path("supabase/migrations/2024_x.sql").migration);
        assert!(FileRole::from_path("db/migrate/001.sql").migration);
        assert!(!FileRole::from_path("scripts/wipe.sql").migration);
        assert!(FileRole::from_path("drizzle/0003_brave_hulk.sql").migration);
        assert!(!FileRole::from_path("drizzle/schema.sql").migration);
        assert!(FileRole::from_path("migrations/001_init/down.sql").down);
        assert!(FileRole::from_path("migrations/001_init.down.sql").down);
        assert!(!FileRole::from_path("migrations/001_init.up.sql").down);
        assert!(!FileRole::from_path("migrations/001_shutdown.sql").down);
    }

    #[test]
    fn down_sections() {
        let t = "-- migrate:up\ncreate table a();\n-- migrate:down\ndrop table a;\n";
        assert_eq!(
            down_section_start(t),
            Some(t.find("-- migrate:down").unwrap())
        );
        assert_eq!(down_section_start("-- +goose Down\n"), Some(0));
        assert_eq!(down_section_start("-- the down side\n"), None);
    }
}
