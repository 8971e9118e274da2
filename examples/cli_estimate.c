/* llmroof estimate: one machine, one model, one quant -> fit and speed. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_help_estimate(FILE *out)
{
    fputs(
        "Usage: llmroof estimate --system S --model M --quant Q [options]\n"
        "\n"
        "Predicts whether model M quantized as Q fits on system S, where each part\n"
        "lands, and how fast it runs (llama-bench semantics: a prompt of --prompt\n"
        "tokens, then --gen tokens generated one at a time, both after --depth\n"
        "tokens already in the context).\n"
        "\n"
        "Required:\n"
        "  --system S           machine id (llmroof list systems)\n"
        "  --model M            model id (llmroof list models)\n"
        "  --quant Q            quantization id, e.g. Q4_K_M (llmroof list quants)\n"
        "  --gguf FILE          instead of --model and --quant: a GGUF file's header\n"
        "                       (shapes, exact tensor bytes; docs/gguf.md)\n"
        "  --config FILE        instead of --model: a Hugging Face config.json's shapes\n"
        "                       (with --quant)\n"
        "\n"
        "Workload:\n"
        "  --engine E           inference engine (default llama.cpp)\n"
        "  --ctx N              context allocated, tokens (default 0 = depth+prompt+gen)\n"
        "  --depth N            tokens already in the context (default 0)\n"
        "  --prompt N           prompt tokens processed at once (default 512)\n"
        "  --gen N              tokens generated (default 128)\n"
        "  --batch N            parallel sequences (default 1)\n"
        "  --ubatch N           physical batch for prompt processing (default 512)\n"
        "  --kv TYPE            KV cache type: f16 (default), q8_0, q4_0, ...\n"
        "  --threads N          CPU threads, like llama.cpp -t (default 0 = one per core)\n"
        "\n"
        "Placement:\n"
        "  --gpu-layers N|auto  layers on GPUs, the output layer counting as one\n"
        "                       (like llama.cpp -ngl: 99 = all of them;\n"
        "                       default auto = most that fit)\n"
        "  --split MODE         layer, row, tensor, none or auto (default auto)\n"
        "  --tensor-split a,b   share of the model per GPU (default: by free memory)\n"
        "  --no-flash-attn      model flash attention off (default on)\n"
        "  --backend B          run the GPUs with backend B (cuda, rocm, metal, vulkan,\n"
        "                       sycl) instead of each device's own, e.g. Vulkan on an\n"
        "                       NVIDIA or AMD card\n"
        "  --gpu-share F        unified memory: fraction the GPU may use, 0 < F <= 1\n"
        "                       (default: the device's; macOS wires about 0.75)\n"
        "  --electricity-price P  USD per kWh, for the electricity cost per million\n"
        "                       tokens (default: none)\n"
        "\n"
        "Output and data:\n"
        "  --json               one JSON object on stdout (fields: docs/cli.md)\n"
        "  --catalog FILE       load extra descriptors (repeatable)\n"
        "  --override           let --catalog files redefine existing ids\n"
        "  -h, --help           this help\n"
        "\n"
        "Exit status: 0 estimate printed (also when the model does not fit),\n"
        "1 unknown id or a request the model rejects, 2 bad command line.\n",
        out);
}

typedef struct estimate_opts {
    llmroof_request req;
    const char *system, *model, *quant, *engine, *gguf, *config;
    int json;
} estimate_opts;

static int bad_value(const char *opt, const char *value, const char *expected)
{
    cli_usage_error("estimate", "invalid value '%s' for %s: expected %s", value, opt, expected);
    return CLI_USAGE;
}

static int parse_tensor_split(const char *v, llmroof_request *req)
{
    uint32_t count = 0;
    double sum = 0;
    const char *p = v;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char piece[64];
        double d;
        if (len == 0 || len >= sizeof piece || count >= LLMROOF_MAX_DEVICES)
            return -1;
        memcpy(piece, p, len);
        piece[len] = '\0';
        if (cli_parse_double(piece, &d) != 0)
            return -1;
        req->tensor_split[count++] = d;
        sum += d;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!(sum > 0))
        return -1;
    req->tensor_split_count = count;
    return 0;
}

/* Parses the command line into o.  Returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, cli_common *c, estimate_opts *o)
{
    llmroof_request *r = &o->req;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        int m;
        uint32_t u;
        if (cli_is_help(a)) {
            cli_help_estimate(stdout);
            return CLI_OK;
        }
        if ((m = cli_common_option("estimate", argc, argv, &i, c)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            continue;
        }
        if ((m = cli_workload_option("estimate", argc, argv, &i, r)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            continue;
        }
        if ((m = cli_match("estimate", argc, argv, &i, "--system", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->system = v;
        } else if ((m = cli_match("estimate", argc, argv, &i, "--model", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->model = v;
        } else if ((m = cli_match("estimate", argc, argv, &i, "--gguf", &v)) != 0) {
            if (m < 0 || cli_file_name("estimate", "option '--gguf'", v) != 0)
                return CLI_USAGE;
            o->gguf = v;
        } else if ((m = cli_match("estimate", argc, argv, &i, "--config", &v)) != 0) {
            if (m < 0 || cli_file_name("estimate", "option '--config'", v) != 0)
                return CLI_USAGE;
            o->config = v;
        } else if ((m = cli_match("estimate", argc, argv, &i, "--quant", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->quant = v;
        } else if ((m = cli_match("estimate", argc, argv, &i, "--engine", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->engine = v;
        } else if ((m = cli_match("estimate", argc, argv, &i, "--kv", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (llmroof_kv_type_from_string(v, &r->kv_type) != LLMROOF_OK)
                return bad_value("--kv", v, "f16, q8_0, q4_0, f32, bf16, q4_1, q5_0, q5_1 "
                                            "or iq4_nl");
        } else if ((m = cli_match("estimate", argc, argv, &i, "--gpu-layers", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (strcmp(v, "auto") == 0)
                r->gpu_layers = -1;
            else if (cli_parse_u32(v, 0, INT32_MAX, &u) == 0)
                r->gpu_layers = (int32_t)u;
            else
                return bad_value("--gpu-layers", v, "a whole number >= 0 or 'auto'");
        } else if ((m = cli_match("estimate", argc, argv, &i, "--tensor-split", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (parse_tensor_split(v, r) != 0)
                return bad_value("--tensor-split", v,
                                 "1 to 16 comma-separated numbers >= 0, not all zero");
        } else if ((m = cli_match("estimate", argc, argv, &i, "--json", NULL)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->json = 1;
        } else if (a[0] == '-') {
            cli_usage_error("estimate", "unknown option '%s'", a);
            return CLI_USAGE;
        } else {
            cli_usage_error("estimate", "unexpected argument '%s'", a);
            return CLI_USAGE;
        }
    }
    if (o->config && (o->model || o->gguf)) {
        cli_usage_error("estimate", "--config gives the model: no --model or --gguf");
        return CLI_USAGE;
    }
    if (o->gguf && (o->model || o->quant)) {
        cli_usage_error("estimate", "--gguf gives the model and the quant: no --model or --quant");
        return CLI_USAGE;
    }
    const char *missing = !o->system                ? "--system"
                        : !o->model && !o->gguf && !o->config ? "--model (or --gguf FILE)"
                        : !o->quant && !o->gguf     ? "--quant (or --gguf FILE)"
                                                    : NULL;
    if (missing) {
        cli_usage_error("estimate", "missing required option %s", missing);
        return CLI_USAGE;
    }
    return -1;
}

typedef struct estimate_names {
    llmroof_system system;
    llmroof_model model;
    llmroof_quant quant;
    llmroof_engine engine;
} estimate_names;

static int lookup_all(const llmroof_catalog *cat, const llmroof_request *r, estimate_names *n)
{
    llmroof_error err;
    llmroof_status st;
    llmroof_system_init(&n->system);
    llmroof_model_init(&n->model);
    llmroof_quant_init(&n->quant);
    llmroof_engine_init(&n->engine);
    const char *engine = r->engine[0] ? r->engine : "llama.cpp";
    llmroof_error_init(&err);
    if ((st = llmroof_catalog_get_system(cat, r->system, &n->system, &err)) != LLMROOF_OK)
        return cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_SYSTEMS, "system", r->system);
    llmroof_error_init(&err);
    if ((st = llmroof_catalog_get_model(cat, r->model, &n->model, &err)) != LLMROOF_OK)
        return cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_MODELS, "model", r->model);
    llmroof_error_init(&err);
    if ((st = llmroof_catalog_get_quant(cat, r->quant, &n->quant, &err)) != LLMROOF_OK)
        return cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_QUANTS, "quant", r->quant);
    llmroof_error_init(&err);
    if ((st = llmroof_catalog_get_engine(cat, engine, &n->engine, &err)) != LLMROOF_OK)
        return cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_ENGINES, "engine", engine);
    return CLI_OK;
}

/* ---- flags ---- */

