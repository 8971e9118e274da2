#!/usr/bin/env python3
"""The calibration tool: its parsers and mappings, and that the bundled
engines.yaml holds exactly what fitting the measured data gives (so no
efficiency in the catalog is set by hand).

    python3 tests/test_calibration.py build/examples/llmroof
"""
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAL = os.path.join(HERE, "..", "lib", "catalog", "calibration")
sys.path.insert(0, CAL)
import fit  # noqa: E402
import hardware  # noqa: E402

passed = failed = 0


def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: got {got!r}, want {want!r}")


check("tokens pp", fit.tokens("pp512"), 512)
check("tokens tg at depth", fit.tokens("tg128 @ d32768"), 128)
check("tokens main", fit.tokens("eval (1023 tokens)"), 1023)
check("tokens mlx prompt", fit.tokens("prompt 260 tokens"), 260)
check("tokens mlx gen", fit.tokens("309 generated tokens after a 260-token prompt"), 309)
check("tokens server", fit.tokens("prompt eval of 1273 tokens (llama-server)"), 1273)
check("tokens none", fit.tokens("generation (length not stated)"), None)
check("depth bench", fit.depth_of("pp512 @ d65536", 0), 65536)
check("depth after", fit.depth_of("309 generated tokens after a 260-token prompt", 0), 260)
check("depth after k", fit.depth_of("eval of 199 tokens after an 18K-token prompt", 0), 18000)
check("depth default", fit.depth_of("tg128", 7), 7)

row = {"source_id": "x", "pp_test": "pp512", "tg_test": "tg128", "context_depth": "0",
       "batch_ubatch": "", "n_gpu_layers": "99", "flash_attn": "", "split_mode": "row",
       "measured_date": "2024-05", "engine": "llama.cpp"}
w = fit.row_workload(row)
check("workload split", w["split"], "row")
check("workload fa before auto", w["fa"], False)
check("workload ctx", w["ctx"], 512)
w = fit.row_workload(dict(row, measured_date="2025-10-01", n_gpu_layers="33 of 57"))
check("workload fa after auto", w["fa"], True)
check("workload ngl", w["ngl"], "33")
check("backend hip", fit.backend_of_row({"backend": "HIP (ROCm 6)"}), "rocm")
check("backend mlx", fit.backend_of_row({"backend": "Metal"}), "metal")

check("model llama-bench name", hardware.model("llama 7B Q4_0"), "llama-2-7b")
check("model v1 name", hardware.model("LLaMA 7B"), "llama-7b")
check("model moe name", hardware.model("qwen3moe 30B.A3B Q8_0 (Qwen3-30B-A3B)"), "qwen3-30b-a3b")
check("model unknown", hardware.model("TinyLlama 1.1B"), None)
check("quant label", hardware.quant("Q4_K_M (mradermacher i1 imatrix)", {"Q4_K_M"}), "Q4_K_M")
check("quant alias", hardware.quant("MXFP4"), "MXFP4_MOE")
check("quant unsloth", hardware.quant("UD-Q4_K_M (unsloth)"), None)
check("quant unknown", hardware.quant("GGUF 4-bit (type not stated)", {"Q4_K_M"}), None)
h = hardware.generated_host("AMD EPYC 9554 64-Core CPU",
                            {"notes": "12 channels populated, 12 x 16 GB DDR5-5600"})
check("host bandwidth", h and h["bandwidth"], 12 * 5600 * 8e6)
check("host compute", h and h["compute"], 64 * 32 * 3.1e9)
check("host unknown", hardware.generated_host("Some CPU", {"notes": "DDR5-5600, 2 channels"}), None)
spec, why = hardware.machine({"device": "NVIDIA GeForce RTX 2080", "n_gpu_layers":
                              "all layers, --n-cpu-moe 12", "host_cpu": "Intel Core i9-10900X"})
check("expert offload skipped", spec, None)
check("link nvlink", hardware.gpu_link({"interconnect": "NVLink bridge"}, "rtx-3090"), "nvlink-3090")
check("link pcie x8", hardware.gpu_link({"notes": "PCIe 4.0 x8 each"}, "rtx-4090"), "pcie-4.0-x8")

# llama.cpp's era: build number, else pull request, else date, else current.
era = fit.era_of_row
check("era build 2824", era({"engine_version": "build 4426e298 (2824)"}), "2024")
check("era build 1691", era({"engine_version": "build 1691", "measured_date": "2024-05"}), "2023")
check("era b5589", era({"engine_version": "b5589 (PR #14001 branch)"}), "2025")
check("era from PR", era({"engine_version": "master before PR #5835"}), "2024")
check("era from date", era({"engine_version": "", "measured_date": "2023-11"}), "2023")
check("era unstated", era({"engine_version": "not stated", "measured_date": "not stated"}), "2025")
check("era other engine", era({"engine": "mlx", "engine_version": "b1000"}), None)
check("engine of era", fit.engine_id("llama.cpp", "2024"), "llama.cpp-2024")
check("engine vllm-mlx", fit.engine_of_row({"engine": "vllm-mlx (on mlx-lm)"}), "mlx")
check("same author", fit.SAME_AUTHOR["xiongjiedai_notebook_llama3"], "xiongjiedai")

# The error band: quantiles of enough rows; widened (never narrower than
# the pooled band) when rows or sources are few; re-centred pooled band
# with fewer than 5 rows.
pool = [0.5 + i / 100 for i in range(101)]          # 0.5 .. 1.5
many = [0.9 + i / 500 for i in range(101)]          # 0.9 .. 1.1
lo, hi = fit.band_of(many, 3, pool, 0.10)
check("band many rows", (round(lo, 3), round(hi, 3)), (0.92, 1.08))
lo2, hi2 = fit.band_of(many[:10], 1, pool, 0.10)
check("band thin is wider", lo2 < lo and hi2 > hi, True)
lo3, hi3 = fit.band_of([1.0, 1.0], 1, pool, 0.10)
check("band few rows centred", round(math.sqrt(lo3 * hi3), 2) < 1.05 and hi3 / lo3 > 2.0, True)

# The catalog's efficiencies are the fit's: fit.py --check refits from the
# measured CSVs with this build's tool and compares with engines.yaml.
tool = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build", "examples",
                                                          "llmroof")
# Under `meson test --setup valgrind` the wrapper runs Python itself under
# valgrind, which would take most of an hour for nothing: the refit is left
# to the plain run.
if os.environ.get("LLMROOF_VALGRIND"):
    print("refit skipped under valgrind")
else:
    p = subprocess.run([sys.executable, os.path.join(CAL, "fit.py"), "--llmroof", tool,
                        "--check", "--check-report",
                        os.path.join(HERE, "..", "docs", "accuracy.md")],
                       capture_output=True, text=True)
    check("engines.yaml is the fit and docs/accuracy.md its report", p.returncode, 0)
    if p.returncode != 0:
        print(p.stdout[-3000:], p.stderr[-3000:])

print(f"calibration: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
