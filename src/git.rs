//! Git integration: staged content (`check --staged`), changed files and lines
//! (`--changed-since`, `--new-only`), and the pre-commit hook (`install-hook`,
//! `uninstall-hook`). Everything goes through the `git` command, as a user's hooks do.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use miette::Report;

use crate::source::FileReader;

/// Runs git in `dir` and returns its stdout; a failure is a fatal error naming the command.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Report> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| miette::miette!(code = "dbguard::git", "cannot run git: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(miette::miette!(
            code = "dbguard::git",
            "`git {}` failed: {}",
            args.join(" "),
            stderr.trim()
        ));
    }
    Ok(out.stdout)
}

/// The repository's top-level directory, or a clear error outside a repository.
pub fn toplevel(cwd: &Path) -> Result<PathBuf, Report> {
    let out = Command::new("git")
        .current_dir(cwd)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .map_err(|e| miette::miette!(code = "dbguard::git", "cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(miette::miette!(
            code = "dbguard::not-a-repository",
            help = "run it inside a git work tree, or lint paths without --staged/--changed-since",
            "{} is not in a git repository",
            cwd.display()
        ));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim_end(),
    ))
}

/// NUL-separated paths (relative to the top level) → absolute paths.
fn nul_paths(top: &Path, bytes: &[u8]) -> Vec<PathBuf> {
    bytes
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| top.join(String::from_utf8_lossy(p).as_ref()))
        .collect()
}

/// Reads file contents from the git index (what is about to be committed).
pub struct IndexReader {
    files: HashMap<PathBuf, Vec<u8>>,
}

impl FileReader for IndexReader {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not in the index"))
    }
}

/// The staged files (added, copied, modified, renamed) and a reader of their staged content.
/// `git diff --cached --raw -z` gives each path with its staged blob id, and one
/// `git cat-file --batch` reads the blobs by id (ids are hex, so no file name can confuse
/// the exchange). Submodules and symbolic links are not files to lint.
pub fn staged(cwd: &Path) -> Result<(Vec<PathBuf>, IndexReader), Report> {
    let top = toplevel(cwd)?;
    let raw = git(
        &top,
        &[
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-abbrev",
            "--diff-filter=ACMR",
        ],
    )?;
    let mut entries: Vec<(String, String)> = Vec::new(); // (path, blob id)
    let mut fields = raw.split(|&b| b == 0).filter(|f| !f.is_empty());
    while let Some(meta) = fields.next() {
        let meta = String::from_utf8_lossy(meta);
        // :old_mode new_mode old_id new_id status
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let (Some(mode), Some(id), Some(status)) = (parts.get(1), parts.get(3), parts.get(4))
        else {
            break;
        };
        // Renames and copies name the source, then the destination.
        if status.starts_with(['R', 'C']) {
            fields.next();
        }
        let Some(path) = fields.next() else { break };
        if *mode != "160000" && *mode != "120000" {
            entries.push((String::from_utf8_lossy(path).into_owned(), id.to_string()));
        }
    }
    let ids: Vec<String> = entries.iter().map(|(_, id)| id.clone()).collect();
    let contents = cat_file_batch(&top, &ids)?;
    let mut files = HashMap::new();
    let mut paths = Vec::new();
    for ((name, _), content) in entries.iter().zip(contents) {
        let abs = top.join(name);
        if let Some(c) = content {
            files.insert(abs.clone(), c);
        }
        paths.push(abs);
    }
    Ok((paths, IndexReader { files }))
}

/// `git cat-file --batch` for each object id: its content, or `None` when missing.
fn cat_file_batch(top: &Path, ids: &[String]) -> Result<Vec<Option<Vec<u8>>>, Report> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
        .current_dir(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| miette::miette!(code = "dbguard::git", "cannot run git cat-file: {e}"))?;
    // Write the requests from another thread so a full stdout pipe cannot block us both.
    let mut stdin = child.stdin.take().expect("piped stdin");
    let requests: Vec<u8> = ids
        .iter()
        .flat_map(|id| format!("{id}\n").into_bytes())
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(&requests));
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut contents = Vec::with_capacity(ids.len());
    for _ in ids {
        let mut header = String::new();
        out.read_line(&mut header)
            .map_err(|e| miette::miette!("reading git cat-file: {e}"))?;
        // "<id> blob <size>" or "<id> missing"
        let size = header
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|_| header.contains(" blob "));
        match size {
            Some(n) => {
                let mut buf = vec![0; n + 1]; // the content and its trailing newline
                out.read_exact(&mut buf)
                    .map_err(|e| miette::miette!("reading git cat-file: {e}"))?;
                buf.truncate(n);
                contents.push(Some(buf));
            }
            None => contents.push(None),
        }
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(contents)
}

