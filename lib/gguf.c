/* GGUF reader: the header, metadata and tensor infos of llama.cpp model
 * files, never the tensor data (docs/gguf.md).  Every count, length and
 * offset is checked against the file's size before it is used, so a hostile
 * file costs at most its header's worth of reading and memory bounded by
 * its tensor count. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Limits (docs/gguf.md): far above any real file, far below harm. */
#define MAX_KEYS 65536u
#define MAX_TENSORS (1u << 20)
#define MAX_KEY_LEN 65535u
#define MAX_STRING (16u << 20)      /* a metadata string value */
#define MAX_NAME 255u               /* a tensor name (ggml's is 64) */
#define MAX_PARTS 256u

/* ggml types: elements per block, bytes per block (ggml.c type traits). */
static const struct {
    uint16_t blck;
    uint16_t bytes;
    const char *name;
} types[] = {
    [0] = {1, 4, "f32"},      [1] = {1, 2, "f16"},      [2] = {32, 18, "q4_0"},
    [3] = {32, 20, "q4_1"},   [6] = {32, 22, "q5_0"},   [7] = {32, 24, "q5_1"},
    [8] = {32, 34, "q8_0"},   [9] = {32, 36, "q8_1"},   [10] = {256, 84, "q2_k"},
    [11] = {256, 110, "q3_k"}, [12] = {256, 144, "q4_k"}, [13] = {256, 176, "q5_k"},
    [14] = {256, 210, "q6_k"}, [15] = {256, 292, "q8_k"}, [16] = {256, 66, "iq2_xxs"},
    [17] = {256, 74, "iq2_xs"}, [18] = {256, 98, "iq3_xxs"}, [19] = {256, 50, "iq1_s"},
    [20] = {32, 18, "iq4_nl"}, [21] = {256, 110, "iq3_s"}, [22] = {256, 82, "iq2_s"},
    [23] = {256, 136, "iq4_xs"}, [24] = {1, 1, "i8"},   [25] = {1, 2, "i16"},
    [26] = {1, 4, "i32"},     [27] = {1, 8, "i64"},     [28] = {1, 8, "f64"},
    [29] = {256, 56, "iq1_m"}, [30] = {1, 2, "bf16"},   [34] = {256, 54, "tq1_0"},
    [35] = {256, 66, "tq2_0"}, [39] = {32, 17, "mxfp4"},
};
#define N_TYPES (sizeof types / sizeof types[0])

/* llama_ftype -> the catalog's quant id (llama.h). */
static const char *ftype_name(uint32_t t)
{
    static const char *const names[] = {
        [0] = "F32",      [1] = "F16",      [2] = "Q4_0",     [3] = "Q4_1",
        [7] = "Q8_0",     [8] = "Q5_0",     [9] = "Q5_1",     [10] = "Q2_K",
        [11] = "Q3_K_S",  [12] = "Q3_K_M",  [13] = "Q3_K_L",  [14] = "Q4_K_S",
        [15] = "Q4_K_M",  [16] = "Q5_K_S",  [17] = "Q5_K_M",  [18] = "Q6_K",
        [19] = "IQ2_XXS", [20] = "IQ2_XS",  [21] = "Q2_K_S",  [22] = "IQ3_XS",
        [23] = "IQ3_XXS", [24] = "IQ1_S",   [25] = "IQ4_NL",  [26] = "IQ3_S",
        [27] = "IQ3_M",   [28] = "IQ2_S",   [29] = "IQ2_M",   [30] = "IQ4_XS",
        [31] = "IQ1_M",   [32] = "BF16",    [36] = "TQ1_0",   [37] = "TQ2_0",
        [38] = "MXFP4_MOE",
    };
    return t < sizeof names / sizeof names[0] ? names[t] : NULL;
}

