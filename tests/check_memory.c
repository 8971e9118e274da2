/* Memory formulas against byte counts computed by hand (docs/model.md). */
#include "fixture.h"

static llmroof__shape shape_of(fixture *f)
{
    llmroof__shape s;
    llmroof_error e;
    llmroof_error_init(&e);
    if (f->req.ctx == 0)
        f->req.ctx = 512;
    ck_assert_int_eq(llmroof__shape_compute(&f->model, &f->quant, &f->req, &s, &e), LLMROOF_OK);
    return s;
}

/* Llama 3.1 8B, f16 KV, 8192 tokens: 32 layers x 8192 cells x 2 (K, V)
 * x 8 kv heads x 128 dims x 2 bytes = 2^30 bytes exactly. */
START_TEST(kv_f16_8b_8k_is_one_gib)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.ctx = 8192;
    llmroof__shape s = shape_of(&f);
    ck_assert_uint_eq(s.kv_total, 1073741824ull);
    llmroof_result r = fx_run(&f);
    ck_assert_uint_eq(r.kv, 1073741824ull);
}
END_TEST

/* q8_0 stores 32 elements in 34 bytes, q4_0 in 18 (ggml-common.h):
 * 2^30 x 34/64 and 2^30 x 18/64. */
START_TEST(kv_quantized_block_sizes)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.ctx = 8192;
    f.req.kv_type = LLMROOF_KV_Q8_0;
    ck_assert_uint_eq(shape_of(&f).kv_total, 570425344ull);
    f.req.kv_type = LLMROOF_KV_Q4_0;
    ck_assert_uint_eq(shape_of(&f).kv_total, 301989888ull);
    ck_assert_uint_eq(llmroof__kv_row_bytes(LLMROOF_KV_Q8_0, 33), 68); /* two blocks */
    ck_assert_double_eq(llmroof__kv_type_bytes(LLMROOF_KV_F32), 4.0);
    ck_assert_double_eq(llmroof__kv_type_bytes(99), 0.0);
}
END_TEST

/* The cache is padded to 256 cells: 1000 tokens hold 1024 cells,
 * 32 x 1024 x 2 x 1024 x 2 = 134217728 bytes; 4 sequences hold 4 times that. */
START_TEST(kv_padding_and_batch)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.ctx = 1000;
    ck_assert_uint_eq(shape_of(&f).kv_total, 134217728ull);
    f.req.batch = 4;
    ck_assert_uint_eq(shape_of(&f).kv_total, 4 * 134217728ull);
}
END_TEST

/* Parameters from shapes: per layer 2 x 4096^2 + 2 x 4096 x 1024 (attention)
 * + 3 x 4096 x 14336 (FFN) = 218103808; x 32 + 2 x 128256 x 4096 = 8029995008,
 * the published 8.03 B. */
START_TEST(params_of_llama_8b)
{
    fixture f;
    fx_pc(&f, 1);
    llmroof__shape s = shape_of(&f);
    ck_assert_double_eq(s.params, 8029995008.0);
    ck_assert_double_eq(s.active_params, 8029995008.0 - 128256.0 * 4096);
    /* F16: 2 bytes per parameter plus f32 norms (2 per layer + final):
     * 16059990016 + (64 + 1) x 4096 x 4 = 16061054976 bytes (llama.cpp reports
     * 14.96 GiB for Llama-3-8B F16). */
    fx_quant(&f.quant, "F16", 16, "f16");
    s = shape_of(&f);
    ck_assert_double_eq(s.weights_total, 16061054976.0);
    llmroof_result r = fx_run(&f);
    ck_assert_uint_eq(r.weights, 16061054976ull);
}
END_TEST

/* A tied head is stored once in the file. */
START_TEST(tied_embeddings)
{
    fixture f;
    fx_pc(&f, 1);
    fx_quant(&f.quant, "F16", 16, "f16");
    double untied = shape_of(&f).weights_total;
    f.model.tied_embeddings = 1;
    double tied = shape_of(&f).weights_total;
    ck_assert_double_eq_tol(untied - tied, 128256.0 * 4096 * 2, 1.0);
}
END_TEST

