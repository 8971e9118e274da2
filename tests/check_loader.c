/* YAML loader: golden bad-input fixtures, exact values, limits, all-or-nothing. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Every fixture in tests/data/bad: NAME.yaml beside NAME.expect. */
static const char *const bad_cases[] = {
    "syntax",           "unknown_key",       "missing_field",        "wrong_type",
    "unknown_unit",     "missing_unit",      "negative",             "zero",
    "nan",              "huge",              "above_limit",          "bytes_overflow",
    "fractional_bytes", "hex_number",        "duplicate_id",         "duplicate_key",
    "unknown_enum",     "dangling_reference", "wrong_kind_reference", "missing_gpu_link",
    "too_many_accelerators", "alias_bomb",   "anchor",               "alias",
    "tag",              "deep_nesting",      "non_utf8",             "truncated_string",
    "truncated_flow",   "second_document",   "missing_version",      "wrong_version",
    "root_not_mapping", "empty",             "nul_escape",           "id_invalid",
    "quoted_number",    "int_overflow",      "unknown_section",      "cpu_backend",
    "q_lora_gqa",       "embed_bpw_range",   "duplicate_format",     "bandwidth_kind",
    "measured_efficiency_range", "band_unknown_kind", "band_one_number", "band_three_numbers",
    "band_not_pair",    "band_duplicate_kind", "band_hi_range",     "band_lo_range",
    "band_rows_fraction", "band_not_mapping", "vector_backends_unknown", "cores_on_gpu", "measured_devices_twice",
};
#define N_BAD (sizeof bad_cases / sizeof bad_cases[0])

static const char *const code_names[] = {
    "LLMROOF_OK",          "LLMROOF_E_INVALID_ARGUMENT", "LLMROOF_E_NOMEM",
    "LLMROOF_E_IO",        "LLMROOF_E_SYNTAX",           "LLMROOF_E_SCHEMA",
    "LLMROOF_E_UNIT",      "LLMROOF_E_RANGE",            "LLMROOF_E_DUPLICATE",
    "LLMROOF_E_REFERENCE", "LLMROOF_E_LIMIT",            "LLMROOF_E_NOT_FOUND",
    "LLMROOF_E_UNSUPPORTED", "LLMROOF_E_VERSION",        NULL,
};

static const char *data_dir(void)
{
    const char *d = getenv("LLMROOF_TEST_DATA");
    return d ? d : "tests/data";
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static uint32_t total(const llmroof_catalog *cat)
{
    uint32_t n = 0;
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++)
        n += llmroof_catalog_count(cat, s);
    return n;
}

static llmroof_catalog *new_cat(void)
{
    llmroof_catalog *cat = NULL;
    ck_assert_int_eq(llmroof_catalog_new(&cat, NULL), LLMROOF_OK);
    return cat;
}

/* A catalog holding one link, "pre-existing": a failed load must leave
 * exactly that. */
static llmroof_catalog *cat_with_link(void)
{
    llmroof_catalog *cat = new_cat();
    llmroof_link l;
    llmroof_link_init(&l);
    strcpy(l.id, "pre-existing");
    l.bandwidth = 1e9;
    ck_assert_int_eq(llmroof_catalog_add_link(cat, &l, 0, NULL), LLMROOF_OK);
    return cat;
}

static const char good_yaml[] =
    "llmroof: 1\n"
    "systems:\n" /* before the devices it names: references resolve per file */
    "  dual:\n"
    "    name: Dual GPU box\n"
    "    accelerators: [{device: gpu-a, count: 2}]\n"
    "    gpu_link: pcie\n"
    "    host_link: pcie\n"
    "    host: {device: cpu-a, memory: 64 GiB}\n"
    "    storage: nvme\n"
    "    power: 150 W\n"
    "    price: 3999 USD\n"
    "devices:\n"
    "  gpu-a:\n"
    "    name: Test GPU\n"
    "    kind: gpu\n"
    "    backend: cuda\n"
    "    memory: 24 GiB\n"
    "    reserved: 0.5 GiB\n"
    "    bandwidth: 1008 GB/s\n"
    "    compute: {f16: 165.2 TFLOPS, int8: 660.6 TOPS}\n"
    "    power: 450 W\n"
    "    price: 1599 USD\n"
    "    source: \"vendor specification\"\n"
    "  cpu-a:\n"
    "    name: Test CPU\n"
    "    kind: cpu\n"
    "    bandwidth: 89.6 GB/s\n"
    "    bandwidth_kind: measured\n"
    "    compute: {f16: 2 TFLOPS}\n"
    "  soc:\n"
    "    name: Test SoC\n"
    "    kind: unified\n"
    "    backend: metal\n"
    "    memory: 512 GB\n"
    "    bandwidth: 819 GB/s\n"
    "    compute: {f16: 57 TFLOPS}\n"
    "    gpu_share: 0.75\n"
    "  nvme:\n"
    "    name: NVMe\n"
    "    kind: storage\n"
    "    bandwidth: 7 GB/s\n"
    "links:\n"
    "  pcie: {bandwidth: 31.5 GB/s, latency: 10 us, name: PCIe 4.0 x16}\n"
    "models:\n"
    "  m8b:\n"
    "    name: Model 8B\n"
    "    layers: 32\n"
    "    hidden: 4096\n"
    "    ffn: 14336\n"
    "    heads: 32\n"
    "    vocab: 128256\n"
    "    context: 131072\n"
    "    params: 8.03e9\n"
    "  moe:\n"
    "    name: MoE\n"
    "    layers: 61\n"
    "    hidden: 7168\n"
    "    ffn: 18432\n"
    "    heads: 128\n"
    "    kv_heads: 128\n"
    "    head_dim: 192\n"
    "    vocab: 129280\n"
    "    context: 163840\n"
    "    tied_embeddings: false\n"
    "    moe: {experts: 256, active: 8, expert_ffn: 2048, shared_experts: 1, dense_layers: 3}\n"
    "    attention: {kind: mla, kv_lora_rank: 512, rope_dim: 64, q_lora_rank: 1536}\n"
    "quants:\n"
    "  Q4_K_M: {bpw: 4.89, kernel: q4_k, quality: 0.0535, embed_bpw: 4.5, output_bpw: 6.5625}\n"
    "  F16: {bpw: 16, kernel: f16}\n"
    "engines:\n"
    "  llama.cpp:\n"
    "    split_modes: [row, layer, none]\n"
    "    backends:\n"
    "      cuda:\n"
    "        decode_efficiency: {default: 0.75, q4_k: 0.6, q8_0: 0.7}\n"
    "        prefill_efficiency: {default: 0.5, f16: 0.55}\n"
    "        per_layer_overhead: 10 us\n"
    "        runtime_overhead: 400 MiB\n"
    "        hop_overhead: 230 us\n"
    "        bandwidth_cap: 1075 GB/s\n"
    "        bands:\n"
    "          gpu: {decode: [0.84, 1.19], prefill: [0.62, 1.41], rows: [212, 180], sources: 9,"
    " moe_rows: 14}\n"
    "          multi_gpu:\n"
    "            decode: [0.7, 1.3]\n"
    "            rows: [40, 0]\n"
    "            sources: 3\n"
    "      cpu: {decode_efficiency: 0.5, prefill_efficiency: 0.25, measured_efficiency: 0.9}\n"
    "  vllm:\n"
    "    split_modes: [tensor]\n"
    "    default_split: tensor\n"
    "    offloaded_layers: none\n"
    "    backends: {cuda: {decode_efficiency: 0.8, prefill_efficiency: 0.6}}\n";

