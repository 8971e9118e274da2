#!/usr/bin/env python3
"""llmroof's CPU tier beside llama.cpp's measured CPU decode on this machine
(docs/accuracy.md "CPU decode against llama.cpp").

    gcc -O3 -march=native -fopenmp tools/nlc/bandwidth.c -o /tmp/bandwidth
    /tmp/bandwidth 1; /tmp/bandwidth 2          # read bandwidth, GB/s
    tools/nlc/cpu_decode.sh                     # writes results/cpu_*_t*.log
    python3 tools/nlc/compare_cpu.py build/examples/llmroof BW1 BW2 [nominal]

For each log (F16 / Q8_0 / Q4_0, 1 and 2 threads) it rewrites the same GGUF
header (sparse: no data), describes this VM as a CPU-only system whose
bandwidth is the measured read bandwidth for that thread count (marked
`bandwidth_kind: measured`, so the CPU backend's measured_efficiency applies;
a last argument `nominal` treats it as a spec-sheet peak instead) and whose
f16 compute is the threads' FMA peak (Zen 5: 2 x 512-bit FMA = 64 fp32
flops/cycle x 2.6 GHz = 166 GFLOPS per core), and asks llmroof for the
decode speed of the same workload (40-token prompt, 31 steps, ctx 512).
Prints a Markdown table.  Standard library only.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPE = ["--layers", "16", "--hidden", "2048", "--heads", "16", "--kv-heads", "4",
         "--ffn", "5632", "--vocab", "32000", "--ctx", "4096"]
QUANT = {"f16": "F16", "q8_0": "Q8_0", "q4_0": "Q4_0"}
GFLOPS_PER_CORE = 166.4
KIND = "measured"


def measured(path):
    """llama.cpp's eval ms per token in the first (ctx 512) block."""
    with open(path) as f:
        for line in f:
            m = re.search(r"\beval time =\s*([\d.]+) ms /\s*(\d+) runs", line)
            if m and "prompt" not in line:
                return float(m.group(1)) / int(m.group(2))
    return None


def catalog(threads, bw):
    return """llmroof: 1
devices:
  vm-cpu-t{t}:
    name: This VM, {t} thread(s) (AMD EPYC Zen 5, 2 vCPU)
    kind: cpu
    backend: cpu
    bandwidth: {bw} GB/s
    bandwidth_kind: {kind}
    compute: {{f16: {fl:.1f} GFLOPS}}
    source: "tools/nlc/bandwidth.c, {t} thread(s): measured read bandwidth; compute: {t} x 166.4 GFLOPS"
systems:
  vm-t{t}:
    name: This VM ({t} thread(s))
    host: {{device: vm-cpu-t{t}, memory: 23 GiB}}
    source: "this machine"
""".format(t=threads, bw=bw, kind=KIND, fl=threads * GFLOPS_PER_CORE)


def main(argv):
    global KIND
    if len(argv) == 5 and argv[4] in ("nominal", "measured"):
        KIND = argv.pop()
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    tool, bw = argv[1], {1: float(argv[2]), 2: float(argv[3])}
    tmp = tempfile.mkdtemp(prefix="llmroof-cpu-")
    rows = []
    for t, q in QUANT.items():
        gguf = os.path.join(tmp, "big-%s.gguf" % t)
        subprocess.run([sys.executable, os.path.join(HERE, "make_tiny_gguf.py"), gguf,
                        "--type", t, "--sparse"] + SHAPE, check=True, capture_output=True)
        for th in (1, 2):
            log = os.path.join(HERE, "results", "cpu_%s_t%d.log" % (t, th))
            ms = measured(log) if os.path.exists(log) else None
            if ms is None:
                print("no measurement in %s (run cpu_decode.sh)" % log, file=sys.stderr)
                continue
            cat = os.path.join(tmp, "vm-t%d.yaml" % th)
            with open(cat, "w") as f:
                f.write(catalog(th, bw[th]))
            p = subprocess.run([tool, "--catalog", cat, "estimate", "--system", "vm-t%d" % th,
                                "--gguf", gguf, "--prompt", "40", "--gen", "31", "--ctx", "512",
                                "--json"], capture_output=True, text=True)
            if p.returncode != 0:
                print(p.stderr, file=sys.stderr)
                return 1
            j = json.loads(p.stdout)
            pred = 1e3 / j["decode"]["tokens_per_s"]
            wb = j["memory"]["weights_bytes"]
            rows.append((q, th, wb, ms, pred, j["decode"]["bound_by"]))
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    print("| type | threads | weights | llama.cpp ms/token | = GB/s | llmroof ms/token | bound by | error |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for q, th, wb, ms, pred, by in rows:
        print("| %s | %d | %.0f MiB | %.1f | %.1f | %.1f | %s | %+.0f%% |" % (
            q, th, wb / 2**20, ms, wb / ms / 1e6, pred, by, 100 * (pred / ms - 1)))
    errs = [abs(pred / ms - 1) for _, _, _, ms, pred, _ in rows]
    if errs:
        print("\nmean |error| %.0f%%, worst %.0f%% (%d rows)" % (
            100 * sum(errs) / len(errs), 100 * max(errs), len(errs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