/* Llama 3 8B's attention with 8 experts of 14336, 2 a token. */
static void moe_8x2(fixture *f)
{
    fx_pc(f, 1);
    f->model.experts = 8;
    f->model.experts_active = 2;
    f->model.expert_ffn = 14336;
}

/* Mixture of experts: all experts in memory, a/E of them read per token at
 * batch 1, E (1 - (1 - a/E)^b) at batch b. */
START_TEST(moe_bytes)
{
    fixture f;
    moe_8x2(&f);
    fx_quant(&f.quant, "F16", 16, "f16");
    llmroof__shape s = shape_of(&f);
    const double attn = 2.0 * 4096 * 4096 + 2.0 * 4096 * 1024, expert = 3.0 * 4096 * 14336,
                 router = 4096.0 * 8, norms = 2.0 * 4096 * 4;
    ck_assert_double_eq_tol(s.layer_moe, (attn + 8 * expert + router) * 2 + norms, 1.0);
    ck_assert_double_eq_tol(s.layer_moe_read, (attn + 2 * expert + router) * 2 + norms, 1.0);
    ck_assert_double_eq_tol(s.active_params,
                            32 * (attn + 2 * expert + router) + 128256.0 * 4096, 1.0);
    f.req.batch = 4;
    s = shape_of(&f);
    double touched = 8 * (1 - 0.75 * 0.75 * 0.75 * 0.75);
    ck_assert_double_eq_tol(s.layer_moe_read, (attn + touched * expert + router) * 2 + norms,
                            1.0);
    /* dense_layers: the first layers keep a dense FFN. */
    f.model.dense_layers = 3;
    s = shape_of(&f);
    ck_assert_double_eq_tol(llmroof__layers_weights(&s, 0, 32),
                            3 * s.layer_dense + 29 * s.layer_moe, 1.0);
    ck_assert_double_eq_tol(llmroof__layers_weights(&s, 2, 2), s.layer_dense + s.layer_moe,
                            1.0);
}
END_TEST

/* expert_bpw: the routed experts' matrices at their own type (MXFP4_MOE:
 * 4.25 bits, the rest Q8_0 at 8.5), shared experts and router at bpw. */
START_TEST(moe_expert_type)
{
    fixture f;
    moe_8x2(&f);
    f.model.shared_experts = 1;
    fx_quant(&f.quant, "MXFP4_MOE", 8.5, "mxfp4");
    f.quant.expert_bpw = 4.25;
    llmroof__shape s = shape_of(&f);
    const double attn = 2.0 * 4096 * 4096 + 2.0 * 4096 * 1024, expert = 3.0 * 4096 * 14336,
                 router = 4096.0 * 8, norms = 2.0 * 4096 * 4;
    const double rest = (attn + expert + router) * 8.5 / 8;
    ck_assert_double_eq_tol(s.layer_moe, rest + 8 * expert * 4.25 / 8 + norms, 1.0);
    ck_assert_double_eq_tol(s.layer_moe_read, rest + 2 * expert * 4.25 / 8 + norms, 1.0);
    /* A dense layer has no routed experts: all at bpw. */
    f.model.dense_layers = 1;
    s = shape_of(&f);
    ck_assert_double_eq_tol(s.layer_dense, (attn + 3.0 * 4096 * 14336) * 8.5 / 8 + norms, 1.0);
    /* 0: the experts at bpw, as before. */
    f.quant.expert_bpw = 0;
    s = shape_of(&f);
    ck_assert_double_eq_tol(s.layer_moe, (attn + 9 * expert + router) * 8.5 / 8 + norms, 1.0);
}
END_TEST

/* Sliding-window layers keep min(ctx, window) cells; MLA keeps one latent
 * of kv_lora_rank + rope_dim per cell. */
