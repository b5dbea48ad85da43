//! Command normalization: peel the wrappers that only change *how* a program is started
//! (`npx`, `pnpm exec`, `dotenv -e f --`, `cross-env`, `sudo`, …) so that rules see the argv of
//! the program that really runs, with the environment the wrappers gave it.

use super::words::Word;

/// A command after wrapper peeling.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    pub argv: Vec<Word>,
    /// Inline environment: `VAR=value` prefixes and assignments given to `env`/`cross-env`.
    pub env: Vec<(String, Word)>,
    /// Env files loaded by a wrapper (`dotenv -e FILE`, `--env-file FILE`).
    pub env_files: Vec<Word>,
    /// The wrappers peeled, outermost first.
    pub wrappers: Vec<String>,
}

/// The program name of a word: its last path component, without an npm `@version`.
pub fn program_name(word: &str) -> &str {
    let base = word.rsplit('/').next().unwrap_or(word);
    match base.find('@') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    }
}

const PNPM_BUILTINS: &[&str] = &[
    "add",
    "audit",
    "bin",
    "config",
    "create",
    "deploy",
    "env",
    "fetch",
    "i",
    "import",
    "init",
    "install",
    "install-test",
    "it",
    "licenses",
    "link",
    "list",
    "ln",
    "ls",
    "outdated",
    "pack",
    "patch",
    "patch-commit",
    "prune",
    "publish",
    "rb",
    "rebuild",
    "remove",
    "rm",
    "root",
    "server",
    "setup",
    "store",
    "t",
    "test",
    "un",
    "uninstall",
    "unlink",
    "up",
    "update",
    "upgrade",
    "why",
    "start",
    "restart",
    "stop",
    "version",
    "help",
    "recursive",
    "info",
    "view",
    "cache",
    "node",
    "workspaces",
    "workspace",
    "plugin",
    "set",
    "search",
    "login",
    "logout",
    "whoami",
    "pm",
    "build",
    "x",
    "run",
];