static const struct {
    uint32_t bit;
    const char *id;
} flag_names[] = {
    {LLMROOF_FLAG_NEEDS_WIRED_LIMIT, "needs-wired-limit"},
    {LLMROOF_FLAG_CTX_ABOVE_TRAINED, "ctx-above-trained"},
    {LLMROOF_FLAG_HOST_SHORT, "host-short"},
    {LLMROOF_FLAG_PARAMS_MISMATCH, "params-mismatch"},
    {LLMROOF_FLAG_SINGLE_GPU, "single-gpu"},
    {LLMROOF_FLAG_BAND_THIN, "band-thin"},
    {LLMROOF_FLAG_UNCALIBRATED, "uncalibrated"},
    {LLMROOF_FLAG_MOE_UNCALIBRATED, "moe-uncalibrated"},
    {LLMROOF_FLAG_DEVICE_UNMEASURED, "device-unmeasured"},
};
#define FLAG_COUNT (sizeof flag_names / sizeof flag_names[0])

static void print_flag_notes(const llmroof_result *res, const estimate_names *n)
{
    uint32_t f = res->flags;
    const int row = res->split == LLMROOF_SPLIT_ROW && !(f & LLMROOF_FLAG_SINGLE_GPU);
    if (!f && !row)
        return;
    char b1[32], b2[32];
    printf("\nNotes\n");
    if (row)
        printf("  - Row split: its per-matrix synchronisation between GPUs is not calibrated\n"
               "    against measurements; read the speed as a best case (docs/model.md, section 8).\n");
    if (f & LLMROOF_FLAG_NEEDS_WIRED_LIMIT)
        printf("  - Fits only if the GPU may use more of the unified memory than its default\n"
               "    share. On macOS raise it: sudo sysctl iogpu.wired_limit_mb=<MiB>\n"
               "    (model the share with --gpu-share).\n");
    if (f & LLMROOF_FLAG_CTX_ABOVE_TRAINED)
        printf("  - The context (%u tokens) is longer than the model was trained for\n"
               "    (%u tokens); expect worse answers past that point.\n",
               (unsigned)res->ctx, (unsigned)n->model.context);
    if (f & LLMROOF_FLAG_HOST_SHORT)
        printf("  - Host RAM is too small for the layers left off the GPU: the rest is read\n"
               "    from storage for every token, which is very slow.\n");
    if (f & LLMROOF_FLAG_PARAMS_MISMATCH) {
        snprintf(b1, sizeof b1, "%.2f", res->params / 1e9);
        snprintf(b2, sizeof b2, "%.2f", n->model.params / 1e9);
        printf("  - The model's shapes give %s B parameters but its descriptor declares\n"
               "    %s B (more than 5%% apart): check the model descriptor.\n",
               b1, b2);
    }
    if (f & LLMROOF_FLAG_SINGLE_GPU)
        printf("  - A split over several GPUs was asked for, but this system has one\n"
               "    accelerator: the split mode changes nothing.\n");
    const char *kind = llmroof_placement_kind_string(res->band_kind);
    if (f & LLMROOF_FLAG_UNCALIBRATED)
        printf("  - Likely range: no measured row for this engine, backend and placement\n"
               "    (%s): a wide default or borrowed band.\n", kind);
    if (f & LLMROOF_FLAG_BAND_THIN)
        printf("  - Likely range: thin calibration (fewer than 20 rows or 3 sources for\n"
               "    this engine, backend and placement (%s)): widened.\n", kind);
    if (f & LLMROOF_FLAG_MOE_UNCALIBRATED)
        printf("  - Likely range: no mixture-of-experts model was measured on this engine\n"
               "    and backend (%s placement).\n", kind);
    if (f & LLMROOF_FLAG_DEVICE_UNMEASURED)
        printf("  - Likely range: this device was never measured with this engine and\n"
               "    backend; the range comes from other hardware.\n");
    uint32_t known = 0;
    for (size_t k = 0; k < FLAG_COUNT; k++)
        known |= flag_names[k].bit;
    if (f & ~known)
        printf("  - Other flags from the library: 0x%x\n", (unsigned)(f & ~known));
}

