/* Hugging Face config.json -> model descriptor (docs/gguf.md, "config.json").
 * JSON is YAML, so libyaml's event parser reads it; the reader keeps the
 * scalars of the top level (and of a multimodal model's "text_config") and
 * the count of "sliding_attention" in arrays ("layer_types"),
 * with the loader's own limits on size and depth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "internal.h"

#define MAX_DEPTH 16
#define MAX_KEYS 512

/* A key: its first 63 bytes, kept for lookups by name and messages, and
 * its whole length and FNV-1a hash, so that two longer keys sharing those
 * 63 bytes stay two (issue 14: they were one key "given twice"). */
typedef struct key_id {
    char text[64];
    size_t len;
    uint64_t hash;
} key_id;

static void key_id_of(key_id *k, const char *s, size_t n)
{
    size_t keep = n < sizeof k->text ? n : sizeof k->text - 1;
    memcpy(k->text, s, keep);
    k->text[keep] = '\0';
    k->len = n;
    k->hash = llmroof__fnv1a(s, n);
}

typedef struct field {
    char key[64];
    size_t key_len;
    uint64_t key_hash;
    char value[64];
    int is_scalar;
    int quoted;              /* a JSON string: never read as a number */
    int seen_top, seen_text; /* given at the top level / under text_config */
    uint32_t line, col;      /* where the value is (0: a class default) */
    uint64_t sliding; /* "sliding_attention" entries of an array */
} field;

typedef struct cfg {
    field f[MAX_KEYS];
    int n;
} cfg;

/* One open JSON object or array. */
typedef struct frame {
    int is_map;
    int want_key;  /* an object expecting its next key */
    int kept;      /* the root object, or the root's "text_config" */
    key_id key;    /* the key whose value comes next */
    field *arr;    /* a kept array: count its items */
} frame;

/* The field of a whole key. */
static field *find_id(cfg *c, const key_id *k)
{
    for (int i = 0; i < c->n; i++)
        if (c->f[i].key_len == k->len && c->f[i].key_hash == k->hash &&
            strcmp(c->f[i].key, k->text) == 0)
            return &c->f[i];
    return NULL;
}

static field *find(cfg *c, const char *key)
{
    key_id k;
    key_id_of(&k, key, strlen(key));
    return find_id(c, &k);
}

static field *add_id(cfg *c, const key_id *k)
{
    field *f = find_id(c, k);
    if (f)
        return f;
    if (c->n >= MAX_KEYS)
        return NULL;
    f = &c->f[c->n++];
    memset(f, 0, sizeof *f);
    memcpy(f->key, k->text, sizeof f->key);
    f->key_len = k->len;
    f->key_hash = k->hash;
    return f;
}

static field *add(cfg *c, const char *key)
{
    key_id k;
    key_id_of(&k, key, strlen(key));
    return add_id(c, &k);
}

static int num(cfg *c, const char *key, double *out)
{
    field *f = find(c, key);
    if (!f || !f->is_scalar || f->quoted)
        return 0;
    /* units.c's parser: whole string, locale-independent (strtod reads
     * "0.5" as 0 under a host's LC_NUMERIC=de_DE), no sign, NaN or hex. */
    double v;
    if (llmroof__parse_number(f->value, &v, NULL) != LLMROOF_OK)
        return 0;
    *out = v;
    return 1;
}

static uint32_t u32(cfg *c, const char *key)
{
    double v;
    if (!num(c, key, &v) || !(v >= 0) || v > 4294967295.0 || v != (double)(uint32_t)v)
        return 0;
    return (uint32_t)v;
}

/* An optional whole number: absent or JSON null (Hugging Face's "use the
 * default") gives 0 and the default applies; anything else that is not a
 * whole number of at least `min` is an error at its file:line:column
 * (issue 14: "8" as a string, -8, 8.5, true, [8], NaN and 1e30 each fell
 * back to the default and gave a silently wrong model). */
