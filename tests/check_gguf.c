/* The GGUF reader (docs/gguf.md) on files this test writes byte by byte:
 * a valid Llama-shaped header gives the right descriptor and the exact
 * bytes; every truncation and every hostile field is a clear error, never a
 * crash (run it under the sanitizers and valgrind). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "llmroof/llmroof.h"

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *x, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        ck_assert_ptr_nonnull(b->p);
    }
    memcpy(b->p + b->n, x, n);
    b->n += n;
}

static void u32(buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(b, x, 4);
}

static void u64(buf *b, uint64_t v)
{
    u32(b, (uint32_t)v);
    u32(b, (uint32_t)(v >> 32));
}

static void str(buf *b, const char *s)
{
    u64(b, strlen(s));
    put(b, s, strlen(s));
}

static void kv_u32(buf *b, const char *k, uint32_t v)
{
    str(b, k);
    u32(b, 4);
    u32(b, v);
}

static void kv_str(buf *b, const char *k, const char *v)
{
    str(b, k);
    u32(b, 8);
    str(b, v);
}

/* One tensor info: name, dims, ggml type, offset. */
static void tensor(buf *b, const char *name, uint32_t nd, const uint64_t *dims, uint32_t type,
                   uint64_t off)
{
    str(b, name);
    u32(b, nd);
    for (uint32_t i = 0; i < nd; i++)
        u64(b, dims[i]);
    u32(b, type);
    u64(b, off);
}

/* A small Llama-shaped model: 2 layers, d 256, 4 heads (2 KV), ffn 512,
 * vocab 1000 (F16 matrices, F32 norms); the header and a file of the right
 * size (tensor data as a hole). */
#define D 256
#define FFN 512
#define VOCAB 1000
#define LAYERS 2
#define KVD 128

typedef struct model_file {
    buf b;
    uint64_t data_bytes;
    uint64_t tensor_bytes;
    double params;
} model_file;

static uint64_t add_tensor(model_file *f, const char *name, uint32_t nd, const uint64_t *dims,
                           uint32_t type)
{
    uint64_t n = 1;
    for (uint32_t i = 0; i < nd; i++)
        n *= dims[i];
    uint64_t bytes = n * (type == 0 ? 4 : 2);
    tensor(&f->b, name, nd, dims, type, f->data_bytes);
    f->data_bytes += (bytes + 31) / 32 * 32;
    f->tensor_bytes += bytes;
    f->params += (double)n;
    return bytes;
}

static void llama_file(model_file *f, const char *arch, int tied, int with_arch_keys)
{
    memset(f, 0, sizeof *f);
    buf *b = &f->b;
    put(b, "GGUF", 4);
    u32(b, 3);
    uint32_t nt = 1 + LAYERS * 9 + 1 + (tied ? 0 : 1);
    u64(b, nt);
    u64(b, with_arch_keys ? 9 : 3);
    kv_str(b, "general.architecture", arch);
    kv_str(b, "general.name", "test model");
    kv_u32(b, "general.file_type", 1);
    if (with_arch_keys) {
        char k[96];
#define K(suffix, v)                                                                            \
    snprintf(k, sizeof k, "%s." suffix, arch);                                                  \
    kv_u32(b, k, v)
        K("block_count", LAYERS);
        K("embedding_length", D);
        K("feed_forward_length", FFN);
        K("attention.head_count", 4);
        K("attention.head_count_kv", 2);
        K("context_length", 4096);
#undef K
    }
    uint64_t e[2] = {D, VOCAB};
    add_tensor(f, "token_embd.weight", 2, e, 1);
    for (int l = 0; l < LAYERS; l++) {
        char n[64];
        uint64_t norm[1] = {D}, q[2] = {D, D}, kv[2] = {D, KVD}, up[2] = {D, FFN}, down[2] = {FFN, D};
#define T(name, nd, dims, type)                                                                 \
    snprintf(n, sizeof n, "blk.%d." name, l);                                                   \
    add_tensor(f, n, nd, dims, type)
        T("attn_norm.weight", 1, norm, 0);
        T("attn_q.weight", 2, q, 1);
        T("attn_k.weight", 2, kv, 1);
        T("attn_v.weight", 2, kv, 1);
        T("attn_output.weight", 2, q, 1);
        T("ffn_norm.weight", 1, norm, 0);
        T("ffn_gate.weight", 2, up, 1);
        T("ffn_up.weight", 2, up, 1);
        T("ffn_down.weight", 2, down, 1);
#undef T
    }
    uint64_t norm[1] = {D};
    add_tensor(f, "output_norm.weight", 1, norm, 0);
    if (!tied)
        add_tensor(f, "output.weight", 2, e, 1);
}

