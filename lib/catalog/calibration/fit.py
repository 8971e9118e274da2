#!/usr/bin/env python3
"""Fit llama.cpp's engine efficiencies to measured llama-bench results.

    python3 lib/catalog/calibration/fit.py [--llmroof build/examples/llmroof]
                                           [--write] [--report docs/accuracy-data.md]

What it does (docs/accuracy.md explains why):
  1. reads measured.csv (published llama-bench / main results, each row with
     its source) and maps each row to bundled device, model and quant ids;
  2. for each row, asks the llmroof tool for the roofline at efficiency 1 and
     no per-layer overhead (an engine override written to a temporary file),
     with the row's own prompt/generation lengths, GPU count and split;
  3. fits, per backend, a few physical parameters by least squares on the
     relative error of *time* per token:
        t = a / eta_kernel + layers * tau + links        (decode)
        t = a_p / eta_prefill_kernel + ubatches * (layers * tau + hops)  (prefill)
     on the rows of the FIT sources only (split by source, never by row);
  4. with --write, puts the fitted values into lib/catalog/engines.yaml;
  5. with --report, scores every row -- fit and held-out sources -- with the
     fitted parameters and with the peer formulas, and writes the tables.

Standard library only.  Deterministic.
"""
import argparse
import csv
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
ENGINES = os.path.join(ROOT, "lib", "catalog", "engines.yaml")

# Rows whose source is in FIT_SOURCES train the parameters; every other
# source is held out.  The split is by source: the 2024 llama-bench tables
# (Llama 3, current llama.cpp) fit; the Dec 2023 tables (LLaMA 1/2, older
# llama.cpp, ./main) and the Mac appendix test.
FIT_SOURCES = {"xiongjiedai_readme_llama3", "xiongjiedai_notebook_llama3"}

DEVICES = {
    "NVIDIA GeForce RTX 3070": "rtx-3070",
    "NVIDIA GeForce RTX 3080": "rtx-3080",
    "NVIDIA GeForce RTX 3080 Ti": "rtx-3080-ti",
    "NVIDIA GeForce RTX 3090": "rtx-3090",
    "NVIDIA GeForce RTX 4070 Ti": "rtx-4070-ti",
    "NVIDIA GeForce RTX 4080": "rtx-4080",
    "NVIDIA GeForce RTX 4090": "rtx-4090",
    "NVIDIA RTX 4000 Ada Generation": "rtx-4000-ada",
    "NVIDIA RTX 5000 Ada Generation": "rtx-5000-ada",
    "NVIDIA RTX 6000 Ada Generation": "rtx-6000-ada",
    "NVIDIA RTX A6000": "rtx-a6000",
    "NVIDIA A40": "a40",
    "NVIDIA L40S": "l40s",
    "NVIDIA A100 80GB PCIe": "a100-80gb-pcie",
    "NVIDIA A100-SXM4-80GB": "a100-80gb-sxm",
    "NVIDIA H100 PCIe": "h100-pcie",
    "Apple M1 (7-core GPU)": "m1-7c",
    "Apple M1 Max (24-core GPU)": "m1-max-24c",
    "Apple M1 Max (32-core GPU)": "m1-max-32c",
    "Apple M2 Pro (12-core CPU/19-core GPU) GPU": "m2-pro-19c",
    "Apple M2 Ultra (76-core GPU)": "m2-ultra-76c",
    "Apple M3 (10-core GPU)": "m3-10c",
    "Apple M3 Max (40-core GPU)": "m3-max-40c",
}
# The CPU device of each Apple chip (unified machines and CPU-only rows).
APPLE_CPU = {
    "m1-7c": None, "m1-max-24c": "m1-max-cpu", "m1-max-32c": "m1-max-cpu",
    "m2-pro-19c": "m2-pro-cpu", "m2-ultra-76c": None, "m3-10c": "m3-cpu",
    "m3-max-40c": "m3-max-cpu",
}
CPU_ONLY = {
    "Apple M1 Max (24-core GPU) CPU only": "m1-max-cpu",
    "Apple M2 Pro (12-core CPU/19-core GPU) CPU only": "m2-pro-cpu",
    "Apple M3 (10-core GPU) CPU only": "m3-cpu",
    "Apple M3 Max (40-core GPU) CPU only": "m3-max-cpu",
    "Intel Xeon (Mac Pro 2019, 16-core) CPU": "xeon-w-3245-mac-pro",
}
MODELS = {
    "Meta-Llama-3-8B": "llama-3-8b", "Meta-Llama-3-70B": "llama-3-70b",
    "Llama 2 7B": "llama-2-7b", "Llama 2 13B": "llama-2-13b", "Llama 2 70B": "llama-2-70b",
    "LLaMA (v1) 7B": "llama-7b", "LLaMA (v1) 13B": "llama-13b",
    "LLaMA (v1) 30B": "llama-30b", "LLaMA (v1) 65B": "llama-65b",
}
# RunPod hosts of the GPU rows: AMD EPYC 7443P (notebooks); RAM not stated.
GPU_HOST = ("epyc-7443p", "251 GiB")