/// Peels wrappers until the argv starts with a real program.
pub fn normalize(argv: Vec<Word>, env: Vec<(String, Word)>) -> Normalized {
    let mut n = Normalized {
        argv,
        env,
        ..Default::default()
    };
    // Bounded: every round removes at least one word.
    for _ in 0..32 {
        let Some(first) = n.argv.first() else { break };
        if let Some((name, value)) = first.as_assignment() {
            let name = name.to_string();
            n.env.push((name, value));
            n.argv.remove(0);
            continue;
        }
        let prog = program_name(&first.text).to_string();
        let skip = match prog.as_str() {
            "sudo" => skip_options(
                &n.argv,
                1,
                &["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U"],
            ),
            // `command -v x` only looks x up.
            "command" if word_is(&n.argv, 1, "-v") || word_is(&n.argv, 1, "-V") => None,
            "time" | "nohup" | "exec" | "command" | "builtin" => skip_options(&n.argv, 1, &[]),
            "nice" => skip_options(&n.argv, 1, &["-n"]),
            "xargs" => skip_options(&n.argv, 1, XARGS_OPTS),
            "watch" => skip_options(&n.argv, 1, &["-n", "--interval"]),
            "parallel" => {
                skip_options(&n.argv, 1, &["-j", "--jobs", "-S", "--sshlogin", "--delay"])
            }
            // Secret managers inject an environment, then run the command after `--`.
            "doppler" | "infisical" | "op" if word_is(&n.argv, 1, "run") => {
                after_double_dash(&n.argv, 2)
            }
            "dotenv-flow" => skip_options(&n.argv, 1, &["-n", "--node-env", "-p", "--path"]),
            "docker" | "docker-compose" | "podman" => peel_container(&mut n),
            "kubectl" | "oc" if n.argv.iter().any(|w| w.text == "exec") => {
                after_double_dash(&n.argv, 2)
            }
            "heroku" if n.argv.get(1).is_some_and(|w| w.text.starts_with("run")) => {
                skip_options(&n.argv, 2, HEROKU_OPTS)
            }
            "timeout" => skip_options(&n.argv, 1, &["-s", "-k"]).map(|i| i + 1),
            "env" => {
                let i = skip_options(&n.argv, 1, &["-u", "-C", "-S"]);
                i.map(|i| take_assignments(&mut n, i))
            }
            "cross-env" => Some(take_assignments(&mut n, 1)),
            "dotenv" | "dotenv-cli" => peel_dotenv(&mut n, 1),
            "dotenvx" if word_is(&n.argv, 1, "run") => peel_dotenv(&mut n, 2),
            "npx" | "bunx" | "pnpx" => {
                skip_options(&n.argv, 1, &["-p", "--package", "-c", "--call"])
            }
            "npm" => match n.argv.get(1).map(|w| w.text.as_str()) {
                Some("exec" | "x") => skip_options(
                    &n.argv,
                    2,
                    &["-p", "--package", "-c", "--call", "-w", "--workspace"],
                ),
                _ => None,
            },
            "pnpm" | "yarn" | "bun" => peel_package_manager(&n.argv),
            "bundle" if word_is(&n.argv, 1, "exec") => Some(2),
            "node" | "tsx" | "ts-node" => {
                // `node --env-file=.env.test x.js` loads an env file.
                for w in n.argv.iter().skip(1) {
                    if let Some(f) = w.text.strip_prefix("--env-file=") {
                        let mut file = w.clone();
                        file.text = f.to_string();
                        n.env_files.push(file);
                    }
                }
                // `node node_modules/.bin/prisma …` runs that tool.
                skip_options(&n.argv, 1, &["-r", "--require", "--import", "--env-file"]).filter(
                    |&i| {
                        n.argv
                            .get(i)
                            .is_some_and(|w| w.text.contains("node_modules/.bin/"))
                    },
                )
            }
            _ => None,
        };
        match skip {
            Some(i) if i > 0 && i <= n.argv.len() => {
                n.wrappers.push(prog);
                n.argv.drain(..i);
            }
            _ => break,
        }
    }
    // rake and rails take `RAILS_ENV=test` after the task, too.
    if n.argv
        .first()
        .is_some_and(|w| matches!(program_name(&w.text), "rake" | "rails"))
    {
        let mut kept = Vec::with_capacity(n.argv.len());
        for (i, w) in std::mem::take(&mut n.argv).into_iter().enumerate() {
            match w.as_assignment().filter(|_| i > 0) {
                Some((name, value)) => n.env.push((name.to_string(), value)),
                None => kept.push(w),
            }
        }
        n.argv = kept;
    }
    // `parallel cmd ::: a b`: what follows `:::` are inputs, not the command's arguments.
    if n.wrappers.iter().any(|w| w == "parallel") {
        if let Some(i) = n.argv.iter().position(|w| w.text.starts_with(":::")) {
            n.argv.truncate(i);
        }
    }
    n
}

const XARGS_OPTS: &[&str] = &[
    "-n",
    "-I",
    "-P",
    "-L",
    "-d",
    "-a",
    "-s",
    "-E",
    "--max-args",
    "--replace",
    "--max-procs",
    "--arg-file",
    "--delimiter",
];
const HEROKU_OPTS: &[&str] = &[
    "-a", "--app", "-r", "--remote", "-s", "--size", "-e", "--env", "--type",
];
const COMPOSE_OPTS: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--env-file",
    "--profile",
    "--project-directory",
];
/// Options of `docker run`/`exec` and `compose run`/`exec` that take a value.
const CONTAINER_OPTS: &[&str] = &[
    "-e",
    "--env",
    "--env-file",
    "-v",
    "--volume",
    "-p",
    "--publish",
    "--name",
    "--network",
    "--net",
    "-w",
    "--workdir",
    "-u",
    "--user",
    "--entrypoint",
    "-l",
    "--label",
    "--mount",
    "--platform",
    "--cpus",
    "-m",
    "--memory",
    "--add-host",
    "--hostname",
    "-h",
    "--restart",
    "--pull",
    "--log-driver",
    "--log-opt",
    "--device",
    "--tmpfs",
    "--ulimit",
    "--cap-add",
    "--cap-drop",
    "--security-opt",
    "--dns",
    "--link",
    "--ipc",
    "--pid",
    "--gpus",
    "--shm-size",
];

