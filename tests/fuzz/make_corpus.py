#!/usr/bin/env python3
"""Write the fuzzers' seed inputs into tests/fuzz/corpus/TARGET/.

    python3 tests/fuzz/make_corpus.py [--out DIR]

Python 3 standard library only; the output is deterministic, so running it
again rewrites the same files (inputs the fuzzers found and that were added
by hand, named found-*, are left alone).

  yaml/      the bundled catalog files whole and cut into pieces of a few
             entries, the loader's bad files (tests/data/bad), the CLI's and
             the example's catalogs, and small whole catalogs with image
             models and image and train engines (hand-*.yaml).  The first
             byte steers fuzz_yaml: '#'
             (bit 0 set) also loads the file on top of the bundled catalog,
             with override; a leading "\\r\\n" (bit 0 set, bit 1 clear) does
             it without override.
  gguf/      tiny but complete files of every architecture make_gguf.py
             knows (a few ftypes with 32-element blocks, so that the shapes
             stay small), the same architectures at their published shapes
             cut after the tensor infos (headers only), a split part, and
             every file of make_bad.py.  (F16 only for dense models: MoE
             ones would pass the 64 KiB seed limit.)
  config/    the configs of tests/data/config, make_gguf.hf_config's for
             every architecture at small shapes, and a few malformed ones.
  estimate/  descriptors in fuzz_estimate.c's byte layout (the comment at
             its top): a PC with one and two GPUs, a unified Mac, a CPU-only
             host, MoE, MLA and sliding-window models, paging from storage,
             a measured host bandwidth, several picks; image and train
             requests (the tail of the layout) on a GPU PC, a two-GPU PC, a
             Mac and a GPU too small for the pipeline (model offload), and
             bad ones (reserved fields, bad enums, huge sizes).
"""

import argparse
import glob
import json
import os
import re
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "gguf"))
import make_gguf as G  # noqa: E402
import make_bad  # noqa: E402

MAX_SEED = 64 << 10


def put(out, target, name, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED:
        raise SystemExit("%s/%s: %d bytes, above the %d-byte seed limit"
                         % (target, name, len(data), MAX_SEED))
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# --- yaml -------------------------------------------------------------------
SECTION = re.compile(r"^(devices|links|systems|models|quants|engines|image_models):\s*$")
ENTRY = re.compile(r"^  [A-Za-z0-9._+-]+:")


def pieces(text, per):
    """(section, [entry texts]) of a catalog file, entries cut at their id lines."""
    section, entries, cur = None, [], None
    for line in text.splitlines(keepends=True):
        m = SECTION.match(line)
        if m:
            section = m.group(1)
            continue
        if section and ENTRY.match(line):
            cur = [line]
            entries.append(cur)
        elif cur is not None:
            cur.append(line)
    groups = ["".join("".join(e) for e in entries[i:i + per]) for i in range(0, len(entries), per)]
    return section, groups


def yaml_seeds(out):
    for path in sorted(glob.glob(os.path.join(ROOT, "lib", "catalog", "*.yaml"))):
        base = os.path.splitext(os.path.basename(path))[0]
        text = read(path).decode()
        put(out, "yaml", "catalog-%s.yaml" % base, text)
        section, groups = pieces(text, 4)
        for k, g in enumerate(groups):
            put(out, "yaml", "piece-%s-%02d.yaml" % (base, k),
                "# %s, entries %d-%d\nllmroof: 1\n%s:\n%s" % (base, 4 * k, 4 * k + 3, section, g))
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "bad", "*.yaml"))):
        put(out, "yaml", "bad-" + os.path.basename(path), read(path))
    for name, text in sorted(HAND_YAML.items()):
        put(out, "yaml", "hand-%s.yaml" % name, text)
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "cli", "*.yaml"))) + \
            [os.path.join(ROOT, "examples", "catalog", "my-pc.yaml")]:
        name = os.path.basename(path)
        put(out, "yaml", "cli-" + name, read(path))
        put(out, "yaml", "cli-crlf-" + name, b"\r\n" + read(path))