/* ---- human-readable output ---- */

static const char *tier_label(char *buf, size_t n, const llmroof_result *res, uint32_t t)
{
    const llmroof_tier *tier = &res->tiers[t];
    if (tier->kind == LLMROOF_TIER_ACCELERATOR) {
        uint32_t index = 0, count = 0;
        for (uint32_t k = 0; k < res->tier_count; k++)
            if (res->tiers[k].kind == LLMROOF_TIER_ACCELERATOR) {
                if (k < t)
                    index++;
                count++;
            }
        if (count > 1)
            snprintf(buf, n, "GPU %u", (unsigned)index);
        else
            snprintf(buf, n, "GPU");
    } else if (tier->kind == LLMROOF_TIER_HOST) {
        snprintf(buf, n, "host RAM");
    } else if (tier->kind == LLMROOF_TIER_STORAGE) {
        snprintf(buf, n, "storage");
    } else {
        snprintf(buf, n, "tier %u", (unsigned)t);
    }
    return buf;
}

static void print_verdict(const llmroof_result *res)
{
    int total_layers = (int)res->layers + 1; /* + output layer, as -ngl counts */
    int accelerators = 0;
    for (uint32_t i = 0; i < res->tier_count; i++)
        accelerators += res->tiers[i].kind == LLMROOF_TIER_ACCELERATOR;
    /* A machine without accelerators: "offload" is simply running from RAM. */
    if (!accelerators && res->fit == LLMROOF_FIT_OFFLOAD) {
        printf("Verdict: FITS in host RAM (a CPU-only machine: every layer runs on the CPU).\n");
        return;
    }
    switch (res->fit) {
    case LLMROOF_FIT_GPU:
        printf("Verdict: FITS in GPU memory (%d of %d layers on the GPU, counting the output\n"
               "         layer).\n",
               (int)res->gpu_layers, total_layers);
        break;
    case LLMROOF_FIT_OFFLOAD:
        printf("Verdict: fits only WITH OFFLOAD: %d of %d layers on the GPU, the rest in host\n"
               "         RAM, which is much slower to read.\n",
               (int)res->gpu_layers, total_layers);
        break;
    case LLMROOF_FIT_STORAGE:
        printf("Verdict: does NOT fit in memory: part of the model is read from storage for\n"
               "         every token (very slow). %d of %d layers on the GPU.\n",
               (int)res->gpu_layers, total_layers);
        break;
    case LLMROOF_FIT_NONE:
        printf("Verdict: does NOT run: the model does not fit on this machine, even with\n"
               "         offload (see 'short by' below).\n");
        break;
    default:
        printf("Verdict: unknown (%d)\n", (int)res->fit);
        break;
    }
}

