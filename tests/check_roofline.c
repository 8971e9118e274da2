/* Roofline properties and the link formulas of docs/model.md. */
#include <math.h>
#include <string.h>

#include "fixture.h"

START_TEST(decode_slows_with_context)
{
    fixture f;
    fx_pc(&f, 1);
    double prev = INFINITY;
    const uint32_t depths[] = {0, 1024, 4096, 16384, 65536};
    for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
        f.req.depth = depths[i];
        f.req.ctx = 0;
        llmroof_result r = fx_run(&f);
        ck_assert_double_lt(r.decode_tps, prev);
        prev = r.decode_tps;
    }
}
END_TEST

START_TEST(decode_slows_with_quant_size)
{
    fixture f;
    const double bpw[] = {4.5, 4.89, 5.7, 6.56, 8.5, 16};
    double prev = INFINITY;
    for (size_t i = 0; i < sizeof bpw / sizeof bpw[0]; i++) {
        fx_pc(&f, 1);
        fx_quant(&f.quant, "Q", bpw[i], "x");
        llmroof_result r = fx_run(&f);
        ck_assert_double_lt(r.decode_tps, prev);
        prev = r.decode_tps;
    }
}
END_TEST

START_TEST(decode_slows_with_offloaded_layers)
{
    fixture f;
    fx_pc(&f, 1);
    fx_llama70b(&f.model);
    double prev = 0;
    for (int32_t ngl = 0; ngl <= 42; ngl += 6) {
        f.req.gpu_layers = ngl;
        llmroof_result r = fx_run(&f);
        ck_assert_int_eq(r.fit, LLMROOF_FIT_OFFLOAD);
        ck_assert_double_gt(r.decode_tps, prev);
        prev = r.decode_tps;
    }
}
END_TEST

/* The estimate never beats the roofline bound, in any configuration. */
START_TEST(never_above_bound)
{
    fixture f;
    for (int gpus = 0; gpus <= 2; gpus++)
        for (int split = LLMROOF_SPLIT_LAYER; split <= LLMROOF_SPLIT_TENSOR; split++)
            for (uint32_t batch = 1; batch <= 64; batch *= 4)
                for (int big = 0; big < 2; big++) {
                    fx_pc(&f, (uint32_t)gpus);
                    if (big)
                        fx_llama70b(&f.model);
                    f.req.split = split;
                    f.req.batch = batch;
                    f.req.depth = 2048;
                    llmroof_result r = fx_run(&f);
                    if (r.fit == LLMROOF_FIT_NONE)
                        continue;
                    ck_assert_double_gt(r.decode_tps, 0);
                    ck_assert_double_le(r.decode_tps, r.decode_bound_tps);
                    ck_assert_double_gt(r.prefill_tps, 0);
                    ck_assert_double_le(r.prefill_tps, r.prefill_bound_tps);
                    for (uint32_t i = 0; i < r.tier_count; i++)
                        ck_assert_double_le(r.tiers[i].decode_bound_time,
                                            r.tiers[i].decode_time);
                }
}
END_TEST

/* Layer split runs tiers one after another: the step is the sum of the tier
 * times plus the link transfers. */
START_TEST(layer_split_adds_tiers)
{
    fixture f;
    fx_pc(&f, 2);
    fx_llama70b(&f.model);
    f.req.gen = 1;
    llmroof_result r = fx_run(&f);
    double sum = 0;
    for (uint32_t i = 0; i < r.tier_count; i++)
        sum += r.tiers[i].decode_time;
    ck_assert_double_eq_tol(r.decode_step_time, sum + r.decode_link_time, 1e-12);
    /* One GPU-to-GPU hop of 8192 f32 activations, one host-to-GPU hop and the
     * logits (128256 f32) back to the host, each with the link latency. */
    double link = 3 * 10e-6 + (2 * 8192 * 4.0 + 128256 * 4.0) / 31.5e9;
    ck_assert_double_eq_tol(r.decode_link_time, link, 1e-12);
    /* The engine's hop overhead adds to the one transfer between two tiers
     * that compute layers (GPU to GPU); the host computes none here, so the
     * input and logits copies pay the link latency only. */
    fx_pc(&f, 2);
    fx_llama70b(&f.model);
    f.req.gen = 1;
    f.engine.backends[0].hop_overhead = 100e-6;
    ck_assert_double_eq_tol(fx_run(&f).decode_link_time, link + 100e-6, 1e-12);
    /* With layers on the host, host to GPU is a hop between computing tiers
     * too (the head is on the host: activations go back, a third hop). */
    f.req.gpu_layers = 40;
    llmroof_result part = fx_run(&f);
    ck_assert_int_eq(part.tier_count, 3);
    f.engine.backends[0].hop_overhead = 0;
    ck_assert_double_eq_tol(part.decode_link_time - fx_run(&f).decode_link_time, 3 * 100e-6,
                            1e-12);
    /* Pipeline split of one stream gains capacity, not speed. */
    fixture one;
    fx_pc(&one, 1);
    llmroof_result r1 = fx_run(&one);
    fx_pc(&f, 2);
    llmroof_result r2 = fx_run(&f);
    ck_assert_double_le(r2.decode_tps, r1.decode_tps);
    ck_assert_double_gt(r2.decode_tps, 0.97 * r1.decode_tps);
}
END_TEST

