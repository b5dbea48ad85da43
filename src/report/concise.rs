//! `PATH:LINE:COL: SEVERITY [RULE] MESSAGE`, one line per finding, for editor problem matchers.

use std::io::{self, Write};

use super::Run;

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    for f in run.findings {
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            // One finding, one line: a line break in a file name is written as `\n`.
            f.path.replace('\n', "\\n").replace('\r', "\\r"),
            f.start.line,
            f.start.column,
            f.severity.as_str(),
            f.rule,
            f.message.replace(['\n', '\r'], " ")
        )?;
    }
    Ok(())
}
