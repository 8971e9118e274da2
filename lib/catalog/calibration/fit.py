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
        t = a / eta_kernel + L*tau + M*tau_moe + H*hop + links   (decode)
        t = a_p / eta_prefill_kernel + ubatches * (L*tau + M*tau_moe + H*hop)   (prefill)
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


def hbm_devices():
    """Catalog device ids whose memory is HBM (`memory_type: hbm`)."""
    ids, cur = set(), None
    for path in glob.glob(os.path.join(ROOT, "lib", "catalog", "devices*.yaml")):
        for line in open(path, encoding="utf-8"):
            m = re.match(r"  ([a-z0-9][a-z0-9.\-]*):\s*$", line)
            if m:
                cur = m.group(1)
            elif cur and re.match(r"    memory_type:\s*hbm\b", line):
                ids.add(cur)
    return ids


HBM = hbm_devices()
BACKENDS = ("cuda", "rocm", "vulkan", "metal", "sycl", "cpu")
# The accuracy report's categories: the library's placement kinds (the error
# band's, llmroof_placement_kind: JSON band.kind), with the deprecated 2023
# row split kept apart from the other multi-GPU runs.
KIND_CATEGORY = {"gpu": "single_gpu", "multi_gpu": "multi_gpu", "unified": "unified",
                 "offload": "partial_offload", "cpu": "cpu_only"}
CATEGORIES = ("single_gpu", "multi_gpu", "multi_gpu_row", "unified", "partial_offload",
              "cpu_only")


# ---------------------------------------------------------------- rows

# Sources by the same author are one source for cross-validation: a fit
# that leaves out a README must also leave out the notebooks behind it.
SAME_AUTHOR = {"xiongjiedai_readme_llama3": "xiongjiedai", "xiongjiedai_notebook_llama3":
               "xiongjiedai", "xiongjiedai_readme_llama3_overview": "xiongjiedai",
               "xiongjiedai_readme_llama12": "xiongjiedai",
               "xiongjiedai_readme_appendix_mac": "xiongjiedai",
               "geerlingguy_ai_benchmarks": "geerlingguy", "geerlingguy_aibench_issue48":
               "geerlingguy", "geerlingguy_beowulf_issue17": "geerlingguy",
               # JohannesGaessler's tables across llama.cpp PRs.
               "llamacpp_jg_gemv_fusion": "llamacpp_jg", "llamacpp_jg_hip_prs_2026": "llamacpp_jg",
               "llamacpp_jg_cuda_prs_2025": "llamacpp_jg", "llamacpp_pr24127_5090": "llamacpp_jg",
               "llamacpp_am17an_cuda_prs": "llamacpp_am17an_prs",
               # 0cc4m's Vulkan PR tables (some rows of the 2025 Vulkan file).
               "llamacpp_0cc4m_vulkan_prs": "llamacpp_vulkan_prs_2025"}


def load_rows(paths):
    rows = []
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                r["_key"] = f"{stem}:{r['row_id']}"
                r["table"] = r["source_id"]
                r["source_id"] = SAME_AUTHOR.get(r["source_id"], r["source_id"])
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
    # vllm-mlx and Rapid-MLX are servers on top of mlx-lm: MLX's kernels run.
    if e.startswith(("vllm-mlx", "rapid-mlx")):
        return "mlx"
    for name in ("llama.cpp", "mlx", "vllm", "exllamav2", "mlc"):
        if e.startswith(name):
            return name
    return e


# llama.cpp's eras (docs/accuracy.md, "Engine versions"): the same GPU and
# model run at different speeds in different years of llama.cpp, so each era
# is its own engine descriptor (llama.cpp-2023, llama.cpp-2024, and
# llama.cpp itself for the current builds), fitted on its own rows where
# there are enough of them.  An era is a range of build numbers; a row with
# no build number falls back on the pull request it was posted in, then on
# its date; a row with none of the three counts as current.
ERAS = (("2023", 1720, 4700), ("2024", 4420, 10900))   # (era, first build after it, first PR after it)
CURRENT_ERA = "2025"
ERA_ENGINE = {"2023": "llama.cpp-2023", "2024": "llama.cpp-2024", CURRENT_ERA: "llama.cpp"}


def era_of_row(r):
    """llama.cpp rows: '2023', '2024' or CURRENT_ERA; other engines: None."""
    if engine_of_row(r) != "llama.cpp":
        return None
    v = r.get("engine_version") or ""
    m = (re.search(r"\((\d{3,5})\)", v) or re.search(r"\bb(\d{3,5})\b", v)
         or re.search(r"build (\d{3,5})\b", v))
    if m:
        build = int(m.group(1))
        return next((era for era, b, _ in ERAS if build < b), CURRENT_ERA)
    m = re.search(r"(?:PR|pull/)\s*#?(\d{3,5})", v + " " + (r.get("source_locator") or ""))
    if m:
        pr = int(m.group(1))
        return next((era for era, _, p in ERAS if pr < p), CURRENT_ERA)
    m = re.match(r"(\d{4})", r.get("measured_date") or "")
    if m:
        return next((era for era, _, _ in ERAS if int(m.group(1)) <= int(era)), CURRENT_ERA)
    return CURRENT_ERA


