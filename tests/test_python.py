#!/usr/bin/env python3
"""Tests of the Python ctypes binding (lib/python/llmroof, docs/python.md).

Usage: python3 tests/test_python.py PATH/TO/layout PATH/TO/llmroof HEADER TESTS_DATA_DIR
with LLMROOF_LIBRARY (the shared library) and PYTHONPATH (lib/python) set, as
tests/meson.build does.  `layout` is tests/layout.c: the struct sizes, field
offsets and constant values as the C compiler sees them.

Python 3 standard library only.  Prints one line per test and, last,
"python: N passed, M failed"; exits non-zero when anything failed, 77
(skipped) when the library is an AddressSanitizer build and the ASan runtime
is not preloaded (docs/python.md).
"""
import ctypes
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

import runner

LAYOUT = LLMROOF = HEADER = DATA = None
TESTS = []

# What the C compiler says (tests/layout.c), and what the header declares.
C_SIZES, C_OFFSETS, C_VALUES = {}, {}, {}
H_STRUCTS, H_ENUMS, H_MACROS, H_FUNCTIONS = {}, {}, {}, {}


def test(fn):
    TESTS.append(fn)
    return fn


# ---------------------------------------------------------------- helpers

def read_layout():
    out = subprocess.run([LAYOUT], stdout=subprocess.PIPE, check=True).stdout.decode()
    for line in out.splitlines():
        name, value = line.split()
        if name[0].isupper():
            C_VALUES[name] = int(value)
        elif "." in name:
            C_OFFSETS[name] = int(value)
        else:
            C_SIZES[name] = int(value)


def read_header():
    """Structs (fields with types), enums (members), macros and functions
    (return and parameter types) of llmroof.h, by a parser that is just good
    enough for its regular style."""
    with open(HEADER) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    for name, body in re.findall(r"typedef struct (\w+) \{(.*?)\} \1;", text, re.S):
        H_STRUCTS[name] = [(m.group(2), m.group(1), re.findall(r"\[(\w+)\]", m.group(3)))
                           for m in re.finditer(r"(\w+)\s+(\w+)((?:\[\w+\])*);", body)]
    for name, body in re.findall(r"typedef enum (\w+) \{(.*?)\} \1;", text, re.S):
        H_ENUMS[name] = re.findall(r"(LLMROOF_\w+)\s*=", body)
    for name in re.findall(r"^#define (LLMROOF_\w+)[ \t]+\S", text, re.M):
        if name != "LLMROOF_API":
            H_MACROS[name] = True
    for ret, name, params in re.findall(r"LLMROOF_API\s+([^;(]*?)\s*\b(llmroof_\w+)\(([^)]*)\);",
                                        text, re.S):
        params = [] if params.strip() == "void" else [
            re.sub(r"\s*\b\w+$", "", p.strip()) for p in params.split(",")]
        H_FUNCTIONS[name] = (ret.strip(), params)


def ctype_of(c_type):
    """The ctypes type for a C type as the header spells it ("const char *")."""
    from llmroof import capi
    t = c_type.replace("const", "").strip()
    stars = t.count("*")
    base = t.replace("*", "").strip()
    if base == "char" and stars == 1:
        return ctypes.c_char_p
    scalars = {"uint32_t": ctypes.c_uint32, "int32_t": ctypes.c_int32, "uint64_t": ctypes.c_uint64,
               "int64_t": ctypes.c_int64, "double": ctypes.c_double, "char": ctypes.c_char,
               "size_t": ctypes.c_size_t, "void": None, "llmroof_status": ctypes.c_int32}
    typ = scalars[base] if base in scalars else getattr(capi, base)
    for _ in range(stars):
        typ = ctypes.POINTER(typ)
    return typ


def same_type(a, b):
    if a is b:
        return True
    if hasattr(a, "_length_") and hasattr(b, "_length_"):
        return a._length_ == b._length_ and same_type(a._type_, b._type_)
    return False