# Small self-contained catalogs that reach the image and train estimates
# (fuzz_exercise_catalog runs them on what the file added).
HAND_IMAGE_TRAIN = """llmroof: 1
devices:
  gpu-a:
    name: GPU A
    kind: gpu
    backend: cuda
    memory: 12 GiB
    reserved: 400 MiB
    bandwidth: 360 GB/s
    compute: {f16: 51 TFLOPS, f16_acc32: 25.5 TFLOPS, int8: 102 TOPS}
    power: 170 W
    idle_power: 12 W
    price: 329 USD
    source: "fuzz seed"
  cpu-a:
    name: CPU A
    kind: cpu
    backend: cpu
    bandwidth: 80 GB/s
    compute: {f16: 2 TFLOPS}
    power: 120 W
    idle_power: 20 W
    source: "fuzz seed"
links:
  pcie-a:
    name: PCIe A
    bandwidth: 25 GB/s
    latency: 10 us
    source: "fuzz seed"
systems:
  pc-a:
    name: PC A
    accelerators: [{device: gpu-a, count: 2}]
    gpu_link: pcie-a
    host_link: pcie-a
    host: {device: cpu-a, memory: 64 GiB}
    power: 60 W
    idle_power: 50 W
    price: 2000 USD
    source: "fuzz seed"
models:
  tiny:
    name: Tiny
    layers: 4
    hidden: 256
    ffn: 1024
    heads: 4
    kv_heads: 2
    vocab: 32000
    context: 4096
    source: "fuzz seed"
engines:
  torch-a:
    name: Torch A
    tasks: [train, image]
    formats: [float]
    backends:
      cuda:
        decode_efficiency: 0.8
        prefill_efficiency: {default: 0.5, nf4: 0.3, fp8: 0.6}
        per_layer_overhead: 100 us
        runtime_overhead: 500 MiB
    source: "fuzz seed"
image_models:
  img-a:
    name: Image A
    resolution: {width: 512, height: 512}
    steps: 20
    guidance: 2
    denoiser: {name: UNet, params: 860e6, bits: 16, flops: 6.8e11, activation: 128 MiB}
    attention_flops: 1.2e11
    encoders:
      - {name: CLIP, params: 123e6, bits: 16, flops: 1.9e10, activation: 16 MiB}
      - {name: T5, params: 4.7e9, bits: 8, flops: 2.4e12, activation: 64 MiB}
    vae: {name: VAE, params: 49e6, bits: 16, flops: 2.5e12, activation: 576 MiB}
    source: "fuzz seed"
  img-big:
    name: Image big (offloads on gpu-a)
    resolution: {width: 1024, height: 1024}
    steps: 28
    guidance: 1
    denoiser: {name: DiT, params: 12e9, bits: 16, flops: 5e13, activation: 2 GiB}
    attention_flops: 2e13
    vae: {name: VAE, params: 49e6, bits: 32, flops: 1e13, activation: 2 GiB}
    source: "fuzz seed"
"""
HAND_YAML = {
    "image-train": HAND_IMAGE_TRAIN,
    # On top of the bundled catalog ('#': bit 0 and 1 of the first byte).
    "image-train-over-builtin": "# over the bundled catalog\n" + HAND_IMAGE_TRAIN,
    "image-on-bundled": """# image models and engines on bundled systems
llmroof: 1
engines:
  img-engine:
    name: image and train on every backend
    tasks: [image, train, llm]
    split_modes: [layer, none]
    default_split: layer
    offloaded_layers: host-compute
    backends:
      cuda: {decode_efficiency: 0.8, prefill_efficiency: 0.4}
      metal: {decode_efficiency: 0.8, prefill_efficiency: 0.3}
      cpu: {decode_efficiency: 0.7, prefill_efficiency: 0.2}
    source: "fuzz seed"
image_models:
  img-small:
    name: tiny
    resolution: {width: 64, height: 64}
    steps: 1
    guidance: 1
    denoiser: {name: d, params: 1e6, bits: 8, flops: 1e9, activation: 1 MiB}
    attention_flops: 0
    vae: {name: v, params: 1e6, bits: 16, flops: 1e9, activation: 1 MiB}
    source: "fuzz seed"
""",
}


# --- gguf -------------------------------------------------------------------
# Shapes small enough for seeds; ne0 multiples of 32 (not 256), so only the
# 32-element block types fit.
MICRO = dict(n_vocab=32, n_embd=32, n_layer=2, n_head=2, n_head_kv=1, head_dim=16,
             n_ff=64, n_ctx=256, n_ff_exp=32, n_expert=4, n_expert_used=2,
             n_expert_shared=1, n_dense=1, q_lora_rank=32, kv_lora_rank=32,
             qk_nope=16, qk_rope=16, v_head=16, sliding_window=16)