static llmroof_status opt_u32(cfg *c, const char *path, const char *key, uint32_t min,
                              uint32_t *out, llmroof_error *err)
{
    *out = 0;
    field *f = find(c, key);
    if (!f || (f->is_scalar && !f->quoted && strcmp(f->value, "null") == 0))
        return LLMROOF_OK;
    double v;
    if (f->is_scalar && !f->quoted && llmroof__parse_number(f->value, &v, NULL) == LLMROOF_OK &&
        v >= min && v <= 4294967295.0 && v == (double)(uint32_t)v) {
        *out = (uint32_t)v;
        return LLMROOF_OK;
    }
    const char *what = !f->is_scalar ? "an object or array" : f->quoted ? "a string" : f->value;
    return llmroof__fail(err, LLMROOF_E_SCHEMA, path, f->line, f->col,
                         "'%s' must be a whole number of at least %u (or absent), got %.40s%s%s",
                         key, min, f->is_scalar && f->quoted ? "\"" : "",
                         f->is_scalar && f->quoted ? f->value : what,
                         f->is_scalar && f->quoted ? "\" (a string)" : "");
}

/* An optional JSON boolean: absent or null is false. */
static llmroof_status opt_bool(cfg *c, const char *path, const char *key, uint32_t *out,
                               llmroof_error *err)
{
    *out = 0;
    field *f = find(c, key);
    if (!f || (f->is_scalar && !f->quoted && strcmp(f->value, "null") == 0))
        return LLMROOF_OK;
    if (f->is_scalar && !f->quoted &&
        (strcmp(f->value, "true") == 0 || strcmp(f->value, "false") == 0)) {
        *out = strcmp(f->value, "true") == 0;
        return LLMROOF_OK;
    }
    return llmroof__fail(err, LLMROOF_E_SCHEMA, path, f->line, f->col,
                         "'%s' must be true or false (or absent), got %s%.40s%s", key,
                         f->is_scalar && f->quoted ? "\"" : "",
                         !f->is_scalar ? "an object or array" : f->value,
                         f->is_scalar && f->quoted ? "\" (a string)" : "");
}

static const char *text(cfg *c, const char *key)
{
    field *f = find(c, key);
    return f && f->is_scalar ? f->value : "";
}

/* A key of a kept object: text_config's values win over the top level's
 * whichever comes first; the same key twice in one object is an error. */
static field *claim(cfg *c, const char *path, const frame *t, int top, const yaml_mark_t *mk,
                    llmroof_error *err, llmroof_status *st)
{
    field *f = add_id(c, &t->key);
    if (!f) {
        *st = llmroof__fail(err, LLMROOF_E_LIMIT, path, (uint32_t)mk->line + 1,
                            (uint32_t)mk->column + 1, "more than %d keys", MAX_KEYS);
        return NULL;
    }
    if (top ? f->seen_top : f->seen_text) {
        *st = llmroof__fail(err, LLMROOF_E_DUPLICATE, path, (uint32_t)mk->line + 1,
                            (uint32_t)mk->column + 1, "key '%.60s' given twice", t->key.text);
        return NULL;
    }
    if (top)
        f->seen_top = 1;
    else
        f->seen_text = 1;
    if (!top || !f->seen_text) { /* the value that holds */
        f->line = (uint32_t)mk->line + 1;
        f->col = (uint32_t)mk->column + 1;
    }
    return f;
}

