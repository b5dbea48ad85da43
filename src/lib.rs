//! dbguard: a linter that finds what endangers a production database before it runs.
//!
//! Pipeline (one module per stage): [`walk`] discovers files → [`lang`] classifies them →
//! [`fragment`] extracts the shell code they hold → [`shell`] turns it into normalized
//! commands → [`rules`] analyze them → [`report`] renders the findings. [`engine`] ties the
//! per-file stages together; [`config`] reads `dbguard.toml`.

pub mod agent;
pub mod cli;
pub mod config;
pub mod engine;
pub mod finding;
pub mod fragment;
pub mod git;
pub mod lang;
pub mod report;
pub mod rules;
pub mod shell;
pub mod source;
pub mod sql;
pub mod target;
pub mod walk;
