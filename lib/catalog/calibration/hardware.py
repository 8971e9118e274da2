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


# Discrete GPUs: published name -> device id.  Names are matched with case,
# spaces and punctuation ignored; a source's own spelling is listed as is.
GPUS = {
    "NVIDIA GeForce RTX 2070": "rtx-2070", "NVIDIA RTX2070": "rtx-2070",
    "NVIDIA GeForce RTX 2080": "rtx-2080",
    "NVIDIA GeForce RTX 2080 Ti": "rtx-2080-ti", "Nvidia RTX 2080 Ti": "rtx-2080-ti",
    "NVIDIA GeForce RTX 3060": "rtx-3060-12gb", "NVIDIA GeForce RTX 3060 12GB": "rtx-3060-12gb",
    "Nvidia RTX 3060": "rtx-3060-12gb", "Nvidia RTX 3060 12GB": "rtx-3060-12gb",
    "NVIDIA GeForce RTX 3070": "rtx-3070",
    "NVIDIA GeForce RTX 3080": "rtx-3080",
    "NVIDIA GeForce RTX 3080 Ti": "rtx-3080-ti", "Nvidia RTX 3080 Ti": "rtx-3080-ti",
    "NVIDIA GeForce RTX 3090": "rtx-3090", "RTX 3090": "rtx-3090",
    "NVIDIA GeForce RTX 3090 Ti": "rtx-3090-ti",
    "NVIDIA GeForce RTX 4060 Ti 16GB": "rtx-4060-ti-16gb",
    "NVIDIA GeForce RTX 4070 Ti": "rtx-4070-ti", "Nvidia RTX 4070 Ti": "rtx-4070-ti",
    "NVIDIA GeForce RTX 4080": "rtx-4080",
    "NVIDIA GeForce RTX 4090": "rtx-4090", "RTX 4090": "rtx-4090", "Nvidia RTX 4090": "rtx-4090",
    "NVIDIA GeForce RTX 5080": "rtx-5080",
    "NVIDIA GeForce RTX 5090": "rtx-5090", "RTX 5090": "rtx-5090",
    "NVIDIA RTX A4000": "rtx-a4000", "Nvidia RTX A4000": "rtx-a4000",
    "NVIDIA RTX A6000": "rtx-a6000",
    "NVIDIA RTX 4000 Ada Generation": "rtx-4000-ada",
    "NVIDIA RTX 5000 Ada Generation": "rtx-5000-ada",
    "NVIDIA RTX 6000 Ada Generation": "rtx-6000-ada",
    "Tesla P40": "tesla-p40",
    "Tesla P100-SXM2-16GB": "tesla-p100-sxm2",
    "NVIDIA A40": "a40",
    "NVIDIA L4": "l4",
    "NVIDIA L40S": "l40s",
    "NVIDIA A100 80GB PCIe": "a100-80gb-pcie",
    "NVIDIA A100-SXM4-80GB": "a100-80gb-sxm",
    # "A100 80GB" without a form factor: cloud A100 80GB nodes are SXM4 (the
    # PCIe card has 5% less bandwidth, 1935 against 2039 GB/s).
    "NVIDIA A100 80GB": "a100-80gb-sxm",
    "NVIDIA A100 80GB (form factor not stated)": "a100-80gb-sxm",
    "NVIDIA A100-PCIE-40GB": "a100-40gb-pcie",
    "NVIDIA A100-SXM4-40GB": "a100-40gb-sxm",
    "NVIDIA H100 PCIe": "h100-pcie",
    "NVIDIA H100 80GB HBM3": "h100-sxm",
    "NVIDIA H100 SXM": "h100-sxm",
    "NVIDIA H200": "h200-sxm",
    "NVIDIA GH200": "gh200",
    "AMD RX 480": "rx-480-8gb",
    "AMD Radeon RX 580 Series (RADV POLARIS10)": "rx-580-8gb",
    "AMD Radeon RX 5700 XT (RADV NAVI10)": "rx-5700-xt",
    "Radeon RX 6700 XT": "rx-6700-xt", "AMD RX 6700 XT 12GB": "rx-6700-xt",
    "AMD RX 6800 XT": "rx-6800-xt",
    "AMD RX 7600": "rx-7600",
    "AMD RX 7900 XT": "rx-7900-xt", "AMD Radeon RX 7900 XT (RADV NAVI31)": "rx-7900-xt",
    "AMD Radeon RX 7900 XTX": "rx-7900-xtx", "7900 XTX": "rx-7900-xtx",
    "Radeon RX 7900 XTX (AMD open-source driver)": "rx-7900-xtx",
    "Radeon RX 7900 XTX, gfx1100": "rx-7900-xtx",
    "AMD RX 9070 XT": "rx-9070-xt", "AMD RX 9070 XT 16GB": "rx-9070-xt",
    "AMD Radeon RX 9070 XT": "rx-9070-xt",
    "AMD Radeon RX 9070 XT (gfx1201, RDNA4, 16 GB)": "rx-9070-xt",
    "AMD Radeon RX 9070 XT (gfx1201, RDNA4)": "rx-9070-xt",
    "AMD Radeon Graphics (RADV GFX1201) [RX 9070 XT per issue title]": "rx-9070-xt",
    "AMD AI Pro R9700": "radeon-ai-pro-r9700", "AMD Radeon AI Pro R9700 32GB": "radeon-ai-pro-r9700",
    "AMD Pro W7700": "radeon-pro-w7700",
    # gfx906 with 32 GiB: Radeon Instinct MI50 32GB or MI60; both 1024 GB/s.
    "AMD Radeon Graphics, gfx906:sramecc+:xnack- (0x906)": "mi50-32gb",
    "AMD Instinct MI60 / MI50, gfx906:sramecc+:xnack-": "mi50-32gb",
    "AMD Instinct MI300X": "mi300x",
    "Intel Arc A770": "arc-a770-16gb", "Intel Arc A770 16GB": "arc-a770-16gb",
    "Intel Arc A770 (16gb)": "arc-a770-16gb",
    "Intel(R) Arc(tm) A310 Graphics (DG2) [A310 ECO]": "arc-a310",
    "Intel Arc B580": "arc-b580",
    "Intel Arc Pro B50": "arc-pro-b50",
    "Intel(R) Graphics (BMG G21) [Arc Pro B50 per issue title]": "arc-pro-b50",
    # Short names in compare-llama-bench tables of llama.cpp PRs.
    "MI50": "mi50-32gb", "P40": "tesla-p40",
    # Devices added for issue 13 (lib/catalog/devices-gpus-more.yaml).
    "NVIDIA RTX PRO 6000 Blackwell Workstation Edition": "rtx-pro-6000-ws",
    # The Server Edition is the same GB202 board and 1.79 TB/s GDDR7 at up
    # to 600 W, passively cooled: the Workstation Edition's descriptor.
    "RTX PRO 6000 Blackwell Server Edition": "rtx-pro-6000-ws",
    "NVIDIA H200 PCIe 141GB (H200 NVL)": "h200-nvl",
    "NVIDIA B300 SXM 288GB": "b300-sxm",
    "AMD Instinct MI100": "mi100",
    # A 190 W power cap (of 300 W) lowers the clock, so compute is over-stated
    # for these rows; their decode is memory-bound.
    "AMD Instinct MI100 (gfx908) @ 190 W": "mi100",
    "Intel(R) Arc(TM) Pro B60 Graphics": "arc-pro-b60",
    "AMD Radeon AI PRO R9700": "radeon-ai-pro-r9700",
    'AMD Radeon AI PRO R9700 (gfx1201; log prints "AMD Radeon Graphics, gfx1201" under ROCm 7.9)':
        "radeon-ai-pro-r9700",
    "AMD Instinct MI100 (gfx908, CDNA1)": "mi100",
    "AMD Radeon PRO W7900 Dual Slot (gfx1100, RDNA3)": "radeon-pro-w7900",
    "AMD Radeon Pro VII (Vega20)": "radeon-pro-vii",
    "NVIDIA GeForce RTX 4070": "rtx-4070",
    "NVIDIA GeForce RTX 4080 SUPER": "rtx-4080-super",
    "NVIDIA GeForce RTX 5070 Ti": "rtx-5070-ti",
    # The guide's gpt-oss-20b runs need ~13 GB: the 16 GB card.
    "NVIDIA GeForce RTX 5060 Ti": "rtx-5060-ti-16gb",
    "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition": "rtx-pro-6000-maxq",
    "Tesla V100-PCIE-16GB": "v100-pcie-16gb",
    "NVIDIA A30": "a30",

    # IMbackK names the card only by its ISA in PR 22254; the same author's
    # RX 7900 XTX in PR 26284 (docs: SOURCES.md).
    "AMD gfx1100 @ 340 W (card model not named; the same author's RX 7900 XTX in PR #26284)":
        "rx-7900-xtx",
    # gfx1201 is the RX 9070, RX 9070 XT or Radeon AI PRO R9700: all three
    # have 640 GB/s; the author names an AI PRO R9700 in PR 18816.
    "AMD gfx1201 (RDNA4; card not named in these tables: RX 9070 / 9070 XT / Radeon AI PRO R9700)":
        "radeon-ai-pro-r9700",
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
    # llama.cpp's own M2 Ultra bench files and mlx-examples PR 1069 name no
    # core count.  Assumed the 76-core bin: both bins have 819 GB/s, so only
    # prefill (compute, 60/76) depends on the guess.
    "Apple M2 Ultra": ("m2-ultra-76c", "m2-ultra-cpu"),
    "Apple M2 Ultra GPU": ("m2-ultra-76c", "m2-ultra-cpu"),
    "Apple M3 (8-core GPU)": ("m3-8c", "m3-cpu"),
    "Apple M3 (10-core GPU)": ("m3-10c", "m3-cpu"),
    "Apple M3 Pro (14-core GPU)": ("m3-pro-14c", "m3-pro-cpu"),
    "Apple M3 Pro (18-core GPU)": ("m3-pro-18c", "m3-pro-cpu"),
    "Apple M3 Max (30-core GPU)": ("m3-max-30c", "m3-max-cpu"),
    "Apple M3 Max (40-core GPU)": ("m3-max-40c", "m3-max-cpu"),
    # 64 GB is sold only with the 40-core M3 Max (the 30-core takes 36 or 96 GB).
    "Apple M3 Max GPU": ("m3-max-40c", "m3-max-cpu"),
    "Apple M3 Ultra (60-core GPU)": ("m3-ultra-60c", "m3-ultra-cpu"),
    "Apple M3 Ultra (80-core GPU)": ("m3-ultra-80c", "m3-ultra-cpu"),
    # The 512 GB node of that source (same author, same week) is 80-core.
    "Apple M3 Ultra (Mac Studio; GPU core count not stated in the comment)":
        ("m3-ultra-80c", "m3-ultra-cpu"),
    "Apple M4 (10-core GPU)": ("m4-10c", "m4-cpu"),
    "Apple M4 (Mac mini) GPU": ("m4-10c", "m4-cpu"),
    "Apple M4 Pro (16-core GPU)": ("m4-pro-16c", "m4-pro-cpu"),
    "Apple M4 Pro (20-core GPU)": ("m4-pro-20c", "m4-pro-cpu"),
    "Apple M4 Max (32-core GPU)": ("m4-max-32c", "m4-max-cpu"),
    "Apple M4 Max (40-core GPU)": ("m4-max-40c", "m4-max-cpu"),
    # The 16-core-CPU M4 Max is the 40-core-GPU bin; a 59 GB peak (mlx-examples
    # issue 1281) needs 64 GB or more, sold only with the 40-core bin.
    "Apple M4 Max (16-core CPU) GPU": ("m4-max-40c", "m4-max-cpu"),
    "Apple M4 Max GPU": ("m4-max-40c", "m4-max-cpu"),
    "AMD Ryzen AI Max+ 395": ("strix-halo-395", "strix-halo-cpu"),
    "Radeon 8060S Graphics (Strix Halo iGPU, gfx1151)": ("strix-halo-395", "strix-halo-cpu"),
    "NVIDIA DGX Spark": ("dgx-spark-gb10", "dgx-spark-cpu"),
    "NVIDIA GB10 (DGX Spark)": ("dgx-spark-gb10", "dgx-spark-cpu"),
    # Core count not stated by the source; both bins share the bandwidth,
    # so only prefill (compute) depends on the guess.
    "Apple M1 Pro 32 GB (GPU core count not stated)": ("m1-pro-16c", "m1-pro-cpu"),
    "Apple M1 Max 64 GB (GPU core count not stated)": ("m1-max-32c", "m1-max-cpu"),
    "Apple M3 Pro 18 GB (GPU core count not stated)": ("m3-pro-18c", "m3-pro-cpu"),
    "Apple M4 Pro 48 GB (GPU core count not stated)": ("m4-pro-20c", "m4-pro-cpu"),
    "Apple M3 Ultra 256 GB (GPU core count not stated)": ("m3-ultra-80c", "m3-ultra-cpu"),
    # The M4 Max bins differ in bandwidth (410 and 546 GB/s); mlx-lm PR 406
    # gives prompt speeds only, so the guess (the 40-core bin) moves prefill.
    "Apple M4 Max (GPU core count not stated)": ("m4-max-40c", "m4-max-cpu"),
}