def engine_id(engine, era):
    """The catalog engine that runs a row: llama.cpp's era, or the engine."""
    return ERA_ENGINE[era] if engine == "llama.cpp" and era else engine


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
    legacy = r.get("table", r["source_id"]) == "xiongjiedai_readme_llama12"
    p, g = tokens(r["pp_test"]), tokens(r["tg_test"])
    d0 = first_int(r.get("context_depth")) or 0
    w = {"prompt": p or 512, "gen": g or 128, "depth": depth_of(r["tg_test"], d0),
         "pp_depth": depth_of(r["pp_test"], 0 if "after" in (r["tg_test"] or "") else d0),
         "ubatch": 512, "split": split_of_row(r), "ngl": "99", "fa": False}
    if r.get("table", r["source_id"]) == "xiongjiedai_readme_appendix_mac":
        w.update(prompt=256, gen=256)
    if legacy:
        # ./main with n_ctx 512: generation keeps shifting the context, so
        # it runs at 256-512 cached tokens; model it as 256 tokens from 256.
        w.update(prompt=min(p or 494, 494), gen=256, depth=256, pp_depth=0)
    bu = r.get("batch_ubatch") or ""
    if "/" in bu and first_int(bu.split("/")[1]):
        w["ubatch"] = first_int(bu.split("/")[1])
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
    # CPU threads (llama-bench -t) where the row states them; else the
    # default, one per core.
    w["threads"] = first_int(r.get("threads") or "") or 0
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
            f"    compute: {{f16: {h['compute'] / 1e12:.4g} TFLOPS}}\n"
            f"    cores: {h['cores']}\n")


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
    backend -> {"etas", "tau", "hop", "prefill"}; other backends and
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
            # hop_overhead follows per_layer_overhead; no bandwidth cap is
            # fitted (fit_decode), so an old bandwidth_cap line goes.
            extra = []
            if "hop" in f:
                extra.append(ind + f"hop_overhead: {f['hop'] * 1e6:.1f} us")
            if f.get("tau_moe"):
                extra.append(ind + f"moe_layer_overhead: {f['tau_moe'] * 1e6:.1f} us")
            if f.get("hbm"):
                extra.append(ind + f"hbm_read_penalty: {f['hbm']:.3f}")
            while i + 1 < end and lines[i + 1].strip().startswith(("hop_overhead:",
                                                                    "moe_layer_overhead:",
                                                                    "hbm_read_penalty:",
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
    return engines_text(lines), lines


def engines_text(lines):
    """engines.yaml lines as a descriptor file of the engines section alone."""
    body = lines[next(i for i, l in enumerate(lines) if l.strip() == "engines:"):]
    return "llmroof: 1\n" + "\n".join(body) + "\n"


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
           "--gpu-layers", w["ngl"], "--threads", str(w["threads"]), "--engine", engine,
           "--override", "--json"]
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
    """Transfers per step that pay the engine's hop overhead on a
    discrete-GPU machine: those between two tiers that both compute layers
    (GPU to GPU in a layer split; host to GPU, and back to a host that
    computes the head, when the host holds layers).  The copies of a fully
    offloaded model's input and logits pay the link's latency only
    (docs/model.md section 5).  0 on a machine with no link in use."""
    tiers = js["placement"]["tiers"]
    gpus = [t for t in tiers if t["kind"] == "accelerator" and (t["layers"] or t["has_output"])]
    if not gpus or js["decode"]["link_time_s"] == 0:
        return 0
    host = next((t for t in tiers if t["kind"] == "host"), None)
    host_layers = bool(host and host["layers"])
    n = (len(gpus) - 1 if js["placement"]["split"] == "layer" else 0) + host_layers
    if host and host["has_output"] and js["placement"]["gpu_layers"] > 0:
        n += 1
    return n


def category_of(js):
    """The accuracy report's category of the tool's JSON for a row."""
    cat = KIND_CATEGORY[js["band"]["kind"]]
    return "multi_gpu_row" if cat == "multi_gpu" and js["placement"]["split"] == "row" else cat


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


def fit_decode(samples, kernels, with_hop=True, with_moe=False):
    """samples: dicts with a (memory time at efficiency 1, s), L (layers), H
    (transfers between devices), c (link s), t (measured s), kernel.  Model
    (docs/model.md §5):
        t = a / eta_kernel + L * tau + M * tau_moe + H * hop + c
    (M: the mixture-of-experts layers.)  Unknowns 1/eta per kernel, tau,
    tau_moe and hop: linear, by IRLS.  Rows on HBM devices are not in it:
    their extra cost is the HBM read penalty, fitted after (hbm_penalty).  (The 2024 fit
    also had a bandwidth cap, a ceiling on any device's achieved bandwidth;
    no physical cause was found for one, and with current builds it made
    the fastest cards ~45 % slow, so it is gone: docs/accuracy.md.)"""
    n = len(kernels) + 1 + with_moe + with_hop
    rows = []
    for s in samples:
        x = [s["a"] / s["t"] if k == s["kernel"] else 0.0 for k in kernels]
        x += [s["L"] / s["t"]] + ([s["M"] / s["t"]] if with_moe else []) + \
            ([s["H"] / s["t"]] if with_hop else [])
        rows.append((x, 1.0 - s["c"] / s["t"]))
    sol, _ = irls(rows, n)
    k = len(kernels)
    etas = {kk: 1.0 / max(v, 1.0) if v else 1.0 for kk, v in zip(kernels, sol[:k])}
    return (etas, sol[k], sol[k + 1] if with_moe else 0.0,
            sol[k + 1 + with_moe] if with_hop else 0.0)


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
# The hop overhead (a graph split between two computing tiers) is fitted
# only from multi-device rows of this many independent sources; with fewer
# it is 0, the link's latency alone: the eras with many such sources fit
# 0-1.4 us (CUDA 2023/2024), and a few sources' multi-GPU oddities (MoE
# over eight MI300X, four RTX 4090s in one thread) otherwise land in it as
# milliseconds that every single-GPU row then pays.
MIN_HOP_SOURCES = 3
# Likewise the extra overhead of a mixture-of-experts layer (routing, gather,
# one kernel per expert matrix): fitted from MoE rows of this many sources.
MIN_MOE_SOURCES = 3
# And the HBM read penalty from rows on HBM devices (A100, H100, MI50, ...)
# of this many sources (docs/model.md §5, "Memory technology").
MIN_HBM_SOURCES = 3
# Prompt processing runs different kernels on different GPU generations
# (tensor cores or not, int8 MMA or dp4a): an era's prefill efficiencies are
# its own only when its rows span this many devices.
MIN_PREFILL_DEVICES = 5


def decode_sample(d, kernel_of):
    """A measured decode row as the fit sees it (fit_decode), or None."""
    js = d["unit"]
    if not d["tg"] or not js["decode"]["tokens_per_s"]:
        return None
    t0 = 1.0 / js["decode"]["tokens_per_s"]
    link = js["decode"]["link_time_s"]
    gpus = [t["device"] for t in js["placement"]["tiers"]
            if t["kind"] != "host" and t["kind"] != "storage" and (t["layers"] or t["has_output"])]
    return {"a": t0 - link, "c": link, "t": 1.0 / d["tg"],
            "L": js["model"]["layers"], "M": js["model"]["moe_layers"],
            "H": transfers(js), "kernel": kernel_of[d["quant"]],
            "hbm": bool(gpus) and all(g in HBM for g in gpus),
            "source": d["row"]["source_id"]}


def hbm_penalty(rows, fitted_of, kernel_of):
    """The HBM read penalty p of one engine backend (docs/model.md §5,
    "Memory technology"): each dense decode row on HBM devices, against the
    fit of its era made without HBM rows, gives p = (t - c - L tau - H hop -
    a / eta) / a; p is their median, over every era (a property of the
    memory and the kernels, one value for the backend), or None with rows
    from fewer than MIN_HBM_SOURCES sources.  Only dense rows: a small MoE
    at batch 1 reads little and is mostly fixed overhead, which would land
    in the bandwidth term."""
    vals, srcs = [], set()
    for d in rows:
        s = decode_sample(d, kernel_of)
        f = fitted_of(d)
        if not s or not s["hbm"] or s["M"] or not f or not s["a"]:
            continue
        eta = f["etas"].get(s["kernel"], f["etas"].get("default", 1.0))
        rest = s["t"] - s["c"] - s["L"] * f["tau"] - s["H"] * f["hop"] - s["a"] / eta
        vals.append(rest / s["a"])
        srcs.add(s["source"])
    if len(srcs) < MIN_HBM_SOURCES or not vals:
        return None
    return max(0.0, statistics.median(vals))


def fit_group(rows_b, kernel_of):
    # Rows on HBM devices do not set the efficiencies and overheads: their
    # extra cost is the HBM read penalty (hbm_penalty).
    samples = [s for s in (decode_sample(d, kernel_of) for d in rows_b) if s and not s["hbm"]]
    if len(samples) < MIN_FIT_ROWS:
        return None
    with_hop = len({s["source"] for s in samples if s["H"]}) >= MIN_HOP_SOURCES
    with_moe = len({s["source"] for s in samples if s["M"]}) >= MIN_MOE_SOURCES
    count = {}
    for s in samples:
        count[s["kernel"]] = count.get(s["kernel"], 0) + 1
    for s in samples:
        if count[s["kernel"]] < MIN_KERNEL_ROWS:
            s["kernel"] = "default"
    kernels = sorted({s["kernel"] for s in samples})
    try:
        etas, tau, tau_moe, hop = fit_decode(samples, kernels, with_hop, with_moe)
    except ValueError:
        return None
    psamples = []
    for d in rows_b:
        js = d["unit"]
        if not d["pp"] or not js["prefill"]["tokens_per_s"]:
            continue
        chunks = math.ceil(d["w"]["prompt"] / d["w"]["ubatch"])
        psamples.append({"a": js["prefill"]["ttft_s"], "t": d["w"]["prompt"] / d["pp"],
                         "f": chunks * (js["model"]["layers"] * tau + js["model"]["moe_layers"] *
                                        tau_moe + transfers(js) * hop),
                         "kernel": kernel_of[d["quant"]], "device": d["row"]["device"]})
    # One prefill efficiency per kernel class: quantized prompt processing
    # (llama.cpp's MMQ kernels) and F16 (cuBLAS) run at different rates.
    # "default" is the rarer classes pooled; with fewer than MIN_KERNEL_ROWS
    # prompt rows of those it is fitted on all the group's prompt rows: a
    # leave-one-source-out fold can otherwise be left with one odd row for it
    # (a 2024 fold without the GitHub threads put Q4_0 on a P40 12x slow).
    for s in psamples:
        if count.get(s["kernel"], 0) < MIN_KERNEL_ROWS:
            s["kernel"] = "default"
    prefill = {}
    for k in sorted({s["kernel"] for s in psamples}):
        yp = fit_scalar([s for s in psamples if s["kernel"] == k])
        if yp:
            prefill[k] = min(1.0, 1.0 / yp)
    if sum(s["kernel"] == "default" for s in psamples) < MIN_KERNEL_ROWS and psamples:
        yp = fit_scalar(psamples)
        if yp:
            prefill["default"] = min(1.0, 1.0 / yp)
    return {"etas": etas, "tau": tau, "tau_moe": tau_moe, "hop": hop, "prefill": prefill,
            "hbm": None,
            "n_decode": len(samples), "n_prefill": len(psamples),
            "prefill_devices": len({s["device"] for s in psamples})}


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


def predict(args, data, catalogs, tag):
    """The tool's prediction for each row (in `data`) with the engine
    descriptors in `catalogs`, as score rows."""
    out = []
    for d in data:
        r = d["row"]
        js, err = run_tool(args.llmroof, catalogs, d["sid"], d["model"], d["quant"], d["w"],
                           d["engine_id"], d["backend_flag"])
        if js is None:
            continue
        unit = d["unit"]
        o = {
            "key": r["_key"], "source": r["source_id"], "category": d["category"],
            "set": tag, "device": r["device"], "count": r["device_count"] or "1",
            "model": d["model"], "quant": d["quant"], "engine": d["engine_id"],
            "backend": d["backend"], "era": d["era"] or "", "moe": d["moe"], "kind": d["kind"],
            "tg_test": r["tg_test"], "pp_test": r["pp_test"], "status": r["status"],
            "fit": js["fit"], "tg_meas": d["tg"], "pp_meas": d["pp"],
            "tg_pred": js["decode"]["tokens_per_s"], "pp_pred": js["prefill"]["tokens_per_s"],
            "tg_bound": unit["decode"]["tokens_per_s"], "pp_bound": unit["prefill"]["tokens_per_s"],
            "bound_by": js["decode"]["bound_by"],
            # The devices the band's backend computes on (the library's
            # DEVICE_UNMEASURED test): the accelerators, or the CPU alone.
            "devices": [t["device"] for t in js["placement"]["tiers"]
                        if (t["kind"] == "host") == (d["kind"] == "cpu")
                        and t["kind"] != "storage" and (t["layers"] or t["has_output"])],
        }
        o["tg_llmfit"] = peers.llmfit_tps(js)
        o["tg_ggufparser"] = peers.gguf_parser_tps(js, d["machine"])
        out.append(o)
    return out


def scored(out, mk):
    """Rows that ran, were predicted to run and have a measurement `mk`."""
    return [o for o in out if o["status"] == "ok" and o["fit"] != "none" and o[mk]
            and o[mk.replace("meas", "pred")] > 0]


def ratio(o, metric):
    mk, pk = ("tg_meas", "tg_pred") if metric == "decode" else ("pp_meas", "pp_pred")
    return o[mk] / o[pk]


# ---------------------------------------------------------------- error band

BAND_MIN_ROWS = 20     # fewer rows (or sources) than this widen the band
BAND_MIN_SOURCES = 3
BAND_FEW_ROWS = 5      # fewer rows than this: the pooled band, re-centred
# The band is the q-th to (1-q)-th quantile of the ratios, q per metric;
# main() sets each on a fixed grid to the value whose leave-one-source-out
# coverage of that metric is nearest 80 % (the widening for thin groups and
# the spread between sources make p10-p90 cover more than 80 % of decode
# rows from an unseen source; prompt rows scatter more between sources and
# need a wider quantile).
BAND_Q = {"decode": 0.10, "prefill": 0.10}
BAND_Q_GRID = (0.025, 0.05, 0.075, 0.10, 0.125, 0.15, 0.175, 0.20, 0.225, 0.25)


def log_q(v, q):
    return math.exp(pct([math.log(x) for x in v], q))


def band_of(vals, nsrc, pool, q):
    """(lo, hi) for measured/predicted ratios `vals` from `nsrc` sources:
    their p10 and p90 with 20 rows and 3 sources or more; widened about
    their median by sqrt(20 / rows) (and sqrt(3 / sources)) below that, and
    never narrower than the pooled band (`pool`, all rows of the metric)
    moved to the same median; with fewer than 5 rows the pooled band moved
    to their median, widened 1.5 times in log terms (docs/accuracy.md)."""
    plo, phi = log_q(pool, q), log_q(pool, 1 - q)
    pmid = log_q(pool, .5)
    if not vals:
        return plo, phi
    mid = log_q(vals, .5)
    if len(vals) < BAND_FEW_ROWS:
        k = 1.5
        return (mid * (plo / pmid) ** k, mid * (phi / pmid) ** k)
    lo, hi = log_q(vals, q), log_q(vals, 1 - q)
    if len(vals) >= BAND_MIN_ROWS and nsrc >= BAND_MIN_SOURCES:
        return lo, hi
    k = max(math.sqrt(BAND_MIN_ROWS / len(vals)), math.sqrt(BAND_MIN_SOURCES / max(nsrc, 1)))
    lo, hi = mid * (lo / mid) ** k, mid * (hi / mid) ** k
    return min(lo, mid * plo / pmid), max(hi, mid * phi / pmid)


def band_key(o):
    return (o["engine"], o["backend"], o["kind"])


def bands(out, exclude=None):
    """{(engine id, backend, kind): {"decode": (lo, hi, rows), "prefill": ...,
    "sources": n, "moe_rows": n}} from the cross-validated rows, leaving out
    source `exclude`."""
    res = {}
    for metric, mk in (("decode", "tg_meas"), ("prefill", "pp_meas")):
        rows = [o for o in scored(out, mk) if o["source"] != exclude]
        pool = [ratio(o, metric) for o in rows]
        groups = {}
        for o in rows:
            groups.setdefault(band_key(o), []).append(o)
        for k, g in groups.items():
            lo, hi = band_of([ratio(o, metric) for o in g], len({o["source"] for o in g}), pool,
                             BAND_Q[metric])
            e = res.setdefault(k, {"sources": 0, "moe_rows": 0})
            e[metric] = (lo, hi, len(g))
            e["sources"] = max(e["sources"], len({o["source"] for o in g}))
            if metric == "decode":
                e["moe_rows"] = sum(1 for o in g if o["moe"])
    return res


def band_for(bd, o, metric):
    """The band a row's request gets: its own group's, else the wide default
    the library uses when a backend has no band (docs/api.md)."""
    e = bd.get(band_key(o))
    if e and metric in e:
        return e[metric][:2]
    return (0.5, 1.5) if metric == "decode" else (0.33, 2.0)


def band_coverage(out):
    """Each cross-validated row against a band built without its source."""
    by_src = {}
    for o in out:
        by_src.setdefault(o["source"], []).append(o)
    for src, rows in by_src.items():
        bd = bands(out, exclude=src)
        for metric, mk in (("decode", "tg_meas"), ("prefill", "pp_meas")):
            for o in scored(rows, mk):
                lo, hi = band_for(bd, o, metric)
                o["in_band_" + metric] = lo <= ratio(o, metric) <= hi


def measured_devices(out):
    """{(engine id, backend): sorted catalog device ids} that scored rows ran
    on (generated calibration hosts are not catalog devices: left out)."""
    res = {}
    for o in out:
        if o["status"] != "ok" or o["fit"] == "none" or not (o["tg_meas"] or o["pp_meas"]):
            continue
        for dev in o["devices"]:
            if not dev.startswith("cal-host-"):
                res.setdefault((o["engine"], o["backend"]), set()).add(dev)
    return {k: sorted(v) for k, v in res.items()}


def bands_yaml(lines, bd, measured=None):
    """engines.yaml lines with every engine backend's `bands:` set from `bd`,
    and its `measured_devices:` from `measured`."""
    measured = measured or {}
    kept, i = [], 0
    while i < len(lines):          # the old bands blocks out first
        if re.match(r"        measured_devices:", lines[i]):
            i += 1
            continue
        if re.match(r"        bands:\s*$", lines[i]):
            i += 1
            while i < len(lines) and lines[i].startswith("          "):
                i += 1
            continue
        kept.append(lines[i])
        i += 1
    out, engine, backend = [], None, None
    for i, line in enumerate(kept):
        m = re.match(r"  (\S+):\s*$", line)
        if m:
            engine = m.group(1)
        m = re.match(r"      (cuda|rocm|vulkan|metal|sycl|cpu):\s*$", line)
        if m:
            backend = m.group(1)
        out.append(line)
        nxt = kept[i + 1] if i + 1 < len(kept) else ""
        end_of_backend = backend and line.startswith("        ") and not nxt.startswith("        ")
        if end_of_backend:
            devs = measured.get((engine, backend))
            if devs:
                out.append("        measured_devices: [" + ", ".join(devs) + "]")
            kinds = [(k, v) for (e, b, k), v in sorted(bd.items()) if e == engine and b == backend]
            if kinds:
                out.append("        bands:")
                for k, v in sorted(kinds, key=lambda kv: list(KIND_CATEGORY).index(kv[0])):
                    parts = []
                    for metric in ("decode", "prefill"):
                        if metric in v:
                            parts.append(f"{metric}: [{v[metric][0]:.3f}, {v[metric][1]:.3f}]")
                    rows = [v.get(m, (0, 0, 0))[2] for m in ("decode", "prefill")]
                    parts.append(f"rows: [{rows[0]}, {rows[1]}]")
                    parts.append(f"sources: {v['sources']}")
                    parts.append(f"moe_rows: {v['moe_rows']}")
                    out.append(f"          {k}: {{{', '.join(parts)}}}")
            backend = None
    return out


# ---------------------------------------------------------------- report

PEERS = (("tg_bound", "η=1"), ("tg_llmfit", "llmfit"), ("tg_ggufparser", "gguf-parser"))


def stats(rows, metric, pk=None):
    """median and p90 |error| %, and the median predicted/measured."""
    mk = "tg_meas" if metric == "decode" else "pp_meas"
    pk = pk or mk.replace("meas", "pred")
    rows = [o for o in rows if o.get(pk)]
    e = [ape(o[pk], o[mk]) for o in rows]
    b = [o[pk] / o[mk] for o in rows]
    return len(rows), pct(e, .5), pct(e, .9), pct(b, .5)


def coverage(rows, metric):
    v = [o["in_band_" + metric] for o in rows if ("in_band_" + metric) in o]
    return (f"{100.0 * sum(v) / len(v):.0f}%" if v else "–")


def table_by(out, L, key, label, keys):
    """Cross-validated decode and prefill by `key`, with the peers."""
    L.append(f"| {label} | metric | rows | sources | median | p90 | bias (pred/meas) | band covers "
             "| η=1 median / p90 | llmfit median / p90 | gguf-parser median / p90 |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for k in keys:
        for metric, mk in (("decode", "tg_meas"), ("prefill", "pp_meas")):
            rows = [o for o in scored(out, mk) if key(o) == k]
            if not rows:
                continue
            n, med, p90, bias = stats(rows, metric)
            cols = []
            for pk, _ in PEERS:
                if metric == "prefill" and pk != "tg_bound":
                    cols.append("–")
                    continue
                pkm = pk if metric == "decode" else "pp_bound"
                _, m2, p2, _ = stats(rows, metric, pkm)
                cols.append(f"{fmt_pct(m2)} / {fmt_pct(p2)}")
            L.append(f"| {k} | {metric} | {n} | {len({o['source'] for o in rows})} | "
                     f"{fmt_pct(med)} | {fmt_pct(p90)} | {bias:.2f} | {coverage(rows, metric)} | "
                     + " | ".join(cols) + " |")
    L.append("")


def report(out, insample, path):
    L = ["Every row below is predicted by a fit that never saw its source "
         "(leave-one-source-out).  Errors are |predicted − measured| / measured of "
         "tokens/s; bias is the median of predicted / measured; \"band covers\" is the "
         "share of rows inside the error band built without their source.", ""]
    L.append("**By category** (the done-criteria of issue 13 apply to categories of 20 rows "
             "or more):")
    L.append("")
    table_by(out, L, lambda o: o["category"], "category", CATEGORIES)
    everything = [dict(o, _all="all") for o in out]
    table_by(everything, L, lambda o: o["_all"], "all rows", ["all"])
    L.append("**By engine and backend:**")
    L.append("")
    keys = sorted({(o["engine"].split("-20")[0], o["backend"]) for o in out})
    table_by(out, L, lambda o: (o["engine"].split("-20")[0], o["backend"]),
             "engine, backend", keys)
    L.append("**llama.cpp by era** (docs/accuracy.md, \"Engine versions\"):")
    L.append("")
    table_by(out, L, lambda o: o["engine"] if o["engine"].startswith("llama.cpp") else None,
             "engine (era)", ["llama.cpp-2023", "llama.cpp-2024", "llama.cpp"])
    # The gap: the same rows predicted by the fit that saw them.
    L.append("**The same rows, predicted by the final fit (which saw every source)** — "
             "the in-sample figure, for contrast only:")
    L.append("")
    L.append("| category | decode median | decode p90 | prefill median | prefill p90 |")
    L.append("|---|---|---|---|---|")
    for cat in CATEGORIES:
        d = stats([o for o in scored(insample, "tg_meas") if o["category"] == cat], "decode")
        p = stats([o for o in scored(insample, "pp_meas") if o["category"] == cat], "prefill")
        if d[0] or p[0]:
            L.append(f"| {cat} | {fmt_pct(d[1])} | {fmt_pct(d[2])} | {fmt_pct(p[1])} "
                     f"| {fmt_pct(p[2])} |")
    L.append("")
    # Sources.
    groups = {}
    for o in out:
        groups.setdefault((o["source"], o["engine"], o["backend"]), []).append(o)
    L.append("**Sources** (each is left out in turn):")
    L.append("")
    L.append("| source | engine | backend | rows | decode median (signed) | prefill median "
             "(signed) |")
    L.append("|---|---|---|---|---|---|")
    for (src, eng, be), g in sorted(groups.items()):
        sd = [(o["tg_pred"] - o["tg_meas"]) / o["tg_meas"] * 100 for o in scored(g, "tg_meas")]
        sp = [(o["pp_pred"] - o["pp_meas"]) / o["pp_meas"] * 100 for o in scored(g, "pp_meas")]
        L.append(f"| {src} | {eng} | {be} | {len(g)} | "
                 f"{(f'{statistics.median(sd):+.0f}%' if sd else '–')} | "
                 f"{(f'{statistics.median(sp):+.0f}%' if sp else '–')} |")
    # Fit verdicts against measured out-of-memory outcomes.
    oom = [o for o in out if o["status"] == "OOM"]
    ok = [o for o in out if o["status"] == "ok"]

    def runs(o):
        return o["fit"] == ("offload" if o["category"] in ("cpu_only", "partial_offload")
                            else "gpu")
    misses = [o for o in oom + ok if runs(o) == (o["status"] == "OOM")]
    L.append("")
    L.append(f"Fit verdicts: {sum(1 for o in oom if not runs(o))} of {len(oom)} measured "
             f"out-of-memory runs predicted not to fit; {sum(1 for o in ok if runs(o))} of "
             f"{len(ok)} runs that ran predicted to fit as they ran.  Misses: "
             + ("; ".join(f"{o['key']} ({o['device']} x{o['count']}, {o['model']} "
                          f"{o['quant']}: measured {o['status']}, predicted {o['fit']})"
                          for o in misses) or "none") + ".")
    for metric, mk, pk in (("decode", "tg_meas", "tg_pred"), ("prefill", "pp_meas", "pp_pred")):
        worst = sorted(scored(out, mk), key=lambda o: -ape(o[pk], o[mk]))[:15]
        L.append("")
        L.append(f"Worst cross-validated {metric} rows:")
        L.append("")
        L.append("| row | category | device | GPUs | model | quant | engine | test | measured "
                 "| predicted | error | bound by |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for o in worst:
            test = o["tg_test"] if metric == "decode" else o["pp_test"]
            L.append(f"| {o['key']} | {o['category']} | {o['device']} | {o['count']} "
                     f"| {o['model']} | {o['quant']} | {o['engine']} {o['backend']} "
                     f"| {test} | {o[mk]:.1f} | {o[pk]:.1f} "
                     f"| {(o[pk] - o[mk]) / o[mk] * 100:+.0f}% | {o['bound_by']} |")
    text = "\n".join(L) + "\n"
    # Into docs/accuracy.md between its markers, or a file of its own.
    begin, end = "<!-- BEGIN fit.py report -->\n", "<!-- END fit.py report -->"
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    if begin in old and end in old:
        text = old[: old.index(begin) + len(begin)] + text + old[old.index(end):]
    return text


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
                    if o["category"] == cat and o["status"] == "ok" \
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
    ap.add_argument("--show-fold", metavar="SOURCE",
                    help="print the fitted values of the fold that leaves SOURCE out")
    ap.add_argument("--check-report", metavar="FILE",
                    help="exit 1 unless FILE holds the current cross-validation tables")
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
        d["era"] = era_of_row(r)
        d["engine_id"] = engine_id(d["engine"], d["era"])
        js, err = run_tool(args.llmroof, [sys_file, unit_file], d["sid"], d["model"], d["quant"],
                           d["w"], d["engine_id"], d["backend_flag"])
        if js is None:
            skip("tool error: " + err[:90])
            continue
        d["unit"] = js
        d["moe"] = js["model"]["active_params"] < 0.9 * js["model"]["params"]
        d["kind"] = js["band"]["kind"]
        d["category"] = category_of(js)
        d["tg"] = float(r["tg_tok_s"]) if r.get("tg_tok_s") else None
        d["pp"] = float(r["pp_tok_s"]) if r.get("pp_tok_s") else None
        data.append(d)
    if skipped:
        print("skipped rows:", "; ".join(f"{k}: {v}" for k, v in sorted(skipped.items())))

    cache = {}

    def fit_all(exclude=None, verbose=False):
        """Every engine backend (and llama.cpp era) fitted on the rows of
        every source but `exclude`; {engine id: {backend: params}}."""
        groups = {}
        for d in data:
            r = d["row"]
            if r["status"] != "ok":
                continue
            # Only whole placements train: all on the GPUs, or all on the CPU.
            if d["category"] in ("partial_offload", "multi_gpu_row"):
                continue
            if (d["category"] == "cpu_only") != (d["backend"] == "cpu"):
                continue
            groups.setdefault((d["engine"], d["backend"], d["era"]), []).append(d)
        own = {}
        for key, rows_g in sorted(groups.items(), key=lambda kv: str(kv[0])):
            srcs = {d["row"]["source_id"] for d in rows_g}
            ck = key + ((exclude,) if exclude in srcs else (None,))
            if ck not in cache:
                cache[ck] = fit_group([d for d in rows_g if d["row"]["source_id"] != exclude],
                                      kernel_of)
            if cache[ck]:
                own[key] = cache[ck]
        fitted = {}
        for (engine, backend, era), f in own.items():
            if era is None:
                fitted.setdefault(engine, {})[backend] = f
        # llama.cpp's eras: each its own fit, else the nearest era's (the
        # newer first), else the starting values.
        order = [e for e, _, _ in ERAS] + [CURRENT_ERA]
        for backend in BACKENDS:
            for i, era in enumerate(order):
                near = sorted(range(len(order)), key=lambda j: (abs(j - i), -j))
                fits = [own[k] for k in (("llama.cpp", backend, order[j]) for j in near)
                        if k in own]
                f = next(iter(fits), None)
                # Prompt kernels differ by GPU generation far more than decode
                # does: an era's prefill efficiencies need rows from
                # MIN_PREFILL_DEVICES devices, else the nearest era's that has them.
                pf = next((g for g in fits if g["prefill_devices"] >= MIN_PREFILL_DEVICES), None)
                if f and pf and pf is not f:
                    f = dict(f, prefill=pf["prefill"])
                fitted.setdefault(ERA_ENGINE[era], {})[backend] = f or STARTING
        # The HBM read penalty, one a backend over all eras' dense HBM rows,
        # each against its own era's fit (hbm_penalty).
        for backend in BACKENDS:
            rows_hbm = [d for (engine, b, _), rows_g in groups.items()
                        if engine == "llama.cpp" and b == backend
                        for d in rows_g if d["row"]["source_id"] != exclude]
            p = hbm_penalty(rows_hbm, lambda d: fitted[ERA_ENGINE[d["era"]]].get(backend),
                            kernel_of)
            if p:
                for era in order:
                    f = fitted[ERA_ENGINE[era]][backend]
                    if f is not STARTING:
                        fitted[ERA_ENGINE[era]][backend] = dict(f, hbm=p)
        # MLX with no fit of its own keeps llama.cpp Metal's (current) values,
        # and its prompt processing llama.cpp Metal's when it has no prompt rows.
        cur = fitted["llama.cpp"].get("metal")
        mlx = fitted.setdefault("mlx", {})
        if "metal" not in mlx and cur is not STARTING:
            mlx["metal"] = cur
        elif "metal" in mlx and not mlx["metal"]["prefill"] and cur is not STARTING:
            mlx["metal"] = dict(mlx["metal"], prefill=cur["prefill"])
        # Every other LLM engine backend: the starting values.
        for name, backends in llm_backends.items():
            for b in backends:
                fitted.setdefault(name, {}).setdefault(b, STARTING)
        if verbose:
            for (engine, backend, era), f in sorted(own.items(), key=lambda kv: str(kv[0])):
                print(f"{engine_id(engine, era)} {backend}: decode efficiency "
                      f"{', '.join(f'{k} {v:.3f}' for k, v in f['etas'].items())}; "
                      f"per-layer overhead {f['tau'] * 1e6:.1f} us; MoE layer overhead "
                      f"{f.get('tau_moe', 0) * 1e6:.1f} us; hop overhead "
                      f"{f['hop'] * 1e6:.1f} us; HBM read penalty {f.get('hbm') or 0:.3f}; "
                      f"prefill efficiency "
                      f"{', '.join(f'{k} {v:.3f}' for k, v in f['prefill'].items())}"
                      f"  ({f['n_decode']} decode rows, {f['n_prefill']} prefill rows)")
        return fitted

    llm_backends = {}
    for name in ("llama.cpp", "llama.cpp-2024", "llama.cpp-2023", "mlx", "vllm", "exllamav2",
                 "mlc"):
        start, end = engine_block(name, lines)
        llm_backends[name] = [m.group(1) for l in lines[start:end]
                              for m in [re.match(r"      (cuda|rocm|vulkan|metal|sycl|cpu):$", l)]
                              if m]

    final = fit_all(verbose=True)
    text, new_lines = engines_override(final, lines)

    # Leave-one-source-out: each source's rows predicted by a fit without it.
    need_scores = (args.report or args.check_report or args.predictions or args.plot
                   or args.write or args.check or args.show_fold)
    out, insample = [], []
    if need_scores:
        by_src = {}
        for d in data:
            by_src.setdefault(d["row"]["source_id"], []).append(d)
        for src in sorted(by_src):
            fold = fit_all(exclude=src, verbose=src == args.show_fold)
            fold_text, _ = engines_override(fold, lines)
            fold_file = os.path.join(tmp, "fold-engines.yaml")
            with open(fold_file, "w", encoding="utf-8") as f:
                f.write(fold_text)
            out += predict(args, by_src[src], [sys_file, fold_file], "cross-validated")
        # A metric's band depends on its own q only: one pass over the grid
        # scores both metrics' coverage.
        best = {}
        for q in BAND_Q_GRID:
            for metric in BAND_Q:
                BAND_Q[metric] = q
            band_coverage(out)
            for metric in BAND_Q:
                v = [o["in_band_" + metric] for o in out if "in_band_" + metric in o]
                cov = sum(v) / len(v)
                if metric not in best or abs(cov - 0.8) < abs(best[metric][1] - 0.8):
                    best[metric] = (q, cov)
        for metric, (q, cov) in best.items():
            BAND_Q[metric] = q
            print(f"{metric} error band: p{q * 100:g}-p{100 - q * 100:g} of "
                  f"measured/predicted (leave-one-source-out coverage {cov * 100:.0f}%)")
        band_coverage(out)
        new_lines = bands_yaml(new_lines, bands(out), measured_devices(out))
        text = engines_text(new_lines)

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

    if args.report or args.check_report:
        fit_file = os.path.join(tmp, "fitted-engines.yaml")
        with open(fit_file, "w", encoding="utf-8") as f:
            f.write(text)
        insample = predict(args, data, [sys_file, fit_file], "in-sample")
        path = args.report or args.check_report
        new = report(out, insample, path)
        if args.check_report:
            old = open(path, encoding="utf-8").read()
            if not same_report(old, new):
                print(f"{path} is stale: run fit.py --report {path}")
                sys.exit(1)
            print(f"{path} holds the current cross-validation tables")
        else:
            open(path, "w", encoding="utf-8").write(new)
            print(f"wrote {path}")
    if args.predictions and out:
        with open(args.predictions, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=sorted({k for o in out for k in o}))
            w.writeheader()
            w.writerows(out)
    if args.plot:
        plot(out, args.plot)


def same_report(old, new):
    """The report's tables equal but for the last digit of their numbers."""
    a, b = old.split("\n"), new.split("\n")
    return len(a) == len(b) and all(same_up_to_rounding(x, y) for x, y in zip(a, b))


# Starting values of an engine backend with too few rows to fit (docs/accuracy.md).
STARTING = {"etas": {"default": 0.8}, "tau": 20e-6, "hop": 0.0, "prefill": {"default": 0.5}}


if __name__ == "__main__":
    main()
