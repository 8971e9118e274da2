/* The config.json reader (llmroof_model_from_config, docs/gguf.md
 * "config.json"): the configs in tests/data/config, laid out as Hugging Face
 * ships them, give the shapes the bundled catalog holds for the same models
 * (entered by hand from those configs, with sources); malformed or
 * incomplete files are clear errors with a position. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "llmroof/llmroof.h"

static llmroof_catalog *cat;
static char data_dir[1024];

static void setup(void)
{
    const char *d = getenv("LLMROOF_TEST_DATA");
    ck_assert_ptr_nonnull(d);
    snprintf(data_dir, sizeof data_dir, "%s/config", d);
    ck_assert_int_eq(llmroof_catalog_new(&cat, NULL), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_load_builtin(cat, 0, NULL), LLMROOF_OK);
}

static void teardown(void) { llmroof_catalog_free(cat); }

static const struct {
    const char *dir, *catalog_id;
} fixtures[] = {
    {"meta-llama_Llama-3.1-8B", "llama-3.1-8b"},
    {"Qwen_Qwen3-30B-A3B", "qwen3-30b-a3b"},
    {"mistralai_Mixtral-8x7B-v0.1", "mixtral-8x7b"},
    {"google_gemma-2-9b", "gemma-2-9b"},
    {"google_gemma-3-12b-it", "gemma-3-12b"},
    {"openai_gpt-oss-20b", "gpt-oss-20b"},
    {"deepseek-ai_DeepSeek-V3", "deepseek-v3"},
};

#define SAME(field) ck_assert_msg(got.field == want.field, "%s: " #field " %u, catalog %u", \
                                  fixtures[_i].dir, (unsigned)got.field, (unsigned)want.field)

START_TEST(fixtures_match_catalog)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s/config.json", data_dir, fixtures[_i].dir);
    llmroof_model got, want;
    llmroof_error err;
    llmroof_model_init(&got);
    llmroof_model_init(&want);
    llmroof_error_init(&err);
    llmroof_status st = llmroof_model_from_config(path, &got, &err);
    ck_assert_msg(st == LLMROOF_OK, "%s: %s", path, err.message);
    ck_assert_int_eq(llmroof_catalog_get_model(cat, fixtures[_i].catalog_id, &want, NULL),
                     LLMROOF_OK);
    ck_assert_str_eq(got.id, fixtures[_i].dir);
    SAME(layers);
    SAME(hidden);
    SAME(heads);
    SAME(kv_heads);
    SAME(head_dim);
    SAME(vocab);
    SAME(context);
    SAME(tied_embeddings);
    SAME(experts);
    SAME(experts_active);
    SAME(expert_ffn);
    SAME(shared_experts);
    SAME(dense_layers);
    SAME(attention);
    SAME(kv_lora_rank);
    SAME(rope_dim);
    SAME(q_lora_rank);
    SAME(sliding_window);
    SAME(sliding_layers);
    /* A MoE model whose every layer is MoE never reads ffn. */
    if (!want.experts || want.dense_layers)
        SAME(ffn);
    ck_assert_double_eq(got.params, 0);
    /* The model it gives estimates like the catalog's. */
    ck_assert_int_eq(llmroof_catalog_add_model(cat, &got, 0, NULL), LLMROOF_OK);
    llmroof_request req;
    llmroof_result a, b;
    llmroof_request_init(&req);
    strcpy(req.system, "pc-rtx-4090");
    strcpy(req.quant, "Q4_K_M");
    strcpy(req.model, got.id);
    llmroof_result_init(&a);
    ck_assert_int_eq(llmroof_estimate(cat, &req, &a, NULL), LLMROOF_OK);
    strcpy(req.model, want.id);
    llmroof_result_init(&b);
    ck_assert_int_eq(llmroof_estimate(cat, &req, &b, NULL), LLMROOF_OK);
    ck_assert_uint_eq(a.weights, b.weights);
    ck_assert_uint_eq(a.kv, b.kv);
    ck_assert_double_eq_tol(a.decode_tps, b.decode_tps, 1e-9 * b.decode_tps);
}
END_TEST

/* Writes text to a temporary config.json and reads it. */
static llmroof_status read_text(const char *text, llmroof_model *m, llmroof_error *err)
{
    char path[] = "/tmp/llmroof-cfg-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    llmroof_model_init(m);
    llmroof_error_init(err);
    llmroof_status st = llmroof_model_from_config(path, m, err);
    unlink(path);
    return st;
}