static char dir[64];

static void setup(void)
{
    strcpy(dir, "/tmp/llmroof-gguf-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes the header bytes [0, n) and pads the file to `total` bytes. */
static const char *write_file(const char *name, const buf *b, size_t n, uint64_t total)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b->p, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    if (total > n)
        ck_assert_int_eq(truncate(path, (off_t)total), 0);
    return path;
}

static uint64_t full_size(const model_file *f)
{
    return (f->b.n + 31) / 32 * 32 + f->data_bytes;
}

static llmroof_status read_gguf(const char *path, llmroof_model *m, llmroof_quant *q,
                                llmroof_gguf_info *i, llmroof_error *e)
{
    llmroof_model_init(m);
    llmroof_quant_init(q);
    llmroof_gguf_info_init(i);
    llmroof_error_init(e);
    return llmroof_model_from_gguf(path, m, q, i, e);
}

START_TEST(valid_llama_header)
{
    model_file f;
    llama_file(&f, "llama", 0, 1);
    const char *path = write_file("tiny-llama.gguf", &f.b, f.b.n, full_size(&f));
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info i;
    llmroof_error e;
    ck_assert_msg(read_gguf(path, &m, &q, &i, &e) == LLMROOF_OK, "%s", e.message);
    ck_assert_str_eq(m.id, "tiny-llama");
    ck_assert_str_eq(i.architecture, "llama");
    ck_assert(i.derived & LLMROOF_GGUF_SHAPES);
    ck_assert_str_eq(i.note, "");
    ck_assert_uint_eq(m.layers, LAYERS);
    ck_assert_uint_eq(m.hidden, D);
    ck_assert_uint_eq(m.ffn, FFN);
    ck_assert_uint_eq(m.heads, 4);
    ck_assert_uint_eq(m.kv_heads, 2);
    ck_assert_uint_eq(m.head_dim, 64);
    ck_assert_uint_eq(m.vocab, VOCAB);
    ck_assert_uint_eq(m.context, 4096);
    ck_assert_uint_eq(m.tied_embeddings, 0);
    ck_assert(m.params == f.params);
    ck_assert_uint_eq(i.tensor_bytes, f.tensor_bytes);
    ck_assert_uint_eq(i.tensor_count, 1 + LAYERS * 9 + 2);
    ck_assert_uint_eq(i.embed_bytes, (uint64_t)D * VOCAB * 2);
    ck_assert_uint_eq(i.output_bytes, (uint64_t)D * VOCAB * 2);
    ck_assert_str_eq(q.id, "tiny-llama.F16");
    ck_assert_str_eq(q.kernel, "f16");
    ck_assert_str_eq(q.format, "gguf");
    ck_assert(q.embed_bpw == 16 && q.output_bpw == 16);
    ck_assert(q.bpw > 16 && q.bpw < 16.1); /* f32 norms inside the blocks */
    /* The descriptors go into a catalog and estimate with exact bytes. */
    llmroof_catalog *cat;
    ck_assert_int_eq(llmroof_catalog_new(&cat, NULL), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_load_builtin(cat, 0, NULL), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_add_model(cat, &m, 0, &e), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_add_quant(cat, &q, 0, &e), LLMROOF_OK);
    llmroof_request r;
    llmroof_request_init(&r);
    strcpy(r.system, "pc-rtx-4090");
    strcpy(r.model, m.id);
    strcpy(r.quant, q.id);
    llmroof_result res;
    llmroof_result_init(&res);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_OK);
    double diff = (double)res.weights - (double)f.tensor_bytes;
    ck_assert_msg(diff > -(double)f.tensor_bytes * 0.001 && diff < (double)f.tensor_bytes * 0.001,
                  "weights %llu vs file %llu", (unsigned long long)res.weights,
                  (unsigned long long)f.tensor_bytes);
    llmroof_catalog_free(cat);
    free(f.b.p);
}
END_TEST