def tokens(test):
    """'pp512' / 'tg128' / 'eval (1023 tokens)' -> 512 / 128 / 1023."""
    m = re.match(r"(?:pp|tg)(\d+)$", test or "")
    if m:
        return int(m.group(1))
    m = re.search(r"\((\d+) tokens\)", test or "")
    return int(m.group(1)) if m else None


def row_workload(r):
    """llama-bench semantics for the tool: prompt, gen, depth, ctx, split."""
    legacy = r["source_id"] == "xiongjiedai_readme_llama12"
    p, g = tokens(r["pp_test"]), tokens(r["tg_test"])
    w = {"prompt": p or 512, "gen": g or 128, "depth": 0, "ctx": 0,
         "split": "layer", "ubatch": 512}
    if r["source_id"] == "xiongjiedai_readme_appendix_mac":
        w.update(prompt=256, gen=256)
    if legacy:
        # ./main with n_ctx 512: generation keeps shifting the context, so
        # it runs at 256-512 cached tokens; model it as 256 tokens from 256.
        w.update(prompt=min(p or 494, 494), gen=256, depth=256)
        if r["device_count"] not in ("", "1"):
            w["split"] = "row"
    bu = r["batch_ubatch"]
    if bu and "/" in bu:
        w["ubatch"] = int(bu.split("/")[1])
    w["ctx"] = w["depth"] + max(w["prompt"], w["gen"])
    return w


def map_row(r):
    """(system spec, model id, quant id) or None with the reason."""
    model = MODELS.get(r["model"])
    if not model:
        return None, "model not in catalog"
    quant = r["quant"]
    mem = r["memory_per_device_gb"] or ""
    if r["device"] in CPU_ONLY:
        return ({"cpu": CPU_ONLY[r["device"]], "memory": mem}, model, quant), None
    dev = DEVICES.get(r["device"])
    if not dev:
        return None, "device not mapped"
    return ({"gpu": dev, "count": int(r["device_count"] or 1), "memory": mem}, model, quant), None


def system_yaml(key, spec):
    sid = "cal-" + key
    if "cpu" in spec:
        mem = f"{spec['memory']} GiB" if spec["memory"] else "64 GiB"
        return sid, (f"  {sid}:\n    name: calibration {key}\n"
                     f"    host: {{device: {spec['cpu']}, memory: {mem}}}\n")
    dev = spec["gpu"]
    if dev in APPLE_CPU:
        mem = f"{spec['memory']} GiB" if spec["memory"] else "64 GiB"
        cpu = APPLE_CPU[dev] or "m3-ultra-cpu"
        return sid, (f"  {sid}:\n    name: calibration {key}\n"
                     f"    accelerators: [{{device: {dev}, count: 1}}]\n"
                     f"    host: {{device: {cpu}, memory: {mem}}}\n")
    n = spec["count"]
    link = f"    gpu_link: pcie-4.0-x16\n" if n > 1 else ""
    return sid, (f"  {sid}:\n    name: calibration {key}\n"
                 f"    accelerators: [{{device: {dev}, count: {n}}}]\n{link}"
                 f"    host_link: pcie-4.0-x16\n"
                 f"    host: {{device: {GPU_HOST[0]}, memory: {GPU_HOST[1]}}}\n")


def read_engine_block(name="llama.cpp", lines=None):
    """The lines of engines.yaml and the span of engine `name`'s entry."""
    if lines is None:
        lines = open(ENGINES, encoding="utf-8").read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip() == name + ":")
    end = start + 1
    while end < len(lines) and not re.match(r"  \S", lines[end]):
        end += 1
    return lines, start, end


