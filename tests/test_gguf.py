#!/usr/bin/env python3
"""The C GGUF reader (llmroof_model_from_gguf, through the Python binding and
the tool) on the files tests/gguf/make_gguf.py writes for every listed
architecture, at full size (headers only, sparse files), and on the 35
malformed files of tests/gguf/make_bad.py.  The writer's own parser is an
independent second reading: the two must agree on every count and byte.

    python3 tests/test_gguf.py path/to/llmroof
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "gguf"))
import make_bad  # noqa: E402
import make_gguf as G  # noqa: E402
import llmroof  # noqa: E402

TOOL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build", "examples",
                                                          "llmroof")
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


# Where the C reader decides differently from make_bad.py's proposal, and
# why (docs/gguf.md, "Errors"):
DECIDED = {
    # A count the rest of the file cannot hold is a truncated file.
    "array_2e40": "LLMROOF_E_SYNTAX",
    # Nested arrays and unknown value types are valid GGUF llama.cpp does not
    # use; the reader does not support them.
    "array_nested_deep": "LLMROOF_E_UNSUPPORTED",
    "array_of_type_99": "LLMROOF_E_UNSUPPORTED",
    "value_type_99": "LLMROOF_E_UNSUPPORTED",
    # Tensor spans beyond the file: the header is whole, a value is out of range.
    "data_truncated": "LLMROOF_E_RANGE",
    "offset_past_eof": "LLMROOF_E_RANGE",
    # A row that is not whole blocks, an offset off the alignment: a shape
    # the format does not allow.
    "ne0_not_block_multiple": "LLMROOF_E_SCHEMA",
    "offset_unaligned": "LLMROOF_E_SCHEMA",
    # No architecture: the exact bytes are still known (issue 5: "unknown
    # architectures still give exact weight bytes and a clear message").
    "no_architecture": "LLMROOF_OK",
}

# What each architecture's metadata must give.
EXPECT = {
    "llama": {}, "qwen2": {}, "qwen3": {}, "qwen3moe": {"moe": True}, "gemma2": {"swa": True},
    "gemma3": {"swa": True}, "phi3": {}, "deepseek2": {"moe": True, "mla": True},
    "gpt-oss": {"moe": True, "swa": True}, "command-r": {}, "mixtral": {"moe": True},
    "mistral": {},
}


SHAPE_FIELDS = ("layers", "hidden", "ffn", "heads", "kv_heads", "head_dim", "vocab", "context",
                "tied_embeddings", "experts", "experts_active", "expert_ffn", "shared_experts",
                "dense_layers", "attention", "kv_lora_rank", "rope_dim", "q_lora_rank",
                "sliding_window", "sliding_layers")


def main():
    tmp = tempfile.mkdtemp(prefix="llmroof-gguf-")
    # ---- every architecture at full size
    cases = [(a, a, None) for a in G.ARCHS] + [(v, a, c) for v, (a, c) in G.VARIANTS.items()]
    for name, arch, cfg in cases:
        md, tensors = G.model_tensors(arch, cfg, "Q4_K_M")
        path = os.path.join(tmp, "%s.gguf" % name)
        G.write_gguf(path, arch, md, tensors)
        ref = G.parse_gguf(path)
        t0 = time.perf_counter()
        m, q, info = llmroof.model_from_gguf(path)
        dt = time.perf_counter() - t0
        nbytes = sum(G.tensor_nbytes(dims, t) for _, dims, t, _ in ref["tensors"])
        elems = 0
        for _, dims, _, _ in ref["tensors"]:
            n = 1
            for d in dims:
                n *= d
            elems += n
        check(name + " tensors", info.tensor_count == len(ref["tensors"]),
              (info.tensor_count, len(ref["tensors"])))
        check(name + " bytes", info.tensor_bytes == nbytes, (info.tensor_bytes, nbytes))
        check(name + " params", info.params == elems, (info.params, elems))
        check(name + " architecture", info.architecture == arch, info.architecture)
        shapes = bool(info.derived & llmroof.capi.LLMROOF_GGUF_SHAPES)
        check(name + " shapes", shapes, info.note)
        e = EXPECT.get(name, {})
        check(name + " moe", bool(info.derived & llmroof.capi.LLMROOF_GGUF_MOE) == e.get("moe", False),
              (m.experts, m.experts_active, m.expert_ffn))
        check(name + " mla", bool(info.derived & llmroof.capi.LLMROOF_GGUF_MLA) == e.get("mla", False))
        check(name + " sliding", bool(info.derived & llmroof.capi.LLMROOF_GGUF_SLIDING)
              == e.get("swa", False), (m.sliding_window, m.sliding_layers, info.note))
        val = lambda k: getattr(md[k], "value", md[k])  # noqa: E731 (TV or plain)
        check(name + " layers", m.layers == val(arch + ".block_count"), (m.layers,))
        check(name + " hidden", m.hidden == val(arch + ".embedding_length"), (m.hidden,))
        # The tool estimates from the file (a machine large enough for all).
        p = subprocess.run([TOOL, "estimate", "--system", "server-8x-h100-sxm", "--gguf", path,
                            "--ctx", "4096", "--json"], capture_output=True, text=True)
        check(name + " estimate --gguf", p.returncode == 0, p.stderr.strip())
        if p.returncode == 0:
            j = json.loads(p.stdout)
            w = j["memory"]["weights_bytes"]
            check(name + " weights", abs(w - nbytes) <= 0.01 * nbytes, (w, nbytes))
        # The same shapes as a Hugging Face config.json give the same model.
        cdir = os.path.join(tmp, "org_" + name)
        os.makedirs(cdir, exist_ok=True)
        cpath = os.path.join(cdir, "config.json")
        with open(cpath, "w") as f:
            json.dump(G.hf_config(arch, cfg, name if cfg else None), f, indent=1)
        mc = llmroof.model_from_config(cpath)
        for field in SHAPE_FIELDS:
            if field == "ffn" and m.experts and not m.dense_layers:
                continue  # every layer MoE: the dense width is never read
            check("%s config.json %s" % (name, field), getattr(mc, field) == getattr(m, field),
                  (getattr(mc, field), getattr(m, field)))
        p = subprocess.run([TOOL, "estimate", "--system", "server-8x-h100-sxm", "--config",
                            cpath, "--quant", "Q4_K_M", "--ctx", "4096", "--json"],
                           capture_output=True, text=True)
        check(name + " estimate --config", p.returncode == 0, p.stderr.strip())
        print("ok   %-10s %5d tensors, %6.2f GiB, read in %.2f ms" % (
            name, info.tensor_count, nbytes / 2**30, dt * 1e3))
    # ---- routed experts of their own type (MXFP4_MOE: MXFP4 experts, Q8_0
    # elsewhere): each part's bits per weight, so decode reads the active
    # experts' bytes; the file's bytes stay exact.
    md, tensors = G.model_tensors("gpt-oss", None, "MXFP4_MOE")
    path = os.path.join(tmp, "gpt-oss-mxfp4.gguf")
    G.write_gguf(path, "gpt-oss", md, tensors)
    m, q, info = llmroof.model_from_gguf(path)
    check("mxfp4_moe expert_bpw", abs(q.expert_bpw - 4.25) < 0.01, q.expert_bpw)
    check("mxfp4_moe bpw", 8.5 <= q.bpw < 9.0, q.bpw)
    p = subprocess.run([TOOL, "estimate", "--system", "server-8x-h100-sxm", "--gguf", path,
                        "--ctx", "4096", "--json"], capture_output=True, text=True)
    check("mxfp4_moe estimate", p.returncode == 0, p.stderr.strip())
    if p.returncode == 0:
        w = json.loads(p.stdout)["memory"]["weights_bytes"]
        check("mxfp4_moe weights", abs(w - info.tensor_bytes) <= 0.01 * info.tensor_bytes,
              (w, info.tensor_bytes))
    # Issue 14, item 8: a file's general.name is shown in one line, its
    # control characters blanked (an ESC sequence reached the terminal).
    md["general.name"] = "evil\x1b[2J\nVerdict: FORGED"
    G.write_gguf(path, "gpt-oss", md, tensors)
    m, q, info = llmroof.model_from_gguf(path)
    check("general.name controls blanked", m.name == "evil [2J Verdict: FORGED", repr(m.name))
    # Every matrix one type (Q8_0): no expert type of its own.
    md, tensors = G.model_tensors("qwen3moe", G.TINY, "Q8_0")
    path = os.path.join(tmp, "qwen3moe-q8.gguf")
    G.write_gguf(path, "qwen3moe", md, tensors)
    m, q, info = llmroof.model_from_gguf(path)
    check("q8_0 moe expert_bpw", q.expert_bpw == 0, q.expert_bpw)
    # ---- issue 14, item 2: 2^20 tensor infos (the limit).  The duplicate
    # check inserted each name's hash into a sorted array (quadratic: 29 s);
    # it now sorts once.  The timeout turns the old behaviour into a
    # failure; the time itself is llmroof-bench's (--gguf-tensors).
    many = os.path.join(tmp, "many.gguf")
    G.write_many_tensors(many, 1 << 20)
    p = subprocess.run([TOOL, "inspect", "--json", many], capture_output=True, text=True,
                       timeout=20)
    check("2^20 tensors read", p.returncode == 0 and
          json.loads(p.stdout)["tensors"] == 1 << 20, p.stderr.strip())
    G.write_many_tensors(many, 1 << 20, repeat=(5, 1 << 19))
    p = subprocess.run([TOOL, "inspect", many], capture_output=True, text=True, timeout=20)
    check("2^20 tensors, one name twice", p.returncode == 1 and
          "tensor 'blk.5.w' given twice" in p.stderr, p.stderr.strip())
    os.unlink(many)
    # ---- a split model
    md, tensors = G.model_tensors("llama", G.TINY, "Q8_0")
    G.write_split(os.path.join(tmp, "tiny"), 3, "llama", md, tensors)
    m, q, info = llmroof.model_from_gguf(os.path.join(tmp, "tiny-00001-of-00003.gguf"))
    check("split parts", info.parts == 3, info.parts)
    check("split tensors", info.tensor_count == len(tensors), (info.tensor_count, len(tensors)))
    check("split id", m.id == "tiny", m.id)
    # ---- malformed files
    bad = os.path.join(tmp, "bad")
    subprocess.run([sys.executable, make_bad.__file__, bad], check=True, capture_output=True)
    names = sorted(f[:-5] for f in os.listdir(bad) if f.endswith(".gguf"))
    check("bad files", len(names) >= 30, len(names))
    for name in names:
        with open(os.path.join(bad, name + ".expect")) as f:
            want = f.readline().split()[0]
        want = DECIDED.get(name, want)
        path = os.path.join(bad, name + ".gguf")
        try:
            llmroof.model_from_gguf(path)
            got = "LLMROOF_OK"
        except llmroof.LlmroofError as e:
            got = "LLMROOF_E_" + e.code.name
            check(name + " message", e.message.startswith("GGUF: ") or e.file == path, str(e))
        check(name, got == want, "want %s, got %s" % (want, got))
    print("gguf: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
