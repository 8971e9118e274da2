"""The other estimators' speed formulas, re-implemented to score them on the
same measured rows as llmroof (docs/accuracy.md, "Peers"; the formulas and
where they come from are in docs/engines-research.md, "Peer formulas").
Each takes the llmroof tool's JSON for the row, so that every estimator sees
the same hardware and model figures, and returns decode tokens/s, or None
where the estimator gives no figure."""
import glob
import os
import re

CATALOG = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
UNITS = {"GFLOPS": 1e9, "TFLOPS": 1e12, "PFLOPS": 1e15}


def _device_compute():
    """Dense f16 FLOP/s of every bundled device, read from the catalog files
    (the tool's JSON carries bandwidths, not compute)."""
    out = {}
    for path in glob.glob(os.path.join(CATALOG, "devices*.yaml")):
        dev = None
        for line in open(path, encoding="utf-8"):
            m = re.match(r"  ([A-Za-z0-9._+-]+):\s*$", line)
            if m:
                dev = m.group(1)
                continue
            m = re.match(r"\s+compute:\s*\{f16:\s*([0-9.e+]+)\s*(GFLOPS|TFLOPS|PFLOPS)", line)
            if m and dev:
                out[dev] = float(m.group(1)) * UNITS[m.group(2)]
    return out


COMPUTE = _device_compute()


def llmfit_tps(js):
    """llmfit (AlexsJones/llmfit llmfit-core/src/fit.rs, estimate_tps):
    bandwidth / (params x bytes per param) x 0.55 x run-mode factor, with
    the slowest GPU's bandwidth, active parameters for MoE, nominal bytes
    per parameter (bits/8 of the quant's name, Q4_K_M = 0.5) and run-mode
    factors 1.0 on the GPU, 0.5 with CPU offload."""
    tiers = js["placement"]["tiers"]
    acc = [t for t in tiers if t["kind"] == "accelerator" and t["layers"] > 0]
    host = [t for t in tiers if t["kind"] == "host" and t["layers"] > 0]
    if acc:
        bw, mode = min(t["bandwidth_bytes_per_s"] for t in acc), (0.5 if host else 1.0)
    elif host:
        # CPU only: llmfit's fallback, K / params_b x quant multiplier (K = 70 on x86,
        # 90 on Arm; we use the bandwidth path with the host's bandwidth instead,
        # which is kinder to llmfit than its constant).
        bw, mode = host[0]["bandwidth_bytes_per_s"], 1.0
    else:
        return None
    params = js["model"]["active_params"] if js["model"]["active_params"] < js["model"]["params"] * 0.9 \
        else js["model"]["params"]
    bpp = nominal_bytes_per_param(js["request"]["quant"], js["model"]["bpw"])
    return bw / (params * bpp) * 0.55 * mode


def nominal_bytes_per_param(quant, bpw):
    table = {"F32": 4.0, "F16": 2.0, "BF16": 2.0, "Q8_0": 1.0, "Q6_K": 0.75, "Q5_K_M": 0.625,
             "Q5_K_S": 0.625, "Q5_0": 0.625, "Q5_1": 0.625, "Q4_K_M": 0.5, "Q4_K_S": 0.5,
             "Q4_0": 0.5, "Q4_1": 0.5, "Q3_K_M": 0.375, "Q3_K_S": 0.375, "Q3_K_L": 0.375,
             "Q2_K": 0.25, "MLX-4bit": 0.5, "MLX-8bit": 1.0, "AWQ-4bit": 0.5, "GPTQ-4bit": 0.5,
             "MXFP4_MOE": 0.53}
    return table.get(quant, 0.5 if bpw < 6 else bpw / 8)


def gguf_parser_tps(js, machine):
    """gguf-parser's "Max TPS" (gpustack/gguf-parser-go file_estimate__llamacpp.go,
    estimateLLaMACppRunInModel), with each device's metric set to its f16
    FLOPS and memory bandwidth (up) and the link to the next device (down):
    per device lt = (max(ops/F, weight bytes/Bu) + max(kv ops/F, kv bytes/Bu)
    + 4 d n_batch / Bd) x layers / (n_block + 2), combined as
    1 / sum(lt_i^2 / max lt), with ops and KV scaled by the default
    logical/physical batch ratio 2048/512 = 4."""
    tiers = [t for t in js["placement"]["tiers"] if t["layers"] > 0 or t["has_output"]]
    if not tiers:
        return None
    n_block = js["model"]["layers"]
    d_model = js.get("model", {}).get("hidden")
    req = js["request"]
    n_batch = min(req["ctx"], req["ubatch"])
    bs = 2048 / max(n_batch, 1)
    bpw = js["model"]["bpw"]
    link_bw = {"pcie": 31.5e9}
    lts = []
    host = machine.get("host") if machine else None
    for t in tiers:
        f = COMPUTE.get(t["device"])
        if not f and isinstance(host, dict) and t["device"] == host["id"]:
            f = host["compute"]  # a host generated from the row's notes
        if not f:
            return None
        bu = t["bandwidth_bytes_per_s"]
        bd = link_bw["pcie"] if t["kind"] == "accelerator" else bu
        w = t["weights_bytes"]
        params = w * 8 / bpw
        cmp_lat = max(params * 2 * bs / f, w / bu)
        kv_elems = t["kv_bytes"] / 2.0
        kv_lat = max(kv_elems * 2 * bs / f, t["kv_bytes"] * bs / bu)
        ffs_lat = (4 * (d_model or 4096) * n_batch) / bd
        layers = t["layers"] + (1 if t["has_output"] else 0)
        lts.append((cmp_lat + kv_lat + ffs_lat) * layers / (n_block + 2))
    mx = max(lts)
    if mx <= 0:
        return None
    return 1.0 / sum(l / mx * l for l in lts)
