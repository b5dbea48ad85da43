//! Command-line interface: `dbguard check`, `dbguard rules`, `dbguard explain`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use miette::Report;

use crate::config::Resolver;
use crate::report::{self, Format};
use crate::rules::{self, Severity};
use crate::source::DiskReader;
use crate::walk::{self, WalkOptions};

/// Exit code: nothing at or above --fail-on.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above --fail-on.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, config or fatal error.
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "dbguard",
    version,
    about = "Finds what endangers a production database — in shell, package.json scripts, CI, Makefiles, Dockerfiles and JS/TS — before it runs."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and directories (default: the current directory).
    Check(CheckArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value = "table")]
        format: RulesFormat,
    },
    /// Show a rule's documentation.
    Explain {
        /// A rule id, as listed by `dbguard rules`.
        rule: String,
    },
    /// Record today's findings in a baseline file; `check --baseline FILE` then reports only
    /// findings that are not in it.
    Baseline(BaselineArgs),
    /// Check one command line (from an AI coding agent, a wrapper script): exit 0 when
    /// allowed, 2 when blocked, with the reason on stderr.
    CheckCommand(CheckCommandArgs),
    /// Exit 1 (and say why) when a database URL is production by the config, else 0:
    /// `dbguard check-url "$DATABASE_URL" || exit 1`.
    CheckUrl {
        /// The URL (or bare host) to vet.
        url: String,
        /// Use this config instead of the nearest dbguard.toml.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Install a git pre-commit hook that runs `dbguard check --staged`.
    InstallHook {
        /// Replace a hook that cannot be chained.
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-commit hook that `install-hook` wrote (restoring a chained hook).
    UninstallHook,
}

#[derive(clap::Args, Debug)]
pub struct BaselineArgs {
    /// Files or directories to lint (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Where to write (default: `[baseline] path` of the config, else .dbguard-baseline.json).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Use this config file instead of the nearest dbguard.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Do not honour .gitignore, .ignore and other ignore files.
    #[arg(long)]
    pub no_ignore: bool,
}

#[derive(clap::Args, Debug)]
pub struct CheckCommandArgs {
    /// The command: one argument is a command line; several are an argv. Read from stdin when
    /// absent.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
    /// Read a hook event on stdin instead of a command.
    #[arg(long, value_enum)]
    pub hook: Option<HookProtocol>,
    /// With --hook: print the decision as JSON on stdout (exit 0) instead of exit code 2.
    #[arg(long)]
    pub json: bool,
    /// Use this config instead of the nearest dbguard.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Hook protocols `check-command --hook` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookProtocol {
    /// Claude Code `PreToolUse` events (`tool_name`, `tool_input.command`).
    ClaudeCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to lint (default: the current directory; with --staged or
    /// --changed-since, limits the files to these paths).
    pub paths: Vec<PathBuf>,
    /// Lint what is staged for commit: the files and their content from the git index.
    #[arg(long, conflicts_with_all = ["changed_since", "stdin_filename"])]
    pub staged: bool,
    /// Lint only files changed between REV and the working tree (and untracked files).
    #[arg(long, value_name = "REV", conflicts_with = "stdin_filename")]
    pub changed_since: Option<String>,
    /// With --changed-since: report only findings on lines changed since REV.
    #[arg(long, requires = "changed_since")]
    pub new_only: bool,
    /// Lint standard input as if it were the file PATH (for editors).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human on a terminal,
    /// concise otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Use this config file instead of the nearest dbguard.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Do not honour .gitignore, .ignore and other ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Apply `files.exclude` to files named on the command line too (for pre-commit).
    #[arg(long)]
    pub force_exclude: bool,
    /// Skip (and report) files larger than this many bytes.
    #[arg(long, default_value_t = 2 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// List skipped files.
    #[arg(long, short)]
    pub verbose: bool,
    /// Colored output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
    /// Ignore `dbguard-ignore` comments (a strict CI job); `[[suppress]]` entries still apply.
    #[arg(long)]
    pub no_inline_suppressions: bool,
    /// List the findings that suppressions hid.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Report only findings not recorded in this baseline (see `dbguard baseline`); default:
    /// `[baseline] path` of the config.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

impl CheckArgs {
    /// The arguments of a plain `dbguard check PATHS`.
    fn plain(paths: Vec<PathBuf>, config: Option<PathBuf>, no_ignore: bool) -> CheckArgs {
        CheckArgs {
            paths,
            staged: false,
            changed_since: None,
            new_only: false,
            stdin_filename: None,
            format: None,
            fail_on: FailOn::Error,
            config,
            no_ignore,
            force_exclude: false,
            max_file_size: 2 * 1024 * 1024,
            threads: 0,
            verbose: false,
            color: Color::Never,
            no_inline_suppressions: false,
            show_suppressed: false,
            baseline: None,
        }
    }

    fn walk_options(&self) -> WalkOptions {
        WalkOptions {
            paths: if self.paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                self.paths.clone()
            },
            no_ignore: self.no_ignore,
            force_exclude: self.force_exclude,
            max_file_size: self.max_file_size,
            threads: self.threads,
            inline_suppressions: !self.no_inline_suppressions,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(args),
        Command::Baseline(args) => baseline(args),
        Command::Rules { format } => print_rules(format),
        Command::Explain { rule } => explain(&rule),
        Command::CheckCommand(args) => crate::agent::check_command(&args),
        Command::CheckUrl { url, config } => crate::agent::check_url(&url, config.as_deref()),
        Command::InstallHook { force } => crate::git::install_hook(force),
        Command::UninstallHook => crate::git::uninstall_hook(),
    };
    match code {
        Ok(c) => ExitCode::from(c),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Ignores a closed pipe (`dbguard check | head -1`); other write errors are fatal.
fn output(result: std::io::Result<()>) -> Result<(), Report> {
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(miette::miette!("cannot write output: {e}"))
        }
        _ => Ok(()),
    }
}

fn check(args: CheckArgs) -> Result<u8, Report> {
    let started = Instant::now();
    let cwd = std::env::current_dir()
        .map_err(|e| miette::miette!("cannot read the current directory: {e}"))?;
    let resolver = Resolver::new(args.config.as_deref(), &cwd)?;
    let opts = args.walk_options();
    // Read before linting: a missing or broken baseline is an error, not a slow surprise.
    let baseline_file = match &args.baseline {
        Some(f) => Some(f.clone()),
        None => configured_baseline(&resolver, &cwd)?,
    };
    let baseline = match &baseline_file {
        Some(f) => Some(crate::baseline::load(f)?),
        None => None,
    };
    let mut outcome = collect(&args, &opts, &resolver, &cwd)?;
    let baseline_counts = match (&baseline, &baseline_file) {
        (Some(b), Some(f)) => {
            let got = crate::baseline::filter(&mut outcome.findings, b, f, &outcome.scanned, &cwd);
            Some(report::BaselineCounts {
                baselined: got.baselined,
                stale: got.stale,
            })
        }
        _ => None,
    };
    let stdout_tty = std::io::stdout().is_terminal();
    // In GitHub Actions, annotations (the summary goes to stderr).
    let in_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let format = args.format.unwrap_or(if in_actions {
        Format::Github
    } else if stdout_tty {
        Format::Human
    } else {
        Format::Concise
    });
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none(),
    };
    let run = report::Run {
        findings: &outcome.findings,
        sources: &outcome.sources,
        files_scanned: outcome.files_scanned,
        skipped: &outcome.skipped,
        suppressed: outcome.suppressed.len(),
        suppressed_findings: if args.show_suppressed {
            &outcome.suppressed
        } else {
            &[]
        },
        baseline: baseline_counts,
        duration_ms: started.elapsed().as_millis(),
        color,
        verbose: args.verbose,
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    output(report::render(format, &run, &mut out, &mut err).and_then(|_| out.flush()))?;
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    // A file that could not be linted because of a dbguard bug must not pass as clean.
    let internal_error = outcome
        .skipped
        .iter()
        .any(|s| s.reason.starts_with(walk::INTERNAL_ERROR));
    if internal_error {
        return Ok(EXIT_ERROR);
    }
    let failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| f.severity >= t));
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// `[baseline] path` of the config that applies to the current directory, relative to the
/// config's folder.
fn configured_baseline(
    resolver: &Resolver,
    cwd: &std::path::Path,
) -> Result<Option<PathBuf>, Report> {
    let config = resolver.for_dir(cwd)?;
    Ok(config.baseline.as_ref().map(|p| config.root.join(p)))
}

/// `dbguard baseline`: lints like `check` and writes every finding to the baseline file.
fn baseline(args: BaselineArgs) -> Result<u8, Report> {
    let cwd = std::env::current_dir()
        .map_err(|e| miette::miette!("cannot read the current directory: {e}"))?;
    let resolver = Resolver::new(args.config.as_deref(), &cwd)?;
    let check_args = CheckArgs::plain(args.paths, args.config, args.no_ignore);
    let opts = check_args.walk_options();
    let file = match args.output {
        Some(f) => f,
        None => configured_baseline(&resolver, &cwd)?
            .unwrap_or_else(|| PathBuf::from(crate::baseline::FILE_NAME)),
    };
    let outcome = collect(&check_args, &opts, &resolver, &cwd)?;
    let n = crate::baseline::write(&file, &outcome.findings, &cwd)?;
    eprintln!(
        "dbguard: wrote {n} finding{} to {} ({} files scanned)",
        if n == 1 { "" } else { "s" },
        file.display(),
        outcome.files_scanned
    );
    Ok(EXIT_CLEAN)
}

/// Lints what the arguments select: the walk of PATHS, the staged files, the files changed
/// since a commit, or standard input.
fn collect(
    args: &CheckArgs,
    opts: &WalkOptions,
    resolver: &Resolver,
    cwd: &std::path::Path,
) -> Result<walk::Outcome, Report> {
    let under_paths = |files: Vec<PathBuf>| -> Vec<PathBuf> {
        if args.paths.is_empty() {
            return files;
        }
        let roots: Vec<PathBuf> = args.paths.iter().map(|p| cwd.join(p)).collect();
        files
            .into_iter()
            .filter(|f| roots.iter().any(|r| f.starts_with(r)))
            .collect()
    };
    if args.staged {
        let (files, index) = crate::git::staged(cwd)?;
        return walk::lint_files(&under_paths(files), opts, resolver, &index, cwd);
    }
    if let Some(rev) = &args.changed_since {
        let files = under_paths(crate::git::changed_since(cwd, rev)?);
        let mut outcome = walk::lint_files(&files, opts, resolver, &DiskReader, cwd)?;
        if args.new_only {
            let changed = crate::git::changed_lines(cwd, rev)?;
            outcome
                .findings
                .retain(|f| match changed.get(&cwd.join(&f.path)) {
                    Some(None) => true, // untracked: every line is new
                    Some(Some(ranges)) => ranges.iter().any(|r| r.contains(&f.start.line)),
                    None => false,
                });
            let findings = &outcome.findings;
            outcome
                .sources
                .retain(|s| findings.iter().any(|f| f.path == s.display));
        }
        return Ok(outcome);
    }
    if let Some(path) = &args.stdin_filename {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| miette::miette!("cannot read standard input: {e}"))?;
        return walk::lint_stdin(path, bytes, opts, resolver, cwd, args.force_exclude);
    }
    walk::run(opts, resolver, &DiskReader, cwd)
}

/// The README's rule table (kept in sync by a test).
pub fn rules_markdown() -> String {
    let mut s =
        String::from("| Rule | Category | Default | What it catches |\n|---|---|---|---|\n");
    for m in rules::all_rules().filter(|m| !m.id.starts_with("squawk/")) {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            m.id,
            m.category.as_str(),
            m.severity.as_str(),
            m.summary.replace('|', "\\|")
        ));
    }
    let squawk = rules::migration_safety::squawk::metas();
    let on = squawk.iter().filter(|m| !rules::is_opt_in(m.id)).count();
    s.push_str(&format!(
        "| `squawk/*` | migration-safety | warning | squawk's {} migration rules on migration files ({on} on by default; `dbguard rules` lists them) |\n",
        squawk.len()
    ));
    s
}

