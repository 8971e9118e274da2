/* Catalog: descriptors built in code, validation, duplicates, lookups,
 * listing, the bundled catalog, concurrent reads. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The library allocates only through these (lib/alloc.c).  Defining them
 * here keeps alloc.o out of the link, so a test can make the n-th
 * allocation fail (jansson's test_chaos.c does the same with hooks). */
static long alloc_budget = -1; /* allocations left before failing; -1: no limit */

static int alloc_allowed(void)
{
    if (alloc_budget == 0)
        return 0;
    if (alloc_budget > 0)
        alloc_budget--;
    return 1;
}
void *llmroof__malloc(size_t n) { return alloc_allowed() ? malloc(n ? n : 1) : NULL; }
void *llmroof__calloc(size_t count, size_t n)
{
    return alloc_allowed() ? calloc(count ? count : 1, n ? n : 1) : NULL;
}
void *llmroof__realloc(void *p, size_t n) { return alloc_allowed() ? realloc(p, n ? n : 1) : NULL; }
void llmroof__free(void *p) { free(p); }

static llmroof_catalog *new_cat(void)
{
    llmroof_catalog *cat = NULL;
    ck_assert_int_eq(llmroof_catalog_new(&cat, NULL), LLMROOF_OK);
    ck_assert_ptr_nonnull(cat);
    return cat;
}

static llmroof_device gpu(const char *id)
{
    llmroof_device d;
    llmroof_device_init(&d);
    strcpy(d.id, id);
    strcpy(d.name, "Code GPU");
    d.kind = LLMROOF_DEVICE_GPU;
    d.backend = LLMROOF_BACKEND_ROCM;
    d.memory = UINT64_C(48) << 30;
    d.reserved = UINT64_C(1) << 29;
    d.bandwidth = 960e9;
    d.compute_f16 = 122e12;
    d.power = 300;
    strcpy(d.source, "test");
    return d;
}

static llmroof_device cpu(const char *id)
{
    llmroof_device d;
    llmroof_device_init(&d);
    strcpy(d.id, id);
    strcpy(d.name, "Code CPU");
    d.kind = LLMROOF_DEVICE_CPU; /* backend left at its zero: becomes cpu */
    d.bandwidth = 100e9;
    d.compute_f16 = 1e12;
    return d;
}

static llmroof_link link_(const char *id)
{
    llmroof_link l;
    llmroof_link_init(&l);
    strcpy(l.id, id);
    l.bandwidth = 32e9;
    l.latency = 8e-6;
    return l;
}

static llmroof_system system_(const char *id, const char *acc, uint32_t n)
{
    llmroof_system s;
    llmroof_system_init(&s);
    strcpy(s.id, id);
    strcpy(s.name, "Code system");
    s.accelerator_count = n;
    for (uint32_t i = 0; i < n && i < LLMROOF_MAX_DEVICES; i++)
        strcpy(s.accelerators[i], acc);
    if (n >= 2)
        strcpy(s.gpu_link, "pcie");
    strcpy(s.host_link, "pcie");
    strcpy(s.host_device, "host");
    s.host_memory = UINT64_C(64) << 30;
    return s;
}

/* Checks status, code, and that code-built errors carry no position. */
static void expect(llmroof_status st, const llmroof_error *err, llmroof_status want)
{
    ck_assert_msg(st == want, "got %s (%s), want %s", llmroof_status_string(st), err->message,
                  llmroof_status_string(want));
    if (want != LLMROOF_OK) {
        ck_assert_int_eq(err->code, want);
        ck_assert_uint_eq(err->line, 0);
        ck_assert_uint_eq(err->column, 0);
        ck_assert_str_eq(err->file, "");
        ck_assert(strlen(err->message) > 5);
    }
}

