/* The catalog: storage, lookup by id, validation and all-or-nothing commits.
 *
 * Each section is a growable array of the public descriptor structs (load
 * order, for llmroof_catalog_id) with an open-addressing hash index on the id,
 * so a lookup costs one hash and usually one string compare.  Readers never
 * write, so concurrent reads are safe.
 *
 * Every entry, from YAML or from C, goes through one path: normalise and
 * validate (llmroof__batch_add), stage it in a batch, resolve references
 * against the batch and the catalog, reserve all memory, then copy in.  Once
 * the reservation succeeded nothing can fail, so a failed load changes
 * nothing. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define ID_OFFSET offsetof(llmroof_device, id)
_Static_assert(offsetof(llmroof_link, id) == ID_OFFSET, "id offset");
_Static_assert(offsetof(llmroof_system, id) == ID_OFFSET, "id offset");
_Static_assert(offsetof(llmroof_model, id) == ID_OFFSET, "id offset");
_Static_assert(offsetof(llmroof_quant, id) == ID_OFFSET, "id offset");
_Static_assert(offsetof(llmroof_engine, id) == ID_OFFSET, "id offset");
_Static_assert(offsetof(llmroof_image_model, id) == ID_OFFSET, "id offset");

static const size_t item_sizes[LLMROOF_SECTION_COUNT] = {
    sizeof(llmroof_device), sizeof(llmroof_link),  sizeof(llmroof_system),
    sizeof(llmroof_model),  sizeof(llmroof_quant), sizeof(llmroof_engine),
    sizeof(llmroof_image_model),
};
/* Singular names for messages. */
static const char *const entry_names[LLMROOF_SECTION_COUNT] = {
    "device", "link", "system", "model", "quant", "engine", "image model",
};

/* Sanity limits: values beyond them are typos or hostile, and keeping them
 * bounded keeps the model's arithmetic far from overflow.  docs/yaml.md. */
#define MAX_BYTES (UINT64_C(1) << 60)  /* 1 EiB */
#define MAX_BANDWIDTH 1e16             /* 10 PB/s */
#define MAX_COMPUTE 1e20               /* 100 EFLOPS */
#define MAX_TIME 10.0                  /* seconds per transfer or layer */
#define MAX_TOKEN_TILE 65536           /* tokens in a kernel tile (moe_token_tile) */
#define MAX_PENALTY 100.0              /* extra byte-times a byte (hbm_read_penalty) */
#define MAX_POWER 1e7                  /* W */
#define MAX_CORES 65536u                /* cpu cores in one device */
#define MAX_PRICE 1e12                 /* USD */
#define MAX_PARAMS 1e15
#define MAX_QUALITY 1e6
#define MAX_LAYERS (UINT32_C(1) << 20) /* -ngl (an int32) counts layers + 1 */
#define MAX_ENTRIES (UINT32_C(1) << 24) /* per section */
#define MAX_FLOPS 1e18                 /* FLOPs of one run of one part */
#define MAX_PIXELS 16384               /* image width or height */
#define MAX_STEPS 10000                /* sampling steps */

/* ------------------------------------------------------------------------
 * Tables: items in load order plus a hash index.
 * ------------------------------------------------------------------------ */
typedef struct table {
    unsigned char *items;
    size_t item_size;
    uint32_t count;
    uint32_t cap;
    uint32_t *slots; /* index + 1; 0 = empty */
    uint32_t nslots; /* power of two, or 0 */
} table;

static uint32_t hash_id(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

static const char *item_id(const table *t, uint32_t i)
{
    return (const char *)(t->items + (size_t)i * t->item_size + ID_OFFSET);
}

static void *item_at(const table *t, uint32_t i) { return t->items + (size_t)i * t->item_size; }

static int64_t table_find(const table *t, const char *id)
{
    if (!t->nslots || !id)
        return -1;
    uint32_t mask = t->nslots - 1;
    for (uint32_t h = hash_id(id) & mask;; h = (h + 1) & mask) {
        uint32_t s = t->slots[h];
        if (s == 0)
            return -1;
        if (strcmp(item_id(t, s - 1), id) == 0)
            return (int64_t)s - 1;
    }
}

static void slot_insert(uint32_t *slots, uint32_t nslots, const char *id, uint32_t index)
{
    uint32_t mask = nslots - 1;
    uint32_t h = hash_id(id) & mask;
    while (slots[h] != 0)
        h = (h + 1) & mask;
    slots[h] = index + 1;
}

/* Makes room for n items (array and index) without changing the contents,
 * so that appending up to n can no longer fail. */
static llmroof_status table_reserve(table *t, uint64_t n)
{
    if (n > MAX_ENTRIES)
        return LLMROOF_E_LIMIT;
    if (n > t->cap) {
        uint32_t cap = t->cap ? t->cap : 8;
        while (cap < n)
            cap *= 2;
        unsigned char *p = llmroof__realloc(t->items, (size_t)cap * t->item_size);
        if (!p)
            return LLMROOF_E_NOMEM;
        t->items = p;
        t->cap = cap;
    }
    if ((uint64_t)t->nslots < 2 * n) { /* load factor at most 1/2 */
        uint32_t nslots = t->nslots ? t->nslots : 16;
        while (nslots < 2 * n)
            nslots *= 2;
        uint32_t *slots = llmroof__calloc(nslots, sizeof *slots);
        if (!slots)
            return LLMROOF_E_NOMEM;
        for (uint32_t i = 0; i < t->count; i++)
            slot_insert(slots, nslots, item_id(t, i), i);
        llmroof__free(t->slots);
        t->slots = slots;
        t->nslots = nslots;
    }
    return LLMROOF_OK;
}

/* Only after table_reserve(t, count + 1). */
static void table_append(table *t, const void *item)
{
    memcpy(item_at(t, t->count), item, t->item_size);
    slot_insert(t->slots, t->nslots, item_id(t, t->count), t->count);
    t->count++;
}

static void table_free(table *t)
{
    llmroof__free(t->items);
    llmroof__free(t->slots);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------------
 * Catalog and batch objects
 * ------------------------------------------------------------------------ */
struct llmroof_catalog {
    table t[LLMROOF_SECTION_COUNT];
};

/* Where a staged entry came from, for errors found at commit time. */
typedef struct staged {
    const char *file;
    uint32_t line;
    uint32_t column;
    size_t mark_first;
    size_t mark_count;
    int64_t replaces; /* index of the catalog entry it overrides, or -1 */
} staged;

struct llmroof__batch {
    table t[LLMROOF_SECTION_COUNT];
    staged *info[LLMROOF_SECTION_COUNT];
    uint32_t info_cap[LLMROOF_SECTION_COUNT];
    llmroof__mark *marks;
    size_t nmarks;
    size_t marks_cap;
};

llmroof_status llmroof_catalog_new(llmroof_catalog **out, llmroof_error *err)
{
    if (!out)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_catalog_new: out is NULL");
    *out = NULL;
    llmroof_catalog *cat = llmroof__calloc(1, sizeof *cat);
    if (!cat)
        return llmroof__fail(err, LLMROOF_E_NOMEM, NULL, 0, 0, "out of memory");
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++)
        cat->t[s].item_size = item_sizes[s];
    *out = cat;
    return LLMROOF_OK;
}

void llmroof_catalog_free(llmroof_catalog *cat)
{
    if (!cat)
        return;
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++)
        table_free(&cat->t[s]);
    llmroof__free(cat);
}

llmroof__batch *llmroof__batch_new(void)
{
    llmroof__batch *b = llmroof__calloc(1, sizeof *b);
    if (!b)
        return NULL;
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++)
        b->t[s].item_size = item_sizes[s];
    return b;
}

void llmroof__batch_free(llmroof__batch *b)
{
    if (!b)
        return;
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++) {
        table_free(&b->t[s]);
        llmroof__free(b->info[s]);
    }
    llmroof__free(b->marks);
    llmroof__free(b);
}

/* ------------------------------------------------------------------------
 * Descriptor init
 * ------------------------------------------------------------------------ */
#define DEFINE_INIT(fn, type)                                                                      \
    void fn(type *x)                                                                               \
    {                                                                                              \
        if (!x)                                                                                    \
            return;                                                                                \
        memset(x, 0, sizeof *x);                                                                   \
        x->size = (uint32_t)sizeof *x;                                                             \
    }
