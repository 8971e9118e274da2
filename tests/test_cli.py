#!/usr/bin/env python3
"""Tests of the llmroof command-line tool (examples/llmroof.c, docs/cli.md).

Usage: python3 tests/test_cli.py PATH/TO/llmroof TESTS_DATA_DIR

Python 3 standard library only.  Prints one line per test and, last,
"N passed, M failed"; exits non-zero when anything failed.  With
LLMROOF_VALGRIND=1 in the environment (meson test --setup valgrind) every run
of the tool goes through valgrind, and a memory error or leak fails the test.
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import runner

LLMROOF = None
DATA = None
TESTS = []

FITS = {"gpu", "offload", "storage", "none"}
RESOURCES = {"none", "device-memory", "host-memory", "gpu-link", "host-link",
             "compute", "storage", "overhead"}
TIER_KINDS = {"accelerator", "host", "storage"}
PLACEMENT_KINDS = {"gpu", "multi_gpu", "unified", "cpu", "offload"}
BAND_FLAGS = {"band-thin", "uncalibrated", "moe-uncalibrated", "device-unmeasured"}
COMMANDS = ["table", "estimate", "pick", "list", "check", "train", "image", "compare"]
TABLE_SYSTEMS = ["mac-studio-m3-ultra-96gb", "pc-rtx-4090", "pc-2x-rtx-4090"]
TABLE_ROWS = [("llama-3.1-8b", "Q4_K_M"), ("qwen2.5-32b", "Q4_K_M"),
              ("qwen2.5-32b", "Q5_K_M"), ("llama-3-70b", "Q4_K_M"),
              ("llama-3-70b", "Q8_0"), ("llama-3.1-405b", "Q4_K_M")]


def test(fn):
    TESTS.append(fn)
    return fn


VALGRIND_EXIT = 99
VALGRIND = ["valgrind", "--error-exitcode=%d" % VALGRIND_EXIT, "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect", "-q"]


def run(*args, timeout=60):
    """Runs the tool; returns (returncode, stdout, stderr) as text."""
    cmd = [LLMROOF] + list(args)
    if os.environ.get("LLMROOF_VALGRIND") == "1":
        cmd = VALGRIND + cmd
        timeout *= 20
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    out = p.stdout.decode("utf-8", errors="replace")
    err = p.stderr.decode("utf-8", errors="replace")
    # A negative code is a signal: a crash is never acceptable.
    assert p.returncode >= 0, "killed by signal %d: %r" % (-p.returncode, args)
    assert p.returncode != VALGRIND_EXIT or VALGRIND[0] not in cmd, (
        "valgrind found errors for %r:\n%s" % (args, err[-4000:]))
    return p.returncode, out, err


def expect(code, *args):
    rc, out, err = run(*args)
    assert rc == code, "exit %d, expected %d for %r\nstdout: %s\nstderr: %s" % (
        rc, code, args, out[-2000:], err[-2000:])
    return out, err


def data(*parts):
    return os.path.join(DATA, "cli", *parts)


def reject_constant(name):
    raise ValueError("non-standard JSON constant %s" % name)


def load_json(text):
    # json.loads accepts NaN/Infinity by default; the tool must never emit them.
    return json.loads(text, parse_constant=reject_constant)


def estimate_json(*args):
    out, _ = expect(0, "estimate", "--json", *args)
    return load_json(out)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (is_int(v) or isinstance(v, float)) and math.isfinite(v)


def is_num_or_null(v):
    return v is None or is_num(v)


def check_schema(j):
    """The fields docs/cli.md promises, with their types."""
    assert isinstance(j, dict)
    assert j["fit"] in FITS, j["fit"]
    assert isinstance(j["flags"], list)
    assert all(isinstance(f, str) for f in j["flags"])
    mem = j["memory"]
    for k in ["weights_bytes", "kv_bytes", "compute_bytes", "overhead_bytes", "total_bytes"]:
        assert is_int(mem[k]) and mem[k] >= 0, (k, mem[k])
    pl = j["placement"]
    assert is_int(pl["gpu_layers"]) and is_int(pl["layers"])
    assert isinstance(pl["split"], str)
    assert isinstance(pl["tiers"], list) and pl["tiers"]
    for t in pl["tiers"]:
        assert t["kind"] in TIER_KINDS, t["kind"]
        assert isinstance(t["device"], str)
        assert is_int(t["layers"]) and isinstance(t["has_output"], bool)
        for k in ["capacity_bytes", "weights_bytes", "kv_bytes", "compute_bytes",
                  "overhead_bytes", "total_bytes"]:
            assert is_int(t[k]) and t[k] >= 0, (k, t[k])
        assert is_int(t["headroom_bytes"])
        assert is_num_or_null(t["decode_time_s"])
        assert t["decode_bound_by"] in RESOURCES, t["decode_bound_by"]
    dec = j["decode"]
    for k in ["tokens_per_s", "bound_tokens_per_s", "step_time_s", "link_time_s"]:
        assert is_num_or_null(dec[k]), (k, dec[k])
    assert dec["bound_by"] in RESOURCES, dec["bound_by"]
    pre = j["prefill"]
    for k in ["tokens_per_s", "bound_tokens_per_s", "ttft_s"]:
        assert is_num_or_null(pre[k]), (k, pre[k])
    assert pre["bound_by"] in RESOURCES, pre["bound_by"]
    band = j["band"]
    assert band["kind"] in PLACEMENT_KINDS, band["kind"]
    for k in ["decode", "prefill"]:
        assert len(band[k]) == 2 and all(is_num(v) for v in band[k]), (k, band[k])
    req = j["request"]
    for k in ["system", "model", "quant", "engine", "kv_type"]:
        assert isinstance(req[k], str), k
    for k in ["ctx", "depth", "prompt", "gen", "batch"]:
        assert is_int(req[k]) and req[k] >= 0, k
    assert isinstance(j["energy"], dict)
    for v in j["energy"].values():
        assert is_num_or_null(v)


def check_consistency(j):
    mem = j["memory"]
    assert mem["total_bytes"] >= mem["weights_bytes"] + mem["kv_bytes"], mem
    dec = j["decode"]
    if j["fit"] != "none":
        assert dec["tokens_per_s"] is not None and dec["tokens_per_s"] > 0, dec
        assert dec["tokens_per_s"] <= dec["bound_tokens_per_s"], dec
        pre = j["prefill"]
        if j["request"]["prompt"] > 0 and pre["tokens_per_s"] is not None:
            assert pre["tokens_per_s"] <= pre["bound_tokens_per_s"], pre
        lo, hi = j["band"]["decode"]
        assert 0 < lo <= dec["tokens_per_s"] <= hi, (j["band"], dec)
    else:
        assert j["band"]["decode"] == [0, 0] and j["band"]["prefill"] == [0, 0], j["band"]
    for t in j["placement"]["tiers"]:
        # llmroof.h: headroom = capacity - total.  The storage tier has no
        # capacity (0: unbounded) and holds what host RAM could not.
        if t["kind"] != "storage":
            assert t["headroom_bytes"] == t["capacity_bytes"] - t["total_bytes"], t
    layers = sum(t["layers"] for t in j["placement"]["tiers"])
    assert layers == j["placement"]["layers"], (layers, j["placement"]["layers"])


# ---------------------------------------------------------------- help, usage

@test
def help_global():
    for args in (["--help"], ["-h"], ["help"]):
        out, _ = expect(0, *args)
        assert "Usage: llmroof" in out
        for c in COMMANDS:
            assert c in out, c


@test
def help_each_command():
    for c in COMMANDS:
        for args in ([c, "--help"], [c, "-h"], ["help", c]):
            out, _ = expect(0, *args)
            assert out.startswith("Usage: llmroof " + c), (args, out[:80])


@test
def version():
    out, _ = expect(0, "--version")
    assert re.fullmatch(r"llmroof \d+\.\d+\.\d+\n", out), out


@test
def usage_errors_exit_2():
    base = ["estimate", "--system", "pc-rtx-4090", "--model", "llama-3.1-8b",
            "--quant", "Q4_K_M"]
    cases = [
        [], ["bogus"], ["--bogus"], ["help", "bogus"], ["--catalog"],
        ["estimate"], ["estimate", "--system", "pc-rtx-4090"],
        ["estimate", "--system", "--model", "x", "--quant", "y"],
        base + ["--bogus"], base + ["extra"], base + ["--json=yes"],
        base + ["--ctx", "12abc"], base + ["--ctx", "-1"], base + ["--ctx", ""],
        base + ["--ctx", "4294967296"], base + ["--ctx", " 12"], base + ["--ctx", "1e3"],
        base + ["--ctx", "0x10"], base + ["--depth", "+5"], base + ["--prompt", "1.5"],
        base + ["--gen", "99999999999999999999999"], base + ["--batch", "0"],
        base + ["--ubatch", "0"], base + ["--kv", "q3_x"], base + ["--split", "diagonal"],
        base + ["--gpu-layers", "-1"], base + ["--gpu-layers", "all"],
        base + ["--gpu-layers", "3000000000"], base + ["--gpu-share", "0"],
        base + ["--gpu-share", "1.5"], base + ["--gpu-share", "nan"],
        base + ["--gpu-share", "inf"], base + ["--gpu-share", "-0.5"],
        base + ["--gpu-share", "1e999"], base + ["--tensor-split", "1,,2"],
        base + ["--tensor-split", "0,0"], base + ["--tensor-split", "1,-1"],
        base + ["--tensor-split", ",".join(["1"] * 17)], base + ["--ctx"],
        ["list", "bogus"], ["list", "models", "systems"], ["list", "--bogus"],
        ["table", "--bogus"], ["table", "extra"], ["check"], ["check", "--bogus", "x"],
    ]
    for args in cases:
        _, err = expect(2, *args)
        assert err.startswith("llmroof: error: "), (args, err)


# ---------------------------------------------------------------- estimate

@test
def estimate_8b_fits_gpu():
    j = estimate_json("--system", "pc-rtx-4090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M")
    check_schema(j)
    check_consistency(j)
    assert j["fit"] == "gpu", j["fit"]
    req = j["request"]
    assert (req["system"], req["model"], req["quant"], req["engine"]) == (
        "pc-rtx-4090", "llama-3.1-8b", "Q4_K_M", "llama.cpp"), req
    # llama-bench defaults: prompt 512, gen 128, depth 0, ctx = their sum.
    assert (req["prompt"], req["gen"], req["depth"], req["batch"]) == (512, 128, 0, 1), req
    assert req["ctx"] == 640, req["ctx"]
    assert req["kv_type"] == "f16"


@test
def estimate_70b_q4_offloads_on_one_4090():
    j = estimate_json("--system", "pc-rtx-4090", "--model", "llama-3-70b", "--quant", "Q4_K_M")
    check_schema(j)
    check_consistency(j)
    assert j["fit"] == "offload", j["fit"]
    pl = j["placement"]
    assert 0 < pl["gpu_layers"] < pl["layers"] + 1, pl["gpu_layers"]


@test
def estimate_kv_bytes_8b_ctx_8192_f16():
    # 32 layers x 2 (K, V) x 8 kv heads x 128 x 2 bytes x 8192 tokens = 1 GiB.
    j = estimate_json("--system", "pc-rtx-4090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M",
                      "--ctx", "8192", "--kv", "f16")
    assert j["memory"]["kv_bytes"] == 1073741824, j["memory"]["kv_bytes"]
    assert j["request"]["ctx"] == 8192
    # q8_0 stores 34 bytes per 32 values: 17/32 of f16's size.
    j8 = estimate_json("--system", "pc-rtx-4090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M",
                       "--ctx", "8192", "--kv", "q8_0")
    assert j8["request"]["kv_type"] == "q8_0"
    assert j8["memory"]["kv_bytes"] == 1073741824 * 17 // 32, j8["memory"]["kv_bytes"]


@test
def estimate_table_cells_consistent():
    for system in TABLE_SYSTEMS:
        for model, quant in TABLE_ROWS:
            j = estimate_json("--system", system, "--model", model, "--quant", quant,
                              "--ctx", "4096", "--prompt", "0")
            try:
                check_schema(j)
                check_consistency(j)
            except AssertionError as e:
                raise AssertionError("%s %s %s: %s" % (system, model, quant, e))


@test
def estimate_options_map_onto_request():
    j = estimate_json("--system", "pc-2x-rtx-4090", "--model", "llama-3.1-8b",
                      "--quant", "Q4_K_M", "--depth", "1024", "--prompt", "256", "--gen", "64",
                      "--batch", "2", "--ubatch", "256", "--kv", "q8_0", "--split", "layer",
                      "--tensor-split", "3,1", "--no-flash-attn", "--engine", "llama.cpp")
    check_schema(j)
    check_consistency(j)
    req = j["request"]
    assert (req["depth"], req["prompt"], req["gen"], req["batch"]) == (1024, 256, 64, 2), req
    assert req["ctx"] == 1024 + 256 + 64, req["ctx"]
    assert req["kv_type"] == "q8_0" and req["flash_attn"] is False
    assert req["tensor_split"] == [3, 1], req["tensor_split"]
    # --option=value works like --option value.
    j2 = estimate_json("--system=pc-rtx-4090", "--model=llama-3.1-8b", "--quant=Q4_K_M",
                       "--ctx=2048")
    assert j2["request"]["ctx"] == 2048


@test
def estimate_gpu_layers_zero_keeps_all_in_host():
    j = estimate_json("--system", "pc-rtx-4090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M",
                      "--gpu-layers", "0")
    check_schema(j)
    check_consistency(j)
    assert j["placement"]["gpu_layers"] == 0
    assert j["fit"] in ("offload", "storage"), j["fit"]


@test
def estimate_human_output():
    out, _ = expect(0, "estimate", "--system", "pc-rtx-4090", "--model", "llama-3-70b",
                    "--quant", "Q4_K_M")
    for word in ("Verdict", "OFFLOAD", "weights", "KV cache", "GiB", "tok/s", "host RAM",
                 "first token"):
        assert word in out, word
    out, _ = expect(0, "estimate", "--system", "mac-studio-m3-ultra-96gb",
                    "--model", "llama-3.1-405b", "--quant", "Q4_K_M")
    assert "short by" in out or "storage" in out, out


def tps_text(v):
    """cli_tps: the tool's rounding of a speed."""
    return "%.2f" % v if v < 1 else "%.1f" % v if v < 100 else "%.0f" % v