#define ADD(kind, cat, x, flags, want)                                                             \
    do {                                                                                           \
        llmroof_error e_;                                                                          \
        llmroof_error_init(&e_);                                                                   \
        expect(llmroof_catalog_add_##kind(cat, x, flags, &e_), &e_, want);                         \
    } while (0)

START_TEST(test_new_free)
{
    llmroof_catalog_free(NULL);
    llmroof_error err;
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_new(NULL, &err), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(err.code, LLMROOF_E_INVALID_ARGUMENT);
    llmroof_catalog *cat = new_cat();
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++) {
        ck_assert_uint_eq(llmroof_catalog_count(cat, s), 0);
        ck_assert_ptr_null(llmroof_catalog_id(cat, s, 0));
    }
    ck_assert_uint_eq(llmroof_catalog_count(cat, -1), 0);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_COUNT), 0);
    ck_assert_uint_eq(llmroof_catalog_count(NULL, 0), 0);
    ck_assert_ptr_null(llmroof_catalog_id(NULL, 0, 0));
    ck_assert_ptr_null(llmroof__find_device(cat, "x"));
    ck_assert_ptr_null(llmroof__find_device(NULL, "x"));
    ck_assert_ptr_null(llmroof__find_device(cat, NULL));
    llmroof_device d;
    llmroof_device_init(&d);
    ck_assert_uint_eq(d.size, sizeof d);
    ck_assert_int_eq(d.kind, 0);
    ck_assert_str_eq(d.id, "");
    llmroof_device_init(NULL);
    llmroof_engine_init(NULL);
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_add_and_get)
{
    llmroof_catalog *cat = new_cat();
    llmroof_device g = gpu("code-gpu"), h = cpu("host");
    llmroof_link l = link_("pcie");
    llmroof_system s = system_("code-box", "code-gpu", 2);
    /* The system refers to devices that are not there yet. */
    ADD(system, cat, &s, 0, LLMROOF_E_REFERENCE);
    ADD(device, cat, &g, 0, LLMROOF_OK);
    ADD(device, cat, &h, 0, LLMROOF_OK);
    ADD(system, cat, &s, 0, LLMROOF_E_REFERENCE); /* the link is missing */
    ADD(link, cat, &l, 0, LLMROOF_OK);
    ADD(system, cat, &s, 0, LLMROOF_OK);
    ck_assert_int_eq(h.backend, LLMROOF_BACKEND_CUDA); /* the caller's struct is untouched */

    llmroof_device out;
    llmroof_device_init(&out);
    llmroof_error err;
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_get_device(cat, "code-gpu", &out, &err), LLMROOF_OK);
    ck_assert_int_eq(memcmp(&out, &g, sizeof out), 0);
    ck_assert_int_eq(llmroof_catalog_get_device(cat, "host", &out, &err), LLMROOF_OK);
    ck_assert_int_eq(out.backend, LLMROOF_BACKEND_CPU);
    h.backend = LLMROOF_BACKEND_CPU;
    ck_assert_int_eq(memcmp(&out, &h, sizeof out), 0);

    llmroof_system so;
    llmroof_system_init(&so);
    ck_assert_int_eq(llmroof_catalog_get_system(cat, "code-box", &so, &err), LLMROOF_OK);
    ck_assert_int_eq(memcmp(&so, &s, sizeof so), 0);
    llmroof_link lo;
    llmroof_link_init(&lo);
    ck_assert_int_eq(llmroof_catalog_get_link(cat, "pcie", &lo, &err), LLMROOF_OK);
    ck_assert(lo.bandwidth == 32e9 && lo.latency == 8e-6);

    /* Not found, with a suggestion. */
    ck_assert_int_eq(llmroof_catalog_get_device(cat, "code-gpv", &out, &err),
                     LLMROOF_E_NOT_FOUND);
    ck_assert_int_eq(err.code, LLMROOF_E_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "did you mean 'code-gpu'"));
    /* First error wins. */
    ck_assert_int_eq(llmroof_catalog_get_link(cat, "nope", &lo, &err), LLMROOF_E_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "code-gpv"));
    /* Size checks. */
    out.size = 8;
    ck_assert_int_eq(llmroof_catalog_get_device(cat, "code-gpu", &out, NULL),
                     LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_catalog_get_device(cat, "code-gpu", NULL, NULL),
                     LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_catalog_get_device(NULL, "code-gpu", &out, NULL),
                     LLMROOF_E_INVALID_ARGUMENT);
    g.size = 4;
    ADD(device, cat, &g, 0, LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_catalog_add_device(cat, NULL, 0, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_catalog_add_device(NULL, &h, 0, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_catalog_add_device(cat, &h, 0x100, NULL),
                     LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_catalog_load_string(cat, NULL, "llmroof: 1\n", 11, 2, NULL),
                     LLMROOF_E_INVALID_ARGUMENT);

    /* A larger caller struct (a newer header) is fine. */
    struct {
        llmroof_device d;
        char more[32];
    } bigger;
    memset(&bigger, 0x5a, sizeof bigger);
    bigger.d = gpu("bigger");
    bigger.d.size = sizeof bigger;
    ADD(device, cat, &bigger.d, 0, LLMROOF_OK);
    ck_assert_uint_eq(llmroof__find_device(cat, "bigger")->size, sizeof(llmroof_device));
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_models_quants_engines)
{
    llmroof_catalog *cat = new_cat();
    llmroof_model m;
    llmroof_model_init(&m);
    strcpy(m.id, "m");
    strcpy(m.name, "M");
    m.layers = 32;
    m.hidden = 4096;
    m.ffn = 14336;
    m.heads = 32;
    m.vocab = 128256;
    m.context = 8192;
    ADD(model, cat, &m, 0, LLMROOF_OK);
    const llmroof_model *mm = llmroof__find_model(cat, "m");
    ck_assert_uint_eq(mm->kv_heads, 32);
    ck_assert_uint_eq(mm->head_dim, 128);
    m.kv_heads = 5;
    strcpy(m.id, "m2");
    ADD(model, cat, &m, 0, LLMROOF_E_RANGE);
    m.kv_heads = 8;
    m.experts = 8;
    ADD(model, cat, &m, 0, LLMROOF_E_RANGE); /* active missing */
    m.experts_active = 2;
    m.expert_ffn = 14336;
    ADD(model, cat, &m, 0, LLMROOF_OK);
    m.layers = 0;
    strcpy(m.id, "m3");
    ADD(model, cat, &m, 0, LLMROOF_E_RANGE);
    m.layers = (1u << 20) + 1; /* -ngl, an int32, counts layers + 1: 2^31 would wrap */
    ADD(model, cat, &m, 0, LLMROOF_E_RANGE);
    m.layers = 1u << 20;
    ADD(model, cat, &m, 0, LLMROOF_OK);

    llmroof_quant q;
    llmroof_quant_init(&q);
    strcpy(q.id, "Q8_0");
    q.bpw = 8.5;
    ADD(quant, cat, &q, 0, LLMROOF_E_SCHEMA); /* kernel */
    strcpy(q.kernel, "q8_0");
    q.quality = -1;
    ADD(quant, cat, &q, 0, LLMROOF_OK);
    q.bpw = NAN;
    strcpy(q.id, "bad");
    ADD(quant, cat, &q, 0, LLMROOF_E_RANGE);
    q.bpw = 65;
    ADD(quant, cat, &q, 0, LLMROOF_E_RANGE);

    llmroof_engine e;
    llmroof_engine_init(&e);
    strcpy(e.id, "eng");
    ADD(engine, cat, &e, 0, LLMROOF_E_SCHEMA); /* no split modes */
    e.split_modes = LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_ROW) | LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_TENSOR);
    ADD(engine, cat, &e, 0, LLMROOF_E_SCHEMA); /* no backends */
    e.backend_count = 1;
    e.backends[0].backend = LLMROOF_BACKEND_METAL;
    e.backends[0].decode_efficiency = 0.7;
    e.backends[0].prefill_efficiency = 0.4;
    e.backends[0].kernel_count = 1;
    strcpy(e.backends[0].kernels[0].kernel, "q4_k");
    e.backends[0].kernels[0].efficiency = 0.6;
    ADD(engine, cat, &e, 0, LLMROOF_OK);
    ck_assert_int_eq(llmroof__find_engine(cat, "eng")->default_split, LLMROOF_SPLIT_ROW);
    strcpy(e.id, "eng2");
    e.default_split = LLMROOF_SPLIT_LAYER; /* not among split_modes */
    ADD(engine, cat, &e, 0, LLMROOF_E_SCHEMA);
    e.default_split = LLMROOF_SPLIT_TENSOR;
    e.backends[0].kernels[0].efficiency = 0;
    ADD(engine, cat, &e, 0, LLMROOF_E_RANGE);
    e.backends[0].kernels[0].efficiency = 0.5;
    e.backend_count = 2;
    e.backends[1] = e.backends[0];
    ADD(engine, cat, &e, 0, LLMROOF_E_DUPLICATE);
    e.backend_count = 1;
    ADD(engine, cat, &e, 0, LLMROOF_OK);

    llmroof_engine eo;
    llmroof_engine_init(&eo);
    ck_assert_int_eq(llmroof_catalog_get_engine(cat, "eng2", &eo, NULL), LLMROOF_OK);
    ck_assert_int_eq(memcmp(&eo, &e, sizeof eo), 0);
    llmroof_quant qo;
    llmroof_quant_init(&qo);
    ck_assert_int_eq(llmroof_catalog_get_quant(cat, "Q8_0", &qo, NULL), LLMROOF_OK);
    ck_assert(qo.bpw == 8.5);
    llmroof_model mo;
    llmroof_model_init(&mo);
    ck_assert_int_eq(llmroof_catalog_get_model(cat, "m2", &mo, NULL), LLMROOF_OK);
    ck_assert_uint_eq(mo.experts_active, 2);
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_validation)
{
    llmroof_catalog *cat = new_cat();
    llmroof_device g = gpu("g"), h = cpu("host");
    llmroof_link l = link_("pcie");
    ADD(device, cat, &g, 0, LLMROOF_OK);
    ADD(device, cat, &h, 0, LLMROOF_OK);
    ADD(link, cat, &l, 0, LLMROOF_OK);

    llmroof_device d = gpu("d");
    d.memory = 0;
    ADD(device, cat, &d, 0, LLMROOF_E_RANGE);
    d = gpu("d");
    d.bandwidth = NAN;
    ADD(device, cat, &d, 0, LLMROOF_E_RANGE);
    d.bandwidth = -1;
    ADD(device, cat, &d, 0, LLMROOF_E_RANGE);
    d.bandwidth = INFINITY;
    ADD(device, cat, &d, 0, LLMROOF_E_RANGE);
    d = gpu("d");
    d.reserved = d.memory;
    ADD(device, cat, &d, 0, LLMROOF_E_RANGE);
    d = gpu("d");
    d.kind = 7;
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA);
    d = gpu("d");
    d.backend = LLMROOF_BACKEND_NONE;
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA);
    d = gpu("d");
    d.gpu_share = 0.5;
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA);
    d = gpu("d");
    d.name[0] = '\0';
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA);
    d = gpu("d");
    memset(d.name, 'x', sizeof d.name); /* not terminated */
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA);
    d = gpu("bad id");
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA);
    d = gpu("d");
    memset(d.id, 'a', sizeof d.id);
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA);
    d = gpu("");
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA);
    d = cpu("c2");
    d.backend = LLMROOF_BACKEND_METAL;
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA);
    d = gpu("u");
    d.kind = LLMROOF_DEVICE_UNIFIED;
    d.backend = LLMROOF_BACKEND_METAL;
    d.memory = 0;
    d.reserved = 0;
    ADD(device, cat, &d, 0, LLMROOF_E_RANGE); /* gpu_share */
    d.gpu_share = 0.75;
    ADD(device, cat, &d, 0, LLMROOF_OK);
    ck_assert(llmroof__find_device(cat, "u")->gpu_share_max == 0.75);
    d = gpu("st");
    d.kind = LLMROOF_DEVICE_STORAGE;
    d.compute_f16 = 0;
    ADD(device, cat, &d, 0, LLMROOF_E_SCHEMA); /* rocm on storage */
    d.backend = LLMROOF_BACKEND_NONE;
    ADD(device, cat, &d, 0, LLMROOF_OK);

    llmroof_system s = system_("s", "g", 2);
    s.gpu_link[0] = '\0';
    ADD(system, cat, &s, 0, LLMROOF_E_SCHEMA); /* gpu_link needed with 2 */
    s = system_("s", "g", 1);
    s.host_link[0] = '\0';
    ADD(system, cat, &s, 0, LLMROOF_E_SCHEMA); /* host_link needed with a gpu */
    s = system_("s", "u", 1);
    s.host_link[0] = '\0';
    ADD(system, cat, &s, 0, LLMROOF_OK); /* unified: no host link */
    s = system_("s2", "host", 1);
    ADD(system, cat, &s, 0, LLMROOF_E_REFERENCE); /* a cpu as accelerator */
    s = system_("s2", "g", 1);
    strcpy(s.host_device, "g");
    ADD(system, cat, &s, 0, LLMROOF_E_REFERENCE); /* a gpu as host */
    s = system_("s2", "g", 1);
    strcpy(s.storage, "g");
    ADD(system, cat, &s, 0, LLMROOF_E_REFERENCE); /* a gpu as storage */
    strcpy(s.storage, "st");
    ADD(system, cat, &s, 0, LLMROOF_OK);
    s = system_("s3", "g", LLMROOF_MAX_DEVICES);
    ADD(system, cat, &s, 0, LLMROOF_OK);
    s.accelerator_count = LLMROOF_MAX_DEVICES + 1;
    strcpy(s.id, "s4");
    ADD(system, cat, &s, 0, LLMROOF_E_RANGE);
    s = system_("s4", "g", 1);
    s.host_memory = 0;
    ADD(system, cat, &s, 0, LLMROOF_E_RANGE);
    s = system_("s4", "g", 1);
    strcpy(s.gpu_link, "nvlink");
    ADD(system, cat, &s, 0, LLMROOF_E_REFERENCE);

    llmroof_link bl = link_("l2");
    bl.latency = -1;
    ADD(link, cat, &bl, 0, LLMROOF_E_RANGE);
    bl = link_("l2");
    bl.bandwidth = 0;
    ADD(link, cat, &bl, 0, LLMROOF_E_RANGE);
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_duplicates_and_override)
{
    llmroof_catalog *cat = new_cat();
    llmroof_device g = gpu("g"), h = cpu("host");
    llmroof_link l = link_("pcie");
    ADD(device, cat, &g, 0, LLMROOF_OK);
    ADD(device, cat, &h, 0, LLMROOF_OK);
    ADD(link, cat, &l, 0, LLMROOF_OK);
    llmroof_system s = system_("s", "g", 2);
    ADD(system, cat, &s, 0, LLMROOF_OK);

    g.bandwidth = 1e12;
    ADD(device, cat, &g, 0, LLMROOF_E_DUPLICATE);
    ck_assert(llmroof__find_device(cat, "g")->bandwidth == 960e9);
    ADD(device, cat, &g, LLMROOF_LOAD_OVERRIDE, LLMROOF_OK);
    ck_assert(llmroof__find_device(cat, "g")->bandwidth == 1e12);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES), 2);
    ck_assert_str_eq(llmroof_catalog_id(cat, LLMROOF_SECTION_DEVICES, 0), "g");
    /* The same id in another section is another thing. */
    llmroof_link gl = link_("g");
    ADD(link, cat, &gl, 0, LLMROOF_OK);
    /* An override that would break system s is refused. */
    llmroof_device c = cpu("g");
    ADD(device, cat, &c, LLMROOF_LOAD_OVERRIDE, LLMROOF_E_REFERENCE);
    ck_assert_int_eq(llmroof__find_device(cat, "g")->kind, LLMROOF_DEVICE_GPU);
    /* Overriding the system itself is fine. */
    s = system_("s", "g", 1);
    ADD(system, cat, &s, LLMROOF_LOAD_OVERRIDE, LLMROOF_OK);
    ck_assert_uint_eq(llmroof__find_system(cat, "s")->accelerator_count, 1);
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_many_entries)
{
    llmroof_catalog *cat = new_cat();
    enum { N = 5000 };
    char id[32];
    for (int i = 0; i < N; i++) {
        llmroof_link l = link_("x");
        snprintf(l.id, sizeof l.id, "link-%d", i);
        l.bandwidth = 1e9 + i;
        ADD(link, cat, &l, 0, LLMROOF_OK);
    }
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_LINKS), N);
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "link-%d", i);
        const llmroof_link *l = llmroof__find_link(cat, id);
        ck_assert_ptr_nonnull(l);
        ck_assert(l->bandwidth == 1e9 + i);
        ck_assert_str_eq(llmroof_catalog_id(cat, LLMROOF_SECTION_LINKS, (uint32_t)i), id);
        snprintf(id, sizeof id, "link-%d-", i);
        ck_assert_ptr_null(llmroof__find_link(cat, id));
    }
    ck_assert_ptr_null(llmroof_catalog_id(cat, LLMROOF_SECTION_LINKS, N));
    llmroof_catalog_free(cat);
}
END_TEST