# CPU-only rows: published device -> CPU device id.
CPU_ONLY = {
    "Apple M1 Max (24-core GPU) CPU only": "m1-max-cpu",
    "Apple M1 Max CPU": "m1-max-cpu",
    "Apple M2 Pro (12-core CPU/19-core GPU) CPU only": "m2-pro-cpu",
    "Apple M3 (10-core GPU) CPU only": "m3-cpu",
    "Apple M3 Max (40-core GPU) CPU only": "m3-max-cpu",
    "Intel Xeon (Mac Pro 2019, 16-core) CPU": "xeon-w-3245-mac-pro",
    "Apple M2 Ultra CPU (24-core)": "m2-ultra-cpu",
    "Apple M4 Max CPU only": "m4-max-cpu",
    "Apple M4 Pro (14-core CPU) CPU only": "m4-pro-cpu",
    # "MacBook M4" in the PR: taken as the base M4 (10-core CPU).
    "Apple M4 (10-core CPU) CPU only": "m4-cpu",
    # A Grace system not named (72 cores assumed); the 32-core VM of the same
    # source is not mapped: its share of the socket's bandwidth is unknown.
    "NVIDIA Grace CPU CPU only": "grace-lpddr5x",
}

# Hosts of GPU rows (host_cpu column) that are catalog devices.
HOSTS = {
    "AMD EPYC 7443P 24-Core Processor": "epyc-7443p",
}