@test
def estimate_error_band():
    """docs/cli.md: the likely range of each speed, from the engine backend's
    band for the kind of placement, or a wide default that is flagged."""
    base = ["--system", "pc-rtx-4090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M"]
    band = ["--catalog", data("band.yaml"), "--engine", "banded"]
    j = estimate_json(*(base + band))
    check_schema(j)
    check_consistency(j)
    dec, pre = j["decode"]["tokens_per_s"], j["prefill"]["tokens_per_s"]
    assert j["band"] == {"kind": "gpu", "decode": [dec * 0.9, dec * 1.1],
                         "prefill": [pre * 0.8, pre * 1.25]}, j["band"]
    assert not BAND_FLAGS & set(j["flags"]), j["flags"]
    out, _ = expect(0, "estimate", *(base + band))
    want = "generation    %s tok/s, likely %s-%s  (limit" % (
        tps_text(dec), tps_text(dec * 0.9), tps_text(dec * 1.1))
    assert want in out, (want, out)
    assert "prompt        %s tok/s, likely %s-%s  (limit" % (
        tps_text(pre), tps_text(pre * 0.8), tps_text(pre * 1.25)) in out, out
    assert "Likely range" not in out, out

    # No layer on the GPU: the cpu backend's band, thin and without prefill.
    j = estimate_json(*(base + band + ["--gpu-layers", "0"]))
    check_consistency(j)
    dec, pre = j["decode"]["tokens_per_s"], j["prefill"]["tokens_per_s"]
    assert j["band"] == {"kind": "cpu", "decode": [dec * 0.7, dec * 1.4],
                         "prefill": [pre * 0.33, pre * 2.0]}, j["band"]
    assert BAND_FLAGS & set(j["flags"]) == {"band-thin", "uncalibrated", "device-unmeasured"}, \
        j["flags"]
    out, _ = expect(0, "estimate", *(base + band + ["--gpu-layers", "0"]))
    assert "thin calibration" in out and "wide default or borrowed band" in out, out
    assert "this device was never measured with this engine" in out, out
    # A GPU the backend was not measured on: flagged, the band unchanged.
    other = ["--system", "pc-rtx-5090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M"]
    j = estimate_json(*(other + band))
    assert BAND_FLAGS & set(j["flags"]) == {"device-unmeasured"}, j["flags"]
    dec = j["decode"]["tokens_per_s"]
    assert j["band"]["decode"] == [dec * 0.9, dec * 1.1], j["band"]

    # An engine backend the calibration has no row for (MLC on CUDA): the
    # wide default, flagged.
    mlc = ["--system", "pc-rtx-4090", "--model", "llama-3.2-3b", "--quant", "F16",
           "--engine", "mlc"]
    j = estimate_json(*mlc)
    dec = j["decode"]["tokens_per_s"]
    assert j["band"]["decode"] == [dec * 0.5, dec * 1.5], j["band"]
    assert BAND_FLAGS & set(j["flags"]) == {"uncalibrated", "device-unmeasured"}, j["flags"]
    out, _ = expect(0, "estimate", *mlc)
    assert "likely %s-%s" % (tps_text(dec * 0.5), tps_text(dec * 1.5)) in out, out
    assert "no measured row for this engine, backend and placement\n    (gpu)" in out, out

    # The bundled llama.cpp CUDA band for one GPU, as engines.yaml gives it.
    text = open(os.path.join(DATA, "..", "..", "lib", "catalog", "engines.yaml")).read()
    cuda = text[text.index("\n  llama.cpp:\n"):text.index("\n  llama.cpp-2024:\n")]
    cuda = cuda[cuda.index("      cuda:"):cuda.index("      rocm:")]
    m = re.search(r"gpu: \{decode: \[([0-9.]+), ([0-9.]+)\]", cuda)
    j = estimate_json(*base)
    dec = j["decode"]["tokens_per_s"]
    assert j["band"]["decode"] == [dec * float(m.group(1)), dec * float(m.group(2))], j["band"]

    # The kind of placement, and a mixture of experts.
    for system, model, quant, kind in (
            ("pc-2x-rtx-4090", "llama-3-70b", "Q4_K_M", "multi_gpu"),
            ("mac-studio-m3-ultra-96gb", "llama-3.1-8b", "Q4_K_M", "unified"),
            ("pc-rtx-4090", "llama-3-70b", "Q4_K_M", "offload")):
        j = estimate_json("--system", system, "--model", model, "--quant", quant)
        assert j["band"]["kind"] == kind, (system, model, j["band"])
    j = estimate_json("--system", "mac-studio-m3-ultra-256gb", "--model", "qwen3-30b-a3b",
                      "--quant", "F16", "--engine", "mlc")
    assert BAND_FLAGS & set(j["flags"]) == {"uncalibrated", "moe-uncalibrated",
                                            "device-unmeasured"}, j["flags"]
    j = estimate_json(*(["--model", "qwen3-30b-a3b"] + base[:2] + base[4:] + band))
    assert "moe-uncalibrated" not in j["flags"], j["flags"]  # band.yaml: moe_rows 3