/// Files changed between `rev` and the working tree, plus untracked files that are not
/// ignored.
pub fn changed_since(cwd: &Path, rev: &str) -> Result<Vec<PathBuf>, Report> {
    let top = toplevel(cwd)?;
    let mut paths = nul_paths(
        &top,
        &git(
            &top,
            &["diff", "--name-only", "-z", "--diff-filter=ACMR", rev, "--"],
        )?,
    );
    paths.extend(nul_paths(
        &top,
        &git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?,
    ));
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// The new lines of one file (1-based, inclusive), or `None` when the whole file is new.
pub type NewLines = Option<Vec<RangeInclusive<usize>>>;

/// The lines of each changed file that are new since `rev`. Untracked files are new
/// throughout.
pub fn changed_lines(cwd: &Path, rev: &str) -> Result<BTreeMap<PathBuf, NewLines>, Report> {
    let top = toplevel(cwd)?;
    let mut out: BTreeMap<PathBuf, NewLines> = BTreeMap::new();
    // Fixed prefixes: a user's diff.noprefix or diff.mnemonicPrefix must not hide the paths.
    let diff = git(
        &top,
        &[
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--diff-filter=ACMR",
            rev,
            "--",
        ],
    )?;
    let mut current: Option<PathBuf> = None;
    for line in String::from_utf8_lossy(&diff).lines() {
        if let Some(name) = line.strip_prefix("+++ ") {
            current = name.strip_prefix("b/").map(|n| top.join(unquote_path(n)));
            if let Some(p) = &current {
                out.entry(p.clone()).or_insert_with(|| Some(Vec::new()));
            }
        } else if let (Some(hunk), Some(p)) = (line.strip_prefix("@@ "), &current) {
            // @@ -a,b +c,d @@: lines c..c+d-1 of the new file (d defaults to 1; 0 = none).
            let added = hunk.split(' ').find_map(|w| w.strip_prefix('+'));
            if let Some(added) = added {
                let mut it = added.split(',');
                let start: usize = it.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                let count: usize = it.next().and_then(|n| n.parse().ok()).unwrap_or(1);
                if count > 0 {
                    if let Some(Some(ranges)) = out.get_mut(p) {
                        ranges.push(start..=start + count - 1);
                    }
                }
            }
        }
    }
    for p in nul_paths(
        &top,
        &git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?,
    ) {
        out.insert(p, None);
    }
    Ok(out)
}

/// git quotes unusual paths as C strings: `"a\tb"`.
fn unquote_path(p: &str) -> String {
    match p.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
        Some(q) => q
            .replace("\\\"", "\"")
            .replace("\\\\", "\\")
            .replace("\\t", "\t"),
        None => p.to_string(),
    }
}

/// Marks the hooks dbguard writes, so that it never overwrites or removes anyone else's.
const HOOK_MARKER: &str = "# dbguard-hook v1";

fn hook_script(binary: &Path) -> String {
    let fallback = binary.display().to_string().replace('\'', "'\\''");
    format!(
        r#"#!/bin/sh
{HOOK_MARKER}: installed by `dbguard install-hook`; remove it with `dbguard uninstall-hook`.
# A hook that was here before is kept as pre-commit.local and runs first.
hook_dir=$(dirname "$0")
if [ -x "$hook_dir/pre-commit.local" ]; then
  "$hook_dir/pre-commit.local" "$@" || exit $?
fi
if command -v dbguard >/dev/null 2>&1; then
  exec dbguard check --staged
fi
exec '{fallback}' check --staged
"#
    )
}

/// The hooks directory git uses (honours `core.hooksPath`).
fn hooks_dir(cwd: &Path) -> Result<PathBuf, Report> {
    toplevel(cwd)?;
    let out = git(cwd, &["rev-parse", "--git-path", "hooks"])?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out).trim_end());
    Ok(if dir.is_absolute() {
        dir
    } else {
        cwd.join(dir)
    })
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|s| s.contains(HOOK_MARKER))
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> Report {
    miette::miette!("cannot {what} {}: {e}", path.display())
}