typedef struct reader_arg {
    const llmroof_catalog *cat;
    int ok;
} reader_arg;

static void *reader(void *p)
{
    reader_arg *a = p;
    char id[32];
    a->ok = 1;
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 100; i++) {
            snprintf(id, sizeof id, "link-%d", i);
            const llmroof_link *l = llmroof__find_link(a->cat, id);
            llmroof_link out;
            llmroof_link_init(&out);
            if (!l || l->bandwidth != 1e9 + i ||
                llmroof_catalog_get_link(a->cat, id, &out, NULL) != LLMROOF_OK ||
                out.bandwidth != l->bandwidth)
                a->ok = 0;
        }
    }
    return NULL;
}

START_TEST(test_concurrent_reads)
{
    llmroof_catalog *cat = new_cat();
    for (int i = 0; i < 100; i++) {
        llmroof_link l = link_("x");
        snprintf(l.id, sizeof l.id, "link-%d", i);
        l.bandwidth = 1e9 + i;
        ADD(link, cat, &l, 0, LLMROOF_OK);
    }
    pthread_t t[4];
    reader_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i].cat = cat;
        ck_assert_int_eq(pthread_create(&t[i], NULL, reader, &a[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ck_assert(a[i].ok);
    }
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_builtin)
{
    llmroof_catalog *cat = new_cat();
    llmroof_error err;
    llmroof_error_init(&err);
    ck_assert_msg(llmroof_catalog_load_builtin(cat, 0, &err) == LLMROOF_OK, "%s:%u:%u: %s",
                  err.file, err.line, err.column, err.message);
    uint32_t counts[LLMROOF_SECTION_COUNT], n = 0;
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++) {
        counts[s] = llmroof_catalog_count(cat, s);
        n += counts[s];
        for (uint32_t i = 0; i < counts[s]; i++)
            ck_assert_ptr_nonnull(llmroof_catalog_id(cat, s, i));
    }
    /* Every system's references resolve with the right kinds. */
    for (uint32_t i = 0; i < counts[LLMROOF_SECTION_SYSTEMS]; i++) {
        const llmroof_system *s =
            llmroof__find_system(cat, llmroof_catalog_id(cat, LLMROOF_SECTION_SYSTEMS, i));
        ck_assert_ptr_nonnull(s);
        for (uint32_t k = 0; k < s->accelerator_count; k++)
            ck_assert_ptr_nonnull(llmroof__find_device(cat, s->accelerators[k]));
        ck_assert_int_eq(llmroof__find_device(cat, s->host_device)->kind, LLMROOF_DEVICE_CPU);
    }
    /* Loading it again: every id is a duplicate, and nothing changes. */
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_builtin(cat, 0, &err),
                     n ? LLMROOF_E_DUPLICATE : LLMROOF_OK);
    if (n)
        ck_assert_str_ne(err.file, "");
    /* With override it replaces each entry by itself. */
    ck_assert_int_eq(llmroof_catalog_load_builtin(cat, LLMROOF_LOAD_OVERRIDE, NULL), LLMROOF_OK);
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++)
        ck_assert_uint_eq(llmroof_catalog_count(cat, s), counts[s]);
    ck_assert_int_eq(llmroof_catalog_load_builtin(NULL, 0, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_catalog_load_builtin(cat, 0x80, NULL), LLMROOF_E_INVALID_ARGUMENT);
    /* Every bundled entry says where its numbers come from. */
    for (uint32_t i = 0; i < counts[LLMROOF_SECTION_DEVICES]; i++)
        ck_assert_str_ne(llmroof__find_device(cat, llmroof_catalog_id(cat, 0, i))->source, "");
    for (uint32_t i = 0; i < counts[LLMROOF_SECTION_LINKS]; i++)
        ck_assert_str_ne(llmroof__find_link(cat, llmroof_catalog_id(cat, 1, i))->source, "");
    for (uint32_t i = 0; i < counts[LLMROOF_SECTION_SYSTEMS]; i++)
        ck_assert_str_ne(llmroof__find_system(cat, llmroof_catalog_id(cat, 2, i))->source, "");
    for (uint32_t i = 0; i < counts[LLMROOF_SECTION_MODELS]; i++)
        ck_assert_str_ne(llmroof__find_model(cat, llmroof_catalog_id(cat, 3, i))->source, "");
    for (uint32_t i = 0; i < counts[LLMROOF_SECTION_QUANTS]; i++)
        ck_assert_str_ne(llmroof__find_quant(cat, llmroof_catalog_id(cat, 4, i))->source, "");
    for (uint32_t i = 0; i < counts[LLMROOF_SECTION_ENGINES]; i++)
        ck_assert_str_ne(llmroof__find_engine(cat, llmroof_catalog_id(cat, 5, i))->source, "");
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_user_file_over_builtin)
{
    /* A user system can name builtin devices when any exist. */
    llmroof_catalog *cat = new_cat();
    ck_assert_int_eq(llmroof_catalog_load_builtin(cat, 0, NULL), LLMROOF_OK);
    const char *gpu_id = NULL, *cpu_id = NULL;
    for (uint32_t i = 0; i < llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES); i++) {
        const char *id = llmroof_catalog_id(cat, LLMROOF_SECTION_DEVICES, i);
        int kind = llmroof__find_device(cat, id)->kind;
        if (kind == LLMROOF_DEVICE_GPU && !gpu_id)
            gpu_id = id;
        if (kind == LLMROOF_DEVICE_CPU && !cpu_id)
            cpu_id = id;
    }
    if (gpu_id && cpu_id) {
        char text[1024];
        snprintf(text, sizeof text,
                 "llmroof: 1\nlinks:\n  my-link: {bandwidth: 10 GB/s, latency: 1 us}\n"
                 "systems:\n  my-box: {name: Mine, accelerators: [{device: %s, count: 3}],"
                 " gpu_link: my-link, host_link: my-link, host: {device: %s, memory: 32 GiB}}\n",
                 gpu_id, cpu_id);
        llmroof_error err;
        llmroof_error_init(&err);
        ck_assert_msg(llmroof_catalog_load_string(cat, "user", text, strlen(text), 0, &err) ==
                          LLMROOF_OK,
                      "%s", err.message);
        ck_assert_uint_eq(llmroof__find_system(cat, "my-box")->accelerator_count, 3);
    }
    llmroof_catalog_free(cat);
}
END_TEST