@test
def estimate_unknown_ids_exit_1():
    base = {"--system": "pc-rtx-4090", "--model": "llama-3.1-8b", "--quant": "Q4_K_M"}
    for opt, bad in (("--system", "no-such-machine"), ("--model", "llama-9-1b"),
                     ("--quant", "Q9_K_X"), ("--engine", "no-engine"),
                     ("--system", "x" * 200), ("--model", "caf\u00e9\u2603")):
        args = dict(base)
        args[opt] = bad
        flat = [a for kv in args.items() for a in kv]
        rc, out, err = run("estimate", *flat)
        assert rc == 1, (opt, bad, rc, err)
        assert bad in err, (bad, err)
        assert err.startswith("llmroof: error: "), err
        # --json: nothing half-written on stdout.
        rc, out, err = run("estimate", "--json", *flat)
        assert rc == 1 and out == "", (rc, out)


@test
def estimate_did_you_mean():
    _, err = expect(1, "estimate", "--system", "pc-rtx-409", "--model", "llama-3.1-8b",
                    "--quant", "Q4_K_M")
    assert "pc-rtx-4090" in err, err
    _, err = expect(1, "estimate", "--system", "pc-rtx-4090", "--model", "llama-3.1-8b",
                    "--quant", "q4_k_m")
    assert "Q4_K_M" in err, err


