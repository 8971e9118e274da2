#!/bin/sh
# Builds the libFuzzer fuzzers with clang, ASan and UBSan and runs each for
# SECONDS on a scratch copy of its seed corpus (tests/fuzz/README.md).
#
#   tests/fuzz/run.sh SECONDS [yaml|estimate|gguf|config ...]
#
# Environment: LLMROOF_FUZZ_BUILD (build directory, default
# /tmp/llmroof-fuzz), LLMROOF_FUZZ_JOBS (fuzzers run at once, default 1),
# LLMROOF_FUZZ_FRESH (set: start from the seeds again instead of the
# corpus earlier runs grew in the build directory), CC (default clang).  Crash, timeout and OOM inputs are written to
# tests/fuzz/crashes/TARGET/; nothing else is written into the source tree.
# Prints, per target, the executions, executions per second and crashes
# found; exits 1 if any fuzzer found a crash, a timeout or an OOM, 2 on a
# usage or build error.  Uses no network.
set -eu

usage() {
    echo "usage: $0 SECONDS [yaml|estimate|gguf|config ...]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
seconds=$1
shift
case $seconds in '' | *[!0-9]*) usage ;; esac
targets=${*:-yaml estimate gguf config}
for t in $targets; do
    case $t in yaml | estimate | gguf | config) ;; *) usage ;; esac
done

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${LLMROOF_FUZZ_BUILD:-/tmp/llmroof-fuzz}
jobs=${LLMROOF_FUZZ_JOBS:-1}
# Build output goes to a temporary file, shown only when a step fails (not
# beside the build directory: that may be inside the source tree).
buildlog=$(mktemp "${TMPDIR:-/tmp}/llmroof-fuzz-build.XXXXXX")
trap 'rm -f "$buildlog"' EXIT

if [ ! -f "$build/build.ninja" ]; then
    CC=${CC:-clang} meson setup "$build" "$src" -Dfuzz=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debugoptimized >"$buildlog" 2>&1 || {
        cat "$buildlog" >&2
        exit 2
    }
fi
exes=
for t in $targets; do exes="$exes tests/fuzz/fuzz_$t"; done
# shellcheck disable=SC2086
ninja -C "$build" $exes >"$buildlog" 2>&1 || {
    cat "$buildlog" >&2
    exit 2
}

work=$build/runs
mkdir -p "$work"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Runs one fuzzer; its log is $work/$1.log.
run_one() {
    t=$1
    corpus=$work/$t.corpus
    [ -n "${LLMROOF_FUZZ_FRESH:-}" ] && rm -rf "$corpus"
    mkdir -p "$corpus" "$src/tests/fuzz/crashes/$t"
    cp "$src/tests/fuzz/corpus/$t/"* "$corpus/"
    dict=
    [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
    # shellcheck disable=SC2086
    "$build/tests/fuzz/fuzz_$t" "$corpus" $dict -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$src/tests/fuzz/crashes/$t/" >"$work/$t.log" 2>&1 || true
}

running=0
for t in $targets; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

status=0
printf '%-9s %8s %12s %8s %10s %s\n' target seconds executions exec/s corpus found
for t in $targets; do
    log=$work/$t.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    size=$(find "$work/$t.corpus" -type f | wc -l)
    found=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | sort -u)
    printf '%-9s %8s %12s %8s %10s %s\n' "$t" "${time:-?}" "${execs:-?}" "${rate:-?}" \
        "$size" "${found:+$(echo "$found" | wc -l) (see $log)}"
    if [ -n "$found" ] || ! grep -q '^Done ' "$log"; then
        status=1
        echo "$t: $log:" >&2
        grep -E 'ERROR|SUMMARY|runtime error|fuzz invariant|Test unit written' "$log" >&2 || tail -n 20 "$log" >&2
    fi
done
exit $status
