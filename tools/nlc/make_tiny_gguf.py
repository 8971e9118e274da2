#!/usr/bin/env python3
"""Write a small, valid llama-architecture GGUF v3 file (Python stdlib only).

Random weights (uniform +-0.02, norms = 1.0), SentencePiece-style ("llama")
vocabulary: <unk>, <s>, </s>, the 256 byte tokens <0x00>..<0xFF>, then
filler tokens up to --vocab.  Good enough for llama.cpp to load the model,
allocate its buffers and decode (the output is gibberish, of course).

usage: make_tiny_gguf.py OUT.gguf [--layers 2] [--hidden 256] [--heads 4]
       [--kv-heads 2] [--ffn 512] [--vocab 320] [--ctx 2048] [--type f32|f16|q8_0|q4_0]
       [--tied]   (omit output.weight: llama.cpp then reuses token_embd)
       [--sparse] (write only the header and extend the file with a hole: the
                   weights read as zeros, the file takes no disk space; good for
                   llama.cpp memory numbers of big shapes, useless for speed)
"""
import argparse, math, random, struct, sys
from array import array

ALIGN = 32
# gguf value types
U32, I32, F32V, BOOL, STR, ARR, U64 = 4, 5, 6, 7, 8, 9, 10
GGML_F32, GGML_F16, GGML_Q4_0, GGML_Q8_0 = 0, 1, 2, 8
# ggml type, general.file_type, (block elements, block bytes)
TYPES = {'f32': (GGML_F32, 0, (1, 4)), 'f16': (GGML_F16, 1, (1, 2)),
         'q8_0': (GGML_Q8_0, 7, (32, 34)), 'q4_0': (GGML_Q4_0, 2, (32, 18))}


def s(x):
    b = x.encode()
    return struct.pack('<Q', len(b)) + b