# CPUs that measured rows name with their RAM configuration in `notes`
# instead of a catalog device: fit.py describes each such host to the tool
# as a generated device.  compute = cores x fp32 FLOP per cycle x base clock,
# the catalog's convention for CPUs (docs/catalog.md; ggml computes f16 in
# fp32 on x86): Zen 3 and Zen 4 run 32 fp32 FLOP/cycle (two 256-bit FMA, Zen
# 4's AVX-512 is double-pumped), Cascade Lake-X 64 (two 512-bit FMA).
# Cores and base clocks are the vendors' product pages.
CPU_SPECS = {
    "AMD Ryzen 9 5900X": (12, 32, 3.7e9),
    "AMD Ryzen 9 7950X": (16, 32, 4.5e9),
    "AMD Ryzen 7 7700X": (8, 32, 4.5e9),
    "AMD EPYC 9554": (64, 32, 3.1e9),
    "Intel Core i9-10900X": (10, 64, 3.7e9),
    # AWS Graviton3 (Neoverse V1): 64 cores at 2.6 GHz, two 256-bit SVE
    # FMA pipes = 32 fp32 FLOP/cycle (AWS c7g page; Arm Neoverse V1 brief).
    "AWS Graviton3": (64, 32, 2.6e9),
}
# The RunPod hosts of the XiongjieDai GPU rows: AMD EPYC 7443P (notebooks);
# RAM not stated.  Used for fully offloaded GPU rows whose host is unknown.
DEFAULT_HOST = ("epyc-7443p", "251 GiB")

