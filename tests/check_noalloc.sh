#!/bin/sh
# estimate, image_estimate and train_estimate never allocate: the heap-allocation count valgrind
# reports for `llmroof-bench --estimate-only N` (one builtin load, then N rounds of estimates,
# image estimates and train estimates)
# must not depend on N (it is the builtin load's alone).  Skipped (77) without valgrind or under the
# valgrind test setup.
bench="$1"
[ -n "$LLMROOF_VALGRIND" ] && exit 77
command -v valgrind >/dev/null 2>&1 || exit 77
count() {
    valgrind "$bench" --estimate-only "$1" 2>&1 | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p'
}
a=$(count 1) || exit 1
b=$(count 200) || exit 1
echo "allocations: $a with 4 estimates, $b with 800"
[ -n "$a" ] && [ "$a" = "$b" ]