static llmroof_status parse(const char *path, const char *data, size_t len, cfg *c,
                            llmroof_error *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return llmroof__fail(err, LLMROOF_E_NOMEM, path, 0, 0, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    llmroof_status st = LLMROOF_OK;
    frame stack[MAX_DEPTH];
    int depth = 0; /* open frames */
    int documents = 0;
    for (int done = 0; !done && st == LLMROOF_OK;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            st = llmroof__fail(err, LLMROOF_E_SYNTAX, path, (uint32_t)p.problem_mark.line + 1,
                               (uint32_t)p.problem_mark.column + 1, "%s",
                               p.problem ? p.problem : "malformed JSON");
            break;
        }
        const yaml_mark_t *mk = &ev.start_mark;
        uint32_t line = (uint32_t)mk->line + 1, col = (uint32_t)mk->column + 1;
        frame *t = depth ? &stack[depth - 1] : NULL;
        int is_value = ev.type == YAML_SCALAR_EVENT || ev.type == YAML_MAPPING_START_EVENT ||
                       ev.type == YAML_SEQUENCE_START_EVENT;
        if (ev.type == YAML_ALIAS_EVENT) {
            st = llmroof__fail(err, LLMROOF_E_LIMIT, path, line, col, "aliases are not allowed");
        } else if (is_value && t && t->is_map && t->want_key) {
            /* An object's key. */
            if (ev.type != YAML_SCALAR_EVENT) {
                st = llmroof__fail(err, LLMROOF_E_SYNTAX, path, line, col,
                                   "an object key must be a string");
            } else {
                key_id_of(&t->key, (const char *)ev.data.scalar.value, ev.data.scalar.length);
                t->want_key = 0;
            }
        } else if (ev.type == YAML_SCALAR_EVENT) {
            const char *v = (const char *)ev.data.scalar.value;
            if (!t) {
                st = llmroof__fail(err, LLMROOF_E_SCHEMA, path, line, col,
                                   "config.json must be an object");
            } else if (t->is_map) {
                if (t->kept) {
                    field *f = claim(c, path, t, depth == 1, mk, err, &st);
                    if (f && (depth == 2 || !f->seen_text)) {
                        snprintf(f->value, sizeof f->value, "%s", v);
                        f->is_scalar = 1;
                        f->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
                        f->sliding = 0;
                    }
                }
                t->want_key = 1;
            } else if (t->arr) {
                if (strcmp(v, "sliding_attention") == 0)
                    t->arr->sliding++;
            }
        } else if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
            int is_map = ev.type == YAML_MAPPING_START_EVENT;
            if (ev.data.mapping_start.anchor) {
                st = llmroof__fail(err, LLMROOF_E_LIMIT, path, line, col,
                                   "anchors are not allowed");
            } else if (depth >= MAX_DEPTH) {
                st = llmroof__fail(err, LLMROOF_E_LIMIT, path, line, col,
                                   "nesting deeper than %d", MAX_DEPTH);
            } else if (!t && !is_map) {
                st = llmroof__fail(err, LLMROOF_E_SCHEMA, path, line, col,
                                   "config.json must be an object");
            } else {
                frame *n = &stack[depth];
                memset(n, 0, sizeof *n);
                n->is_map = is_map;
                n->want_key = is_map;
                if (!t)
                    n->kept = 1;
                else if (t->kept && t->is_map) {
                    field *f = NULL;
                    if (is_map && depth == 1 && strcmp(t->key.text, "text_config") == 0)
                        n->kept = 1;
                    else if ((f = claim(c, path, t, depth == 1, mk, err, &st)) &&
                             (depth == 2 || !f->seen_text)) {
                        f->is_scalar = 0;
                        f->sliding = 0;
                        n->arr = is_map ? NULL : f;
                    }
                }
                depth++;
            }
        } else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            depth--;
            if (depth > 0 && stack[depth - 1].is_map)
                stack[depth - 1].want_key = 1; /* the value of a key ended */
        } else if (ev.type == YAML_STREAM_END_EVENT) {
            done = 1;
        } else if (ev.type == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
            st = llmroof__fail(err, LLMROOF_E_SYNTAX, path, line, col,
                               "more than one document");
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return st;
}

/* Hugging Face writes only what differs from a config class's defaults:
 * Gemma 3's text_config omits the vocabulary, head width, context and
 * window.  These are the classes' defaults (transformers Gemma3TextConfig,
 * Gemma2Config, GemmaConfig, CohereConfig: tie_word_embeddings True; every other class
 * used here defaults to untied, and Llama/Qwen/Mistral configs state it). */
static const struct {
    const char *type, *key, *value;
} class_defaults[] = {
    {"gemma3", "vocab_size", "262208"},
    {"gemma3", "head_dim", "256"},
    {"gemma3", "max_position_embeddings", "131072"},
    {"gemma3", "num_key_value_heads", "4"},
    {"gemma3", "sliding_window", "4096"},
    {"gemma3", "sliding_window_pattern", "6"},
    {"gemma2", "vocab_size", "256000"},
    {"gemma2", "head_dim", "256"},
    {"gemma2", "max_position_embeddings", "8192"},
    {"gemma2", "sliding_window", "4096"},
    {"gemma", "tie_word_embeddings", "true"},
    {"cohere", "tie_word_embeddings", "true"}, /* CohereConfig */
};