/* No output tensor: tied embeddings.  An unknown architecture without the
 * shape keys: exact bytes, no shapes, a note saying so. */
START_TEST(tied_and_unknown_architecture)
{
    model_file f;
    llama_file(&f, "llama", 1, 1);
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info i;
    llmroof_error e;
    const char *path = write_file("tied.gguf", &f.b, f.b.n, full_size(&f));
    ck_assert_int_eq(read_gguf(path, &m, &q, &i, &e), LLMROOF_OK);
    ck_assert_uint_eq(m.tied_embeddings, 1);
    ck_assert_uint_eq(i.output_bytes, 0);
    free(f.b.p);
    llama_file(&f, "mystery9", 0, 0);
    path = write_file("mystery.gguf", &f.b, f.b.n, full_size(&f));
    ck_assert_int_eq(read_gguf(path, &m, &q, &i, &e), LLMROOF_OK);
    ck_assert(!(i.derived & LLMROOF_GGUF_SHAPES));
    ck_assert_uint_eq(i.tensor_bytes, f.tensor_bytes);
    ck_assert_ptr_nonnull(strstr(i.note, "mystery9"));
    ck_assert_ptr_nonnull(strstr(i.note, "exact weight bytes"));
    free(f.b.p);
}
END_TEST

/* Every prefix of a valid header is a clean error. */
START_TEST(every_truncation_is_an_error)
{
    model_file f;
    llama_file(&f, "llama", 0, 1);
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info i;
    llmroof_error e;
    for (size_t n = 0; n < f.b.n; n++) {
        const char *path = write_file("cut.gguf", &f.b, n, n);
        llmroof_status st = read_gguf(path, &m, &q, &i, &e);
        ck_assert_msg(st == LLMROOF_E_SYNTAX || st == LLMROOF_E_RANGE,
                      "a %zu-byte prefix: status %d (%s)", n, st, e.message);
        ck_assert_str_ne(e.message, "");
    }
    /* Header whole, data short: the last tensor runs past the end. */
    const char *path = write_file("short.gguf", &f.b, f.b.n, full_size(&f) - 1);
    ck_assert_int_eq(read_gguf(path, &m, &q, &i, &e), LLMROOF_E_RANGE);
    ck_assert_ptr_nonnull(strstr(e.message, "past the end"));
    free(f.b.p);
}
END_TEST

/* Hostile headers, each with the error it must give. */
static llmroof_status hostile(const char *name, buf *b, uint64_t total, llmroof_error *e)
{
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info i;
    const char *path = write_file(name, b, b->n, total > b->n ? total : b->n);
    llmroof_status st = read_gguf(path, &m, &q, &i, e);
    free(b->p);
    memset(b, 0, sizeof *b);
    return st;
}

static void head(buf *b, uint32_t version, uint64_t nt, uint64_t nk)
{
    put(b, "GGUF", 4);
    u32(b, version);
    u64(b, nt);
    u64(b, nk);
}

