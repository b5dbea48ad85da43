//! GitHub Actions workflow commands: `::error file=…,line=…::message` annotations.

use std::io::{self, Write};

use super::Run;
use crate::rules::Severity;

/// Escapes a command's message (the toolkit's `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (the toolkit's `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    for f in run.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&f.path),
            f.start.line,
            f.start.column,
            f.end.line,
            f.end.column,
            escape_property(&format!("dbguard {}", f.rule)),
            escape_data(&format!("{}\nhelp: {}", f.message, f.help)),
        )?;
    }
    for s in run.skipped {
        let command = match s.kind() {
            "internal-error" => "error",
            _ => "warning",
        };
        writeln!(
            out,
            "::{command} file={},title={}::{}",
            escape_property(&s.path),
            escape_property(&format!("dbguard {}", s.kind())),
            escape_data(&format!(
                "dbguard did not lint this file fully: {}",
                s.reason
            )),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