/* Row split runs the GPUs together and pays, per layer, for each of the 7
 * split matrix products: the input sent out and the slices gathered,
 * (G-1) 4 (in + out/G) bytes, and two link latencies. */
START_TEST(row_split_formula)
{
    fixture f;
    fx_pc(&f, 2);
    fx_llama70b(&f.model);
    f.req.split = LLMROOF_SPLIT_ROW;
    f.req.gen = 1;
    llmroof_result r = fx_run(&f);
    const double d = 8192, q = 8192, kv = 1024, ffn = 28672;
    const double io = (d + q / 2) + 2 * (d + kv / 2) + (q + d / 2) + 2 * (d + ffn / 2) + (ffn + d / 2);
    double sync = 80 * (io * 4.0 / 31.5e9 + 7 * 2 * 10e-6);
    double host = 2 * 10e-6 + (8192 * 4.0 + 128256 * 4.0) / 31.5e9;
    ck_assert_double_eq_tol(r.decode_link_time, sync + host, 1e-12);
    double mx = fmax(r.tiers[0].decode_time, r.tiers[1].decode_time);
    ck_assert_double_eq_tol(r.decode_step_time, mx + r.tiers[2].decode_time + r.decode_link_time,
                            1e-12);
}
END_TEST

/* The multi-GPU penalty comes from the link: a faster link helps, and an
 * ideal link (no latency, unlimited bandwidth) costs nothing. */
START_TEST(nvlink_beats_pcie)
{
    for (int split = LLMROOF_SPLIT_LAYER; split <= LLMROOF_SPLIT_TENSOR; split++) {
        fixture a, b;
        fx_pc(&a, 2);
        fx_llama70b(&a.model);
        a.req.split = split;
        b = a;
        fx_bind(&b, 2, &b.nvlink);
        llmroof_result ra = fx_run(&a), rb = fx_run(&b);
        ck_assert_double_lt(ra.decode_tps, rb.decode_tps);
        ck_assert_double_gt(ra.decode_link_time, rb.decode_link_time);
    }
    fixture c;
    fx_pc(&c, 2);
    fx_llama70b(&c.model);
    c.req.split = LLMROOF_SPLIT_TENSOR;
    c.nvlink.latency = 0;
    c.nvlink.bandwidth = 1e30;
    c.pcie.latency = 0;
    c.pcie.bandwidth = 1e30;
    fx_bind(&c, 2, &c.nvlink);
    llmroof_result r = fx_run(&c);
    ck_assert_double_lt(r.decode_link_time, 1e-12);
    /* With an ideal link, two GPUs in parallel beat one pipeline. */
    c.req.split = LLMROOF_SPLIT_LAYER;
    ck_assert_double_gt(r.decode_tps, 1.5 * fx_run(&c).decode_tps);
}
END_TEST

START_TEST(bound_attribution)
{
    fixture f;
    fx_pc(&f, 1);
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.decode_bound_by, LLMROOF_RESOURCE_DEVICE_MEMORY);
    ck_assert_int_eq(r.decode_bound_tier, 0);
    ck_assert_int_eq(r.prefill_bound_by, LLMROOF_RESOURCE_COMPUTE);
    f.req.batch = 256;
    ck_assert_int_eq(fx_run(&f).decode_bound_by, LLMROOF_RESOURCE_COMPUTE);
    fx_pc(&f, 1);
    fx_llama70b(&f.model);
    r = fx_run(&f);
    ck_assert_int_eq(r.decode_bound_by, LLMROOF_RESOURCE_HOST_MEMORY);
    ck_assert_int_eq(r.tiers[r.decode_bound_tier].kind, LLMROOF_TIER_HOST);
    /* Prompt processing with host layers copies them over PCIe (at the
     * GPU's peak; held to what 450 W sustain, its compute is as slow). */
    f.gpu.power = 0;
    r = fx_run(&f);
    ck_assert_int_eq(r.prefill_bound_by, LLMROOF_RESOURCE_HOST_LINK);
    /* Tiny layers on a fast device: fixed per-layer costs dominate. */
    fx_pc(&f, 1);
    f.model.hidden = 256;
    f.model.ffn = 512;
    f.model.heads = 4;
    f.model.kv_heads = 4;
    f.model.head_dim = 64;
    f.model.vocab = 1000;
    ck_assert_int_eq(fx_run(&f).decode_bound_by, LLMROOF_RESOURCE_OVERHEAD);
}
END_TEST

/* Decode time per step by hand for one GPU at batch 1, one token at depth
 * 0 (context 1): bytes / (BW eta) + layers tau, plus the host link. */
START_TEST(decode_by_hand)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.gen = 1;
    f.req.prompt = 1;
    llmroof_result r = fx_run(&f);
    llmroof__shape s;
    llmroof_request q = f.req;
    q.ctx = 2;
    ck_assert_int_eq(llmroof__shape_compute(&f.model, &f.quant, &q, &s, NULL), LLMROOF_OK);
    double bytes = 32 * s.layer_dense + s.output + 32 * 1.0 * 2 * 1024 * 2;
    double t = bytes / (1008e9 * 0.8) + 32 * 20e-6;
    ck_assert_double_eq_tol(r.tiers[0].decode_time, t, 1e-12);
    ck_assert_double_eq_tol(r.decode_tps, 1.0 / (t + r.decode_link_time), 1e-9);
    ck_assert_double_eq_tol(r.tiers[0].decode_bound_time, bytes / 1008e9, 1e-12);
}
END_TEST

