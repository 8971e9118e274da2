#!/usr/bin/env python3
"""Fits the image engines' compute efficiencies from measured timings.

    python3 lib/catalog/calibration/fit_images.py [--llmroof build/examples/llmroof]
        [--write] [--check] [--report docs/accuracy-images.md]

Reads measured-images.csv (one row per published timing, with its source and
settings), predicts every row with `llmroof image --json` (docs/model.md §9),
and fits ONE parameter per engine backend: the compute efficiency
`prefill_efficiency` of the `diffusers` engine's cuda and metal backends.
Every predicted time of a compute-bound row is inversely proportional to that
efficiency (steps, encoders and VAE all divide by C x eta), so the fit that
minimises the squared log error is the geometric mean over the backend's rows
of the efficiency each row alone implies.  No per-row parameter, no per-step
overhead (the data does not separate one; see the report).

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
ENGINE = "diffusers"


def rows():
    with open(CSV, newline="") as f:
        return list(csv.DictReader(f))


def current_efficiencies(text):
    """backend -> prefill_efficiency of the diffusers engine in engines.yaml."""
    block = engine_block(text)
    out = {}
    for m in re.finditer(r"^      (\w+):\n((?:        .*\n)+)", block[1], re.M):
        e = re.search(r"prefill_efficiency: ([0-9.]+)", m.group(2))
        if e:
            out[m.group(1)] = float(e.group(1))
    return out


def engine_block(text):
    """(start, text) of the diffusers engine's entry."""
    m = re.search(r"^  %s:\n(?:    .*\n|\n(?=    ))*" % re.escape(ENGINE), text, re.M)
    if not m:
        sys.exit("fit_images: no '%s' engine in %s" % (ENGINE, ENGINES))
    return m.start(), m.group(0)