MODELS = {
    "Meta-Llama-3-8B": "llama-3-8b", "Meta-Llama-3-70B": "llama-3-70b",
    "Llama 2 7B": "llama-2-7b", "Llama 2 13B": "llama-2-13b", "Llama 2 70B": "llama-2-70b",
    "LLaMA 7B v2": "llama-2-7b", "LLaMA (v1) 7B": "llama-7b", "LLaMA (v1) 13B": "llama-13b",
    "LLaMA (v1) 30B": "llama-30b", "LLaMA (v1) 65B": "llama-65b",
    # ExLlamaV2's README table names the original LLaMA as "LLaMA 7B".
    "LLaMA 7B": "llama-7b", "LLaMA 13B": "llama-13b", "LLaMA 33B": "llama-30b",
}

# Patterns for the names llama-bench prints ("llama 7B Q4_0", "qwen3moe
# 30B.A3B Q8_0") and file names: the first that matches wins.  Fine-tunes
# and distillations map to the base model whose shapes they keep (QwQ-32B is
# a Qwen2.5-32B, Wayfarer Large a Llama 3.3 70B, DeepSeek-R1-Distill-Qwen-7B
# a Qwen2.5-7B, Mistral 7B v0.1/v0.2 differ from v0.3 only in a 768-row
# larger vocabulary: 0.1% of the bytes).
MODEL_PATTERNS = [
    (r"llama.?3\.2.?3b|^llama 3b|llama 3b q", "llama-3.2-3b"),
    (r"llama.?3\.2.?1b", "llama-3.2-1b"),
    (r"llama.?3\.[13].?70b|wayfarer large 70b|^llama 70b", "llama-3.3-70b"),
    (r"meta-llama-3-8b|^llama 8b|llama.?3\.1.?8b", "llama-3-8b"),
    (r"llama-2-13b|^llama 13b q", "llama-2-13b"),
    (r"llama-2-7b|^llama 7b (?:f16|q|iq)", "llama-2-7b"),
    (r"llama4 17bx16e|llama.?4.?scout", "llama-4-scout"),
    # Qwen3-Coder-30B-A3B keeps Qwen3-30B-A3B's shapes (48 layers, 128
    # experts, 8 a token).
    (r"qwen3moe 30b|qwen3.?30b.?a3b|qwen3-coder-30b-a3b", "qwen3-30b-a3b"),
    (r"qwen3.?4b", "qwen3-4b"), (r"qwen3.?14b", "qwen3-14b"), (r"qwen3.?32b", "qwen3-32b"),
    (r"qwen3.?8b", "qwen3-8b"),
    (r"qwq.?32b|qwen2\.5.?32b", "qwen2.5-32b"), (r"qwen2\.5.?72b", "qwen2.5-72b"),
    (r"qwen2\.5.?14b|^qwen2 14b", "qwen2.5-14b"), (r"qwen2\.5.?3b|^qwen2 3b", "qwen2.5-3b"),
    (r"qwen2\.5.?1\.5b", "qwen2.5-1.5b"),
    # Qwen2-7B and Qwen2.5-Coder-7B keep Qwen2.5-7B's shapes (28 layers,
    # 3584 wide, 4 KV heads).
    (r"qwen2\.5.?7b|qwen2\.5-coder-7b|deepseek-r1-distill-qwen-7b|^qwen2 7b", "qwen2.5-7b"),
    (r"gemma3 12b|gemma-3-12b", "gemma-3-12b"), (r"gemma3 27b|gemma-3-27b", "gemma-3-27b"),
    (r"mistral.?small.*24b", "mistral-small-24b"),
    (r"mistral.?7b", "mistral-7b-v0.3"),
    (r"mixtral", "mixtral-8x7b"),
    (r"phi-4", "phi-4"),
    (r"gpt-oss.?20b", "gpt-oss-20b"), (r"gpt-oss.?120b", "gpt-oss-120b"),
    (r"deepseek2 671b|deepseek-v3", "deepseek-v3"),
    (r"gemma2 2b|gemma-2-2b", "gemma-2-2b"),
    (r"qwen3.?0\.6b", "qwen3-0.6b"), (r"qwen3.?1\.7b", "qwen3-1.7b"),
    (r"gemma3 4b|gemma.?3.?4b", "gemma-3-4b"), (r"gemma3 1b|gemma.?3.?1b", "gemma-3-1b"),
]

