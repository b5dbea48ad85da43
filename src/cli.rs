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
    /// Files or directories to lint.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format (default: human on a terminal, concise otherwise).
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
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(args),
        Command::Rules { format } => print_rules(format),
        Command::Explain { rule } => explain(&rule),
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
    let opts = WalkOptions {
        paths: args.paths.clone(),
        no_ignore: args.no_ignore,
        force_exclude: args.force_exclude,
        max_file_size: args.max_file_size,
        threads: args.threads,
    };
    let outcome = walk::run(&opts, &resolver, &DiskReader, &cwd)?;
    let stdout_tty = std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if stdout_tty {
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
        suppressed: 0,
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
    let failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| f.severity >= t));
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// The README's rule table (kept in sync by a test).
pub fn rules_markdown() -> String {
    let mut s =
        String::from("| Rule | Category | Default | What it catches |\n|---|---|---|---|\n");
    for m in rules::all_rules() {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            m.id,
            m.category.as_str(),
            m.severity.as_str(),
            m.summary.replace('|', "\\|")
        ));
    }
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
                s.push_str(&format!(
                    "{:width$}  {:19}  {:8}  {}\n",
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
