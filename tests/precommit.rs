//! The pre-commit hook (`.pre-commit-hooks.yaml`), exercised the way a user of pre-commit
//! would: a throwaway git repository whose `.pre-commit-config.yaml` points at this
//! repository, `pre-commit install`, then real `git commit`s and `pre-commit run`s.
//!
//! pre-commit clones the hook repository at `rev` and `cargo install`s it, so this test
//! exercises the **committed HEAD** of this repository, not the working tree: uncommitted
//! changes to `.pre-commit-hooks.yaml` or to the sources are not seen until they are committed.
//!
//! Everything slow is cached under cargo's `target/tmp` (`CARGO_TARGET_TMPDIR`):
//! - `precommit-venv`: a virtualenv holding `pre-commit` from PyPI;
//! - `precommit-home`: `PRE_COMMIT_HOME`, pre-commit's store of cloned repositories and their
//!   built hook environments (keyed by repository and rev: a new commit means a new build);
//! - `precommit-cargo-target`: the `CARGO_TARGET_DIR` of those builds, so a build for a new
//!   commit reuses the compiled dependencies and only recompiles dbguard itself.
//!
//! Cold (nothing cached) the hook build is a release `cargo install` of dbguard, a few
//! minutes; warm the test takes a few seconds. Without python3 (with venv and pip), git, or
//! network access the test prints why and passes as skipped.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The repository under test (this crate's root, a git checkout).
const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Where the caches live: cargo's scratch directory for integration tests.
const CACHE: &str = env!("CARGO_TARGET_TMPDIR");

/// A dangerous `package.json`: an unpinned `prisma migrate reset`.
const BAD_PACKAGE_JSON: &str = r#"{
  "name": "app",
  "scripts": {
    "db:reset": "prisma migrate reset --force"
  }
}
"#;

/// A clean `package.json`: `migrate deploy` only applies reviewed migrations.
const GOOD_PACKAGE_JSON: &str = r#"{
  "name": "app",
  "scripts": {
    "db:deploy": "prisma migrate deploy"
  }
}
"#;

/// Documentation may name the dangerous command: Markdown is not linted.
const README: &str = "# app\n\nNever run `prisma migrate reset` against production.\n";

/// Git variables that would redirect git commands away from the temp repository (set when
/// the tests themselves run inside a git hook, for example).
const GIT_REDIRECTS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
];

/// How a finished command ended.
struct Out {
    /// `None` when killed by a signal.
    code: Option<i32>,
    /// stdout then stderr, for messages and assertions.
    text: String,
}

impl Out {
    fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `cmd` with its output captured, killing it after `limit` so that a stuck build or
/// network call cannot hang the test suite. Output goes to files (not pipes) so a chatty
/// child can never block on a full pipe while we poll.
fn run(cmd: &mut Command, limit: Duration) -> Result<Out, String> {
    let scratch = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let out_path = scratch.path().join("stdout");
    let err_path = scratch.path().join("stderr");
    let file = |p: &Path| fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(file(&out_path)?)
        .stderr(file(&err_path)?)
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        sleep(Duration::from_millis(50));
    };
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
    Ok(Out {
        code: status.code(),
        text: format!("{}{}", read(&out_path), read(&err_path)),
    })
}

/// Whether `program --version` runs.
fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The last `n` lines of `text`, for short skip and failure messages.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Reports why the test does not run, on stderr and stdout (whichever the runner shows).
fn skip(reason: &str) {
    eprintln!("skipping: {reason}");
    println!("skipping: {reason}");
}

