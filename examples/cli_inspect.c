/* llmroof inspect: what a GGUF file's header says (docs/gguf.md). */
#include <string.h>

#include "cli.h"

void cli_help_inspect(FILE *out)
{
    fputs("Usage: llmroof inspect [--json] FILE.gguf | DIR/config.json\n"
          "\n"
          "Reads a GGUF file's header, metadata and tensor infos (never its tensor\n"
          "data) and prints the model descriptor and the exact bytes they give.\n"
          "Split files: name the first part (NAME-00001-of-0000N.gguf).  A file\n"
          "named *.json is read as a Hugging Face config.json: the model only.\n"
          "\n"
          "Options:\n"
          "  --json           one JSON object on stdout\n"
          "  -h, --help       this help\n"
          "\n"
          "Exit status: 0 read (also when the shapes could not be derived: the note\n"
          "says what is missing), 1 the file is unreadable or malformed, 2 bad command\n"
          "line.\n",
          out);
}

static void model_json(cli_json *j, const llmroof_model *m)
{
    cli_json_begin_object(j, "model");
    cli_json_string(j, "id", m->id);
    cli_json_string(j, "name", m->name);
    cli_json_u64(j, "layers", m->layers);
    cli_json_u64(j, "hidden", m->hidden);
    cli_json_u64(j, "ffn", m->ffn);
    cli_json_u64(j, "heads", m->heads);
    cli_json_u64(j, "kv_heads", m->kv_heads);
    cli_json_u64(j, "head_dim", m->head_dim);
    cli_json_u64(j, "vocab", m->vocab);
    cli_json_u64(j, "context", m->context);
    cli_json_bool(j, "tied_embeddings", m->tied_embeddings != 0);
    cli_json_u64(j, "experts", m->experts);
    cli_json_u64(j, "experts_active", m->experts_active);
    cli_json_u64(j, "expert_ffn", m->expert_ffn);
    cli_json_u64(j, "shared_experts", m->shared_experts);
    cli_json_u64(j, "dense_layers", m->dense_layers);
    cli_json_string(j, "attention", m->attention == LLMROOF_ATTENTION_MLA ? "mla" : "gqa");
    cli_json_u64(j, "kv_lora_rank", m->kv_lora_rank);
    cli_json_u64(j, "q_lora_rank", m->q_lora_rank);
    cli_json_u64(j, "rope_dim", m->rope_dim);
    cli_json_u64(j, "sliding_window", m->sliding_window);
    cli_json_u64(j, "sliding_layers", m->sliding_layers);
    cli_json_end_object(j);
}

static void model_text(const llmroof_model *m)
{
    printf("  model %s: %u layers, hidden %u, ffn %u, %u heads (%u KV) of %u, vocab %u, "
           "context %u%s\n",
           m->id, m->layers, m->hidden, m->ffn, m->heads, m->kv_heads, m->head_dim, m->vocab,
           m->context, m->tied_embeddings ? ", tied embeddings" : "");
    if (m->experts)
        printf("  MoE: %u experts, %u active, %u shared, expert ffn %u, %u dense layers\n",
               m->experts, m->experts_active, m->shared_experts, m->expert_ffn, m->dense_layers);
    if (m->attention == LLMROOF_ATTENTION_MLA)
        printf("  MLA: kv_lora_rank %u, q_lora_rank %u, rope dim %u\n", m->kv_lora_rank,
               m->q_lora_rank, m->rope_dim);
    if (m->sliding_window)
        printf("  sliding window %u tokens on %u layers\n", m->sliding_window,
               m->sliding_layers);
}

/* A Hugging Face config.json: the model it gives (docs/gguf.md). */
static int inspect_config(const char *path, int json)
{
    llmroof_model m;
    llmroof_error err;
    llmroof_model_init(&m);
    llmroof_error_init(&err);
    llmroof_status st = llmroof_model_from_config(path, &m, &err);
    if (st != LLMROOF_OK) {
        cli_lib_error(&err, st, path);
        return CLI_DATA;
    }
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout);
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "file", path);
        cli_json_string(&j, "format", "config.json");
        model_json(&j, &m);
        cli_json_end_object(&j);
        cli_json_finish(&j);
        return CLI_OK;
    }
    printf("%s: Hugging Face config.json\n", path);
    model_text(&m);
    return CLI_OK;
}