# ---------------------------------------------------------------- check, --catalog

@test
def check_good_file():
    out, _ = expect(0, "check", data("good.yaml"))
    assert out == data("good.yaml") + ": ok\n", out


@test
def check_bad_files_point_at_line_and_column():
    cases = {"bad_unknown_key.yaml": (8, 5), "bad_reference.yaml": None,
             "bad_syntax.yaml": None}
    for name, pos in cases.items():
        path = data(name)
        _, err = expect(1, "check", path)
        m = re.search(re.escape(path) + r":(\d+):(\d+): error: .+ \(.+\)$", err, re.M)
        assert m, (name, err)
        if pos:
            assert (int(m.group(1)), int(m.group(2))) == pos, (name, m.groups())
    # The misspelt key gets a suggestion.
    _, err = expect(1, "check", data("bad_unknown_key.yaml"))
    assert "bandwith" in err and "bandwidth" in err, err


@test
def check_several_files():
    out, err = expect(1, "check", data("good.yaml"), data("bad_unknown_key.yaml"),
                      data("good.yaml"))
    # Each file is checked on its own: good.yaml twice is not a duplicate.
    assert out.count(": ok\n") == 2, out
    assert data("bad_unknown_key.yaml") + ":" in err, err
    _, err = expect(1, "check", data("no-such-file.yaml"))
    assert "no-such-file.yaml" in err, err


@test
def catalog_option_adds_descriptors():
    j = estimate_json("--catalog", data("good.yaml"), "--system", "test-box-16g",
                      "--model", "llama-3.1-8b", "--quant", "Q4_K_M")
    check_schema(j)
    check_consistency(j)
    assert j["fit"] == "gpu"
    assert any(t["device"] == "test-gpu-16g" for t in j["placement"]["tiers"])
    # Also before the command, and listed.
    out, _ = expect(0, "--catalog", data("good.yaml"), "list", "systems")
    assert "test-box-16g" in out
    # Loading the same ids twice is a duplicate unless --override.
    _, err = expect(1, "list", "--catalog", data("good.yaml"), "--catalog", data("good.yaml"))
    assert "good.yaml" in err, err
    expect(0, "list", "--override", "--catalog", data("good.yaml"), "--catalog",
           data("good.yaml"))
    # A bad --catalog file: exit 1, located error.
    _, err = expect(1, "estimate", "--catalog", data("bad_unknown_key.yaml"),
                    "--system", "pc-rtx-4090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M")
    assert re.search(r"bad_unknown_key\.yaml:8:5: ", err), err


@test
def example_catalog_in_docs_works():
    """examples/catalog/my-pc.yaml, the file the README points newcomers to."""
    path = os.path.join(DATA, "..", "..", "examples", "catalog", "my-pc.yaml")
    out, _ = expect(0, "check", path)
    assert out.endswith(": ok\n"), out
    j = estimate_json("--catalog", path, "--system", "my-pc", "--model", "qwen2.5-32b",
                      "--quant", "Q4_K_M", "--ctx", "8192")
    check_schema(j)
    check_consistency(j)
    # 18.7 GiB of weights do not fit an 8 GiB card: some layers stay in host RAM.
    assert j["fit"] == "offload", j["fit"]


# ---------------------------------------------------------------- list

@test
def list_sections():
    out, _ = expect(0, "list", "models")
    assert re.search(r"^\s*llama-3\.1-8b\s", out, re.M), out
    expected = {"devices": "rtx-4090", "systems": "pc-2x-rtx-4090", "quants": "Q4_K_M",
                "engines": "llama.cpp", "links": "pcie-4.0-x16"}
    for section, ident in expected.items():
        out, _ = expect(0, "list", section)
        assert ident in out, (section, out)
    out, _ = expect(0, "list")
    for section in ["devices", "links", "systems", "models", "quants", "engines"]:
        assert re.search(r"^%s \(\d+\)$" % section, out, re.M), section
    long = [l for l in out.splitlines() if len(l) > 100]
    assert not long, "lines over 100 columns: %r" % long


# ---------------------------------------------------------------- table

@test
def table_reproduces_the_article():
    out, err = expect(0, "table")
    lines = out.splitlines()
    long = [l for l in lines if len(l) > 100]
    assert not long, "lines over 100 columns: %r" % long
    assert "tg128" in out and "4096" in out
    for system in TABLE_SYSTEMS:
        assert system in out, system
    for text in ("Llama 3.1 8B", "Qwen2.5 32B", "Llama 3 70B", "Llama 3.1 405B", "Q5_K_M",
                 "Q8_0", "~95-135", "8-15 offload", "won't run", "Llama 3 32B"):
        assert text in out, text
    # 405B Q4 does not fit in the 96 GB Mac: the article's 17-18 tok/s is marked.
    row = [l for l in lines if "~17-18" in l]
    assert row and re.search(r"\s[!F?w]+$", row[0]), row


@test
def no_crash_on_odd_input():
    odd = ["", "-", "--", "\u00ff", "--system=", "--=", "-x", "%s%n", "\x01"]
    for a in odd:
        for cmd in (["estimate"], ["list"], ["table"], ["check"], []):
            rc, _, _ = run(*(cmd + [a]))
            assert rc in (0, 1, 2), (cmd, a, rc)
    rc, _, _ = run("estimate", "--system", "%s%s%n", "--model", "\u00e9", "--quant", "")
    assert rc in (1, 2), rc



VERDICTS = {"chosen", "meets", "not-tried", "no-fit", "offload", "headroom", "slow-decode",
            "slow-prefill", "slow-ttft", "unsupported"}


@test
def pick_json_for_the_articles_machines():
    """docs/pick.md: a choice for each machine, 70B at 8k, 5 tok/s; the
    choice meets the target and everything ranked above it misses."""
    for system in TABLE_SYSTEMS:
        code, out, err = run("pick", "--system", system, "--model", "llama-3-70b", "--ctx",
                             "8192", "--kv", "f16,q8_0", "--format", "json")
        assert code == 0, (system, code, err)
        j = load_json(out)
        assert j["chosen"] is not None and j["closest"] == j["chosen"], j["chosen"]
        assert j["placement"]["quant"] == j["chosen"]
        assert j["placement"]["decode_tokens_per_s"] >= 5
        assert j["llama_cpp_args"].startswith("-ngl %d " % j["placement"]["gpu_layers"])
        names = [c["quant"] for c in j["candidates"]]
        k = names.index(j["chosen"])
        for c in j["candidates"]:
            assert c["verdict"] in VERDICTS and c["reason"], c
        for c in j["candidates"][:k]:
            assert c["verdict"] not in ("chosen", "not-tried"), c
        assert j["candidates"][k]["verdict"] == "chosen"


