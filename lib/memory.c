/* Bytes and parameters of a model from its shapes (docs/model.md, sections
 * "Weights", "KV cache" and "Compute buffers"). */
#include <math.h>

#include "model.h"

/* ggml block formats: bytes per block / elements per block.
 * Source: ggml/src/ggml-common.h (block_q8_0 = f16 scale + 32 int8 = 34 B;
 * block_q4_0 = f16 scale + 16 B of nibbles = 18 B; block_q4_1 = two f16 + 16 B
 * = 20 B; block_q5_0 = f16 + 4 B high bits + 16 B = 22 B; block_q5_1 = 24 B;
 * block_iq4_nl = f16 + 16 B = 18 B, all for 32 elements). */
static const struct {
    uint32_t block_bytes;
    uint32_t block_elements;
} kv_formats[LLMROOF_KV_TYPE_COUNT] = {
    [LLMROOF_KV_F16] = {2, 1},     [LLMROOF_KV_Q8_0] = {34, 32}, [LLMROOF_KV_Q4_0] = {18, 32},
    [LLMROOF_KV_F32] = {4, 1},     [LLMROOF_KV_BF16] = {2, 1},   [LLMROOF_KV_Q4_1] = {20, 32},
    [LLMROOF_KV_Q5_0] = {22, 32},  [LLMROOF_KV_Q5_1] = {24, 32}, [LLMROOF_KV_IQ4_NL] = {18, 32},
};

static int kv_type_ok(int32_t t) { return t >= 0 && t < LLMROOF_KV_TYPE_COUNT; }

double llmroof__kv_type_bytes(int32_t kv_type)
{
    if (!kv_type_ok(kv_type))
        return 0.0;
    return (double)kv_formats[kv_type].block_bytes / kv_formats[kv_type].block_elements;
}

uint64_t llmroof__kv_row_bytes(int32_t kv_type, uint64_t elements)
{
    if (!kv_type_ok(kv_type))
        return 0;
    uint64_t be = kv_formats[kv_type].block_elements;
    return (elements + be - 1) / be * kv_formats[kv_type].block_bytes;
}

/* llama.cpp pads the KV cache to a multiple of 256 cells (llama-context.cpp,
 * n_ctx_pad) so that flash-attention kernels see whole tiles. */
#define KV_PAD 256u

static uint64_t pad_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

/* Checked a*b for the integer KV arithmetic. */
static int mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a != 0 && b > UINT64_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

/* Largest double that converts to uint64_t without overflow. */
#define BYTES_MAX 1.8e19

