/* llmroof train: memory per accelerator and speed of fine-tuning a model
 * (docs/model.md §10). */
#include <math.h>
#include <string.h>

#include "cli.h"

void cli_help_train(FILE *out)
{
    fputs(
        "Usage: llmroof train --system S --model M [options]\n"
        "\n"
        "Predicts the memory each accelerator needs to fine-tune model M on system S\n"
        "(full fine-tuning, LoRA or QLoRA), whether it fits, and the training\n"
        "tokens/s (docs/model.md §10).\n"
        "\n"
        "Required:\n"
        "  --system S              machine id (llmroof list systems)\n"
        "  --model M               model id (llmroof list models)\n"
        "\n"
        "Training:\n"
        "  --method M              full, lora or qlora (default lora)\n"
        "  --seq-len N             tokens per sequence (default 2048)\n"
        "  --micro-batch B         sequences per step per accelerator (default 1)\n"
        "  --no-checkpointing      keep every layer's activations (default: gradient\n"
        "                          checkpointing on)\n"
        "  --no-flash-attention    eager attention, scores stored (default: flash)\n"
        "  --lora-rank R           adapter rank (default 16)\n"
        "  --lora-targets T        attention (q, k, v, o) or all-linear (default)\n"
        "  --optimizer O           adamw (default), adamw-8bit or sgd\n"
        "  --gpus N                data-parallel replicas (default: every accelerator)\n"
        "  --engine E              training engine (default: the first that trains on\n"
        "                          the system's accelerators)\n"
        "  --electricity-price P   USD per kWh, for the cost per million tokens\n"
        "\n"
        "Output and data:\n"
        "  --json                  one JSON object on stdout (fields: docs/cli.md)\n"
        "  --catalog FILE          load extra descriptors (repeatable)\n"
        "  --override              let --catalog files redefine existing ids\n"
        "  -h, --help              this help\n"
        "\n"
        "Exit status: 0 estimate printed (also when it does not fit), 1 unknown id\n"
        "or a request the model rejects, 2 bad command line.\n",
        out);
}

typedef struct train_opts {
    llmroof_train_request req;
    const char *system, *model, *engine;
    int json;
} train_opts;

static int bad_value(const char *opt, const char *value, const char *expected)
{
    cli_usage_error("train", "invalid value '%s' for %s: expected %s", value, opt, expected);
    return CLI_USAGE;
}

/* Index of value in a list of the names the library gives, or -1. */
static int32_t enum_of(const char *value, const char *(*name)(int32_t), int32_t count)
{
    for (int32_t k = 0; k < count; k++)
        if (strcmp(value, name(k)) == 0)
            return k;
    return -1;
}