def run_cli(*args):
    p = subprocess.run([LLMROOF] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    assert p.returncode == 0, (args, p.stderr.decode())
    return json.loads(p.stdout.decode())


def raises(exc, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc as e:
        return e
    raise AssertionError("%s not raised by %s%r" % (exc.__name__, fn.__name__, args))


def python_env(**changes):
    env = dict(os.environ)
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run_python(code, **env):
    p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=python_env(**env), timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


# ---------------------------------------------------------------- (1) layout

@test
def struct_sizes_and_offsets_match_c():
    from llmroof import capi
    assert set(capi.STRUCTS) == set(C_SIZES), set(capi.STRUCTS) ^ set(C_SIZES)
    for name, cls in capi.STRUCTS.items():
        assert ctypes.sizeof(cls) == C_SIZES[name], (name, ctypes.sizeof(cls), C_SIZES[name])
        py_fields = {"%s.%s" % (name, f) for f, _ in cls._fields_}
        c_fields = {k for k in C_OFFSETS if k.startswith(name + ".")}
        assert py_fields == c_fields, (name, py_fields ^ c_fields)
        for f, _ in cls._fields_:
            key = "%s.%s" % (name, f)
            assert getattr(cls, f).offset == C_OFFSETS[key], (key, getattr(cls, f).offset,
                                                              C_OFFSETS[key])


@test
def structs_mirror_the_header_field_for_field():
    from llmroof import capi
    assert set(H_STRUCTS) == set(capi.STRUCTS), set(H_STRUCTS) ^ set(capi.STRUCTS)
    for name, fields in H_STRUCTS.items():
        cls = capi.STRUCTS[name]
        assert [f for f, _, _ in fields] == [f for f, _ in cls._fields_], name
        for (field, c_type, dims), (_, py_type) in zip(fields, cls._fields_):
            want = ctype_of(c_type)
            for dim in reversed(dims):
                want = want * (int(dim) if dim.isdigit() else C_VALUES[dim])
            assert same_type(want, py_type), ("%s.%s" % (name, field), want, py_type)


@test
def layout_program_covers_the_header():
    """tests/layout.c is written by hand: it must list everything."""
    for name, fields in H_STRUCTS.items():
        assert name in C_SIZES, name
        for field, _, _ in fields:
            assert "%s.%s" % (name, field) in C_OFFSETS, (name, field)
    for members in H_ENUMS.values():
        for m in members:
            assert m in C_VALUES, m
    for m in H_MACROS:
        if m not in ("LLMROOF_H", "LLMROOF_VERSION_STRING"):
            assert m in C_VALUES, m


# ---------------------------------------------------------------- (2) enums, constants

@test
def enums_match_c():
    from llmroof import capi
    assert set(H_ENUMS) == set(capi.ENUMS), set(H_ENUMS) ^ set(capi.ENUMS)
    for c_name, members in H_ENUMS.items():
        cls, prefix = capi.ENUMS[c_name]
        py = {}
        for m in members:
            short = m[len("LLMROOF_"):]
            short = short[len(prefix):] if short.startswith(prefix) else short
            py[short] = C_VALUES[m]
        assert {m.name: m.value for m in cls} == py, (c_name, {m.name: m.value for m in cls}, py)


@test
def enum_labels_match_the_library_strings():
    import llmroof
    from llmroof import capi
    lib = llmroof.library()
    for cls, fname in capi.ENUM_STRING_FUNCTIONS.items():
        func = getattr(lib, fname)
        for m in cls:
            assert func(m) == m.label, (fname, m, func(m), m.label)
        bad = func(len(cls) + 100)
        assert bad.startswith("unknown"), (fname, bad)
        low = min(int(m) for m in cls) - 1  # image offload AUTO is -1
        assert func(low).startswith("unknown"), fname
    # Labels parse back; so do names; labels are what str() shows.
    for cls, _ in capi.ENUMS.values():
        for m in cls:
            assert cls.parse(m.label) is m and cls.parse(m.name.lower()) is m, m
            assert str(m) == m.label and "%s" % m == m.label and "%d" % m == str(m.value)
    raises(ValueError, llmroof.KvType.parse, "q3_x")
    # The library's parser agrees with the labels.
    for kv in llmroof.KvType:
        out = ctypes.c_int32(-1)
        lib.llmroof_kv_type_from_string(kv.label.encode(), ctypes.byref(out))
        assert out.value == kv, kv
    e = raises(llmroof.LlmroofError, lib.llmroof_kv_type_from_string, b"q3_x",
               ctypes.byref(ctypes.c_int32()))
    assert e.code == llmroof.Status.NOT_FOUND, repr(e)


@test
def constants_match_c():
    from llmroof import capi
    for name in H_MACROS:
        if name in ("LLMROOF_H", "LLMROOF_VERSION_STRING"):
            continue
        assert hasattr(capi, name), name
        if name in ("LLMROOF_VERSION_PATCH", "LLMROOF_VERSION_NUMBER"):
            continue  # a patch release changes no declaration
        assert getattr(capi, name) == C_VALUES[name], (name, getattr(capi, name), C_VALUES[name])
    for flag in capi.ResultFlag:
        assert flag.value == C_VALUES["LLMROOF_FLAG_" + flag.name], flag
    assert capi.LLMROOF_SPLIT_BIT(capi.Split.ROW) == 4


@test
def functions_mirror_the_header():
    import llmroof
    from llmroof import capi
    table = {row[0]: row for row in capi.FUNCTIONS}
    assert len(table) == len(capi.FUNCTIONS), "a function twice in FUNCTIONS"
    assert set(table) == set(H_FUNCTIONS), set(table) ^ set(H_FUNCTIONS)
    for name, (ret, params) in H_FUNCTIONS.items():
        _, argtypes, restype, errcheck = table[name]
        assert same_type(ctype_of(ret), restype), (name, ret, restype)
        assert len(argtypes) == len(params), (name, params, argtypes)
        for c_type, py_type in zip(params, argtypes):
            assert same_type(ctype_of(c_type), py_type), (name, c_type, py_type)
        if ret == "llmroof_status":
            assert errcheck is not None, "%s: status not checked" % name
    assert llmroof.library().missing == [], llmroof.library().missing


# ---------------------------------------------------------------- (3) catalog, estimate

@test
def builtin_catalog_loads():
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        counts = cat.counts()
        assert set(counts) == {s.label for s in llmroof.Section}, counts
        assert all(n > 0 for n in counts.values()), counts
        for s in llmroof.Section:
            ids = cat.ids(s)
            assert len(ids) == cat.count(s) == counts[s.label], s
            assert len(set(ids)) == len(ids), s
        assert "pc-rtx-4090" in cat.ids("systems")
        assert "Q4_K_M" in cat.ids(llmroof.Section.QUANTS)
        d = cat.get_device("rtx-4090")
        assert d.kind == llmroof.DeviceKind.GPU and d.backend == llmroof.Backend.CUDA, d
        assert d.memory == 24 * 2**30 and d.bandwidth > 9e11, d
        s = cat.get_system("pc-2x-rtx-4090")
        assert s.accelerators == ["rtx-4090", "rtx-4090"], s.accelerators
        e = cat.get_engine("llama.cpp")
        assert llmroof.Split.LAYER in e.split_modes and e.default_split == llmroof.Split.LAYER
        assert e.backends and all(isinstance(b, llmroof.EngineBackend) for b in e.backends)
        assert cat.get_model("llama-3.1-8b").layers == 32
        assert cat.get_quant("Q4_K_M").kernel == "q4_k"
        assert cat.get_link("pcie-4.0-x16").bandwidth > 0


@test
def estimate_8b_matches_the_cli():
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        r = cat.estimate("pc-rtx-4090", "llama-3.1-8b", "Q4_K_M")
    assert isinstance(r, llmroof.Result)
    assert r.fit is llmroof.Fit.GPU, r.fit
    assert r.decode_tps > 0 and r.decode_tps <= r.decode_bound_tps, r.decode_tps
    assert isinstance(r.decode_bound_by, llmroof.Resource)
    assert isinstance(r.flags, llmroof.ResultFlag)
    assert r.tiers and all(isinstance(t, llmroof.Tier) for t in r.tiers)
    assert r.tiers[0].kind is llmroof.TierKind.ACCELERATOR and r.tiers[0].device == "rtx-4090"
    j = run_cli("estimate", "--json", "--system", "pc-rtx-4090", "--model", "llama-3.1-8b",
                "--quant", "Q4_K_M")
    # The tool prints doubles so that they read back exactly.
    assert r.decode_tps == j["decode"]["tokens_per_s"], (r.decode_tps, j["decode"])
    assert r.prefill_tps == j["prefill"]["tokens_per_s"]
    assert r.fit.label == j["fit"] and r.decode_bound_by.label == j["decode"]["bound_by"]
    assert r.weights == j["memory"]["weights_bytes"] and r.total == j["memory"]["total_bytes"]
    assert r.ctx == j["request"]["ctx"] == 640
    assert [t.device for t in r.tiers] == [t["device"] for t in j["placement"]["tiers"]]
    assert sum(t.layers for t in r.tiers) == r.layers == 32


@test
def config_json_model_estimates_like_the_catalogs_and_the_cli():
    import llmroof
    path = os.path.join(DATA, "config", "meta-llama_Llama-3.1-8B", "config.json")
    m = llmroof.model_from_config(path)
    assert isinstance(m, llmroof.Model) and m.id == "meta-llama_Llama-3.1-8B", m
    assert (m.layers, m.hidden, m.kv_heads, m.vocab) == (32, 4096, 8, 128256), m
    with llmroof.Catalog.builtin() as cat:
        cat.add_model(m)
        a = cat.estimate("pc-rtx-4090", m.id, "Q4_K_M")
        b = cat.estimate("pc-rtx-4090", "llama-3.1-8b", "Q4_K_M")
    assert (a.weights, a.kv, a.decode_tps) == (b.weights, b.kv, b.decode_tps), (a, b)
    j = run_cli("estimate", "--json", "--system", "pc-rtx-4090", "--config", path,
                "--quant", "Q4_K_M")
    assert j["decode"]["tokens_per_s"] == a.decode_tps, j["decode"]
    j = run_cli("inspect", "--json", path)
    assert j["format"] == "config.json" and j["model"]["id"] == m.id, j
    assert (j["model"]["layers"], j["model"]["kv_heads"]) == (m.layers, m.kv_heads), j
    bad = os.path.join(tempfile.mkdtemp(), "config.json")
    with open(bad, "w") as f:
        f.write('{"model_type": "llama",\n "hidden_size": 4096,,}')
    e = raises(llmroof.LlmroofError, llmroof.model_from_config, bad)
    assert e.code is llmroof.Status.SYNTAX and e.file == bad and e.line == 2, repr(e)
    shutil.rmtree(os.path.dirname(bad))


@test
def fifo_paths_are_refused():
    """Issue 14, item 1: model_from_gguf, model_from_config and
    Catalog.from_file on a FIFO (with a writer that never writes) raise an
    I/O error instead of blocking; run in a child so that a hang fails."""
    d = tempfile.mkdtemp(prefix="llmroof-fifo-")
    fifo = os.path.join(d, "model.gguf")
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR)
    try:
        code, out, err = run_python(
            "import llmroof\n"
            "for f in (llmroof.model_from_gguf, llmroof.model_from_config,\n"
            "          llmroof.Catalog.from_file):\n"
            "    try:\n"
            "        f(%r)\n"
            "    except llmroof.LlmroofError as e:\n"
            "        print(e.code.name, 'regular file' in str(e))\n" % fifo)
    finally:
        os.close(fd)
        shutil.rmtree(d)
    assert code == 0 and out.split() == ["IO", "True"] * 3, (code, out, err)


@test
def pick_arguments_are_checked():
    """Issue 14, item 4: pick() wrapped or ignored bad arguments (headroom
    2**64 + 20 GiB acted as 20 GiB, -1 as 2**64 - 1, min_ctx 2**32 + 1024
    as 1024, kv_types [99] was dropped, "500" and 1.9 were taken)."""
    import llmroof
    GiB = 1 << 30
    bad = [({"headroom": 2 ** 64 + 20 * GiB}, ValueError), ({"headroom": -1}, ValueError),
           ({"headroom": 1.9}, TypeError), ({"min_ctx": 2 ** 32 + 1024}, ValueError),
           ({"min_ctx": -1}, ValueError), ({"kv_types": [99]}, ValueError),
           ({"kv_types": ["q9_9"]}, ValueError), ({"min_decode_tps": "500"}, TypeError),
           ({"max_ttft": None}, TypeError), ({"min_prefill_tps": [1]}, TypeError)]
    with llmroof.Catalog.builtin() as cat:
        ok = cat.pick("pc-rtx-4090", "llama-3-8b", headroom=GiB, min_ctx=4096,
                      kv_types=["f16", "q8_0"], min_decode_tps=10)
        assert ok.chosen >= 0, ok.advice
        for kwargs, exc in bad:
            raises(exc, cat.pick, "pc-rtx-4090", "llama-3-8b", **kwargs)


@test
def estimate_workload_keywords_match_the_cli():
    import llmroof
    kw = dict(ctx=8192, depth=1024, prompt=256, gen=64, batch=2, ubatch=256, kv_type="q8_0",
              split=llmroof.Split.LAYER, tensor_split=[3, 1], flash_attention=False)
    with llmroof.Catalog.builtin() as cat:
        r = llmroof.estimate(cat, "pc-2x-rtx-4090", "llama-3-70b", "Q4_K_M", **kw)
    j = run_cli("estimate", "--json", "--system", "pc-2x-rtx-4090", "--model", "llama-3-70b",
                "--quant", "Q4_K_M", "--ctx", "8192", "--depth", "1024", "--prompt", "256",
                "--gen", "64", "--batch", "2", "--ubatch", "256", "--kv", "q8_0",
                "--split", "layer", "--tensor-split", "3,1", "--no-flash-attn")
    assert r.kv_type is llmroof.KvType.Q8_0 and r.batch == 2 and r.ctx == 8192, r
    assert r.fit.label == j["fit"], (r.fit, j["fit"])
    assert r.decode_tps == j["decode"]["tokens_per_s"], (r.decode_tps, j["decode"])
    assert r.kv == j["memory"]["kv_bytes"]
    assert r.gpu_layers == j["placement"]["gpu_layers"]


@test
def train_estimate_matches_the_cli():
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        q = cat.train_estimate("pc-rtx-4090", "llama-3.1-8b", method="qlora")
        f = llmroof.train_estimate(cat, "pc-rtx-4090", "llama-3.1-8b",
                                   method=llmroof.TrainMethod.FULL)
        assert q.fit is llmroof.Fit.GPU and f.fit is llmroof.Fit.NONE, (q.fit, f.fit)
        assert q.engine == "transformers" and q.device == "rtx-4090", q
        assert f.weights + f.gradients + f.master_weights + f.optimizer_states == \
            16 * 8029995008
        out = subprocess.run([LLMROOF, "train", "--json", "--system", "pc-rtx-4090",
                              "--model", "llama-3.1-8b", "--method", "qlora"],
                             capture_output=True, text=True, check=True).stdout
        j = json.loads(out)
        assert j["memory"]["total"] == q.total, (j["memory"], q.total)
        assert abs(j["speed"]["tokens_per_s"] - q.tokens_per_s) <= 1e-9 * q.tokens_per_s
        r = cat.train_estimate("pc-rtx-4090", "llama-3.1-8b", lora_targets="attention",
                               lora_rank=8, optimizer="adamw-8bit", seq_len=512,
                               micro_batch=2, checkpointing=0, flash_attention=0)
        assert r.trainable_params == 13631488 / 2, r.trainable_params
        assert r.optimizer_states == 2 * 13631488 / 2
        raises(TypeError, cat.train_estimate, "pc-rtx-4090", "llama-3.1-8b", methd="lora")
        raises(ValueError, cat.train_estimate, "pc-rtx-4090", "llama-3.1-8b", method="half")
        e = raises(llmroof.LlmroofError, cat.train_estimate, "pc-rtx-4090", "llama-3.1-8b",
                   seq_len=0)
        assert e.code is llmroof.Status.INVALID_ARGUMENT and "seq_len" in e.message, repr(e)
        e = raises(llmroof.LlmroofError, cat.train_estimate, "pc-rtx-4090", "llama-3.1-8b",
                   engine="llama.cpp")
        assert e.code is llmroof.Status.UNSUPPORTED, repr(e)



@test
def estimate_bad_requests():
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        base = ("pc-rtx-4090", "llama-3.1-8b", "Q4_K_M")
        raises(TypeError, cat.estimate, *base, contex=4096)
        raises(TypeError, cat.estimate, *base, ctx="4096")
        raises(ValueError, cat.estimate, *base, ctx=-1)
        raises(ValueError, cat.estimate, *base, ctx=2**32)
        raises(ValueError, cat.estimate, *base, kv_type="q3_x")
        raises(ValueError, cat.estimate, *base, tensor_split=[1] * 17)
        raises(ValueError, cat.estimate, "x" * 64, "llama-3.1-8b", "Q4_K_M")
        raises(ValueError, cat.estimate, "pc\0", "llama-3.1-8b", "Q4_K_M")
        raises(TypeError, cat.estimate, None, "llama-3.1-8b", "Q4_K_M")
        # Values the binding cannot judge go to the library, which says no.
        e = raises(llmroof.LlmroofError, cat.estimate, *base, kv_type=99)
        assert e.code is llmroof.Status.INVALID_ARGUMENT, repr(e)
        e = raises(llmroof.LlmroofError, cat.estimate, *base, split=99)
        assert e.code is llmroof.Status.INVALID_ARGUMENT, repr(e)
        # A model that does not fit is an answer, not an error.
        r = cat.estimate("mac-studio-m3-ultra-96gb", "llama-3.1-405b", "Q4_K_M")
        assert r.fit in (llmroof.Fit.STORAGE, llmroof.Fit.NONE), r.fit
        # Unicode ids are fine (and not found).
        e = raises(llmroof.LlmroofError, cat.estimate, "caf\u00e9", "llama-3.1-8b", "Q4_K_M")
        assert e.code is llmroof.Status.NOT_FOUND and "caf\u00e9" in e.message, repr(e)


@test
def image_estimate_wrapper():
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        pc = cat.image_estimate("pc-rtx-4090", "sdxl-1.0", steps=30)
        mac = llmroof.image_estimate(cat, "mac-studio-m3-ultra-96gb", "sdxl-1.0", steps=30)
        assert pc.fit == llmroof.Fit.GPU and pc.steps == 30, pc
        assert mac.seconds_per_image >= 3 * pc.seconds_per_image, (pc, mac)
        off = cat.image_estimate("pc-rtx-4090", "flux.1-dev", offload="model")
        assert off.offload == llmroof.ImageOffload.MODEL and off.transfer_time > 0, off
        m = cat.get_image_model("flux.1-dev")
        assert m.guidance == 1 and len(m.encoders) == 2 and m.denoiser.params > 1e10, m
        raises(TypeError, cat.image_estimate, "pc-rtx-4090", "sdxl-1.0", quant="Q4_K_M")
        raises(llmroof.LlmroofError, cat.image_estimate, "pc-rtx-4090", "sdxl-1.0", width=1001)


@test
def descriptors_round_trip_through_add_and_get():
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        for section in llmroof.Section:
            for ident in cat.ids(section)[:3]:
                d = cat.get(section, ident)
                d.id = "py-" + ident
                cat.add(d)
                back = cat.get(section, d.id)
                assert back == d, (section, ident, back, d)
        raises(llmroof.LlmroofError, cat.add, cat.get_device("py-rtx-4090"))
        cat.add_device(cat.get_device("py-rtx-4090"), override=True)
        raises(TypeError, cat.add_device, cat.get_link("pcie-4.0-x16"))
        raises(TypeError, cat.add, object())
    with llmroof.Catalog() as cat:
        assert cat.counts() == {s.label: 0 for s in llmroof.Section}
        cat.add_device(llmroof.Device(id="my-gpu", name="My GPU", kind="gpu", backend="cuda",
                                      memory=16 * 2**30, bandwidth=500e9, compute_f16=80e12))
        assert cat.ids("devices") == ["my-gpu"]
        e = raises(llmroof.LlmroofError, cat.add_system,
                   llmroof.System(id="box", accelerators=["nope"], host_device="nope",
                                  host_memory=2**30))
        assert e.code in (llmroof.Status.REFERENCE, llmroof.Status.SCHEMA), repr(e)
        assert (e.line, e.column) == (0, 0), repr(e)


@test
def measured_bandwidth_from_python():
    # docs/model.md §5: a measured host bandwidth with llama.cpp's CPU
    # measured_efficiency; the engine's peak-fitted eta would be slower.
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        host = llmroof.Device(id="vm-cpu", name="A VM", kind="cpu", backend="cpu",
                              bandwidth=40e9, compute_f16=300e9)
        cat.add_device(host)
        cat.add_system(llmroof.System(id="vm", name="A VM", host_device="vm-cpu",
                                      host_memory=32 * 2**30))
        nominal = cat.estimate("vm", "llama-3.1-8b", "Q4_K_M")
        host.id, host.bandwidth_kind = "vm-cpu-m", llmroof.BandwidthKind.MEASURED
        cat.add_device(host)
        assert cat.get_device("vm-cpu-m").bandwidth_kind is llmroof.BandwidthKind.MEASURED
        cat.add_system(llmroof.System(id="vm-m", name="A VM", host_device="vm-cpu-m",
                                      host_memory=32 * 2**30))
        measured = cat.estimate("vm-m", "llama-3.1-8b", "Q4_K_M")
        cpu = [b for b in cat.get_engine("llama.cpp").backends
               if b.backend is llmroof.Backend.CPU][0]
        assert 0 < cpu.measured_efficiency <= 1, cpu
        # The measured figure is read at measured_efficiency, whatever the
        # peak-fitted efficiency is; the per-layer overhead stays.
        t = measured.tiers[0]
        fixed = 32 * cpu.per_layer_overhead
        assert abs(t.decode_time - (t.decode_bytes / (40e9 * cpu.measured_efficiency) + fixed)) \
            < 1e-9, (t.decode_time, t.decode_bytes, cpu)
        assert measured.decode_tps != nominal.decode_tps
        assert measured.decode_bound_tps == nominal.decode_bound_tps


@test
def energy_cost_and_engine_tasks_from_python():
    # docs/model.md §7: cost per million tokens at the caller's electricity
    # price; engines say which tasks they run.
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        r = cat.estimate("pc-rtx-4090", "llama-3.1-8b", "Q4_K_M", electricity_price=0.25)
        assert r.power > 0 and r.idle_power > 0, r
        assert abs(r.cost_per_mtok - r.joules_per_token * 1e6 / 3.6e6 * 0.25) < 1e-9, r
        assert cat.get_engine("llama.cpp").tasks == llmroof.Task.LLM
        assert cat.get_engine("diffusers").tasks == llmroof.Task.IMAGE
        t = cat.train_estimate("pc-rtx-4090", "llama-3.1-8b", method="qlora",
                               electricity_price=0.25)
        assert t.idle_power == r.idle_power > 0, (t.idle_power, r.idle_power)
        assert abs(t.cost_per_mtok - t.joules_per_token * 1e6 / 3.6e6 * 0.25) < 1e-9, t
        raises(llmroof.LlmroofError, cat.estimate, "pc-rtx-4090", "llama-3.1-8b", "Q4_K_M",
               electricity_price=-1)


@test
def error_band_from_python():
    # docs/api.md "Error band": the result's likely range and calibration
    # flags, an engine backend's bands by PlacementKind, as the tool shows them.
    import llmroof
    with open(os.path.join(DATA, "cli", "band.yaml")) as f:
        text = f.read()
    with llmroof.Catalog.builtin() as cat:
        # MLC on CUDA has no calibration row: the wide default, flagged.
        r = cat.estimate("pc-rtx-4090", "llama-3.2-3b", "F16", engine="mlc")
        assert r.band_kind is llmroof.PlacementKind.GPU and r.band_kind.label == "gpu"
        assert (r.decode_tps_lo, r.decode_tps_hi) == (r.decode_tps * 0.5, r.decode_tps * 1.5)
        assert (r.prefill_tps_lo, r.prefill_tps_hi) == (r.prefill_tps * 0.33,
                                                        r.prefill_tps * 2.0)
        assert r.flags & llmroof.ResultFlag.UNCALIBRATED
        assert not r.flags & (llmroof.ResultFlag.BAND_THIN | llmroof.ResultFlag.MOE_UNCALIBRATED)
        moe = cat.estimate("mac-studio-m3-ultra-256gb", "qwen3-30b-a3b", "F16", engine="mlc")
        assert moe.flags & llmroof.ResultFlag.MOE_UNCALIBRATED, moe.flags
        # The bundled llama.cpp CUDA band: the result is the speed times it.
        be = next(b for b in cat.get_engine("llama.cpp").backends if b.backend.label == "cuda")
        band = be.bands[llmroof.PlacementKind.GPU]
        assert band.decode_rows > 0 and band.decode_lo < band.decode_hi, band
        r = cat.estimate("pc-rtx-4090", "llama-3.1-8b", "Q4_K_M")
        assert (r.decode_tps_lo, r.decode_tps_hi) == (r.decode_tps * band.decode_lo,
                                                      r.decode_tps * band.decode_hi)

        cat.load_string(text, name="band.yaml")
        cuda = cat.get_engine("banded").backends[0]
        assert len(cuda.bands) == len(llmroof.PlacementKind) == 5
        gpu = cuda.bands[llmroof.PlacementKind.GPU]
        assert isinstance(gpu, llmroof.Band)
        assert (gpu.decode_lo, gpu.decode_hi, gpu.prefill_lo, gpu.prefill_hi) == (0.9, 1.1,
                                                                                 0.8, 1.25)
        assert (gpu.decode_rows, gpu.prefill_rows, gpu.sources, gpu.moe_rows) == (40, 30, 5, 3)
        assert cuda.bands[llmroof.PlacementKind.CPU] == llmroof.Band()
        r = cat.estimate("pc-rtx-4090", "llama-3.1-8b", "Q4_K_M", engine="banded")
        assert (r.decode_tps_lo, r.decode_tps_hi) == (r.decode_tps * 0.9, r.decode_tps * 1.1)
        assert not r.flags & llmroof.ResultFlag.UNCALIBRATED, r.flags
        j = run_cli("--catalog", os.path.join(DATA, "cli", "band.yaml"), "estimate", "--json",
                    "--system", "pc-rtx-4090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M",
                    "--engine", "banded", "--gpu-layers", "0")
        r = cat.estimate("pc-rtx-4090", "llama-3.1-8b", "Q4_K_M", engine="banded", gpu_layers=0)
        assert r.band_kind.label == j["band"]["kind"] == "cpu"
        assert [r.decode_tps_lo, r.decode_tps_hi] == j["band"]["decode"]
        assert [r.prefill_tps_lo, r.prefill_tps_hi] == j["band"]["prefill"]
        # band.yaml's engine lists no measured device: the CPU is unmeasured.
        assert r.flags == (llmroof.ResultFlag.BAND_THIN | llmroof.ResultFlag.UNCALIBRATED
                           | llmroof.ResultFlag.DEVICE_UNMEASURED), r.flags

        # Bands given in Python go through the library's rules.
        e = cat.get_engine("banded")
        e.id = "banded-2"
        e.backends[0].bands = [llmroof.Band(decode_lo=0.8, decode_hi=1.3, decode_rows=25,
                                            sources=4)]
        cat.add_engine(e)
        back = cat.get_engine("banded-2").backends[0].bands
        assert back[0].decode_hi == 1.3 and back[1:] == [llmroof.Band()] * 4, back
        e.id = "banded-3"
        e.backends[0].bands[0].decode_hi = 0.7
        err = raises(llmroof.LlmroofError, cat.add_engine, e)
        assert err.code == llmroof.Status.RANGE and "hi must be in [lo = 0.8, 100], got 0.7" in str(err), err
        e.backends[0].bands = [llmroof.Band()] * 6
        raises(ValueError, e.to_struct)


@test
def estimate_from_many_threads():
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        want = cat.estimate("pc-2x-rtx-4090", "llama-3-70b", "Q4_K_M", ctx=8192)
        results, errors = [], []

        def work():
            try:
                for _ in range(20):
                    results.append(cat.estimate("pc-2x-rtx-4090", "llama-3-70b", "Q4_K_M",
                                                ctx=8192))
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    assert len(results) == 160 and all(r == want for r in results)


# ---------------------------------------------------------------- (4) errors

BAD_KEY = "llmroof: 1\ndevices:\n  x:\n    name: X\n    bandwith: 1 GB/s\n"


@test
def yaml_errors_carry_code_file_line_column():
    import llmroof
    e = raises(llmroof.LlmroofError, llmroof.Catalog.from_string, BAD_KEY, name="mem.yaml")
    assert e.code is llmroof.Status.SCHEMA, repr(e)
    assert (e.file, e.line, e.column) == ("mem.yaml", 5, 5), repr(e)
    assert "did you mean" in e.message and "bandwidth" in e.message, e.message
    assert str(e) == "mem.yaml:5:5: " + e.message, str(e)
    assert isinstance(e, Exception) and e.args[0] is llmroof.Status.SCHEMA
    e = raises(llmroof.LlmroofError, llmroof.Catalog.from_string, "llmroof: 1\ndevices: [\n")
    assert e.code is llmroof.Status.SYNTAX and e.line >= 2, repr(e)
    e = raises(llmroof.LlmroofError, llmroof.Catalog.from_string, "llmroof: 99\n")
    assert e.code is llmroof.Status.VERSION, repr(e)
    path = os.path.join(DATA, "cli", "bad_unknown_key.yaml")
    e = raises(llmroof.LlmroofError, llmroof.Catalog.from_file, path)
    assert (e.code, e.file, e.line, e.column) == (llmroof.Status.SCHEMA, path, 8, 5), repr(e)
    assert str(e).startswith(path + ":8:5: "), str(e)
    e = raises(llmroof.LlmroofError, llmroof.Catalog.from_file, os.path.join(DATA, "nope.yaml"))
    assert e.code is llmroof.Status.IO and e.file.endswith("nope.yaml"), repr(e)


@test
def bad_fixtures_give_their_expected_errors():
    """tests/data/bad/NAME.yaml with NAME.expect ("LLMROOF_E_X line column"),
    as check_loader.c reads them: from a file and from memory."""
    import llmroof
    bad = os.path.join(DATA, "bad")
    names = sorted(n[:-5] for n in os.listdir(bad) if n.endswith(".yaml"))
    assert len(names) > 20, names
    with llmroof.Catalog() as cat:
        cat.add_link(llmroof.Link(id="pre-existing", bandwidth=1e9))
        for name in names:
            with open(os.path.join(bad, name + ".expect")) as f:
                code, line, column = f.read().split()
            want = (getattr(llmroof.Status, code[len("LLMROOF_E_"):]), int(line), int(column))
            path = os.path.join(bad, name + ".yaml")
            e = raises(llmroof.LlmroofError, cat.load_file, path)
            assert (e.code, e.line, e.column) == want and e.file == path, (name, repr(e), want)
            with open(path, "rb") as f:
                e2 = raises(llmroof.LlmroofError, cat.load_string, f.read(), name=name)
            assert (e2.code, e2.line, e2.column, e2.file) == want + (name,), (name, repr(e2))
            assert e2.message == e.message, (e.message, e2.message)
            assert sum(cat.counts().values()) == 1, (name, cat.counts())


@test
def lookup_errors():
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        e = raises(llmroof.LlmroofError, cat.estimate, "no-such-machine", "llama-3.1-8b",
                   "Q4_K_M")
        assert e.code is llmroof.Status.NOT_FOUND and "no-such-machine" in e.message, repr(e)
        assert (e.file, e.line, e.column) == ("", 0, 0) and str(e) == e.message, repr(e)
        e = raises(llmroof.LlmroofError, cat.get_model, "llama-9-1b")
        assert e.code is llmroof.Status.NOT_FOUND, repr(e)
        raises(ValueError, cat.ids, "widgets")
        # A failed load leaves the catalog as it was.
        before = cat.counts()
        raises(llmroof.LlmroofError, cat.load_string, BAD_KEY)
        e = raises(llmroof.LlmroofError, cat.load_builtin)
        assert e.code is llmroof.Status.DUPLICATE, repr(e)
        assert cat.counts() == before
        cat.load_builtin(override=True)
        assert cat.counts() == before


@test
def argument_types_are_checked():
    """Issue 14, item 11: Catalog.from_string(5) loaded five NUL bytes
    (bytes(5)) instead of raising TypeError, and ids(99) returned [] where
    99 is no section.  Text is a str or bytes-like; a section is a Section,
    its value, label or name; anything else raises."""
    import llmroof
    for bad in (5, 2.5, None, ["llmroof: 1"], object()):
        e = raises(TypeError, llmroof.Catalog.from_string, bad)
        assert "str or bytes" in str(e), (bad, e)
    with llmroof.Catalog.builtin() as cat:
        raises(TypeError, cat.load_string, 5)
        before = cat.counts()
        cat.load_string(bytearray(b"llmroof: 1\n"))  # bytes-like still loads
        cat.load_string(memoryview(b"llmroof: 1\n"))
        assert cat.counts() == before
        for bad in (99, -1, 7):
            for fn in (cat.ids, cat.count):
                e = raises(ValueError, fn, bad)
                assert "unknown Section %d" % bad in str(e), (fn, bad, e)
            raises(ValueError, cat.get, bad, "rtx-4090")
        raises(TypeError, cat.ids, 2.0)
        raises(TypeError, cat.ids, True)
        assert cat.ids(2) == cat.ids("systems") == cat.ids(llmroof.Section.SYSTEMS)
        assert cat.count(3) == cat.count("MODELS") > 0


@test
def asan_runtime_detection():
    """Issue 14, item 11: the binding refused a clang-ASan library even with
    clang's runtime preloaded (it looked for "libasan" only).  The runtime
    counts as loaded when /proc/self/maps maps gcc's libasan or clang's
    libclang_rt.asan (or __asan_init is visible in the process); checked
    here on fake maps, and on this process's own."""
    from llmroof import capi
    line = "7f2a4c000000-7f2a4c100000 r-xp 00000000 08:01 131 %s\n"
    clang = [line % p for p in (
        "/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.so",
        "/usr/lib/llvm-19/lib/clang/19/lib/x86_64-unknown-linux-gnu/libclang_rt.asan.so",
        "/opt/llvm/lib/libclang_rt.asan-aarch64.so (deleted)")]
    gcc = line % "/usr/lib/x86_64-linux-gnu/libasan.so.8.0.0"
    none = (line % "/usr/lib/x86_64-linux-gnu/libc.so.6" + line % "/home/libasan/notes.so"
            + line % "/usr/lib/libclang_rt.asan_static.a" + "7ffd rw-p 00000000 00:00 0 [stack]\n")
    for maps in clang + [gcc]:
        assert capi.asan_runtime_loaded(maps=none + maps), maps
    assert not capi.asan_runtime_loaded(maps=none)
    d = tempfile.mkdtemp(prefix="llmroof-asan-")
    try:
        lib, plain = os.path.join(d, "libasan-built.so"), os.path.join(d, "libplain.so")
        with open(lib, "wb") as f:
            f.write(b"\x7fELF...__asan_init...__asan_version_mismatch_check_v8")
        with open(plain, "wb") as f:
            f.write(b"\x7fELF...llmroof_estimate")
        for maps in clang + [gcc]:
            assert not capi.asan_preload_needed(lib, maps=maps), maps
        assert capi.asan_preload_needed(lib, maps=none)
        assert not capi.asan_preload_needed(plain, maps=none)
    finally:
        shutil.rmtree(d)
    # This process: an ASan runtime exactly when the test preloads one.
    preloaded = "asan" in os.environ.get("LD_PRELOAD", "")
    assert capi.asan_runtime_loaded() == preloaded, os.environ.get("LD_PRELOAD")


@test
def pick_matches_the_tool():
    """Catalog.pick() gives what `llmroof pick --format json` gives, and its
    llama_args are llmroof_pick_llama_args()'s."""
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        r = cat.pick("pc-2x-rtx-4090", "llama-3-70b", ctx=8192, min_decode_tps=5,
                     kv_types=["f16", "q8_0"])
        assert r.chosen >= 0 and r.closest == r.chosen, (r.chosen, r.closest)
        c = r.candidates[r.chosen]
        assert c.verdict is llmroof.Verdict.CHOSEN and c.decode_tps >= 5, c
        assert isinstance(r.request, llmroof.Request) and r.request.quant == c.quant
        assert isinstance(r.estimate, llmroof.Result)
        assert r.estimate.decode_tps == c.decode_tps
        tool = os.path.join(os.path.dirname(os.environ["LLMROOF_LIBRARY"]), "..", "examples",
                            "llmroof")
        if os.path.exists(tool):
            out = subprocess.run([tool, "pick", "--system", "pc-2x-rtx-4090", "--model",
                                  "llama-3-70b", "--ctx", "8192", "--kv", "f16,q8_0",
                                  "--format", "json"], capture_output=True, text=True).stdout
            j = json.loads(out)
            assert j["chosen"] == c.quant and j["llama_cpp_args"] == r.llama_args, (j, r)
        # Nothing meeting a target is an answer, not an exception.
        r = cat.pick("pc-rtx-4090", "llama-3.1-405b", min_decode_tps=50, no_offload=True)
        assert r.chosen == -1 and "to relax" in r.advice, r.advice
        raises(llmroof.LlmroofError, cat.pick, "pc-rtx-4090", "no-such-model")
        raises(TypeError, cat.pick, "pc-rtx-4090", "llama-3.1-8b", quant="Q4_K_M")


# ---------------------------------------------------------------- (5) lifetime

@test
def context_manager_closes():
    import llmroof
    with llmroof.Catalog.builtin() as cat:
        assert not cat.closed and cat.count("systems") > 0
    assert cat.closed
    raises(ValueError, cat.count, "systems")
    raises(ValueError, cat.estimate, "pc-rtx-4090", "llama-3.1-8b", "Q4_K_M")
    raises(ValueError, cat.load_builtin)
    raises(ValueError, cat.__enter__)
    cat.close()  # twice is fine
    assert "closed" in repr(cat)
    try:
        with llmroof.Catalog.builtin() as cat2:
            raise KeyError("boom")
    except KeyError:
        pass
    assert cat2.closed
    # Collected without close(): no crash, no exception.
    for _ in range(20):
        llmroof.Catalog.builtin()
    gc.collect()
    c = llmroof.Catalog()
    c.__del__()
    c.__del__()
    # A finalizer at interpreter exit is safe too.
    rc, out, err = run_python("import llmroof; c = llmroof.Catalog.builtin(); print('ok')")
    assert rc == 0 and out == "ok\n" and err == "", (rc, out, err)


# ---------------------------------------------------------------- (6) version, discovery

@test
def version_check():
    import llmroof
    from llmroof import capi
    lib = llmroof.library()
    assert lib.version_number // 10000 == capi.LLMROOF_VERSION_MAJOR == C_VALUES[
        "LLMROOF_VERSION_MAJOR"]
    assert lib.version_number == C_VALUES["LLMROOF_VERSION_NUMBER"]
    # A new minor version may add declarations: the binding must follow.
    assert capi.LLMROOF_VERSION_MINOR == C_VALUES["LLMROOF_VERSION_MINOR"], (
        "llmroof.h is %d.%d, lib/python/llmroof/capi.py mirrors %s" % (
            C_VALUES["LLMROOF_VERSION_MAJOR"], C_VALUES["LLMROOF_VERSION_MINOR"],
            capi.LLMROOF_VERSION_STRING))
    n = lib.version_number
    assert lib.version == "%d.%d.%d" % (n // 10000, n // 100 % 100, n % 100), lib.version
    assert llmroof.version() == lib.version
    capi.check_version(lib.version_number)
    e = raises(llmroof.LibraryError, capi.check_version, lib.version_number + 10000, "libx.so")
    assert "libx.so" in str(e) and "%d.x" % capi.LLMROOF_VERSION_MAJOR in str(e), str(e)
    e = raises(llmroof.LibraryError, capi.Library, lib.path,
               expected_major=capi.LLMROOF_VERSION_MAJOR + 1)
    assert lib.path in str(e), str(e)
    assert isinstance(e, ImportError)


@test
def library_discovery():
    # An explicit LLMROOF_LIBRARY that is wrong is an error, not a fallback.
    rc, out, err = run_python("import llmroof; llmroof.Catalog()",
                              LLMROOF_LIBRARY="/nonexistent/libllmroof.so")
    assert rc != 0 and "LibraryError" in err and "/nonexistent/libllmroof.so" in err, err
    # Importing needs no library: the mirror is plain Python.
    rc, out, err = run_python("import llmroof; print(llmroof.Fit.GPU)",
                              LLMROOF_LIBRARY="/nonexistent/libllmroof.so")
    assert rc == 0 and out == "gpu\n", (rc, out, err)
    # Next to the package: a copy of it in tree/lib/python/llmroof finds
    # tree/build/lib/libllmroof.so.MAJOR without any environment.
    import llmroof
    lib = llmroof.library()
    with tempfile.TemporaryDirectory() as tmp:
        pkg = os.path.join(tmp, "lib", "python", "llmroof")
        shutil.copytree(os.path.dirname(llmroof.__file__), pkg,
                        ignore=shutil.ignore_patterns("__pycache__"))
        os.makedirs(os.path.join(tmp, "build", "lib"))
        so = os.path.join(tmp, "build", "lib",
                          "libllmroof.so.%d" % llmroof.capi.LLMROOF_VERSION_MAJOR)
        shutil.copy(lib.path, so)
        rc, out, err = run_python("import llmroof; print(llmroof.library().path)",
                                  LLMROOF_LIBRARY=None,
                                  PYTHONPATH=os.path.join(tmp, "lib", "python"))
        assert rc == 0 and os.path.realpath(out.strip()) == os.path.realpath(so), (out, err)


# ---------------------------------------------------------------- main

def main(argv):
    global LAYOUT, LLMROOF, HEADER, DATA
    if len(argv) != 5:
        print("usage: test_python.py LAYOUT LLMROOF HEADER TESTS_DATA_DIR", file=sys.stderr)
        return 2
    LAYOUT, LLMROOF, HEADER, DATA = (os.path.abspath(a) for a in argv[1:])
    from llmroof import capi
    path = os.environ.get("LLMROOF_LIBRARY", "")
    if path and capi.asan_preload_needed(path):
        print("python: skipped: %s is an AddressSanitizer build; set LD_PRELOAD to libasan "
              "(docs/python.md)" % path)
        return 77
    read_layout()
    read_header()
    return runner.run(TESTS, 'python: ')


if __name__ == "__main__":
    sys.exit(main(sys.argv))
