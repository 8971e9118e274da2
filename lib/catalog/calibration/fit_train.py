#!/usr/bin/env python3
"""Fit the training engines' efficiency to measured fine-tuning runs.

    python3 lib/catalog/calibration/fit_train.py [--llmroof build/examples/llmroof]
        [--write] [--check] [--report docs/accuracy-train.md]

What it does (docs/model.md §10.6, docs/accuracy-train.md):
  1. reads measured-train.csv beside this script: published fine-tuning
     runs, each row with its source, workload and the speed (seconds per
     iteration of grad_accum micro-batches, or tokens/s) and/or the peak
     memory measured;
  2. for each speed row asks `llmroof train --json` for the step time at
     efficiency 1 (an engine override in a temporary file): the compute time
     t1 and the all-reduce time;
  3. fits, per engine, backend and kernel class (bf16: full and LoRA; nf4:
     QLoRA) that has rows marked `fit`, one efficiency eta (a fraction of
     the device's compute.f16_acc32, the f16/bf16 peak with fp32
     accumulation PyTorch runs at; Apple GPUs: compute.f16) by least
     absolute relative error of step time, t = t1 / eta + layers x tau +
     allreduce (a weighted median); the per-layer overhead tau is fitted
     only for a class with at least MIN_TAU_ROWS fit rows (else 0: two
     parameters on a handful of rows would fit them exactly); classes
     without fit rows keep the backend default; rows marked `excluded`
     (reason in their note) are not scored, only listed;
  4. with --write puts eta into lib/catalog/engines.yaml; --check exits 1
     unless engines.yaml holds exactly what the fit gives;
  5. with --report scores every row: fit rows leave-one-out (eta refitted
     without the row), held-out rows with the fitted eta, and the memory
     rows against the formulas of §10.2-10.4.

Standard library only.  Deterministic.
"""
import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
ENGINES = os.path.join(ROOT, "lib", "catalog", "engines.yaml")
DATA = os.path.join(HERE, "measured-train.csv")
EXTRA = os.path.join(HERE, "calib-systems.yaml")
MIN_TAU_ROWS = 5
GIB = 2.0 ** 30


def kernel_of(method):
    return "nf4" if method == "qlora" else "bf16"


def load_rows(path):
    rows, last = [], None
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            # A blank note repeats the previous row's (same source).
            if not r["note"] and last and last["source"] == r["source"]:
                r["note"] = last["note"]
            rows.append(r)
            last = r
    return rows


def engine_block(lines, name):
    start = next(i for i, l in enumerate(lines) if l.strip() == name + ":")
    end = start + 1
    while end < len(lines) and not re.match(r"  \S", lines[end]):
        end += 1
    return start, end


def fmt(etas):
    return "{" + ", ".join("%s: %.3f" % (k, etas[k]) for k in sorted(etas,
                                                                       key=lambda k: (k != "default", k))) + "}"


def fmt_tau(tau):
    return "%.1f us" % (tau * 1e6)


def set_prefill(lines, engine, backend, etas, tau):
    """engines.yaml lines with `engine`'s `backend` prefill_efficiency (and
    per_layer_overhead, which must be present) set."""
    lines = list(lines)
    start, end = engine_block(lines, engine)
    cur = None
    for i in range(start, end):
        s = lines[i].strip()
        m = re.match(r"(cuda|rocm|vulkan|metal|sycl|cpu):$", s)
        ind = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        if m:
            cur = m.group(1)
        elif cur == backend and s.startswith("prefill_efficiency:"):
            lines[i] = ind + "prefill_efficiency: " + fmt(etas)
        elif cur == backend and s.startswith("per_layer_overhead:") and tau is not None:
            lines[i] = ind + "per_layer_overhead: " + fmt_tau(tau)
    return lines


def current_tau(lines, engine, backend):
    start, end = engine_block(lines, engine)
    cur = None
    for i in range(start, end):
        s = lines[i].strip()
        m = re.match(r"(cuda|rocm|vulkan|metal|sycl|cpu):$", s)
        if m:
            cur = m.group(1)
        elif cur == backend and s.startswith("per_layer_overhead:"):
            return s.split(":", 1)[1].strip()
    return None


