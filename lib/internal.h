/* Internal declarations shared by the library's units.  Never installed.
 * Naming: llmroof__ (two underscores) for everything internal. */
#ifndef LLMROOF_INTERNAL_H
#define LLMROOF_INTERNAL_H

#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "llmroof/llmroof.h"

/* ---- allocation: every allocation of the library goes through these ---- */
void *llmroof__malloc(size_t n);
void *llmroof__calloc(size_t count, size_t n);
void *llmroof__realloc(void *p, size_t n);
#ifdef LLMROOF_ALLOC_TESTING
/* Test builds only (lib/alloc.c): count allocation calls from now on and
 * fail call `at` (1-based; 0: none), or with `persist` every call from `at`
 * on; the number of calls since arming; allocations not yet freed. */
void llmroof__alloc_test_arm(uint64_t at, int persist);
uint64_t llmroof__alloc_test_calls(void);
int64_t llmroof__alloc_test_live(void);
#endif
void llmroof__free(void *p);

/* ---- errors (error.c) ----
 * Sets err (if non-NULL and still empty: the first error wins) and returns
 * code, so callers can `return llmroof__fail(...)`.  file may be NULL;
 * line/column are 1-based, 0 = none.  The message is printf-formatted. */
llmroof_status llmroof__fail(llmroof_error *err, llmroof_status code, const char *file,
                             uint32_t line, uint32_t column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* A control character: a byte below 0x20, or 0x7f. */
static inline int llmroof__is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/* A 64-bit FNV-1a hash of n bytes (Fowler, Noll and Vo's prime; the offset
 * basis is theirs short of its last digit, as both readers had it: any
 * basis serves): the names' hashes of the GGUF and config.json readers'
 * duplicate checks. */
static inline uint64_t llmroof__fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* Control characters turned into spaces: text from files shown in one
 * line. */
void llmroof__blank_controls(char *s);

/* vsnprintf with the C numeric locale ("1.5", never "1,5"), whatever the
 * process set; begin/end switch the calling thread to it for longer
 * formatting (pick's reasons and advice). */
int llmroof__vformat(char *buf, size_t n, const char *fmt, va_list ap);
locale_t llmroof__c_numeric_begin(void);
void llmroof__c_numeric_end(locale_t old);

/* Returns from the calling function when expr fails. */
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        llmroof_status st_ = (expr);                                                               \
        if (st_ != LLMROOF_OK)                                                                     \
            return st_;                                                                            \
    } while (0)

/* Bounded string copy that always terminates; returns 0 when it fit. */
int llmroof__strlcpy(char *dst, const char *src, size_t cap);
/* The characters an id may hold (docs/yaml.md): letters, digits, . _ + - */
int llmroof__is_id_char(char c);
/* An id from the n bytes at s (a file or directory name): each other byte
 * becomes '-', cut at cap - 1; "m" when n is 0. */
void llmroof__id_from(const char *s, size_t n, char *out, size_t cap);

/* ---- quantities with units (units.c) ----
 * Parsing is strict and locale-independent: the whole string is consumed,
 * one optional space between number and unit, no NaN/Inf/hex, no sign
 * (quantities are never negative).  On failure *why gets a static message. */
typedef enum llmroof__unit_kind {
    LLMROOF__UNIT_BYTES = 0,     /* B KB MB GB TB KiB MiB GiB TiB */
    LLMROOF__UNIT_BANDWIDTH = 1, /* MB/s GB/s GiB/s TB/s -> bytes/s */
    LLMROOF__UNIT_COMPUTE = 2,   /* GFLOPS TFLOPS PFLOPS TOPS -> per second */
    LLMROOF__UNIT_TIME = 3,      /* ns us ms s -> seconds */
    LLMROOF__UNIT_POWER = 4,     /* W -> watts */
    LLMROOF__UNIT_MONEY = 5      /* USD */
} llmroof__unit_kind;

/* A plain decimal number ("8.03e9", "0.75"): finite, whole string. */
llmroof_status llmroof__parse_number(const char *text, double *out, const char **why);
/* A quantity of the given kind, converted to SI. */
llmroof_status llmroof__parse_quantity(const char *text, llmroof__unit_kind kind, double *out,
                                       const char **why);
/* Bytes as an exact 64-bit integer ("24 GiB", "0.5 GiB", "1008 B").
 * Fractions must resolve to whole bytes; overflow is an error. */
llmroof_status llmroof__parse_bytes(const char *text, uint64_t *out, const char **why);

/* ---- catalog lookups (catalog.c) ----
 * O(1)-ish lookups by id; NULL when absent.  Pointers stay valid until the
 * catalog is changed or freed. */
const llmroof_device *llmroof__find_device(const llmroof_catalog *cat, const char *id);
const llmroof_link *llmroof__find_link(const llmroof_catalog *cat, const char *id);
const llmroof_system *llmroof__find_system(const llmroof_catalog *cat, const char *id);
const llmroof_model *llmroof__find_model(const llmroof_catalog *cat, const char *id);
const llmroof_quant *llmroof__find_quant(const llmroof_catalog *cat, const char *id);
const llmroof_engine *llmroof__find_engine(const llmroof_catalog *cat, const char *id);
const llmroof_image_model *llmroof__find_image_model(const llmroof_catalog *cat, const char *id);

