use crate::rules::{Category, RuleDoc, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "unused-suppression",
    category: Category::Suppression,
    severity: Severity::Warning,
    summary: "a suppression hides nothing",
    help: "remove the suppression (or move it to the line of the finding it is for)",
    literals: &["dbguard-ignore"],
    doc: RuleDoc {
        what: "A rule named in a `dbguard-ignore` comment that no finding of that rule matches on the line it covers (the comment's own line when code precedes it, else the next line of code), a `dbguard-ignore-file` that matches nothing in the file or is not in the file's first comment block, or a `[[suppress]]` entry that matched a linted file but hid nothing there. An entry whose `path` matches none of the linted files is not judged (a `--staged` run sees only some files).",
        why: "A stale suppression is a loaded gun: the day someone writes a dangerous command on that line, it is silenced without review.",
        example: "# dbguard-ignore dropdb -- the command below used to drop the test database\necho done",
        instead: "Delete the suppression, or put it on (or just above) the line the finding is reported at.",
    },
};