@test
def pick_llama_cpp_format_is_one_line():
    code, out, err = run("pick", "--system", "pc-rtx-4090", "--model", "llama-3.1-8b",
                         "--ctx", "131072", "--min-ctx", "8192", "--format", "llama.cpp")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("-ngl 33 -c "), out
    ctx = int(lines[0].split()[3])
    assert 8192 <= ctx < 131072 and ctx % 256 == 0, ctx
    assert re.search(r"llmroof: quant \S+", err), err


@test
def pick_nothing_meets_exits_3_with_advice():
    code, out, err = run("pick", "--system", "pc-rtx-4090", "--model", "llama-3.1-405b",
                         "--min-tps", "20", "--no-offload")
    assert code == 3, (code, err)
    assert "No quant meets every target." in out and "Advice:" in out, out
    assert "to relax" in out, out


@test
def pick_usage_errors_exit_2():
    base = ["pick", "--system", "pc-rtx-4090", "--model", "llama-3.1-8b"]
    for extra in (["--format", "xml"], ["--kv", "f17"], ["--min-tps", "-1"],
                  ["--min-ctx", "0"], ["--headroom", "nan"], ["--bogus"]):
        code, _, err = run(*(base + extra))
        assert code == 2, (extra, code, err)
    # Issue 14, item 11: an empty element of a list is refused in --kv as in
    # --tensor-split ("f16," was taken as f16); a --min-ctx above the
    # context (the default 4096, or --ctx, or --ctx 0's depth + prompt +
    # gen) was taken silently, though the context can only shrink.
    for extra in (["--kv", "f16,"], ["--kv", ",f16"], ["--kv", "f16,,q8_0"]):
        code, _, err = run(*(base + extra))
        assert code == 2 and "invalid value '%s' for --kv" % extra[1] in err, (extra, code, err)
    for extra, ctx in ((["--min-ctx", "8192"], 4096), (["--ctx", "2048", "--min-ctx", "2049"], 2048),
                       (["--ctx", "0", "--prompt", "1000", "--min-ctx", "2000"], 1128)):
        code, _, err = run(*(base + extra))
        assert code == 2 and "--min-ctx %s is above the context (%d)" % (
            extra[-1], ctx) in err, (extra, code, err)
    for extra in (["--ctx", "8192", "--min-ctx", "8192"], ["--ctx", "8192", "--min-ctx", "2048"],
                  ["--kv", "f16,q8_0"]):
        code, _, err = run(*(base + extra))
        assert code in (0, 3), (extra, code, err)
    code, _, err = run("pick", "--model", "llama-3.1-8b")
    assert code == 2 and "--system" in err, err
    code, _, err = run("pick", "--system", "pc-rtx-409", "--model", "llama-3.1-8b")
    assert code == 1, (code, err)

def train_json(*args):
    out, _ = expect(0, "train", "--json", *args)
    return load_json(out)


@test
def train_8b_on_4090():
    base = ("--system", "pc-rtx-4090", "--model", "llama-3.1-8b")
    q = train_json(*base, "--method", "qlora")
    f = train_json(*base, "--method", "full")
    lo = train_json(*base)
    assert q["fit"] == "gpu" and f["fit"] == "none" and lo["fit"] == "gpu", (q["fit"], f["fit"])
    assert lo["request"]["method"] == "lora" and lo["request"]["seq_len"] == 2048
    assert q["request"]["engine"] == "transformers", q["request"]
    for j in (q, f, lo):
        mem = j["memory"]
        parts = ("weights", "gradients", "optimizer_states", "master_weights", "activations",
                 "logits", "overhead")
        assert abs(sum(mem[k] for k in parts) - mem["total"]) <= 8, mem
        assert mem["headroom"] == mem["capacity"] - mem["total"], mem
        assert j["speed"]["tokens_per_s"] > 0 and is_num(j["energy"]["power_w"])
    # Full fine-tuning: 16 bytes per parameter in weights, gradients, master, Adam.
    m = f["memory"]
    assert m["weights"] + m["gradients"] + m["master_weights"] + m["optimizer_states"] == \
        16 * 8029995008, m
    assert abs(q["trainable_params"] - 41943040) < 1
    # Options reach the request.
    j = train_json(*base, "--method", "lora", "--seq-len", "512", "--micro-batch", "4",
                   "--no-checkpointing", "--no-flash-attention", "--lora-rank", "8",
                   "--lora-targets", "attention", "--optimizer", "adamw-8bit",
                   "--electricity-price", "0.3")
    r = j["request"]
    assert (r["seq_len"], r["micro_batch"], r["checkpointing"], r["flash_attention"],
            r["lora_rank"], r["lora_targets"], r["optimizer"]) == \
        (512, 4, False, False, 8, "attention", "adamw-8bit"), r
    assert abs(j["trainable_params"] - 13631488 / 2) < 1
    assert j["energy"]["electricity_usd_per_mtok"] > 0
    out, _ = expect(0, "train", *base, "--method", "qlora")
    assert "fits on rtx-4090" in out and "tokens/s" in out, out
    out, _ = expect(0, "train", *base, "--method", "full")
    assert "does NOT fit" in out, out


@test
def train_two_gpus_allreduce():
    j = train_json("--system", "pc-2x-rtx-4090", "--model", "llama-3.1-8b", "--method", "qlora")
    one = train_json("--system", "pc-2x-rtx-4090", "--model", "llama-3.1-8b", "--method",
                     "qlora", "--gpus", "1")
    assert j["request"]["gpus"] == 2 and one["request"]["gpus"] == 1
    assert j["speed"]["allreduce_time"] > 0 and one["speed"]["allreduce_time"] == 0
    assert one["speed"]["tokens_per_s"] < j["speed"]["tokens_per_s"] < \
        2 * one["speed"]["tokens_per_s"]


@test
def train_errors():
    base = ("train", "--system", "pc-rtx-4090", "--model", "llama-3.1-8b")
    _, err = expect(2, "train", "--model", "llama-3.1-8b")
    assert "--system and --model are required" in err, err
    for bad in (("--method", "half"), ("--seq-len", "0"), ("--micro-batch", "5000"),
                ("--lora-rank", "x"), ("--lora-targets", "mlp"), ("--optimizer", "adam"),
                ("--gpus", "0"), ("--bogus",)):
        _, err = expect(2, *base, *bad)
        assert bad[0] in err, (bad, err)
    _, err = expect(1, "train", "--system", "pc-rtx-4090", "--model", "llama-3.1-8bb")
    assert "llama-3.1-8b" in err, err  # did you mean
    _, err = expect(1, *base, "--engine", "llama.cpp")
    assert "does not train" in err, err
    _, err = expect(1, *base, "--gpus", "2")
    assert "accelerators" in err, err
    _, err = expect(1, *base, "--lora-rank", "5000")
    assert "hidden size" in err, err

# ------------------------------------------------------------ compare

def article_mix():
    return os.path.join(DATA, "..", "..", "examples", "compare", "article.yaml")


def compare_json(*extra):
    code, out, err = run("compare", article_mix(), "--json", *extra)
    assert code == 0, (code, err)
    return json.loads(out)


