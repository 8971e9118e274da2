#!/usr/bin/env python3
"""Fits the image engines' compute efficiencies from measured timings.

    python3 lib/catalog/calibration/fit_images.py [--llmroof build/examples/llmroof]
        [--write] [--check] [--report docs/accuracy-images.md]

Reads measured-images.csv (one row per published timing, with its engine,
source and settings), predicts every row with `llmroof image --json`
(docs/model.md §9), and fits ONE parameter per engine backend that has `fit`
rows: the compute efficiency `prefill_efficiency` (a fraction of the device's
compute.f16_acc32, the f16 peak with fp32 accumulation PyTorch runs at; Apple
GPUs: compute.f16) of e.g. `diffusers` cuda, `diffusers` metal and `coreml`
metal.  Every predicted time of a compute-bound row is inversely
proportional to that efficiency (steps, encoders and VAE all divide by
C x eta), so the fit that minimises the squared log error is the geometric
mean over the engine backend's rows of the efficiency each row alone implies.
No per-row parameter, no per-step overhead (the data does not separate one;
see the report).  Rows whose engine is not in engines.yaml (an engine with
too few rows to be added) are listed in the report, not scored.

  --write   puts the fitted values into lib/catalog/engines.yaml (3 decimals)
  --check   fails when engines.yaml differs from the fit (meson test runs it)
  --report  writes the per-row table with leave-one-out errors (markdown)

Standard library only.
"""
import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
ENGINES = os.path.join(ROOT, "lib", "catalog", "engines.yaml")
CSV = os.path.join(HERE, "measured-images.csv")
EXTRA = os.path.join(HERE, "calib-systems.yaml")


def rows():
    with open(CSV, newline="") as f:
        return list(csv.DictReader(f))


def current_efficiencies(text, engine):
    """backend -> prefill_efficiency of `engine` in engines.yaml (None: no such engine)."""
    block = engine_block(text, engine)
    if block is None:
        return None
    out = {}
    for m in re.finditer(r"^      (\w+):\n((?:        .*\n)+)", block[1], re.M):
        e = re.search(r"prefill_efficiency: ([0-9.]+)", m.group(2))
        if e:
            out[m.group(1)] = float(e.group(1))
    return out


def engine_block(text, engine):
    """(start, text) of `engine`'s entry, None when engines.yaml has none."""
    m = re.search(r"^  %s:\n(?:    .*\n|\n(?=    ))*" % re.escape(engine), text, re.M)
    return (m.start(), m.group(0)) if m else None