DEFINE_INIT(llmroof_device_init, llmroof_device)
DEFINE_INIT(llmroof_link_init, llmroof_link)
DEFINE_INIT(llmroof_system_init, llmroof_system)
DEFINE_INIT(llmroof_model_init, llmroof_model)
DEFINE_INIT(llmroof_quant_init, llmroof_quant)

void llmroof_engine_init(llmroof_engine *e)
{
    if (!e)
        return;
    memset(e, 0, sizeof *e);
    e->size = (uint32_t)sizeof *e;
    e->tasks = LLMROOF_TASK_LLM;
}
DEFINE_INIT(llmroof_image_model_init, llmroof_image_model)

/* ------------------------------------------------------------------------
 * Suggestions
 * ------------------------------------------------------------------------ */
#define EDIT_MAX 64

size_t llmroof__edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > EDIT_MAX || m > EDIT_MAX)
        return (size_t)-1;
    /* Three rows of the dynamic programme: enough for transpositions. */
    size_t rows[3][EDIT_MAX + 1];
    size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

static int close_enough(const char *word, size_t d)
{
    size_t n = strlen(word);
    return d <= (n <= 4 ? 1u : 2u) && d < n;
}

/* The id of a section closest to `id` in the catalog or batch, or NULL. */
static const char *suggest_id(const llmroof_catalog *cat, const llmroof__batch *b, int section,
                              const char *id)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    const table *ts[2] = {cat ? &cat->t[section] : NULL, b ? &b->t[section] : NULL};
    for (int k = 0; k < 2; k++) {
        if (!ts[k])
            continue;
        for (uint32_t i = 0; i < ts[k]->count; i++) {
            size_t d = llmroof__edit_distance(id, item_id(ts[k], i));
            if (d < best_d) {
                best_d = d;
                best = item_id(ts[k], i);
            }
        }
    }
    return best && close_enough(id, best_d) ? best : NULL;
}

/* ------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------ */
typedef struct where {
    int section;
    const char *id;
    const char *file;
    uint32_t line;
    uint32_t column;
    const llmroof__mark *marks;
    size_t nmarks;
} where;

/* Position of a field: its own mark, else its parent's ("host.device" ->
 * "host"), else the entry's. */