static const char chaos_yaml[] =
    "llmroof: 1\n"
    "devices:\n"
    "  g: {name: G, kind: gpu, backend: cuda, memory: 24 GiB, bandwidth: 1 TB/s,"
    " compute: {f16: 100 TFLOPS}}\n"
    "  c: {name: C, kind: cpu, bandwidth: 100 GB/s, compute: {f16: 1 TFLOPS}}\n"
    "links:\n  l: {bandwidth: 32 GB/s, latency: 10 us}\n"
    "systems:\n  s: {name: S, accelerators: [{device: g, count: 2}], gpu_link: l,"
    " host_link: l, host: {device: c, memory: 64 GiB}}\n"
    "engines:\n  e: {split_modes: [layer], backends: {cuda: {decode_efficiency: {default: 0.7,"
    " q4_k: 0.6}, prefill_efficiency: 0.5}}}\n";

/* Every allocation in turn fails: the call reports LLMROOF_E_NOMEM, leaks
 * nothing (valgrind / ASan), and leaves the catalog as it was. */
START_TEST(test_allocation_failures)
{
    int succeeded = 0;
    for (long budget = 0; budget < 200 && !succeeded; budget++) {
        alloc_budget = -1;
        llmroof_catalog *cat = new_cat();
        llmroof_link pre = link_("pre");
        ADD(link, cat, &pre, 0, LLMROOF_OK);
        llmroof_error err;
        llmroof_error_init(&err);
        alloc_budget = budget;
        llmroof_status st = llmroof_catalog_load_string(cat, "chaos", chaos_yaml,
                                                        strlen(chaos_yaml), 0, &err);
        alloc_budget = -1;
        if (st == LLMROOF_OK) {
            succeeded = 1;
            ck_assert_msg(budget > 5, "allocation failures were not injected");
            ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES), 2);
            ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_LINKS), 2);
        } else {
            ck_assert_msg(st == LLMROOF_E_NOMEM, "budget %ld: %s", budget, err.message);
            ck_assert_int_eq(err.code, LLMROOF_E_NOMEM);
            ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES), 0);
            ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_LINKS), 1);
            ck_assert_ptr_nonnull(llmroof__find_link(cat, "pre"));
        }
        llmroof_catalog_free(cat);
    }
    ck_assert(succeeded);

    /* The same for entries added from code and for a new catalog. */
    succeeded = 0;
    for (long budget = 0; budget < 50 && !succeeded; budget++) {
        alloc_budget = budget;
        llmroof_catalog *cat = NULL;
        llmroof_status st = llmroof_catalog_new(&cat, NULL);
        if (st == LLMROOF_OK) {
            llmroof_device g = gpu("g");
            st = llmroof_catalog_add_device(cat, &g, 0, NULL);
            if (st == LLMROOF_OK)
                succeeded = 1;
            else
                ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES), 0);
        } else {
            ck_assert_ptr_null(cat);
        }
        ck_assert(st == LLMROOF_OK || st == LLMROOF_E_NOMEM);
        alloc_budget = -1;
        llmroof_catalog_free(cat);
    }
    ck_assert(succeeded);
}
END_TEST