llmroof_status llmroof__shape_compute(const llmroof_model *m, const llmroof_quant *q,
                                      const llmroof_request *req, llmroof__shape *s,
                                      llmroof_error *err)
{
    const double d = m->hidden, h = m->heads, hkv = m->kv_heads, dh = m->head_dim;
    const double bpw8 = q->bpw / 8.0;
    const double b = req->batch;

    s->layers = m->layers;
    s->hidden = m->hidden;
    s->tied = m->tied_embeddings != 0;
    s->vocab = m->vocab;
    s->ctx = req->ctx;
    s->batch = req->batch;
    s->bytes_per_weight = bpw8;

    /* Attention projections.  GQA: Wq d x h*dh, Wk and Wv d x hkv*dh, Wo h*dh x d
     * (DESIGN.md "Weights").  MLA (DeepSeek-V2 paper, section 2.1): a down-
     * projection d x (kv_lora_rank + rope_dim), an up-projection kv_lora_rank x
     * h*(2*(dh - rope_dim)) for keys and values, and Wo h*(dh - rope_dim) x d.
     * Queries: a full-rank Wq d x h*dh, or with q_lora_rank r_q (DeepSeek-V2
     * eq. 12, V3) a down-projection d x r_q and an up-projection r_q x h*dh. */
    double attn;
    if (m->attention == LLMROOF_ATTENTION_MLA) {
        double nope = dh > m->rope_dim ? dh - m->rope_dim : dh;
        double wq = m->q_lora_rank ? (d + h * dh) * (double)m->q_lora_rank : d * h * dh;
        attn = wq + d * (m->kv_lora_rank + m->rope_dim) +
               (double)m->kv_lora_rank * h * 2.0 * nope + h * nope * d;
    } else {
        attn = d * h * dh + 2.0 * d * hkv * dh + h * dh * d;
    }
    const double norms_bytes = 2.0 * d * 4.0; /* two f32 RMSNorm vectors per layer */

    /* Gated FFN: gate, up and down, 3 d ffn (DESIGN.md). */
    const double ffn_dense = 3.0 * d * m->ffn;
    double expert = 0, moe_all = 0, moe_active = 0, router = 0;
    double moe_bytes = 0, moe_read_bytes = 0;
    const int is_moe = m->experts > 0;
    if (is_moe) {
        const double e = m->experts, a = m->experts_active;
        expert = 3.0 * d * m->expert_ffn;
        router = d * e;
        moe_all = (e + m->shared_experts) * expert + router;
        moe_active = (a + m->shared_experts) * expert + router;
        /* Experts touched by a batch of b tokens routed independently:
         * E (1 - (1 - a/E)^b) (DESIGN.md "Decode"). */
        double touched = e * (1.0 - pow(1.0 - a / e, b));
        /* The routed experts' matrices may have a type of their own
         * (expert_bpw: MXFP4_MOE's MXFP4 experts, Q8_0 elsewhere); the
         * shared experts and the router are ordinary 2-D tensors. */
        const double xb8 = (q->expert_bpw > 0 ? q->expert_bpw : q->bpw) / 8.0;
        const double rest = (m->shared_experts * expert + router) * bpw8;
        moe_bytes = e * expert * xb8 + rest;
        moe_read_bytes = touched * expert * xb8 + rest;
    }

    s->dense_layers = is_moe ? (m->dense_layers < m->layers ? m->dense_layers : m->layers)
                             : m->layers;
    s->layer_dense = (attn + ffn_dense) * bpw8 + norms_bytes;
    s->layer_moe = attn * bpw8 + moe_bytes + norms_bytes;
    s->layer_moe_read = attn * bpw8 + moe_read_bytes + norms_bytes;
    s->layer_moe_prefill = s->layer_moe;
    s->layer_active_dense = attn + ffn_dense;
    s->layer_active_moe = attn + moe_active;
    s->layer_expert_routed = is_moe ? m->experts_active * expert : 0.0;
    s->expert_share = is_moe ? (double)m->experts_active / m->experts : 0.0;

    /* The token embedding and the output head have types of their own in a
     * mix (llama.cpp's llama_tensor_get_type: the head Q6_K in most k-quant
     * files; GPTQ/AWQ/EXL2 keep the embedding in f16).  A tied embedding is
     * the output tensor, quantized by the output's rule. */
    const double emb8 = (q->embed_bpw > 0 ? q->embed_bpw : q->bpw) / 8.0;
    const double out8 = (q->output_bpw > 0 ? q->output_bpw : q->bpw) / 8.0;
    s->output_params = (double)m->vocab * d;
    s->embedding = s->output_params * (m->tied_embeddings ? out8 : emb8);
    /* A tied head has no bytes of its own in the file, but llama.cpp loads a
     * duplicate where the output layer runs (TENSOR_DUPLICATED); placement
     * counts it there, the file total does not. */
    s->output = s->output_params * out8 + d * 4.0;

    const uint32_t moe_layers = s->layers - s->dense_layers;
    s->params = s->dense_layers * s->layer_active_dense + moe_layers * (attn + moe_all) +
                s->output_params * (m->tied_embeddings ? 1.0 : 2.0);
    s->active_params = s->dense_layers * s->layer_active_dense +
                       moe_layers * s->layer_active_moe + s->output_params;
    s->weights_total = s->dense_layers * s->layer_dense + moe_layers * s->layer_moe +
                       s->embedding + (m->tied_embeddings ? d * 4.0 : s->output);

    /* KV cache: per layer and sequence, cells x 2 (K and V) x hkv x dh
     * elements of the KV type (DESIGN.md "KV cache"); MLA keeps one latent of
     * kv_lora_rank + rope_dim per cell; sliding-window layers keep
     * min(cells, window) cells. */
    const uint64_t cells = pad_up(req->ctx, KV_PAD);
    uint64_t row, full, swa, tmp;
    if (m->attention == LLMROOF_ATTENTION_MLA)
        row = llmroof__kv_row_bytes(req->kv_type, (uint64_t)m->kv_lora_rank + m->rope_dim);
    else
        row = 2 * llmroof__kv_row_bytes(req->kv_type, (uint64_t)m->kv_heads * m->head_dim);
    uint64_t swa_cells = cells;
    if (m->sliding_window && m->sliding_window < cells)
        swa_cells = m->sliding_window;
    const uint32_t n_swa = m->sliding_window ? m->sliding_layers : 0;
    const uint32_t n_full = m->layers - n_swa;
    if (!mul_ok(row, cells, &full) || !mul_ok(full, req->batch, &full) ||
        !mul_ok(row, swa_cells, &swa) || !mul_ok(swa, req->batch, &swa) ||
        !mul_ok(full, n_full, &tmp) || !mul_ok(swa, n_swa, &s->kv_total) ||
        UINT64_MAX - tmp < s->kv_total)
        return llmroof__fail(err, LLMROOF_E_RANGE, NULL, 0, 0,
                             "KV cache of model '%s' at context %u overflows 64 bits", m->id,
                             req->ctx);
    s->kv_total += tmp;
    s->kv_layer = m->layers ? s->kv_total / m->layers : 0;
    s->kv_token_layer = (double)row;
    s->sliding_fraction = m->layers ? (double)n_swa / m->layers : 0.0;
    s->sliding_window = m->sliding_window;
    s->attn_flops_pair = 4.0 * h * dh;
    /* Without flash attention llama.cpp materialises the f32 scores (h per
     * query and key cell) and moves them four times: KQ writes them, the
     * fused scale-mask-softmax reads and writes them, KQV reads them.  Flash
     * attention keeps them on chip (Dao et al. 2022). */
    s->score_bytes_pair = req->flash_attention ? 0.0 : 4.0 * 4.0 * h;

    /* Compute buffers: the peak of tensors alive at once in llama.cpp's graph
     * allocator for a worst-case ubatch of n = min(ubatch, ctx) tokens, f32.
     * Output device: hidden states + logits, n (vocab + d) 4 B (matches the
     * 258.5 MiB llama.cpp reports for Llama 3 8B at ubatch 512).  Layers: the
     * larger of the FFN (gate and up activations + residual, n (2 ffn + d) 4 B)
     * and attention (without flash attention the f32 score matrix
     * n x h x cells, with it only per-head outputs).  Host side with
     * everything offloaded: input embeddings and residual, n 2 d 4 B. */
    const double n = req->ubatch < req->ctx ? req->ubatch : req->ctx;
    const double ffn_eff = is_moe ? (m->experts_active + m->shared_experts) * (double)m->expert_ffn
                                  : (double)m->ffn;
    const double ffn_part = n * 4.0 * (2.0 * ffn_eff + d);
    const double attn_part = req->flash_attention ? n * 4.0 * (h * dh + 2.0 * hkv * dh + d)
                                                  : n * 4.0 * (h * (double)cells + 3.0 * d);
    s->compute_layers = ffn_part > attn_part ? ffn_part : attn_part;
    double out_part = n * 4.0 * ((double)m->vocab + d);
    s->compute_output = out_part > s->compute_layers ? out_part : s->compute_layers;
    s->compute_host = n * 4.0 * 2.0 * d;
    s->q_width = h * dh;
    s->kv_width = hkv * dh;
    s->ffn_width = ffn_eff;

    if (!(s->weights_total < BYTES_MAX) || !(s->compute_output < BYTES_MAX) ||
        !isfinite(s->params))
        return llmroof__fail(err, LLMROOF_E_RANGE, NULL, 0, 0,
                             "weights of model '%s' at %g bits per weight overflow 64 bits",
                             m->id, q->bpw);
    return LLMROOF_OK;
}