static void locate(const where *w, const char *key, uint32_t *line, uint32_t *column)
{
    char k[LLMROOF__MARK_KEY_MAX];
    *line = w->line;
    *column = w->column;
    if (!key || llmroof__strlcpy(k, key, sizeof k) != 0)
        return;
    for (;;) {
        for (size_t i = 0; i < w->nmarks; i++) {
            if (strcmp(w->marks[i].key, k) == 0) {
                *line = w->marks[i].line;
                *column = w->marks[i].column;
                return;
            }
        }
        char *dot = strrchr(k, '.');
        if (!dot)
            return;
        *dot = '\0';
    }
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static llmroof_status
vfail(llmroof_error *err, const where *w, const char *key, llmroof_status code, const char *fmt, ...)
{
    char msg[LLMROOF_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    llmroof__vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint32_t line, column;
    locate(w, key, &line, &column);
    return llmroof__fail(err, code, w->file, line, column, "%s '%.64s': %s",
                         entry_names[w->section], w->id, msg);
}

/* 1 when s is NUL-terminated within cap, non-empty and of id characters. */
static int valid_id(const char *s, size_t cap)
{
    if (!memchr(s, '\0', cap) || !s[0])
        return 0;
    for (; *s; s++)
        if (!llmroof__is_id_char(*s))
            return 0;
    return 1;
}

static llmroof_status check_string(llmroof_error *err, const where *w, const char *key,
                                   const char *s, size_t cap, int required)
{
    if (!memchr(s, '\0', cap))
        return vfail(err, w, key, LLMROOF_E_SCHEMA, "%s is longer than %zu bytes", key, cap - 1);
    if (required && !s[0])
        return vfail(err, w, key, LLMROOF_E_SCHEMA, "%s is required", key);
    return LLMROOF_OK;
}

/* A name is shown as it is, in one line (issue 14: a name with a line
 * break forged a "Verdict:" line in the text output, an ESC sequence
 * reached the terminal): no control characters. */
static llmroof_status check_name(llmroof_error *err, const where *w, const char *s, int required)
{
    TRY(check_string(err, w, "name", s, LLMROOF_NAME_MAX, required));
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (llmroof__is_control(*c))
            return vfail(err, w, "name", LLMROOF_E_SCHEMA,
                         "name has a control character (byte 0x%02x at %d)", *c,
                         (int)(c - (const unsigned char *)s));
    return LLMROOF_OK;
}

/* An id-valued field: optional when `required` is 0 ("" = none). */
static llmroof_status check_ref_id(llmroof_error *err, const where *w, const char *key,
                                   const char *s, int required)
{
    if (!memchr(s, '\0', LLMROOF_ID_MAX))
        return vfail(err, w, key, LLMROOF_E_SCHEMA, "%s is longer than %d characters", key,
                     LLMROOF_ID_MAX - 1);
    if (!s[0])
        return required ? vfail(err, w, key, LLMROOF_E_SCHEMA, "%s is required", key)
                        : LLMROOF_OK;
    if (!valid_id(s, LLMROOF_ID_MAX))
        return vfail(err, w, key, LLMROOF_E_SCHEMA,
                     "%s '%s' is not a valid id (1-63 of A-Z a-z 0-9 . _ + -)", key, s);
    return LLMROOF_OK;
}

/* v in (0, max] when positive, else [0, max]. */
static llmroof_status check_real(llmroof_error *err, const where *w, const char *key, double v,
                                 int positive, double max)
{
    if (isnan(v))
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s is NaN", key);
    if (v < 0)
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s must not be negative", key);
    if (positive && v == 0)
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s must be greater than zero", key);
    if (!(v <= max))
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s = %g is above the limit %g", key, v, max);
    return LLMROOF_OK;
}

static llmroof_status check_bytes(llmroof_error *err, const where *w, const char *key, uint64_t v,
                                  int positive)
{
    if (positive && v == 0)
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s must be greater than zero", key);
    if (v > MAX_BYTES)
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s is above the limit of 1 EiB", key);
    return LLMROOF_OK;
}

static llmroof_status check_fraction(llmroof_error *err, const where *w, const char *key,
                                     double v)
{
    if (isnan(v) || !(v > 0 && v <= 1))
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s must be in (0, 1], got %g", key, v);
    return LLMROOF_OK;
}

static llmroof_status check_positive_u32(llmroof_error *err, const where *w, const char *key,
                                         uint32_t v)
{
    if (v == 0)
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s must be greater than zero", key);
    return LLMROOF_OK;
}

static llmroof_status check_common(llmroof_error *err, const where *w, const char *name,
                                   const char *source, int name_required)
{
    TRY(check_name(err, w, name, name_required));
    TRY(check_string(err, w, "source", source, LLMROOF_SOURCE_MAX, 0));
    return LLMROOF_OK;
}

static llmroof_status check_device(llmroof_device *d, const where *w, llmroof_error *err)
{
    TRY(check_common(err, w, d->name, d->source, 1));
    if (d->kind < LLMROOF_DEVICE_GPU || d->kind > LLMROOF_DEVICE_STORAGE)
        return vfail(err, w, "kind", LLMROOF_E_SCHEMA,
                     "kind %d is not gpu, cpu, unified or storage", (int)d->kind);
    int accel = d->kind == LLMROOF_DEVICE_GPU || d->kind == LLMROOF_DEVICE_UNIFIED;
    /* backend follows from the kind for cpu and storage; the zero of an
     * initialised struct (cuda) stands for "not given" there. */
    if (d->kind == LLMROOF_DEVICE_CPU && d->backend == LLMROOF_BACKEND_CUDA)
        d->backend = LLMROOF_BACKEND_CPU;
    if (d->kind == LLMROOF_DEVICE_STORAGE && d->backend == LLMROOF_BACKEND_CUDA)
        d->backend = LLMROOF_BACKEND_NONE;
    if (accel && (d->backend < LLMROOF_BACKEND_CUDA || d->backend > LLMROOF_BACKEND_SYCL))
        return vfail(err, w, "backend", LLMROOF_E_SCHEMA,
                     "backend must be cuda, rocm, metal, vulkan or sycl for a %s device",
                     llmroof_device_kind_string(d->kind));
    if (d->kind == LLMROOF_DEVICE_CPU && d->backend != LLMROOF_BACKEND_CPU)
        return vfail(err, w, "backend", LLMROOF_E_SCHEMA, "a cpu device has backend cpu");
    if (d->kind == LLMROOF_DEVICE_STORAGE && d->backend != LLMROOF_BACKEND_NONE)
        return vfail(err, w, "backend", LLMROOF_E_SCHEMA, "a storage device has no backend");

    TRY(check_bytes(err, w, "memory", d->memory, d->kind == LLMROOF_DEVICE_GPU));
    TRY(check_bytes(err, w, "reserved", d->reserved, 0));
    if (d->memory > 0 && d->reserved >= d->memory)
        return vfail(err, w, "reserved", LLMROOF_E_RANGE,
                     "reserved (%llu B) must be less than memory (%llu B)",
                     (unsigned long long)d->reserved, (unsigned long long)d->memory);
    TRY(check_real(err, w, "bandwidth", d->bandwidth, 1, MAX_BANDWIDTH));
    if (d->bandwidth_kind != LLMROOF_BANDWIDTH_NOMINAL &&
        d->bandwidth_kind != LLMROOF_BANDWIDTH_MEASURED)
        return vfail(err, w, "bandwidth_kind", LLMROOF_E_SCHEMA,
                     "bandwidth_kind must be nominal or measured, got %d", (int)d->bandwidth_kind);
    if (d->memory_type < LLMROOF_MEMORY_UNKNOWN || d->memory_type > LLMROOF_MEMORY_DDR)
        return vfail(err, w, "memory_type", LLMROOF_E_SCHEMA,
                     "memory_type must be hbm, gddr, lpddr or ddr, got %d", (int)d->memory_type);
    TRY(check_real(err, w, "compute.f16", d->compute_f16, d->kind != LLMROOF_DEVICE_STORAGE,
                   MAX_COMPUTE));
    TRY(check_real(err, w, "compute.int8", d->compute_int8, 0, MAX_COMPUTE));
    TRY(check_real(err, w, "compute.f16_acc32", d->compute_f16_acc32, 0, MAX_COMPUTE));
    if (d->compute_f16_acc32 > d->compute_f16)
        return vfail(err, w, "compute.f16_acc32", LLMROOF_E_RANGE,
                     "compute.f16_acc32 (%g FLOP/s) is above compute.f16 (%g FLOP/s): fp32 "
                     "accumulation is never faster", d->compute_f16_acc32, d->compute_f16);
    if (d->kind == LLMROOF_DEVICE_UNIFIED) {
        TRY(check_fraction(err, w, "gpu_share", d->gpu_share));
        if (d->gpu_share_max == 0)
            d->gpu_share_max = d->gpu_share;
        if (isnan(d->gpu_share_max) || d->gpu_share_max < d->gpu_share || d->gpu_share_max > 1)
            return vfail(err, w, "gpu_share_max", LLMROOF_E_RANGE,
                         "gpu_share_max must be in [gpu_share, 1], got %g", d->gpu_share_max);
    } else if (d->gpu_share != 0 || d->gpu_share_max != 0) {
        return vfail(err, w, d->gpu_share != 0 ? "gpu_share" : "gpu_share_max",
                     LLMROOF_E_SCHEMA, "gpu_share and gpu_share_max are for unified devices only");
    }
    TRY(check_real(err, w, "power", d->power, 0, MAX_POWER));
    TRY(check_real(err, w, "idle_power", d->idle_power, 0, MAX_POWER));
    if (d->power > 0 && d->idle_power > d->power)
        return vfail(err, w, "idle_power", LLMROOF_E_RANGE,
                     "idle_power (%g W) is above power (%g W)", d->idle_power, d->power);
    TRY(check_real(err, w, "price", d->price, 0, MAX_PRICE));
    TRY(check_real(err, w, "compute.f16_vector", d->compute_f16_vector, 0, MAX_COMPUTE));
    if (d->compute_f16_vector > d->compute_f16)
        return vfail(err, w, "compute.f16_vector", LLMROOF_E_RANGE,
                     "compute.f16_vector (%g) is above compute.f16 (%g): the matrix units never "
                     "slow a device down", d->compute_f16_vector, d->compute_f16);
    if (d->vector_backends & ~((1u << LLMROOF_BACKEND_CPU) - 1u))
        return vfail(err, w, "vector_backends", LLMROOF_E_SCHEMA,
                     "vector_backends may hold only cuda, rocm, metal, vulkan, sycl");
    if (d->vector_backends && !(d->compute_f16_vector > 0))
        return vfail(err, w, "vector_backends", LLMROOF_E_SCHEMA,
                     "vector_backends needs compute.f16_vector, the peak those backends run at");
    if (d->cores && d->kind != LLMROOF_DEVICE_CPU)
        return vfail(err, w, "cores", LLMROOF_E_SCHEMA, "cores is for cpu devices only");
    if (d->cores > MAX_CORES)
        return vfail(err, w, "cores", LLMROOF_E_RANGE, "cores must be at most %u, got %u",
                     MAX_CORES, d->cores);
    return LLMROOF_OK;
}

static llmroof_status check_link(llmroof_link *l, const where *w, llmroof_error *err)
{
    TRY(check_common(err, w, l->name, l->source, 0));
    TRY(check_real(err, w, "bandwidth", l->bandwidth, 1, MAX_BANDWIDTH));
    TRY(check_real(err, w, "latency", l->latency, 0, MAX_TIME));
    return LLMROOF_OK;
}

static llmroof_status check_system(llmroof_system *s, const where *w, llmroof_error *err)
{
    TRY(check_common(err, w, s->name, s->source, 1));
    if (s->accelerator_count > LLMROOF_MAX_DEVICES)
        return vfail(err, w, "accelerators", LLMROOF_E_RANGE,
                     "%u accelerators: a system holds at most %d", s->accelerator_count,
                     LLMROOF_MAX_DEVICES);
    for (uint32_t i = 0; i < s->accelerator_count; i++) {
        char key[32];
        snprintf(key, sizeof key, "accelerators.%u", i);
        TRY(check_ref_id(err, w, key, s->accelerators[i], 1));
    }
    TRY(check_ref_id(err, w, "gpu_link", s->gpu_link, s->accelerator_count >= 2));
    TRY(check_ref_id(err, w, "host_link", s->host_link, 0));
    TRY(check_ref_id(err, w, "host.device", s->host_device, 1));
    TRY(check_bytes(err, w, "host.memory", s->host_memory, 1));
    TRY(check_ref_id(err, w, "storage", s->storage, 0));
    TRY(check_real(err, w, "power", s->power, 0, MAX_POWER));
    TRY(check_real(err, w, "idle_power", s->idle_power, 0, MAX_POWER));
    TRY(check_real(err, w, "price", s->price, 0, MAX_PRICE));
    return LLMROOF_OK;
}

static llmroof_status check_model(llmroof_model *m, const where *w, llmroof_error *err)
{
    TRY(check_common(err, w, m->name, m->source, 1));
    TRY(check_positive_u32(err, w, "layers", m->layers));
    if (m->layers > MAX_LAYERS)
        return vfail(err, w, "layers", LLMROOF_E_RANGE, "layers = %u is above the limit %u",
                     m->layers, (unsigned)MAX_LAYERS);
    TRY(check_positive_u32(err, w, "hidden", m->hidden));
    TRY(check_positive_u32(err, w, "ffn", m->ffn));
    TRY(check_positive_u32(err, w, "heads", m->heads));
    TRY(check_positive_u32(err, w, "vocab", m->vocab));
    TRY(check_positive_u32(err, w, "context", m->context));
    if (m->kv_heads == 0)
        m->kv_heads = m->heads;
    if (m->kv_heads > m->heads || m->heads % m->kv_heads != 0)
        return vfail(err, w, "kv_heads", LLMROOF_E_RANGE,
                     "kv_heads (%u) must divide heads (%u)", m->kv_heads, m->heads);
    if (m->head_dim == 0) {
        if (m->hidden % m->heads != 0)
            return vfail(err, w, "head_dim", LLMROOF_E_SCHEMA,
                         "head_dim is required: hidden (%u) is not a multiple of heads (%u)",
                         m->hidden, m->heads);
        m->head_dim = m->hidden / m->heads;
    }
    if (m->tied_embeddings > 1)
        return vfail(err, w, "tied_embeddings", LLMROOF_E_RANGE,
                     "tied_embeddings must be 0 or 1");
    TRY(check_real(err, w, "params", m->params, 0, MAX_PARAMS));
    if (m->experts == 0) {
        if (m->experts_active || m->expert_ffn || m->shared_experts || m->dense_layers)
            return vfail(err, w, "moe", LLMROOF_E_SCHEMA,
                         "moe fields are set but experts is 0");
    } else {
        if (m->experts_active == 0 || m->experts_active > m->experts)
            return vfail(err, w, "moe.active", LLMROOF_E_RANGE,
                         "moe.active must be in [1, experts = %u], got %u", m->experts,
                         m->experts_active);
        TRY(check_positive_u32(err, w, "moe.expert_ffn", m->expert_ffn));
        if (m->dense_layers > m->layers)
            return vfail(err, w, "moe.dense_layers", LLMROOF_E_RANGE,
                         "moe.dense_layers (%u) exceeds layers (%u)", m->dense_layers,
                         m->layers);
    }
    if (m->attention == LLMROOF_ATTENTION_MLA) {
        TRY(check_positive_u32(err, w, "attention.kv_lora_rank", m->kv_lora_rank));
        TRY(check_positive_u32(err, w, "attention.rope_dim", m->rope_dim));
    } else if (m->attention == LLMROOF_ATTENTION_GQA) {
        if (m->kv_lora_rank || m->rope_dim || m->q_lora_rank)
            return vfail(err, w,
                         m->kv_lora_rank ? "attention.kv_lora_rank"
                         : m->rope_dim   ? "attention.rope_dim"
                                         : "attention.q_lora_rank",
                         LLMROOF_E_SCHEMA,
                         "kv_lora_rank, rope_dim and q_lora_rank are for attention kind mla");
    } else {
        return vfail(err, w, "attention.kind", LLMROOF_E_SCHEMA, "attention kind %d is not gqa or mla",
                     (int)m->attention);
    }
    if ((m->sliding_window == 0) != (m->sliding_layers == 0))
        return vfail(err, w,
                     m->sliding_window ? "attention.sliding_window" : "attention.sliding_layers",
                     LLMROOF_E_SCHEMA, "sliding_window and sliding_layers go together");
    if (m->sliding_layers > m->layers)
        return vfail(err, w, "attention.sliding_layers", LLMROOF_E_RANGE,
                     "sliding_layers (%u) exceeds layers (%u)", m->sliding_layers, m->layers);
    return LLMROOF_OK;
}

static llmroof_status check_quant(llmroof_quant *q, const where *w, llmroof_error *err)
{
    TRY(check_common(err, w, q->name, q->source, 0));
    if (isnan(q->bpw) || !(q->bpw > 0 && q->bpw <= 64))
        return vfail(err, w, "bpw", LLMROOF_E_RANGE, "bpw must be in (0, 64], got %g", q->bpw);
    /* 0 means "as bpw" (descriptors built in code); YAML gives a number. */
    if (isnan(q->embed_bpw) || !(q->embed_bpw >= 0 && q->embed_bpw <= 64))
        return vfail(err, w, "embed_bpw", LLMROOF_E_RANGE, "embed_bpw must be 0 (as bpw) or in (0, 64], got %g",
                     q->embed_bpw);
    if (isnan(q->output_bpw) || !(q->output_bpw >= 0 && q->output_bpw <= 64))
        return vfail(err, w, "output_bpw", LLMROOF_E_RANGE,
                     "output_bpw must be 0 (as bpw) or in (0, 64], got %g", q->output_bpw);
    if (isnan(q->expert_bpw) || !(q->expert_bpw >= 0 && q->expert_bpw <= 64))
        return vfail(err, w, "expert_bpw", LLMROOF_E_RANGE,
                     "expert_bpw must be 0 (as bpw) or in (0, 64], got %g", q->expert_bpw);
    if (!memchr(q->kernel, '\0', sizeof q->kernel))
        return vfail(err, w, "kernel", LLMROOF_E_SCHEMA, "kernel is longer than %d characters",
                     LLMROOF_KERNEL_MAX - 1);
    if (!q->kernel[0])
        return vfail(err, w, "kernel", LLMROOF_E_SCHEMA, "kernel is required");
    if (!valid_id(q->kernel, sizeof q->kernel))
        return vfail(err, w, "kernel", LLMROOF_E_SCHEMA,
                     "kernel '%s' has characters other than A-Z a-z 0-9 . _ + -", q->kernel);
    if (q->format[0] && !valid_id(q->format, sizeof q->format))
        return vfail(err, w, "format", LLMROOF_E_SCHEMA,
                     "format is not 1-%d characters of A-Z a-z 0-9 . _ + -",
                     LLMROOF_FORMAT_MAX - 1);
    if (isnan(q->quality) || q->quality > MAX_QUALITY)
        return vfail(err, w, "quality", LLMROOF_E_RANGE, "quality must be at most %g", MAX_QUALITY);
    /* 0 = not set; a kernel cheaper than half an FMA per weight, or dearer
     * than 64 of them, is a typo (the slowest type measured costs 13). */
    if (isnan(q->cpu_dot_cost) || !(q->cpu_dot_cost == 0 ||
                                    (q->cpu_dot_cost >= 0.5 && q->cpu_dot_cost <= 64)))
        return vfail(err, w, "cpu_dot_cost", LLMROOF_E_RANGE,
                     "cpu_dot_cost must be 0 (not set) or in [0.5, 64] flop-equivalents per "
                     "weight, got %g", q->cpu_dot_cost);
    return LLMROOF_OK;
}


/* One part of an image pipeline; `key` is "denoiser", "vae" or "encoders.N". */
static llmroof_status check_image_part(llmroof_error *err, const where *w, const char *key,
                                       const llmroof_image_part *p, int flops_required)
{
    char k[LLMROOF__MARK_KEY_MAX];
    snprintf(k, sizeof k, "%s.name", key);
    TRY(check_string(err, w, k, p->name, sizeof p->name, 0));
    snprintf(k, sizeof k, "%s.params", key);
    TRY(check_real(err, w, k, p->params, 1, MAX_PARAMS));
    snprintf(k, sizeof k, "%s.bits", key);
    if (isnan(p->bits) || !(p->bits >= 1 && p->bits <= 64))
        return vfail(err, w, k, LLMROOF_E_RANGE, "%s must be in [1, 64], got %g", k, p->bits);
    snprintf(k, sizeof k, "%s.flops", key);
    TRY(check_real(err, w, k, p->flops, flops_required, MAX_FLOPS));
    snprintf(k, sizeof k, "%s.activation", key);
    TRY(check_real(err, w, k, p->activation, 0, (double)MAX_BYTES));
    return LLMROOF_OK;
}

static llmroof_status check_image_model(llmroof_image_model *m, const where *w,
                                        llmroof_error *err)
{
    TRY(check_common(err, w, m->name, m->source, 1));
    if (m->width == 0 || m->width > MAX_PIXELS || m->width % 8 != 0)
        return vfail(err, w, "resolution.width", LLMROOF_E_RANGE,
                     "resolution.width must be a multiple of 8 in [8, %d], got %u", MAX_PIXELS,
                     m->width);
    if (m->height == 0 || m->height > MAX_PIXELS || m->height % 8 != 0)
        return vfail(err, w, "resolution.height", LLMROOF_E_RANGE,
                     "resolution.height must be a multiple of 8 in [8, %d], got %u", MAX_PIXELS,
                     m->height);
    if (m->steps == 0 || m->steps > MAX_STEPS)
        return vfail(err, w, "steps", LLMROOF_E_RANGE, "steps must be in [1, %d], got %u",
                     MAX_STEPS, m->steps);
    if (m->guidance != 1 && m->guidance != 2)
        return vfail(err, w, "guidance", LLMROOF_E_RANGE,
                     "guidance must be 1 (guidance-distilled) or 2 (classifier-free "
                     "guidance), got %u", m->guidance);
    TRY(check_image_part(err, w, "denoiser", &m->denoiser, 1));
    TRY(check_real(err, w, "attention_flops", m->attention_flops, 0, MAX_FLOPS));
    if (!(m->attention_flops <= m->denoiser.flops))
        return vfail(err, w, "attention_flops", LLMROOF_E_RANGE,
                     "attention_flops (%g) exceeds denoiser.flops (%g)", m->attention_flops,
                     m->denoiser.flops);
    if (m->encoder_count > LLMROOF_MAX_ENCODERS)
        return vfail(err, w, "encoders", LLMROOF_E_RANGE, "at most %d encoders, got %u",
                     LLMROOF_MAX_ENCODERS, m->encoder_count);
    for (uint32_t i = 0; i < m->encoder_count; i++) {
        char key[32];
        snprintf(key, sizeof key, "encoders.%u", i);
        TRY(check_image_part(err, w, key, &m->encoders[i], 0));
    }
    TRY(check_image_part(err, w, "vae", &m->vae, 1));
    return LLMROOF_OK;
}

/* An efficiency and its per-kernel table: each in (0, 1], kernel names
 * valid and listed once. */
static llmroof_status check_efficiencies(llmroof_error *err, const where *w, uint32_t i,
                                         const char *bn, const char *what,
                                         const char *table_key, double dflt,
                                         const llmroof_kernel_efficiency *table, uint32_t count)
{
    char key[LLMROOF__MARK_KEY_MAX];
    snprintf(key, sizeof key, "backends.%u.%s", i, what);
    if (isnan(dflt) || !(dflt > 0 && dflt <= 1))
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s %s must be in (0, 1], got %g", bn, what,
                     dflt);
    if (count > LLMROOF_MAX_KERNELS)
        return vfail(err, w, key, LLMROOF_E_RANGE, "%s: at most %d kernel efficiencies", bn,
                     LLMROOF_MAX_KERNELS);
    for (uint32_t k = 0; k < count; k++) {
        const llmroof_kernel_efficiency *ke = &table[k];
        snprintf(key, sizeof key, "backends.%u.%s.%u", i, table_key, k);
        if (!valid_id(ke->kernel, sizeof ke->kernel))
            return vfail(err, w, key, LLMROOF_E_SCHEMA,
                         "%s: kernel names are 1-31 of A-Z a-z 0-9 . _ + -", bn);
        for (uint32_t j = 0; j < k; j++)
            if (strcmp(table[j].kernel, ke->kernel) == 0)
                return vfail(err, w, key, LLMROOF_E_DUPLICATE, "%s: kernel %s is listed twice",
                             bn, ke->kernel);
        if (isnan(ke->efficiency) || !(ke->efficiency > 0 && ke->efficiency <= 1))
            return vfail(err, w, key, LLMROOF_E_RANGE, "%s %s of %s must be in (0, 1], got %g",
                         bn, what, ke->kernel, ke->efficiency);
    }
    return LLMROOF_OK;
}

/* One [lo, hi] of an error band: 0 < lo <= hi <= 100, or both 0 (none).  The
 * band need not hold 1: a group the model is biased on says so (measured
 * 0.5-0.9 of the prediction).  key is its mark,
 * "backends.<i>.bands.<kind>.<decode|prefill>". */
static llmroof_status check_band_pair(llmroof_error *err, const where *w, const char *key,
                                      const char *bn, double lo, double hi)
{
    if (lo == 0 && hi == 0)
        return LLMROOF_OK;
    char k[LLMROOF__MARK_KEY_MAX];
    const char *what = strstr(key, "bands.");
    if (!(lo > 0 && lo <= 100)) { /* false for NaN */
        snprintf(k, sizeof k, "%s.0", key);
        return vfail(err, w, k, LLMROOF_E_RANGE,
                     "%s %s: lo must be in (0, 100] (or lo and hi 0: no band), got %g", bn, what,
                     lo);
    }
    if (!(hi >= lo && hi <= 100)) {
        snprintf(k, sizeof k, "%s.1", key);
        return vfail(err, w, k, LLMROOF_E_RANGE, "%s %s: hi must be in [lo = %g, 100], got %g",
                     bn, what, lo, hi);
    }
    return LLMROOF_OK;
}

static llmroof_status check_engine(llmroof_engine *e, const where *w, llmroof_error *err)
{
    const uint32_t all_modes = LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_LAYER) |
                               LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_ROW) |
                               LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_TENSOR) |
                               LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_NONE);
    const uint32_t all_tasks = LLMROOF_TASK_LLM | LLMROOF_TASK_IMAGE | LLMROOF_TASK_TRAIN;
    TRY(check_common(err, w, e->name, e->source, 0));
    if (e->tasks == 0 || (e->tasks & ~all_tasks))
        return vfail(err, w, "tasks", LLMROOF_E_SCHEMA,
                     "tasks must be a non-empty set of llm, image and train");
    if (!(e->tasks & LLMROOF_TASK_LLM) && e->split_modes == 0 &&
        e->default_split == LLMROOF_SPLIT_AUTO)
        e->default_split = LLMROOF_SPLIT_NONE; /* no LLM work to split: one device */
    if (!(e->tasks & LLMROOF_TASK_LLM) && e->split_modes == 0)
        e->split_modes = LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_NONE);
    if (e->split_modes == 0)
        return vfail(err, w, "split_modes", LLMROOF_E_SCHEMA, "split_modes is required");
    if (e->split_modes & ~all_modes)
        return vfail(err, w, "split_modes", LLMROOF_E_SCHEMA,
                     "split_modes may hold only layer, row, tensor and none");
    if (e->default_split == LLMROOF_SPLIT_AUTO) {
        for (int m = LLMROOF_SPLIT_LAYER; m <= LLMROOF_SPLIT_NONE; m++) {
            if (e->split_modes & LLMROOF_SPLIT_BIT(m)) {
                e->default_split = m;
                break;
            }
        }
    }
    if (e->default_split < LLMROOF_SPLIT_LAYER || e->default_split > LLMROOF_SPLIT_NONE ||
        !(e->split_modes & LLMROOF_SPLIT_BIT(e->default_split)))
        return vfail(err, w, "default_split", LLMROOF_E_SCHEMA,
                     "default_split must be one of split_modes");
    if (e->offloaded_layers < LLMROOF_OFFLOAD_HOST_COMPUTE ||
        e->offloaded_layers > LLMROOF_OFFLOAD_NONE)
        return vfail(err, w, "offloaded_layers", LLMROOF_E_SCHEMA,
                     "offloaded_layers must be host-compute, stream-over-link or none");
    if (e->backend_count == 0)
        return vfail(err, w, "backends", LLMROOF_E_SCHEMA, "at least one backend is required");
    if (e->format_count > LLMROOF_MAX_FORMATS)
        return vfail(err, w, "formats", LLMROOF_E_RANGE, "at most %d formats",
                     LLMROOF_MAX_FORMATS);
    for (uint32_t i = 0; i < e->format_count; i++) {
        if (!valid_id(e->formats[i], sizeof e->formats[i]))
            return vfail(err, w, "formats", LLMROOF_E_SCHEMA,
                         "format %u is not 1-%d characters of A-Z a-z 0-9 . _ + -", i + 1,
                         LLMROOF_FORMAT_MAX - 1);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(e->formats[i], e->formats[j]) == 0)
                return vfail(err, w, "formats", LLMROOF_E_DUPLICATE,
                             "format '%s' is listed twice", e->formats[i]);
    }
    if (e->backend_count > LLMROOF_MAX_BACKENDS)
        return vfail(err, w, "backends", LLMROOF_E_RANGE, "at most %d backends",
                     LLMROOF_MAX_BACKENDS);
    for (uint32_t i = 0; i < e->backend_count; i++) {
        llmroof_engine_backend *b = &e->backends[i];
        char key[LLMROOF__MARK_KEY_MAX];
        snprintf(key, sizeof key, "backends.%u", i);
        if (b->backend < LLMROOF_BACKEND_CUDA || b->backend > LLMROOF_BACKEND_CPU)
            return vfail(err, w, key, LLMROOF_E_SCHEMA, "backend %d is not a compute backend",
                         (int)b->backend);
        for (uint32_t j = 0; j < i; j++)
            if (e->backends[j].backend == b->backend)
                return vfail(err, w, key, LLMROOF_E_DUPLICATE, "backend %s is listed twice",
                             llmroof_backend_string(b->backend));
        const char *bn = llmroof_backend_string(b->backend);
        TRY(check_efficiencies(err, w, i, bn, "decode_efficiency", "kernels",
                               b->decode_efficiency, b->kernels, b->kernel_count));
        TRY(check_efficiencies(err, w, i, bn, "prefill_efficiency", "prefill_kernels",
                               b->prefill_efficiency, b->prefill_kernels,
                               b->prefill_kernel_count));
        snprintf(key, sizeof key, "backends.%u.per_layer_overhead", i);
        TRY(check_real(err, w, key, b->per_layer_overhead, 0, MAX_TIME));
        snprintf(key, sizeof key, "backends.%u.hop_overhead", i);
        TRY(check_real(err, w, key, b->hop_overhead, 0, MAX_TIME));
        snprintf(key, sizeof key, "backends.%u.moe_layer_overhead", i);
        TRY(check_real(err, w, key, b->moe_layer_overhead, 0, MAX_TIME));
        snprintf(key, sizeof key, "backends.%u.hbm_read_penalty", i);
        TRY(check_real(err, w, key, b->hbm_read_penalty, 0, MAX_PENALTY));
        snprintf(key, sizeof key, "backends.%u.moe_token_tile", i);
        if (b->moe_token_tile > MAX_TOKEN_TILE)
            return vfail(err, w, key, LLMROOF_E_RANGE, "%s moe_token_tile: %u tokens, at most %d",
                         bn, b->moe_token_tile, MAX_TOKEN_TILE);
        snprintf(key, sizeof key, "backends.%u.measured_devices", i);
        if (b->measured_device_count > LLMROOF_MAX_MEASURED_DEVICES)
            return vfail(err, w, key, LLMROOF_E_RANGE, "%s: at most %d devices", bn,
                         LLMROOF_MAX_MEASURED_DEVICES);
        for (uint32_t k = 0; k < b->measured_device_count; k++) {
            if (!valid_id(b->measured_devices[k], sizeof b->measured_devices[k]))
                return vfail(err, w, key, LLMROOF_E_SCHEMA,
                             "%s measured_devices: entry %u is not a valid device id", bn, k);
            for (uint32_t j = 0; j < k; j++)
                if (strcmp(b->measured_devices[j], b->measured_devices[k]) == 0)
                    return vfail(err, w, key, LLMROOF_E_DUPLICATE,
                                 "%s measured_devices: '%s' is listed twice", bn,
                                 b->measured_devices[k]);
        }
        snprintf(key, sizeof key, "backends.%u.bandwidth_cap", i);
        TRY(check_real(err, w, key, b->bandwidth_cap, 0, MAX_BANDWIDTH));
        snprintf(key, sizeof key, "backends.%u.measured_efficiency", i);
        if (b->measured_efficiency != 0)
            TRY(check_fraction(err, w, key, b->measured_efficiency));
        snprintf(key, sizeof key, "backends.%u.runtime_overhead", i);
        TRY(check_bytes(err, w, key, b->runtime_overhead, 0));
        for (int kind = 0; kind < LLMROOF_PLACEMENT_COUNT; kind++) {
            const llmroof_band *band = &b->bands[kind];
            const char *kn = llmroof__placement_kind_names[kind];
            snprintf(key, sizeof key, "backends.%u.bands.%s.decode", i, kn);
            TRY(check_band_pair(err, w, key, bn, band->decode_lo, band->decode_hi));
            snprintf(key, sizeof key, "backends.%u.bands.%s.prefill", i, kn);
            TRY(check_band_pair(err, w, key, bn, band->prefill_lo, band->prefill_hi));
        }
    }
    return LLMROOF_OK;
}

