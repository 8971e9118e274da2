/* Status codes, error reporting and the enum name tables. */
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* One table for status strings, indexed by the pinned enum values. */
static const char *const status_strings[] = {
    [LLMROOF_OK] = "success",
    [LLMROOF_E_INVALID_ARGUMENT] = "invalid argument",
    [LLMROOF_E_NOMEM] = "out of memory",
    [LLMROOF_E_IO] = "input/output error",
    [LLMROOF_E_SYNTAX] = "syntax error",
    [LLMROOF_E_SCHEMA] = "schema error",
    [LLMROOF_E_UNIT] = "bad unit",
    [LLMROOF_E_RANGE] = "number out of range",
    [LLMROOF_E_DUPLICATE] = "duplicate definition",
    [LLMROOF_E_REFERENCE] = "unknown reference",
    [LLMROOF_E_LIMIT] = "input limit exceeded",
    [LLMROOF_E_NOT_FOUND] = "not found",
    [LLMROOF_E_UNSUPPORTED] = "unsupported",
    [LLMROOF_E_VERSION] = "unsupported schema version",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *llmroof_status_string(int32_t status)
{
    if (status < 0 || (size_t)status >= COUNT(status_strings) || !status_strings[status])
        return "unknown status";
    return status_strings[status];
}

void llmroof_error_init(llmroof_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->size = sizeof *err;
}

int llmroof__strlcpy(char *dst, const char *src, size_t cap)
{
    if (cap == 0)
        return -1;
    size_t n = strlen(src);
    if (n >= cap) {
        memcpy(dst, src, cap - 1);
        dst[cap - 1] = '\0';
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

int llmroof__is_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '+' || c == '-';
}

void llmroof__id_from(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        out[k++] = llmroof__is_id_char(s[i]) ? s[i] : '-';
    if (k == 0)
        out[k++] = 'm';
    out[k] = '\0';
}

/* Numbers in the library's text are written the C way ("1.5"), whatever
 * LC_NUMERIC the embedding process set (issue 14: "got 1,5" under de_DE):
 * each formatting runs with the calling thread switched to a "C" numeric
 * locale (POSIX uselocale, per thread), made once. */
static locale_t c_numeric;
static pthread_once_t c_numeric_once = PTHREAD_ONCE_INIT;

static void make_c_numeric(void)
{
    c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

locale_t llmroof__c_numeric_begin(void)
{
    pthread_once(&c_numeric_once, make_c_numeric);
    return c_numeric ? uselocale(c_numeric) : (locale_t)0;
}

void llmroof__c_numeric_end(locale_t old)
{
    if (c_numeric && old)
        uselocale(old);
}

int llmroof__vformat(char *buf, size_t n, const char *fmt, va_list ap)
{
    locale_t old = llmroof__c_numeric_begin();
    int r = vsnprintf(buf, n, fmt, ap);
    llmroof__c_numeric_end(old);
    return r;
}

llmroof_status llmroof__fail(llmroof_error *err, llmroof_status code, const char *file,
                             uint32_t line, uint32_t column, const char *fmt, ...)
{
    /* A caller that passes a struct too small to hold our fields gets no details. */
    if (!err || err->size < sizeof *err || err->code != LLMROOF_OK)
        return code;
    err->code = code;
    err->line = line;
    err->column = column;
    llmroof__strlcpy(err->file, file ? file : "", sizeof err->file);
    va_list ap;
    va_start(ap, fmt);
    llmroof__vformat(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    /* One line, as the header promises: quoted input (a multi-line YAML
     * scalar, a GGUF string) may hold line breaks and other controls. */
    llmroof__blank_controls(err->message);
    return code;
}

void llmroof__blank_controls(char *s)
{
    for (char *c = s; *c; c++)
        if (llmroof__is_control((unsigned char)*c))
            *c = ' ';
}

int llmroof__lookup_name(const char *const *table, const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; table[i]; i++)
        if (strcmp(table[i], name) == 0)
            return i;
    return -1;
}

const char *const llmroof__device_kind_names[] = {"gpu", "cpu", "unified", "storage", NULL};
const char *const llmroof__backend_names[] = {"cuda", "rocm",  "metal", "vulkan",
                                              "sycl", "cpu",   "none",  NULL};
const char *const llmroof__bandwidth_kind_names[] = {"nominal", "measured", NULL};
const char *const llmroof__memory_type_names[] = {"unknown", "hbm", "gddr", "lpddr", "ddr", NULL};
const char *const llmroof__split_names[] = {"auto", "layer", "row", "tensor", "none", NULL};
const char *const llmroof__offload_names[] = {"host-compute", "stream-over-link", "none", NULL};
const char *const llmroof__task_names[] = {"llm", "image", "train", NULL};
const char *const llmroof__attention_names[] = {"gqa", "mla", NULL};
const char *const llmroof__placement_kind_names[] = {"gpu", "multi_gpu", "unified", "cpu",
                                                     "offload", NULL};
const char *const llmroof__section_names[] = {"devices", "links",   "systems",      "models",
                                              "quants",  "engines", "image_models", NULL};
/* Indexed by llmroof_image_offload + 1 (AUTO is -1). */
static const char *const image_offload_names[] = {"auto", "none", "model", NULL};
static const char *const fit_names[] = {"gpu", "offload", "storage", "none", NULL};
static const char *const resource_names[] = {
    "none",     "device-memory", "host-memory", "gpu-link", "host-link",
    "compute",  "storage",       "overhead",    NULL};
static const char *const tier_kind_names[] = {"accelerator", "host", "storage", NULL};
static const char *const kv_type_names[] = {"f16",  "q8_0", "q4_0", "f32",    "bf16",
                                            "q4_1", "q5_0", "q5_1", "iq4_nl", NULL};

/* Bounds-checked read of a NULL-terminated table. */
static const char *table_name(const char *const *table, int32_t i)
{
    if (i < 0)
        return "unknown";
    for (int32_t k = 0; table[k]; k++)
        if (k == i)
            return table[k];
    return "unknown";
}

const char *llmroof_fit_string(int32_t v) { return table_name(fit_names, v); }
const char *llmroof_resource_string(int32_t v) { return table_name(resource_names, v); }
const char *llmroof_split_string(int32_t v) { return table_name(llmroof__split_names, v); }
const char *llmroof_backend_string(int32_t v) { return table_name(llmroof__backend_names, v); }
const char *llmroof_device_kind_string(int32_t v)
{
    return table_name(llmroof__device_kind_names, v);
}
const char *llmroof_tier_kind_string(int32_t v) { return table_name(tier_kind_names, v); }
const char *llmroof_placement_kind_string(int32_t v)
{
    return table_name(llmroof__placement_kind_names, v);
}
const char *llmroof_section_string(int32_t v) { return table_name(llmroof__section_names, v); }
const char *llmroof_kv_type_string(int32_t v) { return table_name(kv_type_names, v); }
const char *llmroof_image_offload_string(int32_t v)
{
    return v < -1 ? "unknown" : table_name(image_offload_names, v + 1);
}

void llmroof__copy_result(void *res, const void *out, size_t out_size)
{
    uint32_t size;
    memcpy(&size, res, sizeof size);
    size_t n = size < out_size ? size : out_size;
    memcpy((char *)res + sizeof size, (const char *)out + sizeof size, n - sizeof size);
}

int llmroof__all_zero(const uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i])
            return 0;
    return 1;
}

const char *llmroof__tasks_text(uint32_t tasks)
{
    static const char *const text[] = {"none",        "llm",         "image",
                                       "llm, image",  "train",       "llm, train",
                                       "image, train", "llm, image, train"};
    return text[tasks & 7u];
}

llmroof_status llmroof_kv_type_from_string(const char *name, int32_t *kv_type)
{
    if (!name || !kv_type)
        return LLMROOF_E_INVALID_ARGUMENT;
    int i = llmroof__lookup_name(kv_type_names, name);
    if (i < 0)
        return LLMROOF_E_NOT_FOUND;
    *kv_type = i;
    return LLMROOF_OK;
}

uint32_t llmroof_version_number(void) { return LLMROOF_VERSION_NUMBER; }
const char *llmroof_version(void) { return LLMROOF_VERSION_STRING; }