/// The virtualenv's python, which runs pre-commit as `python -m pre_commit`.
fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// Whether `python -m pre_commit` works.
fn has_pre_commit(python: &Path) -> bool {
    Command::new(python)
        .args(["-m", "pre_commit", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A python with pre-commit installed, made once and reused: `Err` says why there is none.
///
/// The virtualenv is built in a directory of its own and renamed into place, so two test
/// runs at once never see a half-installed one. Renaming a virtualenv breaks the shebangs of
/// its scripts (`bin/pre-commit`) but not its python, which finds the environment through
/// the `pyvenv.cfg` beside it; that is why pre-commit is always run as `python -m pre_commit`.
fn pre_commit_python() -> Result<PathBuf, String> {
    let venv = Path::new(CACHE).join("precommit-venv");
    if has_pre_commit(&venv_python(&venv)) {
        return Ok(venv_python(&venv));
    }
    if !available("python3") {
        return Err("python3 is not installed".into());
    }
    let staging = Path::new(CACHE).join(format!("precommit-venv.{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let made = run(
        Command::new("python3").arg("-m").arg("venv").arg(&staging),
        Duration::from_secs(120),
    )?;
    if !made.ok() {
        let _ = fs::remove_dir_all(&staging);
        return Err(format!(
            "`python3 -m venv` failed (is python3-venv installed?):\n{}",
            tail(&made.text, 5)
        ));
    }
    let pip = run(
        Command::new(venv_python(&staging)).args(["-m", "pip", "install", "--quiet", "pre-commit"]),
        Duration::from_secs(300),
    )?;
    if !pip.ok() {
        let _ = fs::remove_dir_all(&staging);
        return Err(format!(
            "`pip install pre-commit` failed (no network?):\n{}",
            tail(&pip.text, 5)
        ));
    }
    // A broken leftover (say, its base python was upgraded away) is replaced; if another run
    // has just put a working one in place, ours is dropped and theirs used.
    if !has_pre_commit(&venv_python(&venv)) {
        let _ = fs::remove_dir_all(&venv);
    }
    if fs::rename(&staging, &venv).is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    if has_pre_commit(&venv_python(&venv)) {
        Ok(venv_python(&venv))
    } else {
        Err(format!("no working pre-commit in {}", venv.display()))
    }
}

/// Runs git, pre-commit and the hooks with one environment:
/// - git configuration isolated from the machine's (a global `core.hooksPath` makes
///   `pre-commit install` refuse, `commit.gpgsign` would need a key);
/// - `PRE_COMMIT_HOME` and `CARGO_TARGET_DIR` in the cache;
/// - the cargo running this test first on `PATH`, see [`cargo_bin_dir`].
struct Env {
    /// The temp repository (the working directory of every command).
    repo: PathBuf,
    python: PathBuf,
    gitconfig: PathBuf,
    path: std::ffi::OsString,
}

impl Env {
    fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        c.current_dir(&self.repo)
            .env("GIT_CONFIG_GLOBAL", &self.gitconfig)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PRE_COMMIT_HOME", Path::new(CACHE).join("precommit-home"))
            .env(
                "CARGO_TARGET_DIR",
                Path::new(CACHE).join("precommit-cargo-target"),
            )
            .env("PATH", &self.path)
            .env("NO_COLOR", "1")
            .env("PRE_COMMIT_COLOR", "never")
            .env_remove("GITHUB_ACTIONS");
        for v in GIT_REDIRECTS {
            c.env_remove(v);
        }
        c
    }

    /// `git ARGS` in the temp repository; panics unless it succeeds.
    fn git(&self, args: &[&str]) -> Out {
        let o = run(self.command("git").args(args), Duration::from_secs(60)).unwrap();
        assert!(o.ok(), "git {args:?} failed:\n{}", o.text);
        o
    }

    /// `git commit -m MSG`, which runs the installed pre-commit hook.
    fn commit(&self, msg: &str) -> Out {
        run(
            self.command("git").args(["commit", "-m", msg]),
            Duration::from_secs(300),
        )
        .unwrap()
    }

    /// `pre-commit ARGS`.
    fn pre_commit(&self, args: &[&str], limit: Duration) -> Out {
        run(
            self.command(&self.python)
                .args(["-m", "pre_commit"])
                .args(args),
            limit,
        )
        .unwrap()
    }

    fn write(&self, name: &str, text: &str) {
        fs::write(self.repo.join(name), text).unwrap();
    }

    /// The commit count on HEAD (0 before the first commit).
    fn commits(&self) -> usize {
        let o = run(
            self.command("git").args(["rev-list", "--count", "HEAD"]),
            Duration::from_secs(60),
        )
        .unwrap();
        if o.ok() {
            o.text.trim().parse().unwrap()
        } else {
            0
        }
    }
}

/// The directory of the cargo that runs this test, put first on `PATH` for pre-commit.
///
/// pre-commit's `language: rust` uses the machine's toolchain only when `cargo --version`
/// works (`language_version: system`); otherwise it downloads rustup and a whole stable
/// toolchain into the hook environment. Putting the cargo that builds this test (cargo sets
/// `CARGO` for the tests it runs; with rustup it is the toolchain's own binary, next to
/// `rustc`) first on `PATH` makes that check pass even where `cargo` is not on the ambient
/// `PATH`, and the config also says `language_version: system` so a failed check is an
/// error here instead of a toolchain download.
fn cargo_bin_dir() -> Option<PathBuf> {
    let cargo = std::env::var_os("CARGO").or_else(|| option_env!("CARGO").map(Into::into))?;
    Some(Path::new(&cargo).parent()?.to_path_buf())
}

/// Whether a failed hook install failed for lack of network: pre-commit's `cargo install`
/// (without `--locked`) updates the crates.io index and downloads what is not cached.
fn network_failure(text: &str) -> bool {
    [
        "Could not resolve host",
        "failed to query replaced source registry",
        "failed to download",
        "failed to update registry",
        "network failure",
        "Couldn't resolve host",
        "spurious network error",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

#[test]
fn pre_commit_hook_refuses_a_dangerous_commit() {
    let started = Instant::now();
    if !available("git") {
        return skip("git is not installed");
    }
    // The hook source: this repository at its committed HEAD.
    let head = Command::new("git")
        .args(["-C", REPO, "rev-parse", "HEAD"])
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .unwrap();
    if !head.status.success() {
        return skip(&format!("{REPO} is not a git checkout with a commit"));
    }
    let rev = String::from_utf8(head.stdout).unwrap().trim().to_owned();
    let python = match pre_commit_python() {
        Ok(p) => p,
        Err(reason) => return skip(&reason),
    };
    eprintln!("pre-commit ready after {:.1?}", started.elapsed());

    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    fs::create_dir(&repo).unwrap();
    // A private global git config: nothing from the machine's leaks in. `safe.directory` lets
    // pre-commit clone this repository even when it belongs to another user.
    let gitconfig = tmp.path().join("gitconfig");
    fs::write(
        &gitconfig,
        format!("[init]\n\tdefaultBranch = main\n[safe]\n\tdirectory = {REPO}\n"),
    )
    .unwrap();
    let mut paths: Vec<PathBuf> = cargo_bin_dir().into_iter().collect();
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let env = Env {
        repo,
        python,
        gitconfig,
        path: std::env::join_paths(paths).unwrap(),
    };

    env.git(&["init", "--quiet"]);
    env.git(&["config", "user.name", "dbguard test"]);
    env.git(&["config", "user.email", "dbguard-test@example.com"]);
    env.git(&["config", "commit.gpgsign", "false"]);
    env.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {REPO:?}\n    rev: {rev}\n    hooks:\n      - id: dbguard\n        \
             language_version: system\n"
        ),
    );
    // pre-commit refuses to run while its config is unstaged.
    env.git(&["add", ".pre-commit-config.yaml"]);

    // Install the git hook and build the hook environment now (cold: a release
    // `cargo install` of dbguard at `rev`), so that a build failure is reported as such and
    // not as a failed commit.
    let install = env.pre_commit(
        &["install", "--install-hooks"],
        Duration::from_secs(20 * 60),
    );
    if !install.ok() {
        let log = fs::read_to_string(Path::new(CACHE).join("precommit-home/pre-commit.log"))
            .unwrap_or_default();
        if network_failure(&install.text) || network_failure(&log) {
            return skip(&format!(
                "building the hook needs crates.io:\n{}",
                tail(&log, 10)
            ));
        }
        panic!("pre-commit install failed:\n{}\n{log}", install.text);
    }
    eprintln!("hook installed after {:.1?}", started.elapsed());

    // A dangerous commit is refused and the output names the rule.
    env.write("package.json", BAD_PACKAGE_JSON);
    env.git(&["add", "package.json"]);
    let bad = env.commit("add db:reset");
    eprintln!("refused commit:\n{}", bad.text.trim_end());
    assert!(!bad.ok(), "commit was not refused:\n{}", bad.text);
    assert!(
        bad.text.contains("prisma-migrate-reset"),
        "rule not named:\n{}",
        bad.text
    );
    assert!(
        bad.text.contains("package.json:4:18"),
        "finding position not shown:\n{}",
        bad.text
    );
    assert_eq!(env.commits(), 0, "the refused commit was made");

    // `pre-commit run --files` on the dangerous file fails the same way.
    let run_bad = env.pre_commit(
        &["run", "--files", "package.json"],
        Duration::from_secs(120),
    );
    assert!(!run_bad.ok(), "pre-commit run passed:\n{}", run_bad.text);
    assert!(
        run_bad.text.contains("prisma-migrate-reset"),
        "{}",
        run_bad.text
    );

    // A clean commit passes, even with documentation that names the dangerous command.
    env.git(&["rm", "--cached", "--quiet", "package.json"]);
    env.write("package.json", GOOD_PACKAGE_JSON);
    env.write("README.md", README);
    env.git(&["add", "package.json", "README.md"]);
    let good = env.commit("add db:deploy");
    assert!(good.ok(), "clean commit refused:\n{}", good.text);
    assert!(
        good.text.contains("dbguard"),
        "hook did not run:\n{}",
        good.text
    );
    assert_eq!(env.commits(), 1);

    // And the whole clean tree passes.
    let all = env.pre_commit(&["run", "--all-files"], Duration::from_secs(120));
    assert!(all.ok(), "pre-commit run --all-files failed:\n{}", all.text);
    assert!(all.text.contains("Passed"), "{}", all.text);

    // Each rev of this repository gets its own clone in PRE_COMMIT_HOME; drop the clones of
    // earlier revs (no longer named by any live config) so the cache does not grow with
    // every commit. Best effort: the result does not matter to the test.
    let _ = env.pre_commit(&["gc"], Duration::from_secs(60));

    eprintln!("pre-commit test done in {:.1?}", started.elapsed());
}