/* ------------------------------------------------------------------------
 * References (resolved against the batch first, then the catalog)
 * ------------------------------------------------------------------------ */
static const void *view_find(const llmroof_catalog *cat, const llmroof__batch *b, int section,
                             const char *id)
{
    int64_t i;
    if (b && (i = table_find(&b->t[section], id)) >= 0)
        return item_at(&b->t[section], (uint32_t)i);
    if (cat && (i = table_find(&cat->t[section], id)) >= 0)
        return item_at(&cat->t[section], (uint32_t)i);
    return NULL;
}

static llmroof_status unknown_ref(llmroof_error *err, const where *w, const char *key,
                                  const llmroof_catalog *cat, const llmroof__batch *b,
                                  int section, const char *id)
{
    const char *hint = suggest_id(cat, b, section, id);
    if (hint)
        return vfail(err, w, key, LLMROOF_E_REFERENCE, "%s names unknown %s '%s' (did you mean '%s'?)",
                     key, entry_names[section], id, hint);
    return vfail(err, w, key, LLMROOF_E_REFERENCE, "%s names unknown %s '%s'", key,
                 entry_names[section], id);
}

static llmroof_status device_ref(llmroof_error *err, const where *w, const char *key,
                                 const llmroof_catalog *cat, const llmroof__batch *b,
                                 const char *id, int kind_a, int kind_b,
                                 const llmroof_device **out)
{
    const llmroof_device *d = view_find(cat, b, LLMROOF_SECTION_DEVICES, id);
    if (!d)
        return unknown_ref(err, w, key, cat, b, LLMROOF_SECTION_DEVICES, id);
    if (d->kind != kind_a && d->kind != kind_b) {
        if (kind_a == kind_b)
            return vfail(err, w, key, LLMROOF_E_REFERENCE,
                         "%s '%s' is a %s device, not %s", key, id,
                         llmroof_device_kind_string(d->kind), llmroof_device_kind_string(kind_a));
        return vfail(err, w, key, LLMROOF_E_REFERENCE, "%s '%s' is a %s device, not %s or %s",
                     key, id, llmroof_device_kind_string(d->kind),
                     llmroof_device_kind_string(kind_a), llmroof_device_kind_string(kind_b));
    }
    if (out)
        *out = d;
    return LLMROOF_OK;
}