START_TEST(test_bad_fixtures)
{
    size_t i = (size_t)_i;
    char path[1024], expect_path[1024];
    snprintf(path, sizeof path, "%s/bad/%s.yaml", data_dir(), bad_cases[i]);
    snprintf(expect_path, sizeof expect_path, "%s/bad/%s.expect", data_dir(), bad_cases[i]);
    FILE *f = fopen(expect_path, "r");
    ck_assert_msg(f != NULL, "missing %s", expect_path);
    char code_name[64];
    unsigned line = 0, column = 0;
    ck_assert_int_eq(fscanf(f, "%63s %u %u", code_name, &line, &column), 3);
    fclose(f);
    int code = -1;
    for (int c = 0; code_names[c]; c++)
        if (strcmp(code_names[c], code_name) == 0)
            code = c;
    ck_assert_msg(code > 0, "%s: bad code %s", expect_path, code_name);

    /* A catalog that already holds something: it must come out unchanged. */
    llmroof_catalog *cat = cat_with_link();

    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_status st = llmroof_catalog_load_file(cat, path, 0, &err);
    ck_assert_msg((int)st == code && err.code == code, "%s: got %s (%s) at %u:%u, want %s",
                  bad_cases[i], llmroof_status_string(st), err.message, err.line, err.column,
                  code_name);
    ck_assert_msg(err.line == line && err.column == column, "%s: at %u:%u, want %u:%u (%s)",
                  bad_cases[i], err.line, err.column, line, column, err.message);
    ck_assert_str_eq(err.file, path);
    ck_assert(strlen(err.message) > 10);
    ck_assert_ptr_null(strchr(err.message, '\n'));
    ck_assert_uint_eq(total(cat), 1);
    if (strcmp(bad_cases[i], "unknown_key") == 0 || strcmp(bad_cases[i], "unknown_enum") == 0)
        ck_assert_msg(strstr(err.message, "did you mean") != NULL, "%s", err.message);

    /* The same text from memory gives the same answer. */
    size_t len;
    char *text = slurp(path, &len);
    llmroof_error err2;
    llmroof_error_init(&err2);
    st = llmroof_catalog_load_string(cat, bad_cases[i], text, len, 0, &err2);
    ck_assert_int_eq(st, code);
    ck_assert_uint_eq(err2.line, line);
    ck_assert_uint_eq(err2.column, column);
    ck_assert_str_eq(err2.file, bad_cases[i]);
    ck_assert_str_eq(err2.message, err.message);
    ck_assert_uint_eq(total(cat), 1);
    free(text);
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_fixture_list_complete)
{
    /* Every .yaml under bad/ is in the list above, and has its .expect. */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/bad", data_dir());
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    unsigned n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        int listed = 0;
        for (size_t i = 0; i < N_BAD; i++)
            if (strlen(bad_cases[i]) == len - 5 && !strncmp(bad_cases[i], de->d_name, len - 5))
                listed = 1;
        ck_assert_msg(listed, "%s is not in bad_cases", de->d_name);
        n++;
    }
    closedir(d);
    ck_assert_uint_eq(n, N_BAD);
}
END_TEST