def engine_lines(fitted, name="llama.cpp", lines=None):
    """engines.yaml with engine `name`'s backends set from `fitted`: backend ->
    {"etas", "tau", "hop", "prefill"}; backends not in it keep their lines."""
    lines, start, end = read_engine_block(name, lines)
    lines = list(lines)
    backend = None
    i = start - 1
    while i + 1 < end:
        i += 1
        s = lines[i].strip()
        m = re.match(r"(cuda|rocm|vulkan|metal|cpu):$", s)
        if m:
            backend = m.group(1)
            continue
        f = fitted.get(backend)
        if not f:
            continue
        ind = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        if s.startswith("decode_efficiency:"):
            lines[i] = ind + "decode_efficiency: " + fmt_eta(f["etas"])
        elif s.startswith("prefill_efficiency:") and f.get("prefill"):
            lines[i] = ind + "prefill_efficiency: " + fmt_eta(f["prefill"])
        elif s.startswith("per_layer_overhead:"):
            lines[i] = ind + f"per_layer_overhead: {f['tau'] * 1e6:.1f} us"
            # hop_overhead and bandwidth_cap follow per_layer_overhead.
            extra = []
            if "hop" in f:
                extra.append(ind + f"hop_overhead: {f['hop'] * 1e6:.1f} us")
            if f.get("cap"):
                extra.append(ind + f"bandwidth_cap: {f['cap'] / 1e9:.0f} GB/s")
            while i + 1 < end and lines[i + 1].strip().startswith(("hop_overhead:",
                                                                    "bandwidth_cap:")):
                del lines[i + 1]
                end -= 1
            lines[i + 1:i + 1] = extra
            end += len(extra)
            i += len(extra)
    return lines, start, end


def engine_override(fitted):
    """A descriptor file redefining llama.cpp with the given parameters."""
    lines, start, end = engine_lines(fitted)
    return "llmroof: 1\nengines:\n" + "\n".join(lines[start:end]) + "\n"


UNIT = {"etas": {"default": 1.0}, "tau": 0.0, "hop": 0.0, "prefill": {"default": 1.0}}


def run_tool(tool, catalogs, system, model, quant, w, ngl="99"):
    cmd = [tool, "estimate", "--system", system, "--model", model, "--quant", quant,
           "--prompt", str(w["prompt"]), "--gen", str(w["gen"]), "--depth", str(w["depth"]),
           "--ctx", str(w["ctx"]), "--ubatch", str(w["ubatch"]), "--split", w["split"],
           "--gpu-layers", ngl, "--no-flash-attn", "--override", "--json"]
    for c in catalogs:
        cmd += ["--catalog", c]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return json.loads(p.stdout), None


def transfers(js):
    """Transfers between devices per step on a discrete-GPU machine: host to
    the first GPU, GPU to GPU, and the logits back (docs/model.md).  None on
    a unified machine (no link)."""
    tiers = js["placement"]["tiers"]
    gpus = [t for t in tiers if t["kind"] == "accelerator" and (t["layers"] or t["has_output"])]
    if not gpus or js["decode"]["link_time_s"] == 0:
        return 0
    return len(gpus) + 1


def backend_of(js):
    kinds = {t["kind"] for t in js["placement"]["tiers"] if t["layers"] > 0}
    return "cpu" if kinds == {"host"} else "gpu"


def lstsq(rows, weights=None):
    """Weighted least squares for rows of (coeffs, target); normal equations."""
    n = len(rows[0][0])
    a = [[0.0] * n for _ in range(n)]
    b = [0.0] * n
    for k, (x, y) in enumerate(rows):
        w = weights[k] if weights else 1.0
        for i in range(n):
            b[i] += w * x[i] * y
            for j in range(n):
                a[i][j] += w * x[i] * x[j]
    # Gaussian elimination with partial pivoting.
    for i in range(n):
        p = max(range(i, n), key=lambda k: abs(a[k][i]))
        a[i], a[p], b[i], b[p] = a[p], a[i], b[p], b[i]
        if abs(a[i][i]) < 1e-300:
            raise ValueError("singular fit")
        for k in range(i + 1, n):
            f = a[k][i] / a[i][i]
            for j in range(i, n):
                a[k][j] -= f * a[i][j]
            b[k] -= f * b[i]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (b[i] - sum(a[i][j] * x[j] for j in range(i + 1, n))) / a[i][i]
    return x