static int parse_args(int argc, char **argv, cli_common *c, train_opts *o)
{
    llmroof_train_request *r = &o->req;
    static const struct {
        const char *name;
        uint32_t min, max;
        size_t offset;
    } numbers[] = {
        {"--seq-len", 1, 1u << 24, offsetof(llmroof_train_request, seq_len)},
        {"--micro-batch", 1, 4096, offsetof(llmroof_train_request, micro_batch)},
        {"--lora-rank", 1, 1u << 20, offsetof(llmroof_train_request, lora_rank)},
        {"--gpus", 1, LLMROOF_MAX_DEVICES, offsetof(llmroof_train_request, gpus)},
    };
    static const struct {
        const char *name;
        const char *(*string)(int32_t);
        int32_t count;
        size_t offset;
        const char *expected;
    } enums[] = {
        {"--method", llmroof_train_method_string, 3, offsetof(llmroof_train_request, method),
         "full, lora or qlora"},
        {"--lora-targets", llmroof_lora_targets_string, 2,
         offsetof(llmroof_train_request, lora_targets), "attention or all-linear"},
        {"--optimizer", llmroof_optimizer_string, 3, offsetof(llmroof_train_request, optimizer),
         "adamw, adamw-8bit or sgd"},
    };
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        int m;
        if (cli_is_help(a)) {
            cli_help_train(stdout);
            return CLI_OK;
        }
        if ((m = cli_common_option("train", argc, argv, &i, c)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            continue;
        }
        int done = 0;
        for (size_t k = 0; k < sizeof numbers / sizeof numbers[0] && !done; k++) {
            if ((m = cli_match("train", argc, argv, &i, numbers[k].name, &v)) == 0)
                continue;
            if (m < 0)
                return CLI_USAGE;
            uint32_t u;
            if (cli_parse_u32(v, numbers[k].min, numbers[k].max, &u) != 0) {
                char want[64];
                snprintf(want, sizeof want, "an integer from %u to %u", numbers[k].min,
                         numbers[k].max);
                return bad_value(numbers[k].name, v, want);
            }
            memcpy((char *)r + numbers[k].offset, &u, sizeof u);
            done = 1;
        }
        for (size_t k = 0; k < sizeof enums / sizeof enums[0] && !done; k++) {
            if ((m = cli_match("train", argc, argv, &i, enums[k].name, &v)) == 0)
                continue;
            if (m < 0)
                return CLI_USAGE;
            int32_t e = enum_of(v, enums[k].string, enums[k].count);
            if (e < 0)
                return bad_value(enums[k].name, v, enums[k].expected);
            memcpy((char *)r + enums[k].offset, &e, sizeof e);
            done = 1;
        }
        if (done)
            continue;
        if ((m = cli_match("train", argc, argv, &i, "--system", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->system = v;
        } else if ((m = cli_match("train", argc, argv, &i, "--model", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->model = v;
        } else if ((m = cli_match("train", argc, argv, &i, "--engine", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->engine = v;
        } else if ((m = cli_match("train", argc, argv, &i, "--electricity-price", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (cli_parse_double(v, &r->electricity_price) != 0)
                return bad_value("--electricity-price", v, "a number of USD per kWh");
        } else if ((m = cli_match("train", argc, argv, &i, "--no-checkpointing", NULL)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            r->checkpointing = 0;
        } else if ((m = cli_match("train", argc, argv, &i, "--no-flash-attention", NULL)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            r->flash_attention = 0;
        } else if ((m = cli_match("train", argc, argv, &i, "--json", NULL)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->json = 1;
        } else {
            cli_usage_error("train", a[0] == '-' ? "unknown option '%s'" : "unexpected '%s'", a);
            return CLI_USAGE;
        }
    }
    if (!o->system || !o->model) {
        cli_usage_error("train", "--system and --model are required");
        return CLI_USAGE;
    }
    return -1;
}

static void print_human(const llmroof_train_request *req, const llmroof_train_result *res,
                        const llmroof_model *model, const llmroof_system *sys,
                        const char *engine)
{
    char a[32], b[32];
    printf("Model:    %s (%s), %.2f B parameters\n", model->name[0] ? model->name : model->id,
           model->id, res->params / 1e9);
    printf("Machine:  %s (%s)\n", sys->name[0] ? sys->name : sys->id, sys->id);
    printf("Training: %s", llmroof_train_method_string(req->method));
    if (req->method != LLMROOF_TRAIN_FULL)
        printf(" rank %u on %s", (unsigned)req->lora_rank,
               llmroof_lora_targets_string(req->lora_targets));
    printf(", %s; %u x %u tokens per step per accelerator;\n  gradient checkpointing %s, "
           "flash attention %s, engine %s, %u replica%s\n\n",
           llmroof_optimizer_string(req->optimizer), (unsigned)req->micro_batch,
           (unsigned)req->seq_len, req->checkpointing ? "on" : "off",
           req->flash_attention ? "on" : "off", engine, (unsigned)res->gpus,
           res->gpus == 1 ? "" : "s");
    if (res->fit == LLMROOF_FIT_GPU)
        printf("Verdict:  fits on %s: %s of %s, %s free\n\n", res->device,
               cli_gib(a, sizeof a, (double)res->total),
               cli_gib(b, sizeof b, (double)res->capacity),
               cli_gib(a + 16, sizeof a - 16, (double)res->headroom));
    else
        printf("Verdict:  does NOT fit on %s: needs %s of %s (%s short)\n\n", res->device,
               cli_gib(a, sizeof a, (double)res->total),
               cli_gib(b, sizeof b, (double)res->capacity),
               cli_gib(a + 16, sizeof a - 16, -(double)res->headroom));
    printf("Memory per accelerator (trainable parameters: %.1f M)\n",
           res->trainable_params / 1e6);
    const struct {
        const char *what;
        uint64_t bytes;
    } parts[] = {{"weights", res->weights},
                 {"gradients", res->gradients},
                 {"optimizer states", res->optimizer_states},
                 {"master weights", res->master_weights},
                 {"activations", res->activations},
                 {"logits and loss", res->logits},
                 {"runtime overhead", res->overhead},
                 {"total", res->total}};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
        printf("  %-18s %12s\n", parts[k].what, cli_gib(a, sizeof a, (double)parts[k].bytes));
    printf("\nSpeed\n");
    printf("  step               %s per micro-batch (%.3g TFLOP)", cli_seconds(a, sizeof a,
                                                                             res->step_time),
           res->step_flops / 1e12);
    if (res->allreduce_time > 0)
        printf(", of which %s gradient all-reduce", cli_seconds(b, sizeof b,
                                                               res->allreduce_time));
    printf("\n  training           %s tokens/s\n", cli_tps(a, sizeof a, res->tokens_per_s));
    if (res->power > 0) {
        printf("  power              %.0f W, %.3g J per token", res->power,
               res->joules_per_token);
        if (res->cost_per_mtok > 0)
            printf(", %.3g USD per million tokens", res->cost_per_mtok);
        printf("\n");
    }
    if (res->price > 0 && res->price_per_tps > 0 && isfinite(res->price_per_tps))
        printf("  price              %.0f USD, %.3g USD per training token/s\n", res->price,
               res->price_per_tps);
}

static void print_json(const llmroof_train_request *req, const llmroof_train_result *res,
                       const char *engine)
{
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "version", llmroof_version());
    cli_json_string(&j, "fit", llmroof_fit_string(res->fit));
    cli_json_begin_object(&j, "request");
    cli_json_string(&j, "system", req->system);
    cli_json_string(&j, "model", req->model);
    cli_json_string(&j, "engine", engine);
    cli_json_string(&j, "method", llmroof_train_method_string(req->method));
    cli_json_u64(&j, "seq_len", req->seq_len);
    cli_json_u64(&j, "micro_batch", req->micro_batch);
    cli_json_bool(&j, "checkpointing", (int)req->checkpointing);
    cli_json_bool(&j, "flash_attention", (int)req->flash_attention);
    cli_json_u64(&j, "lora_rank", req->lora_rank);
    cli_json_string(&j, "lora_targets", llmroof_lora_targets_string(req->lora_targets));
    cli_json_string(&j, "optimizer", llmroof_optimizer_string(req->optimizer));
    cli_json_u64(&j, "gpus", res->gpus);
    cli_json_double(&j, "electricity_price", req->electricity_price);
    cli_json_end_object(&j);
    cli_json_string(&j, "device", res->device);
    cli_json_double(&j, "params", res->params);
    cli_json_double(&j, "trainable_params", res->trainable_params);
    cli_json_begin_object(&j, "memory");
    cli_json_u64(&j, "weights", res->weights);
    cli_json_u64(&j, "gradients", res->gradients);
    cli_json_u64(&j, "optimizer_states", res->optimizer_states);
    cli_json_u64(&j, "master_weights", res->master_weights);
    cli_json_u64(&j, "activations", res->activations);
    cli_json_u64(&j, "logits", res->logits);
    cli_json_u64(&j, "overhead", res->overhead);
    cli_json_u64(&j, "total", res->total);
    cli_json_u64(&j, "capacity", res->capacity);
    cli_json_i64(&j, "headroom", res->headroom);
    cli_json_end_object(&j);
    cli_json_begin_object(&j, "speed");
    cli_json_double(&j, "step_flops", res->step_flops);
    cli_json_double(&j, "step_time", res->step_time);
    cli_json_double(&j, "allreduce_time", res->allreduce_time);
    cli_json_double(&j, "tokens_per_s", res->tokens_per_s);
    cli_json_end_object(&j);
    const cli_energy e = {"token",           "mtok",       "tps",
                          res->power,        res->joules_per_token, res->idle_power,
                          res->cost_per_mtok, res->price, res->price_per_tps, -1};
    cli_json_energy(&j, &e);
    cli_json_end_object(&j);
    cli_json_finish(&j);
}

int cli_cmd_train(int argc, char **argv, cli_common *c)
{
    train_opts o;
    memset(&o, 0, sizeof o);
    llmroof_train_request_init(&o.req);
    int rc = parse_args(argc, argv, c, &o);
    if (rc >= 0)
        return rc;
    llmroof_train_request *r = &o.req;
    if (cli_set_id(r->system, o.system, "system") || cli_set_id(r->model, o.model, "model") ||
        (o.engine && cli_set_id(r->engine, o.engine, "engine")))
        return CLI_DATA;
    llmroof_catalog *cat = cli_open_catalog(c);
    if (!cat)
        return CLI_DATA;
    llmroof_system sys;
    llmroof_model model;
    llmroof_engine eng;
    llmroof_system_init(&sys);
    llmroof_model_init(&model);
    llmroof_engine_init(&eng);
    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_status st;
    if ((st = llmroof_catalog_get_system(cat, r->system, &sys, &err)) != LLMROOF_OK) {
        rc = cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_SYSTEMS, "system", r->system);
        goto done;
    }
    if ((st = llmroof_catalog_get_model(cat, r->model, &model, &err)) != LLMROOF_OK) {
        rc = cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_MODELS, "model", r->model);
        goto done;
    }
    if (r->engine[0] &&
        (st = llmroof_catalog_get_engine(cat, r->engine, &eng, &err)) != LLMROOF_OK) {
        rc = cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_ENGINES, "engine", r->engine);
        goto done;
    }
    llmroof_train_result res;
    llmroof_train_result_init(&res);
    llmroof_error_init(&err);
    if ((st = llmroof_train_estimate(cat, r, &res, &err)) != LLMROOF_OK) {
        cli_lib_error(&err, st, NULL);
        rc = CLI_DATA;
        goto done;
    }
    if (o.json)
        print_json(r, &res, res.engine);
    else
        print_human(r, &res, &model, &sys, res.engine);
    rc = fflush(stdout) == 0 ? CLI_OK : CLI_DATA;
done:
    llmroof_catalog_free(cat);
    return rc;
}
