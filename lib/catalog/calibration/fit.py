#!/usr/bin/env python3
"""Fit the engines' efficiencies to measured results and score the model.

    python3 lib/catalog/calibration/fit.py [--llmroof build/examples/llmroof]
        [--write] [--report docs/accuracy.md] [--predictions FILE.csv]
        [--plot docs/accuracy.svg]

What it does (docs/accuracy.md explains why):
  1. reads every measured*.csv beside this script (published llama-bench,
     mlx-lm, vLLM ... results, each row with its source; SOURCES.md says
     what each file is) and maps each row's hardware, model and quant to
     catalog ids (hardware.py);
  2. for each row, asks the llmroof tool for the roofline at efficiency 1 and
     no overheads (an engine override written to a temporary file), with the
     row's own workload: prompt and generation lengths, depth, ubatch, GPU
     count, split mode, GPU layers, flash attention, backend and engine;
  3. fits, per engine and backend, a few physical parameters by least
     absolute relative error of *time* per token:
        t = a * max(1/eta_kernel, bw/cap) + L*tau + H*hop + links   (decode)
        t = a_p / eta_prefill_kernel + ubatches * (L*tau + H*hop)   (prefill)
     on the rows of the FIT sources only (split by source, never by row);
  4. with --write, puts the fitted values into lib/catalog/engines.yaml;
  5. with --report, scores every row -- fit and held-out sources -- with the
     fitted parameters and with the peer formulas (peers.py), and writes the
     tables; --plot draws predicted against measured with gnuplot.

Standard library only.  Deterministic.
"""
import argparse
import csv
import glob
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hardware  # noqa: E402  (catalog ids of the measured hardware)
import peers  # noqa: E402  (the other estimators' formulas)

ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
ENGINES = os.path.join(ROOT, "lib", "catalog", "engines.yaml")
BACKENDS = ("cuda", "rocm", "vulkan", "metal", "sycl", "cpu")
CATEGORIES = ("single_gpu", "multi_gpu", "multi_gpu_row", "apple_silicon", "partial_offload",
              "cpu_only")

# The sources that train each engine backend's parameters; every other row
# of that backend is held out.  The split is by source, never by row
# (docs/accuracy.md, "Method"): a backend is fitted on one or two sources and
# scored on the others.
FIT_SOURCES = {
    ("llama.cpp", "cuda"): {"xiongjiedai_readme_llama3", "xiongjiedai_notebook_llama3"},
    ("llama.cpp", "metal"): {"xiongjiedai_readme_llama3", "xiongjiedai_notebook_llama3",
                             "llamacpp_disc4167"},
    ("llama.cpp", "cpu"): {"xiongjiedai_readme_llama12", "xiongjiedai_readme_appendix_mac"},
    ("llama.cpp", "vulkan"): {"geerlingguy_ai_benchmarks"},
    ("llama.cpp", "rocm"): {"mixa3607_ml_gfx906_llamacpp"},
    ("mlx", "metal"): {"nexveridian_m4max_lmstudio"},
    ("exllamav2", "cuda"): {"turboderp_exllamav2_readme"},
    ("vllm", "cuda"): {"premai_benchmarks_llama2_a100"},
}


# (engine, backend) pairs that had enough fit rows to be fitted (main()).
FITTED = set()


def is_fit(d):
    return d["row"]["source_id"] in FIT_SOURCES.get((d["engine"], d["backend"]), ())


# ---------------------------------------------------------------- rows

def load_rows(paths):
    rows = []
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                r["_key"] = f"{stem}:{r['row_id']}"
                rows.append(r)
    return rows


def tokens(test):
    """'pp512' / 'tg128' / 'eval (1023 tokens)' / 'prompt 260 tokens' /
    '309 generated tokens after ...' -> 512 / 128 / 1023 / 260 / 309."""
    t = test or ""
    for pat in (r"^\s*(?:pp|tg)(\d+)", r"\((\d+) tokens\)", r"of (\d+) tokens",
                r"prompt (\d+) tokens", r"^\s*(\d+) generated tokens", r"^\s*(\d+) tokens"):
        m = re.search(pat, t)
        if m:
            return int(m.group(1))
    return None


def depth_of(test, default):
    """Tokens already in the context when a test starts: llama-bench's
    '@ d32768', or generation 'after a 260-token prompt' / 'after an 18K-token
    prompt'."""
    t = test or ""
    m = re.search(r"@ d(\d+)", t)
    if m:
        return int(m.group(1))
    m = re.search(r"after (?:a|an|the) ([0-9.]+)([kK]?)-?(?:token)? ?prompt", t)
    if m:
        return int(float(m.group(1)) * (1000 if m.group(2) else 1))
    return default