/* Every validation rule of descriptors built in code, one broken field at
 * a time from a valid descriptor (docs/reliability.md: validation code is
 * aimed at full coverage): the status, and the message names the field. */
static llmroof_model rule_model(void)
{
    llmroof_model m;
    llmroof_model_init(&m);
    strcpy(m.id, "m");
    strcpy(m.name, "M");
    m.layers = 32;
    m.hidden = 4096;
    m.ffn = 14336;
    m.heads = 32;
    m.kv_heads = 8;
    m.vocab = 128256;
    m.context = 8192;
    return m;
}

static llmroof_quant rule_quant(void)
{
    llmroof_quant q;
    llmroof_quant_init(&q);
    strcpy(q.id, "q");
    strcpy(q.name, "Q");
    q.bpw = 4.5;
    strcpy(q.kernel, "q4_0");
    return q;
}

static llmroof_engine rule_engine(void)
{
    llmroof_engine e;
    llmroof_engine_init(&e);
    strcpy(e.id, "e");
    strcpy(e.name, "E");
    e.split_modes = LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_LAYER);
    e.backend_count = 1;
    e.backends[0].backend = LLMROOF_BACKEND_CPU;
    e.backends[0].decode_efficiency = 0.5;
    e.backends[0].prefill_efficiency = 0.5;
    /* Error bands at the edges of their range: all valid. */
    llmroof_band *b = e.backends[0].bands;
    b[LLMROOF_PLACEMENT_CPU] = (llmroof_band){0.5, 2.0, 0.4, 2.5, 30, 25, 4, 2};
    b[LLMROOF_PLACEMENT_GPU] = (llmroof_band){1, 1, 0, 0, 0, 0, 0, 0};
    b[LLMROOF_PLACEMENT_OFFLOAD] = (llmroof_band){1e-9, 100, 1, 100, UINT32_MAX, 0, 1, 0};
    return e;
}

