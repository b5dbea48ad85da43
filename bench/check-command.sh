#!/usr/bin/env bash
# Latency of the runtime guards: `dbguard check-command` (argument and Claude Code hook forms)
# and `dbguard check-url`. Each is one process per command an agent runs, so what counts is
# the wall time of a whole process, start included. Prints a markdown table.
#
#   bench/check-command.sh
#
# Environment: RUNS (default 300), WARMUP (default 20), RESULTS (also write the table there),
# NO_HYPERFINE=1 (use the bash timing loop).
#
# Needs: cargo and hyperfine (installed with apt-get when missing and possible, as in
# bench/run.sh; without it a bash loop times RUNS back-to-back runs). The hook event goes to
# stdin with hyperfine's `--input` when this hyperfine has it (1.16+); older ones run
# `sh -c 'dbguard … < event.json'`, and the table then has a `sh -c ': < event.json'` row: the
# shell's own cost, to subtract.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-300}
WARMUP=${WARMUP:-20}
BIN=target/release/dbguard
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

source bench/lib.sh

say "cargo build --release"
cargo build --release --quiet

command -v hyperfine >/dev/null || { say "installing hyperfine"; apt_install hyperfine || true; }
HAVE_HYPERFINE=$(command -v hyperfine >/dev/null && echo 1 || echo 0)
[[ -z "${NO_HYPERFINE:-}" ]] || HAVE_HYPERFINE=0
[[ $HAVE_HYPERFINE == 1 ]] || say "hyperfine unavailable: falling back to a bash timing loop"
SHELL_NONE=()
HAVE_INPUT=0
if [[ $HAVE_HYPERFINE == 1 ]]; then
    hyperfine -N --runs 1 true >/dev/null 2>&1 && SHELL_NONE=(-N)
    hyperfine --help | grep -q -- '--input' && HAVE_INPUT=1
fi

# Claude Code PreToolUse events, as Claude Code sends them.
event() {
    printf '{"session_id":"bench","transcript_path":"/tmp/t.jsonl","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"%s","description":"bench"}}\n' "$PWD" "$1"
}
event "npx prisma migrate reset --force" >"$TMP/blocked.json"
event "npm test" >"$TMP/allowed.json"

# Sanity: the timed commands decide what they should (exit codes 2, 0, 2, 0, 0).
set +e
"$BIN" check-command "prisma migrate reset --force" 2>/dev/null; c1=$?
"$BIN" check-command "npm test"; c2=$?
"$BIN" check-command --hook claude-code <"$TMP/blocked.json" 2>/dev/null; c3=$?
"$BIN" check-command --hook claude-code <"$TMP/allowed.json"; c4=$?
"$BIN" check-url postgres://u@localhost/x; c5=$?
set -e
[[ "$c1 $c2 $c3 $c4 $c5" == "2 0 2 0 0" ]] || {
    echo "unexpected exit codes: $c1 $c2 $c3 $c4 $c5 (want 2 0 2 0 0)" >&2
    exit 1
}

# Names and commands, in table order. Hook rows depend on --input support.
NAMES=(
    "dbguard --version (process start, no work)"
    "check-command \"prisma migrate reset --force\" (blocked)"
    "check-command \"npm test\" (allowed)"
)
CMDS=(
    "$BIN --version"
    "$BIN check-command 'prisma migrate reset --force'"
    "$BIN check-command 'npm test'"
)
if [[ $HAVE_HYPERFINE == 1 && $HAVE_INPUT == 1 ]]; then
    HOOK_HOW="hyperfine --input"
    HOOK_NAMES=("check-command --hook claude-code, blocked event on stdin"
        "check-command --hook claude-code, allowed event on stdin")
else
    HOOK_HOW="a sh -c wrapper (hyperfine --input unavailable: needs hyperfine 1.16+)"
    NAMES+=("sh -c ': < event.json' (wrapper cost, subtract)")
    CMDS+=("sh -c ': < $TMP/blocked.json'")
    HOOK_NAMES=("sh -c 'check-command --hook claude-code < blocked.json'"
        "sh -c 'check-command --hook claude-code < allowed.json'")
    NAMES+=("${HOOK_NAMES[@]}")
    CMDS+=("sh -c '$BIN check-command --hook claude-code < $TMP/blocked.json'"
        "sh -c '$BIN check-command --hook claude-code < $TMP/allowed.json'")
fi
NAMES+=("check-url postgres://u@localhost/x")
CMDS+=("$BIN check-url postgres://u@localhost/x")

TABLE="$TMP/table.md"
if [[ $HAVE_HYPERFINE == 1 ]]; then
    args=()
    for i in "${!CMDS[@]}"; do args+=(--command-name "${NAMES[$i]}" "${CMDS[$i]}"); done
    say "hyperfine: ${#CMDS[@]} commands, $RUNS runs each"
    hyperfine "${SHELL_NONE[@]}" --ignore-failure --warmup "$WARMUP" --runs "$RUNS" \
        --style basic --export-markdown "$TABLE" "${args[@]}" >&2
    if [[ $HAVE_INPUT == 1 ]]; then
        # One hyperfine run per event file (--input applies to every command of a run).
        for kind in blocked allowed; do
            name=${HOOK_NAMES[0]}
            [[ $kind == allowed ]] && name=${HOOK_NAMES[1]}
            hyperfine "${SHELL_NONE[@]}" --ignore-failure --warmup "$WARMUP" --runs "$RUNS" \
                --style basic --input "$TMP/$kind.json" \
                --export-markdown "$TMP/$kind.md" \
                --command-name "$name" "$BIN check-command --hook claude-code" >&2
            tail -n +3 "$TMP/$kind.md" >>"$TABLE"
        done
    fi
else
    printf '| Command | Mean [ms] |\n|:---|---:|\n' >"$TABLE"
    for i in "${!CMDS[@]}"; do
        for ((w = 0; w < WARMUP; w++)); do eval "${CMDS[$i]}" >/dev/null 2>&1 || true; done
        t0=$(date +%s%N)
        for ((r = 0; r < RUNS; r++)); do eval "${CMDS[$i]}" >/dev/null 2>&1 || true; done
        t1=$(date +%s%N)
        printf '| `%s` | %s |\n' "${NAMES[$i]}" \
            "$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / $RUNS / 1e6}")" >>"$TABLE"
    done
fi

CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
{
    echo "### check-command / check-url latency"
    echo
    echo "Machine: ${CPU:-$(uname -m)}, $(nproc) CPUs, $(uname -sr). $("$BIN" --version)," \
        "$([[ $HAVE_HYPERFINE == 1 ]] && hyperfine --version || echo 'bash loop'), $RUNS runs," \
        "warmup $WARMUP. Hook event on stdin via $HOOK_HOW."
    echo
    cat "$TABLE"
} | tee "${RESULTS:-/dev/null}"