def first_int(text):
    m = re.match(r"\s*(\d+)", text or "")
    return int(m.group(1)) if m else None


def backend_of_row(r):
    b = (r.get("backend") or "").strip().lower()
    for name, key in (("cuda", "cuda"), ("hip", "rocm"), ("rocm", "rocm"), ("vulkan", "vulkan"),
                      ("metal", "metal"), ("mlx", "metal"), ("sycl", "sycl"), ("cpu", "cpu")):
        if b.startswith(name):
            return key
    return None


def engine_of_row(r):
    e = (r.get("engine") or "llama.cpp").strip().lower()
    for name in ("llama.cpp", "mlx", "vllm", "exllamav2", "mlc"):
        if e.startswith(name):
            return name
    return e


def split_of_row(r):
    s = (r.get("split_mode") or "").lower()
    if "legacy" in s or s.startswith("row"):
        return "row"
    if s.startswith("tensor") or s.startswith("tp"):
        return "tensor"
    if s.startswith("none"):
        return "none"
    return "layer"


def row_workload(r):
    """llama-bench semantics for the tool: prompt, gen, depth, ctx, ubatch,
    split, GPU layers, flash attention."""
    legacy = r["source_id"] == "xiongjiedai_readme_llama12"
    p, g = tokens(r["pp_test"]), tokens(r["tg_test"])
    d0 = first_int(r.get("context_depth")) or 0
    w = {"prompt": p or 512, "gen": g or 128, "depth": depth_of(r["tg_test"], d0),
         "pp_depth": depth_of(r["pp_test"], 0 if "after" in (r["tg_test"] or "") else d0),
         "ubatch": 512, "split": split_of_row(r), "ngl": "99", "fa": False}
    if r["source_id"] == "xiongjiedai_readme_appendix_mac":
        w.update(prompt=256, gen=256)
    if legacy:
        # ./main with n_ctx 512: generation keeps shifting the context, so
        # it runs at 256-512 cached tokens; model it as 256 tokens from 256.
        w.update(prompt=min(p or 494, 494), gen=256, depth=256, pp_depth=0)
    bu = r.get("batch_ubatch") or ""
    if "/" in bu:
        w["ubatch"] = int(bu.split("/")[1])
    elif first_int(bu):
        w["ubatch"] = first_int(bu)
    ngl = r.get("n_gpu_layers") or ""
    n = first_int(ngl)
    if n is not None and n < 99:
        w["ngl"] = str(n)
    fa = (r.get("flash_attn") or "").strip().lower()
    if fa:
        w["fa"] = fa in ("1", "on", "true", "yes", "auto", "-1")
    else:
        # Not stated: llama-bench ran without flash attention until its
        # default became "auto" (on where supported) in August 2025, llama.cpp
        # PR 15434; rows dated from September 2025 on are taken as on.  The
        # other engines always use fused (flash-style) attention.
        m = re.match(r"(\d{4})-(\d{2})", r.get("measured_date") or "")
        w["fa"] = engine_of_row(r) != "llama.cpp" or bool(m and (int(m.group(1)), int(m.group(2)))
                                                       >= (2025, 9))
    if ngl and n is None and "cpu" in ngl.lower():
        w["ngl"] = "0"
    w["ctx"] = max(w["depth"], w["pp_depth"]) + max(w["prompt"], w["gen"])
    return w


def system_yaml(sid, spec):
    """A descriptor for the measured machine: accelerators, links, host."""
    out = [f"  {sid}:", f"    name: calibration {sid}"]
    if spec.get("gpu"):
        out.append(f"    accelerators: [{{device: {spec['gpu']}, count: {spec['count']}}}]")
        if spec["count"] > 1:
            out.append(f"    gpu_link: {spec['gpu_link']}")
        if spec.get("host_link"):
            out.append(f"    host_link: {spec['host_link']}")
    host = spec["host"]["id"] if isinstance(spec["host"], dict) else spec["host"]
    out.append(f"    host: {{device: {host}, memory: {spec['host_memory']}}}")
    return "\n".join(out) + "\n"


def host_yaml(h):
    """A generated host device (hardware.generated_host) in catalog YAML."""
    return (f"  {h['id']}:\n    name: calibration host {h['id']}\n    kind: cpu\n"
            f"    bandwidth: {h['bandwidth'] / 1e9:.4g} GB/s\n"
            f"    compute: {{f16: {h['compute'] / 1e12:.4g} TFLOPS}}\n")


