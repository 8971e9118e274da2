/*
 * Allocation-failure injection (docs/reliability.md), in the manner of
 * SQLite's out-of-memory loop: every operation on every corpus file is run
 * once to count its allocations, then again with allocation 1, 2, 3, ...
 * failing — that one call only, and that call and every later one.  Each
 * run must end in success or LLMROOF_E_NOMEM (or the error the file gives
 * anyway), with a message for the error, the catalog as it was before a
 * failed load, zero live allocations afterwards, and no crash.
 *
 * Links `llmroof_alloctest`, the library built with -DLLMROOF_ALLOC_TESTING,
 * whose lib/alloc.c counts and fails the library's own allocations.
 * libyaml's and libc's allocations are not injected (docs/reliability.md).
 *
 *   check_alloc [KIND:]FILE|DIR...
 *
 * KIND (yaml, config or gguf) names what every file under the path is
 * (fuzz corpora have names without extensions); without it a file's
 * extension does (.yaml, .json, .gguf) and other files are skipped.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

typedef struct ctx {
    const char *path;
    llmroof_catalog *cat;
    uint32_t before[LLMROOF_SECTION_COUNT];
    char *text;
    size_t len;
    llmroof_error err;
} ctx;

typedef struct op {
    const char *name;
    int (*setup)(ctx *c);                  /* not injected; 0 = skip this op */
    llmroof_status (*run)(ctx *c);         /* injected */
    const char *(*verify)(ctx *c, llmroof_status st); /* NULL = fine */
    void (*teardown)(ctx *c);              /* not injected */
    int no_alloc;                          /* the run must not allocate at all */
} op;

static unsigned long points, nomem, failures;

static void counts(const llmroof_catalog *cat, uint32_t *out)
{
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++)
        out[s] = cat ? llmroof_catalog_count(cat, s) : 0;
}

static int same_counts(ctx *c)
{
    uint32_t now[LLMROOF_SECTION_COUNT];
    counts(c->cat, now);
    return memcmp(now, c->before, sizeof now) == 0;
}

/* ---- setups and teardowns ---- */
static int setup_empty(ctx *c)
{
    if (llmroof_catalog_new(&c->cat, NULL) != LLMROOF_OK)
        return 0;
    counts(c->cat, c->before);
    return 1;
}

static int setup_builtin(ctx *c)
{
    if (!setup_empty(c) || llmroof_catalog_load_builtin(c->cat, 0, NULL) != LLMROOF_OK)
        return 0;
    counts(c->cat, c->before);
    return 1;
}

/* The library's own capped reader, outside the injected window; the text
 * is freed with llmroof__free() so that the live count balances. */
static int setup_text(ctx *c)
{
    return llmroof__read_file(c->path, &c->text, &c->len, NULL) == LLMROOF_OK &&
           setup_empty(c);
}

static int setup_none(ctx *c)
{
    (void)c;
    return 1;
}

static void teardown(ctx *c)
{
    llmroof_catalog_free(c->cat);
    c->cat = NULL;
    llmroof__free(c->text);
    c->text = NULL;
}

/* ---- runs ---- */
static llmroof_status run_load_file(ctx *c)
{
    return llmroof_catalog_load_file(c->cat, c->path, 0, &c->err);
}

static llmroof_status run_load_string(ctx *c)
{
    return llmroof_catalog_load_string(c->cat, c->path, c->text, c->len, 0, &c->err);
}

static llmroof_status run_new_builtin(ctx *c)
{
    llmroof_status st = llmroof_catalog_new(&c->cat, &c->err);
    if (st == LLMROOF_OK)
        st = llmroof_catalog_load_builtin(c->cat, 0, &c->err);
    return st;
}

static llmroof_status run_config(ctx *c)
{
    llmroof_model m;
    llmroof_model_init(&m);
    return llmroof_model_from_config(c->path, &m, &c->err);
}

static llmroof_status run_gguf(ctx *c)
{
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info info;
    llmroof_model_init(&m);
    llmroof_quant_init(&q);
    llmroof_gguf_info_init(&info);
    return llmroof_model_from_gguf(c->path, &m, &q, &info, &c->err);
}