/// The index after the first `--` at or after `i`: `doppler run -- cmd`.
fn after_double_dash(argv: &[Word], i: usize) -> Option<usize> {
    argv.iter()
        .skip(i)
        .position(|w| w.text == "--")
        .map(|p| i + p + 1)
}

/// `docker run|exec [opts] IMAGE cmd…` and `docker compose [opts] run|exec [opts] SERVICE
/// cmd…` (also `docker-compose`, `podman`): the command runs in the container. `-e NAME=value`
/// becomes the command's environment, `--env-file F` its env file.
fn peel_container(n: &mut Normalized) -> Option<usize> {
    let compose = program_name(&n.argv[0].text) == "docker-compose";
    let mut i = 1;
    if !compose && word_is(&n.argv, 1, "compose") {
        i = skip_options(&n.argv, 2, COMPOSE_OPTS)?;
    } else if compose {
        i = skip_options(&n.argv, 1, COMPOSE_OPTS)?;
    }
    if !matches!(n.argv.get(i).map(|w| w.text.as_str()), Some("run" | "exec")) {
        return None;
    }
    let mut j = i + 1;
    while let Some(w) = n.argv.get(j) {
        let t = w.text.as_str();
        if t == "--" {
            j += 1;
            break;
        }
        if !t.starts_with('-') {
            break;
        }
        let takes_value = CONTAINER_OPTS.contains(&t);
        if takes_value {
            if let Some(value) = n.argv.get(j + 1).cloned() {
                match t {
                    "-e" | "--env" => {
                        if let Some((name, v)) = value.as_assignment() {
                            n.env.push((name.to_string(), v));
                        }
                    }
                    "--env-file" => n.env_files.push(value),
                    _ => {}
                }
            }
        }
        j += if takes_value { 2 } else { 1 };
    }
    // Skip the image, container or service name.
    Some(j + 1).filter(|&k| k < n.argv.len())
}

fn word_is(argv: &[Word], i: usize, s: &str) -> bool {
    argv.get(i).is_some_and(|w| w.text == s)
}

/// Skips options starting at `i` (and the values of `with_value` options, and a `--`);
/// returns the index of the first word that is not an option.
fn skip_options(argv: &[Word], mut i: usize, with_value: &[&str]) -> Option<usize> {
    while let Some(w) = argv.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            return Some(i + 1);
        }
        if !t.starts_with('-') || t == "-" {
            return Some(i);
        }
        i += if with_value.contains(&t) { 2 } else { 1 };
    }
    None
}

/// Moves `NAME=value` words starting at `i` into the environment; returns the next index.
fn take_assignments(n: &mut Normalized, mut i: usize) -> usize {
    while let Some((name, value)) = n.argv.get(i).and_then(|w| w.as_assignment()) {
        let name = name.to_string();
        n.env.push((name, value));
        i += 1;
    }
    i
}

/// `dotenv [-e FILE]… [-v VAR=val]… [-c [ENV]] [--] cmd…`
fn peel_dotenv(n: &mut Normalized, mut i: usize) -> Option<usize> {
    while let Some(w) = n.argv.get(i) {
        let t = w.text.as_str();
        match t {
            "--" => return Some(i + 1),
            "-e" | "-f" | "--env-file" => {
                if let Some(f) = n.argv.get(i + 1) {
                    n.env_files.push(f.clone());
                }
                i += 2;
            }
            "-v" => {
                if let Some((name, value)) = n.argv.get(i + 1).and_then(|w| w.as_assignment()) {
                    let name = name.to_string();
                    n.env.push((name, value));
                }
                i += 2;
            }
            "-p" => i += 2,
            _ if t.starts_with("--env-file=") || t.starts_with("-f=") => {
                let mut f = w.clone();
                f.text = t
                    .split_once('=')
                    .map(|x| x.1)
                    .unwrap_or_default()
                    .to_string();
                n.env_files.push(f);
                i += 1;
            }
            _ if t.starts_with('-') => i += 1,
            _ => return Some(i),
        }
    }
    None
}