/// `dbguard install-hook`: writes the pre-commit hook, chaining to an existing one.
pub fn install_hook(force: bool) -> Result<u8, Report> {
    let cwd = std::env::current_dir().map_err(|e| miette::miette!("no current directory: {e}"))?;
    install_hook_in(
        &cwd,
        force,
        &std::env::current_exe().unwrap_or_else(|_| PathBuf::from("dbguard")),
    )
    .map(|message| {
        println!("{message}");
        crate::cli::EXIT_CLEAN
    })
}

/// Installs the hook for the repository at `cwd`; returns what was done.
pub fn install_hook_in(cwd: &Path, force: bool, binary: &Path) -> Result<String, Report> {
    let dir = hooks_dir(cwd)?;
    if dir.components().any(|c| c.as_os_str() == ".husky") && !force {
        return Err(miette::miette!(
            code = "dbguard::husky",
            help = "add `dbguard check --staged` to .husky/pre-commit instead (or pass --force)",
            "the hooks directory is husky's ({}): husky rewrites it",
            dir.display()
        ));
    }
    std::fs::create_dir_all(&dir).map_err(|e| io_err("create", &dir, e))?;
    let hook = dir.join("pre-commit");
    let local = dir.join("pre-commit.local");
    let mut message = format!(
        "installed the dbguard pre-commit hook in {}",
        hook.display()
    );
    if hook.exists() && !is_ours(&hook) {
        if !local.exists() {
            std::fs::rename(&hook, &local).map_err(|e| io_err("move", &hook, e))?;
            message.push_str("; the existing hook is kept as pre-commit.local and runs first");
        } else if force {
            let backup = dir.join("pre-commit.dbguard-backup");
            std::fs::rename(&hook, &backup).map_err(|e| io_err("move", &hook, e))?;
            message.push_str(&format!(
                "; the existing hook was moved to {}",
                backup.display()
            ));
        } else {
            return Err(miette::miette!(
                code = "dbguard::hook-exists",
                help = "merge them by hand, or pass --force to move pre-commit aside (pre-commit.local still runs)",
                "{} exists and so does pre-commit.local: dbguard cannot chain to both",
                hook.display()
            ));
        }
    }
    std::fs::write(&hook, hook_script(binary)).map_err(|e| io_err("write", &hook, e))?;
    make_executable(&hook)?;
    Ok(message)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), Report> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| io_err("chmod", path, e))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), Report> {
    Ok(())
}

/// `dbguard uninstall-hook`: removes dbguard's hook and restores the one it chained to.
pub fn uninstall_hook() -> Result<u8, Report> {
    let cwd = std::env::current_dir().map_err(|e| miette::miette!("no current directory: {e}"))?;
    uninstall_hook_in(&cwd).map(|message| {
        println!("{message}");
        crate::cli::EXIT_CLEAN
    })
}

/// Uninstalls the hook of the repository at `cwd`; returns what was done.
pub fn uninstall_hook_in(cwd: &Path) -> Result<String, Report> {
    let dir = hooks_dir(cwd)?;
    let hook = dir.join("pre-commit");
    if !hook.exists() {
        return Ok("no pre-commit hook is installed".into());
    }
    if !is_ours(&hook) {
        return Err(miette::miette!(
            code = "dbguard::not-our-hook",
            "{} was not written by dbguard; leaving it alone",
            hook.display()
        ));
    }
    std::fs::remove_file(&hook).map_err(|e| io_err("remove", &hook, e))?;
    for previous in ["pre-commit.dbguard-backup", "pre-commit.local"] {
        let p = dir.join(previous);
        if p.exists() {
            std::fs::rename(&p, &hook).map_err(|e| io_err("restore", &p, e))?;
            return Ok(format!(
                "removed the dbguard hook and restored {previous} as pre-commit"
            ));
        }
    }
    Ok("removed the dbguard pre-commit hook".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_paths() {
        assert_eq!(unquote_path(r#""a\"b c""#), "a\"b c");
        assert_eq!(unquote_path("plain/path.sh"), "plain/path.sh");
    }

    #[test]
    fn the_hook_is_marked_and_falls_back_to_the_installed_binary() {
        let s = hook_script(Path::new("/opt/dbguard's/bin/dbguard"));
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains(HOOK_MARKER));
        assert!(s.contains("exec dbguard check --staged"));
        assert!(s.contains("exec '/opt/dbguard'\\''s/bin/dbguard' check --staged"));
    }
}