static llmroof_status check_system_refs(const llmroof_system *s, const where *w,
                                        const llmroof_catalog *cat, const llmroof__batch *b,
                                        llmroof_error *err)
{
    int any_gpu = 0;
    for (uint32_t i = 0; i < s->accelerator_count; i++) {
        char key[32];
        snprintf(key, sizeof key, "accelerators.%u", i);
        const llmroof_device *d = NULL;
        TRY(device_ref(err, w, key, cat, b, s->accelerators[i], LLMROOF_DEVICE_GPU,
                       LLMROOF_DEVICE_UNIFIED, &d));
        any_gpu |= d->kind == LLMROOF_DEVICE_GPU;
    }
    if (s->gpu_link[0] && !view_find(cat, b, LLMROOF_SECTION_LINKS, s->gpu_link))
        return unknown_ref(err, w, "gpu_link", cat, b, LLMROOF_SECTION_LINKS, s->gpu_link);
    if (any_gpu && !s->host_link[0])
        return vfail(err, w, "host_link", LLMROOF_E_SCHEMA,
                     "host_link is required when an accelerator is a gpu device");
    if (s->host_link[0] && !view_find(cat, b, LLMROOF_SECTION_LINKS, s->host_link))
        return unknown_ref(err, w, "host_link", cat, b, LLMROOF_SECTION_LINKS, s->host_link);
    TRY(device_ref(err, w, "host.device", cat, b, s->host_device, LLMROOF_DEVICE_CPU,
                   LLMROOF_DEVICE_CPU, NULL));
    if (s->storage[0])
        TRY(device_ref(err, w, "storage", cat, b, s->storage, LLMROOF_DEVICE_STORAGE,
                       LLMROOF_DEVICE_STORAGE, NULL));
    return LLMROOF_OK;
}