#define SHAPES "\"num_hidden_layers\": 2, \"hidden_size\": 64, \"intermediate_size\": 128, " \
               "\"num_attention_heads\": 4, \"vocab_size\": 100, \"max_position_embeddings\": 512"

START_TEST(minimal_and_defaults)
{
    llmroof_model m;
    llmroof_error err;
    ck_assert_int_eq(read_text("{\"model_type\": \"llama\", " SHAPES "}", &m, &err), LLMROOF_OK);
    ck_assert_uint_eq(m.kv_heads, 4);  /* no num_key_value_heads: multi-head */
    ck_assert_uint_eq(m.head_dim, 16); /* hidden / heads */
    ck_assert_uint_eq(m.tied_embeddings, 0);
    ck_assert_msg(strncmp(m.id, "llmroof-cfg-", 12) == 0, "id %s", m.id); /* the file's name */
    /* Gemma: tied unless stated; text_config wins over the top level. */
    ck_assert_int_eq(read_text("{\"model_type\": \"gemma2\", " SHAPES
                               ", \"text_config\": {\"hidden_size\": 128}}",
                               &m, &err),
                     LLMROOF_OK);
    ck_assert_uint_eq(m.tied_embeddings, 1);
    ck_assert_uint_eq(m.hidden, 128);
    ck_assert_uint_eq(m.sliding_window, 4096);
    ck_assert_uint_eq(m.sliding_layers, 1);
    ck_assert_int_eq(read_text("{\"text_config\": {\"hidden_size\": 128}, " SHAPES "}", &m, &err),
                     LLMROOF_OK);
    ck_assert_uint_eq(m.hidden, 128);
    /* layer_types counts the sliding layers. */
    ck_assert_int_eq(read_text("{" SHAPES ", \"sliding_window\": 64, \"layer_types\": "
                               "[\"sliding_attention\", \"full_attention\"]}",
                               &m, &err),
                     LLMROOF_OK);
    ck_assert_uint_eq(m.sliding_window, 64);
    ck_assert_uint_eq(m.sliding_layers, 1);
    /* A window without layer_types (Qwen2's unused one) is not applied. */
    ck_assert_int_eq(read_text("{" SHAPES ", \"sliding_window\": 4096, "
                               "\"use_sliding_window\": false}",
                               &m, &err),
                     LLMROOF_OK);
    ck_assert_uint_eq(m.sliding_window, 0);
}
END_TEST

static const struct {
    const char *text;
    llmroof_status status;
    uint32_t line; /* 0: any */
    const char *says;
} bad[] = {
    {"{\"num_hidden_layers\": 2,,}", LLMROOF_E_SYNTAX, 1, ""},
    {"{\"num_hidden_layers\": ", LLMROOF_E_SYNTAX, 0, ""},
    {"[1, 2]", LLMROOF_E_SCHEMA, 1, "must be an object"},
    {"42", LLMROOF_E_SCHEMA, 1, "must be an object"},
    {"", LLMROOF_E_SCHEMA, 0, "lacks a positive whole number"},
    {"{\"model_type\": \"llama\"}", LLMROOF_E_SCHEMA, 0, "num_hidden_layers, hidden_size"},
    {"{" SHAPES ",\n \"num_hidden_layers\": 3}", LLMROOF_E_DUPLICATE, 2, "num_hidden_layers"},
    {"{\"text_config\": {\"hidden_size\": 1, \"hidden_size\": 2}}", LLMROOF_E_DUPLICATE, 1,
     "hidden_size"},
    /* Wrong types and values are missing shapes, never a wrong number. */
    {"{" SHAPES ", \"hidden_size\": \"64\"}", LLMROOF_E_DUPLICATE, 0, "hidden_size"},
    {"{\"num_hidden_layers\": 2.5, \"hidden_size\": 64, \"intermediate_size\": 128, "
     "\"num_attention_heads\": 4, \"vocab_size\": 100, \"max_position_embeddings\": 512}",
     LLMROOF_E_SCHEMA, 0, "num_hidden_layers (2.5)"},
    {"{\"num_hidden_layers\": -2, \"hidden_size\": \"64\", \"intermediate_size\": 128, "
     "\"num_attention_heads\": 4, \"vocab_size\": 100, \"max_position_embeddings\": 512}",
     LLMROOF_E_SCHEMA, 0, "hidden_size (a string, \"64\")"},
    {"{\"a\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", LLMROOF_E_LIMIT, 1, "nesting"},
    {"{\"a\": &x 1, \"b\": *x}", LLMROOF_E_LIMIT, 1, "not allowed"},
    {"{[1]: 2}", LLMROOF_E_SYNTAX, 0, ""},
    {"{}\n---\n{" SHAPES "}", LLMROOF_E_SYNTAX, 2, "more than one document"},
};