typedef struct rule {
    int kind; /* 0 model, 1 quant, 2 engine, 3 device, 4 system */
    void (*mutate)(void *x);
    llmroof_status want;
    const char *says;
} rule;

#define MUT(name, type, body)                                                                      \
    static void name(void *x_)                                                                     \
    {                                                                                              \
        type *x = x_;                                                                              \
        body;                                                                                      \
    }
MUT(m_tied, llmroof_model, x->tied_embeddings = 2)
MUT(m_moe_stray, llmroof_model, x->shared_experts = 1)
MUT(m_dense, llmroof_model, (x->experts = 8, x->experts_active = 2, x->expert_ffn = 1024,
                             x->dense_layers = 33))
MUT(m_attention, llmroof_model, x->attention = 7)
MUT(m_gqa_rope, llmroof_model, x->rope_dim = 64)
MUT(m_swa_alone, llmroof_model, x->sliding_window = 4096)
MUT(m_swa_layers, llmroof_model, (x->sliding_window = 4096, x->sliding_layers = 33))
MUT(q_output, llmroof_quant, x->output_bpw = 65)
MUT(q_expert, llmroof_quant, x->expert_bpw = -1)
MUT(q_kernel_long, llmroof_quant, memset(x->kernel, 'k', sizeof x->kernel))
MUT(q_kernel_chars, llmroof_quant, strcpy(x->kernel, "q4 0"))
MUT(q_format, llmroof_quant, strcpy(x->format, "g g"))
MUT(q_quality_nan, llmroof_quant, x->quality = NAN)
MUT(q_quality_big, llmroof_quant, x->quality = 1e9)
MUT(e_modes, llmroof_engine, x->split_modes |= 1u << 20)
MUT(e_offload, llmroof_engine, x->offloaded_layers = 9)
MUT(e_formats_many, llmroof_engine, x->format_count = LLMROOF_MAX_FORMATS + 1)
MUT(e_format_chars, llmroof_engine, (x->format_count = 1, strcpy(x->formats[0], "a b")))
MUT(e_format_twice, llmroof_engine, (x->format_count = 2, strcpy(x->formats[0], "gguf"),
                                     strcpy(x->formats[1], "gguf")))
MUT(e_backends_many, llmroof_engine, x->backend_count = LLMROOF_MAX_BACKENDS + 1)
MUT(e_kernels_many, llmroof_engine, x->backends[0].kernel_count = LLMROOF_MAX_KERNELS + 1)
MUT(e_kernel_chars, llmroof_engine, (x->backends[0].kernel_count = 1,
                                     strcpy(x->backends[0].kernels[0].kernel, "q 4"),
                                     x->backends[0].kernels[0].efficiency = 0.5))
MUT(e_kernel_twice, llmroof_engine, (x->backends[0].kernel_count = 2,
                                     strcpy(x->backends[0].kernels[0].kernel, "q4_0"),
                                     strcpy(x->backends[0].kernels[1].kernel, "q4_0"),
                                     x->backends[0].kernels[0].efficiency = 0.5,
                                     x->backends[0].kernels[1].efficiency = 0.5))
MUT(e_measured_big, llmroof_engine, x->backends[0].measured_efficiency = 1.5)
MUT(e_measured_nan, llmroof_engine, x->backends[0].measured_efficiency = NAN)
MUT(e_band_lo_above, llmroof_engine, x->backends[0].bands[LLMROOF_PLACEMENT_CPU].decode_lo = 101)
MUT(e_band_hi_below, llmroof_engine, x->backends[0].bands[LLMROOF_PLACEMENT_CPU].decode_hi = 0.49)
MUT(e_band_hi_huge, llmroof_engine, x->backends[0].bands[LLMROOF_PLACEMENT_OFFLOAD].prefill_hi = 101)
MUT(e_band_hi_inf, llmroof_engine, x->backends[0].bands[LLMROOF_PLACEMENT_CPU].decode_hi = INFINITY)
MUT(e_band_lo_nan, llmroof_engine, x->backends[0].bands[LLMROOF_PLACEMENT_CPU].prefill_lo = NAN)
MUT(e_band_lo_negative, llmroof_engine,
    x->backends[0].bands[LLMROOF_PLACEMENT_GPU].decode_lo = -0.5)
