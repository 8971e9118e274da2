#!/usr/bin/env python3
"""Write small (or sparse, large-looking) GGUF files for tests.

Python 3 standard library only, so tests never download model files.
Format facts and their sources are listed in tests/gguf/README.md.

    write_gguf(path, arch, metadata, tensors, data="none", version=3, alignment=32)
    model_tensors(arch, cfg=None, ftype="Q4_K_M") -> (metadata, tensors)
    write_split(path_prefix, n_splits, arch, metadata, tensors, ...)

    python3 tests/gguf/make_gguf.py --selftest
    python3 tests/gguf/make_gguf.py --arch llama --ftype Q4_K_M --out m.gguf [--data none]
"""

import argparse
import os
import random
import struct
import sys
import tempfile

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# --- metadata value types (gguf.md "gguf_metadata_value_type") -------------
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, \
    UINT64, INT64, FLOAT64 = range(13)

_SCALAR_FMT = {
    UINT8: "<B", INT8: "<b", UINT16: "<H", INT16: "<h", UINT32: "<I",
    INT32: "<i", FLOAT32: "<f", BOOL: "<?", UINT64: "<Q", INT64: "<q",
    FLOAT64: "<d",
}


class TV:
    """An explicitly typed metadata value: TV(UINT64, 5), TV(ARRAY, (STRING, [...]))."""

    __slots__ = ("type", "value")

    def __init__(self, vtype, value):
        self.type = vtype
        self.value = value

    def __repr__(self):
        return "TV(%d, %r)" % (self.type, self.value)


# --- ggml tensor types: name -> (id, block elements, bytes per block) ------
# Checked against gguf-py/gguf/constants.py GGML_QUANT_SIZES and
# ggml/src/ggml-common.h block structs (see README for the one difference).
GGML_TYPES = {
    "F32": (0, 1, 4),
    "F16": (1, 1, 2),
    "Q4_0": (2, 32, 18),
    "Q4_1": (3, 32, 20),
    "Q5_0": (6, 32, 22),
    "Q5_1": (7, 32, 24),
    "Q8_0": (8, 32, 34),
    "Q8_1": (9, 32, 36),
    "Q2_K": (10, 256, 84),
    "Q3_K": (11, 256, 110),
    "Q4_K": (12, 256, 144),
    "Q5_K": (13, 256, 176),
    "Q6_K": (14, 256, 210),
    "Q8_K": (15, 256, 292),
    "IQ2_XXS": (16, 256, 66),
    "IQ2_XS": (17, 256, 74),
    "IQ3_XXS": (18, 256, 98),
    "IQ1_S": (19, 256, 50),
    "IQ4_NL": (20, 32, 18),
    "IQ3_S": (21, 256, 110),
    "IQ2_S": (22, 256, 82),
    "IQ4_XS": (23, 256, 136),
    "I8": (24, 1, 1),
    "I16": (25, 1, 2),
    "I32": (26, 1, 4),
    "I64": (27, 1, 8),
    "F64": (28, 1, 8),
    "IQ1_M": (29, 256, 56),
    "BF16": (30, 1, 2),
    "TQ1_0": (34, 256, 54),
    "TQ2_0": (35, 256, 66),
    "MXFP4": (39, 32, 17),
    "NVFP4": (40, 64, 36),
    "Q1_0": (41, 128, 18),
}
GGML_TYPE_BY_ID = {v[0]: k for k, v in GGML_TYPES.items()}

# Byte offsets of the fp16 scale fields in one block, for "random" data:
# the rest of a block is quant bits, where any bit pattern decodes to a
# finite value once the scales are finite.  From ggml-common.h structs.
_F16_FIELDS = {
    "Q4_0": (0,), "Q4_1": (0, 2), "Q5_0": (0,), "Q5_1": (0, 2),
    "Q8_0": (0,), "Q8_1": (0, 2),
    "Q2_K": (80, 82),            # scales[16] qs[64] d dmin
    "Q3_K": (108,),              # hmask[32] qs[64] scales[12] d
    "Q4_K": (0, 2), "Q5_K": (0, 2),
    "Q6_K": (208,),              # ql[128] qh[64] scales[16] d
    "IQ2_XXS": (0,), "IQ2_XS": (0,), "IQ3_XXS": (0,), "IQ1_S": (0,),
    "IQ4_NL": (0,), "IQ3_S": (0,), "IQ2_S": (0,), "IQ4_XS": (0,),
    "TQ1_0": (52,),              # qs[48] qh[4] d
    "TQ2_0": (64,),              # qs[64] d
}
# Types whose "random" data this script cannot make valid: zeros are used.
_RANDOM_AS_ZEROS = ("NVFP4", "Q1_0")

# llama_ftype (include/llama.h, mirrored in gguf-py LlamaFileType):
# name -> (general.file_type, ggml type of the big 2-D weights)
FTYPES = {
    "F32": (0, "F32"), "F16": (1, "F16"), "Q4_0": (2, "Q4_0"),
    "Q4_1": (3, "Q4_1"), "Q8_0": (7, "Q8_0"), "Q5_0": (8, "Q5_0"),
    "Q5_1": (9, "Q5_1"), "Q2_K": (10, "Q2_K"), "Q3_K_S": (11, "Q3_K"),
    "Q3_K_M": (12, "Q3_K"), "Q3_K_L": (13, "Q3_K"), "Q4_K_S": (14, "Q4_K"),
    "Q4_K_M": (15, "Q4_K"), "Q5_K_S": (16, "Q5_K"), "Q5_K_M": (17, "Q5_K"),
    "Q6_K": (18, "Q6_K"), "IQ2_XXS": (19, "IQ2_XXS"), "IQ2_XS": (20, "IQ2_XS"),
    "IQ3_XXS": (23, "IQ3_XXS"), "IQ1_S": (24, "IQ1_S"), "IQ4_NL": (25, "IQ4_NL"),
    "IQ3_S": (26, "IQ3_S"), "IQ2_S": (28, "IQ2_S"), "IQ4_XS": (30, "IQ4_XS"),
    "IQ1_M": (31, "IQ1_M"), "BF16": (32, "BF16"), "TQ1_0": (36, "TQ1_0"),
    "TQ2_0": (37, "TQ2_0"), "MXFP4_MOE": (38, "Q8_0"),
}


