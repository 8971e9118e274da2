/* llmroof_train_estimate(): fine-tuning memory per accelerator and training
 * speed (docs/model.md §10).  Parameters come from the inference shapes
 * (memory.c), capacity from placement.c, power from estimate.c: nothing here
 * re-derives what those compute. */
#include <math.h>
#include <string.h>

#include "model.h"


static const char *const method_names[] = {"full", "lora", "qlora", NULL};
static const char *const targets_names[] = {"attention", "all-linear", NULL};
static const char *const optimizer_names[] = {"adamw", "adamw-8bit", "sgd", NULL};

static const char *name_of(const char *const *table, int32_t n, int32_t v)
{
    return v >= 0 && v < n ? table[v] : "unknown";
}

const char *llmroof_train_method_string(int32_t method)
{
    return name_of(method_names, 3, method);
}

const char *llmroof_lora_targets_string(int32_t targets)
{
    return name_of(targets_names, 2, targets);
}

const char *llmroof_optimizer_string(int32_t optimizer)
{
    return name_of(optimizer_names, 3, optimizer);
}

void llmroof_train_request_init(llmroof_train_request *req)
{
    if (!req)
        return;
    memset(req, 0, sizeof *req);
    req->size = sizeof *req;
    req->method = LLMROOF_TRAIN_LORA;
    req->seq_len = 2048;
    req->micro_batch = 1;
    req->checkpointing = 1;
    req->flash_attention = 1;
    req->lora_rank = 16;
    req->lora_targets = LLMROOF_LORA_ALL_LINEAR;
    req->optimizer = LLMROOF_OPTIMIZER_ADAMW;
}

void llmroof_train_result_init(llmroof_train_result *res)
{
    if (!res)
        return;
    memset(res, 0, sizeof *res);
    res->size = sizeof *res;
    res->fit = LLMROOF_FIT_NONE;
}

#define MAX_SEQ (1u << 24)
#define MAX_MICRO_BATCH 4096u

/* NF4 with blocks of 64 and double quantization: 4 + 0.127 bits per
 * parameter (Dettmers et al. 2023, QLoRA §3). */
#define NF4_BITS 4.127

static llmroof_status check_request(const llmroof_train_request *r, llmroof_error *err)
{
    const char *bad = NULL;
    if (r->method < LLMROOF_TRAIN_FULL || r->method > LLMROOF_TRAIN_QLORA)
        bad = "method is not a known training method (full, lora, qlora)";
    else if (r->seq_len == 0 || r->seq_len > MAX_SEQ)
        bad = "seq_len must be between 1 and 2^24 tokens";
    else if (r->micro_batch == 0 || r->micro_batch > MAX_MICRO_BATCH)
        bad = "micro_batch must be between 1 and 4096";
    else if (r->checkpointing > 1)
        bad = "checkpointing must be 0 or 1";
    else if (r->flash_attention > 1)
        bad = "flash_attention must be 0 or 1";
    else if (r->lora_targets < LLMROOF_LORA_ATTENTION || r->lora_targets > LLMROOF_LORA_ALL_LINEAR)
        bad = "lora_targets is not known (attention, all-linear)";
    else if (r->optimizer < LLMROOF_OPTIMIZER_ADAMW || r->optimizer > LLMROOF_OPTIMIZER_SGD)
        bad = "optimizer is not known (adamw, adamw-8bit, sgd)";
    else if (r->method != LLMROOF_TRAIN_FULL && r->lora_rank == 0)
        bad = "lora_rank must be at least 1 for LoRA and QLoRA";
    else if (!llmroof__valid_electricity_price(r->electricity_price))
        bad = LLMROOF__ELECTRICITY_PRICE_RULE;
    if (bad)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0, "train request: %s",
                             bad);
    if (!LLMROOF__RESERVED_ZERO(r->reserved_u32))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "train request: reserved fields must be zero");
    return LLMROOF_OK;
}

/* Adapter parameters r (d_in + d_out) summed over the targeted matrices of
 * one layer (docs/model.md §10.2), and how many matrices that is. */
typedef struct adapters {
    double dense;     /* a layer with a dense FFN */
    double moe;       /* a MoE layer, every expert */
    double moe_active;/* a MoE layer, the experts one token goes through */
    double mats_dense, mats_moe_active; /* targeted matrices a token goes through */
} adapters;