MUT(e_band_half, llmroof_engine, x->backends[0].bands[LLMROOF_PLACEMENT_UNIFIED].prefill_hi = 1.5)
MUT(e_backend_kind, llmroof_engine, x->backends[0].backend = LLMROOF_BACKEND_NONE)
MUT(d_bandwidth_kind, llmroof_device, x->bandwidth_kind = 5)
MUT(d_memory_type, llmroof_device, x->memory_type = 9)
MUT(d_memory_huge, llmroof_device, x->memory = UINT64_C(1) << 61)
MUT(d_acc32_above, llmroof_device, x->compute_f16_acc32 = x->compute_f16 * 2)
MUT(d_acc32_nan, llmroof_device, x->compute_f16_acc32 = NAN)
MUT(d_idle_above, llmroof_device, (x->power = 100, x->idle_power = 101))
MUT(d_idle_negative, llmroof_device, x->idle_power = -1)
MUT(s_idle_nan, llmroof_system, x->idle_power = NAN)
MUT(d_cores_gpu, llmroof_device, x->cores = 8)
MUT(e_moe_negative, llmroof_engine, x->backends[0].moe_layer_overhead = -1e-6)
MUT(e_tile_huge, llmroof_engine, x->backends[0].moe_token_tile = 65537)
MUT(e_hbm_negative, llmroof_engine, x->backends[0].hbm_read_penalty = -0.5)
MUT(d_vector_above, llmroof_device, x->compute_f16_vector = x->compute_f16 * 2)
MUT(e_measured_twice, llmroof_engine, (x->backends[0].measured_device_count = 2,
                                       strcpy(x->backends[0].measured_devices[0], "rtx-4090"),
                                       strcpy(x->backends[0].measured_devices[1], "rtx-4090")))
MUT(e_measured_bad_id, llmroof_engine, (x->backends[0].measured_device_count = 1,
                                        strcpy(x->backends[0].measured_devices[0], "no such")))
MUT(e_measured_many, llmroof_engine,
    x->backends[0].measured_device_count = LLMROOF_MAX_MEASURED_DEVICES + 1)
MUT(d_vector_missing, llmroof_device, x->vector_backends = 1u << LLMROOF_BACKEND_VULKAN)
MUT(d_vector_cpu, llmroof_device, (x->compute_f16_vector = x->compute_f16 / 2,
                                   x->vector_backends = 1u << LLMROOF_BACKEND_CPU))
MUT(d_cores_huge, llmroof_device, (x->kind = LLMROOF_DEVICE_CPU, x->backend = LLMROOF_BACKEND_CPU,
                                   x->cores = 70000))
MUT(q_dot_cost_small, llmroof_quant, x->cpu_dot_cost = 0.2)
MUT(q_dot_cost_nan, llmroof_quant, x->cpu_dot_cost = NAN)
MUT(e_tasks_none, llmroof_engine, x->tasks = 0)
MUT(e_tasks_unknown, llmroof_engine, x->tasks = LLMROOF_TASK_LLM | 0x8u)
MUT(s_host_long, llmroof_system, memset(x->host_device, 'h', sizeof x->host_device))
MUT(s_host_chars, llmroof_system, strcpy(x->host_device, "no such/host"))