QUANTS = {"FP16": "F16", "fp16": "F16", "bf16": "BF16", "MXFP4": "MXFP4_MOE"}

_GPUS = {norm(k): v for k, v in GPUS.items()}
_UNIFIED = {norm(k): v for k, v in UNIFIED.items()}
_CPU_ONLY = {norm(k): v for k, v in CPU_ONLY.items()}
_HOSTS = {norm(k): v for k, v in HOSTS.items()}
_MODELS = {norm(k): v for k, v in MODELS.items()}


def model(name):
    m = _MODELS.get(norm(name))
    if m:
        return m
    low = (name or "").strip().lower()
    for pat, mid in MODEL_PATTERNS:
        if re.search(pat, low):
            return mid
    return None


def quant(name, known=()):
    """A quant id from the published label: 'Q4_K_M (mradermacher imatrix)'
    -> Q4_K_M; 'MLX-4bit (table label)' -> MLX-4bit.  Unsloth's dynamic
    'UD-' mixes are not the named type and stay unmapped."""
    name = (name or "").strip()
    if name in QUANTS:
        return QUANTS[name]
    if name.startswith("UD-"):
        return None
    head = re.split(r"[\s(]", name, 1)[0]
    head = QUANTS.get(head, head)
    return head if not known or head in known else None


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
        # No memory stated: the chip's largest option (the device's memory).
        return {"gpu": g, "count": 1, "host": c,
                "host_memory": f"{mem} GiB" if mem else None}, None
    if (r.get("category") or "") == "cpu_only" or (r.get("backend") or "").lower().startswith("cpu") \
            and not first_gpu(dev):
        host = _HOSTS.get(norm(r.get("host_cpu") or dev)) or generated_host(r.get("host_cpu") or dev, r)
        if not host:
            return None, f"CPU not mapped: {r.get('host_cpu') or dev}"
        return {"host": host, "host_memory": host_memory(r)}, None
    g = first_gpu(dev)
    if not g:
        return None, f"device not mapped: {dev}"
    if re.search(r"n-cpu-moe|override-tensor|exps=CPU", r.get("n_gpu_layers") or ""):
        return None, "experts kept in host RAM (--n-cpu-moe / -ot): not modelled"
    count = int(r.get("device_count") or 1)
    host = _HOSTS.get(norm(r.get("host_cpu"))) or generated_host(r.get("host_cpu"), r)
    ngl = re.match(r"\s*(\d+)", r.get("n_gpu_layers") or "")
    partial = ngl is not None and int(ngl.group(1)) < 99 and int(ngl.group(1)) > 0
    if not host:
        if partial:
            return None, f"partial offload with an unmapped host: {r.get('host_cpu')}"
        host = DEFAULT_HOST[0]
    return {"gpu": g, "count": count, "gpu_link": gpu_link(r, g) if count > 1 else None,
            "host_link": "pcie-4.0-x16", "host": host,
            "host_memory": host_memory(r) if host != DEFAULT_HOST[0] else DEFAULT_HOST[1]}, None