static void print_memory(const llmroof_result *res)
{
    char b[32];
    printf("\nMemory needed (all devices together)\n");
    printf("  weights           %10s", cli_gib(b, sizeof b, (double)res->weights));
    if (res->params > 0)
        printf("   %.2f billion parameters", res->params / 1e9);
    printf("\n");
    printf("  KV cache          %10s   %u tokens of context, %s, batch %u\n",
           cli_gib(b, sizeof b, (double)res->kv), (unsigned)res->ctx,
           llmroof_kv_type_string(res->kv_type), (unsigned)res->batch);
    printf("  compute buffers   %10s\n", cli_gib(b, sizeof b, (double)res->compute));
    printf("  runtime overhead  %10s\n", cli_gib(b, sizeof b, (double)res->overhead));
    /* A tied embedding: llama.cpp keeps a copy of the head where it runs
     * besides the input embedding on the host (more than a few bytes of
     * per-tier rounding). */
    const double parts = (double)res->weights + (double)res->kv + (double)res->compute +
                         (double)res->overhead;
    if ((double)res->total > parts + 1024.0 * 1024.0)
        printf("  tied head copy    %10s   the output head where it runs; the embedding stays "
               "on the host\n", cli_gib(b, sizeof b, (double)res->total - parts));
    printf("  total             %10s\n", cli_gib(b, sizeof b, (double)res->total));
}