/// `pnpm exec x`, `pnpm dlx x`, `pnpm x` (runs the binary), `yarn dlx x`, `bun x x`; global
/// options such as `--filter pkg` come first. Built-in commands are not wrappers.
fn peel_package_manager(argv: &[Word]) -> Option<usize> {
    let i = skip_options(
        argv,
        1,
        &[
            "--filter",
            "-F",
            "-C",
            "--dir",
            "--cwd",
            "--workspace",
            "-w",
        ],
    )?;
    let sub = argv.get(i)?.text.as_str();
    match sub {
        "exec" | "dlx" | "x" => skip_options(argv, i + 1, &["-p", "--package"]),
        // `pnpm run prisma …` / `yarn run prisma …` run a script or a binary of that name.
        "run" => skip_options(argv, i + 1, &[]),
        "workspace" => Some(i + 2).filter(|&j| j < argv.len()),
        _ if PNPM_BUILTINS.contains(&sub) => None,
        _ => Some(i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(cmd: &str) -> Normalized {
        let mut pos = 0;
        let words = cmd
            .split(' ')
            .map(|w| {
                let word = Word::verbatim(w, pos);
                pos += w.len() + 1;
                word
            })
            .collect();
        normalize(words, vec![])
    }

    fn argv(cmd: &str) -> String {
        norm(cmd)
            .argv
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn peels_wrappers() {
        assert_eq!(
            argv("npx -y prisma@5 migrate reset"),
            "prisma@5 migrate reset"
        );
        assert_eq!(
            argv("pnpm exec prisma migrate reset"),
            "prisma migrate reset"
        );
        assert_eq!(
            argv("pnpm --filter @acme/db prisma db push"),
            "prisma db push"
        );
        assert_eq!(argv("pnpm install --force"), "pnpm install --force");
        assert_eq!(argv("yarn dlx drizzle-kit push"), "drizzle-kit push");
        assert_eq!(argv("bun x prisma migrate reset"), "prisma migrate reset");
        assert_eq!(
            argv("npm exec -- prisma migrate reset"),
            "prisma migrate reset"
        );
        assert_eq!(argv("npm run db:reset"), "npm run db:reset");
        assert_eq!(argv("sudo -u postgres dropdb app"), "dropdb app");
        assert_eq!(
            argv("time nohup bundle exec rails db:drop"),
            "rails db:drop"
        );
        assert_eq!(
            argv("env -i A=1 B=2 prisma migrate reset"),
            "prisma migrate reset"
        );
    }

    #[test]
    fn keeps_environment_of_wrappers() {
        let n = norm("dotenv -e .env.test -e .env -- cross-env NODE_ENV=test prisma migrate reset");
        let files: Vec<_> = n.env_files.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(files, [".env.test", ".env"]);
        assert_eq!(n.env[0].0, "NODE_ENV");
        assert_eq!(n.env[0].1.text, "test");
        assert_eq!(n.wrappers, ["dotenv", "cross-env"]);
        assert_eq!(program_name(&n.argv[0].text), "prisma");
    }

    #[test]
    fn rake_takes_environment_after_the_task() {
        let n = norm("bundle exec rake db:drop db:create RAILS_ENV=test");
        assert_eq!(
            n.argv.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
            ["rake", "db:drop", "db:create"]
        );
        assert_eq!(n.env[0].0, "RAILS_ENV");
        assert_eq!(n.env[0].1.text, "test");
        let d = norm("docker run -e DATABASE_URL=postgres://localhost/x --env-file .env.test img prisma migrate reset");
        assert_eq!(d.env[0].0, "DATABASE_URL");
        assert_eq!(d.env_files[0].text, ".env.test");
    }

    #[test]
    fn program_name_strips_paths_and_versions() {
        assert_eq!(program_name("./node_modules/.bin/prisma"), "prisma");
        assert_eq!(program_name("@scope/tool@1.2"), "tool");
        assert_eq!(program_name("drizzle-kit@latest"), "drizzle-kit");
    }
}
