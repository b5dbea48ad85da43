use super::verdict;
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::{classify_host, classify_value, from_class, resolve, Target};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "redis-flush",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`redis-cli FLUSHALL`/`FLUSHDB` deletes every key",
    help: "delete only your own keys (`redis-cli --scan --pattern 'app:cache:*' | xargs redis-cli unlink`) or pin `-h localhost`",
    literals: &["flushall", "flushdb"],
    doc: RuleDoc {
        what: "`redis-cli … FLUSHALL` or `FLUSHDB` (any case). Error with a remote or dynamic `-h`/`-u`; warning with no host (the default is 127.0.0.1, but scripts run on servers too); info with `-h localhost`/`127.0.0.1`.",
        why: "`FLUSHALL` deletes every key of every database of the Redis server; `FLUSHDB` every key of the selected one. Sessions, queues, rate limits and caches that other services share go with it.",
        example: "redis-cli -u \"$REDIS_URL\" flushall",
        instead: "Delete keys by prefix with `SCAN` + `UNLINK`, or use a separate Redis database/instance for tests and pin it in the command.",
    },
};

/// `redis-cli --cluster call HOST:PORT FLUSHALL`: the node after `call`.
fn cluster_node(cmd: &Command) -> Option<&str> {
    let args = cmd.args();
    let i = args.iter().position(|w| w.text == "--cluster")?;
    (args.get(i + 1)?.text == "call").then(|| args.get(i + 2).map(|w| w.text.as_str()))?
}

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "redis-cli" {
            return None;
        }
        let is_flush =
            |w: &str| w.eq_ignore_ascii_case("flushall") || w.eq_ignore_ascii_case("flushdb");
        // The command is an argument, or comes on stdin (`<<EOF`, `<<<`).
        let from_stdin = || cmd.stdin_text()?.split_whitespace().find(|w| is_flush(w));
        let op = cmd
            .positionals()
            .find(|p| is_flush(p))
            .or_else(from_stdin)?;
        let op = op.to_ascii_uppercase();
        let target = if let Some((u, _)) = cmd.flag_text("-u") {
            Some(
                from_class(classify_value(resolve(cmd, u)), "-u", u)
                    .unwrap_or_else(|| Target::Unpinned(format!("-u comes from `{u}`"))),
            )
        } else if cmd.has_flag("-s") {
            Some(Target::Local("-s connects through a local socket".into()))
        } else if let Some(node) = cluster_node(cmd) {
            from_class(
                classify_host(node.split(':').next().unwrap_or(node)),
                "--cluster call",
                node,
            )
        } else {
            cmd.flag_text("-h")
                .and_then(|(h, _)| from_class(classify_host(resolve(cmd, h)), "-h", h))
        };
        let effect = format!("deletes every key ({op})");
        Some(match target {
            Some(t) => verdict(cmd, META.severity, &effect, &t),
            None => verdict(
                cmd,
                Severity::Warning,
                &effect,
                &Target::Unpinned(
                    "no host: the default is 127.0.0.1, unless this runs on a server".into(),
                ),
            ),
        })
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
                ("redis-cli -u \"$REDIS_URL\" flushall", Some(Error)),
                ("redis-cli -h cache.prod.internal FLUSHDB", Some(Error)),
                (
                    "redis-cli -u rediss://default:pw@eu1-x.upstash.io:6379 FLUSHALL",
                    Some(Error),
                ),
                ("redis-cli flushall", Some(Warning)),
                ("redis-cli -h localhost flushall", Some(Info)),
                ("redis-cli -h 127.0.0.1 -p 6380 flushdb", Some(Info)),
                ("redis-cli ping", None),
                (
                    "redis-cli -h cache.prod.internal <<EOF\nFLUSHDB\nEOF",
                    Some(Error),
                ),
                (
                    "redis-cli --cluster call cache.prod.internal:6379 FLUSHALL",
                    Some(Error),
                ),
                ("redis-cli -s /var/run/redis.sock flushall", Some(Info)),
                ("redis-cli --scan --pattern 'cache:*'", None),
                ("echo flushall", None),
            ],
        );
    }
}
