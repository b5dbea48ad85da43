use super::verdict;
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::{classify_host, classify_value, from_class, resolve, Target};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "mongo-drop-database",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`mongosh`/`mongo` running `dropDatabase()`",
    help: "pin the connection string to localhost in the same command, and keep drops out of shared scripts",
    literals: &["dropdatabase"],
    doc: RuleDoc {
        what: "`mongosh` or the legacy `mongo` shell whose `--eval` script, arguments or heredoc/here-string input calls `dropDatabase()`. Error with a remote or dynamic connection string; warning without one (the default is `mongodb://127.0.0.1:27017`, but scripts also run on servers); info with a local one.",
        why: "`db.dropDatabase()` deletes the current database with all its collections, immediately. A connection string from the environment makes the same script drop production.",
        example: "mongosh \"$MONGODB_URI\" --eval 'db.dropDatabase()'",
        instead: "Use a dedicated test database pinned in the command (`mongosh mongodb://localhost:27017/app_test --eval …`), or drop collections your test created.",
    },
};

/// `dropDatabase(` outside JavaScript comments.
fn calls_drop(script: &str) -> bool {
    let mut code = String::with_capacity(script.len());
    let mut rest = script;
    while !rest.is_empty() {
        let line = rest.find("//").map(|i| (i, true));
        let block = rest.find("/*").map(|i| (i, false));
        match [line, block].into_iter().flatten().min() {
            Some((i, true)) => {
                code.push_str(&rest[..i]);
                rest = rest[i..].find('\n').map_or("", |j| &rest[i + j..]);
            }
            Some((i, false)) => {
                code.push_str(&rest[..i]);
                rest = rest[i + 2..]
                    .find("*/")
                    .map_or("", |j| &rest[i + 2 + j + 2..]);
            }
            None => {
                code.push_str(rest);
                rest = "";
            }
        }
    }
    code.contains("dropDatabase(")
}

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if !matches!(cmd.program(), "mongosh" | "mongo") {
            return None;
        }
        let drops = cmd.args().iter().any(|w| calls_drop(&w.text))
            || cmd.stdin_text().is_some_and(calls_drop);
        if !drops {
            return None;
        }
        let uri = cmd
            .positionals()
            .find(|p| p.contains("://") || p.contains('$'))
            .map(str::to_string)
            .or_else(|| cmd.flag_text("--host").map(|(v, _)| v.to_string()));
        let (target, severity) = match uri {
            None => (
                Target::Unpinned(
                    "no connection string: the default is 127.0.0.1, unless this runs on a server"
                        .into(),
                ),
                Severity::Warning,
            ),
            Some(u) => {
                let resolved = resolve(cmd, &u);
                let class = if resolved.contains("://") {
                    classify_value(resolved)
                } else {
                    classify_host(resolved)
                };
                let t = from_class(class, "the connection string", &u).unwrap_or_else(|| {
                    Target::Unpinned(format!("the connection string comes from `{u}`"))
                });
                (t, META.severity)
            }
        };
        Some(verdict(cmd, severity, "drops the database", &target))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::expect;
    use super::*;
    use Severity::*;

    #[test]
    fn cases() {
        expect(
            &Rule,
            &[
                ("mongosh \"$MONGODB_URI\" --eval 'db.dropDatabase()'", Some(Error)),
                ("mongo mongodb+srv://u:p@cluster0.abc.mongodb.net/app --eval \"db.dropDatabase()\"", Some(Error)),
                ("mongosh <<EOF\nuse app\ndb.dropDatabase()\nEOF", Some(Warning)),
                ("mongosh mongodb://localhost:27017/app --eval 'db.dropDatabase()'", Some(Info)),
                ("MONGODB_URI=mongodb://localhost/app_test; mongosh \"$MONGODB_URI\" --eval 'db.dropDatabase()'", Some(Info)),
                ("mongosh \"$MONGODB_URI\" --eval 'db.stats()'", None),
                ("mongodump --uri \"$MONGODB_URI\"", None),
                ("echo 'db.dropDatabase()' > notes.js", None),
                ("mongosh \"$MONGO_URL\" --eval '/* db.dropDatabase() */ db.stats()'", None),
                ("mongosh \"$MONGO_URL\" --quiet <<JS\n// db.dropDatabase() is disabled here\ndb.sessions.deleteMany({})\nJS", None),
            ],
        );
    }
}
