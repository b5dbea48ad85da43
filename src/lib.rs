//! dbguard: a linter that finds what endangers a production database before it runs.
//!
//! Pipeline (one module per stage): [`walk`] discovers files → [`lang`] classifies them →
//! [`fragment`] extracts the shell code and SQL they hold → [`shell`] turns shell into
//! normalized commands and [`sql`] parses SQL → [`rules`] analyze them → [`project`] runs the
//! rules that need every file → [`report`] renders the findings. [`engine`] ties the per-file
//! stages together; [`config`] reads `dbguard.toml`.

pub mod agent;
pub mod baseline;
pub mod budget;
pub mod cli;
pub mod config;
pub mod engine;
pub mod finding;
pub mod fragment;
pub mod git;
pub mod lang;
pub mod project;
pub mod report;
pub mod rules;
pub mod shell;
pub mod source;
pub mod sql;
pub mod suppress;
pub mod target;
pub mod walk;