def gguf_file(write):
    """The bytes of a file write(path) writes."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.gguf")
        write(path)
        return read(path)


def gguf_header(arch, cfg, ftype):
    """A file cut after its tensor infos: every name and shape, no data."""
    md, ts = G.model_tensors(arch, cfg, ftype)
    items = [("general.architecture", arch), ("general.name", "seed-" + arch)]
    items += [(k, v) for k, v in md.items() if k not in ("general.architecture", "general.name")]
    lay, _ = G.layout(ts)
    return G.header_bytes(items, lay)


def gguf_seeds(out):
    for arch in G.ARCHS:
        moe = "n_expert" in G.ARCH_DEFAULTS[arch]
        for ftype in ("Q8_0", "Q4_0") if moe else ("F16", "Q8_0", "Q4_0"):
            md, ts = G.model_tensors(arch, MICRO, ftype)
            put(out, "gguf", "micro-%s-%s.gguf" % (arch, ftype),
                gguf_file(lambda p: G.write_gguf(p, arch, md, ts, data="zeros")))
        # Published widths; DeepSeek-V3's 61 layers of tensor infos would
        # pass the seed limit, so at most 32 layers.
        layers = min(G.ARCH_DEFAULTS[arch]["n_layer"], 32)
        put(out, "gguf", "header-%s-Q4_K_M.gguf" % arch,
            gguf_header(arch, {"n_layer": layers}, "Q4_K_M"))
    for name, (arch, cfg) in sorted(G.VARIANTS.items()):
        small = {k: MICRO[k] for k in ("n_vocab", "n_embd", "n_head", "n_head_kv", "n_ff")}
        md, ts = G.model_tensors(arch, dict(cfg, n_layer=1, **small), "Q8_0")
        put(out, "gguf", "micro-%s-Q8_0.gguf" % name,
            gguf_file(lambda p: G.write_gguf(p, arch, md, ts, data="zeros")))
    md, ts = G.model_tensors("llama", dict(MICRO, n_vocab=288), "Q8_0", vocab=True)
    put(out, "gguf", "micro-llama-vocab-Q8_0.gguf",
        gguf_file(lambda p: G.write_gguf(p, "llama", md, ts, data="random")))
    md, ts = G.model_tensors("llama", MICRO, "F16")
    put(out, "gguf", "micro-llama-v2-align64.gguf",
        gguf_file(lambda p: G.write_gguf(p, "llama", md, ts, data="zeros", version=2,
                                         alignment=64)))
    with tempfile.TemporaryDirectory() as d:
        G.write_split(os.path.join(d, "s"), 2, "llama", md, ts, data="zeros")
        put(out, "gguf", "split-llama-00001-of-00002.gguf",
            read(os.path.join(d, "s-00001-of-00002.gguf")))
    for name, data, _code, _why in make_bad.cases():
        put(out, "gguf", "bad-%s.gguf" % name, data)


# --- config -----------------------------------------------------------------
def config_seeds(out):
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "config", "*",
                                              "config.json"))):
        put(out, "config", os.path.basename(os.path.dirname(path)) + ".json", read(path))
    for arch in G.ARCHS:
        put(out, "config", "micro-%s.json" % arch,
            json.dumps(G.hf_config(arch, MICRO), indent=2) + "\n")
    shapes = ('"num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128, '
              '"num_attention_heads": 4, "vocab_size": 1000, "max_position_embeddings": 4096')
    bad = {
        "trailing-comma": '{"num_hidden_layers": 2,,}',
        "truncated": '{"num_hidden_layers": ',
        "array-root": "[1, 2]",
        "number-root": "42",
        "empty": "",
        "no-shapes": '{"model_type": "llama"}',
        "duplicate": "{%s, \"hidden_size\": 96}" % shapes,
        "string-number": "{%s, \"num_key_value_heads\": \"2\"}" % shapes,
        "fraction": '{"num_hidden_layers": 2.5, "hidden_size": 64}',
        "negative": "{%s, \"num_key_value_heads\": -1}" % shapes,
        "huge": "{%s, \"head_dim\": 99999999999999999999}" % shapes,
        "deep": '{"a": ' + "[" * 20 + "1" + "]" * 20 + "}",
        "anchor": '{"a": &x 1, "b": *x}',
        "two-documents": "{}\n---\n{%s}" % shapes,
        "text-config": '{"model_type": "gemma3", "text_config": {%s, "head_dim": 16}}' % shapes,
        "layer-types": "{%s, \"sliding_window\": 64, \"layer_types\": [\"sliding_attention\", "
                       "\"full_attention\"]}" % shapes,
        "null-values": "{%s, \"sliding_window\": null, \"rope_scaling\": null}" % shapes,
        "bad-utf8": b'{"model_type": "\xff\xfe"}',
    }
    for name, text in sorted(bad.items()):
        put(out, "config", "hand-%s.json" % name, text)


# --- estimate ---------------------------------------------------------------
GIB = 1 << 30
GPU, CPU, UNIFIED, STORAGE = 0, 1, 2, 3
CUDA, ROCM, METAL, VULKAN, SYCL, BCPU, NONE = range(7)
LAYER, ROW, TENSOR, SPLIT_NONE = 1, 2, 3, 4
KERNELS = ["q4_k", "q8_0", "f16", "q6_k", "mxfp4", "bad kernel", "", "bf16", "nf4", "fp8"]
FORMATS = ["", "gguf", "mlx", "awq", "exl2", "bad/format"]


def device(kind, backend, memory, bw, f16, int8=0.0, share=0.0, share_max=0.0, power=0.0,
           price=0.0, reserved=0, measured=0):
    return struct.pack("<bbQQdddddddb", kind, backend, memory, reserved, bw, f16, int8, share,
                       share_max, power, price, measured)


def link(bw, latency):
    return struct.pack("<dd", bw, latency)


def system(count, slots, refs, host_memory, power=0.0, price=0.0):
    return struct.pack("<BHBQdd", count, slots, refs, host_memory, power, price)


def model(layers, hidden, ffn, heads, kv_heads, vocab, context, head_dim=0, tied=0, params=0.0,
          experts=0, active=0, expert_ffn=0, shared=0, dense=0, mla=0, kv_lora=0, rope=0,
          q_lora=0, window=0, sliding=0):
    return struct.pack("<9Id5Ib5I", layers, hidden, ffn, heads, kv_heads, head_dim, vocab,
                       context, tied, params, experts, active, expert_ffn, shared, dense, mla,
                       kv_lora, rope, q_lora, window, sliding)


def quant(bpw, kernel, fmt="", embed=0.0, output=0.0, quality=0.01):
    return struct.pack("<ddddBB", bpw, embed, output, quality, KERNELS.index(kernel),
                       FORMATS.index(fmt))


def kernel_table(table):
    b = struct.pack("<B", len(table))
    for k, eff in table:
        b += struct.pack("<Bd", KERNELS.index(k), eff)
    return b


def backend(be, decode, prefill, kernels=(), prefill_kernels=(), per_layer=20e-6,
            runtime=300 << 20, hop=30e-6, cap=0.0, measured=0.0):
    return (struct.pack("<bd", be, decode) + kernel_table(kernels) + struct.pack("<d", prefill)
            + kernel_table(prefill_kernels)
            + struct.pack("<dQddd", per_layer, runtime, hop, cap, measured))


def engine(modes, default, offload, backends, formats=()):
    bits = sum(1 << m for m in modes)
    b = struct.pack("<Bbb", bits, default, offload)
    b += struct.pack("<B", len(formats)) + bytes(FORMATS.index(f) for f in formats)
    return b + struct.pack("<B", len(backends)) + b"".join(backends)


def request(ctx=8192, depth=0, prompt=512, gen=128, batch=1, ubatch=512, kv=0, ngl=-1, split=0,
            tensor_split=(), flash=1, share=0.0, be=-1):
    return (struct.pack("<6Ibibb", ctx, depth, prompt, gen, batch, ubatch, kv, ngl, split,
                        len(tensor_split))
            + b"".join(struct.pack("<d", t) for t in tensor_split)
            + struct.pack("<Bdb", flash, share, be))


def pick(quants=0, kv_types=1, min_ctx=0, decode=5.0, prefill=0.0, ttft=0.0, headroom=0,
         flags=2):
    return struct.pack("<BIIdddQB", quants, kv_types, min_ctx, decode, prefill, ttft, headroom,
                       flags)


LLAMA_ENGINE = engine(
    (LAYER, ROW, TENSOR, SPLIT_NONE), LAYER, 0,
    [backend(CUDA, 0.89, 0.5, [("f16", 0.91), ("q4_k", 0.89)], [("q4_k", 0.45)]),
     backend(METAL, 0.75, 0.4, [("q8_0", 0.8)]),
     backend(VULKAN, 0.7, 0.3),
     backend(BCPU, 0.7, 0.2, per_layer=0.0, runtime=0, measured=0.96)],
    formats=("gguf",))
RTX4090 = device(GPU, CUDA, 24 * GIB, 1008e9, 165e12, 660e12, power=450, price=1600,
                 reserved=500 << 20)
RTX3090 = device(GPU, CUDA, 24 * GIB, 936e9, 71e12, 284e12, power=350)
DDR5 = device(CPU, BCPU, 0, 89.6e9, 2e12, power=170)
NVME = device(STORAGE, NONE, 0, 7e9, 0.0)
PCIE4 = link(32e9, 10e-6)
LLAMA8B = model(32, 4096, 14336, 32, 8, 128256, 131072, params=8.03e9)
LLAMA70B = model(80, 8192, 28672, 64, 8, 128256, 131072, params=70.6e9)
Q4KM = quant(4.85, "q4_k", "gguf", embed=4.5, output=6.56, quality=0.05)


TASK_LLM, TASK_IMAGE, TASK_TRAIN = 1, 2, 4
ENGINE_IDS = ["e", "", "missing"]


def tail(idle=(0.0,) * 4, acc32=(0.0,) * 4, sys_idle=0.0, tasks=TASK_LLM, price=0.0):
    """The fields after the pick: devices' idle_power and compute_f16_acc32,
    the system's idle_power, the engine's tasks, the request's price."""
    b = b"".join(struct.pack("<dd", i, a) for i, a in zip(idle, acc32))
    return b + struct.pack("<dId", sys_idle, tasks ^ TASK_LLM, price)