START_TEST(test_good_values)
{
    llmroof_catalog *cat = new_cat();
    llmroof_error err;
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_string(cat, "good", good_yaml, strlen(good_yaml), 0,
                                                 &err),
                     LLMROOF_OK);
    ck_assert_int_eq(err.code, LLMROOF_OK);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES), 4);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_LINKS), 1);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_SYSTEMS), 1);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_MODELS), 2);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_QUANTS), 2);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_ENGINES), 2);
    ck_assert_str_eq(llmroof_catalog_id(cat, LLMROOF_SECTION_DEVICES, 0), "gpu-a");
    ck_assert_str_eq(llmroof_catalog_id(cat, LLMROOF_SECTION_DEVICES, 3), "nvme");

    const llmroof_device *d = llmroof__find_device(cat, "gpu-a");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->name, "Test GPU");
    ck_assert_int_eq(d->kind, LLMROOF_DEVICE_GPU);
    ck_assert_int_eq(d->backend, LLMROOF_BACKEND_CUDA);
    ck_assert_uint_eq(d->memory, UINT64_C(25769803776));
    ck_assert_uint_eq(d->reserved, UINT64_C(536870912));
    ck_assert(d->bandwidth == 1.008e12);
    ck_assert(d->compute_f16 == 165.2e12);
    ck_assert(d->compute_int8 == 660.6e12);
    ck_assert(d->power == 450.0);
    ck_assert(d->price == 1599.0);
    ck_assert(d->gpu_share == 0 && d->gpu_share_max == 0);
    ck_assert_str_eq(d->source, "vendor specification");
    ck_assert_int_eq(d->bandwidth_kind, LLMROOF_BANDWIDTH_NOMINAL); /* default */
    ck_assert_uint_eq(d->size, sizeof(llmroof_device));

    d = llmroof__find_device(cat, "cpu-a");
    ck_assert_int_eq(d->kind, LLMROOF_DEVICE_CPU);
    ck_assert_int_eq(d->backend, LLMROOF_BACKEND_CPU); /* default for cpu */
    ck_assert_int_eq(d->bandwidth_kind, LLMROOF_BANDWIDTH_MEASURED);
    ck_assert_uint_eq(d->memory, 0);
    d = llmroof__find_device(cat, "soc");
    ck_assert_int_eq(d->kind, LLMROOF_DEVICE_UNIFIED);
    ck_assert_uint_eq(d->memory, UINT64_C(512000000000));
    ck_assert(d->gpu_share == 0.75 && d->gpu_share_max == 0.75); /* default: gpu_share */
    d = llmroof__find_device(cat, "nvme");
    ck_assert_int_eq(d->backend, LLMROOF_BACKEND_NONE);
    ck_assert(d->bandwidth == 7e9);

    const llmroof_link *l = llmroof__find_link(cat, "pcie");
    ck_assert(l->bandwidth == 31.5e9);
    ck_assert(l->latency == 1e-5);
    ck_assert_str_eq(l->name, "PCIe 4.0 x16");

    const llmroof_system *s = llmroof__find_system(cat, "dual");
    ck_assert_uint_eq(s->accelerator_count, 2);
    ck_assert_str_eq(s->accelerators[0], "gpu-a");
    ck_assert_str_eq(s->accelerators[1], "gpu-a");
    ck_assert_str_eq(s->gpu_link, "pcie");
    ck_assert_str_eq(s->host_link, "pcie");
    ck_assert_str_eq(s->host_device, "cpu-a");
    ck_assert_uint_eq(s->host_memory, UINT64_C(68719476736));
    ck_assert_str_eq(s->storage, "nvme");
    ck_assert(s->power == 150 && s->price == 3999);

    const llmroof_model *m = llmroof__find_model(cat, "m8b");
    ck_assert_uint_eq(m->layers, 32);
    ck_assert_uint_eq(m->kv_heads, 32);  /* default: heads */
    ck_assert_uint_eq(m->head_dim, 128); /* default: hidden / heads */
    ck_assert_uint_eq(m->vocab, 128256);
    ck_assert(m->params == 8.03e9);
    ck_assert_uint_eq(m->experts, 0);
    ck_assert_int_eq(m->attention, LLMROOF_ATTENTION_GQA);
    m = llmroof__find_model(cat, "moe");
    ck_assert_uint_eq(m->head_dim, 192);
    ck_assert_uint_eq(m->experts, 256);
    ck_assert_uint_eq(m->experts_active, 8);
    ck_assert_uint_eq(m->expert_ffn, 2048);
    ck_assert_uint_eq(m->shared_experts, 1);
    ck_assert_uint_eq(m->dense_layers, 3);
    ck_assert_int_eq(m->attention, LLMROOF_ATTENTION_MLA);
    ck_assert_uint_eq(m->kv_lora_rank, 512);
    ck_assert_uint_eq(m->rope_dim, 64);
    ck_assert_uint_eq(m->q_lora_rank, 1536);

    const llmroof_quant *q = llmroof__find_quant(cat, "Q4_K_M");
    ck_assert(q->bpw == 4.89);
    ck_assert_str_eq(q->kernel, "q4_k");
    ck_assert(q->quality == 0.0535);
    ck_assert(q->embed_bpw == 4.5 && q->output_bpw == 6.5625);
    q = llmroof__find_quant(cat, "F16");
    ck_assert(q->quality < 0); /* unknown */

    const llmroof_engine *e = llmroof__find_engine(cat, "llama.cpp");
    ck_assert_uint_eq(e->split_modes, LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_LAYER) |
                                          LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_ROW) |
                                          LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_NONE));
    ck_assert_int_eq(e->default_split, LLMROOF_SPLIT_ROW); /* the first listed */
    ck_assert_int_eq(e->offloaded_layers, LLMROOF_OFFLOAD_HOST_COMPUTE);
    ck_assert_uint_eq(e->backend_count, 2);
    ck_assert_int_eq(e->backends[0].backend, LLMROOF_BACKEND_CUDA);
    ck_assert(e->backends[0].decode_efficiency == 0.75);
    ck_assert_uint_eq(e->backends[0].kernel_count, 2);
    ck_assert_str_eq(e->backends[0].kernels[0].kernel, "q4_k");
    ck_assert(e->backends[0].kernels[0].efficiency == 0.6);
    ck_assert_str_eq(e->backends[0].kernels[1].kernel, "q8_0");
    ck_assert(e->backends[0].prefill_efficiency == 0.5);
    ck_assert_uint_eq(e->backends[0].prefill_kernel_count, 1);
    ck_assert_str_eq(e->backends[0].prefill_kernels[0].kernel, "f16");
    ck_assert(e->backends[0].prefill_kernels[0].efficiency == 0.55);
    ck_assert_uint_eq(e->backends[1].prefill_kernel_count, 0);
    ck_assert(e->backends[0].per_layer_overhead == 1e-5);
    ck_assert_uint_eq(e->backends[0].runtime_overhead, UINT64_C(419430400));
    ck_assert(e->backends[0].hop_overhead == 230e-6);
    ck_assert(e->backends[0].bandwidth_cap == 1075e9);
    ck_assert_int_eq(e->backends[1].backend, LLMROOF_BACKEND_CPU);
    ck_assert(e->backends[1].hop_overhead == 0 && e->backends[1].bandwidth_cap == 0);
    ck_assert(e->backends[1].decode_efficiency == 0.5);
    ck_assert(e->backends[1].measured_efficiency == 0.9);
    ck_assert(e->backends[0].measured_efficiency == 0); /* not given */
    ck_assert_uint_eq(e->backends[1].kernel_count, 0);
    /* Error bands: by placement kind, the rest all 0. */
    const llmroof_band *band = &e->backends[0].bands[LLMROOF_PLACEMENT_GPU];
    ck_assert(band->decode_lo == 0.84 && band->decode_hi == 1.19);
    ck_assert(band->prefill_lo == 0.62 && band->prefill_hi == 1.41);
    ck_assert_uint_eq(band->decode_rows, 212);
    ck_assert_uint_eq(band->prefill_rows, 180);
    ck_assert_uint_eq(band->sources, 9);
    ck_assert_uint_eq(band->moe_rows, 14);
    band = &e->backends[0].bands[LLMROOF_PLACEMENT_MULTI_GPU];
    ck_assert(band->decode_lo == 0.7 && band->decode_hi == 1.3);
    ck_assert(band->prefill_lo == 0 && band->prefill_hi == 0);
    ck_assert_uint_eq(band->decode_rows, 40);
    ck_assert_uint_eq(band->prefill_rows, 0);
    ck_assert_uint_eq(band->sources, 3);
    ck_assert_uint_eq(band->moe_rows, 0);
    static const llmroof_band zero;
    for (int k = LLMROOF_PLACEMENT_UNIFIED; k < LLMROOF_PLACEMENT_COUNT; k++)
        ck_assert(memcmp(&e->backends[0].bands[k], &zero, sizeof zero) == 0);
    for (int k = 0; k < LLMROOF_PLACEMENT_COUNT; k++)
        ck_assert(memcmp(&e->backends[1].bands[k], &zero, sizeof zero) == 0);
    e = llmroof__find_engine(cat, "vllm");
    ck_assert_int_eq(e->default_split, LLMROOF_SPLIT_TENSOR);
    ck_assert_int_eq(e->offloaded_layers, LLMROOF_OFFLOAD_NONE);
    llmroof_catalog_free(cat);
}
END_TEST