/* A bandwidth cap on the engine's kernels: min(eta x peak, cap). */
START_TEST(bandwidth_cap)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.gen = 1;
    f.req.prompt = 1;
    llmroof_result a = fx_run(&f);
    f.engine.backends[0].bandwidth_cap = 500e9; /* below 0.8 x 1008 GB/s */
    llmroof_result b = fx_run(&f);
    double bytes = a.tiers[0].decode_bytes;
    ck_assert_double_eq_tol(b.tiers[0].decode_time, bytes / 500e9 + 32 * 20e-6, 1e-12);
    ck_assert_double_eq_tol(b.decode_bound_tps, a.decode_bound_tps, 1e-9); /* bound: peak */
    f.engine.backends[0].bandwidth_cap = 2000e9; /* above: no effect */
    ck_assert_double_eq_tol(fx_run(&f).decode_tps, a.decode_tps, 1e-9);
}
END_TEST

/* A per-kernel prefill efficiency replaces the backend's default for
 * quants of that kernel class only. */
START_TEST(prefill_efficiency_per_kernel)
{
    fixture f;
    fx_pc(&f, 1);
    llmroof_result a = fx_run(&f);
    llmroof_engine_backend *b = &f.engine.backends[0];
    b->prefill_kernel_count = 1;
    strcpy(b->prefill_kernels[0].kernel, "q4_k");
    b->prefill_kernels[0].efficiency = 0.25; /* half the default 0.5 */
    llmroof_result c = fx_run(&f);
    ck_assert_double_lt(c.prefill_tps, a.prefill_tps);
    ck_assert_int_eq(c.prefill_bound_by, LLMROOF_RESOURCE_COMPUTE);
    strcpy(b->prefill_kernels[0].kernel, "f16");
    ck_assert_double_eq(fx_run(&f).prefill_tps, a.prefill_tps);
}
END_TEST

/* An engine that streams host-RAM layers to the GPU pays the host link for
 * their bytes every step and needs no CPU backend. */
START_TEST(stream_over_link)
{
    fixture f;
    fx_pc(&f, 1);
    fx_llama70b(&f.model);
    f.req.gen = 1;
    f.engine.offloaded_layers = LLMROOF_OFFLOAD_STREAM;
    f.engine.backend_count = 1; /* cuda only */
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_OFFLOAD);
    const llmroof_tier *h = &r.tiers[1];
    ck_assert_int_eq(h->kind, LLMROOF_TIER_HOST);
    ck_assert_int_eq(h->decode_bound_by, LLMROOF_RESOURCE_HOST_LINK);
    ck_assert_double_eq_tol(h->decode_time, h->decode_bytes / 31.5e9 + h->layers * 20e-6, 1e-12);
    ck_assert_int_eq(r.decode_bound_by, LLMROOF_RESOURCE_HOST_LINK);
    /* Slower than computing them in host RAM at 89.6 GB/s. */
    f.engine.offloaded_layers = LLMROOF_OFFLOAD_HOST_COMPUTE;
    f.engine.backend_count = 3;
    ck_assert_double_gt(fx_run(&f).decode_tps, r.decode_tps);
}
END_TEST

START_TEST(batch_raises_throughput)
{
    fixture f;
    fx_pc(&f, 1);
    double prev = 0;
    for (uint32_t b = 1; b <= 32; b *= 2) {
        f.req.batch = b;
        llmroof_result r = fx_run(&f);
        ck_assert_double_gt(r.decode_tps, prev);
        prev = r.decode_tps;
    }
}
END_TEST

START_TEST(prefill_and_ttft)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.prompt = 512;
    llmroof_result a = fx_run(&f);
    ck_assert_double_eq_tol(a.ttft, 512 / a.prefill_tps, 1e-12);
    f.req.prompt = 4096;
    llmroof_result b = fx_run(&f);
    ck_assert_double_gt(b.ttft, a.ttft);
    ck_assert_double_lt(b.prefill_tps, a.prefill_tps); /* attention grows as p^2 */
    ck_assert_double_eq_tol(b.request_time, b.ttft + 128 / b.decode_tps, 1e-9);
    /* Energy: watts x seconds per token. */
    ck_assert_double_eq_tol(b.joules_per_token, b.power / b.decode_tps, 1e-12);
}
END_TEST

/* Without flash attention the f32 scores (32 heads x 4 B) make four passes
 * per (query, key-cell) pair and layer; ubatches of 512 over a 2048-token
 * prompt score 512 x (512 + 1024 + 1536 + 2048) pairs.  That traffic runs
 * at the achieved bandwidth (0.8 x 1008 GB/s) on top of the rest. */
START_TEST(scores_without_flash_attention)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.prompt = 2048;
    llmroof_result on = fx_run(&f);
    f.req.flash_attention = 0;
    llmroof_result off = fx_run(&f);
    double bytes = 32 * 16.0 * 32 * 512.0 * (512 + 1024 + 1536 + 2048);
    ck_assert_double_eq_tol(off.tiers[0].prefill_time - on.tiers[0].prefill_time,
                            bytes / (1008e9 * 0.8), 1e-9);
    ck_assert_double_lt(off.prefill_tps, on.prefill_tps);
    ck_assert_double_lt(off.decode_tps, on.decode_tps);
}
END_TEST