/* ------------------------------------------------------------------------
 * Staging and commit
 * ------------------------------------------------------------------------ */
static llmroof_status nomem(llmroof_error *err)
{
    return llmroof__fail(err, LLMROOF_E_NOMEM, NULL, 0, 0, "out of memory");
}

static where staged_where(const llmroof__batch *b, int section, uint32_t i)
{
    const staged *si = &b->info[section][i];
    /* Entries built in code have no marks, and the batch may hold none:
     * no pointer arithmetic on NULL. */
    where w = {section, item_id(&b->t[section], i), si->file, si->line, si->column,
               si->mark_count ? b->marks + si->mark_first : NULL, si->mark_count};
    return w;
}

llmroof_status llmroof__batch_add(const llmroof_catalog *cat, llmroof__batch *b, int32_t section,
                                  void *entry, uint32_t flags, const char *file, uint32_t line,
                                  uint32_t column, const llmroof__mark *marks, size_t nmarks,
                                  llmroof_error *err)
{
    if (!b || !entry || section < 0 || section >= LLMROOF_SECTION_COUNT)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, file, line, column,
                             "bad staging call");
    const char *id = (const char *)entry + ID_OFFSET;
    if (!valid_id(id, LLMROOF_ID_MAX))
        return llmroof__fail(err, LLMROOF_E_SCHEMA, file, line, column,
                             "%s id '%.64s' is not valid: 1-63 of A-Z a-z 0-9 . _ + -",
                             entry_names[section], memchr(id, '\0', LLMROOF_ID_MAX) ? id : "");
    *(uint32_t *)entry = (uint32_t)item_sizes[section]; /* the size field */

    where w = {section, id, file, line, column, marks, nmarks};
    llmroof_status st = LLMROOF_OK;
    switch (section) {
    case LLMROOF_SECTION_DEVICES: st = check_device(entry, &w, err); break;
    case LLMROOF_SECTION_LINKS: st = check_link(entry, &w, err); break;
    case LLMROOF_SECTION_SYSTEMS: st = check_system(entry, &w, err); break;
    case LLMROOF_SECTION_MODELS: st = check_model(entry, &w, err); break;
    case LLMROOF_SECTION_QUANTS: st = check_quant(entry, &w, err); break;
    case LLMROOF_SECTION_IMAGE_MODELS: st = check_image_model(entry, &w, err); break;
    default: st = check_engine(entry, &w, err); break;
    }
    if (st != LLMROOF_OK)
        return st;

    table *t = &b->t[section];
    if (table_find(t, id) >= 0)
        return llmroof__fail(err, LLMROOF_E_DUPLICATE, file, line, column,
                             "%s '%s' is defined twice", entry_names[section], id);
    int64_t replaces = cat ? table_find(&cat->t[section], id) : -1;
    if (replaces >= 0 && !(flags & LLMROOF_LOAD_OVERRIDE))
        return llmroof__fail(err, LLMROOF_E_DUPLICATE, file, line, column,
                             "%s '%s' is already in the catalog (load with override to replace it)",
                             entry_names[section], id);

    /* Reserve everything first, so a failure leaves the batch consistent. */
    if (table_reserve(t, (uint64_t)t->count + 1) != LLMROOF_OK)
        return t->count + 1 > MAX_ENTRIES
                   ? llmroof__fail(err, LLMROOF_E_LIMIT, file, line, column,
                                   "more than %u entries in one section", MAX_ENTRIES)
                   : nomem(err);
    if (t->count + 1 > b->info_cap[section]) {
        uint32_t cap = b->info_cap[section] ? b->info_cap[section] * 2 : 8;
        staged *p = llmroof__realloc(b->info[section], cap * sizeof *p);
        if (!p)
            return nomem(err);
        b->info[section] = p;
        b->info_cap[section] = cap;
    }
    if (nmarks > SIZE_MAX / sizeof *marks - b->nmarks)
        return nomem(err);
    if (b->nmarks + nmarks > b->marks_cap) {
        size_t cap = b->marks_cap ? b->marks_cap : 64;
        while (cap < b->nmarks + nmarks)
            cap *= 2;
        llmroof__mark *p = llmroof__realloc(b->marks, cap * sizeof *p);
        if (!p)
            return nomem(err);
        b->marks = p;
        b->marks_cap = cap;
    }
    if (nmarks)
        memcpy(b->marks + b->nmarks, marks, nmarks * sizeof *marks);
    staged *si = &b->info[section][t->count];
    si->file = file;
    si->line = line;
    si->column = column;
    si->mark_first = b->nmarks;
    si->mark_count = nmarks;
    si->replaces = replaces;
    b->nmarks += nmarks;
    table_append(t, entry);
    return LLMROOF_OK;
}