static void print_tiers(const llmroof_result *res)
{
    char b[8][32];
    int dw = 6;
    uint32_t count = res->tier_count < LLMROOF_MAX_TIERS ? res->tier_count : LLMROOF_MAX_TIERS;
    for (uint32_t t = 0; t < count; t++) {
        int len = (int)strnlen(res->tiers[t].device, LLMROOF_ID_MAX);
        if (len > dw)
            dw = len;
    }
    if (dw > 24)
        dw = 24;
    printf("\nWhere it goes (split: %s)\n", llmroof_split_string(res->split));
    printf("  %-8s  %-*s  %6s  %9s  %9s  %9s  %9s  %s\n", "tier", dw, "device", "layers",
           "weights", "KV cache", "total", "capacity", "headroom");
    for (uint32_t t = 0; t < count; t++) {
        const llmroof_tier *tier = &res->tiers[t];
        char layers[24];
        snprintf(layers, sizeof layers, "%u%s", (unsigned)tier->layers,
                 tier->has_output ? "+out" : "");
        char head[48];
        if (tier->headroom >= 0)
            snprintf(head, sizeof head, "%s free", cli_gib(b[6], sizeof b[6], (double)tier->headroom));
        else
            snprintf(head, sizeof head, "short by %s",
                     cli_gib(b[6], sizeof b[6], -(double)tier->headroom));
        const char *cap = tier->capacity ? cli_gib(b[4], sizeof b[4], (double)tier->capacity)
                                         : "-";
        printf("  %-8s  %-*.*s  %6s  %9s  %9s  %9s  %9s  %s\n",
               tier_label(b[0], sizeof b[0], res, t), dw, dw, tier->device, layers,
               cli_gib(b[1], sizeof b[1], (double)tier->weights),
               cli_gib(b[2], sizeof b[2], (double)tier->kv),
               cli_gib(b[3], sizeof b[3], (double)tier->total), cap,
               tier->capacity ? head : "-");
    }
    printf("  (\"+out\": the output layer is here too; headroom = capacity - total)\n");
    for (uint32_t t = 0; t < count; t++)
        if (res->tiers[t].kind == LLMROOF_TIER_STORAGE) {
            printf("  (storage: the weights that do not fit in host RAM, read from disk\n"
                   "  through mmap for every token; they are counted in host RAM too)\n");
            break;
        }
}

/* "GPU memory bandwidth (rtx-4090)" for the resource that bounds a step. */
static const char *bound_words(char *buf, size_t n, const llmroof_result *res,
                               int32_t resource, int32_t tier)
{
    if (tier >= 0 && (uint32_t)tier < res->tier_count && tier < LLMROOF_MAX_TIERS &&
        res->tiers[tier].device[0])
        snprintf(buf, n, "%s of %s", cli_resource_words(resource), res->tiers[tier].device);
    else
        snprintf(buf, n, "%s", cli_resource_words(resource));
    return buf;
}

/* "124 tok/s, likely 105-140" (the range only when the library gives one). */
static const char *speed_range(char *buf, size_t n, double tps, double lo, double hi)
{
    char a[32], b[32], c[32];
    cli_tps(a, sizeof a, tps);
    if (lo > 0 && hi > 0)
        snprintf(buf, n, "%s tok/s, likely %s-%s", a, cli_tps(b, sizeof b, lo),
                 cli_tps(c, sizeof c, hi));
    else
        snprintf(buf, n, "%s tok/s", a);
    return buf;
}

static void print_speed(const llmroof_result *res, const llmroof_request *req)
{
    char a[32], b[32], w[160], v[96];
    printf("\nSpeed\n");
    if (res->fit == LLMROOF_FIT_NONE) {
        printf("  none: the model does not run on this machine.\n");
        return;
    }
    printf("  generation    %s  (limit %s tok/s at 100%% efficiency, no overheads)\n",
           speed_range(v, sizeof v, res->decode_tps, res->decode_tps_lo, res->decode_tps_hi),
           cli_tps(b, sizeof b, res->decode_bound_tps));
    if (res->batch > 1)
        printf("                %s per step (one token for each of %u sequences)",
               cli_seconds(a, sizeof a, res->decode_step_time), (unsigned)res->batch);
    else
        printf("                %s per token", cli_seconds(a, sizeof a, res->decode_step_time));
    if (res->decode_link_time > 0)
        printf(", of which %s in transfers and syncs between devices",
               cli_seconds(b, sizeof b, res->decode_link_time));
    printf("\n");
    printf("                bound by the %s\n",
           bound_words(w, sizeof w, res, res->decode_bound_by, res->decode_bound_tier));
    if (req->prompt > 0) {
        printf("  prompt        %s  (limit %s tok/s)\n",
               speed_range(v, sizeof v, res->prefill_tps, res->prefill_tps_lo,
                           res->prefill_tps_hi),
               cli_tps(b, sizeof b, res->prefill_bound_tps));
        printf("                bound by the %s\n",
               bound_words(w, sizeof w, res, res->prefill_bound_by, res->prefill_bound_tier));
        printf("  first token   after %s (the %u-token prompt)\n",
               cli_seconds(a, sizeof a, res->ttft), (unsigned)req->prompt);
    }
    if (res->request_time > 0)
        printf("  whole run     %s (prompt + %u generated tokens)\n",
               cli_seconds(a, sizeof a, res->request_time), (unsigned)req->gen);
}