/* A measured host bandwidth (docs/model.md §5): the backend's
 * measured_efficiency replaces eta, tau stays; without one, a tier
 * that runs layers there is refused, and an unused host tier is not. */
static llmroof_status run_status(fixture *f, llmroof_error *e)
{
    llmroof_result r;
    llmroof_result_init(&r);
    llmroof_error_init(e);
    return llmroof__estimate_plain(&f->m, &f->model, &f->quant, &f->engine, &f->req, &r, e);
}

START_TEST(measured_bandwidth)
{
    fixture f;
    llmroof_error e;
    fx_pc(&f, 0);
    f.req.gen = 1;
    f.req.prompt = 1;
    llmroof_result a = fx_run(&f);
    double bytes = a.tiers[0].decode_bytes;
    ck_assert_double_eq_tol(a.tiers[0].decode_time, bytes / (89.6e9 * 0.8) + 32 * 20e-6, 1e-12);

    f.host.bandwidth_kind = LLMROOF_BANDWIDTH_MEASURED;
    ck_assert_int_eq(run_status(&f, &e), LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.message, "ddr5-5600-2ch"));
    ck_assert_ptr_nonnull(strstr(e.message, "measured_efficiency"));

    f.engine.backends[1].measured_efficiency = 0.9;
    llmroof_result b = fx_run(&f);
    ck_assert_double_eq_tol(b.tiers[0].decode_bytes, bytes, 1e-6);
    ck_assert_double_eq_tol(b.tiers[0].decode_time, bytes / (89.6e9 * 0.9) + 32 * 20e-6, 1e-12);
    ck_assert_double_eq_tol(b.tiers[0].decode_bound_time, a.tiers[0].decode_bound_time, 1e-12);
    ck_assert_double_eq_tol(b.decode_bound_tps, a.decode_bound_tps, 1e-9);

    /* One GPU holds the 8B model: the measured host runs nothing. */
    fx_pc(&f, 1);
    f.host.bandwidth_kind = LLMROOF_BANDWIDTH_MEASURED;
    ck_assert_int_eq(run_status(&f, &e), LLMROOF_OK);
    /* The 70B model with 40 layers on the GPU: the host runs the rest. */
    fx_llama70b(&f.model);
    f.req.gpu_layers = 40;
    ck_assert_int_eq(run_status(&f, &e), LLMROOF_E_UNSUPPORTED);
}
END_TEST

/* A quant whose CPU matrix products run ggml's dot-product kernel is
 * charged cpu_dot_cost flop-equivalents per weight at efficiency 1 on a
 * CPU tier, in place of 2 flops at the prefill efficiency (docs/model.md
 * §5, §6); a GPU tier ignores it. */
START_TEST(cpu_dot_cost)
{
    fixture f;
    fx_pc(&f, 0);
    f.req.prompt = 512;
    f.req.gen = 1;
    llmroof_result a = fx_run(&f);
    f.quant.cpu_dot_cost = 8.0;
    llmroof_result b = fx_run(&f);
    ck_assert_int_eq(b.prefill_bound_by, LLMROOF_RESOURCE_COMPUTE);
    llmroof__shape s;
    llmroof_request q = f.req;
    ck_assert_int_eq(llmroof__shape_compute(&f.model, &f.quant, &q, &s, NULL), LLMROOF_OK);
    const double P = llmroof__layers_active_params(&s, 0, 32);
    /* Layers' matrix work before and after: 2 P / (C 0.5) against 8 P / C,
     * twice the time; the head and attention terms are unchanged. */
    double da = a.tiers[0].prefill_time, db = b.tiers[0].prefill_time;
    ck_assert_double_eq_tol(db - da, 512 * (8.0 * P / 2e12 - 2.0 * P / (2e12 * 0.5)), 1e-9);
    ck_assert_double_lt(b.prefill_tps, a.prefill_tps);
    /* Never faster than its own bound. */
    ck_assert_double_le(b.prefill_tps, b.prefill_bound_tps);
    ck_assert_double_le(b.decode_tps, b.decode_bound_tps);

    /* On the GPU the type's CPU kernel is irrelevant. */
    fx_pc(&f, 1);
    llmroof_result g = fx_run(&f);
    f.quant.cpu_dot_cost = 8.0;
    llmroof_result h = fx_run(&f);
    ck_assert_double_eq(g.prefill_tps, h.prefill_tps);
    ck_assert_double_eq(g.decode_tps, h.decode_tps);
}
END_TEST

/* The fixture's model as a mixture of experts: 8 experts of FFN width
 * 1024, 2 a token, in 30 of its 32 layers. */
static void fx_moe(fixture *f)
{
    f->model.experts = 8;
    f->model.experts_active = 2;
    f->model.expert_ffn = 1024;
    f->model.dense_layers = 2;
}

/* A mixture-of-experts layer pays moe_layer_overhead on top of the
 * per-layer overhead, in decode and per prefill ubatch; a dense model
 * never does. */
START_TEST(moe_layer_overhead)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.gen = 1;
    llmroof_result dense = fx_run(&f);
    f.engine.backends[0].moe_layer_overhead = 50e-6;
    ck_assert_double_eq(fx_run(&f).decode_tps, dense.decode_tps);

    fx_pc(&f, 1);
    f.req.gen = 1;
    fx_moe(&f);
    llmroof_result a = fx_run(&f);
    f.engine.backends[0].moe_layer_overhead = 50e-6;
    llmroof_result b = fx_run(&f);
    ck_assert_double_eq_tol(b.tiers[0].decode_time - a.tiers[0].decode_time, 30 * 50e-6, 1e-12);
    ck_assert_double_eq_tol(b.tiers[0].prefill_time - a.tiers[0].prefill_time, 30 * 50e-6,
                            1e-12); /* one 512-token ubatch */
}
END_TEST