# llama-quantize's fallback for a tensor whose ne0 is not a multiple of the
# block (src/llama-quant.cpp, convert_incompatible_tensor); then F16.
_FALLBACK = {"TQ1_0": "Q4_0", "TQ2_0": "Q4_0", "Q4_K": "Q5_0", "Q5_K": "Q5_1",
             "Q6_K": "Q8_0"}
for _t in ("IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S", "IQ1_S", "IQ1_M",
           "Q2_K", "Q3_K", "IQ4_XS"):
    _FALLBACK[_t] = "IQ4_NL"


def type_info(t):
    """(name, id, block elements, bytes per block) for a type name or id."""
    if isinstance(t, int):
        name = GGML_TYPE_BY_ID[t]
    else:
        name = t.upper()
    tid, blck, size = GGML_TYPES[name]
    return name, tid, blck, size


def tensor_nbytes(shape, ggml_type):
    name, _, blck, size = type_info(ggml_type)
    if not shape:
        raise ValueError("empty shape")
    if shape[0] % blck:
        raise ValueError("%s: ne0=%d not a multiple of block %d" % (name, shape[0], blck))
    n = 1
    for d in shape:
        n *= d
    return n // blck * size


def align_up(x, a):
    return (x + a - 1) // a * a


# --- encoding --------------------------------------------------------------

def enc_str(s):
    b = s.encode("utf-8") if isinstance(s, str) else bytes(s)
    return struct.pack("<Q", len(b)) + b


def _infer_type(v):
    if isinstance(v, TV):
        return v.type
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int):
        if 0 <= v < 1 << 32:
            return UINT32
        if -(1 << 31) <= v < 0:
            return INT32
        return UINT64 if v >= 0 else INT64
    if isinstance(v, float):
        return FLOAT32
    if isinstance(v, (str, bytes)):
        return STRING
    if isinstance(v, (list, tuple)):
        return ARRAY
    raise TypeError("cannot encode %r" % (v,))


def enc_value(vtype, v):
    """Encode a value (without its type tag)."""
    if isinstance(v, TV):
        v = v.value
    if vtype == STRING:
        return enc_str(v)
    if vtype == ARRAY:
        if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], int) \
                and isinstance(v[1], (list, tuple)):
            etype, items = v
        else:
            items = list(v)
            etype = _infer_type(items[0]) if items else UINT32
            if etype in (UINT32, INT32, UINT64, INT64):
                lo, hi = min(items), max(items)
                etype = (UINT32 if lo >= 0 and hi < 1 << 32 else
                         INT32 if lo >= -(1 << 31) and hi < 1 << 31 else
                         UINT64 if lo >= 0 else INT64)
        parts = [struct.pack("<IQ", etype, len(items))]
        if etype in _SCALAR_FMT:
            fmt = _SCALAR_FMT[etype]
            parts.append(struct.pack("<%d%s" % (len(items), fmt[1]), *items))
        else:
            parts.extend(enc_value(etype, x) for x in items)
        return b"".join(parts)
    return struct.pack(_SCALAR_FMT[vtype], v)


def enc_kv(key, v):
    vtype = _infer_type(v)
    return enc_str(key) + struct.pack("<I", vtype) + enc_value(vtype, v)


def layout(tensors, alignment=DEFAULT_ALIGNMENT):
    """[(name, shape, type name, offset, nbytes)], data size (padded)."""
    out, off = [], 0
    for name, shape, gt in tensors:
        nb = tensor_nbytes(shape, gt)
        out.append((name, tuple(shape), type_info(gt)[0], off, nb))
        off = align_up(off + nb, alignment)
    return out, off


def header_bytes(metadata_items, tensor_layout, version=3, alignment=DEFAULT_ALIGNMENT):
    """Header + KV + tensor infos, padded to alignment."""
    if version not in (2, 3):
        raise ValueError("version must be 2 or 3")
    parts = [GGUF_MAGIC, struct.pack("<IQQ", version, len(tensor_layout), len(metadata_items))]
    for k, v in metadata_items:
        parts.append(enc_kv(k, v))
    for name, shape, gt, off, _ in tensor_layout:
        parts.append(enc_str(name))
        parts.append(struct.pack("<I", len(shape)))
        parts.append(struct.pack("<%dQ" % len(shape), *shape))
        parts.append(struct.pack("<IQ", type_info(gt)[1], off))
    b = b"".join(parts)
    return b + b"\0" * (align_up(len(b), alignment) - len(b))


# --- tensor data -----------------------------------------------------------