START_TEST(sliding_window_and_mla)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.ctx = 8192;
    f.model.sliding_window = 4096;
    f.model.sliding_layers = 16;
    /* 16 full layers x 8192 cells + 16 layers x 4096 cells, 4096 B per cell. */
    ck_assert_uint_eq(shape_of(&f).kv_total, (16ull * 8192 + 16ull * 4096) * 4096);
    fx_pc(&f, 1);
    f.req.ctx = 8192;
    f.model.attention = LLMROOF_ATTENTION_MLA;
    f.model.kv_lora_rank = 512;
    f.model.rope_dim = 64;
    ck_assert_uint_eq(shape_of(&f).kv_total, 32ull * 8192 * 576 * 2);
}
END_TEST

/* The token embedding and the output head take their own types: Llama 3.1
 * 8B with 128256 x 4096 of each, embedding at 4.5 bpw (q4_K), head at
 * 6.5625 (q6_K); tied, the one tensor takes the head's type. */
START_TEST(embedding_and_output_types)
{
    fixture f;
    fx_pc(&f, 1);
    f.quant.embed_bpw = 4.5;
    f.quant.output_bpw = 6.5625;
    llmroof__shape s = shape_of(&f);
    ck_assert_double_eq(s.embedding, 128256.0 * 4096 * 4.5 / 8);
    ck_assert_double_eq(s.output, 128256.0 * 4096 * 6.5625 / 8 + 4096 * 4.0);
    f.model.tied_embeddings = 1;
    s = shape_of(&f);
    ck_assert_double_eq(s.embedding, 128256.0 * 4096 * 6.5625 / 8);
    /* 0 means "as bpw". */
    f.quant.embed_bpw = f.quant.output_bpw = 0;
    f.model.tied_embeddings = 0;
    s = shape_of(&f);
    ck_assert_double_eq(s.embedding, 128256.0 * 4096 * f.quant.bpw / 8);
}
END_TEST

/* DeepSeek-V3 (config.json: 61 layers, d 7168, 128 heads, qk 128 + 64 rope,
 * q_lora_rank 1536, kv_lora_rank 512, 3 dense layers of 18432, 256 routed
 * experts of 2048, 8 active, 1 shared, vocab 129280): the paper's 671 B total
 * and 37 B activated (DeepSeek-V3 technical report, abstract).  Attention per
 * layer: (7168 + 128 x 192) x 1536 + 7168 x 576 + 512 x 128 x 256
 * + 128 x 128 x 7168 = 187105280 parameters. */
START_TEST(mla_query_low_rank)
{
    fixture f;
    fx_pc(&f, 1);
    f.model.layers = 61;
    f.model.hidden = 7168;
    f.model.ffn = 18432;
    f.model.heads = 128;
    f.model.kv_heads = 128;
    f.model.head_dim = 192;
    f.model.vocab = 129280;
    f.model.experts = 256;
    f.model.experts_active = 8;
    f.model.expert_ffn = 2048;
    f.model.shared_experts = 1;
    f.model.dense_layers = 3;
    f.model.attention = LLMROOF_ATTENTION_MLA;
    f.model.kv_lora_rank = 512;
    f.model.rope_dim = 64;
    f.model.q_lora_rank = 1536;
    llmroof__shape s = shape_of(&f);
    ck_assert_double_eq(s.layer_active_dense, 187105280.0 + 3.0 * 7168 * 18432);
    ck_assert_double_eq_tol(s.params / 671e9, 1.0, 0.001);
    ck_assert_double_eq_tol(s.active_params / 37e9, 1.0, 0.02);
    /* Without the low-rank path Wq is d x h x dh: 187105280 - 15532032 -
     * 37748736 + 176160768 parameters per layer. */
    f.model.q_lora_rank = 0;
    s = shape_of(&f);
    ck_assert_double_eq(s.layer_active_dense,
                        187105280.0 - 7168.0 * 1536 - 1536.0 * 128 * 192 + 7168.0 * 128 * 192 +
                            3.0 * 7168 * 18432);
}
END_TEST