# ---------------------------------------------------------------- the tool

def engine_block(name, lines):
    start = next((i for i, l in enumerate(lines) if l.strip() == name + ":"), None)
    if start is None:
        return None, None
    end = start + 1
    while end < len(lines) and not re.match(r"  \S", lines[end]):
        end += 1
    return start, end


def engine_lines(fitted, name, lines):
    """engines.yaml lines with engine `name`'s backends set from `fitted`:
    backend -> {"etas", "tau", "hop", "cap", "prefill"}; other backends and
    engines keep their lines."""
    start, end = engine_block(name, lines)
    if start is None:
        return lines
    lines = list(lines)
    backend = None
    i = start
    while i + 1 < end:
        i += 1
        s = lines[i].strip()
        m = re.match(r"(cuda|rocm|vulkan|metal|sycl|cpu):$", s)
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
    return lines


def engines_override(fitted_by_engine, lines=None):
    """A descriptor file redefining every engine with the given parameters."""
    if lines is None:
        lines = open(ENGINES, encoding="utf-8").read().split("\n")
    for name, fitted in fitted_by_engine.items():
        lines = engine_lines(fitted, name, lines)
    body = lines[next(i for i, l in enumerate(lines) if l.strip() == "engines:"):]
    return "llmroof: 1\n" + "\n".join(body) + "\n", lines


def unit_fitted(lines):
    """Every engine and backend at efficiency 1 and no overheads."""
    unit = {"etas": {"default": 1.0}, "tau": 0.0, "hop": 0.0, "prefill": {"default": 1.0}}
    names = [l.strip()[:-1] for l in lines if re.match(r"  \S.*:$", l)]
    return {n: {b: unit for b in BACKENDS} for n in names}


def run_tool(tool, catalogs, system, model, quant, w, engine, backend=None):
    """The tool's JSON for a row; when its prompt and its generation start
    at different depths, prefill comes from a second run at the prompt's."""
    js, err = run_once(tool, catalogs, system, model, quant, w, engine, backend, w["depth"])
    if js is None or w["pp_depth"] == w["depth"]:
        return js, err
    pp, err = run_once(tool, catalogs, system, model, quant, w, engine, backend, w["pp_depth"])
    if pp is None:
        return None, err
    js["prefill"] = pp["prefill"]
    return js, None


def run_once(tool, catalogs, system, model, quant, w, engine, backend, depth):
    cmd = [tool, "estimate", "--system", system, "--model", model, "--quant", quant,
           "--prompt", str(w["prompt"]), "--gen", str(w["gen"]), "--depth", str(depth),
           "--ctx", str(w["ctx"]), "--ubatch", str(w["ubatch"]), "--split", w["split"],
           "--gpu-layers", w["ngl"], "--engine", engine, "--override", "--json"]
    cmd.append("--flash-attn" if w["fa"] else "--no-flash-attn")
    if backend:
        cmd += ["--backend", backend]
    for c in catalogs:
        cmd += ["--catalog", c]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return json.loads(p.stdout), None


def transfers(js):
    """Transfers between devices per step on a discrete-GPU machine: host to
    the first GPU, GPU to GPU, and the logits back (docs/model.md).  0 on a
    machine with no link in use."""
    tiers = js["placement"]["tiers"]
    gpus = [t for t in tiers if t["kind"] == "accelerator" and (t["layers"] or t["has_output"])]
    if not gpus or js["decode"]["link_time_s"] == 0:
        return 0
    return len(gpus) + 1


def category_of(r, js):
    """The accuracy report's category, from what the tool placed where."""
    tiers = js["placement"]["tiers"]
    acc = [t for t in tiers if t["kind"] == "accelerator"]
    host_layers = sum(t["layers"] for t in tiers if t["kind"] == "host")
    if not acc:
        return "cpu_only"
    if host_layers > 0:
        return "partial_offload"
    if any(t["device"].startswith("m") and "apple" in (r.get("device") or "").lower() for t in acc):
        return "apple_silicon"
    if len([t for t in acc if t["layers"]]) > 1:
        return "multi_gpu_row" if js["placement"]["split"] == "row" else "multi_gpu"
    return "single_gpu"


# ---------------------------------------------------------------- fitting

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