/* Loads `text` into cat and checks the outcome. */
static llmroof_error load(llmroof_catalog *cat, const char *text, uint32_t flags,
                          llmroof_status want)
{
    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_status st = llmroof_catalog_load_string(cat, "mem.yaml", text, strlen(text), flags,
                                                    &err);
    ck_assert_msg(st == want, "got %s (%s at %u:%u), want %s", llmroof_status_string(st),
                  err.message, err.line, err.column, llmroof_status_string(want));
    return err;
}

START_TEST(test_all_or_nothing)
{
    llmroof_catalog *cat = new_cat();
    load(cat, good_yaml, 0, LLMROOF_OK);
    uint32_t before = total(cat);
    /* Many valid new entries, then an error on the last line. */
    char *text = malloc(1 << 16);
    ck_assert_ptr_nonnull(text);
    size_t n = (size_t)sprintf(text, "llmroof: 1\nlinks:\n");
    for (int i = 0; i < 200; i++)
        n += (size_t)sprintf(text + n, "  l%d: {bandwidth: %d GB/s, latency: 1 us}\n", i, i + 1);
    sprintf(text + n, "  last: {bandwidth: 1 GB/s, latency: 1 parsec}\n");
    llmroof_error err = load(cat, text, 0, LLMROOF_E_UNIT);
    ck_assert_uint_eq(err.line, 203);
    ck_assert_uint_eq(total(cat), before);
    ck_assert_ptr_null(llmroof__find_link(cat, "l0"));
    /* A reference error found only at commit time also leaves nothing. */
    sprintf(text + n, "systems:\n  s: {name: S, host: {device: nowhere, memory: 1 GiB}}\n");
    err = load(cat, text, 0, LLMROOF_E_REFERENCE);
    ck_assert_uint_eq(err.line, 204);
    ck_assert_uint_eq(total(cat), before);
    /* Fixed, it loads whole. */
    sprintf(text + n, "  last: {bandwidth: 1 GB/s, latency: 1 ms}\n");
    load(cat, text, 0, LLMROOF_OK);
    ck_assert_uint_eq(total(cat), before + 201);
    free(text);
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_multi_file_merge)
{
    llmroof_catalog *cat = new_cat();
    char path[1024];
    const char *a = "llmroof: 1\n"
                    "devices:\n"
                    "  g: {name: G, kind: gpu, backend: rocm, memory: 48 GiB, bandwidth: 864 GB/s,"
                    " compute: {f16: 100 TFLOPS}}\n"
                    "  c: {name: C, kind: cpu, bandwidth: 100 GB/s, compute: {f16: 1 TFLOPS}}\n"
                    "links:\n  x: {bandwidth: 64 GB/s, latency: 5 us}\n";
    const char *b = "llmroof: 1\n"
                    "systems:\n"
                    "  box: {name: Box, accelerators: [{device: g}], host_link: x,"
                    " host: {device: c, memory: 128 GiB}}\n";
    snprintf(path, sizeof path, "/tmp/llmroof-check-loader-%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(a, f);
    fclose(f);
    llmroof_error err;
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_file(cat, path, 0, &err), LLMROOF_OK);
    unlink(path);
    load(cat, b, 0, LLMROOF_OK); /* references into the first file */
    ck_assert_str_eq(llmroof__find_system(cat, "box")->accelerators[0], "g");

    /* The same id again in a later file is a duplicate... */
    const char *c = "llmroof: 1\n"
                    "links:\n  y: {bandwidth: 1 GB/s, latency: 1 us}\n"
                    "  x: {bandwidth: 900 GB/s, latency: 1 us}\n";
    err = load(cat, c, 0, LLMROOF_E_DUPLICATE);
    ck_assert_uint_eq(err.line, 4);
    ck_assert_uint_eq(err.column, 3);
    ck_assert_str_eq(err.file, "mem.yaml");
    ck_assert_ptr_nonnull(strstr(err.message, "'x'"));
    ck_assert_ptr_null(llmroof__find_link(cat, "y"));
    /* ... unless the caller asks for override: then it replaces in place. */
    load(cat, c, LLMROOF_LOAD_OVERRIDE, LLMROOF_OK);
    ck_assert(llmroof__find_link(cat, "x")->bandwidth == 900e9);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_LINKS), 2);
    ck_assert_str_eq(llmroof_catalog_id(cat, LLMROOF_SECTION_LINKS, 0), "x");
    ck_assert_str_eq(llmroof_catalog_id(cat, LLMROOF_SECTION_LINKS, 1), "y");
    /* Twice in one file is an error even with override. */
    const char *twice = "llmroof: 1\nlinks:\n  z: {bandwidth: 1 GB/s, latency: 1 us}\n"
                        "  z: {bandwidth: 2 GB/s, latency: 1 us}\n";
    load(cat, twice, LLMROOF_LOAD_OVERRIDE, LLMROOF_E_DUPLICATE);
    /* An override that breaks a system already in the catalog is refused. */
    const char *breaks = "llmroof: 1\ndevices:\n"
                         "  c: {name: C, kind: storage, bandwidth: 1 GB/s}\n";
    err = load(cat, breaks, LLMROOF_LOAD_OVERRIDE, LLMROOF_E_REFERENCE);
    ck_assert_uint_eq(err.line, 3);
    ck_assert_ptr_nonnull(strstr(err.message, "box"));
    ck_assert_int_eq(llmroof__find_device(cat, "c")->kind, LLMROOF_DEVICE_CPU);
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_limits)
{
    llmroof_catalog *cat = new_cat();
    /* A scalar over 64 KiB. */
    size_t big = 70 * 1024;
    char *text = malloc(big + 256);
    ck_assert_ptr_nonnull(text);
    int n = sprintf(text, "llmroof: 1\nlinks:\n  x: {bandwidth: 1 GB/s, latency: 1 us, source: ");
    memset(text + n, 'a', big);
    strcpy(text + n + big, "}\n");
    llmroof_error err = load(cat, text, 0, LLMROOF_E_LIMIT);
    ck_assert_uint_eq(err.line, 3);
    free(text);

    /* More than 100 000 entries in one mapping. */
    size_t cap = 110000 * 16;
    text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t len = (size_t)sprintf(text, "llmroof: 1\n");
    for (int i = 0; i <= 100000; i++)
        len += (size_t)sprintf(text + len, "k%d: 1\n", i);
    err = load(cat, text, 0, LLMROOF_E_LIMIT);
    ck_assert_uint_eq(err.line, 100001); /* the 100 001st entry */
    free(text);

    /* A text over 16 MiB is refused before parsing. */
    len = (16u << 20) + 1;
    text = malloc(len);
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', len);
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_string(cat, "big", text, len, 0, &err),
                     LLMROOF_E_LIMIT);
    free(text);

    /* A regular file over the cap (a 17 MiB hole): the read loop stops at
     * the cap.  /dev/zero, which never ends, is not a regular file: refused
     * before any read (issue 14). */
    char huge[] = "/tmp/llmroof-check-big-XXXXXX";
    int fd = mkstemp(huge);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 17 << 20), 0);
    close(fd);
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_file(cat, huge, 0, &err), LLMROOF_E_LIMIT);
    ck_assert_str_eq(err.file, huge);
    unlink(huge);
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_file(cat, "/dev/zero", 0, &err), LLMROOF_E_IO);
    ck_assert_str_eq(err.file, "/dev/zero");
    ck_assert_ptr_nonnull(strstr(err.message, "not a regular file"));
    ck_assert_uint_eq(total(cat), 0);
    llmroof_catalog_free(cat);
}
END_TEST