/* The exact Poisson expectation E[ceil(n/J)] J / lambda that the library
 * approximates (docs/model.md §6). */
static double exact_padding(double lambda, double J)
{
    double e = 0;
    for (int n = 1; n < 2000; n++)
        e += exp(n * log(lambda) - lambda - lgamma(n + 1.0)) * ceil(n / J);
    return e * J / lambda;
}

/* By hand, docs/model.md §6 "Power-limited compute": the rate a device
 * computes at, its f16 peak held to power x 0.15 TFLOPS/W by the cube root. */
static double fx_sustained(const llmroof_device *d)
{
    const double budget = d->power * 0.15e12;
    return d->power > 0 && d->compute_f16 > budget
               ? d->compute_f16 * cbrt(budget / d->compute_f16)
               : d->compute_f16;
}

/* moe_token_tile: a MoE layer's routed-expert products in prefill cost their
 * FLOPs padded to the tile; decode and dense models are untouched. */
START_TEST(moe_token_tile)
{
    fixture f;
    fx_pc(&f, 1);
    llmroof_result dense = fx_run(&f);
    f.engine.backends[0].moe_token_tile = 128;
    llmroof_result dense_t = fx_run(&f);
    ck_assert_double_eq(dense_t.prefill_tps, dense.prefill_tps);

    fx_pc(&f, 1);
    fx_moe(&f);
    llmroof_result a = fx_run(&f);
    ck_assert_int_eq(a.prefill_bound_by, LLMROOF_RESOURCE_COMPUTE);
    const double C = fx_sustained(&f.gpu) * f.engine.backends[0].prefill_efficiency;
    const double expert = 2.0 * 3.0 * f.model.hidden * f.model.expert_ffn; /* 2 of 8 */
    /* 512 tokens in one ubatch: lambda = 512 * 2 / 8 = 128 tokens an expert. */
    const double tiles[] = {32, 128, 512};
    for (int i = 0; i < 3; i++) {
        f.engine.backends[0].moe_token_tile = (uint32_t)tiles[i];
        llmroof_result b = fx_run(&f);
        const double pad = exact_padding(128.0, tiles[i]);
        const double want = 30 * 512 * 2.0 * expert * (pad - 1.0) / C;
        const double got = b.tiers[0].prefill_time - a.tiers[0].prefill_time;
        ck_assert_double_eq_tol(got, want, 0.03 * want + 1e-9);
        ck_assert_double_eq(b.decode_tps, a.decode_tps);
    }
    /* A tile wider than the ubatch is the ubatch: 64 tokens, lambda 16,
     * J 64, one tile an expert. */
    f.req.ubatch = 64;
    f.engine.backends[0].moe_token_tile = 0;
    llmroof_result c = fx_run(&f);
    f.engine.backends[0].moe_token_tile = 128;
    llmroof_result d = fx_run(&f);
    f.engine.backends[0].moe_token_tile = 64;
    llmroof_result e = fx_run(&f);
    ck_assert_double_eq(d.prefill_tps, e.prefill_tps);
    ck_assert_double_lt(d.prefill_tps, c.prefill_tps);
}
END_TEST

/* hbm_read_penalty: on an HBM device each byte read costs eta and the
 * penalty, 1 / eta' = 1 / eta + penalty; other memory is untouched. */
START_TEST(hbm_read_penalty)
{
    fixture f;
    fx_pc(&f, 1);
    f.req.gen = 1;
    f.req.prompt = 1;
    llmroof_result a = fx_run(&f);
    f.engine.backends[0].hbm_read_penalty = 0.5;
    ck_assert_double_eq(fx_run(&f).decode_tps, a.decode_tps); /* not HBM */
    f.gpu.memory_type = LLMROOF_MEMORY_GDDR;
    ck_assert_double_eq(fx_run(&f).decode_tps, a.decode_tps);
    f.gpu.memory_type = LLMROOF_MEMORY_HBM;
    llmroof_result b = fx_run(&f);
    /* decode_by_hand: bytes / (1008 GB/s x 0.8) + 32 x 20 us. */
    const double bytes = a.tiers[0].decode_bytes;
    const double want = bytes / 1008e9 * (1.0 / 0.8 + 0.5) + 32 * 20e-6;
    ck_assert_double_eq_tol(b.tiers[0].decode_time, want, 1e-12);
    ck_assert_double_eq_tol(b.decode_bound_tps, a.decode_bound_tps, 1e-9); /* bound: peak */
    f.engine.backends[0].hbm_read_penalty = 0;
    ck_assert_double_eq(fx_run(&f).decode_tps, a.decode_tps);
}
END_TEST

/* A backend listed in the device's vector_backends runs at its shader
 * cores' peak (compute_f16_vector), others at the matrix units'. */
