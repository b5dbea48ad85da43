//! The human report: each finding with its source lines, label and help (miette), then a
//! summary line.

use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
};

use super::Run;
use crate::rules::Severity;

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let theme = if run.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(100);
    for f in run.findings {
        let severity = match f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        };
        let diag = MietteDiagnostic::new(f.message.clone())
            .with_code(format!("{}({})", f.severity.as_str(), f.rule))
            .with_severity(severity)
            .with_help(f.help.clone())
            .with_label(LabeledSpan::at(f.span.clone(), f.category.as_str()));
        let source = run.sources.iter().find(|s| s.display == f.path);
        let report = match source {
            Some(s) => {
                Report::new(diag).with_source_code(NamedSource::new(&f.path, s.text.to_string()))
            }
            None => Report::new(diag),
        };
        let mut text = String::new();
        if handler.render_report(&mut text, report.as_ref()).is_err() {
            text = format!(
                "{}:{}:{}: {}\n",
                f.path, f.start.line, f.start.column, f.message
            );
        }
        writeln!(out, "{text}")?;
    }
    for line in run.suppressed_lines() {
        writeln!(out, "{line}")?;
    }
    for line in run.skipped_lines() {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", run.summary_line())
}
