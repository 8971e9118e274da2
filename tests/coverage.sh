#!/bin/sh
# Line and branch coverage of the library (lib/*.c) by every test, with a
# gate (docs/reliability.md "Coverage").  Builds into BUILD_DIR (default
# build-cov) with gcc's --coverage and atomic counters (the API tests run
# threads), runs the whole test suite, prints gcovr's tables and fails when
# coverage falls under the floors below.  lib/embed.c and lib/snapshot.c are
# build-time generators, not the library, and are left out.
#   tests/coverage.sh [BUILD_DIR]     (needs gcovr: apt-get install gcovr)
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build-cov}
# The floors (docs/reliability.md): 95 % of lines, 90 % of branches.  The
# fuzz corpora replayed by meson test carry much of it (without them: 93.7
# and 79.8 %).
LINE_FLOOR=${LLMROOF_LINE_FLOOR:-95}
BRANCH_FLOOR=${LLMROOF_BRANCH_FLOOR:-90}
if [ ! -d "$dir" ]; then
    meson setup "$dir" -Db_coverage=true -Dc_args=-fprofile-update=atomic >/dev/null
fi
find "$dir" -name '*.gcda' -delete
meson compile -C "$dir" >/dev/null
status=0
meson test -C "$dir" -q || status=$?
set -- -r . --object-directory "$dir" --filter 'lib/' --exclude 'lib/embed.c' \
    --exclude 'lib/snapshot.c'
gcovr "$@" 2>/dev/null || true
gcovr "$@" --branches 2>/dev/null || true
# The full report goes to a file in the build directory, never to -o
# /dev/null: gcovr writes its output by replacing the file, which as root
# turned /dev/null into a regular file.
gcovr "$@" --print-summary --fail-under-line "$LINE_FLOOR" \
    --fail-under-branch "$BRANCH_FLOOR" -o "$dir/coverage.txt" || status=$?
exit $status
