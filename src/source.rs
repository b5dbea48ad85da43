//! Source files: reading (behind one interface, so that git-index content can replace disk
//! content later) and byte-offset → line/column conversion.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Where file contents come from. The walker and the engine only ever read through this.
pub trait FileReader: Send + Sync {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;

    /// The first bytes of a file (enough for a shebang line).
    fn head(&self, path: &Path) -> Option<Vec<u8>> {
        let mut bytes = self.read(path).ok()?;
        bytes.truncate(256);
        Some(bytes)
    }
}

/// Reads files from disk.
pub struct DiskReader;

impl FileReader for DiskReader {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn head(&self, path: &Path) -> Option<Vec<u8>> {
        use std::io::Read;
        let mut buf = vec![0u8; 256];
        let n = std::fs::File::open(path).ok()?.read(&mut buf).ok()?;
        buf.truncate(n);
        Some(buf)
    }
}

/// One host file's text plus a line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as shown to the user (relative to the current directory, `/`-separated).
    pub display: String,
    /// Path used to open the file.
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Built on first use: most files have no finding and never need it.
    line_starts: OnceLock<Vec<usize>>,
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(display: String, path: PathBuf, text: Arc<str>) -> Self {
        SourceFile {
            display,
            path,
            text,
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            let bytes = self.text.as_bytes();
            for (i, &b) in bytes.iter().enumerate() {
                // A lone CR also ends a line; CRLF ends one line.
                if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                    starts.push(i + 1);
                }
            }
            starts
        })
    }

    /// Converts a byte offset into a 1-based line and character column.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let starts = self.line_starts();
        let line_idx = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = starts[line_idx];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line_idx + 1,
            column,
        }
    }

    /// How many lines the text has.
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// The byte offset where the 1-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts()[line - 1]
    }

    /// The text of the 1-based line `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let starts = self.line_starts();
        let start = starts[line - 1];
        let end = starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// `path` made absolute against `cwd` with `.` and `..` resolved by text (`cwd/../x` is
/// `x`'s real folder), so that configs and globs are looked up where the file is.
pub fn absolute(path: &std::path::Path, cwd: &std::path::Path) -> PathBuf {
    use std::path::Component;
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(t: &str) -> SourceFile {
        SourceFile::new("f".into(), "f".into(), t.into())
    }

    #[test]
    fn absolute_resolves_dots_by_text() {
        let cwd = std::path::Path::new("/repo/app");
        assert_eq!(
            absolute("../lib/x.sh".as_ref(), cwd),
            PathBuf::from("/repo/lib/x.sh")
        );
        assert_eq!(
            absolute("./a/./b".as_ref(), cwd),
            PathBuf::from("/repo/app/a/b")
        );
        assert_eq!(absolute("/etc/../tmp".as_ref(), cwd), PathBuf::from("/tmp"));
    }

    #[test]
    fn line_col_counts_chars_and_handles_crlf_and_cr() {
        let s = src("ab\r\nçé x\ry");
        assert_eq!(s.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(s.line_col(4), LineCol { line: 2, column: 1 });
        // "çé " is 5 bytes, 3 chars: 'x' is column 4.
        assert_eq!(s.line_col(9), LineCol { line: 2, column: 4 });
        assert_eq!(s.line_col(11), LineCol { line: 3, column: 1 });
        assert_eq!(s.line_text(2), "çé x");
    }
}
