/* The llmroof tool: messages, strict number parsing, option matching,
 * catalog opening, number formatting. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("llmroof: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("llmroof: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "Try 'llmroof %s --help'.\n", cmd);
    else
        fputs("Try 'llmroof --help'.\n", stderr);
}

/* "FILE:LINE:COLUMN: " or a shorter prefix when parts are unknown. */
static void print_location(FILE *out, const llmroof_error *err, const char *file)
{
    const char *f = (err && err->file[0]) ? err->file : file;
    if (!f || !f[0])
        return;
    if (err && err->line > 0 && err->column > 0)
        fprintf(out, "%s:%u:%u: ", f, (unsigned)err->line, (unsigned)err->column);
    else if (err && err->line > 0)
        fprintf(out, "%s:%u: ", f, (unsigned)err->line);
    else
        fprintf(out, "%s: ", f);
}

static const char *error_message(const llmroof_error *err, llmroof_status st)
{
    if (err && err->code != LLMROOF_OK && err->message[0])
        return err->message;
    return llmroof_status_string(st);
}

void cli_lib_error(const llmroof_error *err, llmroof_status st, const char *file)
{
    fputs("llmroof: error: ", stderr);
    print_location(stderr, err, file);
    fprintf(stderr, "%s (%s)\n", error_message(err, st), llmroof_status_string(st));
}

void cli_gcc_error(FILE *out, const llmroof_error *err, llmroof_status st, const char *file)
{
    print_location(out, err, file);
    fprintf(out, "error: %s (%s)\n", error_message(err, st), llmroof_status_string(st));
}

int cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    if (!s || !*s)
        return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    if (v < min || v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    /* Check the grammar ourselves: strtod also takes signs, spaces, hex,
     * "nan" and "inf", none of which belong on our command line. */
    const char *p = s;
    int digits = 0;
    while (isdigit((unsigned char)*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            digits++;
        }
    }
    if (!digits)
        return -1;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p)
        return -1;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno == ERANGE || !end || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_match(const char *cmd, int argc, char **argv, int *i, const char *name,
              const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        if (!value) {
            cli_usage_error(cmd, "option '%s' takes no value", name);
            return -1;
        }
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (!value)
        return 1;
    /* "--system --json" is a forgotten value, not a system named "--json". */
    if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0) {
        cli_usage_error(cmd, "option '%s' needs a value", name);
        return -1;
    }
    *i += 1;
    *value = argv[*i];
    return 1;
}

int cli_file_name(const char *cmd, const char *what, const char *v)
{
    if (v && *v)
        return 0;
    cli_usage_error(cmd, "%s needs a file name, not an empty string", what);
    return -1;
}

int cli_common_option(const char *cmd, int argc, char **argv, int *i, cli_common *c)
{
    const char *v = NULL;
    int m = cli_match(cmd, argc, argv, i, "--catalog", &v);
    if (m < 0)
        return -1;
    if (m > 0) {
        if (cli_file_name(cmd, "option '--catalog'", v) != 0)
            return -1;
        c->catalogs[c->catalog_count++] = v;
        return 1;
    }
    m = cli_match(cmd, argc, argv, i, "--override", NULL);
    if (m > 0)
        c->load_flags |= LLMROOF_LOAD_OVERRIDE;
    return m;
}

int cli_is_help(const char *arg) { return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0; }

llmroof_catalog *cli_open_catalog(const cli_common *c)
{
    llmroof_catalog *cat = NULL;
    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_status st = llmroof_catalog_new(&cat, &err);
    if (st != LLMROOF_OK) {
        cli_lib_error(&err, st, NULL);
        return NULL;
    }
    st = llmroof_catalog_load_builtin(cat, 0, &err);
    if (st != LLMROOF_OK) {
        cli_lib_error(&err, st, "builtin catalog");
        llmroof_catalog_free(cat);
        return NULL;
    }
    for (int k = 0; k < c->catalog_count; k++) {
        llmroof_error_init(&err);
        st = llmroof_catalog_load_file(cat, c->catalogs[k], c->load_flags, &err);
        if (st != LLMROOF_OK) {
            cli_lib_error(&err, st, c->catalogs[k]);
            llmroof_catalog_free(cat);
            return NULL;
        }
    }
    return cat;
}