/* Compute buffer of the output device: ubatch (vocab + hidden) f32, the
 * 258.50 MiB llama.cpp logs for Llama 3 8B at -ub 512. */
START_TEST(compute_buffer_output)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.ctx = 512;
    llmroof__shape s = shape_of(&f);
    ck_assert_double_eq(s.compute_output, 512.0 * 4 * (128256 + 4096));
    ck_assert_double_eq(s.compute_output / (1024 * 1024), 258.5);
    /* Without flash attention the score matrix grows with the context. */
    f.req.ctx = 32768;
    f.req.flash_attention = 0;
    s = shape_of(&f);
    ck_assert_double_eq(s.compute_layers, 512.0 * 4 * (32.0 * 32768 + 3 * 4096));
}
END_TEST

/* Totals add up, tier by tier. */
START_TEST(totals_add_up)
{
    fixture f;
    fx_pc(&f, 2);
    fx_llama70b(&f.model);
    f.req.ctx = 4096;
    llmroof_result r = fx_run(&f);
    uint64_t kv = 0, cb = 0, oh = 0;
    for (uint32_t i = 0; i < r.tier_count; i++) {
        const llmroof_tier *t = &r.tiers[i];
        if (t->kind == LLMROOF_TIER_STORAGE)
            continue;
        ck_assert_uint_eq(t->total, t->weights + t->kv + t->compute + t->overhead);
        ck_assert_int_eq(t->headroom, (int64_t)t->capacity - (int64_t)t->total);
        kv += t->kv;
        cb += t->compute;
        oh += t->overhead;
    }
    ck_assert_uint_eq(r.kv, kv);
    ck_assert_uint_eq(r.compute, cb);
    ck_assert_uint_eq(r.overhead, oh);
    /* The total is the tiers' (issue 14); over two GPUs with the head on
     * the last, the parts' sum to within a byte of rounding a tier. */
    uint64_t tiers = 0;
    for (uint32_t i = 0; i < r.tier_count; i++)
        tiers += r.tiers[i].kind == LLMROOF_TIER_STORAGE ? 0 : r.tiers[i].total;
    ck_assert_uint_eq(r.total, tiers);
    const uint64_t parts = r.weights + r.kv + r.compute + r.overhead;
    ck_assert(r.total + r.tier_count >= parts && r.total <= parts + r.tier_count);
}
END_TEST

/* A context whose cache overflows 64 bits is an error, not a wrapped number. */
START_TEST(overflow_is_an_error)
{
    fixture f;
    fx_pc(&f, 1);
    f.model.layers = 4000000000u;
    f.model.kv_heads = 4000000000u;
    f.model.head_dim = 4000000000u;
    f.req.ctx = 1u << 26;
    llmroof__shape s;
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof__shape_compute(&f.model, &f.quant, &f.req, &s, &e), LLMROOF_E_RANGE);
    ck_assert_int_eq(e.code, LLMROOF_E_RANGE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("memory");
    tcase_add_test(tc, kv_f16_8b_8k_is_one_gib);
    tcase_add_test(tc, kv_quantized_block_sizes);
    tcase_add_test(tc, kv_padding_and_batch);
    tcase_add_test(tc, params_of_llama_8b);
    tcase_add_test(tc, tied_embeddings);
    tcase_add_test(tc, moe_bytes);
    tcase_add_test(tc, moe_expert_type);
    tcase_add_test(tc, sliding_window_and_mla);
    tcase_add_test(tc, mla_query_low_rank);
    tcase_add_test(tc, embedding_and_output_types);
    tcase_add_test(tc, compute_buffer_output);
    tcase_add_test(tc, totals_add_up);
    tcase_add_test(tc, overflow_is_an_error);
    suite_add_tcase(s, tc);
    return fx_run_main(s);
}
