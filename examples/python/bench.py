#!/usr/bin/env python3
"""Python-call overhead of the ctypes binding: estimate and pick from
Python, next to the same calls timed in C by llmroof-bench
(docs/performance.md).  A benchmark, not a test: it prints figures.

    PYTHONPATH=lib/python LLMROOF_LIBRARY=build-release/lib/libllmroof.so \\
        python3 examples/python/bench.py [--quick]
"""
import statistics
import sys
import time

import llmroof


def per_call(fn, n, repeats=5):
    """Median seconds per call over `repeats` runs of n calls."""
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t0) / n)
    return statistics.median(runs)


def main():
    quick = "--quick" in sys.argv
    n = 200 if quick else 20000
    with llmroof.Catalog.builtin() as cat:
        lib = llmroof.library()
        capi = llmroof.capi
        # The high-level call: keywords in, a Python Result out.
        hi = per_call(lambda: cat.estimate("pc-rtx-4090", "llama-3.1-8b", "Q4_K_M", ctx=8192), n)
        # The raw call through ctypes, structs reused: the binding's floor.
        req = capi.llmroof_request()
        lib.llmroof_request_init(req)
        req.system, req.model, req.quant, req.ctx = b"pc-rtx-4090", b"llama-3.1-8b", b"Q4_K_M", 8192
        res = capi.llmroof_result()
        lib.llmroof_result_init(res)
        handle = cat._h()
        raw = per_call(lambda: lib.llmroof_estimate(handle, req, res, None), n)
        pick_n = 20 if quick else 500
        pk = per_call(lambda: cat.pick("pc-rtx-4090", "llama-3-70b", ctx=8192,
                                       min_decode_tps=5), pick_n)
        load = per_call(lambda: llmroof.Catalog.builtin().close(), 5 if quick else 50)
    print("llmroof %s, Python %s" % (llmroof.version(), sys.version.split()[0]))
    print("estimate, Catalog.estimate() with keywords -> Result: %8.2f us/call (%.0f calls/s)"
          % (hi * 1e6, 1 / hi))
    print("estimate, raw ctypes call, structs reused:          %8.2f us/call (%.0f calls/s)"
          % (raw * 1e6, 1 / raw))
    print("pick, Catalog.pick() 70B on pc-rtx-4090, 5 tok/s:   %8.1f us/call" % (pk * 1e6))
    print("Catalog.builtin() + close():                        %8.2f ms" % (load * 1e3))
    print("(subtract llmroof-bench's C figures for the same calls to get the binding's overhead)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
