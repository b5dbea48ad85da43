#!/usr/bin/env bash
# Fuzzes dbguard with cargo-fuzz (nightly toolchain, libFuzzer + AddressSanitizer).
#
#   fuzz/run.sh SECONDS [TARGET...]     seed from fixtures/, run each target SECONDS
#
# Targets: package_json ci_yaml makefile dockerfile javascript sql pipeline (default: all).
# Corpora grow in fuzz/corpus/TARGET, crashes land in fuzz/artifacts/TARGET, logs (with
# libFuzzer's final stats: executions, coverage) in fuzz/logs/TARGET.log. Two targets run at
# a time (JOBS=n to change).
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(package_json ci_yaml makefile dockerfile javascript sql pipeline)
JOBS=${JOBS:-2}
FIX=../fixtures
mkdir -p logs

# seed TARGET PREFIX FILE...: copy files into the corpus, each prefixed by the selector byte
# the target reads first (PREFIX, an octal escape for printf, or "" for none).
seed() {
    local target=$1 prefix=$2
    shift 2
    mkdir -p "corpus/$target"
    local f n=0
    for f in "$@"; do
        n=$((n + 1))
        { printf "$prefix"; cat "$f"; } >"corpus/$target/seed-$n"
    done
}
files() { find "$FIX" -type f "$@" -size -64k | LC_ALL=C sort; }

mapfile -t PKG < <(files -name package.json)
mapfile -t YML < <(files \( -name '*.yml' -o -name '*.yaml' \))
mapfile -t MK < <(files \( -name Makefile -o -name '*.mk' \))
mapfile -t DF < <(files -name 'Dockerfile*')
mapfile -t JS < <(files \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' \))
mapfile -t TS < <(files \( -name '*.ts' -o -name '*.tsx' \))
mapfile -t SQL < <(files -name '*.sql')
mapfile -t SH < <(files -name '*.sh')
seed package_json "" "${PKG[@]}"
seed ci_yaml "" "${YML[@]}"
seed makefile "" "${MK[@]}"
seed dockerfile "" "${DF[@]}"
seed javascript '\000' "${JS[@]}"
mkdir -p corpus/javascript && for f in "${TS[@]}"; do
    { printf '\001'; cat "$f"; } >"corpus/javascript/seed-ts-$(basename "$f")-$RANDOM"
done
seed sql "" "${SQL[@]}"
# pipeline: the selector byte picks the kind (see fuzz_targets/pipeline.rs).
seed pipeline '\000' "${SH[@]}"
mkdir -p corpus/pipeline
i=0
for pair in "1:${PKG[*]}" "2:${YML[*]}" "4:${MK[*]}" "5:${DF[*]}" "6:${TS[*]}" "8:${SQL[*]}"; do
    sel=${pair%%:*}
    for f in ${pair#*:}; do
        i=$((i + 1))
        { printf "\\$(printf '%03o' "$sel")"; cat "$f"; } >"corpus/pipeline/seed-$sel-$i"
    done
done

# The binary's threads have 1 GiB stacks; the fuzzed code runs on libFuzzer's main thread.
ulimit -s 1048576 2>/dev/null || ulimit -s unlimited 2>/dev/null || true

run() {
    local t=$1
    cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
        -print_final_stats=1 >"logs/$t.log" 2>&1 && echo "$t: clean" || echo "$t: FAILED (see fuzz/logs/$t.log)"
}
running=0
for t in "${TARGETS[@]}"; do
    run "$t" &
    running=$((running + 1))
    if [[ $running -ge $JOBS ]]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
for t in "${TARGETS[@]}"; do
    echo "== $t"
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov: [0-9]+ ft" "logs/$t.log" | tail -3
done