/* Does system s name `id` in a field of the given section? */
static int system_uses(const llmroof_system *s, int section, const char *id)
{
    if (section == LLMROOF_SECTION_LINKS)
        return strcmp(s->gpu_link, id) == 0 || strcmp(s->host_link, id) == 0;
    for (uint32_t i = 0; i < s->accelerator_count && i < LLMROOF_MAX_DEVICES; i++)
        if (strcmp(s->accelerators[i], id) == 0)
            return 1;
    return strcmp(s->host_device, id) == 0 || strcmp(s->storage, id) == 0;
}

/* An override of a device or link must not break systems already in the
 * catalog that keep referring to it. */
static llmroof_status check_dependents(const llmroof_catalog *cat, const llmroof__batch *b,
                                       llmroof_error *err)
{
    const table *systems = &cat->t[LLMROOF_SECTION_SYSTEMS];
    for (int section = LLMROOF_SECTION_DEVICES; section <= LLMROOF_SECTION_LINKS; section++) {
        for (uint32_t i = 0; i < b->t[section].count; i++) {
            if (b->info[section][i].replaces < 0)
                continue;
            const char *id = item_id(&b->t[section], i);
            for (uint32_t k = 0; k < systems->count; k++) {
                const llmroof_system *s = item_at(systems, k);
                if (table_find(&b->t[LLMROOF_SECTION_SYSTEMS], s->id) >= 0)
                    continue; /* replaced too: checked as a staged entry */
                if (!system_uses(s, section, id))
                    continue;
                llmroof_error tmp;
                llmroof_error_init(&tmp);
                where ws = {LLMROOF_SECTION_SYSTEMS, s->id, NULL, 0, 0, NULL, 0};
                if (check_system_refs(s, &ws, cat, b, &tmp) != LLMROOF_OK) {
                    where wi = staged_where(b, section, i);
                    return vfail(err, &wi, NULL, (llmroof_status)tmp.code,
                                 "replacing it breaks %s", tmp.message);
                }
            }
        }
    }
    return LLMROOF_OK;
}

uint32_t llmroof__batch_count(const llmroof__batch *b, int32_t section)
{
    return b && section >= 0 && section < LLMROOF_SECTION_COUNT ? b->t[section].count : 0;
}

const void *llmroof__batch_entry(const llmroof__batch *b, int32_t section, uint32_t index,
                                 const char **file, uint32_t *line, uint32_t *column)
{
    if (index >= llmroof__batch_count(b, section))
        return NULL;
    const staged *si = &b->info[section][index];
    *file = si->file;
    *line = si->line;
    *column = si->column;
    return item_at(&b->t[section], index);
}

llmroof_status llmroof__batch_commit(llmroof_catalog *cat, llmroof__batch *b, uint32_t flags,
                                     llmroof_error *err)
{
    (void)flags; /* duplicates were decided when staging */
    if (!cat || !b)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0, "bad commit call");
    const table *sys = &b->t[LLMROOF_SECTION_SYSTEMS];
    for (uint32_t i = 0; i < sys->count; i++) {
        where w = staged_where(b, LLMROOF_SECTION_SYSTEMS, i);
        TRY(check_system_refs(item_at(sys, i), &w, cat, b, err));
    }
    TRY(check_dependents(cat, b, err));
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++) {
        llmroof_status st = table_reserve(&cat->t[s], (uint64_t)cat->t[s].count + b->t[s].count);
        if (st == LLMROOF_E_LIMIT)
            return llmroof__fail(err, st, NULL, 0, 0, "more than %u entries in section %s",
                                 MAX_ENTRIES, llmroof_section_string(s));
        if (st != LLMROOF_OK)
            return nomem(err);
    }
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++) {
        table *t = &cat->t[s];
        for (uint32_t i = 0; i < b->t[s].count; i++) {
            int64_t r = b->info[s][i].replaces;
            if (r >= 0)
                memcpy(item_at(t, (uint32_t)r), item_at(&b->t[s], i), t->item_size);
            else
                table_append(t, item_at(&b->t[s], i));
        }
    }
    return LLMROOF_OK;
}

/* ------------------------------------------------------------------------
 * Public: loading
 * ------------------------------------------------------------------------ */
/* Unknown flag bits are refused, so that a caller relying on a flag from a
 * newer header learns that this library does not know it. */
#define KNOWN_FLAGS LLMROOF_LOAD_OVERRIDE

static llmroof_status bad_flags(llmroof_error *err, uint32_t flags)
{
    return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                         "unknown flags 0x%x", (unsigned)(flags & ~KNOWN_FLAGS));
}