@test
def compare_the_articles_machines():
    """docs/compare.md on examples/compare/article.yaml: the article's
    qualitative conclusions follow from the estimates."""
    j = compare_json()
    by = {w["name"]: {r["system"]: r for r in w["results"]} for w in j["workloads"]}
    mac, one, two = (by["coding assistant"][s] for s in TABLE_SYSTEMS)
    # Small model: the 4090 generates faster than the M3 Ultra (article: 1.7-2x).
    assert one["decode_tokens_per_s"] > 1.3 * mac["decode_tokens_per_s"], (one, mac)
    # 70B Q4: one 4090 must offload and is the slowest; the others hold it.
    chat = by["70B chat"]
    assert chat["pc-rtx-4090"]["fit"] == "offload", chat["pc-rtx-4090"]
    assert chat["mac-studio-m3-ultra-96gb"]["fit"] == "gpu"
    assert chat["pc-2x-rtx-4090"]["fit"] == "gpu"
    assert min(chat.values(), key=lambda r: r["jobs_per_s"])["system"] == "pc-rtx-4090"
    # SDXL: the 4090 several times faster than the M3 Ultra (article: 3-5x).
    img = by["SDXL images"]
    ratio = (img["mac-studio-m3-ultra-96gb"]["seconds_per_image"] /
             img["pc-rtx-4090"]["seconds_per_image"])
    assert ratio >= 3, ratio
    # The overall score is the share-weighted relative speed (docs/compare.md).
    shares = {w["name"]: w["share"] for w in j["workloads"]}
    assert abs(sum(shares.values()) - 1) < 1e-9
    for o in j["overall"]:
        want = sum(shares[n] * by[n][o["system"]]["relative_speed"] for n in by)
        assert abs(o["score"] - want) < 1e-9, (o, want)
        assert 0 < o["score"] <= 1 + 1e-12, o
        assert o["runs_all"] is True
    for w in j["workloads"]:
        best = max(w["results"], key=lambda r: r["jobs_per_s"])
        assert w["fastest"] == best["system"] and best["relative_speed"] == 1.0
    code, out, err = run("compare", article_mix())
    assert code == 0, err
    for name in list(by) + TABLE_SYSTEMS + ["Overall", "Verdict:", "USD/1000 req"]:
        assert name in out, (name, out)


@test
def readme_compare_excerpt_is_current():
    """README.md shows `llmroof compare examples/compare/article.yaml`: every
    line of its excerpt must be a line the tool prints today."""
    readme = open(os.path.join(DATA, "..", "..", "README.md"), encoding="utf-8").read()
    section = readme.split("## Which machine, for what?", 1)[1]
    excerpt = section.split("```\n", 3)[2].split("```", 1)[0]
    code, out, err = run("compare", article_mix())
    assert code == 0, err
    printed = {line.rstrip() for line in out.splitlines()}
    lines = [l.rstrip() for l in excerpt.splitlines() if l.strip()]
    assert len(lines) > 20, lines
    stale = [l for l in lines if l not in printed]
    assert not stale, "README excerpt differs from the tool's output: %r" % stale


@test
def table_shows_the_articles_other_claims():
    code, out, err = run("table")
    assert code == 0, err
    part = out.split("The article's other claims, recomputed", 1)[1]
    sdxl = re.search(r"SDXL 1024px, 30 steps\s+([\d.]+) s \(Core ML\)\s+([\d.]+) s", part)
    assert sdxl and float(sdxl.group(1)) >= 3 * float(sdxl.group(2)), part
    assert re.search(r"QLoRA 8B, 2048 tokens .*tok/s, 12\.\d GiB", part), part
    assert re.search(r"full fine-tune, 8B\s+needs 12\d\.\d GiB", part), part
    assert all(len(l) <= 100 for l in part.splitlines()), part


@test
def compare_fine_tuning_mix():
    """Issue 7: QLoRA of an 8B model fits a 24 GB card, full fine-tuning does
    not fit any of the article's machines; a workload no machine runs is
    left out of the score (docs/compare.md)."""
    mix = os.path.join(DATA, "..", "..", "examples", "compare", "fine-tuning.yaml")
    code, out, err = run("compare", mix, "--json")
    assert code == 0, err
    j = json.loads(out)
    by = {w["name"]: {r["system"]: r for r in w["results"]} for w in j["workloads"]}
    assert by["QLoRA, 8B"]["pc-rtx-4090"]["fit"] == "gpu"
    assert all(r["fit"] == "none" for r in by["full fine-tuning, 8B"].values())
    assert next(w for w in j["workloads"] if w["name"] == "full fine-tuning, 8B")["fastest"] is None
    shares = {w["name"]: w["share"] for w in j["workloads"]}
    runnable = shares["QLoRA, 8B"] + shares["LoRA, 8B"]
    for o in j["overall"]:
        want = sum(shares[n] / runnable * by[n][o["system"]]["relative_speed"]
                   for n in ("QLoRA, 8B", "LoRA, 8B"))
        assert abs(o["score"] - want) < 1e-9 and o["runs_all"] is False, (o, want)
        assert o["energy_vs_least"] >= 1 - 1e-12, o
    code, out, _ = run("compare", mix)
    assert "no machine runs it" in out and "does not fit (12" in out, out


@test
def compare_system_option_replaces_the_list():
    j = compare_json("--system", "pc-rtx-4090")
    assert [r["system"] for r in j["workloads"][0]["results"]] == ["pc-rtx-4090"]
    assert abs(j["overall"][0]["score"] - 1) < 1e-12, j["overall"]


@test
def compare_plot_writes_an_svg():
    import shutil
    import tempfile
    if not shutil.which("gnuplot"):
        print("    (gnuplot not installed: plot not checked)")
        return
    with tempfile.TemporaryDirectory() as d:
        svg = os.path.join(d, "compare.svg")
        code, _, err = run("compare", article_mix(), "--plot", svg)
        assert code == 0, err
        text = open(svg, encoding="utf-8").read()
        assert text.startswith("<?xml") and "<svg" in text, text[:200]
        for s in TABLE_SYSTEMS:
            assert s + ": coding assistant" in text and s + ": 70B chat" in text, s
        code, _, err = run("compare", article_mix(), "--plot", os.path.join(d, "x.pdf"))
        assert code == 2 and ".svg or .png" in err, (code, err)