static void count_adapters(const llmroof_model *m, const llmroof_train_request *req,
                           adapters *a)
{
    const double r = req->lora_rank, d = m->hidden, h = m->heads, dh = m->head_dim;
    double attn, attn_mats;
    if (m->attention == LLMROOF_ATTENTION_MLA) {
        /* The projections of §1: queries (full rank or down + up), the KV
         * down-projection, the KV up-projection, the output. */
        const double nope = dh > m->rope_dim ? dh - m->rope_dim : dh;
        const double rq = m->q_lora_rank, rkv = m->kv_lora_rank;
        double wq = rq > 0 ? (d + rq) + (rq + h * dh) : d + h * dh;
        attn = r * (wq + (d + rkv + m->rope_dim) + (rkv + h * 2.0 * nope) + (h * nope + d));
        attn_mats = rq > 0 ? 5 : 4;
    } else {
        const double q = h * dh, k = (double)m->kv_heads * dh;
        attn = r * ((d + q) + 2.0 * (d + k) + (q + d));
        attn_mats = 4;
    }
    a->dense = a->moe = a->moe_active = attn;
    a->mats_dense = a->mats_moe_active = attn_mats;
    if (req->lora_targets != LLMROOF_LORA_ALL_LINEAR)
        return;
    a->dense += r * 3.0 * (d + m->ffn);
    a->mats_dense += 3;
    if (m->experts > 0) {
        const double e = m->experts, act = m->experts_active, sh = m->shared_experts;
        const double expert = r * 3.0 * (d + m->expert_ffn), router = r * (d + e);
        a->moe += (e + sh) * expert + router;
        a->moe_active += (act + sh) * expert + router;
        a->mats_moe_active += 3.0 * (act + sh) + 1;
    }
}

/* Bytes kept for the backward pass by one layer (docs/model.md §10.3). */
static double layer_activations(const llmroof_model *m, const llmroof_train_request *req,
                                double ffn_width, double adapter_mats)
{
    const double s = req->seq_len, b = req->micro_batch, t = s * b;
    const double d = m->hidden, h = m->heads, q = h * m->head_dim;
    const double k = (double)m->kv_heads * m->head_dim;
    double a;
    if (req->flash_attention)
        a = t * (8.0 * d + 4.0 * q + 4.0 * k + 8.0 * ffn_width + 4.0 * h);
    else
        a = t * (8.0 * d + 8.0 * q + 8.0 * ffn_width) + 6.0 * h * s * s * b;
    if (req->method != LLMROOF_TRAIN_FULL)
        a += 4.0 * t * req->lora_rank * adapter_mats;
    return a;
}


static double safe_div(double a, double b) { return b > 0 ? a / b : 0.0; }

/* Kernel class of the efficiency table (docs/model.md §10.6). */
static const char *kernel_class(int32_t method)
{
    return method == LLMROOF_TRAIN_QLORA ? "nf4" : "bf16";
}