def _random_chunk(gt, rng, nbytes):
    """A chunk of valid, finite data for type gt, at most nbytes long."""
    name, _, blck, size = type_info(gt)
    nblocks = max(1, min(nbytes // size, 4096 // size + 1))
    if name == "F32":
        return struct.pack("<%df" % (nblocks), *[rng.uniform(-0.05, 0.05) for _ in range(nblocks)])
    if name == "F16":
        return struct.pack("<%de" % nblocks, *[rng.uniform(-0.05, 0.05) for _ in range(nblocks)])
    if name == "BF16":
        f = struct.pack("<%df" % nblocks, *[rng.uniform(-0.05, 0.05) for _ in range(nblocks)])
        return b"".join(f[i + 2:i + 4] for i in range(0, len(f), 4))
    if name == "F64":
        return struct.pack("<%dd" % nblocks, *[rng.uniform(-0.05, 0.05) for _ in range(nblocks)])
    if name in ("I8", "I16", "I32", "I64"):
        return bytes(rng.randrange(256) for _ in range(nblocks * size))
    out = bytearray()
    for _ in range(nblocks):
        blk = bytearray(rng.randrange(256) for _ in range(size))
        if name == "Q8_K":
            blk[0:4] = struct.pack("<f", 0.01)
        elif name == "MXFP4":
            blk[0] = 120                      # E8M0 exponent: 2^-7
        elif name == "IQ1_M":
            # fp16 scale is split over the top nibbles of scales (u16[4] at 48)
            h = struct.unpack("<H", struct.pack("<e", 0.01))[0]
            for k in range(4):
                o = 48 + 2 * k
                u = struct.unpack_from("<H", blk, o)[0] & 0x0FFF
                u |= ((h >> (4 * k)) & 0xF) << 12
                struct.pack_into("<H", blk, o, u)
        else:
            for o in _F16_FIELDS[name]:
                struct.pack_into("<e", blk, o, 0.01)
        out += blk
    return bytes(out)


def _write_data(f, tensor_layout, data, data_start, rng):
    for name, shape, gt, off, nb in tensor_layout:
        f.seek(data_start + off)
        if data == "zeros" or gt in _RANDOM_AS_ZEROS:
            chunk = b"\0" * min(nb, 1 << 20)
        else:
            chunk = _random_chunk(gt, rng, nb)
        left = nb
        while left > 0:
            n = min(left, len(chunk))
            f.write(chunk[:n])
            left -= n


def write_gguf(path, arch, metadata, tensors, data="none", version=3,
               alignment=DEFAULT_ALIGNMENT, seed=0, name=None, file_type=None):
    """Write one GGUF file; returns its layout (see layout()).

    metadata: dict key -> value (python value or TV); general.architecture,
    general.name and general.alignment are added first when missing.
    tensors: list of (name, shape in ggml order [ne0, ne1, ...], ggml type).
    data: "none" (headers only; file truncated up to its full size, sparse),
    "zeros" or "random" (valid finite blocks).
    """
    if data not in ("none", "zeros", "random"):
        raise ValueError("data must be none, zeros or random")
    items = []
    md = dict(metadata or {})
    if arch is not None and "general.architecture" not in md:
        items.append(("general.architecture", arch))
    if "general.name" not in md and arch is not None:
        items.append(("general.name", name or ("llmroof-test-" + arch)))
    if file_type is not None and "general.file_type" not in md:
        items.append(("general.file_type", file_type))
    if alignment != DEFAULT_ALIGNMENT and "general.alignment" not in md:
        items.append(("general.alignment", TV(UINT32, alignment)))
    items.extend(md.items())
    lay, data_size = layout(tensors, alignment)
    names = [t[0] for t in lay]
    if len(set(names)) != len(names):
        raise ValueError("duplicate tensor name")
    hdr = header_bytes(items, lay, version, alignment)
    total = len(hdr) + data_size
    with open(path, "wb") as f:
        f.write(hdr)
        if data != "none":
            _write_data(f, lay, data, len(hdr), random.Random(seed))
        f.truncate(total)
    return lay


def write_split(path_prefix, n_splits, arch, metadata, tensors, data="none",
                version=3, alignment=DEFAULT_ALIGNMENT, seed=0, file_type=None):
    """Write PREFIX-00001-of-0000N.gguf ... as llama.cpp's gguf-split does:
    the first file carries all metadata, every file carries split.no (u16,
    0-based), split.count (u16) and split.tensors.count (i32, total), and
    the tensors are cut in contiguous runs of about equal bytes."""
    if n_splits < 1 or n_splits > len(tensors):
        raise ValueError("n_splits must be in 1..len(tensors)")
    sizes = [tensor_nbytes(s, t) for _, s, t in tensors]
    total = sum(sizes)
    groups, cur, acc = [], [], 0
    for i, t in enumerate(tensors):
        cur.append(t)
        acc += sizes[i]
        left_t = len(tensors) - i - 1
        left_g = n_splits - len(groups) - 1
        if left_g > 0 and (acc >= total * (len(groups) + 1) / n_splits or left_t == left_g):
            groups.append(cur)
            cur = []
    groups.append(cur)
    assert len(groups) == n_splits and all(groups)
    paths = []
    for i, g in enumerate(groups):
        md = dict(metadata) if i == 0 else {}
        md["split.no"] = TV(UINT16, i)
        md["split.count"] = TV(UINT16, n_splits)
        md["split.tensors.count"] = TV(INT32, len(tensors))
        p = "%s-%05d-of-%05d.gguf" % (path_prefix, i + 1, n_splits)
        write_gguf(p, arch if i == 0 else None, md, g, data, version, alignment,
                   seed + i, file_type=file_type if i == 0 else None)
        paths.append(p)
    return paths


# --- architectures ---------------------------------------------------------
# Default configs are the published shapes of one real model per family.
ARCH_DEFAULTS = {
    # Meta-Llama-3-8B
    "llama": dict(n_vocab=128256, n_embd=4096, n_layer=32, n_head=32, n_head_kv=8,
                  n_ff=14336, n_ctx=8192, rope_base=500000.0),
    # Qwen2-7B
    "qwen2": dict(n_vocab=152064, n_embd=3584, n_layer=28, n_head=28, n_head_kv=4,
                  n_ff=18944, n_ctx=32768, rope_base=1000000.0),
    # Qwen3-8B
    "qwen3": dict(n_vocab=151936, n_embd=4096, n_layer=36, n_head=32, n_head_kv=8,
                  head_dim=128, n_ff=12288, n_ctx=40960, rope_base=1000000.0),
    # Qwen3-30B-A3B
    "qwen3moe": dict(n_vocab=151936, n_embd=2048, n_layer=48, n_head=32, n_head_kv=4,
                     head_dim=128, n_ff=6144, n_ctx=40960, rope_base=1000000.0,
                     n_expert=128, n_expert_used=8, n_ff_exp=768),
    # gemma-2-9b
    "gemma2": dict(n_vocab=256000, n_embd=3584, n_layer=42, n_head=16, n_head_kv=8,
                   head_dim=256, n_ff=14336, n_ctx=8192, rope_base=10000.0,
                   sliding_window=4096),
    # gemma-3-12b
    "gemma3": dict(n_vocab=262208, n_embd=3840, n_layer=48, n_head=16, n_head_kv=8,
                   head_dim=256, n_ff=15360, n_ctx=131072, rope_base=1000000.0,
                   sliding_window=1024),
    # Phi-3-mini-4k
    "phi3": dict(n_vocab=32064, n_embd=3072, n_layer=32, n_head=32, n_head_kv=32,
                 n_ff=8192, n_ctx=4096, rope_base=10000.0),
    # DeepSeek-V3
    "deepseek2": dict(n_vocab=129280, n_embd=7168, n_layer=61, n_head=128, n_head_kv=128,
                      n_ff=18432, n_ctx=163840, rope_base=10000.0, q_lora_rank=1536,
                      kv_lora_rank=512, qk_nope=128, qk_rope=64, v_head=128,
                      n_expert=256, n_expert_used=8, n_expert_shared=1, n_ff_exp=2048,
                      n_dense=3),
    # gpt-oss-20b
    "gpt-oss": dict(n_vocab=201088, n_embd=2880, n_layer=24, n_head=64, n_head_kv=8,
                    head_dim=64, n_ff=2880, n_ctx=131072, rope_base=150000.0,
                    sliding_window=128, n_expert=32, n_expert_used=4, n_ff_exp=2880),
    # c4ai-command-r-v01 (35B)
    "command-r": dict(n_vocab=256000, n_embd=8192, n_layer=40, n_head=64, n_head_kv=64,
                      n_ff=22528, n_ctx=131072, rope_base=8000000.0, logit_scale=0.0625),
}

# Architectures llama.cpp reads as another: (GGUF architecture, shapes).
VARIANTS = {
    # Mixtral-8x7B-v0.1
    "mixtral": ("llama", dict(n_vocab=32000, n_embd=4096, n_layer=32, n_head=32, n_head_kv=8,
                              n_ff=14336, n_ctx=32768, rope_base=1000000.0, llama_experts=8,
                              n_expert_used=2)),
    # Mistral-7B-v0.3
    "mistral": ("llama", dict(n_vocab=32768, n_embd=4096, n_layer=32, n_head=32, n_head_kv=8,
                              n_ff=14336, n_ctx=32768, rope_base=1000000.0)),
}

# The same shapes as a Hugging Face config.json, with each family's key
# names and model_type (transformers' config classes).  Keys a class
# defaults (Gemma's tied embeddings, Cohere's) are left out, as the
# published files leave them out.
HF_MODEL_TYPE = {
    "llama": "llama", "qwen2": "qwen2", "qwen3": "qwen3", "qwen3moe": "qwen3_moe",
    "gemma2": "gemma2", "gemma3": "gemma3_text", "phi3": "phi3", "deepseek2": "deepseek_v3",
    "gpt-oss": "gpt_oss", "command-r": "cohere",
}


def hf_config(arch, cfg=None, model_type=None):
    """A config.json dict for arch with cfg's shapes (default: the arch's)."""
    c = dict(ARCH_DEFAULTS[arch], **(cfg or {}))
    if c.get("llama_experts"):
        c.update(n_expert=c["llama_experts"], n_ff_exp=c["n_ff"])
    j = {"architectures": ["ForCausalLM"], "model_type": HF_MODEL_TYPE[arch],
         "vocab_size": c["n_vocab"], "hidden_size": c["n_embd"],
         "num_hidden_layers": c["n_layer"], "num_attention_heads": c["n_head"],
         "num_key_value_heads": c["n_head_kv"], "intermediate_size": c["n_ff"],
         "max_position_embeddings": c["n_ctx"], "rope_theta": c["rope_base"],
         "rope_scaling": None, "torch_dtype": "bfloat16"}
    if "head_dim" in c:
        j["head_dim"] = c["head_dim"]
    if not arch.startswith("gemma") and arch != "command-r":
        j["tie_word_embeddings"] = False
    if "n_expert" in c:
        j[{"qwen3moe": "num_experts", "deepseek2": "n_routed_experts"}.get(
            arch, "num_local_experts")] = c["n_expert"]
        j["num_experts_per_tok"] = c["n_expert_used"]
        if arch not in ("gpt-oss", "llama"):  # these: intermediate_size is the expert's
            j["moe_intermediate_size"] = c["n_ff_exp"]
    if arch == "deepseek2":
        j.update(n_shared_experts=c["n_expert_shared"], first_k_dense_replace=c["n_dense"],
                 q_lora_rank=c["q_lora_rank"], kv_lora_rank=c["kv_lora_rank"],
                 qk_nope_head_dim=c["qk_nope"], qk_rope_head_dim=c["qk_rope"],
                 v_head_dim=c["v_head"])
    if "sliding_window" in c:
        j["sliding_window"] = c["sliding_window"]
    if arch == "gpt-oss":
        j["layer_types"] = ["sliding_attention" if i % 2 == 0 else "full_attention"
                            for i in range(c["n_layer"])]
    if model_type:
        j["model_type"] = model_type
    if arch == "gemma3":
        # The multimodal layout: the language model under text_config.
        j = {"model_type": "gemma3", "architectures": ["Gemma3ForConditionalGeneration"],
             "text_config": j, "vision_config": {"hidden_size": 1152, "num_hidden_layers": 27}}
    return j


# Small configs for tests: every ne0 is a multiple of 256 so all types fit.
TINY = dict(n_vocab=512, n_embd=256, n_layer=2, n_head=4, n_head_kv=2, head_dim=64,
            n_ff=512, n_ctx=512, n_ff_exp=256, n_expert=4, n_expert_used=2,
            n_expert_shared=1, n_dense=1, q_lora_rank=256, kv_lora_rank=256,
            qk_nope=64, qk_rope=64, v_head=64, sliding_window=128)

ARCHS = tuple(ARCH_DEFAULTS)


def _vocab_md(n):
    """SPM-style vocab llama.cpp can load: <unk> <s> </s>, 256 byte tokens, fillers."""
    if n < 259:
        raise ValueError("vocab needs at least 259 tokens")
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % i for i in range(256)]
    toks += ["tok%d" % i for i in range(n - len(toks))]
    types = [2, 3, 3] + [6] * 256 + [1] * (n - 259)
    return {
        "tokenizer.ggml.model": "llama",
        "tokenizer.ggml.tokens": TV(ARRAY, (STRING, toks)),
        "tokenizer.ggml.scores": TV(ARRAY, (FLOAT32, [0.0] * n)),
        "tokenizer.ggml.token_type": TV(ARRAY, (INT32, types)),
        "tokenizer.ggml.unknown_token_id": 0,
        "tokenizer.ggml.bos_token_id": 1,
        "tokenizer.ggml.eos_token_id": 2,
    }


def model_tensors(arch, cfg=None, ftype="Q4_K_M", vocab=False):
    """(metadata dict, tensor list) for a real architecture.

    cfg overrides ARCH_DEFAULTS[arch]; ftype is a llama_ftype name (FTYPES);
    vocab=True adds tokenizer.ggml.* with n_vocab tokens.  1-D tensors are
    F32; 2-D/3-D weights take the ftype's type, falling back as
    llama-quantize does (Q4_K -> Q5_0, ..., then F16) where ne0 is not a
    multiple of the block.
    gpt-oss expert weights are always MXFP4.  Shapes are in ggml order
    (ne0 first), as in llama.cpp src/llama-model.cpp create_tensor calls.
    """
    if arch not in ARCH_DEFAULTS:
        raise ValueError("unknown arch %r (have %s)" % (arch, ", ".join(ARCHS)))
    c = dict(ARCH_DEFAULTS[arch])
    c.update(cfg or {})
    ft_id, wtype = FTYPES[ftype]
    E, L, V = c["n_embd"], c["n_layer"], c["n_vocab"]
    H, HKV, FF = c["n_head"], c["n_head_kv"], c["n_ff"]
    hd = c.get("head_dim") or E // H
    hd_v = hd
    if arch == "deepseek2":
        hd = c["qk_nope"] + c["qk_rope"]
        hd_v = c["v_head"]
    big = "Q6_K" if wtype in ("Q2_K", "Q3_K", "Q4_K", "Q5_K") else wtype

    T = []

    def w(name, *shape, t=None):
        t = t or wtype
        for cand in (t, _FALLBACK.get(t, "F16"), "F16", "F32"):
            if shape[0] % type_info(cand)[2] == 0:
                T.append((name, list(shape), cand))
                return
        raise AssertionError

    def n(name, *shape):
        T.append((name, list(shape), "F32"))

    a = arch
    md = {
        "general.architecture": arch,
        "general.name": c.get("name", "llmroof-test-" + arch),
        "general.file_type": TV(UINT32, ft_id),
        "general.quantization_version": TV(UINT32, 2),
        a + ".context_length": TV(UINT32, c["n_ctx"]),
        a + ".embedding_length": TV(UINT32, E),
        a + ".block_count": TV(UINT32, L),
        a + ".feed_forward_length": TV(UINT32, FF),
        a + ".attention.head_count": TV(UINT32, H),
        a + ".attention.head_count_kv": TV(UINT32, HKV),
        a + ".rope.freq_base": TV(FLOAT32, c["rope_base"]),
        a + ".attention.layer_norm_rms_epsilon": TV(FLOAT32, 1e-6),
        a + ".vocab_size": TV(UINT32, V),
    }
    if "head_dim" in c or arch == "deepseek2":
        md[a + ".attention.key_length"] = TV(UINT32, hd)
        md[a + ".attention.value_length"] = TV(UINT32, hd_v)
    if arch in ("gemma2", "gemma3", "gpt-oss"):
        md[a + ".attention.sliding_window"] = TV(UINT32, c["sliding_window"])
    if arch == "gemma2":
        md[a + ".attn_logit_softcapping"] = TV(FLOAT32, 50.0)
        md[a + ".final_logit_softcapping"] = TV(FLOAT32, 30.0)
    # Mixtral is the llama architecture with experts: expert_count and
    # expert_used_count, the experts' width in feed_forward_length
    # (llama.cpp's convert_hf_to_gguf for MixtralForCausalLM).
    llama_moe = arch == "llama" and c.get("llama_experts", 0) > 0
    if llama_moe:
        md[a + ".expert_count"] = TV(UINT32, c["llama_experts"])
        md[a + ".expert_used_count"] = TV(UINT32, c["n_expert_used"])
    if arch in ("qwen3moe", "deepseek2", "gpt-oss"):
        md[a + ".expert_count"] = TV(UINT32, c["n_expert"])
        md[a + ".expert_used_count"] = TV(UINT32, c["n_expert_used"])
        md[a + ".expert_feed_forward_length"] = TV(UINT32, c["n_ff_exp"])
    if arch == "phi3":
        md[a + ".rope.dimension_count"] = TV(UINT32, hd)
    if arch == "command-r":
        md[a + ".logit_scale"] = TV(FLOAT32, c["logit_scale"])
        md[a + ".attention.layer_norm_epsilon"] = TV(FLOAT32, 1e-5)
        del md[a + ".attention.layer_norm_rms_epsilon"]
    if arch == "deepseek2":
        md[a + ".leading_dense_block_count"] = TV(UINT32, c["n_dense"])
        md[a + ".expert_shared_count"] = TV(UINT32, c["n_expert_shared"])
        md[a + ".attention.kv_lora_rank"] = TV(UINT32, c["kv_lora_rank"])
        if c["q_lora_rank"]:
            md[a + ".attention.q_lora_rank"] = TV(UINT32, c["q_lora_rank"])
        md[a + ".rope.dimension_count"] = TV(UINT32, c["qk_rope"])
        md[a + ".expert_weights_scale"] = TV(FLOAT32, 2.5)
        md[a + ".expert_weights_norm"] = True
        md[a + ".expert_gating_func"] = TV(UINT32, 2)   # sigmoid
    if vocab:
        md.update(_vocab_md(V))

    tied = arch in ("gemma2", "gemma3", "command-r")
    w("token_embd.weight", E, V)
    for i in range(L):
        p = "blk.%d." % i
        n(p + "attn_norm.weight", E)
        if arch == "phi3":
            w(p + "attn_qkv.weight", E, H * hd + 2 * HKV * hd)
        elif arch == "deepseek2":
            if c["q_lora_rank"]:
                w(p + "attn_q_a.weight", E, c["q_lora_rank"])
                n(p + "attn_q_a_norm.weight", c["q_lora_rank"])
                w(p + "attn_q_b.weight", c["q_lora_rank"], H * hd)
            else:
                w(p + "attn_q.weight", E, H * hd)
            w(p + "attn_kv_a_mqa.weight", E, c["kv_lora_rank"] + c["qk_rope"])
            n(p + "attn_kv_a_norm.weight", c["kv_lora_rank"])
            w(p + "attn_kv_b.weight", c["kv_lora_rank"], H * (c["qk_nope"] + hd_v))
        else:
            w(p + "attn_q.weight", E, H * hd)
            w(p + "attn_k.weight", E, HKV * hd)
            w(p + "attn_v.weight", E, HKV * hd, t=big)
            if arch in ("qwen2", "gpt-oss"):
                n(p + "attn_q.bias", H * hd)
                n(p + "attn_k.bias", HKV * hd)
                n(p + "attn_v.bias", HKV * hd)
        if arch in ("qwen3", "qwen3moe", "gemma3"):
            n(p + "attn_q_norm.weight", hd)
            n(p + "attn_k_norm.weight", hd)
        w(p + "attn_output.weight", H * hd_v, E)
        if arch == "gpt-oss":
            n(p + "attn_output.bias", E)
            n(p + "attn_sinks.weight", H)
        if arch in ("gemma2", "gemma3", "gpt-oss"):
            n(p + "post_attention_norm.weight", E)
        if arch not in ("command-r", "gpt-oss"):
            n(p + "ffn_norm.weight", E)        # gemma: the pre-FFN norm
        moe = arch in ("qwen3moe", "gpt-oss") or (arch == "deepseek2" and i >= c["n_dense"])
        if moe or llama_moe:
            X, FE = (c["llama_experts"], FF) if llama_moe else (c["n_expert"], c["n_ff_exp"])
            et = "MXFP4" if arch == "gpt-oss" else wtype
            n(p + "ffn_gate_inp.weight", E, X)   # the router: llama-quantize keeps it F32
            if arch == "deepseek2":
                n(p + "exp_probs_b.bias", X)
            w(p + "ffn_gate_exps.weight", E, FE, X, t=et)
            w(p + "ffn_up_exps.weight", E, FE, X, t=et)
            w(p + "ffn_down_exps.weight", FE, E, X, t=et if arch == "gpt-oss" else big)
            if arch == "gpt-oss":
                n(p + "ffn_gate_inp.bias", X)
                n(p + "ffn_gate_exps.bias", FE, X)
                n(p + "ffn_up_exps.bias", FE, X)
                n(p + "ffn_down_exps.bias", E, X)
            if arch == "deepseek2":
                S = FE * c["n_expert_shared"]
                w(p + "ffn_gate_shexp.weight", E, S)
                w(p + "ffn_up_shexp.weight", E, S)
                w(p + "ffn_down_shexp.weight", S, E)
        elif arch == "phi3":
            w(p + "ffn_up.weight", E, 2 * FF)
            w(p + "ffn_down.weight", FF, E, t=big)
        else:
            w(p + "ffn_gate.weight", E, FF)
            w(p + "ffn_up.weight", E, FF)
            w(p + "ffn_down.weight", FF, E, t=big)
        if arch in ("gemma2", "gemma3"):
            n(p + "post_ffw_norm.weight", E)
    n("output_norm.weight", E)
    if not tied:
        w("output.weight", E, V, t=big)
    return md, T


# --- independent parser (self-test) ----------------------------------------

class GGUFError(ValueError):
    """A file the parser refuses; .code is the llmroof status name."""

    def __init__(self, code, msg):
        ValueError.__init__(self, "%s: %s" % (code, msg))
        self.code = code


# Limits of the self-test parser (the C reader picks its own).
MAX_COUNT = 1 << 24          # tensors, KVs, array elements
MAX_STRING = 1 << 24         # bytes in one string
MAX_KEY = 65535              # bytes in one key or tensor name
MAX_DEPTH = 2                # ARRAY of ARRAY of scalars, no deeper
MAX_DIMS = 4                 # GGML_MAX_DIMS


class _Reader:
    def __init__(self, b):
        self.b, self.p = b, 0

    def take(self, n):
        if self.p + n > len(self.b):
            raise GGUFError("LLMROOF_E_SYNTAX", "truncated at byte %d (need %d)" % (self.p, n))
        r = self.b[self.p:self.p + n]
        self.p += n
        return r

    def u(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def s(self, limit=MAX_STRING):
        n = self.u("<Q")
        if n > limit:
            raise GGUFError("LLMROOF_E_LIMIT", "string of %d bytes at %d" % (n, self.p - 8))
        try:
            return self.take(n).decode("utf-8")
        except UnicodeDecodeError:
            raise GGUFError("LLMROOF_E_SYNTAX", "string is not UTF-8 at %d" % self.p)

    def count(self, what):
        n = self.u("<Q")
        if n > MAX_COUNT:
            raise GGUFError("LLMROOF_E_LIMIT", "%s count %d" % (what, n))
        return n

    def val(self, t, depth=0):
        if t == STRING:
            return self.s()
        if t == ARRAY:
            if depth >= MAX_DEPTH:
                raise GGUFError("LLMROOF_E_LIMIT", "arrays nested deeper than %d" % MAX_DEPTH)
            et = self.u("<I")
            if et > FLOAT64:
                raise GGUFError("LLMROOF_E_SYNTAX", "array element type %d" % et)
            cnt = self.count("array")
            return [self.val(et, depth + 1) for _ in range(cnt)]
        if t not in _SCALAR_FMT:
            raise GGUFError("LLMROOF_E_SYNTAX", "value type %d" % t)
        if t == BOOL:
            v = self.u("<B")
            if v > 1:
                raise GGUFError("LLMROOF_E_SYNTAX", "BOOL byte %d" % v)
            return bool(v)
        return self.u(_SCALAR_FMT[t])


def parse_gguf(path):
    """Read and check header, metadata and tensor infos; never tensor data.

    Raises GGUFError with the llmroof status name make_bad.py expects."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        b = f.read(min(size, 64 << 20))
    r = _Reader(b)
    if r.take(4) != GGUF_MAGIC:
        raise GGUFError("LLMROOF_E_SYNTAX", "bad magic")
    ver = r.u("<I")
    if ver not in (2, 3):
        raise GGUFError("LLMROOF_E_VERSION", "version %d" % ver)
    nt, nkv = r.count("tensor"), r.count("metadata")
    md, mdtype = {}, {}
    for _ in range(nkv):
        k = r.s(MAX_KEY)
        t = r.u("<I")
        v = r.val(t)
        if k in md:
            raise GGUFError("LLMROOF_E_DUPLICATE", "metadata key " + k)
        md[k], mdtype[k] = v, t
    # gguf-split puts the metadata in the first file only
    if mdtype.get("general.architecture") != STRING and not md.get("split.no"):
        raise GGUFError("LLMROOF_E_SCHEMA", "general.architecture missing or not a string")
    al = md.get("general.alignment", DEFAULT_ALIGNMENT)
    if mdtype.get("general.alignment", UINT32) != UINT32:
        raise GGUFError("LLMROOF_E_SCHEMA", "general.alignment not UINT32")
    if al == 0 or al & (al - 1):
        raise GGUFError("LLMROOF_E_RANGE", "general.alignment %d" % al)
    ts, names = [], set()
    for _ in range(nt):
        name = r.s(MAX_KEY)
        nd = r.u("<I")
        if nd == 0 or nd > MAX_DIMS:
            raise GGUFError("LLMROOF_E_RANGE", "%s: n_dims %d" % (name, nd))
        dims = [r.u("<Q") for _ in range(nd)]
        t, off = r.u("<I"), r.u("<Q")
        if name in names:
            raise GGUFError("LLMROOF_E_DUPLICATE", "tensor " + name)
        names.add(name)
        if t not in GGML_TYPE_BY_ID:
            raise GGUFError("LLMROOF_E_UNSUPPORTED", "%s: ggml type %d" % (name, t))
        ne = 1
        for d in dims:
            ne *= d
        if ne >= 1 << 63:
            raise GGUFError("LLMROOF_E_RANGE", "%s: %d elements" % (name, ne))
        tn, _, blck, bsz = type_info(t)
        if dims[0] % blck:
            raise GGUFError("LLMROOF_E_RANGE", "%s: ne0 %d, block %d" % (name, dims[0], blck))
        nb = ne // blck * bsz
        if nb >= 1 << 64:
            raise GGUFError("LLMROOF_E_RANGE", "%s: %d bytes" % (name, nb))
        if off % al:
            raise GGUFError("LLMROOF_E_RANGE", "%s: offset %d not aligned" % (name, off))
        ts.append((name, dims, tn, off, nb))
    data_start = align_up(r.p, al)
    spans = sorted((off, off + nb, name) for name, _, _, off, nb in ts)
    for (a0, a1, an), (b0, b1, bn) in zip(spans, spans[1:]):
        if b0 < a1:
            raise GGUFError("LLMROOF_E_RANGE", "%s overlaps %s" % (bn, an))
    for name, _, _, off, nb in ts:
        if data_start + off + nb > size:
            raise GGUFError("LLMROOF_E_SYNTAX", "%s: data past the end of the file" % name)
    return dict(version=ver, metadata=md, tensors=[t[:4] for t in ts],
                data_start=data_start, alignment=al, file_size=size)


def _check(path, md, tensors, data, version=3, alignment=32):
    g = parse_gguf(path)
    assert g["version"] == version
    for k, v in md.items():
        want = v.value if isinstance(v, TV) else v
        if isinstance(want, tuple) and len(want) == 2 and isinstance(want[1], list):
            want = want[1]
        got = g["metadata"][k]
        if isinstance(want, float) or (isinstance(want, list) and want and isinstance(want[0], float)):
            continue  # float32 rounding
        assert got == want or list(got) == list(want), (k, got, want)
    assert len(g["tensors"]) == len(tensors)
    end = 0
    names = set()
    for (name, dims, t, off), (n0, s0, t0) in zip(g["tensors"], tensors):
        assert name == n0 and dims == list(s0) and t == type_info(t0)[0], (name, n0)
        assert name not in names
        names.add(name)
        assert off % g["alignment"] == 0 and off >= end, (name, off, end)
        end = off + tensor_nbytes(dims, t)
    assert g["file_size"] == g["data_start"] + align_up(end, g["alignment"]), path
    if data != "none":
        with open(path, "rb") as f:
            for name, dims, t, off in g["tensors"]:
                if t in ("F32", "F16"):
                    f.seek(g["data_start"] + off)
                    cnt = min(dims[0], 64)
                    fmt = "<%d%s" % (cnt, "f" if t == "F32" else "e")
                    vals = struct.unpack(fmt, f.read(struct.calcsize(fmt)))
                    assert all(abs(x) < 1.0 for x in vals), name
    return g


def selftest():
    with tempfile.TemporaryDirectory() as d:
        count = 0
        for arch in ARCHS:
            for ftype, data in (("Q4_K_M", "random"), ("F16", "zeros"), ("Q8_0", "random")):
                md, ts = model_tensors(arch, TINY, ftype, vocab=(data == "random"))
                p = os.path.join(d, "%s-%s.gguf" % (arch, ftype))
                write_gguf(p, arch, md, ts, data=data)
                _check(p, md, ts, data)
                count += 1
            md, ts = model_tensors(arch, None, "Q4_K_M")
            p = os.path.join(d, arch + "-full.gguf")
            write_gguf(p, arch, md, ts, data="none")
            g = _check(p, md, ts, "none")
            print("selftest: %-10s %5d tensors, full-size file %6.1f GiB (sparse)"
                  % (arch, len(ts), g["file_size"] / 2 ** 30))
            count += 1
        # every ggml type, v2 and a non-default alignment
        ts = [("t.%s" % k, [256, 2], k) for k in GGML_TYPES]
        for ver, al in ((3, 32), (2, 32), (3, 64)):
            p = os.path.join(d, "types-v%d-a%d.gguf" % (ver, al))
            md = {"test.u64": TV(UINT64, 1 << 40), "test.i8": TV(INT8, -3),
                  "test.s": "héllo", "test.arr": [1, 2, 3], "test.b": True,
                  "test.arr64": [1, 1 << 40], "test.neg": [-1, 5], "test.strs": ["a", "bé"],
                  "test.nested": TV(ARRAY, (ARRAY, [TV(ARRAY, (UINT8, [1]))]))}
            write_gguf(p, "llama", md, ts, data="random", version=ver, alignment=al)
            md["test.nested"] = [[1]]
            _check(p, md, ts, "random", ver, al)
            count += 1
        # splits
        md, ts = model_tensors("llama", TINY, "Q4_K_M")
        paths = write_split(os.path.join(d, "split"), 3, "llama", md, ts, data="random")
        seen = []
        for i, p in enumerate(paths):
            assert p.endswith("-%05d-of-00003.gguf" % (i + 1))
            g = parse_gguf(p)
            assert g["metadata"]["split.no"] == i
            assert g["metadata"]["split.count"] == 3
            assert g["metadata"]["split.tensors.count"] == len(ts)
            assert ("general.architecture" in g["metadata"]) == (i == 0)
            seen += [t[0] for t in g["tensors"]]
            count += 1
        assert seen == [t[0] for t in ts]
        print("selftest: ok, %d files" % count)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("--arch", choices=ARCHS)
    ap.add_argument("--ftype", default="Q4_K_M", choices=sorted(FTYPES))
    ap.add_argument("--tiny", action="store_true", help="use the small test config")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=INT",
                    help="override a config entry, e.g. n_layer=4")
    ap.add_argument("--vocab", action="store_true", help="include n_vocab tokens")
    ap.add_argument("--data", default="none", choices=("none", "zeros", "random"))
    ap.add_argument("--version", type=int, default=3, choices=(2, 3))
    ap.add_argument("--alignment", type=int, default=32)
    ap.add_argument("--splits", type=int, default=1)
    ap.add_argument("--out", help="output file (or prefix with --splits)")
    a = ap.parse_args(argv)
    if a.selftest:
        selftest()
        return 0
    if not a.arch or not a.out:
        ap.error("--arch and --out are needed (or --selftest)")
    cfg = dict(TINY) if a.tiny else {}
    for s in a.set:
        k, v = s.split("=", 1)
        cfg[k] = float(v) if "." in v else int(v)
    md, ts = model_tensors(a.arch, cfg, a.ftype, a.vocab)
    if a.splits > 1:
        for p in write_split(a.out, a.splits, a.arch, md, ts, a.data, a.version, a.alignment):
            print(p)
    else:
        write_gguf(a.out, a.arch, md, ts, a.data, a.version, a.alignment)
        print(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())


def write_many_tensors(path, n, repeat=None):
    """A GGUF v3 file of n one-dimensional f32 tensors of 8 elements and no
    metadata, for the reader's limits (2^20 tensor infos); `repeat` =
    (i, j) gives tensor j tensor i's name.  The data section is a hole
    (truncate): the reader checks its size, never its bytes."""
    infos = []
    for k in range(n):
        name = b"blk.%d.w" % (repeat[0] if repeat and k == repeat[1] else k)
        infos.append(struct.pack("<Q", len(name)) + name + struct.pack("<IQIQ", 1, 8, 0, 32 * k))
    with open(path, "wb") as f:
        f.write(b"GGUF" + struct.pack("<IQQ", 3, n, 0))
        f.write(b"".join(infos))
        data = (f.tell() + 31) // 32 * 32
        f.truncate(data + 32 * n)