@test
def compare_bad_mix_files_name_line_and_column():
    import tempfile
    good = open(article_mix(), encoding="utf-8").read()
    cases = [
        (good.replace("share: 20%", "share: 25%"), "add up to 1.05", None),
        (good.replace("share: 70%", "share: lots"), "share: expected a fraction", 11),
        (good.replace("    gen: 512", "    gne: 512"), "unknown key 'gne'", None),
        (good.replace("kind: image", "kind: video"), "'video' is not one of llm, image, train",
         None),
        (good.replace("ctx: 16k", "ctx: 16q"), "ctx: expected a token count", 14),
        ("systems: [pc-rtx-4090]\n", "missing required key 'workloads'", 1),
        ("systems: [pc-rtx-4090\nworkloads: []\n", None, None),
        ("workloads:\n  - name: x\n    share: 1\n    model: llama-3.1-8b\n",
         "an llm workload needs a 'quant'", 2),
        ("systemz: []\n", "unknown key 'systemz'", 1),
    ]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "mix.yaml")
        for text, want, line in cases:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            code, out, err = run("compare", path)
            assert code == 1 and out == "", (want, code, out, err)
            assert re.search(r"mix\.yaml:\d+:\d+: ", err), err
            if want:
                assert want in err, (want, err)
            if line:
                assert "mix.yaml:%d:" % line in err, (line, err)
        with open(path, "w", encoding="utf-8") as f:
            f.write(good.replace("pc-2x-rtx-4090]", "pc-2x-rtx-409]"))
        code, _, err = run("compare", path)
        assert code == 1 and "pc-2x-rtx-409" in err and "did you mean" in err, err
    code, _, err = run("compare")
    assert code == 2 and "MIX.yaml" in err, err
    code, _, err = run("compare", "/nonexistent/mix.yaml")
    assert code == 1 and "cannot open" in err, err


@test
def compare_mix_reader_has_the_loaders_limits():
    """Issue 14, item 10: the mix reader (libyaml's document loader) took
    anchors and aliases, had no depth limit (200,000 nested brackets took
    95 s) and took a machine or a key given twice.  It now refuses what the
    catalog loader refuses, each at its file:line:column, and the deep file
    stops at depth 17 (the run's timeout turns a hang into a failure)."""
    good = open(article_mix(), encoding="utf-8").read()
    sdxl = good.index("  - name: SDXL images")
    cases = [
        (good.replace("systems: [", "systems: &m ["), "anchors (&m) are not allowed", 6),
        ("systems: [*m]\nworkloads: []\n", "aliases (*m) are not allowed", 1),
        (good.replace("systems: [", "systems: !!seq ["), "explicit tags (tag:yaml.org,2002:seq) are not allowed", 6),
        (good.replace("share: 70%", "share: !!str 70%"), "explicit tags", 11),
        ("workloads: " + "[" * 200000 + "]" * 200000 + "\n", "nesting deeper than 16", 1),
        ("workloads:\n" + "  - " * 40 + "x\n", "nesting deeper than 16", 2),
        (good.replace("pc-2x-rtx-4090]", "pc-2x-rtx-4090, pc-rtx-4090]"),
         "systems: 'pc-rtx-4090' is given twice", 6),
        (good + "systems: [pc-rtx-4090]\n", "key 'systems' is given twice", 34),
        (good.replace("    gen: 512\n", "    gen: 512\n    gen: 64\n"),
         "key 'gen' is given twice", 25),
        (good.replace("{metal: coreml, cuda: diffusers}", "{metal: coreml, metal: mlx}"),
         "key 'metal' is given twice", 32),
        (good[:sdxl] + good[sdxl:].replace("    kind: image\n",
                                           "    kind: image\n    kind: image\n"),
         "key 'kind' is given twice", 29),
        (good + "---\n" + good, "a second YAML document", 34),
    ]
    d = tempfile.mkdtemp(prefix="llmroof-mix-")
    try:
        path = os.path.join(d, "mix.yaml")
        for text, want, line in cases:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            code, out, err = run("compare", path, timeout=30)
            assert code == 1 and out == "", (want, code, out[:300], err)
            assert want in err and "mix.yaml:%d:" % line in err, (want, line, err)
        # The same machine twice on the command line is a usage error.
        code, _, err = run("compare", article_mix(), "--system", "pc-rtx-4090", "--system",
                           "pc-rtx-4090")
        assert code == 2 and "'pc-rtx-4090' given twice" in err, (code, err)
    finally:
        shutil.rmtree(d)


@test
def empty_paths_are_usage_errors():
    """Issue 14, item 11: `--catalog ""` was exit 2 but `--gguf ""` exit 1
    (a file that cannot be opened).  An empty file name is a usage error
    wherever a file is named."""
    est = ["estimate", "--system", "pc-rtx-4090"]
    pick = ["pick", "--system", "pc-rtx-4090"]
    for args in (est + ["--gguf", ""], est + ["--gguf="], est + ["--config", "", "--quant", "Q4_0"],
                 pick + ["--gguf", ""], pick + ["--config", ""], ["inspect", ""],
                 ["compare", ""], ["compare", article_mix(), "--plot", ""], ["check", ""],
                 ["list", "--catalog", ""], ["--catalog", "", "list"]):
        code, out, err = run(*args)
        assert code == 2 and out == "" and "needs a file name" in err, (args, code, err)


@test
def gpu_layers_beyond_the_model_means_all():
    """Issue 14, item 11: `--gpu-layers` above the model (34 on llama-3.1-8b:
    32 layers and the output layer, 33) was clamped with exit 0 while
    docs/cli.md said exit 1.  The docs now say what llama.cpp does with
    -ngl 99: every layer on the GPU, the same answer as 33."""
    base = ["--system", "pc-rtx-4090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M"]
    all_layers = estimate_json(*(base + ["--gpu-layers", "33"]))
    assert all_layers["placement"]["gpu_layers"] == 33, all_layers["placement"]
    for n in ("34", "99"):
        j = estimate_json(*(base + ["--gpu-layers", n]))
        assert j["placement"] == all_layers["placement"], (n, j["placement"])
        assert j["decode"] == all_layers["decode"], n
    code, out, err = run("estimate", *(base + ["--gpu-layers", "-2"]))
    assert code == 2 and "--gpu-layers" in err, (code, err)


@test
def image_json_and_human():
    code, out, err = run("image", "--system", "pc-rtx-4090", "--model", "sdxl-1.0", "--json")
    assert code == 0, err
    j = json.loads(out)
    assert j["fit"] == "gpu" and j["offload"] == "none", j
    assert j["device"] == "rtx-4090" and j["steps"] == 50 and j["width"] == 1024, j
    assert j["step_bound_by"] == "compute", j
    assert j["seconds_per_image"] > 0 and j["memory"]["peak"] < j["memory"]["capacity"], j
    code, mac, err = run("image", "--system", "mac-studio-m3-ultra-96gb", "--model", "sdxl-1.0",
                         "--json")
    assert code == 0, err
    assert json.loads(mac)["seconds_per_image"] >= 3 * j["seconds_per_image"]
    code, out, err = run("image", "--system", "pc-rtx-4090", "--model", "flux.1-dev",
                         "--offload", "none", "--json")
    assert code == 0 and json.loads(out)["fit"] == "none", (code, out, err)
    code, out, err = run("image", "--system", "pc-rtx-4090", "--model", "flux.1-dev", "--fp8",
                         "--electricity-price", "0.3")
    assert code == 0 and "Seconds per image" in out and "USD per image" in out, (out, err)