/* Each limit on both sides (docs/reliability.md): accepted at N (the
 * limit passes it on; the file may still fail a later check), rejected
 * with LLMROOF_E_LIMIT at N + 1. */
static char *repeat_text(const char *head, const char *unit, size_t count, const char *tail)
{
    size_t len = strlen(head) + strlen(unit) * count + strlen(tail) + 1;
    char *t = malloc(len), *q = t;
    ck_assert_ptr_nonnull(t);
    q += sprintf(q, "%s", head);
    for (size_t i = 0; i < count; i++)
        q += sprintf(q, "%s", unit);
    strcpy(q, tail);
    return t;
}

static llmroof_status load_status(llmroof_catalog *cat, const char *text, size_t len,
                                  llmroof_error *err)
{
    llmroof_error_init(err);
    return llmroof_catalog_load_string(cat, "edge.yaml", text, len, 0, err);
}

START_TEST(test_limits_both_sides)
{
    llmroof_catalog *cat = new_cat();
    llmroof_error err;
    char *t;

    /* Scalar length: 65 536 bytes pass the limit (and then fail the
     * 511-byte source field), 65 537 do not. */
    for (size_t n = 65536; n <= 65537; n++) {
        t = repeat_text("llmroof: 1\nlinks:\n  x: {bandwidth: 1 GB/s, source: ", "a", n, "}\n");
        llmroof_status st = load_status(cat, t, strlen(t), &err);
        if (n == 65536)
            ck_assert_msg(st != LLMROOF_E_LIMIT && strstr(err.message, "longer than 511"), "%s",
                          err.message);
        else
            ck_assert_msg(st == LLMROOF_E_LIMIT && err.line == 3, "%s", err.message);
        free(t);
    }

    /* Nesting: 16 levels pass (then 'x' is no section), 17 do not. */
    for (int d = 16; d <= 17; d++) {
        char open[32] = "", close[32] = "";
        for (int i = 1; i < d; i++) {
            strcat(open, "[");
            strcat(close, "]");
        }
        char text[128];
        snprintf(text, sizeof text, "llmroof: 1\nx: %s%s\n", open, close);
        llmroof_status st = load_status(cat, text, strlen(text), &err);
        if (d == 16)
            ck_assert_msg(st == LLMROOF_E_SCHEMA && strstr(err.message, "'x'"), "%s",
                          err.message);
        else
            ck_assert_msg(st == LLMROOF_E_LIMIT && strstr(err.message, "nesting"), "%s",
                          err.message);
    }

    /* Entries per mapping: 100 000 links load, 100 001 do not. */
    for (int n = 100000; n <= 100001; n++) {
        size_t cap = (size_t)n * 64 + 64, len = 0;
        t = malloc(cap);
        ck_assert_ptr_nonnull(t);
        len += (size_t)sprintf(t, "llmroof: 1\nlinks:\n");
        for (int i = 0; i < n; i++)
            len += (size_t)sprintf(t + len, "  l%d: {bandwidth: 1 GB/s, latency: 1 us}\n", i);
        llmroof_status st = load_status(cat, t, len, &err);
        if (n == 100000) {
            ck_assert_msg(st == LLMROOF_OK, "%s", err.message);
            ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_LINKS), 100000);
        } else {
            ck_assert_msg(st == LLMROOF_E_LIMIT && err.line == 100001 + 2, "%s at %u",
                          err.message, err.line);
        }
        free(t);
    }
    llmroof_catalog_free(cat);
    cat = new_cat();

    /* Items per sequence: 100 000 pass (then split_modes repeats a mode),
     * 100 001 do not. */
    for (size_t n = 100000; n <= 100001; n++) {
        t = repeat_text("llmroof: 1\nengines:\n  e:\n    split_modes: [layer", ", layer", n - 1,
                        "]\n");
        llmroof_status st = load_status(cat, t, strlen(t), &err);
        if (n == 100000)
            ck_assert_msg(st != LLMROOF_E_LIMIT, "%s", err.message);
        else
            ck_assert_msg(st == LLMROOF_E_LIMIT, "%s", err.message);
        free(t);
    }

    /* File size: exactly 16 MiB is read (a comment pads it), one byte more
     * is refused, from memory and from a file. */
    for (size_t len = 16u << 20; len <= (16u << 20) + 1; len++) {
        t = malloc(len + 1);
        ck_assert_ptr_nonnull(t);
        memset(t, '#', len);
        memcpy(t, "llmroof: 1\n", 11);
        t[len - 1] = '\n';
        llmroof_status want = len == 16u << 20 ? LLMROOF_OK : LLMROOF_E_LIMIT;
        ck_assert_int_eq(load_status(cat, t, len, &err), want);
        char path[256];
        snprintf(path, sizeof path, "/tmp/llmroof-edge-%d.yaml", (int)getpid());
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(t, 1, len, f), len);
        fclose(f);
        llmroof_error_init(&err);
        ck_assert_int_eq(llmroof_catalog_load_file(cat, path, 0, &err), want);
        unlink(path);
        free(t);
    }
    ck_assert_uint_eq(total(cat), 0);
    llmroof_catalog_free(cat);
}
END_TEST

