"""Catalog ids of the hardware, models and quants named in the measured CSVs.

Each measured row names its hardware as its source published it ("NVIDIA
GeForce RTX 4090", "Apple M2 Ultra (76-core GPU)", "AMD EPYC 7443P").  These
tables say which bundled catalog entry that is; a row whose hardware is not
here is skipped (fit.py prints how many and why).  Matching is on the
published name with case, spaces and punctuation ignored.
"""
import re


def norm(s):
    return re.sub(r"[^a-z0-9]+", "", (s or "").lower())


# Discrete GPUs: published name -> device id.
GPUS = {
    "NVIDIA GeForce RTX 3060": "rtx-3060-12gb",
    "NVIDIA GeForce RTX 3060 12GB": "rtx-3060-12gb",
    "NVIDIA GeForce RTX 3070": "rtx-3070",
    "NVIDIA GeForce RTX 3080": "rtx-3080",
    "NVIDIA GeForce RTX 3080 Ti": "rtx-3080-ti",
    "NVIDIA GeForce RTX 3090": "rtx-3090",
    "NVIDIA GeForce RTX 3090 Ti": "rtx-3090-ti",
    "NVIDIA GeForce RTX 4060 Ti 16GB": "rtx-4060-ti-16gb",
    "NVIDIA GeForce RTX 4070 Ti": "rtx-4070-ti",
    "NVIDIA GeForce RTX 4080": "rtx-4080",
    "NVIDIA GeForce RTX 4090": "rtx-4090",
    "NVIDIA GeForce RTX 5080": "rtx-5080",
    "NVIDIA GeForce RTX 5090": "rtx-5090",
    "NVIDIA RTX A4000": "rtx-a4000",
    "NVIDIA RTX A6000": "rtx-a6000",
    "NVIDIA RTX 4000 Ada Generation": "rtx-4000-ada",
    "NVIDIA RTX 5000 Ada Generation": "rtx-5000-ada",
    "NVIDIA RTX 6000 Ada Generation": "rtx-6000-ada",
    "NVIDIA A40": "a40",
    "NVIDIA L4": "l4",
    "NVIDIA L40S": "l40s",
    "NVIDIA A100 80GB PCIe": "a100-80gb-pcie",
    "NVIDIA A100-SXM4-80GB": "a100-80gb-sxm",
    "NVIDIA A100-PCIE-40GB": "a100-40gb-pcie",
    "NVIDIA A100-SXM4-40GB": "a100-40gb-sxm",
    "NVIDIA H100 PCIe": "h100-pcie",
    "NVIDIA H100 80GB HBM3": "h100-sxm",
    "NVIDIA H100 SXM": "h100-sxm",
    "NVIDIA H200": "h200-sxm",
    "NVIDIA GH200": "gh200",
    "AMD Radeon RX 7900 XTX": "rx-7900-xtx",
    "AMD Instinct MI300X": "mi300x",
    "Intel Arc A770": "arc-a770-16gb",
    "Intel Arc A770 16GB": "arc-a770-16gb",
}