/* About three significant digits, no exponent: "3507", "64.8", "0.123". */
static const char *round3(char *buf, size_t n, double v)
{
    if (v >= 100)
        snprintf(buf, n, "%.0f", v);
    else if (v >= 10)
        snprintf(buf, n, "%.1f", v);
    else if (v >= 1)
        snprintf(buf, n, "%.2f", v);
    else
        snprintf(buf, n, "%.3g", v);
    return buf;
}

static void print_energy(const llmroof_result *res)
{
    char b[32];
    if (!(res->power > 0) && !(res->price > 0) && !(res->idle_power > 0))
        return;
    printf("\nEnergy and cost\n");
    if (res->power > 0) {
        printf("  power while generating  %.0f W", res->power);
        if (res->joules_per_token > 0 && isfinite(res->joules_per_token))
            printf(", %s J per token", round3(b, sizeof b, res->joules_per_token));
        if (res->prefill_joules_per_token > 0 && isfinite(res->prefill_joules_per_token))
            printf(" (prompt: %s J per token)", round3(b, sizeof b, res->prefill_joules_per_token));
        printf("\n");
    }
    if (res->cost_per_mtok > 0)
        printf("  electricity             %s USD per million generated tokens\n",
               round3(b, sizeof b, res->cost_per_mtok));
    if (res->idle_power > 0)
        printf("  power at idle           %.0f W\n", res->idle_power);
    if (res->price > 0) {
        printf("  price                   %.0f USD", res->price);
        if (res->price_per_tps > 0 && isfinite(res->price_per_tps))
            printf(", %s USD per tok/s of generation",
                   round3(b, sizeof b, res->price_per_tps));
        printf("\n");
    }
}

static void print_human(const llmroof_request *req, const llmroof_result *res,
                        const estimate_names *n)
{
    printf("Model:    %s (%s), quantized %s (%.2f bits per weight)\n",
           n->model.name[0] ? n->model.name : n->model.id, req->model, req->quant, n->quant.bpw);
    printf("Machine:  %s (%s)\n", n->system.name[0] ? n->system.name : n->system.id,
           req->system);
    printf("Workload: a %u-token prompt, then %u tokens generated (batch %u)",
           (unsigned)req->prompt, (unsigned)req->gen, (unsigned)res->batch);
    if (req->depth > 0)
        printf(",\n  starting with %u tokens already in the context", (unsigned)req->depth);
    printf("; context %u tokens;\n  KV cache %s, flash attention %s, engine %s%s%s\n\n",
           (unsigned)res->ctx, llmroof_kv_type_string(res->kv_type),
           req->flash_attention ? "on" : "off", n->engine.id,
           req->backend >= 0 ? " with its backend " : "",
           req->backend >= 0 ? llmroof_backend_string(req->backend) : "");
    if (req->threads > 0)
        printf("  (CPU work on %u threads)\n\n", (unsigned)req->threads);
    print_verdict(res);
    print_memory(res);
    print_tiers(res);
    print_speed(res, req);
    print_energy(res);
    print_flag_notes(res, n);
}

/* ---- JSON output ---- */