START_TEST(hostile_headers)
{
    buf b = {0};
    llmroof_error e;
    put(&b, "GGML", 4);
    u32(&b, 3);
    ck_assert_int_eq(hostile("magic.gguf", &b, 0, &e), LLMROOF_E_SYNTAX);
    head(&b, 4, 0, 0);
    ck_assert_int_eq(hostile("version.gguf", &b, 0, &e), LLMROOF_E_VERSION);
    head(&b, 3, 1ull << 60, 0);
    ck_assert_int_eq(hostile("tensors.gguf", &b, 0, &e), LLMROOF_E_LIMIT);
    head(&b, 3, 0, 1ull << 40);
    ck_assert_int_eq(hostile("keys.gguf", &b, 0, &e), LLMROOF_E_LIMIT);
    head(&b, 3, 0, 1);
    u64(&b, 1ull << 32); /* a 4 GiB key */
    ck_assert_int_eq(hostile("keylen.gguf", &b, 0, &e), LLMROOF_E_LIMIT);
    head(&b, 3, 0, 1);
    str(&b, "general.name");
    u32(&b, 8);
    u64(&b, 1000); /* a string longer than the file */
    ck_assert_int_eq(hostile("strlen.gguf", &b, 0, &e), LLMROOF_E_SYNTAX);
    head(&b, 3, 0, 1);
    str(&b, "x.y");
    u32(&b, 99);
    ck_assert_int_eq(hostile("vtype.gguf", &b, 0, &e), LLMROOF_E_UNSUPPORTED);
    head(&b, 3, 0, 1);
    str(&b, "tokenizer.ggml.tokens");
    u32(&b, 9);
    u32(&b, 8);
    u64(&b, 1ull << 40);
    ck_assert_int_eq(hostile("array.gguf", &b, 0, &e), LLMROOF_E_SYNTAX);
    head(&b, 3, 0, 1);
    str(&b, "x.nested");
    u32(&b, 9);
    u32(&b, 9);
    u64(&b, 1);
    ck_assert_int_eq(hostile("nested.gguf", &b, 0, &e), LLMROOF_E_UNSUPPORTED);
    head(&b, 3, 0, 2);
    kv_u32(&b, "general.file_type", 1);
    kv_u32(&b, "general.file_type", 2);
    ck_assert_int_eq(hostile("dupkey.gguf", &b, 0, &e), LLMROOF_E_DUPLICATE);
    ck_assert_ptr_nonnull(strstr(e.message, "general.file_type"));
    uint64_t d2[2] = {32, 4};
    head(&b, 3, 2, 0);
    tensor(&b, "a.weight", 2, d2, 0, 0);
    tensor(&b, "a.weight", 2, d2, 0, 512);
    ck_assert_int_eq(hostile("duptensor.gguf", &b, 4096, &e), LLMROOF_E_DUPLICATE);
    uint64_t d5[5] = {1, 1, 1, 1, 1};
    head(&b, 3, 1, 0);
    tensor(&b, "a.weight", 5, d5, 0, 0);
    ck_assert_int_eq(hostile("ndims.gguf", &b, 4096, &e), LLMROOF_E_RANGE);
    uint64_t big[4] = {1ull << 40, 1ull << 40, 1ull << 40, 1ull << 40};
    head(&b, 3, 1, 0);
    tensor(&b, "a.weight", 4, big, 0, 0);
    ck_assert_int_eq(hostile("overflow.gguf", &b, 4096, &e), LLMROOF_E_RANGE);
    head(&b, 3, 1, 0);
    tensor(&b, "a.weight", 2, d2, 200, 0);
    ck_assert_int_eq(hostile("ggmltype.gguf", &b, 4096, &e), LLMROOF_E_UNSUPPORTED);
    head(&b, 3, 1, 0);
    tensor(&b, "a.weight", 2, d2, 0, 1ull << 50);
    ck_assert_int_eq(hostile("offset.gguf", &b, 4096, &e), LLMROOF_E_RANGE);
    head(&b, 3, 1, 0);
    tensor(&b, "a.weight", 2, d2, 0, 7);
    ck_assert_int_eq(hostile("align.gguf", &b, 4096, &e), LLMROOF_E_SCHEMA);
    head(&b, 3, 2, 0);
    tensor(&b, "a.weight", 2, d2, 0, 0);
    tensor(&b, "b.weight", 2, d2, 0, 256); /* a is 512 bytes: they overlap */
    ck_assert_int_eq(hostile("overlap.gguf", &b, 4096, &e), LLMROOF_E_RANGE);
    uint64_t odd[2] = {33, 2};
    head(&b, 3, 1, 0);
    tensor(&b, "a.weight", 2, odd, 8, 0); /* q8_0 rows are whole blocks of 32 */
    ck_assert_int_eq(hostile("blocks.gguf", &b, 4096, &e), LLMROOF_E_SCHEMA);
    head(&b, 3, 0, 1);
    kv_u32(&b, "general.alignment", 48);
    ck_assert_int_eq(hostile("alignment.gguf", &b, 0, &e), LLMROOF_E_RANGE);
    /* Not files. */
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info i;
    ck_assert_int_eq(read_gguf("/dev/zero", &m, &q, &i, &e), LLMROOF_E_IO);
    ck_assert_int_eq(read_gguf(dir, &m, &q, &i, &e), LLMROOF_E_IO);
    ck_assert_int_eq(read_gguf("/no/such/file.gguf", &m, &q, &i, &e), LLMROOF_E_IO);
    ck_assert_int_eq(llmroof_model_from_gguf(NULL, NULL, NULL, NULL, NULL),
                     LLMROOF_E_INVALID_ARGUMENT);
    m.size = 1;
    ck_assert_int_eq(llmroof_model_from_gguf("/dev/null", &m, NULL, NULL, NULL),
                     LLMROOF_E_INVALID_ARGUMENT);
}
END_TEST

