#!/bin/sh
# The shared library exports exactly the functions the public header declares
# (STYLE.md rule 11): nothing internal leaks, nothing declared is missing.
# A coverage build (-Db_coverage=true) also exports gcov's runtime (__gcov_*, mangle_path): ignored.
set -eu
lib=$1
header=$2
tmp=${TMPDIR:-/tmp}/llmroof-symbols.$$
trap 'rm -f "$tmp".*' EXIT
nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "D" || $2 == "R" || $2 == "B" {print $3}' \
    | sed 's/@.*//' | grep -v -e '^__gcov_' -e '^mangle_path$' | sort -u > "$tmp.exported"
grep -E '^LLMROOF_API ' "$header" | sed 's/(.*//; s/.*[ *]//' | sort -u > "$tmp.declared"
if ! diff -u "$tmp.declared" "$tmp.exported"; then
    echo "symbols: exported symbols differ from the API declared in $header" >&2
    exit 1
fi
echo "symbols: $(wc -l < "$tmp.exported") exported symbols match the header"