enum { T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, T_U64, T_I64, T_F64 };
static const uint8_t scalar_size[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

/* Metadata values the model descriptor needs, by key suffix after the
 * architecture's prefix ("llama.block_count" -> "block_count"). */
enum {
    K_BLOCKS, K_CTX, K_EMBD, K_FFN, K_HEADS, K_HEADS_KV, K_KEY_LEN, K_VAL_LEN, K_SWA,
    K_EXPERTS, K_EXPERTS_USED, K_EXPERT_FFN, K_EXPERT_SHARED, K_DENSE, K_KV_LORA, K_Q_LORA,
    K_ROPE_DIM, K_N
};
static const char *const suffixes[K_N] = {
    "block_count", "context_length", "embedding_length", "feed_forward_length",
    "attention.head_count", "attention.head_count_kv", "attention.key_length",
    "attention.value_length", "attention.sliding_window", "expert_count",
    "expert_used_count", "expert_feed_forward_length", "expert_shared_count",
    "leading_dense_block_count", "attention.kv_lora_rank", "attention.q_lora_rank",
    "rope.dimension_count"};

#define PREFIX_MAX 48
typedef struct kv_value {
    char prefix[PREFIX_MAX];
    uint64_t value; /* the largest element for a per-layer array */
    int set;
    /* A value that is not a whole number up to 2^32 - 1 (its first such
     * element in an array): an error once the architecture says the key is
     * the model's (issue 14, item 3).  Its type, raw bits and the key's
     * offset; bad_type T_STR in an array is an array of strings. */
    int bad, bad_in_array;
    uint32_t bad_type;
    uint64_t bad_bits, bad_at;
} kv_value;

typedef struct tensor_span {
    uint64_t offset, bytes;
} tensor_span;

#define READ_BUF (64 * 1024)

typedef struct reader {
    FILE *f;
    /* Our own read buffer: a vocabulary is 100,000+ short strings, and
     * stdio's per-call locking (or an fseek's dropped buffer) per string
     * was most of a header's read time. */
    unsigned char buf[READ_BUF];
    size_t bpos, blen;
    const char *path;
    const char *first_path; /* a split set's first part */
    int first;              /* reading the first part */
    uint64_t pos, size;
    llmroof_error *err;
    char key[MAX_KEY_LEN + 1]; /* the metadata key being read, whole */
    /* What the metadata said. */
    char arch[LLMROOF_ID_MAX];
    char name[LLMROOF_NAME_MAX];
    uint32_t file_type, alignment, split_count, version;
    uint64_t vocab_tokens;
    kv_value kv[K_N][4]; /* a few prefixes per suffix (the arch's and others') */
    /* Duplicate detection: the FNV-1a hash of each key or tensor name and
     * where its string starts in the file, sorted once at the end of the
     * list (n log n: a sorted insertion each was quadratic). */
    struct seen {
        uint64_t hash, pos;
    } *seen;
    size_t seen_count, seen_cap;
} reader;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static llmroof_status rfail(reader *r, llmroof_status code, const char *fmt, ...)
{
    char msg[LLMROOF_ERROR_MESSAGE_MAX - 64];
    va_list ap;
    va_start(ap, fmt);
    llmroof__vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return llmroof__fail(r->err, code, r->path, 0, (uint32_t)(r->pos > UINT32_MAX ? UINT32_MAX : r->pos),
                         "GGUF: %s (at byte %" PRIu64 ")", msg, r->pos);
}

static llmroof_status need(reader *r, uint64_t n)
{
    if (n > r->size - r->pos)
        return rfail(r, LLMROOF_E_SYNTAX, "truncated: %" PRIu64 " more bytes needed, %" PRIu64
                     " left", n, r->size - r->pos);
    return LLMROOF_OK;
}

static llmroof_status get(reader *r, void *out, size_t n)
{
    TRY(need(r, n));
    unsigned char *o = out;
    r->pos += n;
    while (n > 0) {
        if (r->bpos == r->blen) {
            r->bpos = 0;
            r->blen = fread(r->buf, 1, sizeof r->buf, r->f);
            if (r->blen == 0) {
                r->pos -= n;
                return rfail(r, LLMROOF_E_IO, "read error");
            }
        }
        size_t k = r->blen - r->bpos < n ? r->blen - r->bpos : n;
        memcpy(o, r->buf + r->bpos, k);
        r->bpos += k;
        o += k;
        n -= k;
    }
    return LLMROOF_OK;
}

static llmroof_status skip(reader *r, uint64_t n)
{
    TRY(need(r, n));
    uint64_t held = r->blen - r->bpos;
    if (n <= held) {
        r->bpos += (size_t)n;
        r->pos += n;
        return LLMROOF_OK;
    }
    /* Past the buffer: drop it and seek the rest. */
    r->pos += held;
    n -= held;
    r->bpos = r->blen = 0;
    while (n > 0) {
        long step = n > (1u << 30) ? (1l << 30) : (long)n;
        if (fseek(r->f, step, SEEK_CUR) != 0)
            return rfail(r, LLMROOF_E_IO, "seek error");
        r->pos += (uint64_t)step;
        n -= (uint64_t)step;
    }
    return LLMROOF_OK;
}

/* GGUF is little-endian. */
static uint64_t le(const unsigned char *b, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static llmroof_status u32(reader *r, uint32_t *out)
{
    unsigned char b[4];
    TRY(get(r, b, 4));
    *out = (uint32_t)le(b, 4);
    return LLMROOF_OK;
}

static llmroof_status u64(reader *r, uint64_t *out)
{
    unsigned char b[8];
    TRY(get(r, b, 8));
    *out = le(b, 8);
    return LLMROOF_OK;
}

/* A GGUF string into buf (NUL-terminated, cut at cap - 1 but fully read):
 * *len gets its length.  Longer than `max` is LLMROOF_E_LIMIT. */
static llmroof_status str(reader *r, char *buf, size_t cap, uint64_t max, uint64_t *len,
                          const char *what)
{
    uint64_t n;
    TRY(u64(r, &n));
    if (n > max)
        return rfail(r, LLMROOF_E_LIMIT, "%s of %" PRIu64 " bytes (at most %" PRIu64 ")", what,
                     n, max);
    TRY(need(r, n));
    uint64_t keep = buf && cap ? (n < cap - 1 ? n : cap - 1) : 0;
    if (keep)
        TRY(get(r, buf, (size_t)keep));
    if (buf && cap)
        buf[keep] = '\0';
    TRY(skip(r, n - keep));
    if (len)
        *len = n;
    return LLMROOF_OK;
}

/* Whether s[0, n) is UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
                                 : (c & 0xF8) == 0xF0 ? 3 : 9;
        if (k == 9 || i + k >= n + (k == 0))
            return k == 0;
        if (k == 0) {
            i++;
            continue;
        }
        if (i + k >= n + 1)
            return 0;
        uint32_t cp = c & (0x3F >> k);
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* Notes a key's or tensor name's hash and the file offset of its string
 * (its length field). */
static llmroof_status remember(reader *r, uint64_t h, uint64_t pos)
{
    if (r->seen_count == r->seen_cap) {
        size_t cap = r->seen_cap ? r->seen_cap * 2 : 64;
        struct seen *p = llmroof__realloc(r->seen, cap * sizeof *p);
        if (!p)
            return llmroof__fail(r->err, LLMROOF_E_NOMEM, r->path, 0, 0, "out of memory");
        r->seen = p;
        r->seen_cap = cap;
    }
    r->seen[r->seen_count].hash = h;
    r->seen[r->seen_count].pos = pos;
    r->seen_count++;
    return LLMROOF_OK;
}

static int cmp_seen(const void *a, const void *b)
{
    const struct seen *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* After a list of keys or tensor infos: a hash noted twice is a name given
 * twice (or in 2^-64 a collision, reported the same way); the message
 * shows the later one, read again from the file. */
static llmroof_status check_twice(reader *r, const char *what)
{
    if (r->seen_count > 1)
        qsort(r->seen, r->seen_count, sizeof *r->seen, cmp_seen);
    for (size_t i = 1; i < r->seen_count; i++) {
        if (r->seen[i].hash != r->seen[i - 1].hash)
            continue;
        char name[81] = "";
        uint64_t n = 0;
        unsigned char le[8];
        if (fseeko(r->f, (off_t)r->seen[i].pos, SEEK_SET) == 0 && fread(le, 1, 8, r->f) == 8) {
            for (int k = 7; k >= 0; k--)
                n = n << 8 | le[k];
            size_t k = fread(name, 1, n < 80 ? (size_t)n : 80, r->f);
            name[k] = '\0';
        }
        r->bpos = r->blen = 0; /* the buffer no longer follows the file */
        r->pos = r->seen[i].pos; /* the message's byte: the later name's */
        return rfail(r, LLMROOF_E_DUPLICATE, "%s '%.80s' given twice", what, name);
    }
    return LLMROOF_OK;
}

/* One scalar of type t: its raw little-endian bits. */
static llmroof_status scalar(reader *r, uint32_t t, uint64_t *x)
{
    unsigned char b[8];
    TRY(get(r, b, scalar_size[t]));
    *x = le(b, scalar_size[t]);
    return LLMROOF_OK;
}

/* Whether a scalar of type t (raw bits x) is a whole number the model can
 * hold: an integer type, not negative, at most 2^32 - 1.  Its value in *v. */
static int whole(uint32_t t, uint64_t x, uint64_t *v)
{
    int64_t s;
    switch (t) {
    case T_U8: case T_U16: case T_U32: case T_U64:
        *v = x;
        return x <= UINT32_MAX;
    case T_I8: s = (int8_t)x; break;
    case T_I16: s = (int16_t)x; break;
    case T_I32: s = (int32_t)x; break;
    case T_I64: s = (int64_t)x; break;
    default: return 0; /* a boolean, a float, a string, an array */
    }
    *v = (uint64_t)s;
    return s >= 0 && s <= (int64_t)UINT32_MAX;
}

/* The error for a key read as a whole number whose value (of type t, raw
 * bits x; in_array: an element of an array) is not one.  The byte offset
 * is the key's: r->pos moves there, as the read stops. */
static llmroof_status not_whole(reader *r, const char *key, uint64_t at, uint32_t t, uint64_t x,
                                int in_array)
{
    static const char *const names[] = {"uint8", "int8", "uint16", "int16", "uint32", "int32",
                                        "float32", "boolean", "string", "array", "uint64",
                                        "int64", "float64"};
    r->pos = at;
    const char *is = in_array ? "holds" : "is";
    if (t == T_STR || t == T_ARR || t == T_BOOL)
        return rfail(r, LLMROOF_E_SCHEMA, "key '%.80s' is %s%s, not %s", key,
                     in_array ? "an array of " : t == T_ARR ? "an " : "a ",
                     t == T_BOOL && in_array ? "booleans" : t == T_STR && in_array ? "strings"
                                                                          : names[t],
                     in_array ? "whole numbers" : "a whole number");
    if (t == T_F32 || t == T_F64) {
        double d;
        if (t == T_F32) {
            float f;
            uint32_t u = (uint32_t)x;
            memcpy(&f, &u, 4);
            d = f;
        } else {
            memcpy(&d, &x, 8);
        }
        return rfail(r, LLMROOF_E_SCHEMA, "key '%.80s' %s a %s (%g), not a whole number", key,
                     is, names[t], d);
    }
    uint64_t v;
    whole(t, x, &v);
    if ((int64_t)v < 0 && t != T_U64)
        return rfail(r, LLMROOF_E_RANGE, "key '%.80s' %s a negative number (%" PRId64 ")", key,
                     is, (int64_t)v);
    return rfail(r, LLMROOF_E_RANGE, "key '%.80s' %s %" PRIu64 ", above %" PRIu32, key, is, v,
                 UINT32_MAX);
}

/* The slot of a shape key ("ARCH.SUFFIX") for its prefix, or NULL when the
 * key is none (or a fifth prefix of one suffix). */
static kv_value *slot(reader *r, const char *key)
{
    const char *dot = strchr(key, '.');
    if (!dot || (size_t)(dot - key) >= PREFIX_MAX)
        return NULL;
    for (int k = 0; k < K_N; k++) {
        if (strcmp(dot + 1, suffixes[k]) != 0)
            continue;
        for (int s = 0; s < 4; s++) {
            kv_value *x = &r->kv[k][s];
            if (x->set && strncmp(x->prefix, key, (size_t)(dot - key)) == 0 &&
                x->prefix[dot - key] == '\0')
                return x;
            if (!x->set) {
                memcpy(x->prefix, key, (size_t)(dot - key));
                x->prefix[dot - key] = '\0';
                x->set = 1;
                return x;
            }
        }
        return NULL;
    }
    return NULL;
}

/* A shape key's value or element (type t, raw bits x): the largest whole
 * number is kept; the first that is not one is noted for the check after
 * the metadata. */
static void record(kv_value *x, uint64_t at, uint32_t t, uint64_t bits, int in_array)
{
    uint64_t v;
    if (whole(t, bits, &v)) {
        if (v > x->value)
            x->value = v;
    } else if (!x->bad) {
        x->bad = 1;
        x->bad_in_array = in_array;
        x->bad_type = t;
        x->bad_bits = bits;
        x->bad_at = at;
    }
}

/* Keys outside the architecture's prefix read as whole numbers. */
static int general_whole(const char *key)
{
    return strcmp(key, "general.file_type") == 0 || strcmp(key, "general.alignment") == 0 ||
           strcmp(key, "split.count") == 0;
}

/* A metadata value (its key at offset `at`); keys the model needs are
 * recorded.  Those read as whole numbers must be one (issue 14, item 3):
 * general.file_type, general.alignment and split.count at once, the shape
 * keys after the metadata, when the architecture says which are the
 * model's. */
static llmroof_status value(reader *r, const char *key, uint64_t at, uint32_t t)
{
    if (t > T_F64)
        return rfail(r, LLMROOF_E_UNSUPPORTED, "key '%.80s': unknown value type %u", key, t);
    if (t != T_STR && (strcmp(key, "general.architecture") == 0 || strcmp(key, "general.name") == 0))
        return rfail(r, LLMROOF_E_SCHEMA, "key '%s' must be a string, not type %u", key, t);
    const int general = general_whole(key);
    kv_value *shape = general ? NULL : slot(r, key);
    if (general && (t == T_STR || t == T_ARR))
        return not_whole(r, key, at, t, 0, 0);
    uint64_t v;
    if (t == T_STR) {
        char buf[LLMROOF_NAME_MAX];
        TRY(str(r, buf, sizeof buf, MAX_STRING, NULL, "string"));
        if (strcmp(key, "general.architecture") == 0)
            snprintf(r->arch, sizeof r->arch, "%.*s", (int)sizeof r->arch - 1, buf);
        else if (strcmp(key, "general.name") == 0)
            snprintf(r->name, sizeof r->name, "%s", buf);
        else if (shape)
            record(shape, at, T_STR, 0, 0);
        return LLMROOF_OK;
    }
    if (t != T_ARR) {
        TRY(scalar(r, t, &v));
        if (t == T_BOOL && v > 1)
            return rfail(r, LLMROOF_E_SYNTAX, "key '%.80s': boolean %" PRIu64 " is not 0 or 1", key,
                         v);
        if (shape) {
            record(shape, at, t, v, 0);
            return LLMROOF_OK;
        }
        if (!general)
            return LLMROOF_OK;
        uint64_t w;
        if (!whole(t, v, &w))
            return not_whole(r, key, at, t, v, 0);
        if (strcmp(key, "general.file_type") == 0) {
            r->file_type = (uint32_t)w;
        } else if (strcmp(key, "general.alignment") == 0) {
            r->alignment = (uint32_t)w;
        } else if (r->first) {
            r->split_count = (uint32_t)w;
        } else if (w != r->split_count) {
            /* The first part's count names the others: a later part's
             * must agree (one saying 4294967295 replaced it, issue 14). */
            r->pos = at;
            return rfail(r, LLMROOF_E_SCHEMA, "split.count %" PRIu64 " in this part, but %u in "
                         "the first, '%.200s'", w, r->split_count, r->first_path);
        }
        return LLMROOF_OK;
    }
    uint32_t et;
    uint64_t n;
    TRY(u32(r, &et));
    TRY(u64(r, &n));
    if (et == T_ARR)
        return rfail(r, LLMROOF_E_UNSUPPORTED, "key '%.80s': arrays of arrays", key);
    if (et > T_F64)
        return rfail(r, LLMROOF_E_UNSUPPORTED, "key '%.80s': unknown array element type %u",
                     key, et);
    /* Every element takes at least its size (a string its 8-byte length):
     * a count the rest of the file cannot hold is a truncated file. */
    uint64_t min = et == T_STR ? 8 : scalar_size[et];
    if (n > (r->size - r->pos) / min)
        return rfail(r, LLMROOF_E_SYNTAX, "key '%.80s': %" PRIu64 " elements cannot fit in the "
                     "%" PRIu64 " bytes left", key, n, r->size - r->pos);
    if (strcmp(key, "tokenizer.ggml.tokens") == 0)
        r->vocab_tokens = n;
    if (et == T_STR) {
        if (shape && n > 0)
            record(shape, at, T_STR, 0, 1);
        for (uint64_t i = 0; i < n; i++)
            TRY(str(r, NULL, 0, MAX_STRING, NULL, "array string"));
        return LLMROOF_OK;
    }
    if (!shape)
        return skip(r, n * scalar_size[et]);
    for (uint64_t i = 0; i < n; i++) { /* per-layer values: keep the largest */
        TRY(scalar(r, et, &v));
        record(shape, at, et, v, 1);
    }
    return LLMROOF_OK;
}

/* What a tensor name says: 0 other, 1 token embedding, 2 output, 3 a
 * repeating block's. */
static int tensor_class(const char *name)
{
    if (strcmp(name, "token_embd.weight") == 0)
        return 1;
    if (strcmp(name, "output.weight") == 0)
        return 2;
    if (strncmp(name, "blk.", 4) == 0)
        return 3;
    return 0;
}

/* A repeating block's routed-expert matrix (llama.cpp's 3-D "_exps"
 * tensors: blk.N.ffn_{gate,up,down,gate_up}_exps.weight), whose type a mix
 * may set apart (MXFP4_MOE). */
static int is_expert_matrix(const char *name)
{
    const char *e = strstr(name, "_exps.weight");
    return strncmp(name, "blk.", 4) == 0 && e && e[12] == '\0';
}

typedef struct sums {
    uint64_t bytes[4];
    double elems[4];
    uint64_t expert_bytes;        /* of bytes[3]: the routed experts' matrices */
    double expert_elems;
    uint64_t type_bytes[N_TYPES]; /* of repeating blocks, by type */
    uint64_t tensors, kv;
    int has_output;
    uint64_t embed_rows;          /* token_embd's second dimension */
} sums;

static int cmp_span(const void *a, const void *b)
{
    const tensor_span *x = a, *y = b;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

/* One file: header, metadata, tensor infos; checks every span. */
static llmroof_status read_file(reader *r, sums *s, int first)
{
    unsigned char magic[4];
    TRY(get(r, magic, 4));
    if (memcmp(magic, "GGUF", 4) != 0)
        return rfail(r, LLMROOF_E_SYNTAX, "not a GGUF file (magic %02x %02x %02x %02x)", magic[0],
                     magic[1], magic[2], magic[3]);
    uint32_t version;
    TRY(u32(r, &version));
    if (version != 2 && version != 3)
        return rfail(r, LLMROOF_E_VERSION, "GGUF version %u (this reader knows 2 and 3)", version);
    if (first)
        r->version = version;
    uint64_t nt, nk;
    TRY(u64(r, &nt));
    TRY(u64(r, &nk));
    if (nk > MAX_KEYS)
        return rfail(r, LLMROOF_E_LIMIT, "%" PRIu64 " metadata keys (at most %u)", nk, MAX_KEYS);
    if (nt > MAX_TENSORS)
        return rfail(r, LLMROOF_E_LIMIT, "%" PRIu64 " tensors (at most %u)", nt, MAX_TENSORS);
    s->kv += nk;
    r->seen_count = 0;
    r->alignment = 32;
    r->first = first;
    char *key = r->key;
    for (uint64_t i = 0; i < nk; i++) {
        uint64_t len, at = r->pos;
        TRY(str(r, key, sizeof r->key, MAX_KEY_LEN, &len, "metadata key"));
        if (strlen(key) != len)
            return rfail(r, LLMROOF_E_SYNTAX, "metadata key %" PRIu64 " holds a NUL byte after "
                         "'%.80s'", i, key);
        if (!utf8_ok((const unsigned char *)key, (size_t)len))
            return rfail(r, LLMROOF_E_SYNTAX, "metadata key %" PRIu64 " is not UTF-8 text", i);
        TRY(remember(r, llmroof__fnv1a(key, (size_t)len), at));
        uint32_t t;
        TRY(u32(r, &t));
        if (!first && strncmp(key, "split.", 6) != 0 && strcmp(key, "general.alignment") != 0) {
            /* Later parts repeat the first's metadata: read past it. */
            char keep[LLMROOF_ID_MAX];
            memcpy(keep, r->arch, sizeof keep);
            TRY(value(r, "", at, t));
            memcpy(r->arch, keep, sizeof keep);
            continue;
        }
        TRY(value(r, key, at, t));
    }
    TRY(check_twice(r, "metadata key"));
    /* The architecture's shape keys that are not whole numbers (in the
     * order of the suffixes: the first such key). */
    for (int k = 0; first && k < K_N; k++)
        for (int s = 0; s < 4; s++) {
            const kv_value *x = &r->kv[k][s];
            if (x->set && x->bad && strcmp(x->prefix, r->arch) == 0) {
                char name[PREFIX_MAX + 64];
                snprintf(name, sizeof name, "%s.%s", x->prefix, suffixes[k]);
                return not_whole(r, name, x->bad_at, x->bad_type, x->bad_bits, x->bad_in_array);
            }
        }
    if (r->alignment == 0 || (r->alignment & (r->alignment - 1)) || r->alignment > (1u << 20))
        return rfail(r, LLMROOF_E_RANGE, "general.alignment %u is not a power of two up to 1 MiB",
                     r->alignment);
    /* The smallest tensor info: a 0-length name, 1 dimension, type, offset. */
    if (nt > (r->size - r->pos) / 28)
        return rfail(r, LLMROOF_E_SYNTAX, "%" PRIu64 " tensor infos cannot fit in the %" PRIu64
                     " bytes left", nt, r->size - r->pos);
    tensor_span *spans = nt ? llmroof__malloc((size_t)nt * sizeof *spans) : NULL;
    if (nt && !spans)
        return llmroof__fail(r->err, LLMROOF_E_NOMEM, r->path, 0, 0, "out of memory");
    llmroof_status st = LLMROOF_OK;
    r->seen_count = 0;
    for (uint64_t i = 0; i < nt && st == LLMROOF_OK; i++) {
        char name[MAX_NAME + 1];
        uint64_t len, at = r->pos;
        uint32_t nd, type;
        uint64_t dims[4], off;
        if ((st = str(r, name, sizeof name, MAX_NAME, &len, "tensor name")) != LLMROOF_OK)
            break;
        if (strlen(name) != len) { /* never "given twice" for what follows the NUL */
            st = rfail(r, LLMROOF_E_SYNTAX, "tensor %" PRIu64 "'s name holds a NUL byte after "
                       "'%.80s'", i, name);
            break;
        }
        if ((st = remember(r, llmroof__fnv1a(name, (size_t)len), at)) != LLMROOF_OK)
            break;
        if ((st = u32(r, &nd)) != LLMROOF_OK)
            break;
        if (nd < 1 || nd > 4) {
            st = rfail(r, LLMROOF_E_RANGE, "tensor '%.80s' has %u dimensions (1 to 4)", name, nd);
            break;
        }
        double elems = 1;
        uint64_t ne = 1;
        for (uint32_t d = 0; d < nd && st == LLMROOF_OK; d++) {
            if ((st = u64(r, &dims[d])) != LLMROOF_OK)
                break;
            if (dims[d] == 0 || ne > UINT64_MAX / dims[d] || dims[d] > (1ull << 40))
                st = rfail(r, LLMROOF_E_RANGE, "tensor '%.80s': dimension %u is %" PRIu64
                           " (elements must be 1 to 2^63)", name, d, dims[d]);
            else
                ne *= dims[d], elems *= (double)dims[d];
        }
        if (st != LLMROOF_OK || (st = u32(r, &type)) != LLMROOF_OK)
            break;
        if (type >= N_TYPES || types[type].blck == 0) {
            st = rfail(r, LLMROOF_E_UNSUPPORTED, "tensor '%.80s' has unknown ggml type %u", name,
                       type);
            break;
        }
        if (dims[0] % types[type].blck) {
            st = rfail(r, LLMROOF_E_SCHEMA, "tensor '%.80s': a row of %" PRIu64 " is not whole "
                       "%s blocks of %u", name, dims[0], types[type].name, types[type].blck);
            break;
        }
        uint64_t row = dims[0] / types[type].blck * types[type].bytes;
        uint64_t rows = ne / dims[0];
        if (rows && row > UINT64_MAX / rows) {
            st = rfail(r, LLMROOF_E_RANGE, "tensor '%.80s': bytes overflow 64 bits", name);
            break;
        }
        if ((st = u64(r, &off)) != LLMROOF_OK)
            break;
        if (off % r->alignment) {
            st = rfail(r, LLMROOF_E_SCHEMA, "tensor '%.80s': offset %" PRIu64 " is not aligned to %u",
                       name, off, r->alignment);
            break;
        }
        spans[i].offset = off;
        spans[i].bytes = row * rows;
        int c = tensor_class(name);
        s->bytes[c] += spans[i].bytes;
        s->elems[c] += elems;
        if (is_expert_matrix(name)) {
            s->expert_bytes += spans[i].bytes;
            s->expert_elems += elems;
        }
        if (c == 3)
            s->type_bytes[type] += spans[i].bytes;
        if (c == 2)
            s->has_output = 1;
        if (c == 1 && nd >= 2)
            s->embed_rows = dims[1];
    }
    if (st == LLMROOF_OK)
        st = check_twice(r, "tensor");
    if (st == LLMROOF_OK) {
        /* Tensor data starts at the next multiple of the alignment. */
        uint64_t data = (r->pos + r->alignment - 1) / r->alignment * r->alignment;
        uint64_t room = data <= r->size ? r->size - data : 0;
        if (nt)
            qsort(spans, (size_t)nt, sizeof *spans, cmp_span);
        for (uint64_t i = 0; i < nt && st == LLMROOF_OK; i++) {
            if (spans[i].bytes > room || spans[i].offset > room - spans[i].bytes)
                st = rfail(r, LLMROOF_E_RANGE, "a tensor at data offset %" PRIu64 " of %" PRIu64
                           " bytes runs past the end of the file (%" PRIu64 " bytes of data)",
                           spans[i].offset, spans[i].bytes, room);
            else if (i > 0 && spans[i].offset < spans[i - 1].offset + spans[i - 1].bytes)
                st = rfail(r, LLMROOF_E_RANGE, "tensors overlap at data offset %" PRIu64,
                           spans[i].offset);
        }
        s->tensors += nt;
    }
    llmroof__free(spans);
    return st;
}

static llmroof_status open_part(reader *r, const char *path)
{
    r->path = path;
    r->pos = 0;
    r->bpos = r->blen = 0;
    int fd = llmroof__open_regular(path, &r->size, r->err);
    if (fd < 0)
        return LLMROOF_E_IO;
    if (!(r->f = fdopen(fd, "rb"))) {
        int e = errno;
        close(fd);
        return llmroof__fail(r->err, LLMROOF_E_IO, path, 0, 0, "cannot open: %s", strerror(e));
    }
    return LLMROOF_OK;
}

static uint32_t kv_get(const reader *r, int k)
{
    const kv_value *best = NULL;
    for (int s = 0; s < 4; s++) {
        const kv_value *x = &r->kv[k][s];
        if (x->set && strcmp(x->prefix, r->arch) == 0)
            best = x;
    }
    if (!best)
        return 0;
    return best->value > UINT32_MAX ? UINT32_MAX : (uint32_t)best->value;
}

/* The id stem of a file: its name without directories, ".gguf" and a
 * split suffix, in id characters. */
static void stem(const char *path, char *out, size_t cap)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 5 && strcmp(b + n - 5, ".gguf") == 0)
        n -= 5;
    if (n > 15 && b[n - 15] == '-' && memcmp(b + n - 9, "-of-", 4) == 0)
        n -= 15;
    llmroof__id_from(b, n, out, cap);
}

void llmroof_gguf_info_init(llmroof_gguf_info *info)
{
    if (!info)
        return;
    memset(info, 0, sizeof *info);
    info->size = sizeof *info;
    info->file_type = UINT32_MAX;
}

llmroof_status llmroof_model_from_gguf(const char *path, llmroof_model *model,
                                       llmroof_quant *quant, llmroof_gguf_info *info,
                                       llmroof_error *err)
{
    if (!path)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0, "path is NULL");
    if ((model && model->size != sizeof *model) || (quant && quant->size != sizeof *quant) ||
        (info && info->size != sizeof *info))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "bad size field (call the *_init() functions)");
    reader *r = llmroof__calloc(1, sizeof *r);
    if (!r)
        return llmroof__fail(err, LLMROOF_E_NOMEM, path, 0, 0, "out of memory");
    r->err = err;
    r->file_type = UINT32_MAX;
    r->first_path = path;
    sums s;
    memset(&s, 0, sizeof s);
    uint64_t file_bytes = 0;
    uint32_t parts = 1;
    llmroof_status st = open_part(r, path);
    if (st == LLMROOF_OK) {
        st = read_file(r, &s, 1);
        file_bytes += r->size;
        fclose(r->f);
    }
    /* Split files: NAME-00001-of-0000N.gguf names the others. */
    size_t n = strlen(path);
    if (st == LLMROOF_OK && r->split_count > 1) {
        if (r->split_count > MAX_PARTS || n < 20 || strcmp(path + n - 5, ".gguf") != 0 ||
            memcmp(path + n - 20, "-00001-of-", 10) != 0) {
            st = llmroof__fail(err, LLMROOF_E_UNSUPPORTED, path, 0, 0,
                               "GGUF: split.count is %u but the file is not named "
                               "NAME-00001-of-%05u.gguf (at most %u parts)",
                               r->split_count, r->split_count, MAX_PARTS);
        }
        char *part = st == LLMROOF_OK ? llmroof__malloc(n + 1) : NULL;
        if (st == LLMROOF_OK && !part)
            st = llmroof__fail(err, LLMROOF_E_NOMEM, path, 0, 0, "out of memory");
        for (uint32_t k = 2; st == LLMROOF_OK && k <= r->split_count; k++) {
            memcpy(part, path, n + 1);
            snprintf(part + n - 20, 21, "-%05u-of-%05u.gguf", k, r->split_count);
            if ((st = open_part(r, part)) != LLMROOF_OK)
                break;
            st = read_file(r, &s, 0);
            file_bytes += r->size;
            fclose(r->f);
            parts++;
        }
        llmroof__free(part);
    }
    llmroof__free(r->seen);
    if (st != LLMROOF_OK) {
        llmroof__free(r);
        return st;
    }

    /* The descriptors. */
    char note[LLMROOF_ERROR_MESSAGE_MAX] = "";
    uint32_t derived = 0;
    llmroof_model m;
    llmroof_model_init(&m);
    stem(path, m.id, sizeof m.id);
    snprintf(m.name, sizeof m.name, "%s", r->name[0] ? r->name : m.id);
    llmroof__blank_controls(m.name); /* a file's general.name: shown in one line */
    m.layers = kv_get(r, K_BLOCKS);
    m.hidden = kv_get(r, K_EMBD);
    m.ffn = kv_get(r, K_FFN);
    m.heads = kv_get(r, K_HEADS);
    m.kv_heads = kv_get(r, K_HEADS_KV);
    m.head_dim = kv_get(r, K_KEY_LEN);
    m.context = kv_get(r, K_CTX);
    m.vocab = r->vocab_tokens ? (uint32_t)(r->vocab_tokens > UINT32_MAX ? UINT32_MAX : r->vocab_tokens)
                              : (uint32_t)(s.embed_rows > UINT32_MAX ? UINT32_MAX : s.embed_rows);
    m.tied_embeddings = !s.has_output;
    m.params = s.elems[0] + s.elems[1] + s.elems[2] + s.elems[3];
    m.experts = kv_get(r, K_EXPERTS);
    if (m.experts) {
        m.experts_active = kv_get(r, K_EXPERTS_USED);
        m.expert_ffn = kv_get(r, K_EXPERT_FFN) ? kv_get(r, K_EXPERT_FFN) : m.ffn;
        m.shared_experts = kv_get(r, K_EXPERT_SHARED);
        m.dense_layers = kv_get(r, K_DENSE);
        if (m.experts_active && m.expert_ffn)
            derived |= LLMROOF_GGUF_MOE;
    }
    if (kv_get(r, K_KV_LORA)) {
        m.attention = LLMROOF_ATTENTION_MLA;
        m.kv_lora_rank = kv_get(r, K_KV_LORA);
        m.q_lora_rank = kv_get(r, K_Q_LORA);
        m.rope_dim = kv_get(r, K_ROPE_DIM);
        if (m.rope_dim)
            derived |= LLMROOF_GGUF_MLA;
    }
    uint32_t swa = kv_get(r, K_SWA);
    if (swa && m.layers) {
        /* The layers that use the window, per architecture (llama.cpp's
         * hparams set-up): every other one in Gemma 2 and gpt-oss, five of
         * every six in Gemma 3. */
        uint32_t n_swa = 0;
        if (strcmp(r->arch, "gemma2") == 0 || strcmp(r->arch, "gpt-oss") == 0)
            n_swa = m.layers / 2;
        else if (strcmp(r->arch, "gemma3") == 0)
            n_swa = m.layers - m.layers / 6;
        if (n_swa) {
            m.sliding_window = swa;
            m.sliding_layers = n_swa;
            derived |= LLMROOF_GGUF_SLIDING;
        } else {
            snprintf(note + strlen(note), sizeof note - strlen(note),
                     "sliding window %u: which layers use it is not known for '%s'; ", swa,
                     r->arch);
        }
    }
    if (m.heads && !m.kv_heads)
        m.kv_heads = m.heads;
    if (m.heads && !m.head_dim && m.hidden % m.heads == 0)
        m.head_dim = m.hidden / m.heads;
    if (m.layers && m.hidden && m.heads && m.vocab && m.context && (m.ffn || m.experts) &&
        m.head_dim && m.kv_heads && m.heads % m.kv_heads == 0) {
        derived |= LLMROOF_GGUF_SHAPES;
        if (!m.ffn)
            m.ffn = m.expert_ffn;
    } else {
        snprintf(note + strlen(note), sizeof note - strlen(note),
                 "architecture '%s': the shapes could not be derived from the metadata "
                 "(layers %u, hidden %u, heads %u, kv heads %u, ffn %u, context %u, vocab %u); "
                 "the exact weight bytes are known",
                 r->arch[0] ? r->arch : "?", m.layers, m.hidden, m.heads, m.kv_heads, m.ffn,
                 m.context, m.vocab);
    }
    snprintf(m.source, sizeof m.source, "GGUF header of %.400s (%s, %u part%s)", path,
             r->arch[0] ? r->arch : "no architecture", parts, parts > 1 ? "s" : "");

    llmroof_quant q;
    llmroof_quant_init(&q);
    const char *ft = ftype_name(r->file_type);
    /* MODEL.TYPE; a model id of 60-odd characters cuts the type suffix, so
     * that ids stay within LLMROOF_ID_MAX. */
    size_t idn = strlen(m.id);
    llmroof__strlcpy(q.id, m.id, sizeof q.id);
    if (idn + 1 < sizeof q.id) {
        q.id[idn] = '.';
        llmroof__strlcpy(q.id + idn + 1, ft ? ft : "gguf", sizeof q.id - idn - 1);
    }
    snprintf(q.name, sizeof q.name, "%s as in %s", ft ? ft : "mixed", m.id);
    double le_ = s.elems[3], eb = s.elems[1], ob = s.elems[2];
    q.bpw = le_ > 0 ? (double)s.bytes[3] * 8 / le_
                    : (m.params > 0 ? (double)(s.bytes[0] + s.bytes[1] + s.bytes[2]) * 8 / m.params
                                    : 16);
    /* Routed experts of another type than the rest (an MXFP4_MOE file;
     * within 5 %, the f32 norms and biases among the rest, not a type):
     * each part its own bits per weight, so that decode reads the active
     * experts' bytes and not the layers' average. */
    const double xe = s.expert_elems, ne_ = le_ - xe;
    if (xe > 0 && ne_ > 0) {
        const double xb = (double)s.expert_bytes * 8 / xe;
        const double nb = (double)(s.bytes[3] - s.expert_bytes) * 8 / ne_;
        if (xb > 0 && xb <= 64 && nb > 0 && nb <= 64 && fabs(xb - nb) > 0.05 * nb) {
            q.bpw = nb;
            q.expert_bpw = xb;
        }
    }
    q.embed_bpw = eb > 0 ? (double)s.bytes[1] * 8 / eb : 0;
    q.output_bpw = ob > 0 ? (double)s.bytes[2] * 8 / ob : q.embed_bpw;
    if (!(q.bpw > 0 && q.bpw <= 64))
        q.bpw = 16;
    /* The kernel class: the type holding most of the blocks' bytes. */
    size_t top = 0;
    for (size_t t = 0; t < N_TYPES; t++)
        if (s.type_bytes[t] > s.type_bytes[top])
            top = t;
    snprintf(q.kernel, sizeof q.kernel, "%s", types[top].blck ? types[top].name : "f16");
    snprintf(q.format, sizeof q.format, "gguf");
    q.quality = -1;
    snprintf(q.source, sizeof q.source, "exact tensor bytes of %.400s", path);

    if (model)
        *model = m;
    if (quant)
        *quant = q;
    if (info) {
        llmroof_gguf_info_init(info);
        info->version = r->version;
        info->parts = parts;
        info->file_type = r->file_type;
        info->file_bytes = file_bytes;
        info->tensor_count = s.tensors;
        info->metadata_count = s.kv;
        info->tensor_bytes = s.bytes[0] + s.bytes[1] + s.bytes[2] + s.bytes[3];
        info->layer_bytes = s.bytes[3];
        info->embed_bytes = s.bytes[1];
        info->output_bytes = s.bytes[2];
        info->params = m.params;
        info->derived = derived;
        snprintf(info->architecture, sizeof info->architecture, "%s", r->arch);
        size_t nl = strlen(note);
        while (nl > 0 && (note[nl - 1] == ' ' || note[nl - 1] == ';'))
            note[--nl] = '\0';
        snprintf(info->note, sizeof info->note, "%s", note);
    }
    llmroof__free(r);
    return LLMROOF_OK;
}