llmroof_status llmroof__train_plain(const llmroof__machine *m, const llmroof_model *model,
                                    const llmroof_engine *engine,
                                    const llmroof_train_request *req, llmroof_train_result *res,
                                    llmroof_error *err)
{
    llmroof_status st = check_request(req, err);
    if (st)
        return st;
    const int full = req->method == LLMROOF_TRAIN_FULL;
    if (!full && req->lora_rank > model->hidden)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "train request: lora_rank %u is larger than the hidden size %u of "
                             "model '%s'",
                             req->lora_rank, model->hidden, model->id);
    if (req->gpus > m->accel_count)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "train request: gpus %u but system '%s' has %u accelerators",
                             req->gpus, m->system->id, m->accel_count);
    if (!(engine->tasks & LLMROOF_TASK_TRAIN))
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             "engine '%s' does not train (its tasks: %s)", engine->id,
                             llmroof__tasks_text(engine->tasks));

    /* The training device: the first accelerator, or the host CPU. */
    const int on_host = m->accel_count == 0;
    const llmroof_device *dev = on_host ? m->host : m->accel[0];
    const llmroof_engine_backend *be = llmroof__engine_backend(engine, dev->backend);
    if (!be)
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             on_host ? "engine '%s' has no '%s' backend and system '%s' has no "
                                       "accelerator"
                                     : "engine '%s' has no '%s' backend for system '%s'",
                             engine->id, llmroof_backend_string(dev->backend), m->system->id);
    for (uint32_t g = 1; g < m->accel_count; g++)
        if (!llmroof__engine_backend(engine, m->accel[g]->backend))
            return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                                 "engine '%s' has no '%s' backend for device '%s'", engine->id,
                                 llmroof_backend_string(m->accel[g]->backend), m->accel[g]->id);
    const uint32_t N = on_host ? 1 : req->gpus ? req->gpus : m->accel_count;

    /* Parameters from the inference shapes (16-bit weights; one sequence of
     * one token: the KV terms are not used here). */
    llmroof_quant q16;
    llmroof_quant_init(&q16);
    q16.bpw = 16.0;
    llmroof_request ir;
    llmroof_request_init(&ir);
    ir.ctx = 1;
    ir.ubatch = 1;
    llmroof__shape sh;
    if ((st = llmroof__shape_compute(model, &q16, &ir, &sh, err)))
        return st;
    const double P = sh.params;
    const double P_emb = sh.output_params * (sh.tied ? 1.0 : 2.0);
    const double P_lin = P - P_emb;
    const uint32_t L = model->layers, Ld = sh.dense_layers, Lm = L - Ld;

    adapters ad;
    count_adapters(model, req, &ad);
    const double A = full ? 0.0 : Ld * ad.dense + Lm * ad.moe;
    const double A_active = full ? 0.0 : Ld * ad.dense + Lm * ad.moe_active;

    /* §10.2: weights, gradients, optimizer states, master weights. */
    const double trained = full ? P : A;
    const double opt_per = req->optimizer == LLMROOF_OPTIMIZER_ADAMW        ? 8.0
                           : req->optimizer == LLMROOF_OPTIMIZER_ADAMW_8BIT ? 2.0
                                                                            : 0.0;
    double weights, grads, master;
    if (full) {
        weights = 2.0 * P;
        grads = 2.0 * P;
        master = 4.0 * P;
    } else {
        weights = (req->method == LLMROOF_TRAIN_QLORA ? P_lin * NF4_BITS / 8.0 + 4.0 * P_emb
                                                      : 2.0 * P) +
                  4.0 * A;
        grads = 4.0 * A;
        master = 0.0;
    }
    const double optim = opt_per * trained;

    /* §10.3: activations and logits. */
    const double t = (double)req->seq_len * req->micro_batch, d = model->hidden;
    const double ffn_moe = (double)(model->experts_active + model->shared_experts) *
                           model->expert_ffn;
    const double act_dense = layer_activations(model, req, model->ffn, ad.mats_dense);
    const double act_moe = Lm ? layer_activations(model, req, ffn_moe, ad.mats_moe_active) : 0.0;
    const double act_max = act_moe > act_dense && Lm ? act_moe : act_dense;
    double acts = req->checkpointing ? 2.0 * t * d * L + act_max
                                     : Ld * act_dense + Lm * act_moe;
    acts += 4.0 * t * d;
    const double logits = 14.0 * t * model->vocab;

    llmroof_train_result out;
    llmroof_train_result_init(&out);
    out.gpus = N;
    llmroof__strlcpy(out.device, dev->id, sizeof out.device);
    llmroof__strlcpy(out.engine, engine->id, sizeof out.engine);
    out.params = P;
    out.trainable_params = trained;
    out.weights = llmroof__to_bytes(weights);
    out.gradients = llmroof__to_bytes(grads);
    out.optimizer_states = llmroof__to_bytes(optim);
    out.master_weights = llmroof__to_bytes(master);
    out.activations = llmroof__to_bytes(acts);
    out.logits = llmroof__to_bytes(logits);
    out.overhead = be->runtime_overhead;
    const double total = weights + grads + optim + master + acts + logits +
                         (double)be->runtime_overhead;
    out.total = llmroof__to_bytes(total);
    const double cap = on_host ? (double)m->system->host_memory - (double)m->host->reserved
                               : llmroof__accel_capacity(m, 0, dev->gpu_share);
    out.capacity = llmroof__to_bytes(cap);
    out.headroom = llmroof__headroom(cap, total);
    out.fit = total <= cap ? LLMROOF_FIT_GPU : LLMROOF_FIT_NONE;

    /* §10.5: FLOPs per token. */
    const double hq = (double)model->heads * model->head_dim;
    const double c = req->flash_attention ? ((double)req->seq_len + 1.0) / 2.0
                                          : (double)req->seq_len;
    const double f_lin = 2.0 * (sh.active_params - sh.output_params);
    const double f_attn = 4.0 * hq * c * L;
    const double f_head = 2.0 * sh.output_params;
    const double f_ad = 2.0 * A_active;
    double per_token = full ? 3.0 * (f_lin + f_attn + f_head)
                            : 2.0 * f_lin + 3.0 * f_attn + 2.0 * f_head + 3.0 * f_ad;
    if (req->checkpointing)
        per_token += f_lin + f_attn + f_ad;
    out.step_flops = t * per_token;

    /* §10.6: step time, all-reduce, tokens/s. */
    llmroof_quant kq;
    llmroof_quant_init(&kq);
    llmroof__strlcpy(kq.kernel, kernel_class(req->method), sizeof kq.kernel);
    const double eta = llmroof__prefill_efficiency(be, &kq);
    /* Divided by the peak first: peak x eta can underflow to 0 (roofline.c). */
    const double t_compute = safe_div(safe_div(out.step_flops, llmroof__acc32_compute(dev)), eta);
    double t_ar = 0;
    if (N > 1 && m->gpu_link) {
        const double n = N;
        t_ar = 2.0 * (n - 1.0) / n * grads / m->gpu_link->bandwidth +
               2.0 * (n - 1.0) * m->gpu_link->latency;
    }
    out.allreduce_time = t_ar;
    /* Fixed cost per layer per micro-batch (kernel launches and the
     * framework's per-module work in forward, recomputation and backward). */
    const double t_fixed = (double)L * be->per_layer_overhead;
    out.step_time = t_compute > 0 ? t_compute + t_fixed + t_ar : 0.0;
    out.tokens_per_s = safe_div((double)N * t, out.step_time);

    /* §10.7: power and cost, as for inference. */
    out.power = llmroof__busy_power(m, on_host ? 0 : N);
    out.joules_per_token = safe_div(out.power, out.tokens_per_s);
    out.cost_per_mtok = llmroof__energy_cost(out.joules_per_token * 1e6, req->electricity_price);
    out.price = m->system->price;
    out.price_per_tps = safe_div(out.price, out.tokens_per_s);
    out.idle_power = llmroof__idle_power(m);

    const double v[] = {out.params, out.trainable_params, out.step_flops, out.step_time,
                        out.allreduce_time, out.tokens_per_s, out.power, out.joules_per_token,
                        out.cost_per_mtok, out.price_per_tps, total};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!isfinite(v[i]) || v[i] < 0 || !(total < 1.8e19))
            return llmroof__fail(err, LLMROOF_E_RANGE, NULL, 0, 0,
                                 "the training estimate for model '%s' on system '%s' overflows "
                                 "(check the request's seq_len and micro_batch)",
                                 model->id, m->system->id);
    LLMROOF__COPY_RESULT(res, out);
    return LLMROOF_OK;
}