/* A metadata value of any type: key, type tag, the value's bytes. */
static void kv_raw(buf *b, const char *k, uint32_t type, const void *v, size_t n)
{
    str(b, k);
    u32(b, type);
    put(b, v, n);
}

/* An array of 4-byte elements of type et. */
static void kv_arr32(buf *b, const char *k, uint32_t et, const uint32_t *v, uint64_t n)
{
    str(b, k);
    u32(b, 9);
    u32(b, et);
    u64(b, n);
    for (uint64_t i = 0; i < n; i++)
        u32(b, v[i]);
}

/* Issue 14, item 3: a key read as a whole number (the shape keys,
 * general.alignment, general.file_type, split.count) that is present but
 * not a whole number -- a string, a boolean, a float, an array where one
 * number belongs, a negative or a value above 2^32 - 1 -- is an error
 * naming the key, never a default or a silently wrong number.  Absent keys
 * keep their defaults; per-layer arrays of whole numbers still read. */
START_TEST(malformed_integer_keys)
{
    static const struct {
        const char *key;
        uint32_t type;
        const char *bytes;
        size_t n;
        llmroof_status status;
        const char *says;
    } cases[] = {
        {"llama.block_count", 8, "\x02\0\0\0\0\0\0\0" "32", 10, LLMROOF_E_SCHEMA, "a string"},
        {"llama.block_count", 7, "\x01", 1, LLMROOF_E_SCHEMA, "a boolean"},
        {"llama.embedding_length", 6, "\0\0\x80\x45", 4, LLMROOF_E_SCHEMA, "a float32 (4096)"},
        {"llama.feed_forward_length", 12, "\0\0\0\0\0\0\x04\xc0", 8, LLMROOF_E_SCHEMA,
         "a float64 (-2.5)"},
        {"llama.attention.head_count", 5, "\xf8\xff\xff\xff", 4, LLMROOF_E_RANGE,
         "a negative number (-8)"},
        {"llama.attention.head_count_kv", 1, "\xff", 1, LLMROOF_E_RANGE, "a negative number (-1)"},
        {"llama.attention.key_length", 11, "\0\0\0\0\0\0\0\x80", 8, LLMROOF_E_RANGE,
         "negative"},
        {"llama.attention.value_length", 10, "\0\0\0\0\x01\0\0\0", 8, LLMROOF_E_RANGE,
         "4294967296, above 4294967295"},
        {"llama.context_length", 8, "\x04\0\0\0\0\0\0\0" "4096", 12, LLMROOF_E_SCHEMA,
         "a string"},
        {"llama.expert_count", 7, "\0", 1, LLMROOF_E_SCHEMA, "a boolean"},
        {"llama.expert_used_count", 3, "\xfe\xff", 2, LLMROOF_E_RANGE, "a negative number (-2)"},
        {"llama.attention.sliding_window", 6, "\0\0\0\x3f", 4, LLMROOF_E_SCHEMA, "float32"},
        {"llama.attention.kv_lora_rank", 8, "\0\0\0\0\0\0\0\0", 8, LLMROOF_E_SCHEMA,
         "a string"},
        {"general.alignment", 8, "\x02\0\0\0\0\0\0\0" "64", 10, LLMROOF_E_SCHEMA, "a string"},
        {"general.alignment", 6, "\0\0\0\x42", 4, LLMROOF_E_SCHEMA, "a float32 (32)"},
        {"general.alignment", 5, "\xe0\xff\xff\xff", 4, LLMROOF_E_RANGE, "a negative number (-32)"},
        {"general.alignment", 9, "\x04\0\0\0\x01\0\0\0\0\0\0\0\x20\0\0\0", 16,
         LLMROOF_E_SCHEMA, "an array"},
        {"general.file_type", 8, "\x01\0\0\0\0\0\0\0" "7", 9, LLMROOF_E_SCHEMA, "a string"},
        {"general.file_type", 10, "\0\0\0\0\x01\0\0\0", 8, LLMROOF_E_RANGE, "above"},
        {"split.count", 8, "\x01\0\0\0\0\0\0\0" "2", 9, LLMROOF_E_SCHEMA, "a string"},
        {"split.count", 7, "\x01", 1, LLMROOF_E_SCHEMA, "a boolean"},
    };
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info i;
    llmroof_error e;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        /* After the architecture, and before it (a key is checked when the
         * metadata is whole and the architecture known). */
        for (int before = 0; before < 2; before++) {
            buf b = {0};
            head(&b, 3, 0, 3);
            if (!before)
                kv_str(&b, "general.architecture", "llama");
            kv_u32(&b, "general.quantization_version", 2);
            kv_raw(&b, cases[k].key, cases[k].type, cases[k].bytes, cases[k].n);
            if (before)
                kv_str(&b, "general.architecture", "llama");
            const char *path = write_file("int.gguf", &b, b.n, b.n);
            llmroof_status st = read_gguf(path, &m, &q, &i, &e);
            ck_assert_msg(st == cases[k].status, "%s (%s): status %s, want %s: %s", cases[k].key,
                          cases[k].says, llmroof_status_string(st),
                          llmroof_status_string(cases[k].status), e.message);
            char want[96];
            snprintf(want, sizeof want, "key '%s'", cases[k].key);
            ck_assert_msg(strstr(e.message, want) && strstr(e.message, cases[k].says),
                          "message '%s' lacks \"%s\" or \"%s\"", e.message, want, cases[k].says);
            ck_assert_str_eq(e.file, path);
            ck_assert_uint_gt(e.column, 0);
            free(b.p);
        }
    }
    /* Per-layer arrays of whole numbers (a hybrid model's KV heads, 0 on
     * its recurrent layers) and any integer width still read; an array
     * with a negative, a string or a float in it does not. */
    buf b = {0};
    const uint32_t kv[4] = {0, 8, 0, 8};
    head(&b, 3, 0, 5);
    kv_str(&b, "general.architecture", "llama");
    kv_arr32(&b, "llama.attention.head_count_kv", 5, kv, 4);
    kv_raw(&b, "llama.attention.head_count", 3, "\x20\0", 2);
    kv_raw(&b, "llama.block_count", 10, "\x04\0\0\0\0\0\0\0", 8);
    kv_raw(&b, "qwen2.block_count", 8, "\x01\0\0\0\0\0\0\0" "x", 9); /* not this file's */
    const char *path = write_file("hybrid.gguf", &b, b.n, b.n);
    ck_assert_msg(read_gguf(path, &m, &q, &i, &e) == LLMROOF_OK, "%s", e.message);
    ck_assert_uint_eq(m.kv_heads, 8);
    ck_assert_uint_eq(m.heads, 32);
    ck_assert_uint_eq(m.layers, 4);
    free(b.p);
    static const struct {
        uint32_t et;
        uint32_t v[2];
        llmroof_status status;
        const char *says;
    } arrays[] = {
        {5, {8, 0xffffffffu}, LLMROOF_E_RANGE, "a negative number (-1)"},
        {6, {0x41000000u, 0}, LLMROOF_E_SCHEMA, "float32 (8)"},
        {7, {1, 0}, LLMROOF_E_SCHEMA, "boolean"},
    };
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) {
        memset(&b, 0, sizeof b);
        head(&b, 3, 0, 2);
        kv_str(&b, "general.architecture", "llama");
        if (arrays[k].et == 7) { /* booleans are one byte each */
            str(&b, "llama.attention.head_count_kv");
            u32(&b, 9);
            u32(&b, 7);
            u64(&b, 2);
            put(&b, "\x01\x00", 2);
        } else {
            kv_arr32(&b, "llama.attention.head_count_kv", arrays[k].et, arrays[k].v, 2);
        }
        path = write_file("badarr.gguf", &b, b.n, b.n);
        ck_assert_int_eq(read_gguf(path, &m, &q, &i, &e), arrays[k].status);
        ck_assert_msg(strstr(e.message, "key 'llama.attention.head_count_kv'") &&
                      strstr(e.message, arrays[k].says), "%s", e.message);
        free(b.p);
    }
    memset(&b, 0, sizeof b);
    head(&b, 3, 0, 2);
    kv_str(&b, "general.architecture", "llama");
    str(&b, "llama.attention.head_count_kv");
    u32(&b, 9);
    u32(&b, 8);
    u64(&b, 1);
    str(&b, "8");
    path = write_file("strarr.gguf", &b, b.n, b.n);
    ck_assert_int_eq(read_gguf(path, &m, &q, &i, &e), LLMROOF_E_SCHEMA);
    ck_assert_msg(strstr(e.message, "key 'llama.attention.head_count_kv'") &&
                  strstr(e.message, "an array of strings"), "%s", e.message);
    free(b.p);
}
END_TEST

