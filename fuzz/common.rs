//! What every fuzz target checks besides "no panic": everything a run reports points inside
//! the input.

use std::sync::Arc;

use dbguard::config::Config;
use dbguard::fragment::{Body, Fragment};
use dbguard::lang::FileKind;
use dbguard::source::SourceFile;

/// Runs `f`. The dbguard binary gives its threads a 1 GiB stack (deep SQL nests deeply in the
/// parser); `fuzz/run.sh` raises the main thread's stack limit (`ulimit -s`) to match, which
/// costs nothing per input, unlike a thread per input.
pub fn with_big_stack(f: impl FnOnce()) {
    f()
}

fn config() -> &'static Config {
    static CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    CONFIG.get_or_init(|| Config::default_at(".".into()))
}

/// Fragments and the commands in them stay inside the host text.
pub fn check_fragments(host: &str, fragments: &[Fragment]) {
    let len = host.len();
    for f in fragments {
        assert!(f.span.start <= f.span.end && f.span.end <= len, "fragment span {:?}", f.span);
        if let Body::Shell { text, map } = &f.body {
            let r = map.range_to_host(0..text.len());
            assert!(r.end <= len, "fragment map {r:?} past {len}");
        }
        for cmd in dbguard::shell::commands(f) {
            assert!(cmd.span.end <= len, "command span {:?} past {len}", cmd.span);
            for w in &cmd.argv {
                assert!(w.span.end <= len, "word span {:?} past {len}", w.span);
            }
        }
    }
}

/// Lints `text` as a file of `kind` at `path` and checks every finding's position.
pub fn lint_and_check(path: &str, kind: FileKind, text: &str) {
    let source = SourceFile::new(path.to_string(), path.into(), Arc::from(text));
    let lint = dbguard::engine::lint(&source, kind, config());
    for f in &lint.findings {
        assert!(f.span.start <= f.span.end && f.span.end <= text.len(), "span {:?}", f.span);
        assert!(text.is_char_boundary(f.span.start) || f.span.start == text.len());
        let at = source.line_col(f.span.start);
        assert_eq!((at.line, at.column), (f.start.line, f.start.column));
        assert!(f.start.line >= 1 && f.start.column >= 1);
        assert!(!f.rule.is_empty() && !f.message.is_empty());
    }
}