/* A file cut short anywhere leaves the catalog as it was: every prefix of
 * a valid file either loads (a prefix can be valid YAML) or changes
 * nothing. */
START_TEST(test_truncated_prefixes)
{
    size_t len = strlen(good_yaml);
    unsigned loaded = 0;
    for (size_t n = 0; n < len; n++) {
        llmroof_catalog *cat = cat_with_link();
        llmroof_error err;
        llmroof_error_init(&err);
        llmroof_status st = llmroof_catalog_load_string(cat, "cut.yaml", good_yaml, n, 0, &err);
        if (st == LLMROOF_OK)
            loaded++;
        else
            ck_assert_msg(total(cat) == 1, "prefix %zu: %s, yet the catalog changed", n,
                          err.message);
        llmroof_catalog_free(cat);
    }
    ck_assert_uint_lt(loaded, len / 4); /* most prefixes are errors */
}
END_TEST

/* An image model and an image engine with every key (docs/yaml.md).  Every
 * prefix either loads or changes nothing, and every scalar value replaced
 * by a sequence is refused at that value's line and column. */
static const char image_yaml[] =
    "llmroof: 1\n"
    "image_models:\n"
    "  pic:\n"
    "    name: Picture model\n"
    "    resolution: {width: 512, height: 512}\n"
    "    steps: 20\n"
    "    guidance: 2\n"
    "    denoiser: {name: UNet, params: 8.6e8, bits: 16, flops: 1.6e12, activation: 1 GiB}\n"
    "    attention_flops: 2e11\n"
    "    encoders:\n"
    "      - {name: CLIP, params: 1.2e8, bits: 16, flops: 1e10, activation: 64 MiB}\n"
    "      - {name: T5, params: 4.7e9, bits: 16}\n"
    "    vae: {name: VAE, params: 5e7, bits: 16, flops: 1.2e12, activation: 2 GiB}\n"
    "    source: test\n"
    "engines:\n"
    "  pics:\n"
    "    name: Pictures\n"
    "    tasks: [image]\n"
    "    backends:\n"
    "      cuda: {prefill_efficiency: 0.4, decode_efficiency: 0.8}\n"
    "    source: test\n";

