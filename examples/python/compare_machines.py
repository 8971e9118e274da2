#!/usr/bin/env python3
"""The article's three machines on Llama 3 70B Q4_K_M with an 8k context.

Does it fit, how many tokens/s does llmroof predict, what is the physical
limit (the roofline bound: every byte read at the vendor's peak bandwidth),
which resource sets it, and is the article's claim above that limit?

From a fresh build in the source tree:

    PYTHONPATH=lib/python LLMROOF_LIBRARY=build/lib/libllmroof.so \\
        python3 examples/python/compare_machines.py

See docs/python.md for the binding.
"""
import sys

import llmroof

MODEL, QUANT, CTX = "llama-3-70b", "Q4_K_M", 8192

# (system id, engine, quant, what the article (runaihome.com) says for 70B Q4: tok/s
# low, high).  The article ran the Mac with MLX, in MLX's own 4-bit format;
# llama.cpp on it is shown too.
MACHINES = [
    ("pc-rtx-4090", "llama.cpp", QUANT, (8, 15)),
    ("pc-2x-rtx-4090", "llama.cpp", QUANT, (25, 30)),
    ("mac-studio-m3-ultra-96gb", "llama.cpp", QUANT, (25, 30)),
    ("mac-studio-m3-ultra-96gb", "mlx", "MLX-4bit", (25, 30)),
]


def limited_by(cat, result):
    """The resource that bounds decode, in words (a unified pool is not VRAM)."""
    what = result.decode_bound_by
    if what is llmroof.Resource.DEVICE_MEMORY and 0 <= result.decode_bound_tier < len(result.tiers):
        device = cat.get_device(result.tiers[result.decode_bound_tier].device)
        return "unified memory" if device.kind is llmroof.DeviceKind.UNIFIED else "GPU memory"
    return {llmroof.Resource.HOST_MEMORY: "host RAM", llmroof.Resource.GPU_LINK: "GPU link",
            llmroof.Resource.HOST_LINK: "host link"}.get(what, str(what))


def main():
    try:
        cat = llmroof.Catalog.builtin()
    except llmroof.LibraryError as e:
        print("compare_machines: %s" % e, file=sys.stderr)
        return 1
    with cat:
        model = cat.get_model(MODEL)
        print("%s %s, %d-token context, each engine's defaults (llmroof %s)" % (
            model.name, QUANT, CTX, llmroof.version()))
        print()
        print("%-24s %-9s %-7s %5s %6s %6s  %-14s %7s" % (
            "machine", "engine", "fits", "ngl", "tok/s", "limit", "limited by", "article"))
        above = 0
        for system_id, engine, quant, (low, high) in MACHINES:
            try:
                r = cat.estimate(system_id, MODEL, quant, engine=engine, ctx=CTX)
            except llmroof.LlmroofError as e:
                print("%s: %s" % (system_id, e), file=sys.stderr)
                return 1
            mark = ""
            if r.fit is not llmroof.Fit.NONE and low > r.decode_bound_tps:
                mark = "!"
                above += 1
            print("%-24s %-9s %-7s %5s %6.1f %6.1f  %-14s %7s %s" % (
                system_id, engine, r.fit, "%d/%d" % (r.gpu_layers, r.layers + 1), r.decode_tps,
                r.decode_bound_tps, limited_by(cat, r), "%d-%d" % (low, high), mark))
        print("\nngl: layers on the GPU (the output head counts as one, as in llama.cpp's -ngl).")
        print("limit: the roofline bound, every byte read at peak bandwidth, no overheads.")
        print("!: %d of %d claims are faster than the hardware can go." % (above, len(MACHINES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
