//! SQL that shell commands run: `psql -c "…"` (any number of them), a heredoc or here-string
//! fed to `psql`, `psql -f FILE`, and `prisma db execute --stdin` / `--file FILE`.

use std::path::Path;

use super::{Origin, SqlFragment};
use crate::fragment::map::FragmentBuilder;
use crate::rules::destructive_command::{command_text, dropdb::pg_target, DB_VARS};
use crate::shell::words::Word;
use crate::shell::Command;
use crate::target::{assess, classify_value, from_class, resolve, Target};

/// Files read for `psql -f` larger than this are not read.
const MAX_SQL_FILE: u64 = 2 * 1024 * 1024;

/// Where `psql -f FILE` looks for FILE: the directory of the file that holds the command,
/// then the project root.
pub struct FileLookup<'a> {
    pub host_dir: Option<&'a Path>,
    pub root: &'a Path,
}

/// The SQL fragments a command runs.
pub fn fragments(cmd: &Command, lookup: &FileLookup) -> Vec<SqlFragment> {
    let (target, files) = match cmd.program() {
        "psql" => (psql_target(cmd), file_args(cmd, &["-f", "--file"])),
        "prisma" if cmd.subcommand_is(&["db", "execute"]) => (
            assess(cmd, &["--url"], DB_VARS),
            file_args(cmd, &["--file"]),
        ),
        _ => return Vec::new(),
    };
    let command = command_text(cmd);
    let mut out = Vec::new();
    let shell = |w: &Word, skip: usize| {
        let (text, map) = sql_of_word(w, skip);
        SqlFragment::new(
            text,
            map,
            Origin::Shell {
                command: command.clone(),
                target: target.clone(),
            },
        )
    };
    if cmd.program() == "psql" {
        let args = cmd.args();
        for (i, w) in args.iter().enumerate() {
            if w.text == "-c" || w.text == "--command" || short_bundle_ends_with(&w.text, 'c') {
                if let Some(v) = args.get(i + 1) {
                    out.push(shell(v, 0));
                }
            } else if w.text.starts_with("--command=") {
                out.push(shell(w, "--command=".len()));
            }
        }
    }
    let reads_stdin = cmd.program() == "psql" || cmd.has_flag("--stdin");
    // Findings point at the command, and at the file too when it comes after (`psql < f.sql`).
    let mut files: Vec<(String, std::ops::Range<usize>)> =
        files.into_iter().map(|f| (f, cmd.span.clone())).collect();
    if reads_stdin {
        if let Some(stdin) = &cmd.stdin {
            out.push(shell(stdin, 0));
        }
        // `psql < FILE`, `cat FILE | psql`
        if let Some(f) = cmd.stdin_file.as_ref().filter(|f| !f.dynamic) {
            if f.text.ends_with(".sql") {
                let span = cmd.span.start.min(f.span.start)..cmd.span.end.max(f.span.end);
                files.push((f.text.clone(), span));
            }
        }
    }
    for (file, span) in files {
        if let Some(text) = read_sql_file(&file, lookup) {
            let len = text.len();
            out.push(SqlFragment::new(
                text,
                crate::fragment::map::OffsetMap::linear(0, len),
                Origin::ShellFile {
                    command: command.clone(),
                    target: target.clone(),
                    file,
                    span,
                },
            ));
        }
    }
    out
}

/// The SQL text of a shell word from byte `skip`: a word with expansions (`$TABLE`,
/// `${VAR}`, `$(cmd)`, a CI `${{ expr }}`) gets a placeholder for each, so that the statement
/// parses with an unknown name where the expansion stands.
fn sql_of_word(w: &Word, skip: usize) -> (String, crate::fragment::map::OffsetMap) {
    let mut b = FragmentBuilder::new();
    let text = &w.text;
    if !w.dynamic {
        b.push_from(text, &w.map, skip..text.len());
        return b.finish();
    }
    let bytes = text.as_bytes();
    let mut i = skip;
    let mut verbatim = skip;
    while i < bytes.len() {
        if bytes[i] != b'$' || i + 1 >= bytes.len() {
            i += 1;
            continue;
        }
        let end = match bytes[i + 1] {
            b'{' if bytes.get(i + 2) == Some(&b'{') => text[i..].find("}}").map(|e| i + e + 2),
            b'{' => text[i..].find('}').map(|e| i + e + 1),
            b'(' => closing_paren(text, i + 1),
            c if c.is_ascii_alphabetic() || c == b'_' => Some(
                i + 1
                    + text[i + 1..]
                        .bytes()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                        .count(),
            ),
            c if c.is_ascii_digit() || matches!(c, b'@' | b'*' | b'#' | b'?' | b'!') => Some(i + 2),
            _ => None,
        };
        let Some(end) = end else {
            i += 1;
            continue;
        };
        b.push_from(text, &w.map, verbatim..i);
        b.push_decoded(crate::sql::PLACEHOLDER, w.map.to_host(i));
        i = end;
        verbatim = end;
    }
    b.push_from(text, &w.map, verbatim..text.len());
    b.finish()
}