/* Issue 14, item 7: metadata keys up to the documented 65,535 bytes read
 * (keys from 256 bytes on were "not UTF-8 text", and two sharing their
 * first 255 bytes were one key given twice); a key or a tensor name with a
 * NUL byte in it is an error of its own (names that differed only after
 * the NUL were "given twice"). */
START_TEST(long_keys_and_nul_bytes)
{
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info i;
    llmroof_error e;
    char *k = malloc(65537);
    ck_assert_ptr_nonnull(k);
    buf b = {0};
    head(&b, 3, 0, 4);
    kv_str(&b, "general.architecture", "llama");
    memset(k, 'a', 300);
    memcpy(k, "x.", 2);
    k[299] = '1';
    k[300] = '\0';
    kv_u32(&b, k, 1);
    k[299] = '2'; /* the same 299 bytes, then another */
    kv_u32(&b, k, 2);
    memset(k, 'b', 65535);
    k[65535] = '\0';
    kv_u32(&b, k, 3);
    const char *path = write_file("long.gguf", &b, b.n, b.n);
    ck_assert_msg(read_gguf(path, &m, &q, &i, &e) == LLMROOF_OK, "%s", e.message);
    ck_assert_uint_eq(i.metadata_count, 4);
    free(b.p);
    /* The same long key twice is still a duplicate. */
    memset(&b, 0, sizeof b);
    head(&b, 3, 0, 2);
    k[300] = '\0';
    kv_u32(&b, k, 1);
    kv_u32(&b, k, 2);
    ck_assert_int_eq(hostile("longdup.gguf", &b, 0, &e), LLMROOF_E_DUPLICATE);
    ck_assert_ptr_nonnull(strstr(e.message, "given twice"));
    /* One byte more than the limit. */
    memset(k, 'b', 65536);
    k[65536] = '\0';
    head(&b, 3, 0, 1);
    kv_u32(&b, k, 3);
    ck_assert_int_eq(hostile("toolong.gguf", &b, 0, &e), LLMROOF_E_LIMIT);
    ck_assert_ptr_nonnull(strstr(e.message, "65536 bytes (at most 65535)"));
    free(k);
    /* A NUL inside a key. */
    head(&b, 3, 0, 1);
    u64(&b, 5);
    put(&b, "x.a\0b", 5);
    u32(&b, 4);
    u32(&b, 1);
    ck_assert_int_eq(hostile("nulkey.gguf", &b, 0, &e), LLMROOF_E_SYNTAX);
    ck_assert_msg(strstr(e.message, "NUL byte") && strstr(e.message, "'x.a'"), "%s", e.message);
    /* Tensor names that differ only after a NUL. */
    uint64_t d2[2] = {32, 4};
    head(&b, 3, 2, 0);
    const char *names[2] = {"a.weight\0x", "a.weight\0y"};
    for (int t = 0; t < 2; t++) {
        u64(&b, 10);
        put(&b, names[t], 10);
        u32(&b, 2);
        u64(&b, d2[0]);
        u64(&b, d2[1]);
        u32(&b, 0);
        u64(&b, (uint64_t)t * 512);
    }
    ck_assert_int_eq(hostile("nultensor.gguf", &b, 4096, &e), LLMROOF_E_SYNTAX);
    ck_assert_msg(strstr(e.message, "NUL byte") && strstr(e.message, "'a.weight'"), "%s",
                  e.message);
}
END_TEST