static void print_json(const llmroof_request *req, const llmroof_result *res,
                       const estimate_names *n)
{
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "version", llmroof_version());
    cli_json_string(&j, "fit", llmroof_fit_string(res->fit));
    cli_json_begin_array(&j, "flags");
    for (size_t k = 0; k < FLAG_COUNT; k++)
        if (res->flags & flag_names[k].bit)
            cli_json_string(&j, NULL, flag_names[k].id);
    for (uint32_t bit = 1; bit; bit <<= 1) {
        int known = 0;
        for (size_t k = 0; k < FLAG_COUNT; k++)
            known |= flag_names[k].bit == bit;
        if ((res->flags & bit) && !known) {
            char hex[16];
            snprintf(hex, sizeof hex, "0x%x", (unsigned)bit);
            cli_json_string(&j, NULL, hex);
        }
    }
    cli_json_end_array(&j);

    cli_json_begin_object(&j, "request");
    cli_json_string(&j, "system", req->system);
    cli_json_string(&j, "model", req->model);
    cli_json_string(&j, "quant", req->quant);
    cli_json_string(&j, "engine", n->engine.id);
    cli_json_u64(&j, "ctx", res->ctx);
    cli_json_u64(&j, "ctx_requested", req->ctx);
    cli_json_u64(&j, "depth", req->depth);
    cli_json_u64(&j, "prompt", req->prompt);
    cli_json_u64(&j, "gen", req->gen);
    cli_json_u64(&j, "batch", res->batch);
    cli_json_u64(&j, "ubatch", req->ubatch);
    cli_json_u64(&j, "threads", req->threads);
    cli_json_string(&j, "kv_type", llmroof_kv_type_string(res->kv_type));
    cli_json_i64(&j, "gpu_layers", req->gpu_layers);
    cli_json_string(&j, "split", llmroof_split_string(req->split));
    cli_json_begin_array(&j, "tensor_split");
    for (uint32_t k = 0; k < req->tensor_split_count && k < LLMROOF_MAX_DEVICES; k++)
        cli_json_double(&j, NULL, req->tensor_split[k]);
    cli_json_end_array(&j);
    cli_json_bool(&j, "flash_attn", req->flash_attention != 0);
    cli_json_double(&j, "gpu_share", req->gpu_share);
    cli_json_string(&j, "backend", req->backend < 0 ? "default" : llmroof_backend_string(req->backend));
    cli_json_end_object(&j);

    cli_json_begin_object(&j, "model");
    cli_json_string(&j, "name", n->model.name);
    cli_json_u64(&j, "layers", res->layers);
    /* Layers with a mixture-of-experts FFN (the engine's moe_layer_overhead
     * applies to each). */
    cli_json_u64(&j, "moe_layers",
                 n->model.experts == 0 ? 0
                 : n->model.dense_layers < res->layers ? res->layers - n->model.dense_layers
                                                        : 0);
    cli_json_u64(&j, "hidden", n->model.hidden);
    cli_json_double(&j, "params", res->params);
    cli_json_double(&j, "active_params", res->active_params);
    cli_json_double(&j, "bpw", n->quant.bpw);
    cli_json_end_object(&j);

    cli_json_begin_object(&j, "memory");
    cli_json_u64(&j, "weights_bytes", res->weights);
    cli_json_u64(&j, "kv_bytes", res->kv);
    cli_json_u64(&j, "compute_bytes", res->compute);
    cli_json_u64(&j, "overhead_bytes", res->overhead);
    cli_json_u64(&j, "total_bytes", res->total);
    cli_json_end_object(&j);

    cli_json_begin_object(&j, "placement");
    cli_json_i64(&j, "gpu_layers", res->gpu_layers);
    cli_json_u64(&j, "layers", res->layers);
    cli_json_string(&j, "split", llmroof_split_string(res->split));
    cli_json_begin_array(&j, "tiers");
    uint32_t count = res->tier_count < LLMROOF_MAX_TIERS ? res->tier_count : LLMROOF_MAX_TIERS;
    for (uint32_t t = 0; t < count; t++) {
        const llmroof_tier *tier = &res->tiers[t];
        char device[LLMROOF_ID_MAX];
        snprintf(device, sizeof device, "%.*s", LLMROOF_ID_MAX - 1, tier->device);
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "kind", llmroof_tier_kind_string(tier->kind));
        cli_json_string(&j, "device", device);
        cli_json_u64(&j, "layers", tier->layers);
        cli_json_bool(&j, "has_output", tier->has_output != 0);
        cli_json_u64(&j, "capacity_bytes", tier->capacity);
        cli_json_u64(&j, "weights_bytes", tier->weights);
        cli_json_u64(&j, "kv_bytes", tier->kv);
        cli_json_u64(&j, "compute_bytes", tier->compute);
        cli_json_u64(&j, "overhead_bytes", tier->overhead);
        cli_json_u64(&j, "total_bytes", tier->total);
        cli_json_i64(&j, "headroom_bytes", tier->headroom);
        cli_json_double(&j, "bandwidth_bytes_per_s", tier->bandwidth);
        cli_json_double(&j, "decode_bytes", tier->decode_bytes);
        cli_json_double(&j, "decode_time_s", tier->decode_time);
        cli_json_double(&j, "decode_bound_time_s", tier->decode_bound_time);
        cli_json_string(&j, "decode_bound_by", llmroof_resource_string(tier->decode_bound_by));
        cli_json_double(&j, "prefill_time_s", tier->prefill_time);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);

    cli_json_begin_object(&j, "decode");
    cli_json_double(&j, "tokens_per_s", res->decode_tps);
    cli_json_double(&j, "bound_tokens_per_s", res->decode_bound_tps);
    cli_json_string(&j, "bound_by", llmroof_resource_string(res->decode_bound_by));
    cli_json_i64(&j, "bound_tier", res->decode_bound_tier);
    cli_json_double(&j, "step_time_s", res->decode_step_time);
    cli_json_double(&j, "link_time_s", res->decode_link_time);
    cli_json_end_object(&j);

    cli_json_begin_object(&j, "prefill");
    cli_json_double(&j, "tokens_per_s", res->prefill_tps);
    cli_json_double(&j, "bound_tokens_per_s", res->prefill_bound_tps);
    cli_json_string(&j, "bound_by", llmroof_resource_string(res->prefill_bound_by));
    cli_json_i64(&j, "bound_tier", res->prefill_bound_tier);
    cli_json_double(&j, "ttft_s", res->ttft);
    cli_json_end_object(&j);

    cli_json_begin_object(&j, "band");
    cli_json_string(&j, "kind", llmroof_placement_kind_string(res->band_kind));
    cli_json_begin_array(&j, "decode");
    cli_json_double(&j, NULL, res->decode_tps_lo);
    cli_json_double(&j, NULL, res->decode_tps_hi);
    cli_json_end_array(&j);
    cli_json_begin_array(&j, "prefill");
    cli_json_double(&j, NULL, res->prefill_tps_lo);
    cli_json_double(&j, NULL, res->prefill_tps_hi);
    cli_json_end_array(&j);
    cli_json_end_object(&j);

    cli_json_double(&j, "request_time_s", res->request_time);

    const cli_energy e = {"token",           "mtok",          "tps",
                          res->power,        res->joules_per_token, res->idle_power,
                          res->cost_per_mtok, res->price,    res->price_per_tps,
                          res->prefill_joules_per_token};
    cli_json_energy(&j, &e);

    cli_json_end_object(&j);
    cli_json_finish(&j);
}