START_TEST(vector_backends)
{
    fixture f;
    fx_pc(&f, 1);
    f.gpu.power = 0; /* the peaks as they are (power_limited_compute) */
    llmroof_result a = fx_run(&f);
    ck_assert_int_eq(a.prefill_bound_by, LLMROOF_RESOURCE_COMPUTE);
    f.gpu.compute_f16_vector = 165.2e12 / 4;
    f.gpu.vector_backends = 1u << LLMROOF_BACKEND_VULKAN;
    ck_assert_double_eq(fx_run(&f).prefill_tps, a.prefill_tps); /* CUDA: matrix units */
    f.gpu.vector_backends = 1u << LLMROOF_BACKEND_CUDA;
    llmroof_result b = fx_run(&f);
    ck_assert_int_eq(b.prefill_bound_by, LLMROOF_RESOURCE_COMPUTE);
    /* The GPU tier's compute-bound prompt time: 4x, less the fixed part. */
    double fixed = 32 * 20e-6;
    ck_assert_double_eq_tol(b.tiers[0].prefill_time - fixed, 4 * (a.tiers[0].prefill_time - fixed),
                            1e-9);
}
END_TEST

/* An accelerator whose peak is above power x 0.15 TFLOPS/W computes at the
 * clock its power sustains, peak x cbrt(budget / peak) (docs/model.md §6);
 * the bound keeps the peak, memory-bound decode and CPUs are untouched. */
START_TEST(power_limited_compute)
{
    fixture f;
    fx_pc(&f, 1);
    f.gpu.power = 0;
    llmroof_result a = fx_run(&f);
    ck_assert_int_eq(a.prefill_bound_by, LLMROOF_RESOURCE_COMPUTE);
    f.gpu.power = 450; /* budget 67.5 TFLOPS of a 165.2 peak */
    llmroof_result b = fx_run(&f);
    const double fixed = 32 * 20e-6;
    const double slow = cbrt(165.2 / 67.5);
    ck_assert_double_eq_tol(b.tiers[0].prefill_time - fixed,
                            slow * (a.tiers[0].prefill_time - fixed), 1e-9);
    ck_assert_double_eq_tol(fx_sustained(&f.gpu), 165.2e12 / slow, 1e3);
    ck_assert_double_eq_tol(b.prefill_bound_tps, a.prefill_bound_tps, 1e-9 * a.prefill_bound_tps);
    ck_assert_double_eq(b.decode_tps, a.decode_tps);
    /* Power to spare: the peak. */
    f.gpu.power = 165.2e12 / 0.15e12 + 1;
    ck_assert_double_eq(fx_run(&f).prefill_tps, a.prefill_tps);
    /* A CPU's compute is not held to its power. */
    fx_pc(&f, 0);
    llmroof_result c = fx_run(&f);
    ck_assert_int_eq(c.prefill_bound_by, LLMROOF_RESOURCE_COMPUTE);
    f.host.power = 1;
    ck_assert_double_eq(fx_run(&f).prefill_tps, c.prefill_tps);
}
END_TEST

/* Fewer threads than the CPU's cores: that share of its compute peak;
 * more: no gain; a device without cores ignores the request. */
START_TEST(threads_share_compute)
{
    fixture f;
    fx_pc(&f, 0);
    f.host.cores = 16;
    f.req.gen = 1;
    llmroof_result a = fx_run(&f);
    f.req.threads = 4;
    llmroof_result b = fx_run(&f);
    ck_assert_int_eq(a.prefill_bound_by, LLMROOF_RESOURCE_COMPUTE);
    /* Prefill is compute-bound: the layers' and head's work take 4x as
     * long; per-layer overheads stay. */
    double fixed = 32 * 20e-6; /* one 512-token ubatch, 32 layers */
    ck_assert_double_eq_tol(b.tiers[0].prefill_time - fixed, 4 * (a.tiers[0].prefill_time - fixed),
                            1e-9);
    ck_assert_double_le(b.decode_tps, a.decode_tps);
    f.req.threads = 64;
    ck_assert_double_eq(fx_run(&f).prefill_tps, a.prefill_tps);
    f.req.threads = 4;
    f.host.cores = 0;
    ck_assert_double_eq(fx_run(&f).prefill_tps, a.prefill_tps);
    f.req.threads = 70000;
    llmroof_error e;
    ck_assert_int_eq(run_status(&f, &e), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(e.message, "threads"));
}
END_TEST

/* ---- error band (docs/api.md, "Error band") ---- */

#define BAND_FLAGS \
    (LLMROOF_FLAG_BAND_THIN | LLMROOF_FLAG_UNCALIBRATED | LLMROOF_FLAG_MOE_UNCALIBRATED)

/* The same band for every kind of placement, on every backend. */
static void set_bands(fixture *f, llmroof_band b)
{
    for (uint32_t i = 0; i < f->engine.backend_count; i++)
        for (int k = 0; k < LLMROOF_PLACEMENT_COUNT; k++)
            f->engine.backends[i].bands[k] = b;
}

