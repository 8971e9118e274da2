#!/usr/bin/env python3
"""What a launcher asks before it loads anything: which quant of Llama 3 70B
to run on each of the article's machines at an 8k context, at reading speed
(5 tok/s) or better, and with which llama-server arguments.

    PYTHONPATH=lib/python LLMROOF_LIBRARY=build/lib/libllmroof.so \\
        python3 examples/python/pick_for_launcher.py
"""
import sys

import llmroof

MODEL, CTX, MIN_TPS = "llama-3-70b", 8192, 5.0
MACHINES = ("pc-rtx-4090", "pc-2x-rtx-4090", "mac-studio-m3-ultra-96gb")


def main():
    try:
        cat = llmroof.Catalog.builtin()
    except llmroof.LibraryError as e:
        print("pick_for_launcher: %s" % e, file=sys.stderr)
        return 1
    status = 0
    with cat:
        for system in MACHINES:
            r = cat.pick(system, MODEL, ctx=CTX, min_decode_tps=MIN_TPS, min_ctx=2048,
                         kv_types=["f16", "q8_0"])
            print("%s, %s at %d tokens, >= %g tok/s:" % (system, MODEL, CTX, MIN_TPS))
            if r.chosen < 0:
                print("  nothing meets the target: %s" % r.advice)
                status = 1
                continue
            c = r.candidates[r.chosen]
            print("  run %s: %s" % (c.quant, c.reason))
            print("  llama-server -m %s-%s.gguf %s" % (MODEL, c.quant, r.llama_args))
            # Why the better-quality quants above it lost.
            for better in r.candidates[:r.chosen]:
                print("    not %-8s %s" % (better.quant, better.reason))
            print()
    return status


if __name__ == "__main__":
    sys.exit(main())
