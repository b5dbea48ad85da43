#!/usr/bin/env bash
# Reproducible dbguard benchmark. Writes bench/results.md and prints a summary.
#
#   bench/run.sh             build, generate the corpus if missing, measure
#   bench/run.sh --regen     regenerate the corpus first
#
# Environment: CORPUS (default target/bench-corpus), STAGED (default $CORPUS-staged),
# RUNS (default 10), SLOW_RUNS (default 10; used for --threads 1), WARMUP (default 2),
# RESULTS (default bench/results.md), NO_HYPERFINE=1 (use the bash timing loop).
#
# Needs: cargo, python3 (stdlib), hyperfine and ripgrep (installed with apt-get when missing
# and possible; without hyperfine a bash loop times the runs, without rg the comparison is
# skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

CORPUS=${CORPUS:-target/bench-corpus}
CORPUS=${CORPUS%/}
STAGED=${STAGED:-$CORPUS-staged}
RUNS=${RUNS:-10}
SLOW_RUNS=${SLOW_RUNS:-10}
WARMUP=${WARMUP:-2}
RESULTS=${RESULTS:-bench/results.md}
[[ $RESULTS == /* ]] || RESULTS="$PWD/$RESULTS"
BIN=target/release/dbguard
RG_PATTERN='prisma|dropdb|supabase|flushall|pg_restore'
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

source bench/lib.sh

# --- 1. build ---------------------------------------------------------------------------
say "cargo build --release"
cargo build --release --quiet

# --- 2. corpus --------------------------------------------------------------------------
if [[ "${1:-}" == "--regen" || ! -d "$CORPUS" || ! -d "$STAGED" ]]; then
    say "generating corpus into $CORPUS (+ $STAGED)"
    python3 bench/gen-corpus.py "$CORPUS" --staged "$STAGED" --force
fi

# --- 3. tools ---------------------------------------------------------------------------
command -v hyperfine >/dev/null || { say "installing hyperfine"; apt_install hyperfine || true; }
command -v rg >/dev/null || { say "installing ripgrep"; apt_install ripgrep || true; }
HAVE_HYPERFINE=$(command -v hyperfine >/dev/null && echo 1 || echo 0)
HAVE_RG=$(command -v rg >/dev/null && echo 1 || echo 0)
[[ -z "${NO_HYPERFINE:-}" ]] || HAVE_HYPERFINE=0   # force the fallback loop (for testing)
SHELL_NONE=()
if [[ $HAVE_HYPERFINE == 1 ]] && hyperfine -N --runs 1 true >/dev/null 2>&1; then
    SHELL_NONE=(-N)
fi
[[ $HAVE_HYPERFINE == 1 ]] || say "hyperfine unavailable: falling back to a bash timing loop"
[[ $HAVE_RG == 1 ]] || say "ripgrep unavailable: skipping the rg comparison"

# The pre-commit-sized run: the staged directory's 20 files, named explicitly.
mapfile -t STAGED_FILES < <(find "$STAGED" -type f | LC_ALL=C sort)

# --- 4. measure -------------------------------------------------------------------------
# bench TITLE RUNS CMD...  — one markdown section in $RESULTS, one JSON file per section.
SECTION=0
# Optional: --name NAME (after RUNS) labels a single command in the table.
bench() {
    local title=$1 runs=$2 name=()
    shift 2
    if [[ $1 == --name ]]; then
        name=(--command-name "$2")
        shift 2
    fi
    SECTION=$((SECTION + 1))
    say "$title"
    {
        echo
        echo "### $title"
        echo
    } >>"$RESULTS"
    if [[ $HAVE_HYPERFINE == 1 ]]; then
        hyperfine "${SHELL_NONE[@]}" --ignore-failure --warmup "$WARMUP" --runs "$runs" \
            --style basic \
            --export-markdown "$TMP/sec$SECTION.md" --export-json "$TMP/sec$SECTION.json" \
            "${name[@]}" "$@" >&2
        cat "$TMP/sec$SECTION.md" >>"$RESULTS"
    else
        LOOP_NAME=${name[1]:-} bench_loop "$runs" "$@"
    fi
}

# Fallback: N timed runs per command with date +%s%N; same table shape and JSON as hyperfine.
bench_loop() {
    local runs=$1
    shift
    local json="$TMP/sec$SECTION.json" first=1
    echo '{"results": [' >"$json"
    printf '| Command | Mean [ms] | Min [ms] | Max [ms] |\n|:---|---:|---:|---:|\n' >>"$RESULTS"
    for cmd in "$@"; do
        for ((i = 0; i < WARMUP; i++)); do eval "$cmd" >/dev/null 2>&1 || true; done
        local times=()
        for ((i = 0; i < runs; i++)); do
            local t0 t1
            t0=$(date +%s%N)
            eval "$cmd" >/dev/null 2>&1 || true
            t1=$(date +%s%N)
            times+=($(((t1 - t0) / 1000)))   # microseconds
        done
        local stats label=${LOOP_NAME:-$cmd}
        stats=$(printf '%s\n' "${times[@]}" | awk '{s+=$1; q+=$1*$1; if(NR==1||$1<mn)mn=$1; if($1>mx)mx=$1}
            END {m=s/NR; v=q/NR-m*m; if(v<0)v=0; printf "%.6f %.6f %.6f %.6f", m/1e6, sqrt(v)/1e6, mn/1e6, mx/1e6}')
        read -r mean sd mn mx <<<"$stats"
        printf '| `%s` | %.1f ± %.1f | %.1f | %.1f |\n' "$label" \
            "$(awk "BEGIN{print $mean*1000}")" "$(awk "BEGIN{print $sd*1000}")" \
            "$(awk "BEGIN{print $mn*1000}")" "$(awk "BEGIN{print $mx*1000}")" >>"$RESULTS"
        printf '  %-70s mean %8.1f ms ± %6.1f  min %8.1f ms\n' "$label" \
            "$(awk "BEGIN{print $mean*1000}")" "$(awk "BEGIN{print $sd*1000}")" "$(awk "BEGIN{print $mn*1000}")" >&2
        [[ $first == 1 ]] || echo ',' >>"$json"
        first=0
        python3 -c 'import json,sys; print(json.dumps({"command": sys.argv[1], "mean": float(sys.argv[2]), "stddev": float(sys.argv[3]), "min": float(sys.argv[4]), "max": float(sys.argv[5])}))' \
            "$label" "$mean" "$sd" "$mn" "$mx" >>"$json"
    done
    echo ']}' >>"$json"
}

CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
CPU=${CPU:-$(uname -m)}
NPROC=$(nproc)
CORPUS_FILES=$(find "$CORPUS" -type f -not -path '*/.bench/*' | wc -l)
NM_FILES=$(find "$CORPUS/node_modules" -type f 2>/dev/null | wc -l)
CORPUS_MB=$(du -sm --exclude=.bench "$CORPUS" | cut -f1)
TOOLS="$("$BIN" --version)"
[[ $HAVE_HYPERFINE == 1 ]] && TOOLS+=", $(hyperfine --version)"
[[ $HAVE_RG == 1 ]] && TOOLS+=", $(rg --version | sed -n 1p)"

# The source under test, for reproducibility while the tree is being edited (no git needed).
SRC_HASH=$(find src queries Cargo.toml Cargo.lock -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)

cat >"$RESULTS" <<EOF
<!-- bench/run.sh; source tree sha256 (src, queries, Cargo.*): $SRC_HASH -->
## Benchmark

Generated by \`bench/run.sh\` on $(date -u +%Y-%m-%d). Machine: $CPU, $NPROC CPUs, $(uname -sr).
Tools: $TOOLS.

Corpus: \`python3 bench/gen-corpus.py\` (seed fixed): a synthetic JS/TS monorepo of $CORPUS_FILES
files (${CORPUS_MB} MB), of which $NM_FILES are under a git-ignored \`node_modules/\`. Warm page cache
(\`--warmup $WARMUP\`), \`--runs $RUNS\`; dbguard exits 1 because it finds dangers (\`--ignore-failure\`).
EOF

if [[ $HAVE_RG == 1 ]]; then
    bench "Full repository ($CORPUS_FILES files)" "$RUNS" \
        "$BIN check $CORPUS --format concise" \
        "rg -i -c '$RG_PATTERN' $CORPUS" \
        "rg -i -c --hidden --no-require-git '$RG_PATTERN' $CORPUS"
else
    bench "Full repository ($CORPUS_FILES files)" "$RUNS" \
        "$BIN check $CORPUS --format concise"
fi
bench "Full repository, one thread" "$SLOW_RUNS" \
    "$BIN check $CORPUS --format concise --threads 1"
bench "Pre-commit: ${#STAGED_FILES[@]} staged files passed explicitly" "$RUNS" \
    --name "$BIN check <${#STAGED_FILES[@]} files under $STAGED> --format concise" \
    "$BIN check ${STAGED_FILES[*]} --format concise"
# A real git commit of the same 20 files: `check --staged` reads the list and the contents
# from the index (git diff --cached + one git cat-file --batch).
STAGED_REPO="$TMP/staged-repo"
mkdir -p "$STAGED_REPO"
cp -r "$STAGED"/. "$STAGED_REPO"/
git -C "$STAGED_REPO" init -q
git -C "$STAGED_REPO" add -A
BIN_ABS="$PWD/$BIN"
pushd "$STAGED_REPO" >/dev/null
bench "Pre-commit: the same ${#STAGED_FILES[@]} files staged in a git repository" "$RUNS" \
    --name "dbguard check --staged (in a repository with ${#STAGED_FILES[@]} staged files)" \
    "$BIN_ABS check --staged --format concise"
popd >/dev/null
bench "fixtures/demo-app" "$RUNS" \
    "$BIN check fixtures/demo-app --format concise"

# --- 5. summary -------------------------------------------------------------------------
"$BIN" check "$CORPUS" --format json >"$TMP/corpus.json" || true
"$BIN" check "${STAGED_FILES[@]}" --format json >"$TMP/staged.json" || true
"$BIN" check fixtures/demo-app --format json >"$TMP/demo.json" || true

python3 - "$TMP" "$CORPUS" "$RESULTS" "$CPU" "$NPROC" "$SRC_HASH" <<'PY'
import csv, glob, json, os, sys

tmp, corpus, results, cpu, nproc, src_hash = sys.argv[1:]

def fmt(sec):
    return f"{sec * 1000:8.1f} ms" if sec < 1 else f"{sec:8.3f} s "

print()
print(f"Machine: {cpu}, nproc={nproc}; source tree sha256 {src_hash}")
print()
rows = []
for path in sorted(glob.glob(os.path.join(tmp, "sec*.json")), key=lambda p: int(os.path.basename(p)[3:-5])):
    for r in json.load(open(path))["results"]:
        cmd = r["command"]
        if len(cmd) > 90:
            cmd = cmd[:60] + " … " + cmd[-25:]
        print(f"  {fmt(r['mean'])} ± {fmt(r['stddev']).strip():>9}   (min {fmt(r['min']).strip()})  {cmd}")

def summary(name):
    return json.load(open(os.path.join(tmp, name)))

lines = ["", "### What was scanned", "", "| run | files scanned | findings | error | warning | info |", "|:---|---:|---:|---:|---:|---:|"]
print()
for label, name in [("full repository", "corpus.json"), ("pre-commit (20 files)", "staged.json"), ("fixtures/demo-app", "demo.json")]:
    s = summary(name)["summary"]
    sev = s.get("by_severity", {})
    print(f"  {label:24} files scanned {s['files_scanned']:6}   findings {s['findings']:4}"
          f"  (error {sev.get('error', 0)}, warning {sev.get('warning', 0)}, info {sev.get('info', 0)})")
    lines.append(f"| {label} | {s['files_scanned']} | {s['findings']} | {sev.get('error', 0)} | {sev.get('warning', 0)} | {sev.get('info', 0)} |")

# Cross-check against what the generator planted (so the timed run is known to do real work).
planted = os.path.join(corpus, ".bench", "planted.tsv")
if os.path.exists(planted):
    found = {}
    for f in summary("corpus.json")["findings"]:
        p = f["path"]
        p = p[len(corpus) + 1:] if p.startswith(corpus + "/") else p
        found.setdefault((p, f["line"]), []).append(f["severity"])
    tally = {}
    for row in csv.DictReader(open(planted), delimiter="\t"):
        hit = found.get((row["path"], int(row["line"])))
        t = tally.setdefault(row["tag"], [0, 0, 0])
        t[0] += 1
        t[1] += bool(hit)
        t[2] += bool(hit) and "error" in hit
    desc = {"danger": "dangers reported", "local": "locally-pinned reported",
            "lookalike": "look-alikes reported", "ignored": "node_modules dangers reported"}
    parts = [f"{desc.get(k, k)} {v[1]}/{v[0]}" + (f" ({v[2]} as error)" if k == "danger" else "")
             for k, v in sorted(tally.items())]
    print("  planted: " + "; ".join(parts))
    lines += ["", "Planted by the generator: " + "; ".join(parts) + "."]

with open(results, "a") as f:
    f.write("\n".join(lines) + "\n")
print(f"\nMarkdown tables: {results}")
PY
