#!/usr/bin/env python3
"""llmroof's memory estimate against what llama.cpp itself allocates, on GGUF
files made here (make_tiny_gguf.py: llama architecture, sparse), with
node-llama-cpp's estimator (GgufInsights V1) side by side.

    cd tools/nlc && npm install && python3 compare.py ../../build/examples/llmroof [--report ../../docs/accuracy.md]

llama.cpp's figure, per file and context: the model buffer (= the file's
tensor data for F32/F16/Q8_0: README.md "Model buffer") + what llama.cpp's
own no-allocation pass of the context reports (KV cache + compute buffer:
GgufInsights V2, which runs llama.cpp with noAlloc; README.md shows it equal
to the real context's buffers) + the output buffer (n_vocab x 4 bytes for
one output).  All CPU, batch = ubatch = 512, f16 KV, one sequence.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MiB = 1024.0 * 1024.0

# (label, layers, hidden, heads, kv_heads, ffn, vocab, train ctx, type, tied)
SHAPES = [
    ("tiny F32 (2 L, 256)", 2, 256, 4, 2, 512, 1000, 4096, "f32", False),
    ("1.1B F16 (TinyLlama)", 22, 2048, 32, 4, 5632, 32000, 2048, "f16", False),
    ("3.2B F16 (Llama 3.2 3B, tied)", 28, 3072, 24, 8, 8192, 128256, 131072, "f16", True),
    ("7B Q8_0 (Llama 2 7B)", 32, 4096, 32, 32, 11008, 32000, 4096, "q8_0", False),
    ("8B F16 (Llama 3 8B)", 32, 4096, 32, 8, 14336, 128256, 8192, "f16", False),
    ("13B Q8_0 (Llama 2 13B)", 40, 5120, 40, 40, 13824, 32000, 4096, "q8_0", False),
    ("70B Q8_0 (Llama 3 70B)", 80, 8192, 64, 8, 28672, 128256, 8192, "q8_0", False),
]
CTXS = (512, 4096, 16384)


def nlc(path, ctxs):
    """{(ctx, fa): (v1_ctx, v2_ctx)} and the model buffer, from measure.mjs."""
    p = subprocess.run(["node", os.path.join(HERE, "measure.mjs"), path, "--ctx",
                        ",".join(map(str, ctxs)), "--fa", "both", "--insights-only"],
                       capture_output=True, text=True, cwd=HERE, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    out = {}
    model = int(re.search(r"GgufInsights model: cpuRam=(\d+)", p.stdout).group(1))
    for block in p.stdout.split("\n===== ")[1:]:
        m = re.match(r"ctx=(\d+) batch=\d+ flashAttention=(true|false)", block)
        v1 = int(re.search(r"GgufInsights context \(V1\): cpuRam=(\d+)", block).group(1))
        v2 = int(re.search(r"GgufInsights context \(V2\): cpuRam=(\d+)", block).group(1))
        out[(int(m.group(1)), m.group(2) == "true")] = (v1, v2)
    return model, out


def llmroof(tool, path, ctx, fa):
    p = subprocess.run([tool, "estimate", "--system", "cpu-server-epyc-genoa", "--gguf", path,
                        "--ctx", str(ctx), "--prompt", str(min(512, ctx)), "--gen", "1",
                        "--ubatch", "512", "--flash-attn" if fa else "--no-flash-attn", "--json"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return json.loads(p.stdout)["memory"]


def main():
    tool = os.path.abspath(sys.argv[1])
    report = sys.argv[sys.argv.index("--report") + 1] if "--report" in sys.argv else None
    tmp = tempfile.mkdtemp(prefix="llmroof-nlc-")
    rows = []
    for label, L, d, h, hkv, ffn, vocab, tctx, typ, tied in SHAPES:
        path = os.path.join(tmp, re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") + ".gguf")
        cmd = [sys.executable, os.path.join(HERE, "make_tiny_gguf.py"), path, "--layers", str(L),
               "--hidden", str(d), "--heads", str(h), "--kv-heads", str(hkv), "--ffn", str(ffn),
               "--vocab", str(vocab), "--ctx", str(tctx), "--type", typ, "--sparse"]
        if tied:
            cmd.append("--tied")
        subprocess.run(cmd, check=True, capture_output=True)
        model, ctxs = nlc(path, CTXS)
        for (ctx, fa), (v1, v2) in sorted(ctxs.items()):
            mem = llmroof(tool, path, ctx, fa)
            ours = mem["weights_bytes"] + mem["kv_bytes"] + mem["compute_bytes"]
            truth = model + v2 + vocab * 4
            peer = model + v1
            rows.append((label, ctx, fa, truth, ours, peer))
            print("%-32s ctx %6d fa %-5s llama.cpp %9.1f MiB  llmroof %9.1f (%+5.1f%%)  "
                  "GgufInsights %9.1f (%+5.1f%%)" % (label, ctx, fa, truth / MiB, ours / MiB,
                                                     (ours - truth) / truth * 100, peer / MiB,
                                                     (peer - truth) / truth * 100), flush=True)
    def within(x, t):
        return abs(x - t) <= max(0.03 * t, 64 * MiB)
    ok = sum(within(o, t) for _, _, _, t, o, _ in rows)
    okp = sum(within(p, t) for _, _, _, t, _, p in rows)
    print("within 3%% or 64 MiB of llama.cpp: llmroof %d of %d, GgufInsights V1 %d of %d" % (
        ok, len(rows), okp, len(rows)))
    if report:
        L = ["| model | ctx | flash attn | llama.cpp MiB | llmroof MiB | error | GgufInsights V1 MiB | error |",
             "|---|---|---|---|---|---|---|---|"]
        for label, ctx, fa, t, o, p in rows:
            L.append("| %s | %d | %s | %.1f | %.1f | %+.1f%% | %.1f | %+.1f%% |" % (
                label, ctx, "on" if fa else "off", t / MiB, o / MiB, (o - t) / t * 100, p / MiB,
                (p - t) / t * 100))
        L.append("")
        L.append("Within 3 %% or 64 MiB of llama.cpp (the target): llmroof %d of %d rows, "
                 "GgufInsights V1 %d of %d." % (ok, len(rows), okp, len(rows)))
        text = "\n".join(L) + "\n"
        begin, end = "<!-- BEGIN compare.py report -->\n", "<!-- END compare.py report -->"
        old = open(report, encoding="utf-8").read()
        if begin in old and end in old:
            new = old[: old.index(begin) + len(begin)] + text + old[old.index(end):]
        else:
            new = old.rstrip("\n") + "\n\n" + begin + text + end + "\n"
        open(report, "w", encoding="utf-8").write(new)
        print("wrote", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