static llmroof_status load_text(llmroof_catalog *cat, const char *file, const char *text,
                                size_t length, uint32_t flags, llmroof_error *err)
{
    llmroof__batch *b = llmroof__batch_new();
    if (!b)
        return nomem(err);
    llmroof_status st = llmroof__yaml_load(cat, b, file, text, length, flags, err);
    if (st == LLMROOF_OK)
        st = llmroof__batch_commit(cat, b, flags, err);
    llmroof__batch_free(b);
    return st;
}

llmroof_status llmroof_catalog_load_string(llmroof_catalog *cat, const char *name,
                                           const char *text, size_t length, uint32_t flags,
                                           llmroof_error *err)
{
    if (!cat || (!text && length))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, name, 0, 0,
                             "llmroof_catalog_load_string: catalog or text is NULL");
    if (flags & ~KNOWN_FLAGS)
        return bad_flags(err, flags);
    return load_text(cat, name, text ? text : "", length, flags, err);
}

llmroof_status llmroof_catalog_load_file(llmroof_catalog *cat, const char *path, uint32_t flags,
                                         llmroof_error *err)
{
    if (!cat || !path)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, path, 0, 0,
                             "llmroof_catalog_load_file: catalog or path is NULL");
    if (flags & ~KNOWN_FLAGS)
        return bad_flags(err, flags);
    char *text = NULL;
    size_t length = 0;
    llmroof_status st = llmroof__read_file(path, &text, &length, err);
    if (st != LLMROOF_OK)
        return st;
    st = load_text(cat, path, text, length, flags, err);
    llmroof__free(text);
    return st;
}

/* ------------------------------------------------------------------------
 * Public: adding from code
 * ------------------------------------------------------------------------ */
static llmroof_status add_one(llmroof_catalog *cat, int section, const void *desc, uint32_t size,
                              uint32_t flags, llmroof_error *err)
{
    if (!cat || !desc)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "add %s: catalog or descriptor is NULL", entry_names[section]);
    if (size < item_sizes[section])
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "add %s: size field is %u, expected at least %zu (call %s_init)",
                             entry_names[section], size, item_sizes[section],
                             entry_names[section]);
    if (flags & ~KNOWN_FLAGS)
        return bad_flags(err, flags);
    /* A copy: normalising must not write into the caller's struct. */
    union {
        llmroof_device d;
        llmroof_link l;
        llmroof_system s;
        llmroof_model m;
        llmroof_quant q;
        llmroof_engine e;
        llmroof_image_model im;
    } copy;
    memcpy(&copy, desc, item_sizes[section]);
    llmroof__batch *b = llmroof__batch_new();
    if (!b)
        return nomem(err);
    llmroof_status st =
        llmroof__batch_add(cat, b, section, &copy, flags, NULL, 0, 0, NULL, 0, err);
    if (st == LLMROOF_OK)
        st = llmroof__batch_commit(cat, b, flags, err);
    llmroof__batch_free(b);
    return st;
}

#define DEFINE_ADD(fn, type, section)                                                              \
    llmroof_status fn(llmroof_catalog *cat, const type *x, uint32_t flags, llmroof_error *err)     \
    {                                                                                              \
        return add_one(cat, section, x, x ? x->size : 0, flags, err);                              \
    }
DEFINE_ADD(llmroof_catalog_add_device, llmroof_device, LLMROOF_SECTION_DEVICES)
DEFINE_ADD(llmroof_catalog_add_link, llmroof_link, LLMROOF_SECTION_LINKS)
DEFINE_ADD(llmroof_catalog_add_system, llmroof_system, LLMROOF_SECTION_SYSTEMS)
DEFINE_ADD(llmroof_catalog_add_model, llmroof_model, LLMROOF_SECTION_MODELS)
DEFINE_ADD(llmroof_catalog_add_quant, llmroof_quant, LLMROOF_SECTION_QUANTS)
DEFINE_ADD(llmroof_catalog_add_engine, llmroof_engine, LLMROOF_SECTION_ENGINES)
DEFINE_ADD(llmroof_catalog_add_image_model, llmroof_image_model, LLMROOF_SECTION_IMAGE_MODELS)

/* ------------------------------------------------------------------------
 * Public: reading
 * ------------------------------------------------------------------------ */
static const void *find(const llmroof_catalog *cat, int section, const char *id)
{
    if (!cat || !id)
        return NULL;
    int64_t i = table_find(&cat->t[section], id);
    return i < 0 ? NULL : item_at(&cat->t[section], (uint32_t)i);
}

const llmroof_device *llmroof__find_device(const llmroof_catalog *cat, const char *id)
{
    return find(cat, LLMROOF_SECTION_DEVICES, id);
}
const llmroof_link *llmroof__find_link(const llmroof_catalog *cat, const char *id)
{
    return find(cat, LLMROOF_SECTION_LINKS, id);
}
const llmroof_system *llmroof__find_system(const llmroof_catalog *cat, const char *id)
{
    return find(cat, LLMROOF_SECTION_SYSTEMS, id);
}
const llmroof_model *llmroof__find_model(const llmroof_catalog *cat, const char *id)
{
    return find(cat, LLMROOF_SECTION_MODELS, id);
}
const llmroof_quant *llmroof__find_quant(const llmroof_catalog *cat, const char *id)
{
    return find(cat, LLMROOF_SECTION_QUANTS, id);
}
const llmroof_engine *llmroof__find_engine(const llmroof_catalog *cat, const char *id)
{
    return find(cat, LLMROOF_SECTION_ENGINES, id);
}
const llmroof_image_model *llmroof__find_image_model(const llmroof_catalog *cat, const char *id)
{
    return find(cat, LLMROOF_SECTION_IMAGE_MODELS, id);
}

static llmroof_status get_one(const llmroof_catalog *cat, int section, const char *id, void *out,
                              uint32_t out_size, llmroof_error *err)
{
    if (!cat || !id || !out)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "get %s: catalog, id or out is NULL", entry_names[section]);
    if (out_size < item_sizes[section])
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "get %s: out->size is %u, expected at least %zu (call %s_init)",
                             entry_names[section], out_size, item_sizes[section],
                             entry_names[section]);
    const void *p = find(cat, section, id);
    if (!p) {
        const char *hint = suggest_id(cat, NULL, section, id);
        if (hint)
            return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0,
                                 "no %s '%.64s' in the catalog (did you mean '%s'?)",
                                 entry_names[section], id, hint);
        return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0, "no %s '%.64s' in the catalog",
                             entry_names[section], id);
    }
    memcpy(out, p, item_sizes[section]);
    return LLMROOF_OK;
}

#define DEFINE_GET(fn, type, section)                                                              \
    llmroof_status fn(const llmroof_catalog *cat, const char *id, type *out, llmroof_error *err)   \
    {                                                                                              \
        return get_one(cat, section, id, out, out ? out->size : 0, err);                           \
    }
DEFINE_GET(llmroof_catalog_get_device, llmroof_device, LLMROOF_SECTION_DEVICES)
DEFINE_GET(llmroof_catalog_get_link, llmroof_link, LLMROOF_SECTION_LINKS)
DEFINE_GET(llmroof_catalog_get_system, llmroof_system, LLMROOF_SECTION_SYSTEMS)
DEFINE_GET(llmroof_catalog_get_model, llmroof_model, LLMROOF_SECTION_MODELS)
DEFINE_GET(llmroof_catalog_get_quant, llmroof_quant, LLMROOF_SECTION_QUANTS)
DEFINE_GET(llmroof_catalog_get_engine, llmroof_engine, LLMROOF_SECTION_ENGINES)
DEFINE_GET(llmroof_catalog_get_image_model, llmroof_image_model, LLMROOF_SECTION_IMAGE_MODELS)

uint32_t llmroof_catalog_count(const llmroof_catalog *cat, int32_t section)
{
    if (!cat || section < 0 || section >= LLMROOF_SECTION_COUNT)
        return 0;
    return cat->t[section].count;
}

const char *llmroof_catalog_id(const llmroof_catalog *cat, int32_t section, uint32_t index)
{
    if (!cat || section < 0 || section >= LLMROOF_SECTION_COUNT ||
        index >= cat->t[section].count)
        return NULL;
    return item_id(&cat->t[section], index);
}