/// The end (exclusive) of the parenthesized group opening at `open`.
fn closing_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + k + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// `-tAc`, `-qtAf`: short options bundled in one word, the last of which (`flag`) takes the
/// next word as its value.
fn short_bundle_ends_with(word: &str, flag: char) -> bool {
    let Some(letters) = word.strip_prefix('-') else {
        return false;
    };
    letters.len() > 1
        && !letters.starts_with('-')
        && letters.ends_with(flag)
        && letters.chars().all(|c| c.is_ascii_alphabetic())
}

/// The server `psql` connects to: a connection URL as the database argument
/// (`psql postgres://…`), else `-h`/`-d`/`PGHOST` as for the other libpq clients.
fn psql_target(cmd: &Command) -> Target {
    let url = cmd.args().iter().enumerate().find_map(|(i, w)| {
        let after_flag = i > 0 && {
            let prev = &cmd.args()[i - 1].text;
            prev.starts_with('-')
                && !prev.contains('=')
                && (PSQL_FLAGS_WITH_VALUE.contains(&prev.as_str())
                    || "cfhpUdvoLPFRT"
                        .chars()
                        .any(|c| short_bundle_ends_with(prev, c)))
        };
        (!w.text.starts_with('-')
            && !after_flag
            && (w.text.contains("://") || w.text.starts_with('$')))
        .then_some(w.text.as_str())
    });
    match url {
        Some(u) => from_class(
            classify_value(resolve(cmd, u)),
            "the connection argument",
            u,
        )
        .unwrap_or_else(|| pg_target(cmd)),
        None => pg_target(cmd),
    }
}

/// psql options that take a value, so that the value is not taken for the database argument.
const PSQL_FLAGS_WITH_VALUE: &[&str] = &[
    "-c",
    "--command",
    "-f",
    "--file",
    "-h",
    "--host",
    "-p",
    "--port",
    "-U",
    "--username",
    "-d",
    "--dbname",
    "-v",
    "--set",
    "--variable",
    "-o",
    "--output",
    "-L",
    "--log-file",
    "-P",
    "--pset",
    "-F",
    "-R",
    "-T",
];

/// The values of `-f FILE` / `--file FILE` / `--file=FILE`, when known statically.
fn file_args(cmd: &Command, flags: &[&str]) -> Vec<String> {
    let args = cmd.args();
    let mut out = Vec::new();
    for (i, w) in args.iter().enumerate() {
        let bundled = flags
            .iter()
            .filter_map(|f| f.strip_prefix('-').filter(|f| f.len() == 1))
            .filter_map(|f| f.chars().next())
            .any(|c| short_bundle_ends_with(&w.text, c));
        let value = if flags.contains(&w.text.as_str()) || bundled {
            args.get(i + 1)
                .filter(|v| !v.dynamic)
                .map(|v| v.text.clone())
        } else {
            flags
                .iter()
                .find_map(|f| w.text.strip_prefix(&format!("{f}=")))
                .filter(|_| !w.dynamic)
                .map(str::to_string)
        };
        out.extend(value.filter(|v| v.ends_with(".sql")));
    }
    out
}