START_TEST(test_image_model_every_prefix_and_value)
{
    size_t len = strlen(image_yaml);
    {
        llmroof_catalog *cat = cat_with_link();
        llmroof_error err;
        llmroof_error_init(&err);
        ck_assert_msg(llmroof_catalog_load_string(cat, "img.yaml", image_yaml, len, 0, &err) ==
                          LLMROOF_OK,
                      "%s", err.message);
        ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_IMAGE_MODELS), 1);
        llmroof_catalog_free(cat);
    }
    for (size_t n = 0; n < len; n++) {
        llmroof_catalog *cat = cat_with_link();
        llmroof_error err;
        llmroof_error_init(&err);
        if (llmroof_catalog_load_string(cat, "cut.yaml", image_yaml, n, 0, &err) != LLMROOF_OK)
            ck_assert_msg(total(cat) == 1, "prefix %zu: %s, yet the catalog changed", n,
                          err.message);
        llmroof_catalog_free(cat);
    }
    /* Each value after ": " (up to , } or the line's end) becomes [1]. */
    unsigned tried = 0;
    for (size_t at = 0; at + 2 < len; at++) {
        if (image_yaml[at] != ':' || image_yaml[at + 1] != ' ')
            continue;
        size_t v = at + 2, end = v;
        if (image_yaml[v] == '{' || image_yaml[v] == '[' || image_yaml[v] == '\n')
            continue;
        while (end < len && image_yaml[end] != ',' && image_yaml[end] != '}' &&
               image_yaml[end] != '\n')
            end++;
        char text[sizeof image_yaml + 8];
        size_t k = 0;
        memcpy(text + k, image_yaml, v);
        k += v;
        memcpy(text + k, "[1]", 3);
        k += 3;
        memcpy(text + k, image_yaml + end, len - end);
        k += len - end;
        uint32_t line = 1, col = 1;
        for (size_t i = 0; i < v; i++) {
            if (image_yaml[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        llmroof_catalog *cat = cat_with_link();
        llmroof_error err;
        llmroof_error_init(&err);
        llmroof_status st = llmroof_catalog_load_string(cat, "bad.yaml", text, k, 0, &err);
        /* The top-level version key is `llmroof: 1`: also refused. */
        ck_assert_msg(st != LLMROOF_OK, "value at %u:%u accepted as a sequence", line, col);
        ck_assert_msg(err.line == line && err.column == col, "value at %u:%u: error at %u:%u: %s",
                      line, col, err.line, err.column, err.message);
        ck_assert_uint_eq(total(cat), 1);
        llmroof_catalog_free(cat);
        tried++;
    }
    ck_assert_uint_gt(tried, 25);
}
END_TEST

START_TEST(test_io_errors)
{
    llmroof_catalog *cat = new_cat();
    llmroof_error err;
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_file(cat, "/nonexistent/x.yaml", 0, &err),
                     LLMROOF_E_IO);
    ck_assert_str_eq(err.file, "/nonexistent/x.yaml");
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_file(cat, "/", 0, &err), LLMROOF_E_IO);
    /* A FIFO, with no writer or with one that never writes, is refused
     * before the first read (issue 14: the second blocked it forever). */
    char fifo[256];
    snprintf(fifo, sizeof fifo, "/tmp/llmroof-check-fifo-%d", (int)getpid());
    if (mkfifo(fifo, 0600) == 0) {
        llmroof_error_init(&err);
        ck_assert_int_eq(llmroof_catalog_load_file(cat, fifo, 0, &err), LLMROOF_E_IO);
        int wr = open(fifo, O_RDWR);
        ck_assert_int_ge(wr, 0);
        llmroof_error_init(&err);
        ck_assert_int_eq(llmroof_catalog_load_file(cat, fifo, 0, &err), LLMROOF_E_IO);
        ck_assert_ptr_nonnull(strstr(err.message, "not a regular file"));
        close(wr);
        unlink(fifo);
    }
    ck_assert_int_eq(llmroof_catalog_load_file(cat, NULL, 0, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_catalog_load_file(NULL, "x", 0, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_catalog_load_string(cat, NULL, NULL, 5, 0, NULL),
                     LLMROOF_E_INVALID_ARGUMENT);
    /* name NULL: errors carry an empty file name */
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_string(cat, NULL, "x: [", 4, 0, &err),
                     LLMROOF_E_SYNTAX);
    ck_assert_str_eq(err.file, "");
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(test_details)
{
    llmroof_catalog *cat = new_cat();
    llmroof_error err;
    /* Empty sections are fine; so are CRLF line ends and a %YAML directive. */
    load(cat, "%YAML 1.1\n---\nllmroof: 1\ndevices:\nlinks: {}\n", 0, LLMROOF_OK);
    load(cat, "llmroof: 1\r\nlinks:\r\n  a: {bandwidth: 1 GB/s, latency: 1 us}\r\n", 0,
         LLMROOF_OK);
    err = load(cat, "llmroof: 1\r\nlinks:\r\n  b: {bandwidth: 1 GB/s, latency: 1 sec}\r\n", 0,
               LLMROOF_E_UNIT);
    ck_assert_uint_eq(err.line, 3);
    ck_assert_uint_eq(err.column, 35);
    /* Columns count characters, not bytes. */
    err = load(cat, "llmroof: 1\nlinks:\n  c: {name: \"\xc3\xa9\xc3\xa9\", bandwidth: 1 GB/z}\n",
               0, LLMROOF_E_UNIT);
    ck_assert_uint_eq(err.column, 30);
    /* A UTF-8 byte order mark is skipped; a UTF-16 file (BOM) is not UTF-8. */
    err = load(cat, "\xef\xbb\xbfllmroof: 1\nlinks:\n  bom: {bandwidth: 1 GB/s, latency: 1 us}\n",
               0, LLMROOF_OK);
    ck_assert_ptr_nonnull(llmroof__find_link(cat, "bom"));
    static const char utf16[] = "\xff\xfel\0l\0m\0";
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_load_string(cat, "u16", utf16, sizeof utf16 - 1, 0, &err),
                     LLMROOF_E_SYNTAX);
    ck_assert_uint_eq(err.line, 1);
    ck_assert_uint_eq(err.column, 1);
    /* A control character. */
    err = load(cat, "llmroof: 1\nlinks:\n  d: {name: \"a\x01\"}\n", 0, LLMROOF_E_SYNTAX);
    ck_assert_uint_eq(err.line, 3);
    /* No close key: the message lists the keys. */
    err = load(cat, "llmroof: 1\nlinks:\n  e: {xyzzy: 1}\n", 0, LLMROOF_E_SCHEMA);
    ck_assert_ptr_nonnull(strstr(err.message, "expected one of: name, bandwidth, latency"));
    ck_assert_uint_eq(err.column, 7);
    /* Missing value, sequence for a scalar, scalar for a mapping. */
    err = load(cat, "llmroof: 1\nlinks:\n  f: {bandwidth: , latency: 1 us}\n", 0,
               LLMROOF_E_SCHEMA);
    err = load(cat, "llmroof: 1\nlinks:\n  f: [1]\n", 0, LLMROOF_E_SCHEMA);
    ck_assert_uint_eq(err.column, 6);
    err = load(cat, "llmroof: 1\nlinks: 5\n", 0, LLMROOF_E_SCHEMA);
    /* Version: 1.0 is 1; "1" quoted is a string; 2 is another schema. */
    load(cat, "llmroof: 1.0\n", 0, LLMROOF_OK);
    load(cat, "llmroof: \"1\"\n", 0, LLMROOF_E_SCHEMA);
    load(cat, "llmroof: [1]\n", 0, LLMROOF_E_SCHEMA);
    load(cat, "devices: {}\nllmroof: 3\n", 0, LLMROOF_E_VERSION);
    /* A second llmroof key is a duplicate. */
    load(cat, "llmroof: 1\nllmroof: 1\n", 0, LLMROOF_E_DUPLICATE);
    /* Whole-number fields. */
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 1.5, hidden: 8, ffn: 8, heads: 2,"
              " vocab: 8, context: 8}\n", 0, LLMROOF_E_SCHEMA);
    /* Beyond 64 bits or negative: range errors, found before any conversion. */
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 2, hidden: 8, ffn: 1.8e24, heads: 2,"
              " vocab: 8, context: 8}\n", 0, LLMROOF_E_RANGE);
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 2, hidden: 8, ffn: 8, heads: 2,"
              " vocab: -8, context: 8}\n", 0, LLMROOF_E_RANGE);
    /* Messages stay on one line, even quoting a multi-line scalar. */
    err = load(cat, "llmroof: 1\nmodels:\n  m:\n    name: M\n    layers: 2\n\n      x\n", 0,
               LLMROOF_E_SCHEMA);
    ck_assert_ptr_null(strchr(err.message, '\n'));
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 2, hidden: 8, ffn: 8, heads: 2,"
              " kv_heads: 0, vocab: 8, context: 8}\n", 0, LLMROOF_E_RANGE);
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 2, hidden: 8, ffn: 8, heads: 4,"
              " kv_heads: 3, vocab: 8, context: 8}\n", 0, LLMROOF_E_RANGE);
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 2, hidden: 10, ffn: 8, heads: 4,"
              " vocab: 8, context: 8}\n", 0, LLMROOF_E_SCHEMA); /* head_dim needed */
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 2, hidden: 8, ffn: 8, heads: 2,"
              " vocab: 8, context: 8, moe: {experts: 4, active: 5, expert_ffn: 8}}\n", 0,
         LLMROOF_E_RANGE);
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 2, hidden: 8, ffn: 8, heads: 2,"
              " vocab: 8, context: 8, moe: {experts: 4, expert_ffn: 8}}\n", 0,
         LLMROOF_E_SCHEMA);
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 2, hidden: 8, ffn: 8, heads: 2,"
              " vocab: 8, context: 8, attention: {kind: mla}}\n", 0, LLMROOF_E_RANGE);
    load(cat, "llmroof: 1\nmodels:\n  m: {name: M, layers: 2, hidden: 8, ffn: 8, heads: 2,"
              " vocab: 8, context: 8, tied_embeddings: yes}\n", 0, LLMROOF_E_SCHEMA);
    /* Engines. */
    load(cat, "llmroof: 1\nengines:\n  e: {split_modes: [layer, layer],"
              " backends: {cuda: {decode_efficiency: 0.5, prefill_efficiency: 0.5}}}\n", 0,
         LLMROOF_E_DUPLICATE);
    load(cat, "llmroof: 1\nengines:\n  e: {split_modes: [layer], default_split: row,"
              " backends: {cuda: {decode_efficiency: 0.5, prefill_efficiency: 0.5}}}\n", 0,
         LLMROOF_E_SCHEMA);
    load(cat, "llmroof: 1\nengines:\n  e: {split_modes: [auto],"
              " backends: {cuda: {decode_efficiency: 0.5, prefill_efficiency: 0.5}}}\n", 0,
         LLMROOF_E_SCHEMA);
    load(cat, "llmroof: 1\nengines:\n  e: {split_modes: [layer],"
              " backends: {cuda: {decode_efficiency: 1.5, prefill_efficiency: 0.5}}}\n", 0,
         LLMROOF_E_RANGE);
    load(cat, "llmroof: 1\nengines:\n  e: {split_modes: [layer],"
              " backends: {cuda: {decode_efficiency: {q4_k: 0.5}, prefill_efficiency: 0.5}}}\n",
         0, LLMROOF_E_SCHEMA);
    err = load(cat, "llmroof: 1\nengines:\n  e: {split_modes: [layer],"
                    " backends: {cdua: {decode_efficiency: 0.5, prefill_efficiency: 0.5}}}\n",
               0, LLMROOF_E_SCHEMA);
    ck_assert_ptr_nonnull(strstr(err.message, "did you mean 'cuda'"));
    load(cat, "llmroof: 1\nengines:\n  e: {split_modes: [layer], backends: {}}\n", 0,
         LLMROOF_E_SCHEMA);
    /* Devices. */
    load(cat, "llmroof: 1\ndevices:\n  s: {name: S, kind: storage, backend: none,"
              " bandwidth: 1 GB/s}\n", 0, LLMROOF_E_SCHEMA);
    load(cat, "llmroof: 1\ndevices:\n  u: {name: U, kind: unified, backend: metal,"
              " bandwidth: 1 GB/s, compute: {f16: 1 TFLOPS}}\n", 0, LLMROOF_E_SCHEMA);
    load(cat, "llmroof: 1\ndevices:\n  u: {name: U, kind: unified, backend: metal,"
              " bandwidth: 1 GB/s, compute: {f16: 1 TFLOPS}, gpu_share: 0.8,"
              " gpu_share_max: 0.5}\n", 0, LLMROOF_E_RANGE);
    load(cat, "llmroof: 1\ndevices:\n  g: {name: G, kind: gpu, backend: cuda, memory: 1 GiB,"
              " reserved: 2 GiB, bandwidth: 1 GB/s, compute: {f16: 1 TFLOPS}}\n", 0,
         LLMROOF_E_RANGE);
    load(cat, "llmroof: 1\ndevices:\n  g: {name: G, kind: gpu, backend: cuda, memory: 1 GiB,"
              " bandwidth: 1 GB/s, compute: {f16: 1 TFLOPS}, gpu_share: 0.5}\n", 0,
         LLMROOF_E_SCHEMA);
    load(cat, "llmroof: 1\ndevices:\n  g: {name: G, kind: gpu, memory: 1 GiB,"
              " bandwidth: 1 GB/s, compute: {f16: 1 TFLOPS}}\n", 0, LLMROOF_E_SCHEMA);
    /* An id of 64 characters is one too many. */
    load(cat, "llmroof: 1\nlinks:\n  a123456789b123456789c123456789d123456789e123456789f123456789"
              "wxyz: {bandwidth: 1 GB/s, latency: 1 us}\n", 0, LLMROOF_E_SCHEMA);
    load(cat, "llmroof: 1\nlinks:\n  a123456789b123456789c123456789d123456789e123456789f123456789"
              "xyz: {bandwidth: 1 GB/s, latency: 1 us}\n", 0, LLMROOF_OK);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_LINKS), 3);
    llmroof_catalog_free(cat);
}
END_TEST

static Suite *loader_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("bad");
    tcase_add_loop_test(tc, test_bad_fixtures, 0, (int)N_BAD);
    tcase_add_test(tc, test_fixture_list_complete);
    suite_add_tcase(s, tc);
    tc = tcase_create("good");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_good_values);
    tcase_add_test(tc, test_all_or_nothing);
    tcase_add_test(tc, test_multi_file_merge);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_limits_both_sides);
    tcase_add_test(tc, test_truncated_prefixes);
    tcase_add_test(tc, test_image_model_every_prefix_and_value);
    tcase_add_test(tc, test_io_errors);
    tcase_add_test(tc, test_details);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(loader_suite());
    srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY from the environment */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