START_TEST(bad_files)
{
    llmroof_model m;
    llmroof_error err;
    llmroof_status st = read_text(bad[_i].text, &m, &err);
    ck_assert_msg(st == bad[_i].status, "'%s': status %s (%s), want %s", bad[_i].text,
                  llmroof_status_string(st), err.message, llmroof_status_string(bad[_i].status));
    ck_assert_msg(strstr(err.message, bad[_i].says), "'%s': message '%s' lacks '%s'",
                  bad[_i].text, err.message, bad[_i].says);
    ck_assert_msg(strstr(err.file, "llmroof-cfg-"), "'%s': file '%s'", bad[_i].text, err.file);
    if (bad[_i].line)
        ck_assert_msg(err.line == bad[_i].line && err.column > 0, "'%s': at %u:%u, want line %u",
                      bad[_i].text, err.line, err.column, bad[_i].line);
    /* The model is untouched on failure. */
    ck_assert_uint_eq(m.layers, 0);
}
END_TEST

/* Issue 14, item 7: keys were kept to 63 bytes, so two longer keys
 * sharing those 63 were one key "given twice"; whole keys are compared. */
START_TEST(long_keys)
{
    llmroof_model m;
    llmroof_error err;
    char text[1024];
    const char *stem = "a_custom_setting_whose_name_is_longer_than_sixty_three_bytes_in_all";
    snprintf(text, sizeof text, "{" SHAPES ", \"%s_one\": 1, \"%s_two\": 2}", stem, stem);
    ck_assert_msg(read_text(text, &m, &err) == LLMROOF_OK, "%s", err.message);
    ck_assert_uint_eq(m.layers, 2);
    snprintf(text, sizeof text, "{" SHAPES ", \"text_config\": {\"%s_one\": 1, \"%s_two\": 2}}",
             stem, stem);
    ck_assert_msg(read_text(text, &m, &err) == LLMROOF_OK, "%s", err.message);
    /* The same long key twice in one object is still a duplicate. */
    snprintf(text, sizeof text, "{" SHAPES ", \"%s_one\": 1,\n \"%s_one\": 2}", stem, stem);
    ck_assert_int_eq(read_text(text, &m, &err), LLMROOF_E_DUPLICATE);
    ck_assert_uint_eq(err.line, 2);
    ck_assert_ptr_nonnull(strstr(err.message, "given twice"));
}
END_TEST

/* ORG_NAME/config.json names the model after its directory; with no
 * directory name (config.json, ./config.json) the model type does. */
START_TEST(ids_from_paths)
{
    char dir[] = "/tmp/llmroof-cfgdir-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"model_type\": \"qwen2\", " SHAPES "}", f);
    fclose(f);
    llmroof_model m;
    llmroof_error err;
    llmroof_model_init(&m);
    ck_assert_int_eq(llmroof_model_from_config(path, &m, &err), LLMROOF_OK);
    ck_assert_str_eq(m.id, strrchr(dir, '/') + 1);
    ck_assert_int_eq(chdir(dir), 0);
    const char *bare[] = {"config.json", "./config.json"};
    for (int i = 0; i < 2; i++) {
        llmroof_model_init(&m);
        ck_assert_int_eq(llmroof_model_from_config(bare[i], &m, &err), LLMROOF_OK);
        ck_assert_str_eq(m.id, "qwen2");
    }
    unlink(path);
    ck_assert_int_eq(chdir("/"), 0);
    rmdir(dir);
}
END_TEST

START_TEST(bad_arguments)
{
    llmroof_model m;
    llmroof_error err;
    llmroof_model_init(&m);
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_model_from_config(NULL, &m, &err), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_model_from_config("x.json", NULL, NULL), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_error_init(&err);
    ck_assert_int_ne(llmroof_model_from_config("/nonexistent/config.json", &m, &err), LLMROOF_OK);
    ck_assert_str_eq(err.file, "/nonexistent/config.json");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hfconfig");
    TCase *tc = tcase_create("hfconfig");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, fixtures_match_catalog, 0,
                        (int)(sizeof fixtures / sizeof fixtures[0]));
    tcase_add_test(tc, minimal_and_defaults);
    tcase_add_loop_test(tc, bad_files, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, long_keys);
    tcase_add_test(tc, ids_from_paths);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