def kv(key, typ, val):
    out = s(key) + struct.pack('<I', typ)
    if typ == STR:
        return out + s(val)
    if typ == U32:
        return out + struct.pack('<I', val)
    if typ == I32:
        return out + struct.pack('<i', val)
    if typ == F32V:
        return out + struct.pack('<f', val)
    if typ == BOOL:
        return out + struct.pack('<?', val)
    if typ == ARR:
        etyp, items = val
        out += struct.pack('<IQ', etyp, len(items))
        if etyp == STR:
            return out + b''.join(s(i) for i in items)
        if etyp == F32V:
            return out + struct.pack('<%df' % len(items), *items)
        if etyp == I32:
            return out + struct.pack('<%di' % len(items), *items)
    raise ValueError(typ)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--layers', type=int, default=2)
    ap.add_argument('--hidden', type=int, default=256)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--kv-heads', type=int, default=2)
    ap.add_argument('--ffn', type=int, default=512)
    ap.add_argument('--vocab', type=int, default=320)
    ap.add_argument('--ctx', type=int, default=2048)
    ap.add_argument('--type', choices=['f32', 'f16', 'q8_0', 'q4_0'], default='f32')
    ap.add_argument('--tied', action='store_true')
    ap.add_argument('--sparse', action='store_true')
    a = ap.parse_args()
    assert a.vocab >= 259 and a.hidden % a.heads == 0 and a.heads % a.kv_heads == 0
    head_dim = a.hidden // a.heads
    n_embd_gqa = head_dim * a.kv_heads

    # vocabulary
    toks = ['<unk>', '<s>', '</s>'] + ['<0x%02X>' % i for i in range(256)]
    ttypes = [2, 3, 3] + [6] * 256  # UNKNOWN, CONTROL, CONTROL, BYTE
    i = 0
    while len(toks) < a.vocab:
        toks.append('\u2581t%d' % i)
        ttypes.append(1)  # NORMAL
        i += 1
    scores = [0.0] * 3 + [0.0] * 256 + [-float(j) for j in range(len(toks) - 259)]

    meta = [
        kv('general.architecture', STR, 'llama'),
        kv('general.name', STR, 'llmroof-tiny'),
        kv('general.alignment', U32, ALIGN),
        kv('general.file_type', U32, TYPES[a.type][1]),
        kv('llama.context_length', U32, a.ctx),
        kv('llama.embedding_length', U32, a.hidden),
        kv('llama.block_count', U32, a.layers),
        kv('llama.feed_forward_length', U32, a.ffn),
        kv('llama.attention.head_count', U32, a.heads),
        kv('llama.attention.head_count_kv', U32, a.kv_heads),
        kv('llama.attention.layer_norm_rms_epsilon', F32V, 1e-5),
        kv('llama.rope.dimension_count', U32, head_dim),
        kv('llama.rope.freq_base', F32V, 10000.0),
        kv('llama.vocab_size', U32, a.vocab),
        kv('tokenizer.ggml.model', STR, 'llama'),
        kv('tokenizer.ggml.tokens', ARR, (STR, toks)),
        kv('tokenizer.ggml.scores', ARR, (F32V, scores)),
        kv('tokenizer.ggml.token_type', ARR, (I32, ttypes)),
        kv('tokenizer.ggml.unknown_token_id', U32, 0),
        kv('tokenizer.ggml.bos_token_id', U32, 1),
        kv('tokenizer.ggml.eos_token_id', U32, 2),
        kv('tokenizer.ggml.add_bos_token', BOOL, True),
    ]

    # tensors: (name, ggml dims ne0..., is_norm)
    H, F, V = a.hidden, a.ffn, a.vocab
    tensors = [('token_embd.weight', [H, V], False)]
    for l in range(a.layers):
        p = 'blk.%d.' % l
        tensors += [
            (p + 'attn_norm.weight', [H], True),
            (p + 'attn_q.weight', [H, H], False),
            (p + 'attn_k.weight', [H, n_embd_gqa], False),
            (p + 'attn_v.weight', [H, n_embd_gqa], False),
            (p + 'attn_output.weight', [H, H], False),
            (p + 'ffn_norm.weight', [H], True),
            (p + 'ffn_gate.weight', [H, F], False),
            (p + 'ffn_up.weight', [H, F], False),
            (p + 'ffn_down.weight', [F, H], False),
        ]
    tensors.append(('output_norm.weight', [H], True))
    if not a.tied:
        tensors.append(('output.weight', [H, V], False))

    def esize(dims, norm):
        n = 1
        for d in dims:
            n *= d
        # norms (1-D) stay F32 like convert_hf_to_gguf.py does
        if norm:
            return n * 4
        be, bb = TYPES[a.type][2]
        assert dims[0] % be == 0, dims
        return n // be * bb

    infos, off = [], 0
    for name, dims, norm in tensors:
        typ = GGML_F32 if norm else TYPES[a.type][0]
        infos.append(s(name) + struct.pack('<I', len(dims)) +
                     struct.pack('<%dQ' % len(dims), *dims) + struct.pack('<IQ', typ, off))
        off += esize(dims, norm)
        off = (off + ALIGN - 1) // ALIGN * ALIGN

    rnd = random.Random(1234)
    block_n = 1 << 16
    rf = [rnd.uniform(-0.02, 0.02) for _ in range(block_n)]
    blk32 = array('f', rf).tobytes()
    blk16 = struct.pack('<%de' % block_n, *rf)
    d = struct.pack('<e', 0.02 / 127)  # per-block scale; quants random
    blkq8 = b''.join(d + bytes(rnd.getrandbits(8) for _ in range(32)) for _ in range(2048))
    blkq4 = b''.join(d + bytes(rnd.getrandbits(8) for _ in range(16)) for _ in range(2048))
    blks = {'f32': blk32, 'f16': blk16, 'q8_0': blkq8, 'q4_0': blkq4}

    with open(a.out, 'wb') as f:
        f.write(b'GGUF' + struct.pack('<IQQ', 3, len(tensors), len(meta)))
        for m in meta:
            f.write(m)
        for t in infos:
            f.write(t)
        pad = (-f.tell()) % ALIGN
        f.write(b'\0' * pad)
        if a.sparse:
            f.truncate(f.tell() + off)
            tensors_to_write = []
        else:
            tensors_to_write = tensors
        for name, dims, norm in tensors_to_write:
            nbytes = esize(dims, norm)
            start = f.tell()
            if norm:
                n = nbytes // 4
                f.write(array('f', [1.0] * n).tobytes())
            else:
                blk = blks[a.type]
                left = nbytes
                while left > 0:
                    chunk = blk[:left]
                    f.write(chunk)
                    left -= len(chunk)
            f.write(b'\0' * ((-(f.tell() - start)) % ALIGN))
    nparams = sum(math.prod(d) for _, d, _n in tensors)
    print('%s: %d tensors, %d params, data %d bytes' % (a.out, len(tensors), nparams, off), file=sys.stderr)


if __name__ == '__main__':
    main()