START_TEST(band_kind_by_placement)
{
    fixture f;
    fx_pc(&f, 1);
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    ck_assert_int_eq(r.band_kind, LLMROOF_PLACEMENT_GPU);
    f.req.gpu_layers = 32; /* every repeating layer; the output head stays on the host */
    ck_assert_int_eq(fx_run(&f).band_kind, LLMROOF_PLACEMENT_GPU);
    f.req.gpu_layers = 31;
    ck_assert_int_eq(fx_run(&f).band_kind, LLMROOF_PLACEMENT_OFFLOAD);
    f.req.gpu_layers = 0;
    ck_assert_int_eq(fx_run(&f).band_kind, LLMROOF_PLACEMENT_CPU);
    fx_pc(&f, 0); /* no accelerator at all */
    ck_assert_int_eq(fx_run(&f).band_kind, LLMROOF_PLACEMENT_CPU);

    fx_pc(&f, 1);
    fx_llama70b(&f.model); /* 40 GiB of weights on one 24 GiB card */
    r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_OFFLOAD);
    ck_assert_int_eq(r.band_kind, LLMROOF_PLACEMENT_OFFLOAD);

    fx_pc(&f, 2);
    fx_llama70b(&f.model);
    f.quant.bpw = 3.5; /* fits on the two cards */
    r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    ck_assert_uint_gt(r.tiers[0].layers, 0);
    ck_assert_uint_gt(r.tiers[1].layers, 0);
    ck_assert_int_eq(r.band_kind, LLMROOF_PLACEMENT_MULTI_GPU);
    f.req.split = LLMROOF_SPLIT_ROW;
    ck_assert_int_eq(fx_run(&f).band_kind, LLMROOF_PLACEMENT_MULTI_GPU);
    fx_pc(&f, 2); /* the 8B model, all on the first card with split none */
    f.req.split = LLMROOF_SPLIT_NONE;
    ck_assert_int_eq(fx_run(&f).band_kind, LLMROOF_PLACEMENT_GPU);

    fx_mac(&f, 96);
    r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    ck_assert_int_eq(r.band_kind, LLMROOF_PLACEMENT_UNIFIED);
}
END_TEST

START_TEST(band_applied)
{
    fixture f;
    fx_pc(&f, 1);
    f.engine.backends[0].bands[LLMROOF_PLACEMENT_GPU] =
        (llmroof_band){0.84, 1.19, 0.62, 1.41, 212, 180, 9, 14};
    llmroof_result r = fx_run(&f);
    ck_assert_double_gt(r.decode_tps, 0);
    ck_assert(r.decode_tps_lo == r.decode_tps * 0.84);
    ck_assert(r.decode_tps_hi == r.decode_tps * 1.19);
    ck_assert(r.prefill_tps_lo == r.prefill_tps * 0.62);
    ck_assert(r.prefill_tps_hi == r.prefill_tps * 1.41);
    ck_assert_uint_eq(r.flags & BAND_FLAGS, 0);
    ck_assert_uint_eq(r.reserved_u32, 0);

    /* Another kind's band does not apply: the wide default, flagged. */
    f.req.gpu_layers = 20;
    r = fx_run(&f);
    ck_assert_int_eq(r.band_kind, LLMROOF_PLACEMENT_OFFLOAD);
    ck_assert(r.decode_tps_lo == r.decode_tps * 0.5);
    ck_assert(r.decode_tps_hi == r.decode_tps * 1.5);
    ck_assert(r.prefill_tps_lo == r.prefill_tps * 0.33);
    ck_assert(r.prefill_tps_hi == r.prefill_tps * 2.0);
    ck_assert_uint_eq(r.flags & BAND_FLAGS, LLMROOF_FLAG_UNCALIBRATED);

    /* Offload takes the accelerators' backend (cuda), not the host's. */
    f.engine.backends[0].bands[LLMROOF_PLACEMENT_OFFLOAD] =
        (llmroof_band){0.6, 1.7, 0.5, 1.9, 60, 50, 5, 3};
    f.engine.backends[1].bands[LLMROOF_PLACEMENT_OFFLOAD] =
        (llmroof_band){0.9, 1.1, 0.9, 1.1, 60, 50, 5, 3};
    r = fx_run(&f);
    ck_assert(r.decode_tps_lo == r.decode_tps * 0.6);
    ck_assert(r.prefill_tps_hi == r.prefill_tps * 1.9);
    ck_assert_uint_eq(r.flags & BAND_FLAGS, 0);

    /* No layer on the GPU: the engine's cpu backend's band. */
    f.req.gpu_layers = 0;
    f.engine.backends[0].bands[LLMROOF_PLACEMENT_CPU] =
        (llmroof_band){0.1, 9, 0.1, 9, 60, 50, 5, 3};
    f.engine.backends[1].bands[LLMROOF_PLACEMENT_CPU] =
        (llmroof_band){0.75, 1.25, 0.7, 1.3, 60, 50, 5, 3};
    r = fx_run(&f);
    ck_assert_int_eq(r.band_kind, LLMROOF_PLACEMENT_CPU);
    ck_assert(r.decode_tps_lo == r.decode_tps * 0.75);
    ck_assert(r.decode_tps_hi == r.decode_tps * 1.25);
    ck_assert(r.prefill_tps_lo == r.prefill_tps * 0.7);
    ck_assert_uint_eq(r.flags & BAND_FLAGS, 0);
}
END_TEST