static void apply_defaults(cfg *c, const char *type)
{
    for (size_t i = 0; i < sizeof class_defaults / sizeof class_defaults[0]; i++) {
        size_t n = strlen(class_defaults[i].type);
        if (strncmp(type, class_defaults[i].type, n) != 0 || find(c, class_defaults[i].key))
            continue;
        field *f = add(c, class_defaults[i].key);
        if (!f)
            return;
        snprintf(f->value, sizeof f->value, "%s", class_defaults[i].value);
        f->is_scalar = 1;
    }
}

llmroof_status llmroof_model_from_config(const char *path, llmroof_model *model,
                                         llmroof_error *err)
{
    if (!path || !model || model->size != sizeof *model)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "path and an initialised model are required");
    char *data = NULL;
    size_t len = 0;
    llmroof_status st = llmroof__read_file(path, &data, &len, err);
    if (st != LLMROOF_OK)
        return st;
    cfg *c = llmroof__calloc(1, sizeof *c);
    if (!c) {
        llmroof__free(data);
        return llmroof__fail(err, LLMROOF_E_NOMEM, path, 0, 0, "out of memory");
    }
    st = parse(path, data, len, c, err);
    llmroof__free(data);
    if (st != LLMROOF_OK) {
        llmroof__free(c);
        return st;
    }
    llmroof_model m;
    llmroof_model_init(&m);
    char type[64];
    snprintf(type, sizeof type, "%s", text(c, "model_type"));
    apply_defaults(c, type);
    /* The id: for ORG_NAME/config.json (a checkpoint's layout) the
     * directory's name, for any other file its name without ".json". */
    const char *slash = strrchr(path, '/');
    const char *stem = slash ? slash + 1 : path;
    size_t n = strlen(stem);
    if (strcmp(stem, "config.json") == 0) {
        const char *dir = path; /* the parent directory's name */
        for (const char *p = path; slash && p < slash; p++)
            if (*p == '/')
                dir = p + 1;
        n = slash ? (size_t)(slash - dir) : 0;
        stem = dir;
        /* "./config.json", "/config.json": no directory name to use. */
        if (n == 0 || (n == 1 && dir[0] == '.') || (n == 2 && dir[0] == '.' && dir[1] == '.')) {
            stem = type[0] ? type : "model";
            n = strlen(stem);
        }
    } else if (n > 5 && strcmp(stem + n - 5, ".json") == 0) {
        n -= 5;
    }
    llmroof__id_from(stem, n, m.id, sizeof m.id);
    snprintf(m.name, sizeof m.name, "%s from config.json", type[0] ? type : "a model");
    llmroof__blank_controls(m.name); /* model_type may hold JSON-escaped controls */
    m.layers = u32(c, "num_hidden_layers");
    m.hidden = u32(c, "hidden_size");
    m.ffn = u32(c, "intermediate_size");
    m.heads = u32(c, "num_attention_heads");
    m.vocab = u32(c, "vocab_size");
    m.context = u32(c, "max_position_embeddings");
    /* Optional keys: absent (or null) takes the default; present, they must
     * be what they say (opt_u32, opt_bool). */
    uint32_t experts[3], active[2], kv_lora = 0, nope = 0, swa = 0, pattern = 0;
    const struct {
        const char *key;
        uint32_t min, *to;
    } opt[] = {
        {"num_key_value_heads", 1, &m.kv_heads}, {"head_dim", 1, &m.head_dim},
        /* Mixture of experts: the names vary by family. */
        {"num_local_experts", 1, &experts[0]}, {"num_experts", 1, &experts[1]},
        {"n_routed_experts", 1, &experts[2]}, {"num_experts_per_tok", 1, &active[0]},
        {"experts_per_token", 1, &active[1]}, {"moe_intermediate_size", 1, &m.expert_ffn},
        {"n_shared_experts", 0, &m.shared_experts}, {"first_k_dense_replace", 0, &m.dense_layers},
        {"kv_lora_rank", 0, &kv_lora}, {"q_lora_rank", 0, &m.q_lora_rank},
        {"qk_rope_head_dim", 0, &m.rope_dim}, {"qk_nope_head_dim", 0, &nope},
        {"sliding_window", 0, &swa}, {"sliding_window_pattern", 1, &pattern},
    };
    st = opt_bool(c, path, "tie_word_embeddings", &m.tied_embeddings, err);
    for (size_t i = 0; i < sizeof opt / sizeof opt[0] && st == LLMROOF_OK; i++)
        st = opt_u32(c, path, opt[i].key, opt[i].min, opt[i].to, err);
    if (st != LLMROOF_OK) {
        llmroof__free(c);
        return st;
    }
    m.experts = experts[0] ? experts[0] : experts[1] ? experts[1] : experts[2];
    if (m.experts) {
        m.experts_active = active[0] ? active[0] : active[1];
        if (!m.expert_ffn)
            m.expert_ffn = m.ffn; /* Mixtral, gpt-oss: intermediate_size is the expert's */
    } else {
        m.expert_ffn = m.shared_experts = m.dense_layers = 0;
    }
    /* Latent attention (DeepSeek-V2/V3). */
    if (kv_lora) {
        m.attention = LLMROOF_ATTENTION_MLA;
        m.kv_lora_rank = kv_lora;
        m.head_dim = nope + m.rope_dim;
    } else {
        m.q_lora_rank = m.rope_dim = 0;
    }
    /* Sliding windows: layer_types says which layers (gpt-oss, Gemma 3 in
     * newer configs); else Gemma 2 alternates and Gemma 3 uses five of six. */
    field *lt = find(c, "layer_types");
    if (swa && m.layers) {
        uint32_t n_swa = 0;
        if (lt && lt->sliding)
            n_swa = (uint32_t)lt->sliding;
        else if (strncmp(type, "gemma2", 6) == 0)
            n_swa = m.layers / 2;
        else if (strncmp(type, "gemma3", 6) == 0)
            n_swa = m.layers - m.layers / (pattern ? pattern : 6);
        if (n_swa) {
            m.sliding_window = swa;
            m.sliding_layers = n_swa > m.layers ? m.layers : n_swa;
        }
    }
    if (!m.kv_heads)
        m.kv_heads = m.heads;
    if (!m.head_dim && m.heads && m.hidden % m.heads == 0)
        m.head_dim = m.hidden / m.heads;
    snprintf(m.source, sizeof m.source, "Hugging Face config.json at %.400s (model_type %s)", path,
             type[0] ? type : "not stated");
    /* A missing shape: say which keys, and what a present one held. */
    static const char *const required[] = {"num_hidden_layers", "hidden_size",
                                           "num_attention_heads", "vocab_size",
                                           "max_position_embeddings", "intermediate_size"};
    const uint32_t got[] = {m.layers, m.hidden, m.heads, m.vocab, m.context,
                            m.ffn ? m.ffn : m.expert_ffn};
    char what[LLMROOF_ERROR_MESSAGE_MAX / 2] = "";
    size_t w = 0;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (got[i])
            continue;
        field *f = find(c, required[i]);
        int n = snprintf(what + w, sizeof what - w, "%s%s", w ? ", " : "", required[i]);
        if (n > 0 && f && f->is_scalar)
            n += snprintf(what + w + (size_t)n, sizeof what - w - (size_t)n,
                          f->quoted ? " (a string, \"%.20s\")" : " (%.20s)", f->value);
        else if (n > 0 && f)
            n += snprintf(what + w + (size_t)n, sizeof what - w - (size_t)n, " (not a number)");
        if (n < 0 || (size_t)n >= sizeof what - w)
            break;
        w += (size_t)n;
    }
    llmroof__free(c);
    if (w)
        return llmroof__fail(err, LLMROOF_E_SCHEMA, path, 0, 0,
                             "config.json (model_type '%s') lacks a positive whole number for: %s",
                             type[0] ? type : "not stated", what);
    if (!m.ffn)
        m.ffn = m.expert_ffn;
    *model = m;
    return LLMROOF_OK;
}