int cli_cmd_inspect(int argc, char **argv, cli_common *c)
{
    (void)c;
    const char *path = NULL;
    int json = 0;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_help_inspect(stdout);
            return CLI_OK;
        }
        int m = cli_match("inspect", argc, argv, &i, "--json", NULL);
        if (m < 0)
            return CLI_USAGE;
        if (m) {
            json = 1;
        } else if (argv[i][0] == '-') {
            cli_usage_error("inspect", "unknown option '%s'", argv[i]);
            return CLI_USAGE;
        } else if (path) {
            cli_usage_error("inspect", "one FILE at a time");
            return CLI_USAGE;
        } else if (cli_file_name("inspect", "the FILE argument", argv[i]) != 0) {
            return CLI_USAGE;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        cli_usage_error("inspect", "a FILE.gguf is required");
        return CLI_USAGE;
    }
    size_t plen = strlen(path);
    if (plen >= 5 && strcmp(path + plen - 5, ".json") == 0)
        return inspect_config(path, json);
    llmroof_model m;
    llmroof_quant q;
    llmroof_gguf_info info;
    if (cli_read_gguf(path, &m, &q, &info) != CLI_OK)
        return CLI_DATA;
    int shapes = (info.derived & LLMROOF_GGUF_SHAPES) != 0;
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout);
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "file", path);
        cli_json_u64(&j, "gguf_version", info.version);
        cli_json_u64(&j, "parts", info.parts);
        cli_json_u64(&j, "file_bytes", info.file_bytes);
        cli_json_string(&j, "architecture", info.architecture);
        if (info.file_type != UINT32_MAX)
            cli_json_u64(&j, "file_type", info.file_type);
        else
            cli_json_null(&j, "file_type");
        cli_json_u64(&j, "tensors", info.tensor_count);
        cli_json_u64(&j, "metadata_keys", info.metadata_count);
        cli_json_u64(&j, "tensor_bytes", info.tensor_bytes);
        cli_json_u64(&j, "layer_bytes", info.layer_bytes);
        cli_json_u64(&j, "embedding_bytes", info.embed_bytes);
        cli_json_u64(&j, "output_bytes", info.output_bytes);
        cli_json_double(&j, "params", info.params);
        cli_json_bool(&j, "shapes", shapes);
        cli_json_bool(&j, "moe", (info.derived & LLMROOF_GGUF_MOE) != 0);
        cli_json_bool(&j, "mla", (info.derived & LLMROOF_GGUF_MLA) != 0);
        cli_json_bool(&j, "sliding_window", (info.derived & LLMROOF_GGUF_SLIDING) != 0);
        cli_json_string(&j, "note", info.note);
        model_json(&j, &m);
        cli_json_begin_object(&j, "quant");
        cli_json_string(&j, "id", q.id);
        cli_json_double(&j, "bpw", q.bpw);
        cli_json_double(&j, "embed_bpw", q.embed_bpw);
        cli_json_double(&j, "output_bpw", q.output_bpw);
        cli_json_double(&j, "expert_bpw", q.expert_bpw);
        cli_json_string(&j, "kernel", q.kernel);
        cli_json_end_object(&j);
        cli_json_end_object(&j);
        cli_json_finish(&j);
        return CLI_OK;
    }
    char b1[32];
    printf("%s: GGUF v%u, %u part%s, %s, architecture %s\n", path, info.version, info.parts,
           info.parts > 1 ? "s" : "", cli_gib(b1, sizeof b1, (double)info.file_bytes),
           info.architecture[0] ? info.architecture : "(none)");
    printf("  %llu tensors, %llu metadata keys, %.3f billion parameters, %s of tensors\n",
           (unsigned long long)info.tensor_count, (unsigned long long)info.metadata_count,
           info.params / 1e9, cli_gib(b1, sizeof b1, (double)info.tensor_bytes));
    printf("  quant %s: layers %.3f bits/weight, embedding %.3f, output %.3f", q.id, q.bpw,
           q.embed_bpw, q.output_bpw);
    if (q.expert_bpw > 0)
        printf(", routed experts %.3f", q.expert_bpw);
    printf(", kernel %s\n", q.kernel);
    if (shapes) {
        model_text(&m);
    }
    if (info.note[0])
        printf("  note: %s\n", info.note);
    return CLI_OK;
}