START_TEST(band_flags)
{
    fixture f;
    fx_pc(&f, 1);
    /* Decode band only: prefill takes the default, flagged. */
    set_bands(&f, (llmroof_band){0.8, 1.2, 0, 0, 100, 0, 5, 4});
    llmroof_result r = fx_run(&f);
    ck_assert(r.decode_tps_lo == r.decode_tps * 0.8);
    ck_assert(r.prefill_tps_lo == r.prefill_tps * 0.33);
    ck_assert(r.prefill_tps_hi == r.prefill_tps * 2.0);
    ck_assert_uint_eq(r.flags & BAND_FLAGS, LLMROOF_FLAG_UNCALIBRATED);
    /* A band with no rows of its own (borrowed by the fit). */
    set_bands(&f, (llmroof_band){0.8, 1.2, 0.7, 1.3, 0, 0, 0, 4});
    r = fx_run(&f);
    ck_assert(r.decode_tps_hi == r.decode_tps * 1.2);
    ck_assert(r.prefill_tps_lo == r.prefill_tps * 0.7);
    ck_assert_uint_eq(r.flags & BAND_FLAGS, LLMROOF_FLAG_UNCALIBRATED);
    /* Thin: fewer than 20 rows, or fewer than 3 sources. */
    set_bands(&f, (llmroof_band){0.8, 1.2, 0.7, 1.3, 19, 40, 5, 4});
    ck_assert_uint_eq(fx_run(&f).flags & BAND_FLAGS, LLMROOF_FLAG_BAND_THIN);
    set_bands(&f, (llmroof_band){0.8, 1.2, 0.7, 1.3, 40, 12, 5, 4});
    ck_assert_uint_eq(fx_run(&f).flags & BAND_FLAGS, LLMROOF_FLAG_BAND_THIN);
    set_bands(&f, (llmroof_band){0.8, 1.2, 0.7, 1.3, 40, 40, 2, 4});
    ck_assert_uint_eq(fx_run(&f).flags & BAND_FLAGS, LLMROOF_FLAG_BAND_THIN);
    set_bands(&f, (llmroof_band){0.8, 1.2, 0.7, 1.3, 20, 20, 3, 0});
    ck_assert_uint_eq(fx_run(&f).flags & BAND_FLAGS, 0); /* a dense model: moe_rows moot */

    /* A mixture of experts: flagged unless MoE rows are behind the band. */
    f.model.experts = 8;
    f.model.experts_active = 2;
    f.model.expert_ffn = 2048;
    f.model.params = 0;
    r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    ck_assert_uint_eq(r.flags & BAND_FLAGS, LLMROOF_FLAG_MOE_UNCALIBRATED);
    set_bands(&f, (llmroof_band){0.8, 1.2, 0.7, 1.3, 20, 20, 3, 1});
    ck_assert_uint_eq(fx_run(&f).flags & BAND_FLAGS, 0);
    set_bands(&f, (llmroof_band){0});
    ck_assert_uint_eq(fx_run(&f).flags & BAND_FLAGS,
                      LLMROOF_FLAG_UNCALIBRATED | LLMROOF_FLAG_MOE_UNCALIBRATED);
}
END_TEST

START_TEST(band_zero_without_speed)
{
    fixture f;
    fx_pc(&f, 1);
    fx_llama70b(&f.model);
    f.engine.offloaded_layers = LLMROOF_OFFLOAD_NONE; /* 70B cannot stay on one card */
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_NONE);
    ck_assert_int_eq(r.band_kind, LLMROOF_PLACEMENT_GPU);
    ck_assert(r.decode_tps_lo == 0 && r.decode_tps_hi == 0);
    ck_assert(r.prefill_tps_lo == 0 && r.prefill_tps_hi == 0);
    ck_assert_uint_eq(r.flags & BAND_FLAGS, 0);
    /* No prompt: no prefill speed, no prefill band. */
    fx_pc(&f, 1);
    f.req.prompt = 0;
    r = fx_run(&f);
    ck_assert(r.prefill_tps == 0 && r.prefill_tps_lo == 0 && r.prefill_tps_hi == 0);
    ck_assert_double_gt(r.decode_tps_lo, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("roofline");
    TCase *tc = tcase_create("roofline");
    tcase_add_test(tc, decode_slows_with_context);
    tcase_add_test(tc, decode_slows_with_quant_size);
    tcase_add_test(tc, decode_slows_with_offloaded_layers);
    tcase_add_test(tc, never_above_bound);
    tcase_add_test(tc, layer_split_adds_tiers);
    tcase_add_test(tc, row_split_formula);
    tcase_add_test(tc, nvlink_beats_pcie);
    tcase_add_test(tc, bound_attribution);
    tcase_add_test(tc, decode_by_hand);
    tcase_add_test(tc, bandwidth_cap);
    tcase_add_test(tc, prefill_efficiency_per_kernel);
    tcase_add_test(tc, stream_over_link);
    tcase_add_test(tc, batch_raises_throughput);
    tcase_add_test(tc, prefill_and_ttft);
    tcase_add_test(tc, scores_without_flash_attention);
    tcase_add_test(tc, measured_bandwidth);
    tcase_add_test(tc, cpu_dot_cost);
    tcase_add_test(tc, threads_share_compute);
    tcase_add_test(tc, moe_layer_overhead);
    tcase_add_test(tc, moe_token_tile);
    tcase_add_test(tc, hbm_read_penalty);
    tcase_add_test(tc, power_limited_compute);
    tcase_add_test(tc, vector_backends);
    suite_add_tcase(s, tc);
    tc = tcase_create("band");
    tcase_add_test(tc, band_kind_by_placement);
    tcase_add_test(tc, band_applied);
    tcase_add_test(tc, band_flags);
    tcase_add_test(tc, band_zero_without_speed);
    suite_add_tcase(s, tc);
    return fx_run_main(s);
}