def predict(llmroof, r):
    cmd = [llmroof, "--catalog", EXTRA, "image", "--system", r["system"], "--model", r["model"],
           "--engine", ENGINE, "--width", r["width"], "--height", r["height"],
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
    cur = current_efficiencies(text)
    data = rows()
    for r in data:
        eta0 = cur[r["backend"]]
        r["pred0"] = predict(args.llmroof, r)
        r["eta0"] = eta0
        # The efficiency at which this row alone would be predicted exactly.
        r["implied"] = eta0 * r["pred0"] / float(r["measured_s"])
    fitted = {}
    for be in sorted(cur):
        etas = [r["implied"] for r in data if r["backend"] == be and r["use"] == "fit"]
        if etas:
            fitted[be] = round(min(fit(etas), 1.0), 3)

    if args.write:
        start, block = engine_block(text)
        new = block
        for be, eta in fitted.items():
            new = re.sub(r"(^      %s:\n(?:        .*\n)*?        prefill_efficiency: )[0-9.]+"
                         % be, lambda m: m.group(1) + "%.3f" % eta, new, flags=re.M)
        text = text[:start] + new + text[start + len(block):]
        with open(ENGINES, "w") as f:
            f.write(text)
        print("wrote", ", ".join("%s %.3f" % kv for kv in fitted.items()))
        cur = dict(cur, **fitted)

    # Scores: every row at the fitted value, and leave-one-out.
    table = []
    for r in data:
        be = r["backend"]
        eta = fitted.get(be, cur[be])
        pred = r["pred0"] * r["eta0"] / eta
        err = pred / float(r["measured_s"]) - 1
        others = [o["implied"] for o in data
                  if o is not r and o["backend"] == be and o["use"] == "fit"]
        loo = None
        if r["use"] == "fit" and others:
            loo = r["pred0"] * r["eta0"] / fit(others) / float(r["measured_s"]) - 1
        elif r["use"] != "fit" and others:
            loo = err  # not in the fit: its error is held out already
        table.append((r, pred, err, loo))

    fit_rows = [t for t in table if t[0]["use"] == "fit"]
    loo_errs = sorted(abs(t[3]) for t in table if t[0]["use"] == "fit" and t[3] is not None)
    fit_errs = sorted(abs(t[2]) for t in fit_rows)

    def median(v):
        if not v:
            return float("nan")
        n = len(v)
        return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2

    summary = ("rows %d (fit %d); in-fit |error| median %.0f%%, worst %.0f%%; leave-one-out "
               "|error| median %.0f%%, worst %.0f%% over %d rows"
               % (len(table), len(fit_rows), 100 * median(fit_errs), 100 * max(fit_errs),
                  100 * median(loo_errs), 100 * max(loo_errs), len(loo_errs)))
    print("fitted:", ", ".join("%s %.3f" % kv for kv in fitted.items()))
    print(summary)

    if args.report:
        write_report(args.report, table, fitted, summary)

    if args.check:
        bad = {be: (cur.get(be), eta) for be, eta in fitted.items()
               if abs(cur.get(be, -1) - eta) > 5e-4}
        if bad:
            print("engines.yaml is not what the fit gives (run fit_images.py --write): %s"
                  % ", ".join("%s has %s, fit %s" % (be, a, b) for be, (a, b) in bad.items()))
            return 1
        print("engines.yaml diffusers efficiencies match the fit")
    return 0


def write_report(path, table, fitted, summary):
    lines = [
        "# Accuracy of the image estimate",
        "",
        "Generated by `python3 lib/catalog/calibration/fit_images.py --report "
        "docs/accuracy-images.md` from `lib/catalog/calibration/measured-images.csv`; the "
        "formulas are docs/model.md §9.  Do not edit by hand.",
        "",
        "One parameter per backend is fitted: the `diffusers` engine's compute efficiency "
        "(`prefill_efficiency`, a fraction of the device's `compute.f16`), as the geometric "
        "mean of the efficiencies the `fit` rows imply.  Leave-one-out: each fit row is "
        "predicted with the efficiency fitted on the other rows of its backend; a backend "
        "with a single row has no held-out estimate.  Rows marked `excluded` are not fitted "
        "(their reason is in the source) and are scored at the fitted value.",
        "",
        "Fitted: " + ", ".join("%s %.3f" % kv for kv in sorted(fitted.items())) + ".",
        "",
        summary[0].upper() + summary[1:] + ".",
        "",
        "| row | backend | model | size | steps x batch | measured | predicted | error | "
        "leave-one-out | use |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r, pred, err, loo in table:
        unit = "s/step" if r["metric"] == "step" else "s/image"
        lines.append("| %s | %s | %s | %sx%s | %s x %s | %.3g %s | %.3g | %+.0f%% | %s | %s |" % (
            r["id"], r["backend"], r["model"], r["width"], r["height"], r["steps"], r["batch"],
            float(r["measured_s"]), unit, pred, 100 * err,
            "%+.0f%%" % (100 * loo) if loo is not None else "n/a", r["use"]))
    lines += [
        "",
        "## Where it is worst, and what is thin",
        "",
        "- **Apple (metal) rests on one row** (an M2 Max in ComfyUI with PyTorch MPS, 2023).  "
        "Its efficiency is that row's, with no held-out check; MLX pipelines (mflux, "
        "DiffusionKit) and Draw Things (Metal FlashAttention) are faster than PyTorch MPS "
        "and are not modelled separately for lack of per-step timings (mflux's README times "
        "whole runs including loading the weights).  The M3 Ultra prediction is this "
        "efficiency times the M3 Ultra's compute: treat it as a PyTorch-MPS figure.",
        "- **CUDA mixes pipelines and years**: diffusers on A100 (2023-24), a diffusers "
        "baseline on 4090/3090 (2024), AUTOMATIC1111 on a 4090 (2022).  The spread of the "
        "implied efficiencies is the table's error column; the 2022 webui rows run slower "
        "per FLOP than 2024 diffusers.",
        "- The RTX 4090's `compute.f16` is its FP16-accumulate tensor peak (330.3 TFLOPS); "
        "PyTorch accumulates in fp32 (165.2 TFLOPS), so one CUDA efficiency shared by "
        "A100 (one peak for both) and GeForce cards folds that factor into an average: "
        "GeForce rows come out slower than predicted, A100 rows faster.",
        "- No FLUX or SD3 timings are in the fit: their predictions rest on the SDXL/SD1.5 "
        "efficiency applied to their shape-derived FLOPs.",
        "- Not modelled: torch.compile, TensorRT, OneDiff (excluded or absent), per-step "
        "Python overhead (the excluded 512x512 batch-1 webui row is ~%s slower than "
        "predicted)." % next(("%.0f%%" % (100 * abs(t[2])) for t in table
                                if t[0]["id"] == "4090-sd15-512-b1-a1111"), "n/a"),
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