/* Issue 14, item 7: a later part's split.count replaced the first's (a
 * part saying 4294967295 sent the reader after a file name cut short); a
 * part that disagrees with the first is an error naming both counts. */
START_TEST(split_parts_disagree)
{
    buf a = {0}, b2 = {0};
    uint64_t d[2] = {64, 64};
    head(&a, 3, 1, 2);
    kv_str(&a, "general.architecture", "llama");
    str(&a, "split.count");
    u32(&a, 2);
    put(&a, "\x02\x00", 2);
    tensor(&a, "token_embd.weight", 2, d, 0, 0);
    head(&b2, 3, 1, 1);
    kv_u32(&b2, "split.count", 4294967295u);
    tensor(&b2, "output.weight", 2, d, 1, 0);
    const char *later = write_file("m-00002-of-00002.gguf", &b2, b2.n, 4096 * 3);
    char second[160];
    snprintf(second, sizeof second, "%s", later);
    const char *path = write_file("m-00001-of-00002.gguf", &a, a.n, 4096 * 5);
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info i;
    llmroof_error e;
    ck_assert_int_eq(read_gguf(path, &m, &q, &i, &e), LLMROOF_E_SCHEMA);
    ck_assert_str_eq(e.file, second);
    ck_assert_msg(strstr(e.message, "split.count 4294967295") && strstr(e.message, "2 in") &&
                  strstr(e.message, "m-00001-of-00002.gguf"), "%s", e.message);
    free(a.p);
    free(b2.p);
}
END_TEST