def part(params, bits, flops, activation):
    return struct.pack("<dddd", params, bits, flops, activation)


def image_model(width, height, steps, guidance, denoiser, attention, encoders, vae):
    return (struct.pack("<4I", width, height, steps, guidance) + denoiser
            + struct.pack("<dI", attention, len(encoders)) + b"".join(encoders) + vae)


def reserved(values):
    mask = sum(1 << i for i, v in enumerate(values) if v is not None)
    return struct.pack("<B", mask) + b"".join(struct.pack("<I", v) for v in values
                                              if v is not None)


def image_request(engine="e", width=0, height=0, steps=0, batch=1, bits=0.0, offload=-1,
                  res=(), price=0.0):
    return (struct.pack("<B4Idb", ENGINE_IDS.index(engine), width, height, steps, batch, bits,
                        offload) + reserved(res) + struct.pack("<d", price))


def train_request(engine="e", method=1, seq=2048, micro=1, ckpt=1, flash=1, rank=16, targets=1,
                  optimizer=0, gpus=0, res=(), price=0.0):
    return (struct.pack("<Bb5IbbI", ENGINE_IDS.index(engine), method, seq, micro, ckpt, flash,
                        rank, targets, optimizer, gpus) + reserved(res)
            + struct.pack("<d", price))