/* Splits [first, first+count) into its dense and MoE parts. */
static void count_kinds(const llmroof__shape *s, uint32_t first, uint32_t count, double *dense,
                        double *moe)
{
    uint32_t end = first + count;
    uint32_t dend = s->dense_layers;
    uint32_t nd = 0;
    if (first < dend)
        nd = (end < dend ? end : dend) - first;
    *dense = nd;
    *moe = (double)count - nd;
}

double llmroof__layers_weights(const llmroof__shape *s, uint32_t first, uint32_t count)
{
    double nd, nm;
    count_kinds(s, first, count, &nd, &nm);
    return nd * s->layer_dense + nm * s->layer_moe;
}

double llmroof__layers_decode_bytes(const llmroof__shape *s, uint32_t first, uint32_t count)
{
    double nd, nm;
    count_kinds(s, first, count, &nd, &nm);
    return nd * s->layer_dense + nm * s->layer_moe_read;
}

double llmroof__layers_moe(const llmroof__shape *s, uint32_t first, uint32_t count)
{
    double nd, nm;
    count_kinds(s, first, count, &nd, &nm);
    return nm;
}

double llmroof__layers_active_params(const llmroof__shape *s, uint32_t first, uint32_t count)
{
    double nd, nm;
    count_kinds(s, first, count, &nd, &nm);
    return nd * s->layer_active_dense + nm * s->layer_active_moe;
}