def fit_decode(samples, kernels, with_cap):
    """samples: dicts with a (memory time at efficiency 1, s), bw (device peak,
    B/s), L (layers), H (transfers between devices), c (link s), t (measured
    s), kernel.  Model (docs/model.md §5):
        t = a * max(1/eta_kernel, bw/cap) + L * tau + H * hop + c
    Unknowns 1/eta per kernel, tau, hop (linear, by IRLS) and cap (a grid)."""
    n = len(kernels) + 2
    best = None
    caps = [None] + ([c * 1e9 for c in range(400, 4001, 25)] if with_cap else [])
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


MIN_FIT_ROWS = 8  # fewer rows than this leave a backend at its starting values
# A kernel class gets an efficiency of its own only with this many decode
# rows; rarer classes share the backend's "default" (a few rows cannot
# separate a kernel's efficiency from the overheads).
MIN_KERNEL_ROWS = 6
# The bandwidth cap is separable from the efficiencies only across devices
# of different bandwidths.
MIN_CAP_DEVICES = 3


def fit_group(rows_b, kernel_of, with_cap):
    samples = []
    for d in rows_b:
        js, r = d["unit"], d["row"]
        if not d["tg"]:
            continue
        t0 = 1.0 / js["decode"]["tokens_per_s"]
        link = js["decode"]["link_time_s"]
        acc = [t["bandwidth_bytes_per_s"] for t in js["placement"]["tiers"]
               if t["kind"] == "accelerator" and t["layers"]]
        bw = max(acc) if acc else max(t["bandwidth_bytes_per_s"] for t in js["placement"]["tiers"])
        samples.append({"a": t0 - link, "c": link, "t": 1.0 / d["tg"], "bw": bw,
                        "L": js["model"]["layers"], "H": transfers(js),
                        "kernel": kernel_of[d["quant"]]})
    if len(samples) < MIN_FIT_ROWS:
        return None
    count = {}
    for s in samples:
        count[s["kernel"]] = count.get(s["kernel"], 0) + 1
    for s in samples:
        if count[s["kernel"]] < MIN_KERNEL_ROWS:
            s["kernel"] = "default"
    kernels = sorted({s["kernel"] for s in samples})
    with_cap = with_cap and len({s["bw"] for s in samples}) >= MIN_CAP_DEVICES
    try:
        etas, tau, hop, cap = fit_decode(samples, kernels, with_cap)
    except ValueError:
        return None
    psamples = []
    for d in rows_b:
        js = d["unit"]
        if not d["pp"]:
            continue
        chunks = math.ceil(d["w"]["prompt"] / d["w"]["ubatch"])
        psamples.append({"a": js["prefill"]["ttft_s"], "t": d["w"]["prompt"] / d["pp"],
                         "f": chunks * (js["model"]["layers"] * tau + transfers(js) * hop),
                         "kernel": kernel_of[d["quant"]]})
    # One prefill efficiency per kernel class: quantized prompt processing
    # (llama.cpp's MMQ kernels) and F16 (cuBLAS) run at different rates.
    for s in psamples:
        if count.get(s["kernel"], 0) < MIN_KERNEL_ROWS:
            s["kernel"] = "default"
    prefill = {}
    for k in sorted({s["kernel"] for s in psamples}):
        yp = fit_scalar([s for s in psamples if s["kernel"] == k])
        if yp:
            prefill[k] = min(1.0, 1.0 / yp)
    return {"etas": etas, "tau": tau, "hop": hop, "cap": cap, "prefill": prefill,
            "n_decode": len(samples), "n_prefill": len(psamples)}


NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")


def same_up_to_rounding(a, b):
    """Two engines.yaml lines equal but for the last printed digit of their
    numbers (another compiler or sanitizer build may round differently),
    or for 0.5 % of a value."""
    if a == b:
        return True
    na, nb = list(NUMBER.finditer(a)), list(NUMBER.finditer(b))
    if len(na) != len(nb) or NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    for x, y in zip(na, nb):
        digits = max(len(x.group(1) or ""), len(y.group(1) or ""))
        fx, fy = float(x.group(0)), float(y.group(0))
        if abs(fx - fy) > max(0.005 * max(abs(fx), abs(fy)), 1.01 * 10 ** -digits):
            return False
    return True


def fmt_eta(etas):
    # default = the quantized kernels' efficiency (q4_k if fitted), others listed.
    default = etas.get("default", etas.get("q4_k", statistics.median(etas.values())))
    parts = [f"default: {default:.3f}"] + [f"{k}: {v:.3f}" for k, v in sorted(etas.items())
                                            if k != "default"]
    return "{" + ", ".join(parts) + "}"


# ---------------------------------------------------------------- scoring

def ape(pred, meas):
    return abs(pred - meas) / meas * 100.0