def predict(llmroof, r):
    cmd = [llmroof, "--catalog", EXTRA, "image", "--system", r["system"], "--model", r["model"],
           "--engine", r["engine"], "--width", r["width"], "--height", r["height"],
           "--steps", r["steps"], "--batch", r["batch"], "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("fit_images: %s failed: %s" % (" ".join(cmd), p.stderr.strip()))
    j = json.loads(p.stdout)
    if j["fit"] == "none":
        sys.exit("fit_images: row %s does not fit in the model" % r["id"])
    if j["step_bound_by"] != "compute" or j["transfer_time"] != 0:
        sys.exit("fit_images: row %s is not compute-bound: the 1/eta scaling does not hold"
                 % r["id"])
    return j["step_time"] if r["metric"] == "step" else j["seconds_per_image"]


def fit(etas):
    """Geometric mean of the efficiencies the rows imply."""
    return math.exp(sum(math.log(e) for e in etas) / len(etas)) if etas else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--llmroof", default=os.path.join(ROOT, "build", "examples", "llmroof"))
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--report")
    args = ap.parse_args()

    text = open(ENGINES).read()
    data, skipped, cur = [], [], {}
    for r in rows():
        if r["engine"] not in cur:
            cur[r["engine"]] = current_efficiencies(text, r["engine"])
        if cur[r["engine"]] is None:
            skipped.append(r)  # no such engine: too few rows to add one
            continue
        if r["backend"] not in cur[r["engine"]]:
            sys.exit("fit_images: row %s: engine %s has no %s backend"
                     % (r["id"], r["engine"], r["backend"]))
        data.append(r)
    for r in data:
        eta0 = cur[r["engine"]][r["backend"]]
        r["key"] = (r["engine"], r["backend"])
        r["pred0"] = predict(args.llmroof, r)
        r["eta0"] = eta0
        # The efficiency at which this row alone would be predicted exactly.
        r["implied"] = eta0 * r["pred0"] / float(r["measured_s"])
    keys = sorted({r["key"] for r in data})
    fitted = {}
    for key in keys:
        etas = [r["implied"] for r in data if r["key"] == key and r["use"] == "fit"]
        if etas:
            fitted[key] = round(min(fit(etas), 1.0), 3)

    if args.write:
        for engine in sorted({k[0] for k in fitted}):
            start, block = engine_block(text, engine)
            new = block
            for (e, be), eta in fitted.items():
                if e == engine:
                    new = re.sub(r"(^      %s:\n(?:        .*\n)*?        prefill_efficiency: )"
                                 r"[0-9.]+" % be, lambda m: m.group(1) + "%.3f" % eta, new,
                                 flags=re.M)
            text = text[:start] + new + text[start + len(block):]
        with open(ENGINES, "w") as f:
            f.write(text)
        print("wrote", names(fitted))
        for (e, be), eta in fitted.items():
            cur[e][be] = eta

    # Scores: every row at the fitted value, and leave-one-out.
    table = []
    for r in data:
        key = r["key"]
        eta = fitted.get(key, cur[key[0]][key[1]])
        pred = r["pred0"] * r["eta0"] / eta
        err = pred / float(r["measured_s"]) - 1
        others = [o["implied"] for o in data
                  if o is not r and o["key"] == key and o["use"] == "fit"]
        loo = None
        if r["use"] == "fit" and others:
            loo = r["pred0"] * r["eta0"] / fit(others) / float(r["measured_s"]) - 1
        elif r["use"] != "fit" and key in fitted:
            loo = err  # not in the fit: its error is held out already
        table.append((r, pred, err, loo))

    summaries = [summarize(table, "all engine backends", lambda r: True)]
    for key in keys:
        summaries.append(summarize(table, "%s %s" % key, lambda r, key=key: r["key"] == key))
    print("fitted:", names(fitted))
    for s in summaries:
        print(s)

    if args.report:
        write_report(args.report, table, fitted, summaries, skipped)

    if args.check:
        bad = {key: (cur[key[0]].get(key[1]), eta) for key, eta in fitted.items()
               if abs(cur[key[0]].get(key[1], -1) - eta) > 5e-4}
        if bad:
            print("engines.yaml is not what the fit gives (run fit_images.py --write): %s"
                  % ", ".join("%s %s has %s, fit %s" % (k + v) for k, v in bad.items()))
            return 1
        print("engines.yaml image-engine efficiencies match the fit")
    return 0


def names(fitted):
    return ", ".join("%s %s %.3f" % (e, be, eta) for (e, be), eta in sorted(fitted.items()))


def median(v):
    if not v:
        return float("nan")
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def summarize(table, label, pick):
    fit_rows = [t for t in table if t[0]["use"] == "fit" and pick(t[0])]
    fit_errs = sorted(abs(t[2]) for t in fit_rows)
    loo_errs = sorted(abs(t[3]) for t in fit_rows if t[3] is not None)
    held = sorted(abs(t[2]) for t in table if t[0]["use"] != "fit" and pick(t[0]))

    def stat(v):
        return ("median %.0f%%, worst %.0f%%" % (100 * median(v), 100 * max(v))) if v else "n/a"
    return ("%s: %d fit rows; in-fit |error| %s; leave-one-out |error| %s over %d rows; "
            "%d excluded rows scored at the fit, |error| %s"
            % (label, len(fit_rows), stat(fit_errs), stat(loo_errs), len(loo_errs),
               len(held), stat(held)))


def worst_rows(table, n=6):
    scored = [t for t in table if t[0]["use"] == "fit" and t[3] is not None]
    return sorted(scored, key=lambda t: -abs(t[3]))[:n]


def write_report(path, table, fitted, summaries, skipped):
    def err_of(rid):
        return next(("%+.0f%%" % (100 * t[2]) for t in table if t[0]["id"] == rid), "n/a")
    lines = [
        "# Accuracy of the image estimate",
        "",
        "Generated by `python3 lib/catalog/calibration/fit_images.py --report "
        "docs/accuracy-images.md` from `lib/catalog/calibration/measured-images.csv`; the "
        "formulas are docs/model.md §9.  Do not edit by hand.",
        "",
        "One parameter per engine backend is fitted: its compute efficiency "
        "(`prefill_efficiency`, a fraction of the device's `compute.f16_acc32`, the f16/bf16 "
        "tensor peak with fp32 accumulation that PyTorch runs at; GeForce cards: half of "
        "`compute.f16`; A100/H100 and Apple GPUs: equal to it), as the geometric mean of the "
        "efficiencies the engine backend's `fit` rows imply.  Leave-one-out: each fit row is "
        "predicted with the efficiency fitted on the other rows of its engine backend; one "
        "with a single row has no held-out estimate.  Rows marked `excluded` are not fitted "
        "(their reason is in the source column of the CSV) and are scored at the fitted value.",
        "",
        "Fitted: " + names(fitted) + ".",
        "",
    ]
    lines += ["- " + s[0].upper() + s[1:] + "." for s in summaries]
    lines += [
        "",
        "Worst fit rows (leave-one-out):",
        "",
    ]
    for r, pred, err, loo in worst_rows(table):
        lines.append("- `%s` (%s %s, %s): %+.0f%% leave-one-out, %+.0f%% in the fit; %s" % (
            r["id"], r["engine"], r["backend"], r["pipeline"], 100 * loo, 100 * err,
            WHY.get(r["id"], "no specific cause identified")))
    lines += [
        "",
        "| row | engine | backend | system | model | size | steps x batch | measured | "
        "predicted | error | leave-one-out | use |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r, pred, err, loo in table:
        unit = "s/step" if r["metric"] == "step" else "s/image"
        lines.append("| %s | %s | %s | %s | %s | %sx%s | %s x %s | %.3g %s | %.3g | %+.0f%% | %s "
                     "| %s |" % (
                         r["id"], r["engine"], r["backend"], r["system"], r["model"], r["width"],
                         r["height"], r["steps"], r["batch"], float(r["measured_s"]), unit, pred,
                         100 * err, "%+.0f%%" % (100 * loo) if loo is not None else "n/a",
                         r["use"]))
    if skipped:
        lines += ["", "Not scored (no engine for them in engines.yaml):", ""]
        for r in skipped:
            lines.append("- `%s` (%s, %s, %s %s): %s" % (
                r["id"], r["engine"], r["system"], r["measured_s"],
                "s/step" if r["metric"] == "step" else "s/image", r["source"]))
    lines += [
        "",
        "## Where it is worst, and what is thin",
        "",
        "- **Apple GPU core counts are often not stated** (the ml-stable-diffusion SDXL table, "
        "the ComfyUI M1 Max blog): the full chip is assumed, so if a binned part was used the "
        "implied efficiency is 20-25% too low for that row.",
        "- **`coreml` metal** (Apple's Core ML pipeline, 2022-23 tables) and **`diffusers` "
        "metal** (PyTorch MPS: ComfyUI, InvokeAI, diffusers, 2022-26) are fitted separately; "
        "the PyTorch-MPS rows span four years of MPS kernels, which is their spread.  The "
        "Core ML SD v1.4 latencies are taken as the denoising loop only (ml-stable-diffusion "
        "issue #54), the SDXL diffusion speeds are iterations/s; both exclude load.",
        "- **MLX (mflux, DiffusionKit) is not an engine**: one mflux timing was found and it "
        "includes first-step warm-up over only 2 steps; an MLX engine needs at least two "
        "usable rows.",
        "- **CUDA mixes pipelines and years**: diffusers on A100/H100 (2023-25), a diffusers "
        "baseline on 4090/3090 (2024), the diffusers torch 2.0 doc (2023), AUTOMATIC1111 on a "
        "4090 (2022).  The device peak is `compute.f16_acc32`, so GeForce (half-rate fp32 "
        "accumulate) and A100/H100 (full rate) are on one scale and no longer need the "
        "efficiency to average that factor away.",
        "- Small SD 1.5 images at batch 1 are partly launch-overhead bound on big GPUs: the "
        "fal A100 row is %s; the diffusers-doc A100 row (excluded: torch.compile with CUDA "
        "graphs doubles its speed) is %s; the excluded 512x512 batch-1 webui row %s.  The "
        "model has no per-step overhead term." % (
            err_of("a100-sd15-50-fal"), err_of("diffusers-doc-sd15-a100-sdpa"),
            err_of("4090-sd15-512-b1-a1111")),
        "- FLUX on CUDA rests on two rows (A100, H100; H100 variant assumed SXM); SD3 has no "
        "timing: its prediction is the fitted efficiency applied to its shape-derived FLOPs.",
        "- Not modelled: torch.compile, TensorRT, OneDiff (excluded or absent), fp8 weights "
        "upcast on MPS (excluded ComfyUI FLUX row: %s)." % err_of("jo-fluxdev-m1max-comfy-fp8"),
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


WHY = {
    "jo-sdxl-m1max-comfy": "a 2026 ComfyUI on current PyTorch MPS, about twice the per-FLOP speed "
    "of the 2022-23 MPS rows; '~60 s' is rounded and the GPU core count is assumed (32)",
    "3090-sdxl-20-onediff": "measured well below the prediction: the 3090/4090 time ratio of the "
    "same PR is 1.73 where the fp32-accumulate peaks (71 vs 165 TFLOPS) give 2.3",
    "a100-sd15-50-fal": "SD 1.5 at 512x512 batch 1 on an A100: launch-overhead bound (no per-step "
    "overhead in the model)",
    "invoke-sd15-m2ultra76-fp32": "InvokeAI's graph total includes prompt parsing and node "
    "overhead; SD 1.5 at 512x512 is small for a 76-core GPU",
    "4090-sdxl-20-onediff": "the OneDiff PR's PyTorch baseline runs faster per FLOP than the "
    "A100 diffusers rows (measured below the prediction)",
    "statworx-sd-m1pro16-step": "PyTorch MPS of 2022 in fp32, checkpoint not named",
    "m2max-sdxl-1344x768-comfy": "2023 PyTorch MPS nightly, slower per FLOP than the 2026 row",
    "coreml-sd14-m1-ultra-48c-step": "the SD v1.4 (2022, macOS 13.1) rows run slower per FLOP than "
    "the SDXL (2023, macOS 14) rows; one Core ML efficiency splits the difference",
    "coreml-sdxl-m1-max-step": "faster per FLOP than the 2022 SD v1.4 rows (newer macOS/Core ML); "
    "GPU core count assumed (32)",
}


if __name__ == "__main__":
    sys.exit(main())