SD15 = image_model(512, 512, 50, 2, part(859.52e6, 16, 6.775e11, 128 << 20), 1.225e11,
                   [part(123.06e6, 16, 1.9e10, 16 << 20)], part(49.49e6, 16, 2.515e12, 576 << 20))
FLUX = image_model(1024, 1024, 28, 1, part(11.9e9, 16, 5.6e13, 3 << 30), 1.9e13,
                   [part(123.06e6, 16, 1.9e10, 16 << 20), part(4.762e9, 16, 2.44e12, 1 << 30)],
                   part(49.6e6, 16, 1.006e13, 4 << 30))
TORCH_ENGINE = engine(
    (SPLIT_NONE,), SPLIT_NONE, 2,
    [backend(CUDA, 0.8, 0.4, prefill_kernels=[("nf4", 0.3), ("fp8", 0.5), ("bf16", 0.45)],
             per_layer=3.5e-3, runtime=723 << 20),
     backend(METAL, 0.8, 0.3, per_layer=0.0, runtime=0)])


def image_train_seeds():
    """Image and train estimates: the descriptors, then the tail."""
    pc = (RTX4090 + RTX3090 + DDR5 + NVME + PCIE4 + PCIE4
          + system(1, 0, 6, 64 * GIB, 69, 4500) + LLAMA8B + Q4KM + TORCH_ENGINE
          + request() + pick())
    pc_tail = tail(idle=(20, 15, 10, 0), acc32=(82.6e12, 35.6e12, 0, 0), sys_idle=60,
                   tasks=TASK_LLM | TASK_IMAGE | TASK_TRAIN, price=0.3)
    two = (RTX4090 + RTX4090 + DDR5 + NVME + PCIE4 + PCIE4
           + system(2, 0, 7, 128 * GIB, 100, 7000) + LLAMA8B + Q4KM + TORCH_ENGINE
           + request() + pick())
    mac = (device(UNIFIED, METAL, 64 * GIB, 400e9, 27e12, share=0.75, share_max=0.9, power=90)
           + RTX4090 + device(CPU, BCPU, 0, 400e9, 2e12) + NVME + PCIE4 + PCIE4
           + system(1, 0, 4, 64 * GIB, 20, 3000) + LLAMA8B + Q4KM + TORCH_ENGINE
           + request() + pick())
    small = (device(GPU, CUDA, 8 * GIB, 272e9, 22e12, power=115) + RTX3090 + DDR5 + NVME
             + PCIE4 + PCIE4 + system(1, 0, 6, 32 * GIB, 69) + LLAMA8B + Q4KM + TORCH_ENGINE
             + request() + pick())
    both = TASK_IMAGE | TASK_TRAIN
    return {
        "image-train-pc-sd15-lora": pc + pc_tail + SD15
        + image_request(price=0.3) + train_request(price=0.3),
        "image-train-pc-flux-qlora-default-engine": pc + pc_tail + FLUX
        + image_request(engine="", width=768, height=1344, steps=4, batch=2, bits=8)
        + train_request(engine="", method=2, seq=4096, micro=2, optimizer=1),
        "image-train-2gpu-full-ddp": two + tail(tasks=both) + SD15
        + image_request(offload=0, batch=4) + train_request(method=0, gpus=2, ckpt=0, flash=0),
        "image-train-mac-unified": mac + tail(idle=(7, 0, 0, 0), tasks=both, price=0.15) + SD15
        + image_request(steps=20, price=0.15) + train_request(seq=512, targets=0, rank=8),
        "image-offload-small-gpu": small + tail(tasks=both) + FLUX
        + image_request(offload=1) + train_request(method=2, optimizer=2),
        "image-train-bad-fields": pc + pc_tail + SD15
        + image_request(width=12, offload=7, res=(None, 5), price=-1.0)
        + train_request(method=9, seq=1 << 31, micro=1 << 20, rank=1 << 30, targets=-3,
                        optimizer=5, gpus=9, res=(1,)),
        "image-train-huge": pc + pc_tail + image_model(
            1 << 14, 8, 10000, 1 << 30, part(1e300, 64, 1e300, 1e300), 1e300, [],
            part(1e18, 1e6, 1e30, 1e30))
        + image_request(width=16384, height=16384, steps=10000, batch=1024, bits=64)
        + train_request(seq=1 << 20, micro=1 << 16),
        "image-train-llm-only-engine": pc + tail() + SD15
        + image_request() + train_request(engine="missing"),
    }