llmroof_status llmroof_train_estimate(const llmroof_catalog *cat,
                                      const llmroof_train_request *req,
                                      llmroof_train_result *res, llmroof_error *err)
{
    if (!cat || !req || !res)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_train_estimate: catalog, request and result must not be "
                             "NULL");
    if (req->size < sizeof *req || res->size < offsetof(llmroof_train_result, reserved_f64))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_train_estimate: request or result size field is too "
                             "small (call llmroof_train_request_init / "
                             "llmroof_train_result_init)");
    const llmroof_system *sys = llmroof__find_system(cat, req->system);
    if (!sys)
        return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0,
                             "no system '%s' in the catalog", req->system);
    llmroof__machine m;
    TRY(llmroof__resolve_machine(cat, sys, &m, err));
    const llmroof_model *model = llmroof__find_model(cat, req->model);
    if (!model)
        return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0,
                             "no model '%s' in the catalog", req->model);
    const llmroof_engine *engine;
    if (req->engine[0]) {
        engine = llmroof__find_engine(cat, req->engine);
        if (!engine)
            return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0,
                                 "no engine '%s' in the catalog", req->engine);
    } else {
        int32_t be = m.accel_count ? m.accel[0]->backend : m.host->backend;
        /* the training device: the first accelerator, else the host */
        engine = llmroof__default_engine(cat, LLMROOF_TASK_TRAIN, be);
        if (!engine)
            return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                                 "no engine in the catalog trains on %s (system '%s')",
                                 llmroof_backend_string(be), m.system->id);
    }
    return llmroof__train_plain(&m, model, engine, req, res, err);
}