def irls(rows, n):
    """Least absolute relative error (median regression) by iteratively
    reweighted least squares, over the columns the data can see; a column
    whose coefficient comes out negative (an overhead) is dropped (0)."""
    keep = [j for j in range(n) if any(x[j] for x, _ in rows)]
    while True:
        sub_rows = [([x[j] for j in keep], y) for x, y in rows]
        w = None
        for _ in range(40):
            sub = lstsq(sub_rows, w)
            res = [abs(sum(c * v for c, v in zip(x, sub)) - y) for x, y in sub_rows]
            w = [1.0 / max(r, 1e-3) for r in res]
        sol = [0.0] * n
        for j, v in zip(keep, sub):
            sol[j] = v
        neg = [j for j in keep if sol[j] < 0]
        if not neg:
            return sol, sum(res)
        keep = [j for j in keep if j != neg[0]]


def fit_decode(samples, kernels):
    """samples: dicts with a (memory time at efficiency 1, s), bw (device peak,
    B/s), L (layers), H (transfers between devices), c (link s), t (measured
    s), kernel.  Model (docs/model.md §5):
        t = a * max(1/eta_kernel, bw/cap) + L * tau + H * hop + c
    Unknowns 1/eta per kernel, tau, hop (linear, by IRLS) and cap (a grid)."""
    n = len(kernels) + 2
    best = None
    caps = [None] + [c * 1e9 for c in range(400, 4001, 25)]
    for cap in caps:
        y = {k: 1.0 for k in kernels}
        for _ in range(6):
            rows = []
            for s in samples:
                floor = s["bw"] / cap if cap else 0.0
                capped = floor > y[s["kernel"]]
                x = [s["a"] / s["t"] if (k == s["kernel"] and not capped) else 0.0 for k in kernels]
                x += [s["L"] / s["t"], s["H"] / s["t"]]
                fixed = s["c"] + (s["a"] * floor if capped else 0.0)
                rows.append((x, 1.0 - fixed / s["t"]))
            sol, err = irls(rows, n)
            y = {k: max(v, 1.0) if v else y[k] for k, v in zip(kernels, sol[:-2])}
        if best is None or err < best[0]:
            best = (err, cap, dict(y), sol[-2], sol[-1])
    _, cap, y, tau, hop = best
    etas = {k: 1.0 / v for k, v in y.items()}
    return etas, tau, hop, cap