def current_prefill(lines, engine, backend):
    start, end = engine_block(lines, engine)
    cur = None
    for i in range(start, end):
        s = lines[i].strip()
        m = re.match(r"(cuda|rocm|vulkan|metal|sycl|cpu):$", s)
        if m:
            cur = m.group(1)
        elif cur == backend and s.startswith("prefill_efficiency:"):
            return s.split(":", 1)[1].strip()
    return None


def override_file(lines, engine, tmpdir):
    """A catalog file redefining `engine` with every backend at efficiency 1."""
    start, end = engine_block(lines, engine)
    block = [re.sub(r"per_layer_overhead: .*", "per_layer_overhead: 0 us",
                    re.sub(r"prefill_efficiency: .*", "prefill_efficiency: 1.0", l))
             for l in lines[start:end]]
    path = os.path.join(tmpdir, "unit-%s.yaml" % engine)
    with open(path, "w", encoding="utf-8") as f:
        f.write("llmroof: 1\nengines:\n" + "\n".join(block) + "\n")
    return path


def run_tool(tool, r, catalog=None):
    cmd = [tool, "train", "--json", "--system", r["system"], "--model", r["model"],
           "--engine", r["engine"], "--method", r["method"], "--seq-len", r["seq_len"],
           "--micro-batch", r["micro_batch"], "--gpus", r["gpus"],
           "--optimizer", r["optimizer"]]
    if r["method"] != "full":
        cmd += ["--lora-rank", r["lora_rank"], "--lora-targets", r["lora_targets"]]
    if r["checkpointing"] == "0":
        cmd.append("--no-checkpointing")
    if r["flash_attention"] == "0":
        cmd.append("--no-flash-attention")
    cmd += ["--catalog", EXTRA]
    if catalog:
        cmd += ["--catalog", catalog, "--override"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("fit_train: %s: %s" % (" ".join(cmd), p.stderr.strip()))
    return json.loads(p.stdout)


_LAYERS = {}
_BACKENDS = {}


def backend_of(tool, device):
    """Backend of a catalog device (llmroof list devices)."""
    if not _BACKENDS:
        out = subprocess.run([tool, "--catalog", EXTRA, "list", "devices"], capture_output=True,
                             text=True, check=True).stdout.split("\n")
        for line in out[1:]:
            m = re.match(r"\s*(\S+)\s.*\s(gpu|unified|cpu)\s+(\S+)\s", line)
            if m:
                _BACKENDS[m.group(1)] = m.group(3)
    if device not in _BACKENDS:
        raise SystemExit("fit_train: no backend for device %s" % device)
    return _BACKENDS[device]


def layer_count(tool, model):
    """Repeating layers of a catalog model (llmroof list models)."""
    if not _LAYERS:
        out = subprocess.run([tool, "list", "models"], capture_output=True, text=True,
                             check=True).stdout.split("\n")
        for line in out[1:]:
            # id, name (with spaces), params "8.0 B", layers, context, kind.
            m = re.match(r"\s*(\S+)\s.*?\s[0-9.]+ [KMBT]\s+([0-9]+)\s+[0-9]+\s", line + " ")
            if m:
                _LAYERS[m.group(1)] = int(m.group(2))
    if model not in _LAYERS:
        raise SystemExit("fit_train: no layer count for model %s" % model)
    return _LAYERS[model]


def measured_step(r):
    """Seconds per micro-batch step on one replica."""
    if r["seconds_per_iter"]:
        return float(r["seconds_per_iter"]) / int(r["grad_accum"] or 1)
    tokens = int(r["micro_batch"]) * int(r["seq_len"]) * int(r["gpus"])
    return tokens / float(r["tokens_per_s"])


def weighted_median(pairs):
    """The c minimising sum w |c - x| (smallest such x, deterministic)."""
    pairs = sorted(pairs)
    total = sum(w for _, w in pairs)
    acc = 0.0
    for x, w in pairs:
        acc += w
        if acc >= total / 2.0 - 1e-15:
            return x
    return pairs[-1][0]


def fit_eta_at(samples, tau):
    """samples: (t1, layers, allreduce, measured); the eta minimising
    sum |t/t_meas - 1| at a given per-layer overhead tau, and that sum."""
    pairs = []
    for t1, layers, ar, tm in samples:
        c = (tm - ar - layers * tau) / t1  # 1 / eta that makes this row exact
        pairs.append((c, t1 / tm))         # |t1 c + ... - tm| / tm = (t1/tm) |c - c_i|
    c = max(weighted_median(pairs), 1.0)   # eta <= 1
    cost = sum(abs(predict(t1, layers, ar, 1.0 / c, tau) / tm - 1.0)
               for t1, layers, ar, tm in samples)
    return 1.0 / c, cost


def fit_eta(samples):
    """(eta, tau): tau on a 10 us grid from 0 to 20 ms, eta for each; tau 0
    when there are fewer than MIN_TAU_ROWS samples."""
    best = None
    for k in range(0, 2001 if len(samples) >= MIN_TAU_ROWS else 1):
        tau = k * 10e-6
        eta, cost = fit_eta_at(samples, tau)
        if best is None or cost < best[2] - 1e-12:
            best = (eta, tau, cost)
    return best[0], best[1]


def predict(t1, layers, ar, eta, tau):
    return t1 / eta + layers * tau + ar


def pct(v):
    return "%+.1f %%" % (100.0 * v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--llmroof", default=os.path.join(ROOT, "build", "examples", "llmroof"))
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--report")
    args = ap.parse_args()

    rows = load_rows(args.data)
    lines = open(ENGINES, encoding="utf-8").read().split("\n")
    speed, memory = [], []
    excluded = [r for r in rows if r["use"] == "excluded"]
    rows = [r for r in rows if r["use"] != "excluded"]
    with tempfile.TemporaryDirectory() as tmp:
        unit = {}
        for r in rows:
            if r["engine"] not in unit:
                unit[r["engine"]] = override_file(lines, r["engine"], tmp)
            if r["kind"] in ("speed", "both"):
                js = run_tool(args.llmroof, r, unit[r["engine"]])
                r["backend"] = backend_of(args.llmroof, js["device"])
                layers = layer_count(args.llmroof, r["model"])
                speed.append((r, js["speed"]["step_time"] - js["speed"]["allreduce_time"],
                              layers, js["speed"]["allreduce_time"], measured_step(r)))
            if r["kind"] in ("memory", "both"):
                js = run_tool(args.llmroof, r)
                memory.append((r, js["memory"]))

    # One eta per (engine, backend, kernel class) with fit rows.
    groups = {}
    for s in speed:
        r = s[0]
        key = (r["engine"], r["backend"], kernel_of(r["method"]))
        groups.setdefault(key, []).append(s)
    fitted = {}
    for key, ss in sorted(groups.items()):
        fit_rows = [s for s in ss if s[0]["use"] == "fit"]
        if fit_rows:
            eta, tau = fit_eta([s[1:] for s in fit_rows])
            fitted[key] = (round(eta, 3), round(tau * 1e6, 1) * 1e-6)

    # The etas each engine backend gets: bf16 is the default class.
    per_backend, taus = {}, {}
    for (engine, backend, kernel), (eta, tau) in fitted.items():
        d = per_backend.setdefault((engine, backend), {})
        d["default" if kernel == "bf16" else kernel] = eta
        if kernel == "bf16":
            taus[(engine, backend)] = tau

    if args.write:
        new = lines
        for (engine, backend), etas in sorted(per_backend.items()):
            new = set_prefill(new, engine, backend, etas, taus.get((engine, backend)))
        with open(ENGINES, "w", encoding="utf-8") as f:
            f.write("\n".join(new))
        print("wrote", ENGINES)
    bad = []
    for (engine, backend), etas in sorted(per_backend.items()):
        have = current_prefill(lines, engine, backend)
        if have != fmt(etas):
            bad.append("%s %s: engines.yaml has %s, the fit gives %s" % (engine, backend, have,
                                                                         fmt(etas)))
        tau = taus.get((engine, backend))
        if tau is not None and current_tau(lines, engine, backend) != fmt_tau(tau):
            bad.append("%s %s: engines.yaml has per_layer_overhead %s, the fit gives %s" % (
                engine, backend, current_tau(lines, engine, backend), fmt_tau(tau)))

    # Scores: leave-one-out on fit rows, the fitted eta on held-out rows.
    scored = []
    for key, ss in sorted(groups.items()):
        for i, s in enumerate(ss):
            r, t1, layers, ar, tm = s
            if r["use"] == "fit":
                others = [o[1:] for j, o in enumerate(ss) if j != i and o[0]["use"] == "fit"]
                eta, tau = fit_eta(others) if others else fitted[key]
                how = "leave-one-out"
            else:
                bf16 = fitted.get((key[0], key[1], "bf16"))
                eta, tau = fitted.get(key, bf16)
                how = "held out" + ("" if key in fitted else " (default eta: no %s rows fitted)"
                                    % key[2])
            tp = predict(t1, layers, ar, eta, tau)
            scored.append((r, how, eta, tp, tm, tm / tp - 1.0 if tp else float("nan")))
    errs = [abs(x[5]) for x in scored]
    lo_errs = [abs(x[5]) for x in scored if x[1] == "leave-one-out"]
    mem_scored = []
    for r, m in memory:
        if r["memory_gib"]:
            meas = float(r["memory_gib"]) * GIB
            what = "peak memory"
        else:
            meas = float(r["vram_gib"]) * GIB
            what = "VRAM at the longest context that fits"
        mem_scored.append((r, what, m["total"], meas, m["total"] / meas - 1.0))
    merrs = [abs(x[4]) for x in mem_scored]

    print("fitted:", ", ".join("%s/%s/%s eta %.3f, per_layer_overhead %.1f us" % (
        k + (v[0], v[1] * 1e6)) for k, v in sorted(fitted.items())))
    if lo_errs:
        print("speed, leave-one-out: median %.1f %%, worst %.1f %% (%d rows)" % (
            100 * statistics.median(lo_errs), 100 * max(lo_errs), len(lo_errs)))
    if errs:
        print("speed, all rows: median %.1f %%, worst %.1f %% (%d rows)" % (
            100 * statistics.median(errs), 100 * max(errs), len(errs)))
    if merrs:
        print("memory: median %.1f %%, worst %.1f %% (%d rows)" % (
            100 * statistics.median(merrs), 100 * max(merrs), len(merrs)))

    if args.report:
        write_report(args.report, fitted, scored, mem_scored, excluded)
        print("wrote", args.report)
    if args.check and bad:
        for b in bad:
            print("fit_train --check:", b, file=sys.stderr)
        return 1
    return 0


def write_report(path, fitted, scored, mem_scored, excluded):
    out = []
    out.append("# Accuracy of the fine-tuning estimate\n")
    out.append("Generated by `python3 lib/catalog/calibration/fit_train.py --report "
               "docs/accuracy-train.md` from `lib/catalog/calibration/measured-train.csv` "
               "(docs/model.md §10).  Error = measured / predicted − 1.\n")
    out.append("## Fitted efficiencies\n")
    out.append("| engine | backend | kernel class | eta (fraction of compute.f16_acc32) | "
               "per_layer_overhead |")
    out.append("|---|---|---|---|---|")
    for (e, b, k), (eta, tau) in sorted(fitted.items()):
        out.append("| %s | %s | %s | %.3f | %.1f us |" % (e, b, k, eta, tau * 1e6))
    out.append("")
    out.append("eta is a fraction of the device's `compute.f16_acc32`: the f16/bf16 tensor "
               "peak with fp32 accumulation that PyTorch runs at (GeForce: half of "
               "`compute.f16`; A100/H100 and Apple GPUs: equal to it).  The per-layer overhead "
               "is fitted only for a class with at least %d fit rows; below that it is 0.  "
               "Kernel classes without `fit` rows keep the backend's default: QLoRA (`nf4`) "
               "has one usable published row with a stated speed, too few to fit; it is held "
               "out and scored with the bf16 eta.\n" % MIN_TAU_ROWS)

    def summary(label, errs):
        if not errs:
            return
        out.append("| %s | %d | %.1f %% | %.1f %% |" % (label, len(errs),
                                                       100 * statistics.median(errs),
                                                       100 * max(errs)))
    out.append("## Speed\n")
    out.append("| rows | n | median abs error | worst |")
    out.append("|---|---|---|---|")
    summary("fit rows, leave-one-out", [abs(x[5]) for x in scored if x[1] == "leave-one-out"])
    summary("held-out rows", [abs(x[5]) for x in scored if x[1] != "leave-one-out"])
    summary("all", [abs(x[5]) for x in scored])
    out.append("")
    out.append("Per engine backend:\n")
    out.append("| rows | n | median abs error | worst |")
    out.append("|---|---|---|---|")
    for eb in sorted({(x[0]["engine"], x[0]["backend"]) for x in scored}):
        pick = [x for x in scored if (x[0]["engine"], x[0]["backend"]) == eb]
        summary("%s %s, fit rows leave-one-out" % eb,
                [abs(x[5]) for x in pick if x[1] == "leave-one-out"])
        summary("%s %s, held-out rows" % eb,
                [abs(x[5]) for x in pick if x[1] != "leave-one-out"])
    out.append("")
    out.append("The mlx-lm (metal) eta rests on two mlx-examples README rows, whose sequence "
               "length is assumed (128 tokens of WikiSQL) and whose GPU core counts are not "
               "stated; the two differ in how many layers get adapters (16 vs 4 of 32, so "
               "the backward pass differs), which one eta cannot describe: their "
               "leave-one-out errors are the honest spread.  It gives Macs a training speed "
               "of the right order, not a calibrated one.\n")
    worst = max(scored, key=lambda x: abs(x[5])) if scored else None
    if worst:
        r = worst[0]
        out.append("Worst: %s %s %s at %s tokens (%s), %s: predicted %.3g s per step, "
                   "measured %.3g s.\n" % (r["model"], r["method"], r["system"], r["seq_len"],
                                            r["source"], pct(worst[5]), worst[3], worst[4]))
    out.append("| source | model | method | system | seq | batch | ckpt | scored | eta | "
               "predicted s/step | measured s/step | error |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r, how, eta, tp, tm, e in scored:
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %.3f | %.3g | %.3g | %s |" % (
            r["source"], r["model"], r["method"], r["system"], r["seq_len"], r["micro_batch"],
            "on" if r["checkpointing"] == "1" else "off", how, eta, tp, tm, pct(e)))
    out.append("")
    out.append("## Memory (a check of §10.2–10.4, nothing fitted)\n")
    out.append("| rows | n | median abs error | worst |")
    out.append("|---|---|---|---|")
    summary("all", [abs(x[4]) for x in mem_scored])
    out.append("")
    out.append("Error here = predicted total / measured − 1 (negative: the formulas "
               "predict less memory than was used).  For the Unsloth rows the 'measured' "
               "figure is the GPU's memory at the longest context Hugging Face + FA2 fit, "
               "so a prediction below it means the formulas would allow a longer "
               "context.\n")
    out.append("| source | model | method | seq | what | predicted GiB | measured GiB | error |")
    out.append("|---|---|---|---|---|---|---|---|")
    for r, what, pred, meas, e in mem_scored:
        out.append("| %s | %s | %s | %s | %s | %.2f | %.2f | %s |" % (
            r["source"], r["model"], r["method"], r["seq_len"], what, pred / GIB, meas / GIB,
            pct(e)))
    out.append("")
    out.append("## Excluded rows (not scored)\n")
    for r in excluded:
        out.append("- `%s` %s %s %s on %s: %s" % (r["source"], r["engine"], r["method"],
                                                  r["model"], r["system"], r["note"]))
    out.append("")
    out.append("## Sources\n")
    seen = set()
    for r in [x[0] for x in scored] + [x[0] for x in mem_scored]:
        if r["source"] not in seen:
            seen.add(r["source"])
            out.append("- `%s`: %s" % (r["source"], r["note"]))
    out.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