fn read_sql_file(file: &str, lookup: &FileLookup) -> Option<String> {
    let rel = Path::new(file);
    let candidates = [
        lookup.host_dir.map(|d| d.join(rel)),
        Some(lookup.root.join(rel)),
    ];
    let path = candidates.into_iter().flatten().find(|p| p.is_file())?;
    if std::fs::metadata(&path).ok()?.len() > MAX_SQL_FILE {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fragment::map::OffsetMap;
    use crate::fragment::{Fragment, HostContext};
    use crate::lang::FileKind;
    use std::sync::Arc;

    fn sql_of(src: &str) -> Vec<(String, Option<std::ops::Range<usize>>)> {
        let f = Fragment::shell(
            src.to_string(),
            OffsetMap::linear(0, src.len()),
            Arc::new(HostContext::new(FileKind::Shell)),
        );
        let root = Path::new("/nonexistent");
        let lookup = FileLookup {
            host_dir: None,
            root,
        };
        crate::shell::commands(&f)
            .iter()
            .flat_map(|c| fragments(c, &lookup))
            .map(|s| {
                let host = (!s.text.is_empty()).then(|| s.to_host(0..s.text.len()));
                (s.text, host)
            })
            .collect()
    }

    #[test]
    fn psql_commands_and_heredocs() {
        let src = "psql \"$DATABASE_URL\" -c 'TRUNCATE users' -c \"DELETE FROM t\"\n";
        let got = sql_of(src);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "TRUNCATE users");
        assert_eq!(&src[got[0].1.clone().unwrap()], "TRUNCATE users");
        assert_eq!(&src[got[1].1.clone().unwrap()], "DELETE FROM t");
        let src = "psql -h db <<'SQL'\nDROP TABLE x;\nSQL\n";
        let got = sql_of(src);
        assert_eq!(got[0].0, "DROP TABLE x;\n");
        assert_eq!(&src[got[0].1.clone().unwrap()], "DROP TABLE x;\n");
        let got = sql_of("psql --command='drop table y'");
        assert_eq!(got[0].0, "drop table y");
        let got =
            sql_of("psql -c \"DROP SCHEMA pr_${PR} CASCADE; delete from $T where id = $(id)\"");
        assert_eq!(
            got[0].0,
            "DROP SCHEMA pr___dbguard_param__ CASCADE; delete from __dbguard_param__ where id = __dbguard_param__"
        );
        let got = sql_of("psql -c 'select $$a$$'");
        assert_eq!(got[0].0, "select $$a$$");
        // Bundled short options, echo and printf into a pipe.
        let got = sql_of("psql \"$URL\" -tAc 'TRUNCATE t3'");
        assert_eq!(got[0].0, "TRUNCATE t3");
        let got = sql_of("echo \"DROP TABLE users\" | psql \"$DATABASE_URL\"");
        assert_eq!(got[0].0, "DROP TABLE users");
        let src = "printf 'delete from t;' | npx prisma db execute --stdin";
        let got = sql_of(src);
        assert_eq!(&src[got[0].1.clone().unwrap()], "delete from t;");
        assert!(sql_of("echo 'DROP TABLE users' | cat").is_empty());
        assert!(sql_of("echo 'DROP TABLE users' > notes.txt").is_empty());
        let got = sql_of("npx prisma db execute --stdin <<EOF\ntruncate a;\nEOF\n");
        assert_eq!(got[0].0, "truncate a;\n");
        // Not psql, or psql reading nothing we know.
        assert!(sql_of("echo 'DROP TABLE x' | cat").is_empty());
        assert!(sql_of("psql -f missing.sql").is_empty());
        assert!(sql_of("mysql -e 'drop table x'").is_empty());
    }

    #[test]
    fn psql_file_is_read_relative_to_the_script() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("wipe.sql"), "TRUNCATE users;\n").unwrap();
        let src = "psql \"$DATABASE_URL\" -f wipe.sql";
        let f = Fragment::shell(
            src.to_string(),
            OffsetMap::linear(0, src.len()),
            Arc::new(HostContext::new(FileKind::Shell)),
        );
        let lookup = FileLookup {
            host_dir: Some(dir.path()),
            root: Path::new("/nonexistent"),
        };
        let cmds = crate::shell::commands(&f);
        let frags = fragments(&cmds[0], &lookup);
        assert_eq!(frags.len(), 1);
        assert_eq!(frags[0].text, "TRUNCATE users;\n");
        assert_eq!(frags[0].to_host(0..8), cmds[0].span);
        for src in [
            "psql \"$DATABASE_URL\" < wipe.sql",
            "cat wipe.sql | psql \"$DATABASE_URL\"",
            "psql -qtAf wipe.sql",
        ] {
            let f = Fragment::shell(
                src.to_string(),
                OffsetMap::linear(0, src.len()),
                Arc::new(HostContext::new(FileKind::Shell)),
            );
            let cmds = crate::shell::commands(&f);
            let frags: Vec<_> = cmds.iter().flat_map(|c| fragments(c, &lookup)).collect();
            assert_eq!(frags.len(), 1, "{src}");
            assert_eq!(frags[0].text, "TRUNCATE users;\n", "{src}");
        }
    }
}