/* Case-insensitive edit distance, for "did you mean".  Ids are short
 * (< LLMROOF_ID_MAX); longer input gets no suggestion. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la >= 128 || lb >= 128)
        return (size_t)-1;
    size_t row[128];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = diag + (same ? 0 : 1);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void cli_unknown_id(const llmroof_catalog *cat, int32_t section, const char *what,
                    const char *id)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    uint32_t n = llmroof_catalog_count(cat, section);
    for (uint32_t k = 0; k < n; k++) {
        const char *cand = llmroof_catalog_id(cat, section, k);
        if (!cand)
            continue;
        size_t d = edit_distance(id, cand);
        if (d < best_d) {
            best_d = d;
            best = cand;
        }
    }
    size_t len = strlen(id);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (best && best_d <= limit)
        cli_error("unknown %s '%s' (did you mean '%s'?); see 'llmroof list %s'", what, id,
                  best, llmroof_section_string(section));
    else
        cli_error("unknown %s '%s'; see 'llmroof list %s'", what, id,
                  llmroof_section_string(section));
}

const char *cli_gib(char *buf, size_t n, double bytes)
{
    double g = bytes / 1073741824.0;
    if (!isfinite(g))
        snprintf(buf, n, "-");
    else if (fabs(g) < 10)
        snprintf(buf, n, "%.2f GiB", g);
    else
        snprintf(buf, n, "%.1f GiB", g);
    return buf;
}

const char *cli_tps(char *buf, size_t n, double tps)
{
    if (!isfinite(tps) || tps <= 0)
        snprintf(buf, n, "-");
    else if (tps < 1)
        snprintf(buf, n, "%.2f", tps);
    else if (tps < 100)
        snprintf(buf, n, "%.1f", tps);
    else
        snprintf(buf, n, "%.0f", tps);
    return buf;
}

const char *cli_seconds(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, n, "-");
    else if (s == 0)
        snprintf(buf, n, "0 s");
    else if (s < 1e-3)
        snprintf(buf, n, "%.0f us", s * 1e6);
    else if (s < 1)
        snprintf(buf, n, "%.1f ms", s * 1e3);
    else if (s < 100)
        snprintf(buf, n, "%.2f s", s);
    else if (s < 120)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, n, "%.1f min", s / 60);
    else
        snprintf(buf, n, "%.1f h", s / 3600);
    return buf;
}

const char *cli_resource_words(int32_t resource)
{
    switch (resource) {
    case LLMROOF_RESOURCE_NONE: return "nothing";
    case LLMROOF_RESOURCE_DEVICE_MEMORY: return "GPU memory bandwidth";
    case LLMROOF_RESOURCE_HOST_MEMORY: return "host RAM bandwidth";
    case LLMROOF_RESOURCE_GPU_LINK: return "link between GPUs";
    case LLMROOF_RESOURCE_HOST_LINK: return "GPU-host link";
    case LLMROOF_RESOURCE_COMPUTE: return "compute";
    case LLMROOF_RESOURCE_STORAGE: return "storage read bandwidth";
    case LLMROOF_RESOURCE_OVERHEAD: return "per-layer overhead";
    default: return "unknown";
    }
}

/* ---- workload options (estimate and pick) ---- */

static int workload_bad(const char *cmd, const char *opt, const char *value, const char *expected)
{
    cli_usage_error(cmd, "invalid value '%s' for %s: expected %s", value, opt, expected);
    return -1;
}

int cli_workload_option(const char *cmd, int argc, char **argv, int *i, llmroof_request *r)
{
    static const struct {
        const char *name;
        size_t off;
        uint32_t min;
        const char *expected;
    } counts[] = {
        {"--ctx", offsetof(llmroof_request, ctx), 0, "a whole number of tokens >= 0"},
        {"--depth", offsetof(llmroof_request, depth), 0, "a whole number of tokens >= 0"},
        {"--prompt", offsetof(llmroof_request, prompt), 0, "a whole number of tokens >= 0"},
        {"--gen", offsetof(llmroof_request, gen), 0, "a whole number of tokens >= 0"},
        {"--batch", offsetof(llmroof_request, batch), 1, "a whole number >= 1"},
        {"--ubatch", offsetof(llmroof_request, ubatch), 1, "a whole number >= 1"},
        {"--threads", offsetof(llmroof_request, threads), 0,
         "a whole number >= 0 (0: one per core)"},
    };
    const char *v;
    int m;
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        if ((m = cli_match(cmd, argc, argv, i, counts[k].name, &v)) != 0) {
            if (m < 0)
                return -1;
            uint32_t *dst = (uint32_t *)(void *)((char *)r + counts[k].off);
            if (cli_parse_u32(v, counts[k].min, UINT32_MAX, dst) != 0)
                return workload_bad(cmd, counts[k].name, v, counts[k].expected);
            return 1;
        }
    }
    if ((m = cli_match(cmd, argc, argv, i, "--split", &v)) != 0) {
        if (m < 0)
            return -1;
        int32_t s;
        for (s = LLMROOF_SPLIT_AUTO; s <= LLMROOF_SPLIT_NONE; s++)
            if (strcmp(v, llmroof_split_string(s)) == 0)
                break;
        if (s > LLMROOF_SPLIT_NONE)
            return workload_bad(cmd, "--split", v, "layer, row, tensor, none or auto");
        r->split = s;
        return 1;
    }
    if ((m = cli_match(cmd, argc, argv, i, "--backend", &v)) != 0) {
        if (m < 0)
            return -1;
        int32_t b;
        for (b = LLMROOF_BACKEND_CUDA; b < LLMROOF_BACKEND_CPU; b++)
            if (strcmp(v, llmroof_backend_string(b)) == 0)
                break;
        if (b >= LLMROOF_BACKEND_CPU)
            return workload_bad(cmd, "--backend", v, "cuda, rocm, metal, vulkan or sycl");
        r->backend = b;
        return 1;
    }
    if ((m = cli_match(cmd, argc, argv, i, "--no-flash-attn", NULL)) != 0) {
        if (m < 0)
            return -1;
        r->flash_attention = 0;
        return 1;
    }
    if ((m = cli_match(cmd, argc, argv, i, "--flash-attn", NULL)) != 0) {
        if (m < 0)
            return -1;
        r->flash_attention = 1;
        return 1;
    }
    if ((m = cli_match(cmd, argc, argv, i, "--gpu-share", &v)) != 0) {
        if (m < 0)
            return -1;
        if (cli_parse_double(v, &r->gpu_share) != 0 || !(r->gpu_share > 0) || r->gpu_share > 1)
            return workload_bad(cmd, "--gpu-share", v, "a number with 0 < F <= 1");
        return 1;
    }
    if ((m = cli_match(cmd, argc, argv, i, "--electricity-price", &v)) != 0)
        return m < 0 ? -1 : cli_parse_electricity_price(cmd, v, &r->electricity_price);
    return 0;
}