/* ---- enum tables (error.c) ---- */
/* Index of `name` in a NULL-terminated table of names, or -1. */
int llmroof__lookup_name(const char *const *table, const char *name);
extern const char *const llmroof__device_kind_names[];  /* "gpu","cpu","unified","storage" */
extern const char *const llmroof__bandwidth_kind_names[]; /* "nominal","measured" */
extern const char *const llmroof__memory_type_names[];    /* "unknown","hbm",... */
extern const char *const llmroof__backend_names[];      /* "cuda",...,"cpu","none" */
extern const char *const llmroof__split_names[];        /* "auto","layer","row","tensor","none" */
extern const char *const llmroof__task_names[];         /* "llm","image","train": bits */
const char *llmroof__tasks_text(uint32_t tasks);
/* Copies a result computed in `out` (a full struct) into the caller's `res`,
 * no further than res->size (the API rule: never past `size`); both start
 * with `uint32_t size`, which is left as the caller set it. */
#define LLMROOF__COPY_RESULT(res, out) llmroof__copy_result((res), &(out), sizeof(out))
void llmroof__copy_result(void *res, const void *out, size_t out_size);
/* 1 when a request's reserved_u32 array is all zero (the API rule). */
#define LLMROOF__RESERVED_ZERO(arr) llmroof__all_zero((arr), sizeof(arr) / sizeof((arr)[0]))
int llmroof__all_zero(const uint32_t *v, size_t n);         /* "llm, image" for messages */
extern const char *const llmroof__offload_names[];      /* "host-compute","stream-over-link","none" */
extern const char *const llmroof__attention_names[];    /* "gqa","mla" */
extern const char *const llmroof__placement_kind_names[]; /* "gpu",...,"offload" */
extern const char *const llmroof__section_names[];      /* "devices",... */

/* ---- the bundled catalog (generated builtin_data.c, by embed.c) ---- */
typedef struct llmroof__builtin_file {
    const char *name;   /* "builtin:devices.yaml" */
    const char *text;   /* NUL-terminated */
    size_t length;      /* without the NUL */
} llmroof__builtin_file;
extern const llmroof__builtin_file llmroof__builtin_files[];
extern const size_t llmroof__builtin_count;

/* ---- the bundled catalog as parsed descriptors (generated builtin_snapshot.c,
 * by snapshot.c from the same YAML files at build time; absent when cross
 * compiling, see lib/meson.build) ----
 * One row per entry, in the order the YAML loader stages them, with the
 * position of its id in its file for errors. */
typedef struct llmroof__snapshot_entry {
    int32_t section;    /* llmroof_section */
    uint32_t line;
    uint32_t column;
    const char *file;   /* "builtin:devices.yaml" */
    const void *item;   /* the public descriptor struct of the section */
} llmroof__snapshot_entry;
extern const llmroof__snapshot_entry llmroof__snapshot[];
extern const size_t llmroof__snapshot_count;

/* ---- staging shared by the loaders and the catalog (catalog.c) ----
 * Appended for the loader/catalog seam.  A batch holds entries that are
 * parsed and checked but not yet in the catalog; committing it adds all of
 * them or, on any error, none. */
#define LLMROOF__MARK_KEY_MAX 48
/* Where one field of an entry was written, for error positions.  key is the
 * field path the validator uses: "memory", "compute.f16", "host.device",
 * "accelerators.3" (expanded index), "backends.0.kernels.2". */
typedef struct llmroof__mark {
    char key[LLMROOF__MARK_KEY_MAX];
    uint32_t line;
    uint32_t column;
} llmroof__mark;
typedef struct llmroof__batch llmroof__batch;
llmroof__batch *llmroof__batch_new(void);
void llmroof__batch_free(llmroof__batch *b);
/* Normalises (defaults) and validates one entry (a public descriptor struct
 * of `section`, modified in place), checks its id against the batch and the
 * catalog, and stages a copy.  file must outlive the batch; line/column are
 * the entry's position (its id), marks its fields' positions. */
llmroof_status llmroof__batch_add(const llmroof_catalog *cat, llmroof__batch *b, int32_t section,
                                  void *entry, uint32_t flags, const char *file, uint32_t line,
                                  uint32_t column, const llmroof__mark *marks, size_t nmarks,
                                  llmroof_error *err);
/* Staged entries of a section, in staging order, and where each came from
 * (for the snapshot generator). */
uint32_t llmroof__batch_count(const llmroof__batch *b, int32_t section);
const void *llmroof__batch_entry(const llmroof__batch *b, int32_t section, uint32_t index,
                                 const char **file, uint32_t *line, uint32_t *column);
/* Resolves references, then adds every staged entry, or nothing. */
llmroof_status llmroof__batch_commit(llmroof_catalog *cat, llmroof__batch *b, uint32_t flags,
                                     llmroof_error *err);
/* Optimal-string-alignment edit distance, for "did you mean" (catalog.c). */
size_t llmroof__edit_distance(const char *a, const char *b);

/* ---- YAML (yaml_load.c) ---- */
/* Parses one YAML text into the batch (nothing reaches the catalog). */
llmroof_status llmroof__yaml_load(const llmroof_catalog *cat, llmroof__batch *b, const char *file,
                                  const char *text, size_t length, uint32_t flags,
                                  llmroof_error *err);
/* A regular file opened for reading (blocking), refused before any read
 * when it is anything else (a FIFO, a device: they could block for ever);
 * its size in *size (may be NULL).  -1 with err set (LLMROOF_E_IO) on
 * failure. */
int llmroof__open_regular(const char *path, uint64_t *size, llmroof_error *err);
/* Reads a whole regular file with a size cap (llmroof__open_regular).
 * *text is NUL-terminated and freed with llmroof__free(). */
llmroof_status llmroof__read_file(const char *path, char **text, size_t *length,
                                  llmroof_error *err);
#endif