static llmroof_status run_estimate_pick(ctx *c)
{
    llmroof_request r;
    llmroof_request_init(&r);
    strcpy(r.system, "pc-2x-rtx-4090");
    strcpy(r.model, "llama-3-70b");
    strcpy(r.quant, "Q4_K_M");
    llmroof_result res;
    llmroof_result_init(&res);
    llmroof_status st = llmroof_estimate(c->cat, &r, &res, &c->err);
    if (st)
        return st;
    llmroof_pick_request pr;
    llmroof_pick_request_init(&pr);
    pr.base = r;
    pr.min_decode_tps = 10;
    llmroof_pick_result *out = malloc(sizeof *out); /* large; not the library's */
    if (!out)
        return LLMROOF_E_NOMEM;
    llmroof_pick_result_init(out);
    st = llmroof_pick(c->cat, &pr, out, &c->err);
    free(out);
    if (st)
        return st;
    /* Image and train estimates allocate nothing either. */
    llmroof_image_request ir;
    llmroof_image_request_init(&ir);
    strcpy(ir.system, "pc-rtx-4090");
    strcpy(ir.model, "sdxl-1.0");
    ir.electricity_price = 0.3;
    llmroof_image_result ires;
    llmroof_image_result_init(&ires);
    if ((st = llmroof_image_estimate(c->cat, &ir, &ires, &c->err)))
        return st;
    llmroof_train_request tr;
    llmroof_train_request_init(&tr);
    strcpy(tr.system, r.system);
    strcpy(tr.model, "llama-3-8b");
    tr.method = LLMROOF_TRAIN_QLORA;
    llmroof_train_result tres;
    llmroof_train_result_init(&tres);
    return llmroof_train_estimate(c->cat, &tr, &tres, &c->err);
}

/* ---- verifies ---- */
static const char *verify_load(ctx *c, llmroof_status st)
{
    if (st != LLMROOF_OK && !same_counts(c))
        return "a failed load changed the catalog";
    return NULL;
}

static const op yaml_ops[] = {
    {"load_file into an empty catalog", setup_empty, run_load_file, verify_load, teardown, 0},
    {"load_file over the builtin catalog", setup_builtin, run_load_file, verify_load, teardown,
     0},
    {"load_string", setup_text, run_load_string, verify_load, teardown, 0},
};
static const op config_ops[] = {{"model_from_config", setup_none, run_config, NULL, teardown, 0}};
static const op gguf_ops[] = {{"model_from_gguf", setup_none, run_gguf, NULL, teardown, 0}};
static const op global_ops[] = {
    {"catalog_new + load_builtin", setup_none, run_new_builtin, NULL, teardown, 0},
    {"estimate + pick + image + train", setup_builtin, run_estimate_pick, NULL, teardown, 1},
};

static void report(const op *o, const char *path, uint64_t k, int persist, const char *what)
{
    failures++;
    fprintf(stderr, "FAIL %s (%s), failing allocation %llu%s: %s\n", o->name,
            path ? path : "-", (unsigned long long)k, persist ? " onwards" : " once", what);
}