fn print_rules(format: RulesFormat) -> Result<u8, Report> {
    let text = match format {
        RulesFormat::Markdown => rules_markdown(),
        RulesFormat::Json => {
            let list: Vec<_> = rules::all_rules()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id,
                        "category": m.category.as_str(),
                        "severity": m.severity.as_str(),
                        "summary": m.summary,
                        "help": m.help,
                        "default_enabled": !rules::is_opt_in(m.id),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).expect("serializable") + "\n"
        }
        RulesFormat::Table => {
            let width = rules::all_rules().map(|m| m.id.len()).max().unwrap_or(0);
            let mut s = format!(
                "{:width$}  {:19}  {:8}  {}\n",
                "RULE", "CATEGORY", "SEVERITY", "SUMMARY"
            );
            for m in rules::all_rules() {
                let opt_in = if rules::is_opt_in(m.id) {
                    " (off unless enabled)"
                } else {
                    ""
                };
                s.push_str(&format!(
                    "{:width$}  {:19}  {:8}  {}{opt_in}\n",
                    m.id,
                    m.category.as_str(),
                    m.severity.as_str(),
                    m.summary
                ));
            }
            s
        }
    };
    output(std::io::stdout().lock().write_all(text.as_bytes()))?;
    Ok(EXIT_CLEAN)
}

fn explain(id: &str) -> Result<u8, Report> {
    let Some(meta) = rules::find_rule(id) else {
        let ids: Vec<&str> = rules::all_rules().map(|m| m.id).collect();
        let close: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|i| i.contains(id) || id.contains(*i))
            .collect();
        let help = if close.is_empty() {
            "run `dbguard rules` for the list of rule ids".to_string()
        } else {
            format!("did you mean: {}?", close.join(", "))
        };
        return Err(miette::miette!(
            code = "dbguard::unknown-rule",
            help = help,
            "unknown rule `{id}`"
        ));
    };
    output(
        std::io::stdout()
            .lock()
            .write_all(rules::render_doc(meta).as_bytes()),
    )?;
    Ok(EXIT_CLEAN)
}