@test
def image_errors():
    base = ["image", "--system", "pc-rtx-4090", "--model", "sdxl-1.0"]
    for extra in (["--width", "1001"], ["--steps", "0"], ["--batch", "2000"],
                  ["--offload", "sometimes"], ["--bogus"], ["--electricity-price", "x"]):
        code, _, err = run(*(base + extra))
        assert code in (1, 2), (extra, code, err)
    code, _, err = run("image", "--system", "pc-rtx-4090")
    assert code == 2 and "--model" in err, err
    code, _, err = run("image", "--system", "pc-rtx-4090", "--model", "sdxl-1")
    assert code == 1 and "sdxl-1.0" in err, err
    code, _, err = run("image", "--system", "mac-studio-m3-ultra-96gb", "--model", "sdxl-1.0",
                       "--offload", "model")
    assert code == 1 and "unified" in err, err
    code, _, err = run(*(base + ["--engine", "llama.cpp"]))
    assert code == 1 and "image" in err, err


@test
def fifo_inputs_are_refused():
    """Issue 14, item 1: a FIFO given as any input file blocked forever
    (GGUF: fopen before the regular-file check; the YAML, config.json and
    mix readers: the first read, while a writer holds the FIFO open).  Each
    reader refuses it before reading; the timeout turns a hang into a
    failure."""
    d = tempfile.mkdtemp(prefix="llmroof-fifo-")
    fifo = os.path.join(d, "input.gguf")
    os.mkfifo(fifo)
    calls = [("inspect", fifo),
             ("estimate", "--system", "pc-rtx-4090", "--gguf", fifo),
             ("estimate", "--system", "pc-rtx-4090", "--config", fifo, "--quant", "Q4_0"),
             ("estimate", "--catalog", fifo, "--system", "pc-rtx-4090", "--model",
              "llama-3-8b", "--quant", "Q4_0"),
             ("compare", fifo)]
    try:
        for writer in (False, True):
            # With a writer that never writes (O_RDWR opens a FIFO without
            # blocking on Linux), an open without O_NONBLOCK succeeds and the
            # first read blocks.
            fd = os.open(fifo, os.O_RDWR) if writer else None
            try:
                for args in calls:
                    code, _, err = run(*args, timeout=10)
                    assert code == 1 and "not a regular file" in err, (writer, args, code, err)
            finally:
                if fd is not None:
                    os.close(fd)
    finally:
        os.unlink(fifo)
        os.rmdir(d)


@test
def config_json_malformed_optional_keys_are_errors():
    """Issue 14, item 3: an optional config.json key that is present but not
    what it says was taken as absent (Mixtral with "num_local_experts": "8"
    became a dense 7B; num_key_value_heads "8" gave full multi-head KV, 4x
    too big).  Each is now an error naming the key at its line:column;
    absent or null takes the default (Hugging Face's None)."""
    base = open(os.path.join(DATA, "config", "mistralai_Mixtral-8x7B-v0.1",
                             "config.json")).read()
    d = tempfile.mkdtemp(prefix="llmroof-cfg-")
    path = os.path.join(d, "config.json")

    def run_with(key, value, where="top"):
        text = base
        if where == "top":
            text = re.sub(r'"%s": [^,\n]+' % key, '"%s": %s' % (key, value), text)
        else:  # a text_config holding the value, beside the top level's
            text = text.replace('"vocab_size": 32000', '"vocab_size": 32000,\n  '
                                '"text_config": {"%s": %s}' % (key, value))
        with open(path, "w") as f:
            f.write(text)
        return run("estimate", "--system", "pc-rtx-4090", "--config", path, "--quant",
                   "Q4_K_M", "--json")

    try:
        code, out, err = run_with("num_local_experts", "8")
        assert code == 0 and json.loads(out)["model"]["params"] > 40e9, (code, err)
        line = base.split("\n").index('  "num_local_experts": 8,') + 1
        for key, bad in (("num_local_experts", ['"8"', "-8", "8.5", "0", "NaN", "1e30", "true",
                                                "[8]", "{}"]),
                         ("num_key_value_heads", ['"8"', "-8", "8.5", "true", "[8]", "NaN"]),
                         ("tie_word_embeddings", ['"true"', "1", "[]"])):
            for value in bad:
                code, out, err = run_with(key, value)
                assert code == 1 and "'%s'" % key in err, (key, value, code, out[:200], err)
                if key == "num_local_experts":
                    assert ":%d:" % line in err, (value, err)
        # A text_config value wins over the top level's, and is held to the
        # same rule: 0 KV heads is not "use the default".
        code, out, err = run_with("num_key_value_heads", "0", where="text")
        assert code == 1 and "'num_key_value_heads'" in err, (code, err)
        # null is Hugging Face's "the default": full multi-head attention.
        code, out, err = run_with("num_key_value_heads", "null")
        assert code == 0, err
    finally:
        shutil.rmtree(d)


@test
def names_cannot_forge_output_lines():
    """Issue 14, item 8: the text output printed names raw, so a YAML name
    with a line break forged a "Verdict:" line and a GGUF general.name or a
    config.json model_type with ESC reached the terminal.  A catalog name
    with a control character is a schema error at its line; names from
    GGUF and config.json files have their controls blanked."""
    d = tempfile.mkdtemp(prefix="llmroof-names-")
    try:
        cat = os.path.join(d, "forged.yaml")
        with open(cat, "w") as f:
            f.write('llmroof: 1\nmodels:\n  forged-8b:\n'
                    '    name: "Forged\\nVerdict: FITS, 900 tok/s"\n'
                    '    layers: 32\n    hidden: 4096\n    ffn: 14336\n    heads: 32\n'
                    '    kv_heads: 8\n    vocab: 128256\n    context: 8192\n')
        code, out, err = run("estimate", "--catalog", cat, "--system", "pc-rtx-4090",
                             "--model", "forged-8b", "--quant", "Q4_K_M")
        assert code == 1 and "control character" in err and ":4:" in err, (code, out, err)
        cfg = os.path.join(d, "config.json")
        with open(cfg, "w") as f:
            json.dump({"model_type": "llama\u001b[2J\nVerdict: FORGED", "hidden_size": 4096,
                       "intermediate_size": 14336, "num_attention_heads": 32,
                       "num_hidden_layers": 32, "num_key_value_heads": 8,
                       "vocab_size": 128256, "max_position_embeddings": 8192}, f)
        code, out, err = run("estimate", "--system", "pc-rtx-4090", "--config", cfg,
                             "--quant", "Q4_K_M")
        assert code == 0 and "\x1b" not in out, repr(out[:300])
        assert not any(l.startswith("Verdict: FORGED") for l in out.splitlines()), out[:600]
    finally:
        shutil.rmtree(d)


def main(argv):
    global LLMROOF, DATA
    if len(argv) != 3:
        print("usage: test_cli.py PATH/TO/llmroof TESTS_DATA_DIR", file=sys.stderr)
        return 2
    LLMROOF, DATA = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    return runner.run(TESTS, '')


if __name__ == "__main__":
    sys.exit(main(sys.argv))