# Unified-memory chips: published name -> (GPU device id, CPU device id).
UNIFIED = {
    "Apple M1 (7-core GPU)": ("m1-7c", "m1-cpu"),
    "Apple M1 (8-core GPU)": ("m1-8c", "m1-cpu"),
    "Apple M1 Pro (14-core GPU)": ("m1-pro-14c", "m1-pro-cpu"),
    "Apple M1 Pro (16-core GPU)": ("m1-pro-16c", "m1-pro-cpu"),
    "Apple M1 Max (24-core GPU)": ("m1-max-24c", "m1-max-cpu"),
    "Apple M1 Max (32-core GPU)": ("m1-max-32c", "m1-max-cpu"),
    "Apple M1 Ultra (48-core GPU)": ("m1-ultra-48c", "m1-ultra-cpu"),
    "Apple M1 Ultra (64-core GPU)": ("m1-ultra-64c", "m1-ultra-cpu"),
    "Apple M2 (8-core GPU)": ("m2-8c", "m2-cpu"),
    "Apple M2 (10-core GPU)": ("m2-10c", "m2-cpu"),
    "Apple M2 Pro (16-core GPU)": ("m2-pro-16c", "m2-pro-cpu"),
    "Apple M2 Pro (19-core GPU)": ("m2-pro-19c", "m2-pro-cpu"),
    "Apple M2 Pro (12-core CPU/19-core GPU) GPU": ("m2-pro-19c", "m2-pro-cpu"),
    "Apple M2 Max (30-core GPU)": ("m2-max-30c", "m2-max-cpu"),
    "Apple M2 Max (38-core GPU)": ("m2-max-38c", "m2-max-cpu"),
    "Apple M2 Ultra (60-core GPU)": ("m2-ultra-60c", "m2-ultra-cpu"),
    "Apple M2 Ultra (76-core GPU)": ("m2-ultra-76c", "m2-ultra-cpu"),
    "Apple M3 (8-core GPU)": ("m3-8c", "m3-cpu"),
    "Apple M3 (10-core GPU)": ("m3-10c", "m3-cpu"),
    "Apple M3 Pro (14-core GPU)": ("m3-pro-14c", "m3-pro-cpu"),
    "Apple M3 Pro (18-core GPU)": ("m3-pro-18c", "m3-pro-cpu"),
    "Apple M3 Max (30-core GPU)": ("m3-max-30c", "m3-max-cpu"),
    "Apple M3 Max (40-core GPU)": ("m3-max-40c", "m3-max-cpu"),
    "Apple M3 Ultra (60-core GPU)": ("m3-ultra-60c", "m3-ultra-cpu"),
    "Apple M3 Ultra (80-core GPU)": ("m3-ultra-80c", "m3-ultra-cpu"),
    "Apple M4 (10-core GPU)": ("m4-10c", "m4-cpu"),
    "Apple M4 Pro (16-core GPU)": ("m4-pro-16c", "m4-pro-cpu"),
    "Apple M4 Pro (20-core GPU)": ("m4-pro-20c", "m4-pro-cpu"),
    "Apple M4 Max (32-core GPU)": ("m4-max-32c", "m4-max-cpu"),
    "Apple M4 Max (40-core GPU)": ("m4-max-40c", "m4-max-cpu"),
    "AMD Ryzen AI Max+ 395": ("strix-halo-395", "strix-halo-cpu"),
    "NVIDIA DGX Spark": ("dgx-spark-gb10", "dgx-spark-cpu"),
}

# CPU-only rows: published device -> CPU device id.
CPU_ONLY = {
    "Apple M1 Max (24-core GPU) CPU only": "m1-max-cpu",
    "Apple M2 Pro (12-core CPU/19-core GPU) CPU only": "m2-pro-cpu",
    "Apple M3 (10-core GPU) CPU only": "m3-cpu",
    "Apple M3 Max (40-core GPU) CPU only": "m3-max-cpu",
    "Intel Xeon (Mac Pro 2019, 16-core) CPU": "xeon-w-3245-mac-pro",
}

# Hosts of GPU rows (host_cpu column): CPU name -> host device id.  Only
# partial-offload rows depend on it; fully offloaded rows barely touch it.
HOSTS = {
    "AMD EPYC 7443P 24-Core Processor": "epyc-7443p",
}
# The RunPod hosts of the XiongjieDai GPU rows: AMD EPYC 7443P (notebooks);
# RAM not stated.  Used for fully offloaded GPU rows whose host is unknown.
DEFAULT_HOST = ("epyc-7443p", "251 GiB")

MODELS = {
    "Meta-Llama-3-8B": "llama-3-8b", "Meta-Llama-3-70B": "llama-3-70b",
    "Llama 2 7B": "llama-2-7b", "Llama 2 13B": "llama-2-13b", "Llama 2 70B": "llama-2-70b",
    "LLaMA 7B v2": "llama-2-7b", "LLaMA 2 7B": "llama-2-7b", "Llama-2-7B": "llama-2-7b",
    "LLaMA (v1) 7B": "llama-7b", "LLaMA (v1) 13B": "llama-13b",
    "LLaMA (v1) 30B": "llama-30b", "LLaMA (v1) 65B": "llama-65b",
    "Llama-3.1-8B": "llama-3.1-8b", "Llama 3.1 8B": "llama-3.1-8b",
    "Meta-Llama-3.1-8B": "llama-3.1-8b", "Meta-Llama-3.1-8B-Instruct": "llama-3.1-8b",
    "Llama-3.1-70B": "llama-3.3-70b", "Llama-3.3-70B": "llama-3.3-70b",
    "Llama 3.3 70B": "llama-3.3-70b",
    "Qwen2.5-7B": "qwen2.5-7b", "Qwen2.5-14B": "qwen2.5-14b", "Qwen2.5-32B": "qwen2.5-32b",
    "Qwen2.5-72B": "qwen2.5-72b", "Qwen3-8B": "qwen3-8b", "Qwen3-14B": "qwen3-14b",
    "Qwen3-32B": "qwen3-32b", "Qwen3-30B-A3B": "qwen3-30b-a3b",
    "Qwen3-235B-A22B": "qwen3-235b-a22b", "Mistral-7B-v0.3": "mistral-7b-v0.3",
    "Mixtral-8x7B": "mixtral-8x7b", "gpt-oss-20b": "gpt-oss-20b", "gpt-oss-120b": "gpt-oss-120b",
    "gemma-3-27b": "gemma-3-27b", "Gemma 3 27B": "gemma-3-27b",
}