int cli_cmd_estimate(int argc, char **argv, cli_common *c)
{
    estimate_opts o;
    memset(&o, 0, sizeof o);
    llmroof_request_init(&o.req);
    int rc = parse_args(argc, argv, c, &o);
    if (rc >= 0)
        return rc;
    llmroof_request *r = &o.req;
    if (cli_set_id(r->system, o.system, "system") ||
        (!o.gguf && !o.config && cli_set_id(r->model, o.model, "model")) ||
        (!o.gguf && cli_set_id(r->quant, o.quant, "quant")) ||
        (o.engine && cli_set_id(r->engine, o.engine, "engine")))
        return CLI_DATA;

    llmroof_catalog *cat = cli_open_catalog(c);
    if (!cat)
        return CLI_DATA;
    if ((o.gguf && cli_add_gguf(cat, o.gguf, 1, r->model, r->quant) != CLI_OK) ||
        (o.config && cli_add_config(cat, o.config, r->model) != CLI_OK)) {
        llmroof_catalog_free(cat);
        return CLI_DATA;
    }
    /* Results are large (tiers): keep them off the stack. */
    estimate_names *names = malloc(sizeof *names);
    llmroof_result *res = malloc(sizeof *res);
    if (!names || !res) {
        cli_error("out of memory");
        rc = CLI_DATA;
        goto done;
    }
    rc = lookup_all(cat, r, names);
    if (rc != CLI_OK)
        goto done;
    llmroof_result_init(res);
    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_status st = llmroof_estimate(cat, r, res, &err);
    if (st != LLMROOF_OK) {
        cli_lib_error(&err, st, NULL);
        rc = CLI_DATA;
        goto done;
    }
    if (o.json)
        print_json(r, res, names);
    else
        print_human(r, res, names);
    rc = fflush(stdout) == 0 ? CLI_OK : CLI_DATA;
done:
    free(names);
    free(res);
    llmroof_catalog_free(cat);
    return rc;
}