static const rule rules[] = {
    {0, m_tied, LLMROOF_E_RANGE, "tied_embeddings"},
    {0, m_moe_stray, LLMROOF_E_SCHEMA, "experts is 0"},
    {0, m_dense, LLMROOF_E_RANGE, "dense_layers"},
    {0, m_attention, LLMROOF_E_SCHEMA, "attention kind"},
    {0, m_gqa_rope, LLMROOF_E_SCHEMA, "for attention kind mla"},
    {0, m_swa_alone, LLMROOF_E_SCHEMA, "go together"},
    {0, m_swa_layers, LLMROOF_E_RANGE, "sliding_layers"},
    {1, q_output, LLMROOF_E_RANGE, "output_bpw"},
    {1, q_expert, LLMROOF_E_RANGE, "expert_bpw"},
    {1, q_kernel_long, LLMROOF_E_SCHEMA, "longer than"},
    {1, q_kernel_chars, LLMROOF_E_SCHEMA, "characters other than"},
    {1, q_format, LLMROOF_E_SCHEMA, "format"},
    {1, q_quality_nan, LLMROOF_E_RANGE, "quality"},
    {1, q_quality_big, LLMROOF_E_RANGE, "quality"},
    {2, e_modes, LLMROOF_E_SCHEMA, "may hold only"},
    {2, e_offload, LLMROOF_E_SCHEMA, "offloaded_layers"},
    {2, e_formats_many, LLMROOF_E_RANGE, "formats"},
    {2, e_format_chars, LLMROOF_E_SCHEMA, "format 1"},
    {2, e_format_twice, LLMROOF_E_DUPLICATE, "listed twice"},
    {2, e_backends_many, LLMROOF_E_RANGE, "backends"},
    {2, e_kernels_many, LLMROOF_E_RANGE, "kernel efficiencies"},
    {2, e_kernel_chars, LLMROOF_E_SCHEMA, "kernel names"},
    {2, e_kernel_twice, LLMROOF_E_DUPLICATE, "listed twice"},
    {2, e_measured_big, LLMROOF_E_RANGE, "measured_efficiency"},
    {2, e_measured_nan, LLMROOF_E_RANGE, "measured_efficiency"},
    {2, e_backend_kind, LLMROOF_E_SCHEMA, "not a compute backend"},
    {2, e_band_lo_above, LLMROOF_E_RANGE, "cpu bands.cpu.decode: lo must be in (0, 100]"},
    {2, e_band_hi_below, LLMROOF_E_RANGE, "cpu bands.cpu.decode: hi must be in [lo = 0.5, 100], got 0.49"},
    {2, e_band_hi_huge, LLMROOF_E_RANGE, "bands.offload.prefill: hi must be in [lo = 1, 100], got 101"},
    {2, e_band_hi_inf, LLMROOF_E_RANGE, "bands.cpu.decode: hi must be in [lo = 0.5, 100], got inf"},
    {2, e_band_lo_nan, LLMROOF_E_RANGE, "bands.cpu.prefill: lo must be in (0, 100]"},
    {2, e_band_lo_negative, LLMROOF_E_RANGE, "bands.gpu.decode: lo must be in (0, 100]"},
    {2, e_band_half, LLMROOF_E_RANGE, "bands.unified.prefill: lo must be in (0, 100] (or lo and hi 0"},
    {3, d_bandwidth_kind, LLMROOF_E_SCHEMA, "bandwidth_kind"},
    {3, d_memory_type, LLMROOF_E_SCHEMA, "memory_type"},
    {3, d_memory_huge, LLMROOF_E_RANGE, "1 EiB"},
    {3, d_acc32_above, LLMROOF_E_RANGE, "fp32 accumulation is never faster"},
    {3, d_acc32_nan, LLMROOF_E_RANGE, "compute.f16_acc32"},
    {3, d_idle_above, LLMROOF_E_RANGE, "idle_power (101 W) is above power (100 W)"},
    {3, d_idle_negative, LLMROOF_E_RANGE, "idle_power"},
    {4, s_idle_nan, LLMROOF_E_RANGE, "idle_power"},
    {3, d_cores_gpu, LLMROOF_E_SCHEMA, "cores is for cpu devices only"},
    {2, e_moe_negative, LLMROOF_E_RANGE, "moe_layer_overhead"},
    {2, e_tile_huge, LLMROOF_E_RANGE, "moe_token_tile"},
    {2, e_hbm_negative, LLMROOF_E_RANGE, "hbm_read_penalty"},
    {3, d_vector_above, LLMROOF_E_RANGE, "matrix units never slow a device down"},
    {2, e_measured_twice, LLMROOF_E_DUPLICATE, "measured_devices: 'rtx-4090' is listed twice"},
    {2, e_measured_bad_id, LLMROOF_E_SCHEMA, "entry 0 is not a valid device id"},
    {2, e_measured_many, LLMROOF_E_RANGE, "at most 64 devices"},
    {3, d_vector_missing, LLMROOF_E_SCHEMA, "vector_backends needs compute.f16_vector"},
    {3, d_vector_cpu, LLMROOF_E_SCHEMA, "vector_backends may hold only"},
    {3, d_cores_huge, LLMROOF_E_RANGE, "cores must be at most 65536, got 70000"},
    {1, q_dot_cost_small, LLMROOF_E_RANGE, "cpu_dot_cost must be 0 (not set) or in [0.5, 64]"},
    {1, q_dot_cost_nan, LLMROOF_E_RANGE, "cpu_dot_cost"},
    {2, e_tasks_none, LLMROOF_E_SCHEMA, "tasks must be a non-empty set"},
    {2, e_tasks_unknown, LLMROOF_E_SCHEMA, "tasks must be a non-empty set"},
    {4, s_host_long, LLMROOF_E_SCHEMA, "longer than"},
    {4, s_host_chars, LLMROOF_E_SCHEMA, "not a valid id"},
};

START_TEST(test_validation_rules)
{
    const rule *r = &rules[_i];
    llmroof_catalog *cat = new_cat();
    llmroof_device g = gpu("g"), h = cpu("host");
    llmroof_link l = link_("pcie");
    ADD(device, cat, &g, 0, LLMROOF_OK);
    ADD(device, cat, &h, 0, LLMROOF_OK);
    ADD(link, cat, &l, 0, LLMROOF_OK);
    llmroof_error err;
    for (int broken = 0; broken < 2; broken++) {
        llmroof_model m = rule_model();
        llmroof_quant q = rule_quant();
        llmroof_engine e = rule_engine();
        llmroof_device d = gpu("d");
        llmroof_system s = system_("s", "g", 1);
        void *x = r->kind == 0 ? (void *)&m : r->kind == 1 ? (void *)&q
                : r->kind == 2 ? (void *)&e : r->kind == 3 ? (void *)&d : (void *)&s;
        if (broken)
            r->mutate(x);
        llmroof_error_init(&err);
        llmroof_status st = r->kind == 0 ? llmroof_catalog_add_model(cat, &m, 0, &err)
                          : r->kind == 1 ? llmroof_catalog_add_quant(cat, &q, 0, &err)
                          : r->kind == 2 ? llmroof_catalog_add_engine(cat, &e, 0, &err)
                          : r->kind == 3 ? llmroof_catalog_add_device(cat, &d, 0, &err)
                                         : llmroof_catalog_add_system(cat, &s, 0, &err);
        if (!broken) { /* the base is valid: add it, then take it out again */
            ck_assert_msg(st == LLMROOF_OK, "rule %d base: %s", _i, err.message);
            llmroof_catalog_free(cat);
            cat = new_cat();
            ADD(device, cat, &g, 0, LLMROOF_OK);
            ADD(device, cat, &h, 0, LLMROOF_OK);
            ADD(link, cat, &l, 0, LLMROOF_OK);
            continue;
        }
        expect(st, &err, r->want);
        ck_assert_msg(strstr(err.message, r->says), "rule %d: '%s' lacks '%s'", _i, err.message,
                      r->says);
    }
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES), 2);
    llmroof_catalog_free(cat);
}
END_TEST

static Suite *catalog_suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("catalog");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_new_free);
    tcase_add_test(tc, test_add_and_get);
    tcase_add_test(tc, test_models_quants_engines);
    tcase_add_test(tc, test_validation);
    tcase_add_test(tc, test_duplicates_and_override);
    tcase_add_test(tc, test_many_entries);
    tcase_add_test(tc, test_concurrent_reads);
    tcase_add_test(tc, test_builtin);
    tcase_add_test(tc, test_user_file_over_builtin);
    tcase_add_test(tc, test_allocation_failures);
    tcase_add_loop_test(tc, test_validation_rules, 0, (int)(sizeof rules / sizeof rules[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(catalog_suite());
    srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY from the environment */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