def fit_scalar(samples):
    """t = a * y + f: least squares on relative error for one unknown y."""
    num = sum((s["a"] / s["t"]) * (1 - s["f"] / s["t"]) for s in samples)
    den = sum((s["a"] / s["t"]) ** 2 for s in samples)
    return num / den if den > 0 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--llmroof", default=os.path.join(ROOT, "build", "examples", "llmroof"))
    ap.add_argument("--data", default=os.path.join(HERE, "measured.csv"))
    ap.add_argument("--write", action="store_true", help="write fitted values to engines.yaml")
    ap.add_argument("--report", help="write the accuracy tables (markdown) here")
    ap.add_argument("--predictions", help="write every row's prediction (CSV) here")
    args = ap.parse_args()

    rows = list(csv.DictReader(open(args.data, encoding="utf-8")))
    listing = subprocess.run([args.llmroof, "list", "devices"], capture_output=True, text=True,
                             check=True).stdout.split("\n")[1:]
    known = {l.split()[0] for l in listing if l.strip()}
    systems, mapped, skipped = {}, [], {}
    for r in rows:
        m, why = map_row(r)
        if m:
            spec = m[0]
            needed = {spec.get("gpu"), spec.get("cpu"), GPU_HOST[0] if "gpu" in spec and
                      spec["gpu"] not in APPLE_CPU else APPLE_CPU.get(spec.get("gpu"))} - {None}
            if not needed <= known:
                m, why = None, "device not in catalog: " + ", ".join(sorted(needed - known))
        if not m:
            skipped[why] = skipped.get(why, 0) + 1
            continue
        spec, model, quant = m
        key = (spec.get("gpu") or spec.get("cpu")) + f"-x{spec.get('count', 1)}-{spec['memory'] or 'na'}"
        key = re.sub(r"[^A-Za-z0-9.+-]", "-", key)
        if key not in systems:
            systems[key] = system_yaml(key, spec)
        mapped.append((r, systems[key][0], model, quant))

    tmp = tempfile.mkdtemp(prefix="llmroof-cal-")
    sys_file = os.path.join(tmp, "systems.yaml")
    with open(sys_file, "w", encoding="utf-8") as f:
        f.write("llmroof: 1\nsystems:\n" + "".join(v[1] for v in systems.values()))
    unit_file = os.path.join(tmp, "unit-engine.yaml")
    with open(unit_file, "w", encoding="utf-8") as f:
        f.write(engine_override({b: UNIT for b in ("cuda", "rocm", "vulkan", "metal", "cpu")}))

    # Roofline at efficiency 1 for every row.
    data = []
    for r, sid, model, quant in mapped:
        w = row_workload(r)
        js, err = run_tool(args.llmroof, [sys_file, unit_file], sid, model, quant, w)
        if js is None:
            skipped["tool error: " + err[:80]] = skipped.get("tool error: " + err[:80], 0) + 1
            continue
        data.append({"row": r, "sid": sid, "model": model, "quant": quant, "w": w, "unit": js})

    # Each quant's kernel class, from the tool's listing (id first, then
    # bits/weight, kernel and quality as the last three columns).
    kernel_of = {}
    for line in subprocess.run([args.llmroof, "list", "quants"], capture_output=True,
                               text=True, check=True).stdout.split("\n")[1:]:
        cols = line.split()
        if len(cols) >= 4:
            kernel_of[cols[0]] = cols[-2]

    def fit_rows(backend):
        out = []
        for d in data:
            r, js = d["row"], d["unit"]
            if r["source_id"] not in FIT_SOURCES or r["status"] != "ok" or js["fit"] != "gpu" \
                    and backend != "cpu":
                continue
            if backend_of(js) != ("cpu" if backend == "cpu" else "gpu"):
                continue
            be = "metal" if r["backend"].startswith("Metal") else (
                "cpu" if r["backend"].startswith("CPU") else "cuda")
            if be != backend:
                continue
            out.append(d)
        return out

    fitted = {}
    report_lines = []
    for backend in ("cuda", "metal"):
        rows_b = fit_rows(backend)
        if not rows_b:
            continue
        samples = []
        for d in rows_b:
            js, r = d["unit"], d["row"]
            tg = float(r["tg_tok_s"]) if r["tg_tok_s"] else None
            if not tg:
                continue
            t0 = 1.0 / js["decode"]["tokens_per_s"]
            link = js["decode"]["link_time_s"]
            bw = max(t["bandwidth_bytes_per_s"] for t in js["placement"]["tiers"]
                     if t["kind"] == "accelerator")
            samples.append({"a": t0 - link, "c": link, "t": 1.0 / tg, "bw": bw,
                            "L": js["model"]["layers"], "H": transfers(js),
                            "kernel": kernel_of[d["quant"]]})
        kernels = sorted({s["kernel"] for s in samples})
        etas, tau, hop, cap = fit_decode(samples, kernels)
        # Prefill: compute-bound at efficiency 1, plus the fitted tau per ubatch.
        psamples = []
        for d in rows_b:
            js, r = d["unit"], d["row"]
            if not r["pp_tok_s"]:
                continue
            chunks = math.ceil(d["w"]["prompt"] / d["w"]["ubatch"])
            psamples.append({"a": js["prefill"]["ttft_s"], "t": d["w"]["prompt"] / float(r["pp_tok_s"]),
                             "f": chunks * (js["model"]["layers"] * tau + transfers(js) * hop),
                             "kernel": kernel_of[d["quant"]]})
        # One prefill efficiency per kernel class: quantized prompt processing
        # (llama.cpp's MMQ kernels) and F16 (cuBLAS) run at different rates.
        prefill = {}
        for k in sorted({s["kernel"] for s in psamples}):
            yp = fit_scalar([s for s in psamples if s["kernel"] == k])
            if yp:
                prefill[k] = min(1.0, 1.0 / yp)
        fitted[backend] = {"etas": etas, "tau": tau, "hop": hop, "cap": cap, "prefill": prefill,
                           "n_decode": len(samples), "n_prefill": len(psamples)}
        print(f"{backend}: decode efficiency {', '.join(f'{k} {v:.3f}' for k, v in etas.items())}; "
              f"per-layer overhead {tau * 1e6:.1f} us; hop overhead {hop * 1e6:.1f} us; "
              f"bandwidth cap {('%.0f GB/s' % (cap / 1e9)) if cap else 'none'}; "
              f"prefill efficiency {', '.join(f'{k} {v:.3f}' for k, v in prefill.items())}  "
              f"({len(samples)} decode rows, {len(psamples)} prefill rows)")

    # The CPU backend is not fitted: the fit sources have no CPU-only rows
    # (the few there are belong to held-out sources).
    if skipped:
        print("skipped rows:", "; ".join(f"{k}: {v}" for k, v in sorted(skipped.items())))

    if args.write:
        write_engines(fitted)
        print(f"wrote fitted values to {os.path.relpath(ENGINES, ROOT)}")

    if args.report or args.predictions:
        fit_file = os.path.join(tmp, "fitted-engine.yaml")
        with open(fit_file, "w", encoding="utf-8") as f:
            f.write(engine_override(fitted))
        score(args, data, [sys_file, fit_file])