def pct(v, q):
    v = sorted(v)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def fmt_pct(v):
    return "–" if v != v else f"{v:.1f}%"


PEERS = (("tg_bound", "roofline η=1"), ("tg_llmfit", "llmfit"), ("tg_ggufparser", "gguf-parser"))


def score(args, data, catalogs):
    """Predict every row with the fitted engines and score it."""
    out = []
    for d in data:
        r = d["row"]
        js, err = run_tool(args.llmroof, catalogs, d["sid"], d["model"], d["quant"], d["w"],
                           d["engine"], d["backend_flag"])
        if js is None:
            continue
        unit = d["unit"]
        o = {
            "key": r["_key"], "source": r["source_id"], "category": d["category"],
            "set": "fit" if is_fit(d) and (d["engine"], d["backend"]) in FITTED else "holdout",
            "device": r["device"], "count": r["device_count"] or "1", "model": d["model"],
            "quant": d["quant"], "engine": d["engine"], "backend": d["backend"],
            "tg_test": r["tg_test"], "pp_test": r["pp_test"], "status": r["status"],
            "fit": js["fit"], "tg_meas": d["tg"], "pp_meas": d["pp"],
            "tg_pred": js["decode"]["tokens_per_s"], "pp_pred": js["prefill"]["tokens_per_s"],
            "tg_bound": unit["decode"]["tokens_per_s"], "pp_bound": unit["prefill"]["tokens_per_s"],
            "bound_by": js["decode"]["bound_by"],
        }
        o["tg_llmfit"] = peers.llmfit_tps(js)
        o["tg_ggufparser"] = peers.gguf_parser_tps(js, d["machine"])
        out.append(o)
    if args.predictions:
        with open(args.predictions, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(out[0].keys()))
            w.writeheader()
            w.writerows(out)
    if args.plot:
        plot(out, args.plot)
    if args.report:
        report(out, args.report)
    return out


def summary_table(out, L):
    heads = " | ".join(f"{name} median" for _, name in PEERS)
    L.append(f"| set | category | metric | rows | llmroof median | llmroof p90 | {heads} |")
    L.append("|---|---|---|---|---|---|" + "---|" * len(PEERS))
    for st in ("fit", "holdout"):
        for cat in CATEGORIES:
            sel = [o for o in out if o["set"] == st and o["category"] == cat and o["status"] == "ok"
                   and o["fit"] != "none"]
            tg = [o for o in sel if o["tg_meas"]]
            if tg:
                e = [ape(o["tg_pred"], o["tg_meas"]) for o in tg]
                cols = []
                for key, _ in PEERS:
                    ep = [ape(o[key], o["tg_meas"]) for o in tg if o[key]]
                    cols.append(fmt_pct(pct(ep, .5)))
                L.append(f"| {st} | {cat} | decode | {len(tg)} | {fmt_pct(pct(e, .5))} "
                         f"| {fmt_pct(pct(e, .9))} | " + " | ".join(cols) + " |")
            pp = [o for o in sel if o["pp_meas"]]
            if pp:
                e = [ape(o["pp_pred"], o["pp_meas"]) for o in pp]
                eb = [ape(o["pp_bound"], o["pp_meas"]) for o in pp]
                L.append(f"| {st} | {cat} | prefill | {len(pp)} | {fmt_pct(pct(e, .5))} "
                         f"| {fmt_pct(pct(e, .9))} | {fmt_pct(pct(eb, .5))} |"
                         + " – |" * (len(PEERS) - 1))
    for metric, mk, pk in (("decode", "tg_meas", "tg_pred"), ("prefill", "pp_meas", "pp_pred")):
        sel = [o for o in out if o["set"] == "holdout" and o["status"] == "ok" and o[mk]
               and o["fit"] != "none"]
        if sel:
            e = [ape(o[pk], o[mk]) for o in sel]
            L.append(f"| holdout | **all** | {metric} | {len(sel)} | {fmt_pct(pct(e, .5))} "
                     f"| {fmt_pct(pct(e, .9))} |" + " |" * len(PEERS))


def sources_table(out, L):
    """Which source fits or tests which engine backend, with its row counts."""
    groups = {}
    for o in out:
        k = (o["source"], o["engine"], o["backend"], o["set"])
        groups[k] = groups.get(k, 0) + 1
    L.append("| source | engine | backend | role | rows scored |")
    L.append("|---|---|---|---|---|")
    for (src, eng, be, st), n in sorted(groups.items()):
        L.append(f"| {src} | {eng} | {be} | {'fit' if st == 'fit' else 'held out'} | {n} |")
    L.append("")