def estimate_seeds(out):
    seeds = {
        "pc-4090-8b": RTX4090 + RTX4090 + DDR5 + NVME + PCIE4 + PCIE4
        + system(1, 0, 6, 64 * GIB, 69, 4500) + LLAMA8B + Q4KM + LLAMA_ENGINE
        + request() + pick(),
        "pc-2x4090-70b-layer": RTX4090 + RTX3090 + DDR5 + NVME + PCIE4 + PCIE4
        + system(2, 0b10, 7, 96 * GIB, 119, 7000) + LLAMA70B + Q4KM + LLAMA_ENGINE
        + request(split=LAYER) + pick(kv_types=0b11, min_ctx=2048),
        "pc-2x4090-70b-row-ts": RTX4090 + RTX4090 + DDR5 + NVME + link(25e9, 8e-6) + PCIE4
        + system(2, 0, 7, 96 * GIB) + LLAMA70B + Q4KM + LLAMA_ENGINE
        + request(split=ROW, tensor_split=(0.6, 0.4), ngl=60) + pick(quants=1),
        "pc-4x3090-tensor": RTX3090 + RTX3090 + DDR5 + NVME + link(56e9, 5e-6) + PCIE4
        + system(4, 0, 7, 128 * GIB) + LLAMA70B + Q4KM + LLAMA_ENGINE
        + request(split=TENSOR, batch=4, kv=1) + pick(kv_types=0b111, decode=20.0),
        "mac-unified-70b": device(UNIFIED, METAL, 192 * GIB, 819e9, 57e12, share=0.75,
                                  share_max=0.9, power=300)
        + RTX4090 + device(CPU, BCPU, 0, 819e9, 2e12) + NVME + PCIE4 + PCIE4
        + system(1, 0, 4, 96 * GIB, 50, 4000) + LLAMA70B + quant(8.5, "q8_0", "gguf")
        + LLAMA_ENGINE + request(ctx=32768) + pick(min_ctx=4096, flags=3),
        "cpu-only-measured": RTX4090 + RTX4090 + device(CPU, BCPU, 0, 60e9, 1e12, measured=1)
        + NVME + PCIE4 + PCIE4 + system(0, 0, 4, 32 * GIB) + LLAMA8B + Q4KM + LLAMA_ENGINE
        + request(prompt=128, gen=32) + pick(decode=1.0),
        "moe-storage": RTX4090 + RTX4090 + DDR5 + NVME + PCIE4 + PCIE4
        + system(1, 0, 6, 16 * GIB) + model(48, 2048, 6144, 32, 4, 151936, 40960, head_dim=128,
                                            experts=128, active=8, expert_ffn=768)
        + Q4KM + LLAMA_ENGINE + request(ctx=4096) + pick(flags=0),
        "mla-deepseek": RTX4090 + RTX4090 + DDR5 + NVME + PCIE4 + PCIE4
        + system(8, 0, 7, 512 * GIB) + model(61, 7168, 18432, 128, 128, 129280, 163840,
                                             head_dim=128, experts=256, active=8,
                                             expert_ffn=2048, shared=1, dense=3, mla=1,
                                             kv_lora=512, rope=64, q_lora=1536)
        + quant(4.5, "q4_k", "gguf") + LLAMA_ENGINE + request(ctx=16384) + pick(),
        "sliding-gemma-vulkan": RTX3090 + RTX3090 + DDR5 + NVME + PCIE4 + PCIE4
        + system(1, 0, 2, 32 * GIB) + model(42, 3584, 14336, 16, 8, 256000, 8192, head_dim=256,
                                            tied=1, window=4096, sliding=21)
        + quant(16.0, "f16", "gguf") + LLAMA_ENGINE + request(ctx=8192, flash=0, be=VULKAN)
        + pick(headroom=1 << 30, prefill=500.0, ttft=2.0),
        "offload-ngl-stream": RTX4090 + RTX4090 + DDR5 + NVME + PCIE4 + PCIE4
        + system(1, 0, 6, 64 * GIB) + LLAMA70B + quant(4.25, "q4_k", "awq")
        + engine((TENSOR, SPLIT_NONE), TENSOR, 1,
                 [backend(CUDA, 0.8, 0.6, [("q4_k", 0.7)], cap=900e9)], formats=("awq",))
        + request(ngl=40, depth=1024, ubatch=256) + pick(quants=2),
    }
    seeds.update(image_train_seeds())
    for name, data in sorted(seeds.items()):
        put(out, "estimate", name + ".bin", data)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    a = ap.parse_args(argv)
    yaml_seeds(a.out)
    gguf_seeds(a.out)
    config_seeds(a.out)
    estimate_seeds(a.out)
    for t in ("yaml", "gguf", "config", "estimate"):
        files = glob.glob(os.path.join(a.out, t, "*"))
        print("%s: %d files, %d bytes" % (t, len(files), sum(os.path.getsize(f) for f in files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