def fmt_eta(etas):
    # default = the quantized kernels' efficiency (q4_k), f16 separately.
    default = etas.get("default", etas.get("q4_k", max(etas.values())))
    parts = [f"default: {default:.3f}"] + [f"{k}: {v:.3f}" for k, v in sorted(etas.items())
                                            if k != "default"]
    return "{" + ", ".join(parts) + "}"


def write_engines(fitted):
    lines, _, _ = engine_lines(fitted)
    # The calibration set has no MLX measurements: MLX's Metal backend takes
    # llama.cpp Metal's fitted values (engines.yaml says so in its source).
    if "metal" in fitted:
        lines, _, _ = engine_lines({"metal": fitted["metal"]}, "mlx", lines)
    open(ENGINES, "w", encoding="utf-8").write("\n".join(lines))


def ape(pred, meas):
    return abs(pred - meas) / meas * 100.0


def pct(v, q):
    v = sorted(v)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def score(args, data, catalogs):
    """Predict every row with the bundled (fitted) engine and score it."""
    out = []
    for d in data:
        r = d["row"]
        js, err = run_tool(args.llmroof, catalogs, d["sid"], d["model"], d["quant"], d["w"])
        if js is None:
            continue
        unit = d["unit"]
        # llmfit: bandwidth / (params x bytes per param) x 0.55, first GPU's bandwidth.
        tiers = [t for t in js["placement"]["tiers"] if t["layers"] > 0]
        bw = max(t["bandwidth_bytes_per_s"] for t in tiers) if tiers else 0
        bpp = js["model"]["bpw"] / 8.0
        llmfit = bw / (js["model"]["params"] * bpp) * 0.55 if bw else 0
        out.append({
            "row_id": r["row_id"], "source": r["source_id"], "category": r["category"],
            "set": "fit" if r["source_id"] in FIT_SOURCES else "holdout",
            "device": r["device"], "count": r["device_count"], "model": d["model"],
            "quant": d["quant"], "tg_test": r["tg_test"], "pp_test": r["pp_test"],
            "status": r["status"], "fit": js["fit"],
            "tg_meas": float(r["tg_tok_s"]) if r["tg_tok_s"] else None,
            "pp_meas": float(r["pp_tok_s"]) if r["pp_tok_s"] else None,
            "tg_pred": js["decode"]["tokens_per_s"], "pp_pred": js["prefill"]["tokens_per_s"],
            "tg_bound": unit["decode"]["bound_tokens_per_s"], "tg_llmfit": llmfit,
            "bound_by": js["decode"]["bound_by"],
        })
    if args.predictions:
        with open(args.predictions, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(out[0].keys()))
            w.writeheader()
            w.writerows(out)
    if not args.report:
        return
    L = []
    L.append("| set | category | metric | rows | llmroof median | llmroof p90 | roofline η=1 median | llmfit median |")
    L.append("|---|---|---|---|---|---|---|---|")
    for st in ("fit", "holdout"):
        for cat in ("single_gpu", "multi_gpu", "apple_silicon", "cpu_only"):
            sel = [o for o in out if o["set"] == st and o["category"] == cat and o["status"] == "ok"]
            tg = [o for o in sel if o["tg_meas"] and o["fit"] != "none"]
            if tg:
                e = [ape(o["tg_pred"], o["tg_meas"]) for o in tg]
                eb = [ape(o["tg_bound"], o["tg_meas"]) for o in tg]
                el = [ape(o["tg_llmfit"], o["tg_meas"]) for o in tg if o["tg_llmfit"]]
                L.append(f"| {st} | {cat} | decode | {len(tg)} | {pct(e, .5):.1f}% | {pct(e, .9):.1f}% "
                         f"| {pct(eb, .5):.1f}% | {pct(el, .5):.1f}% |")
            pp = [o for o in sel if o["pp_meas"] and o["fit"] != "none"]
            if pp:
                e = [ape(o["pp_pred"], o["pp_meas"]) for o in pp]
                L.append(f"| {st} | {cat} | prefill | {len(pp)} | {pct(e, .5):.1f}% | {pct(e, .9):.1f}% | – | – |")
    # Fit verdicts against measured out-of-memory outcomes.
    oom = [o for o in out if o["status"] == "OOM"]
    ok = [o for o in out if o["status"] == "ok"]
    # A run on GPUs should be "gpu"; a CPU-only run holds everything in host
    # RAM, which the tool calls "offload".
    def runs(o):
        return o["fit"] == ("offload" if o["category"] == "cpu_only" else "gpu")
    oom_right = sum(1 for o in oom if not runs(o))
    ok_right = sum(1 for o in ok if runs(o))
    L.append("")
    L.append(f"Fit verdicts (all layers on the GPU requested): {oom_right} of {len(oom)} "
             f"measured out-of-memory runs predicted not to fit; {ok_right} of {len(ok)} "
             f"runs that ran predicted to fit.  Misses: "
             + "; ".join(f"row {o['row_id']} ({o['device']} x{o['count']}, {o['model']} "
                         f"{o['quant']}: measured {o['status']}, predicted {o['fit']})"
                         for o in oom + ok if runs(o) == (o["status"] == "OOM")) + ".")
    # Signed median error per measured configuration.
    groups = {}
    for o in ok:
        if o["tg_meas"] and o["fit"] != "none":
            groups.setdefault((o["set"], o["device"], o["count"]), []).append(
                (o["tg_pred"] - o["tg_meas"]) / o["tg_meas"] * 100)
    L.append("")
    L.append("Decode error by configuration (signed median: + means llmroof predicts faster "
             "than measured):")
    L.append("")
    L.append("| set | device | GPUs | rows | median error |")
    L.append("|---|---|---|---|---|")
    for (st, dev, cnt), v in sorted(groups.items()):
        L.append(f"| {st} | {dev} | {cnt} | {len(v)} | {statistics.median(v):+.0f}% |")
    # Worst rows.
    worst = sorted((o for o in ok if o["tg_meas"] and o["fit"] != "none"),
                   key=lambda o: -ape(o["tg_pred"], o["tg_meas"]))[:10]
    L.append("")
    L.append("Worst decode rows:")
    L.append("")
    L.append("| row | set | device | GPUs | model | quant | test | measured | predicted | error | bound by |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for o in worst:
        L.append(f"| {o['row_id']} | {o['set']} | {o['device']} | {o['count']} | {o['model']} | {o['quant']} "
                 f"| {o['tg_test']} | {o['tg_meas']:.1f} | {o['tg_pred']:.1f} "
                 f"| {(o['tg_pred'] - o['tg_meas']) / o['tg_meas'] * 100:+.0f}% | {o['bound_by']} |")
    text = "\n".join(L) + "\n"
    # Into docs/accuracy.md between its markers, or a file of its own.
    begin, end = "<!-- BEGIN fit.py report -->\n", "<!-- END fit.py report -->"
    old = open(args.report, encoding="utf-8").read() if os.path.exists(args.report) else ""
    if begin in old and end in old:
        text = old[: old.index(begin) + len(begin)] + text + old[old.index(end):]
    open(args.report, "w", encoding="utf-8").write(text)
    print(f"wrote {args.report}")


if __name__ == "__main__":
    main()