int cli_parse_electricity_price(const char *cmd, const char *v, double *out)
{
    if (cli_parse_double(v, out) != 0 || !(*out > 0) || *out > 100)
        return workload_bad(cmd, "--electricity-price", v, "USD per kWh, 0 < P <= 100");
    return 1;
}

/* ---- GGUF files (estimate --gguf, pick --gguf) ---- */

int cli_read_gguf(const char *path, llmroof_model *m, llmroof_quant *q, llmroof_gguf_info *info)
{
    llmroof_error err;
    llmroof_model_init(m);
    llmroof_quant_init(q);
    llmroof_gguf_info_init(info);
    llmroof_error_init(&err);
    llmroof_status st = llmroof_model_from_gguf(path, m, q, info, &err);
    if (st != LLMROOF_OK) {
        cli_lib_error(&err, st, path);
        return CLI_DATA;
    }
    return CLI_OK;
}

int cli_add_gguf(llmroof_catalog *cat, const char *path, int need_model, char *model_id,
                 char *quant_id)
{
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info info;
    if (cli_read_gguf(path, &m, &q, &info) != CLI_OK)
        return CLI_DATA;
    if (need_model && !(info.derived & LLMROOF_GGUF_SHAPES)) {
        cli_error("%s: %s", path, info.note);
        return CLI_DATA;
    }
    /* The file type's measured quality, when the catalog has that type. */
    const char *dot = strrchr(q.id, '.');
    llmroof_quant known;
    llmroof_quant_init(&known);
    if (dot && llmroof_catalog_get_quant(cat, dot + 1, &known, NULL) == LLMROOF_OK)
        q.quality = known.quality;
    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_status st;
    if (need_model && (st = llmroof_catalog_add_model(cat, &m, LLMROOF_LOAD_OVERRIDE, &err)) !=
                          LLMROOF_OK) {
        cli_lib_error(&err, st, path);
        return CLI_DATA;
    }
    if ((st = llmroof_catalog_add_quant(cat, &q, LLMROOF_LOAD_OVERRIDE, &err)) != LLMROOF_OK) {
        cli_lib_error(&err, st, path);
        return CLI_DATA;
    }
    if (model_id)
        snprintf(model_id, LLMROOF_ID_MAX, "%s", m.id);
    snprintf(quant_id, LLMROOF_ID_MAX, "%s", q.id);
    return CLI_OK;
}

int cli_add_config(llmroof_catalog *cat, const char *path, char *model_id)
{
    llmroof_model m;
    llmroof_error err;
    llmroof_model_init(&m);
    llmroof_error_init(&err);
    llmroof_status st = llmroof_model_from_config(path, &m, &err);
    if (st == LLMROOF_OK)
        st = llmroof_catalog_add_model(cat, &m, LLMROOF_LOAD_OVERRIDE, &err);
    if (st != LLMROOF_OK) {
        cli_lib_error(&err, st, path);
        return CLI_DATA;
    }
    snprintf(model_id, LLMROOF_ID_MAX, "%s", m.id);
    return CLI_OK;
}

/* Copies an id into a request field; an id too long for the field cannot
 * be in the catalog, so it is reported as unknown (exit 1). */
int cli_set_id(char *dst, const char *id, const char *what)
{
    size_t n = strlen(id);
    if (n == 0 || n >= LLMROOF_ID_MAX) {
        cli_error("unknown %s '%s' (ids are 1 to %d characters)", what, id, LLMROOF_ID_MAX - 1);
        return -1;
    }
    memcpy(dst, id, n + 1);
    return 0;
}

/* Reports a failed lookup: unknown ids with a suggestion, others as is. */
int cli_lookup_failed(const llmroof_catalog *cat, llmroof_status st, const llmroof_error *err,
                      int32_t section, const char *what, const char *id)
{
    if (st == LLMROOF_E_NOT_FOUND)
        cli_unknown_id(cat, section, what, id);
    else
        cli_lib_error(err, st, NULL);
    return CLI_DATA;
}