QUANTS = {"FP16": "F16", "fp16": "F16", "bf16": "BF16"}

_GPUS = {norm(k): v for k, v in GPUS.items()}
_UNIFIED = {norm(k): v for k, v in UNIFIED.items()}
_CPU_ONLY = {norm(k): v for k, v in CPU_ONLY.items()}
_HOSTS = {norm(k): v for k, v in HOSTS.items()}
_MODELS = {norm(k): v for k, v in MODELS.items()}


def model(name):
    return _MODELS.get(norm(name))


def quant(name):
    name = (name or "").strip()
    return QUANTS.get(name, name)


def gpu_link(r, gpu):
    """The link between a row's GPUs, from what its source says."""
    text = ((r.get("interconnect") or "") + " " + (r.get("notes") or "")).lower()
    if "nvlink" in text and "no nvlink" not in text and "without nvlink" not in text:
        if gpu.startswith("h100") or gpu.startswith("h200"):
            return "nvlink-4-h100"
        if gpu.startswith("a100"):
            return "nvlink-3-a100"
        return "nvlink-3090"
    m = re.search(r"pcie\s*(?:gen\s*)?([345])(?:\.0)?\s*x\s*(16|8|4)", text)
    if m:
        return f"pcie-{m.group(1)}.0-x{m.group(2)}"
    m = re.search(r"pcie\s*(?:gen\s*)?([345])", text)
    if m:
        return f"pcie-{m.group(1)}.0-x16"
    return "pcie-4.0-x16"


def machine(r):
    """(spec, None) or (None, why): the system a measured row ran on."""
    dev = r.get("device") or ""
    mem = (r.get("memory_per_device_gb") or "").strip()
    if norm(dev) in _CPU_ONLY:
        return {"host": _CPU_ONLY[norm(dev)],
                "host_memory": f"{mem} GiB" if mem else "64 GiB"}, None
    if norm(dev) in _UNIFIED:
        g, c = _UNIFIED[norm(dev)]
        return {"gpu": g, "count": 1, "host": c,
                "host_memory": f"{mem} GiB" if mem else "64 GiB"}, None
    if (r.get("category") or "") == "cpu_only" or (r.get("backend") or "").lower().startswith("cpu") \
            and not first_gpu(dev):
        host = _HOSTS.get(norm(r.get("host_cpu") or dev))
        if not host:
            return None, f"CPU not mapped: {r.get('host_cpu') or dev}"
        return {"host": host, "host_memory": host_memory(r)}, None
    g = first_gpu(dev)
    if not g:
        return None, f"device not mapped: {dev}"
    count = int(r.get("device_count") or 1)
    host = _HOSTS.get(norm(r.get("host_cpu")))
    ngl = re.match(r"\s*(\d+)", r.get("n_gpu_layers") or "")
    partial = ngl is not None and int(ngl.group(1)) < 99 and int(ngl.group(1)) > 0
    if not host:
        if partial:
            return None, f"partial offload with an unmapped host: {r.get('host_cpu')}"
        host = DEFAULT_HOST[0]
    return {"gpu": g, "count": count, "gpu_link": gpu_link(r, g) if count > 1 else None,
            "host_link": "pcie-4.0-x16", "host": host,
            "host_memory": host_memory(r) if host != DEFAULT_HOST[0] else DEFAULT_HOST[1]}, None


def first_gpu(dev):
    return _GPUS.get(norm(dev))


def host_memory(r):
    m = re.search(r"(\d+)\s*(?:GB|GiB)\s*(?:of\s*)?(?:DDR|RAM|LPDDR|system)", r.get("notes") or "",
                  re.I)
    return f"{m.group(1)} GiB" if m else "256 GiB"