def generated_host(cpu, r):
    """A host device for a CPU named with its RAM in the row's notes: a dict
    the calibration writes as a device (bandwidth = channels x MT/s x 8 B,
    the theoretical peak the catalog uses everywhere), or None."""
    key, spec = next(((k, v) for k, v in CPU_SPECS.items() if norm(k) in norm(cpu)), (None, None))
    if not spec:
        return None
    notes = r.get("notes") or ""
    mts = re.search(r"DDR[45](?:-| at )(\d{4})", notes) or re.search(r"(\d{4}) MT/s", notes)
    ch = re.search(r"(\d+) channels", notes) or re.search(r"(\d+)-channel", notes)
    quad = re.search(r"quad-channel", notes, re.I)
    cores, flop, clock = spec
    # Named by the CPU_SPECS entry (the device ids have a length limit).
    slug = "cal-host-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    if mts and (ch or quad):
        channels = 4 if quad and not ch else int(ch.group(1))
        return {"id": f"{slug}-{channels}ch-{mts.group(1)}", "cores": cores,
                "bandwidth": channels * int(mts.group(1)) * 8e6, "compute": cores * flop * clock}
    # No DIMM speed, but a bandwidth the source measured: the only figure
    # there is (it stands in for the peak the catalog uses elsewhere).
    bw = re.search(r"~?(\d+) GB/s measured", notes)
    if bw:
        return {"id": f"{slug}-{bw.group(1)}gbs", "bandwidth": int(bw.group(1)) * 1e9,
                "compute": cores * flop * clock, "cores": cores}
    return None


def first_gpu(dev):
    return _GPUS.get(norm(dev))


def host_memory(r):
    m = re.search(r"(\d+)\s*(?:GB|GiB)\s*(?:of\s*)?(?:DDR|RAM|LPDDR|system)", r.get("notes") or "",
                  re.I)
    if m:
        return f"{m.group(1)} GiB"
    mem = re.match(r"\s*(\d+)", r.get("memory_per_device_gb") or "")
    if (r.get("category") or "") == "cpu_only" and mem:
        return f"{mem.group(1)} GiB"
    return "256 GiB"