/* One attempt: fail allocation k (0: none).  Returns the status. */
static llmroof_status attempt(const op *o, const char *path, uint64_t k, int persist,
                              llmroof_status expect, uint64_t *calls)
{
    ctx c;
    memset(&c, 0, sizeof c);
    c.path = path;
    llmroof_error_init(&c.err);
    int64_t live0 = llmroof__alloc_test_live();
    if (!o->setup(&c)) {
        report(o, path, k, persist, "setup failed");
        teardown(&c);
        return LLMROOF_E_IO;
    }
    llmroof__alloc_test_arm(k, persist);
    llmroof_status st = o->run(&c);
    *calls = llmroof__alloc_test_calls();
    llmroof__alloc_test_arm(0, 0);
    const char *bad = o->verify ? o->verify(&c, st) : NULL;
    if (bad)
        report(o, path, k, persist, bad);
    if (k && st != expect && st != LLMROOF_E_NOMEM) {
        char msg[600];
        snprintf(msg, sizeof msg, "status %s (%s), want %s or nomem", llmroof_status_string(st),
                 c.err.message, llmroof_status_string(expect));
        report(o, path, k, persist, msg);
    }
    if (st != LLMROOF_OK && c.err.message[0] == '\0')
        report(o, path, k, persist, "an error without a message");
    if (st == LLMROOF_E_NOMEM && c.err.code != LLMROOF_E_NOMEM)
        report(o, path, k, persist, "err.code is not nomem");
    nomem += st == LLMROOF_E_NOMEM;
    o->teardown(&c);
    if (llmroof__alloc_test_live() != live0)
        report(o, path, k, persist, "allocations leaked");
    points++;
    return st;
}

static void run_ops(const op *ops, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++) {
        const op *o = &ops[i];
        uint64_t total = 0, calls;
        llmroof_status expect = attempt(o, path, 0, 0, LLMROOF_OK, &total);
        if (o->no_alloc && total != 0)
            report(o, path, 0, 0, "allocated");
        if (getenv("CHECK_ALLOC_VERBOSE"))
            printf("%-36s %-60s %s, %llu allocations\n", o->name, path ? path : "-",
                   llmroof_status_string(expect), (unsigned long long)total);
        for (int persist = 0; persist < 2; persist++)
            for (uint64_t k = 1; k <= total; k++)
                attempt(o, path, k, persist, expect, &calls);
    }
}

static int strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *end)
{
    size_t a = strlen(s), b = strlen(end);
    return a >= b && strcmp(s + a - b, end) == 0;
}

/* The operations for a file: by the kind given, else by its extension. */
static void run_file(const char *path, const char *kind)
{
    if (kind ? strcmp(kind, "yaml") == 0 : ends_with(path, ".yaml"))
        run_ops(yaml_ops, sizeof yaml_ops / sizeof yaml_ops[0], path);
    else if (kind ? strcmp(kind, "config") == 0 : ends_with(path, ".json"))
        run_ops(config_ops, 1, path);
    else if (kind ? strcmp(kind, "gguf") == 0 : ends_with(path, ".gguf"))
        run_ops(gguf_ops, 1, path);
}

static void run_path(const char *path, const char *kind, int depth)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "FAIL cannot stat %s\n", path);
        failures++;
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        if (depth > 2)
            return;
        DIR *d = opendir(path);
        if (!d)
            return;
        /* Sorted, for a deterministic report. */
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
                continue;
            if (n == cap) {
                char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
                if (!nn)
                    break;
                names = nn;
            }
            size_t len = strlen(path) + strlen(e->d_name) + 2;
            if (!(names[n] = malloc(len)))
                break;
            snprintf(names[n++], len, "%s/%s", path, e->d_name);
        }
        closedir(d);
        if (n > 1) /* qsort(NULL, 0, ...) is undefined */
            qsort(names, n, sizeof *names, strcmp_ptr);
        for (size_t i = 0; i < n; i++) {
            run_path(names[i], kind, depth + 1);
            free(names[i]);
        }
        free(names);
        return;
    }
    run_file(path, kind);
}

int main(int argc, char **argv)
{
    run_ops(global_ops, sizeof global_ops / sizeof global_ops[0], NULL);
    for (int i = 1; i < argc; i++) {
        static const char *const kinds[] = {"yaml:", "config:", "gguf:"};
        const char *path = argv[i];
        char kind[8] = "";
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            if (strncmp(path, kinds[k], strlen(kinds[k])) == 0) {
                memcpy(kind, kinds[k], strlen(kinds[k]) - 1);
                path += strlen(kinds[k]);
            }
        run_path(path, kind[0] ? kind : NULL, 0);
    }
    printf("allocation-failure points survived: %lu (%lu ended in nomem), failures: %lu\n",
           points, nomem, failures);
    return failures ? 1 : 0;
}
