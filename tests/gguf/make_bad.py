#!/usr/bin/env python3
"""Write small malformed GGUF files for the reader's hostile-input tests.

    python3 tests/gguf/make_bad.py [--check] OUTDIR

--check also runs the self-test parser of make_gguf.py on every file and
fails unless it returns the code in the .expect file.

Each NAME.gguf gets a NAME.expect: line 1 is the llmroof status the reader
should return (one token), line 2 a "# ..." comment saying what is wrong and
why that code.  The codes are proposals; the reader's author decides.
Conventions used here:
  SYNTAX      the bytes are not a GGUF file: bad magic, truncated, a length
              or offset pointing past the end, bad UTF-8, unknown value type
  VERSION     a GGUF version other than 2 or 3
  LIMIT       a count or length beyond a fixed loader limit (checked before
              any allocation), nesting too deep
  RANGE       a number outside its allowed range: n_dims > 4, element count
              overflowing 64 bits, misaligned / overlapping tensor offsets,
              bad general.alignment, ne0 not a multiple of the block size
  DUPLICATE   a metadata key or tensor name given twice
  SCHEMA      a required key missing or of the wrong type
  UNSUPPORTED a well-formed file using a ggml type id we do not know
Also writes good.gguf (LLMROOF_OK), the control every bad file is cut from.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_gguf as G  # noqa: E402

ALIGN = 32


def s(x):
    return G.enc_str(x)


def kv(key, vtype, payload):
    """A raw KV: key, type tag, pre-encoded payload bytes."""
    return s(key) + struct.pack("<I", vtype) + payload


def kv_u32(key, v):
    return kv(key, G.UINT32, struct.pack("<I", v))


def kv_str(key, v):
    return kv(key, G.STRING, s(v))


BASE_KV = [kv_str("general.architecture", "llama"), kv_str("general.name", "bad"),
           kv_u32("llama.block_count", 1)]


def tinfo(name, dims, gtype, off):
    return (s(name) + struct.pack("<I", len(dims)) + struct.pack("<%dQ" % len(dims), *dims)
            + struct.pack("<IQ", gtype, off))


F32 = 0
GOOD_T = [("a.weight", [32, 2], F32, 0), ("b.weight", [32, 2], F32, 256)]


def build(kvs=None, tensors=None, version=3, n_kv=None, n_t=None, data_size=None,
          magic=b"GGUF"):
    kvs = BASE_KV if kvs is None else kvs
    tensors = GOOD_T if tensors is None else tensors
    b = magic + struct.pack("<IQQ", version, len(tensors) if n_t is None else n_t,
                            len(kvs) if n_kv is None else n_kv)
    b += b"".join(kvs)
    b += b"".join(tinfo(*t) for t in tensors)
    b += b"\0" * (G.align_up(len(b), ALIGN) - len(b))
    if data_size is None:
        data_size = 0
        for name, dims, gt, off in tensors:
            try:
                data_size = max(data_size, off + G.tensor_nbytes(dims, gt))
            except (KeyError, ValueError):
                pass
        data_size = G.align_up(data_size, ALIGN)
    return b + b"\0" * data_size


def nested_array(depth):
    """ARRAY of ARRAY ... of one UINT8, depth levels of ARRAY."""
    payload = struct.pack("<IQ", G.UINT8, 1) + b"\1"
    for _ in range(depth - 1):
        payload = struct.pack("<IQ", G.ARRAY, 1) + payload
    return payload


def cases():
    good = build()
    yield "good", good, "LLMROOF_OK", "well-formed v3 file, 3 KVs, 2 F32 tensors; the control"
    yield "empty", b"", "LLMROOF_E_SYNTAX", "zero-byte file"
    yield ("truncated_header", good[:12], "LLMROOF_E_SYNTAX",
           "file ends inside the 24-byte header (after magic+version+4 bytes)")
    yield ("truncated_kv", good[:40], "LLMROOF_E_SYNTAX",
           "file ends in the middle of the first metadata key")
    yield ("bad_magic", build(magic=b"GGUX"), "LLMROOF_E_SYNTAX",
           "magic is GGUX, not GGUF")
    yield ("ggml_magic", build(magic=b"lmgg"), "LLMROOF_E_SYNTAX",
           "pre-GGUF ggml/ggjt-style magic: not a GGUF file")
    yield ("version4", build(version=4), "LLMROOF_E_VERSION",
           "GGUF version 4 does not exist (2 and 3 are read)")
    yield ("version1", build(version=1), "LLMROOF_E_VERSION",
           "GGUF v1 (32-bit counts) is obsolete and not read")
    yield ("version_big_endian", build(version=3 << 24), "LLMROOF_E_VERSION",
           "version 3 written big-endian (0x03000000): a big-endian GGUF, not supported")
    yield ("tensor_count_huge", build(n_t=1 << 60), "LLMROOF_E_LIMIT",
           "tensor_count = 2^60: refuse before allocating (each info is >= 28 bytes)")
    yield ("kv_count_huge", build(n_kv=1 << 62), "LLMROOF_E_LIMIT",
           "metadata_kv_count = 2^62: refuse before allocating")
    yield ("key_len_2e32",
           build(kvs=[struct.pack("<Q", 1 << 32) + b"general.architecture"]),
           "LLMROOF_E_LIMIT", "a key of length 2^32: beyond any key-length limit")
    yield ("string_past_eof",
           build(kvs=BASE_KV + [kv("general.description", G.STRING,
                                   struct.pack("<Q", 1 << 20) + b"short")],
                 tensors=[], data_size=0),
           "LLMROOF_E_SYNTAX", "a string value claims 1 MiB, the file ends after 5 bytes")
    yield ("value_type_99", build(kvs=BASE_KV + [kv("x.y", 99, b"\0" * 8)]),
           "LLMROOF_E_SYNTAX", "metadata value type 99 (last known is 12 FLOAT64)")
    yield ("array_2e40",
           build(kvs=BASE_KV + [kv("tokenizer.ggml.scores", G.ARRAY,
                                   struct.pack("<IQ", G.UINT8, 1 << 40))]),
           "LLMROOF_E_LIMIT", "array of 2^40 UINT8 in a file of a few hundred bytes")
    yield ("array_nested_deep", build(kvs=BASE_KV + [kv("x.nested", G.ARRAY, nested_array(64))]),
           "LLMROOF_E_LIMIT", "arrays nested 64 deep (a reader may allow 2 or 3 levels)")
    yield ("array_of_type_99", build(kvs=BASE_KV + [kv("x.arr", G.ARRAY,
                                                       struct.pack("<IQ", 99, 1) + b"\0" * 8)]),
           "LLMROOF_E_SYNTAX", "array whose element type is 99")
    yield ("bool_value_2", build(kvs=BASE_KV + [kv("x.flag", G.BOOL, b"\2")]),
           "LLMROOF_E_SYNTAX", "a BOOL byte of 2 (only 0 and 1 are booleans)")
    yield ("key_bad_utf8",
           build(kvs=BASE_KV + [struct.pack("<Q", 4) + b"x.\xff\xfe"
                                + struct.pack("<I", G.UINT8) + b"\0"]),
           "LLMROOF_E_SYNTAX", "a metadata key that is not UTF-8 (bytes ff fe)")
    yield ("duplicate_key", build(kvs=BASE_KV + [kv_u32("llama.block_count", 2)]),
           "LLMROOF_E_DUPLICATE", "llama.block_count given twice (1, then 2)")
    yield ("duplicate_tensor", build(tensors=[("a.weight", [32, 2], F32, 0),
                                              ("a.weight", [32, 2], F32, 256)]),
           "LLMROOF_E_DUPLICATE", "tensor name a.weight given twice")
    yield ("no_architecture", build(kvs=[kv_str("general.name", "bad")]),
           "LLMROOF_E_SCHEMA", "general.architecture missing")
    yield ("architecture_not_string", build(kvs=[kv_u32("general.architecture", 7)] + BASE_KV[1:]),
           "LLMROOF_E_SCHEMA", "general.architecture is a UINT32, not a STRING")
    yield ("alignment_not_pow2", build(kvs=BASE_KV + [kv_u32("general.alignment", 24)]),
           "LLMROOF_E_RANGE", "general.alignment = 24, not a power of two")
    yield ("alignment_zero", build(kvs=BASE_KV + [kv_u32("general.alignment", 0)]),
           "LLMROOF_E_RANGE", "general.alignment = 0")
    yield ("n_dims_5", build(tensors=[("a.weight", [32, 1, 1, 1, 2], F32, 0)], data_size=256),
           "LLMROOF_E_RANGE", "a tensor with n_dims = 5 (GGML_MAX_DIMS is 4)")
    yield ("dims_overflow", build(tensors=[("a.weight", [1 << 32, 1 << 32, 1 << 8], F32, 0)],
                                  data_size=256),
           "LLMROOF_E_RANGE", "dims 2^32 x 2^32 x 2^8: element count overflows 64 bits")
    yield ("bytes_overflow", build(tensors=[("a.weight", [1 << 30, 1 << 30, 4], F32, 0)],
                                   data_size=256),
           "LLMROOF_E_RANGE", "2^62 F32 elements fit in 64 bits, their 2^64 bytes do not")
    yield ("ggml_type_200", build(tensors=[("a.weight", [32, 2], 200, 0)], data_size=256),
           "LLMROOF_E_UNSUPPORTED", "ggml type id 200 is not a known type (cannot be sized)")
    yield ("ggml_type_removed_4", build(tensors=[("a.weight", [32, 2], 4, 0)], data_size=256),
           "LLMROOF_E_UNSUPPORTED", "ggml type 4 (Q4_2, removed from ggml) has no size")
    yield ("ne0_not_block_multiple", build(tensors=[("a.weight", [100, 2], 12, 0)],
                                           data_size=256),
           "LLMROOF_E_RANGE", "Q4_K tensor with ne0 = 100, not a multiple of the 256-block")
    yield ("offset_past_eof", build(tensors=[("a.weight", [32, 2], F32, 0),
                                             ("b.weight", [32, 2], F32, 1 << 40)], data_size=256),
           "LLMROOF_E_SYNTAX", "second tensor at data offset 2^40: past the end of the file")
    yield ("data_truncated", build()[:-64],
           "LLMROOF_E_SYNTAX", "the last tensor's bytes run 64 bytes past the end of the file")
    yield ("offset_unaligned", build(tensors=[("a.weight", [32, 2], F32, 0),
                                              ("b.weight", [32, 2], F32, 260)], data_size=512),
           "LLMROOF_E_RANGE", "tensor offset 260 is not a multiple of the alignment 32")
    yield ("tensors_overlap", build(tensors=[("a.weight", [32, 2], F32, 0),
                                             ("b.weight", [32, 2], F32, 128)], data_size=512),
           "LLMROOF_E_RANGE", "b.weight at 128 overlaps a.weight at 0..256")


def check(path, code):
    """The code the self-test parser in make_gguf.py gives path, vs code."""
    try:
        G.parse_gguf(path)
        got = "LLMROOF_OK"
    except G.GGUFError as e:
        got = e.code
    return got == code, got


def main(argv):
    args = [a for a in argv[1:] if a != "--check"]
    if len(args) != 1:
        print("usage: make_bad.py [--check] OUTDIR", file=sys.stderr)
        return 2
    out = args[0]
    bad = 0
    os.makedirs(out, exist_ok=True)
    n = 0
    for name, data, code, why in cases():
        with open(os.path.join(out, name + ".gguf"), "wb") as f:
            f.write(data)
        with open(os.path.join(out, name + ".expect"), "w") as f:
            f.write("%s\n# %s\n" % (code, why))
        n += 1
        if "--check" in argv:
            ok, got = check(os.path.join(out, name + ".gguf"), code)
            if not ok:
                print("make_bad: %s: parser says %s, .expect says %s" % (name, got, code),
                      file=sys.stderr)
                bad += 1
    print("make_bad: %d files in %s%s" % (n, out, ", checked" if "--check" in argv else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
