#!/bin/sh
# Every test: README "Quick start", line 2, and what .ci/run runs after
# line 1 (docs/reliability.md "Commands").  Each step runs even when an
# earlier one failed; the summary lists them all; the exit status is
# non-zero when any failed.
#
#   1. meson test -C build                     every suite, the normal build
#   2. build-asan: ASan + UBSan, strict        every suite, Python included
#   3. valgrind on the unit suite              memory errors, definite/indirect leaks
#   4. tests/fuzz/run.sh 40                    each libFuzzer target 40 s (clang, build-fuzz)
#   5. tests/coverage.sh build-cov             gcovr line/branch floors on lib/
#
# LLMROOF_FUZZ_SECONDS changes step 4's time per target (0 skips it).
set -u
cd "$(dirname "$0")/.."
status=0
summary=""
step() {
    name=$1
    shift
    start=$(date +%s)
    echo "==> $name"
    if "$@"; then result=ok; else result=FAILED; status=1; fi
    took=$(($(date +%s) - start))
    echo "==> $name: $result (${took} s)"
    summary="$summary
  $result  $name (${took} s)"
}
asan() {
    if [ ! -d build-asan ]; then
        meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null ||
            return 1
    fi
    meson test -C build-asan --print-errorlogs
}
step "tests" meson test -C build --print-errorlogs
step "sanitizers (ASan+UBSan)" asan
step "valgrind (unit suite)" meson test -C build --setup valgrind --suite unit --print-errorlogs
fuzz=${LLMROOF_FUZZ_SECONDS:-40}
if [ "$fuzz" -gt 0 ]; then
    # Two fuzzers at once on two cores: four targets in about 2 x SECONDS.
    step "fuzz (${fuzz} s per target)" env LLMROOF_FUZZ_JOBS="${LLMROOF_FUZZ_JOBS:-2}" \
        LLMROOF_FUZZ_BUILD="${LLMROOF_FUZZ_BUILD:-build-fuzz}" tests/fuzz/run.sh "$fuzz"
fi
step "coverage gate" tests/coverage.sh build-cov
echo "==> summary:$summary"
exit $status