/* A model split in two files: the tensors of both are summed. */
START_TEST(split_files)
{
    buf a = {0}, b2 = {0};
    uint64_t d[2] = {64, 64};
    head(&a, 3, 1, 3);
    kv_str(&a, "general.architecture", "llama");
    str(&a, "split.count"); /* llama.cpp's gguf-split writes a uint16 */
    u32(&a, 2);
    put(&a, "\x02\x00", 2);
    kv_u32(&a, "split.no", 0);
    tensor(&a, "token_embd.weight", 2, d, 0, 0);
    head(&b2, 3, 1, 2);
    str(&b2, "split.count");
    u32(&b2, 2);
    put(&b2, "\x02\x00", 2);
    kv_u32(&b2, "split.no", 1);
    tensor(&b2, "output.weight", 2, d, 1, 0);
    write_file("m-00002-of-00002.gguf", &b2, b2.n, 4096 * 3);
    const char *path = write_file("m-00001-of-00002.gguf", &a, a.n, 4096 * 5);
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info i;
    llmroof_error e;
    ck_assert_msg(read_gguf(path, &m, &q, &i, &e) == LLMROOF_OK, "%s", e.message);
    ck_assert_uint_eq(i.parts, 2);
    ck_assert_uint_eq(i.tensor_count, 2);
    ck_assert_uint_eq(i.embed_bytes, 64 * 64 * 4);
    ck_assert_uint_eq(i.output_bytes, 64 * 64 * 2);
    ck_assert_str_eq(m.id, "m");
    ck_assert_uint_eq(i.file_bytes, 4096 * 8);
    /* A missing part is an error naming it. */
    char gone[160];
    snprintf(gone, sizeof gone, "%s/m-00002-of-00002.gguf", dir);
    ck_assert_int_eq(unlink(gone), 0);
    ck_assert_int_eq(read_gguf(path, &m, &q, &i, &e), LLMROOF_E_IO);
    ck_assert_ptr_nonnull(strstr(e.file, "00002-of-00002"));
    free(a.p);
    free(b2.p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gguf");
    TCase *tc = tcase_create("gguf");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, valid_llama_header);
    tcase_add_test(tc, tied_and_unknown_architecture);
    tcase_add_test(tc, every_truncation_is_an_error);
    tcase_add_test(tc, hostile_headers);
    tcase_add_test(tc, split_files);
    tcase_add_test(tc, malformed_integer_keys);
    tcase_add_test(tc, long_keys_and_nul_bytes);
    tcase_add_test(tc, split_parts_disagree);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