def report(out, path):
    L = []
    sources_table(out, L)
    summary_table(out, L)
    # Fit verdicts against measured out-of-memory outcomes.
    oom = [o for o in out if o["status"] == "OOM"]
    ok = [o for o in out if o["status"] == "ok"]

    def runs(o):
        return o["fit"] == ("offload" if o["category"] in ("cpu_only", "partial_offload")
                            else "gpu")
    oom_right = sum(1 for o in oom if not runs(o))
    ok_right = sum(1 for o in ok if runs(o))
    misses = [o for o in oom + ok if runs(o) == (o["status"] == "OOM")]
    L.append("")
    L.append(f"Fit verdicts: {oom_right} of {len(oom)} measured out-of-memory runs predicted "
             f"not to fit; {ok_right} of {len(ok)} runs that ran predicted to fit as they ran.  "
             "Misses: " + ("; ".join(f"{o['key']} ({o['device']} x{o['count']}, {o['model']} "
                                     f"{o['quant']}: measured {o['status']}, predicted {o['fit']})"
                                     for o in misses) or "none") + ".")
    # Signed median error per measured configuration.
    groups = {}
    for o in ok:
        if o["tg_meas"] and o["fit"] != "none":
            groups.setdefault((o["set"], o["source"], o["engine"], o["backend"], o["device"],
                               o["count"]), []).append(
                (o["tg_pred"] - o["tg_meas"]) / o["tg_meas"] * 100)
    L.append("")
    L.append("Decode error by source and configuration (signed median: + means llmroof "
             "predicts faster than measured):")
    L.append("")
    L.append("| set | source | engine | backend | device | GPUs | rows | median error |")
    L.append("|---|---|---|---|---|---|---|---|")
    for (st, src, eng, be, dev, cnt), v in sorted(groups.items()):
        L.append(f"| {st} | {src} | {eng} | {be} | {dev} | {cnt} | {len(v)} "
                 f"| {statistics.median(v):+.0f}% |")
    for metric, mk, pk in (("decode", "tg_meas", "tg_pred"), ("prefill", "pp_meas", "pp_pred")):
        worst = sorted((o for o in ok if o[mk] and o["fit"] != "none" and o["set"] == "holdout"),
                       key=lambda o: -ape(o[pk], o[mk]))[:12]
        L.append("")
        L.append(f"Worst held-out {metric} rows:")
        L.append("")
        L.append("| row | category | device | GPUs | model | quant | test | measured | predicted "
                 "| error | bound by |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for o in worst:
            test = o["tg_test"] if metric == "decode" else o["pp_test"]
            L.append(f"| {o['key']} | {o['category']} | {o['device']} | {o['count']} | {o['model']} "
                     f"| {o['quant']} | {test} | {o[mk]:.1f} | {o[pk]:.1f} "
                     f"| {(o[pk] - o[mk]) / o[mk] * 100:+.0f}% | {o['bound_by']} |")
    text = "\n".join(L) + "\n"
    # Into docs/accuracy.md between its markers, or a file of its own.
    begin, end = "<!-- BEGIN fit.py report -->\n", "<!-- END fit.py report -->"
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    if begin in old and end in old:
        text = old[: old.index(begin) + len(begin)] + text + old[old.index(end):]
    open(path, "w", encoding="utf-8").write(text)
    print(f"wrote {path}")


def plot(out, path):
    """Predicted against measured decode and prefill, held-out rows, one
    colour per category, drawn by gnuplot (plot.gp)."""
    tmp = tempfile.mkdtemp(prefix="llmroof-plot-")
    ranges = {}
    for metric, mk, pk in (("decode", "tg_meas", "tg_pred"), ("prefill", "pp_meas", "pp_pred")):
        vals = []
        for cat in CATEGORIES:
            with open(os.path.join(tmp, f"{metric}-{cat}.dat"), "w", encoding="utf-8") as f:
                for o in out:
                    if o["set"] == "holdout" and o["category"] == cat and o["status"] == "ok" \
                            and o[mk] and o["fit"] != "none" and o[pk] > 0:
                        f.write(f"{o[mk]:.6g} {o[pk]:.6g}\n")
                        vals += [o[mk], o[pk]]
        lo = 10 ** math.floor(math.log10(min(vals))) if vals else 1
        hi = 10 ** math.ceil(math.log10(max(vals))) if vals else 10
        ranges[metric] = (lo, hi)
    term = "svg size 1100,520 dynamic font 'Helvetica,12'" if path.endswith(".svg") \
        else "pngcairo size 1100,520"
    (dlo, dhi), (plo, phi) = ranges["decode"], ranges["prefill"]
    subprocess.run(["gnuplot", "-e", f"data='{tmp}'; out='{path}'; term=\"{term}\"; "
                    f"dlo={dlo}; dhi={dhi}; plo={plo}; phi={phi}",
                    os.path.join(HERE, "plot.gp")], check=True)
    print(f"wrote {path}")


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--llmroof", default=os.path.join(ROOT, "build", "examples", "llmroof"))
    ap.add_argument("--data", nargs="*", help="measured CSV files (default: measured*.csv here)")
    ap.add_argument("--write", action="store_true", help="write fitted values to engines.yaml")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless engines.yaml holds exactly what the fit gives")
    ap.add_argument("--report", help="write the accuracy tables (markdown) here")
    ap.add_argument("--predictions", help="write every row's prediction (CSV) here")
    ap.add_argument("--plot", help="draw predicted vs measured (held-out rows) here, .svg or .png")
    args = ap.parse_args()

    # measured-train.csv (fit_train.py) and measured-images.csv (fit_images.py)
    # are the fine-tuning and image estimates' data, not llama-bench rows.
    paths = args.data or sorted(p for p in glob.glob(os.path.join(HERE, "measured*.csv"))
                                if os.path.basename(p) not in ("measured-train.csv",
                                                               "measured-images.csv"))
    rows = load_rows(paths)
    listing = subprocess.run([args.llmroof, "list", "devices"], capture_output=True, text=True,
                             check=True).stdout.split("\n")[1:]
    known = {l.split()[0] for l in listing if l.strip()}
    dev_backend, dev_memory = {}, {}
    for l in listing:
        m = re.match(r"\s*(\S+)\s.*?\s(?:gpu|unified)\s+(\S+)\s+([0-9.]+) GiB", l)
        if m:
            dev_backend[m.group(1)] = m.group(2)
            dev_memory[m.group(1)] = m.group(3) + " GiB"
    models_known = {l.split()[0] for l in subprocess.run(
        [args.llmroof, "list", "models"], capture_output=True, text=True,
        check=True).stdout.split("\n")[1:] if l.strip()}
    # Each quant's kernel class, from the tool's listing (id first, then
    # bits/weight, kernel and quality as the last three columns).
    kernel_of = {}
    for line in subprocess.run([args.llmroof, "list", "quants"], capture_output=True,
                               text=True, check=True).stdout.split("\n")[1:]:
        cols = line.split()
        if len(cols) >= 4:
            kernel_of[cols[0]] = cols[-2]

    systems, hosts, mapped, skipped = {}, {}, [], {}

    def skip(why):
        skipped[why] = skipped.get(why, 0) + 1

    for r in rows:
        spec, why = hardware.machine(r)
        if not spec:
            skip(why)
            continue
        if spec.get("host_memory") is None:
            spec["host_memory"] = dev_memory.get(spec.get("gpu"), "64 GiB")
        gen_host = spec["host"] if isinstance(spec["host"], dict) else None
        if gen_host:
            hosts[gen_host["id"]] = host_yaml(gen_host)
        needed = {spec.get("gpu"), None if gen_host else spec["host"]} - {None}
        if not needed <= known:
            skip("device not in catalog: " + ", ".join(sorted(needed - known)))
            continue
        model = hardware.model(r["model"])
        if not model or model not in models_known:
            skip(f"model not in catalog: {r['model']}")
            continue
        quant = hardware.quant(r["quant"], kernel_of)
        if not quant:
            skip(f"quant not in catalog: {r['quant']}")
            continue
        backend = backend_of_row(r)
        if not backend:
            skip(f"backend not known: {r.get('backend')}")
            continue
        key = re.sub(r"[^A-Za-z0-9.+-]", "-", "cal-" + "-".join(
            str(spec.get(k) or "") for k in ("gpu", "count", "gpu_link", "host_memory"))
            + "-" + (gen_host["id"] if gen_host else spec["host"]))[:63]
        if key not in systems:
            systems[key] = system_yaml(key, spec)
        own = dev_backend.get(spec.get("gpu"))
        flag = backend if spec.get("gpu") and backend != "cpu" and backend != own else None
        mapped.append({"row": r, "sid": key, "model": model, "quant": quant, "machine": spec,
                       "engine": engine_of_row(r), "backend": backend, "backend_flag": flag})

    tmp = tempfile.mkdtemp(prefix="llmroof-cal-")
    sys_file = os.path.join(tmp, "systems.yaml")
    with open(sys_file, "w", encoding="utf-8") as f:
        f.write("llmroof: 1\n" + ("devices:\n" + "".join(hosts.values()) if hosts else "")
                + "systems:\n" + "".join(systems.values()))
    lines = open(ENGINES, encoding="utf-8").read().split("\n")
    unit_text, _ = engines_override(unit_fitted(lines), lines)
    unit_file = os.path.join(tmp, "unit-engines.yaml")
    with open(unit_file, "w", encoding="utf-8") as f:
        f.write(unit_text)

    # Roofline at efficiency 1 for every row.
    data = []
    for d in mapped:
        r = d["row"]
        d["w"] = row_workload(r)
        js, err = run_tool(args.llmroof, [sys_file, unit_file], d["sid"], d["model"], d["quant"],
                           d["w"], d["engine"], d["backend_flag"])
        if js is None:
            skip("tool error: " + err[:90])
            continue
        d["unit"] = js
        d["category"] = category_of(r, js)
        d["tg"] = float(r["tg_tok_s"]) if r.get("tg_tok_s") else None
        d["pp"] = float(r["pp_tok_s"]) if r.get("pp_tok_s") else None
        data.append(d)

    def fit_rows(engine, backend):
        out = []
        for d in data:
            r, js = d["row"], d["unit"]
            if d["engine"] != engine or d["backend"] != backend:
                continue
            if not is_fit(d) or r["status"] != "ok":
                continue
            # Only whole placements train: all on the GPUs, or all on the CPU.
            if d["category"] == "partial_offload" or d["category"] == "multi_gpu_row":
                continue
            if (d["category"] == "cpu_only") != (backend == "cpu"):
                continue
            out.append(d)
        return out

    fitted = {}
    for engine in sorted({d["engine"] for d in data}):
        for backend in BACKENDS:
            rows_b = fit_rows(engine, backend)
            if not rows_b:
                continue
            f = fit_group(rows_b, kernel_of, with_cap=backend not in ("cpu", "metal"))
            if not f:
                continue
            fitted.setdefault(engine, {})[backend] = f
            print(f"{engine} {backend}: decode efficiency "
                  f"{', '.join(f'{k} {v:.3f}' for k, v in f['etas'].items())}; "
                  f"per-layer overhead {f['tau'] * 1e6:.1f} us; hop overhead {f['hop'] * 1e6:.1f} us; "
                  f"bandwidth cap {('%.0f GB/s' % (f['cap'] / 1e9)) if f['cap'] else 'none'}; "
                  f"prefill efficiency {', '.join(f'{k} {v:.3f}' for k, v in f['prefill'].items())}"
                  f"  ({f['n_decode']} decode rows, {f['n_prefill']} prefill rows)")
    # MLX has no fit rows of its own unless a fit source measures it: it then
    # keeps llama.cpp Metal's values (engines.yaml says which).
    if "metal" in fitted.get("llama.cpp", {}) and "mlx" not in fitted:
        fitted["mlx"] = {"metal": fitted["llama.cpp"]["metal"]}
    # MLX prompt processing without a fit row of its own: llama.cpp Metal's.
    mlx = fitted.get("mlx", {}).get("metal")
    if mlx and not mlx["prefill"] and "metal" in fitted.get("llama.cpp", {}):
        mlx["prefill"] = fitted["llama.cpp"]["metal"]["prefill"]
    FITTED.update((e, b) for e, bs in fitted.items() for b in bs)
    if skipped:
        print("skipped rows:", "; ".join(f"{k}: {v}" for k, v in sorted(skipped.items())))

    text, new_lines = engines_override(fitted, lines)
    if args.check:
        diff = [f"  now:  {a.strip()}\n  fit:  {b.strip()}" for a, b in zip(lines, new_lines)
                if not same_up_to_rounding(a, b)]
        if len(lines) != len(new_lines) or diff:
            print("engines.yaml is not what the fit gives (run fit.py --write):\n"
                  + "\n".join(diff[:20]))
            sys.exit(1)
        print("engines.yaml holds the fitted values")
    if args.write:
        open(ENGINES, "w", encoding="utf-8").write("\n".join(new_lines))
        print(f"wrote fitted values to {os.path.relpath(ENGINES, ROOT)}")

    if args.report or args.predictions or args.plot:
        fit_file = os.path.join(tmp, "fitted-engines.yaml")
        with open(fit_file, "w", encoding="utf-8") as f:
            f.write(text)
        score(args, data, [sys_file, fit_file])


if __name__ == "__main__":
    main()
