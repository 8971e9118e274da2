/* llmroof compare: machines side by side on a workload mix read from a small
 * YAML file (docs/compare.md).  Each workload is run through the library's
 * estimate on every machine; the verdicts and the overall score are the
 * arithmetic of docs/compare.md, nothing more.
 *
 * The mix file is read with libyaml's document API, after a pass over its
 * events with the catalog loader's limits and strictness (no anchors,
 * aliases or tags, nesting at most 16 deep, one document); every error
 * names the file, line and column of the offending node. */
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "cli.h"

#define MIX_MAX_SYSTEMS 8
#define MIX_MAX_WORKLOADS 32
#define MIX_MAX_BYTES (1u << 20)
#define PLOT_MAX_POINTS 24
#define MIX_MAX_DEPTH 16 /* nested collections, as the catalog loader (docs/yaml.md) */

enum { KIND_LLM, KIND_IMAGE, KIND_TRAIN, KIND_COUNT };
static const char *const kind_names[] = {"llm", "image", "train", NULL};

/* An engine per accelerator backend: `engine: llama.cpp` or
 * `engine: {metal: mlx, cuda: llama.cpp}` ("" = the library's default). */
typedef struct engine_choice {
    char any[LLMROOF_ID_MAX];
    char by_backend[LLMROOF_BACKEND_NONE + 1][LLMROOF_ID_MAX];
} engine_choice;

typedef struct workload {
    char name[LLMROOF_NAME_MAX];
    double share;
    int kind;
    unsigned line, column;
    engine_choice engine;
    llmroof_request llm;
    llmroof_image_request image;
    llmroof_train_request train;
} workload;

typedef struct mix {
    const char *file;
    uint32_t nsystems;
    char systems[MIX_MAX_SYSTEMS][LLMROOF_ID_MAX];
    double electricity_price;
    uint32_t n;
    workload w[MIX_MAX_WORKLOADS];
} mix;

/* One workload on one machine. */
typedef struct cell {
    llmroof_status status;
    char why[LLMROOF_ERROR_MESSAGE_MAX];
    int32_t fit;
    double speed;     /* jobs per second: requests, images, training tokens */
    double joules;    /* per job */
    double power;     /* watts while running */
    llmroof_result llm;
    llmroof_image_result image;
    llmroof_train_result train;
} cell;

/* ------------------------------------------------------------------------
 * Reading the mix file
 * ------------------------------------------------------------------------ */

typedef struct reader {
    const char *file;
    yaml_document_t *doc;
} reader;

static int fail_at(const reader *r, const yaml_node_t *n, const char *fmt, ...)
    CLI_PRINTF(3, 4);
static int fail_at(const reader *r, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n)
        cli_error("%s:%lu:%lu: %s", r->file, (unsigned long)n->start_mark.line + 1,
                  (unsigned long)n->start_mark.column + 1, msg);
    else
        cli_error("%s: %s", r->file, msg);
    return CLI_DATA;
}

static const char *scalar_of(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a sequence";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

/* A mapping's key given twice (the later value would silently win): the
 * error at the second.  Keys before `p` were all known ones (an unknown key
 * is an error first), so the scan is short. */
static int key_twice(const reader *r, const yaml_node_t *map, const yaml_node_pair_t *p)
{
    const yaml_node_t *kn = yaml_document_get_node(r->doc, p->key);
    const char *k = scalar_of(kn);
    for (const yaml_node_pair_t *q = map->data.mapping.pairs.start; k && q < p; q++) {
        const char *before = scalar_of(yaml_document_get_node(r->doc, q->key));
        if (before && strcmp(before, k) == 0)
            return fail_at(r, kn, "key '%.64s' is given twice", k);
    }
    return CLI_OK;
}

static int want_scalar(const reader *r, const yaml_node_t *n, const char *key, const char **out)
{
    *out = scalar_of(n);
    if (!*out)
        return fail_at(r, n, "%s: expected a scalar, got %s", key, node_kind(n));
    return CLI_OK;
}

static int read_id(const reader *r, const yaml_node_t *n, const char *key, char *out)
{
    const char *s;
    int rc = want_scalar(r, n, key, &s);
    if (rc)
        return rc;
    if (strlen(s) == 0 || strlen(s) >= LLMROOF_ID_MAX)
        return fail_at(r, n, "%s: '%.80s' is not an id of 1 to %d characters", key, s,
                       LLMROOF_ID_MAX - 1);
    strcpy(out, s);
    return CLI_OK;
}

static int read_u32(const reader *r, const yaml_node_t *n, const char *key, uint32_t min,
                    uint32_t max, uint32_t *out)
{
    const char *s;
    int rc = want_scalar(r, n, key, &s);
    if (rc)
        return rc;
    if (cli_parse_u32(s, min, max, out) != 0)
        return fail_at(r, n, "%s: expected a whole number from %u to %u, got '%.80s'", key,
                       (unsigned)min, (unsigned)max, s);
    return CLI_OK;
}

/* A count of tokens: "16384", "16k" (x 1024). */
static int read_tokens(const reader *r, const yaml_node_t *n, const char *key, uint32_t *out)
{
    const char *s;
    int rc = want_scalar(r, n, key, &s);
    if (rc)
        return rc;
    size_t len = strlen(s);
    char buf[32];
    if (len > 1 && len < sizeof buf && (s[len - 1] == 'k' || s[len - 1] == 'K')) {
        memcpy(buf, s, len - 1);
        buf[len - 1] = '\0';
        uint32_t k;
        if (cli_parse_u32(buf, 1, (1u << 26) / 1024, &k) == 0) {
            *out = k * 1024;
            return CLI_OK;
        }
    } else if (cli_parse_u32(s, 0, 1u << 26, out) == 0) {
        return CLI_OK;
    }
    return fail_at(r, n, "%s: expected a token count such as 4096 or 16k (at most 2^26), "
                         "got '%.80s'", key, s);
}

/* A share: "0.7" or "70%", in (0, 1]. */
static int read_share(const reader *r, const yaml_node_t *n, double *out)
{
    const char *s;
    int rc = want_scalar(r, n, "share", &s);
    if (rc)
        return rc;
    size_t len = strlen(s);
    char buf[32];
    double scale = 1;
    if (len > 1 && len < sizeof buf && s[len - 1] == '%') {
        memcpy(buf, s, len - 1);
        buf[len - 1] = '\0';
        s = buf;
        scale = 0.01;
    }
    if (cli_parse_double(s, out) != 0 || !(*out * scale > 0) || *out * scale > 1)
        return fail_at(r, n, "share: expected a fraction in (0, 1] or a percentage such as "
                             "70%%, got '%.80s'", scalar_of(n));
    *out *= scale;
    return CLI_OK;
}

static int read_enum(const reader *r, const yaml_node_t *n, const char *key,
                     const char *(*name)(int32_t), int32_t count, int32_t *out)
{
    const char *s;
    int rc = want_scalar(r, n, key, &s);
    if (rc)
        return rc;
    char expected[256] = "";
    for (int32_t v = 0; v < count; v++) {
        if (strcmp(s, name(v)) == 0) {
            *out = v;
            return CLI_OK;
        }
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, "%s%s", v ? ", " : "", name(v));
    }
    return fail_at(r, n, "%s: '%.80s' is not one of %s", key, s, expected);
}

static const char *kind_name(int32_t k) { return k >= 0 && k < KIND_COUNT ? kind_names[k] : "?"; }
static const char *kv_name(int32_t k) { return llmroof_kv_type_string(k); }

static int read_engine(const reader *r, const yaml_node_t *n, engine_choice *e)
{
    if (n->type == YAML_SCALAR_NODE)
        return read_id(r, n, "engine", e->any);
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(r, n, "engine: expected an engine id or a mapping from backend to "
                             "engine id such as {metal: mlx, cuda: llama.cpp}");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(r->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(r->doc, p->value);
        int32_t b = 0;
        int rc = read_enum(r, k, "engine", llmroof_backend_string, LLMROOF_BACKEND_NONE, &b);
        if (rc || (rc = key_twice(r, n, p)) != 0)
            return rc;
        if ((rc = read_id(r, v, "engine", e->by_backend[b])) != 0)
            return rc;
    }
    return CLI_OK;
}

/* Keys a workload may have, by kind. */
static const char *const common_keys[] = {"name", "share", "kind", "model", "engine", NULL};
static const char *const llm_keys[] = {"quant", "ctx", "depth", "prompt", "gen", "batch", "kv",
                                       NULL};
static const char *const image_keys[] = {"width", "height", "steps", "batch", "denoiser_bits",
                                         NULL};
static const char *const train_keys[] = {"method", "seq_len", "micro_batch", "lora_rank",
                                         "checkpointing", NULL};
static const char *const *const kind_keys[] = {llm_keys, image_keys, train_keys};

static int key_in(const char *const *keys, const char *k)
{
    for (int i = 0; keys[i]; i++)
        if (strcmp(keys[i], k) == 0)
            return 1;
    return 0;
}

static int unknown_key(const reader *r, const yaml_node_t *k, int kind)
{
    char expected[512] = "";
    const char *const *lists[] = {common_keys, kind_keys[kind]};
    for (int l = 0; l < 2; l++)
        for (int i = 0; lists[l][i]; i++) {
            size_t used = strlen(expected);
            snprintf(expected + used, sizeof expected - used, "%s%s", used ? ", " : "",
                     lists[l][i]);
        }
    return fail_at(r, k, "unknown key '%.64s' in a %s workload (expected: %s)", scalar_of(k),
                   kind_names[kind], expected);
}

static int read_llm_key(const reader *r, const char *k, const yaml_node_t *v, llmroof_request *q)
{
    if (strcmp(k, "quant") == 0)
        return read_id(r, v, "quant", q->quant);
    if (strcmp(k, "ctx") == 0)
        return read_tokens(r, v, "ctx", &q->ctx);
    if (strcmp(k, "depth") == 0)
        return read_tokens(r, v, "depth", &q->depth);
    if (strcmp(k, "prompt") == 0)
        return read_tokens(r, v, "prompt", &q->prompt);
    if (strcmp(k, "gen") == 0)
        return read_tokens(r, v, "gen", &q->gen);
    if (strcmp(k, "batch") == 0)
        return read_u32(r, v, "batch", 1, 4096, &q->batch);
    return read_enum(r, v, "kv", kv_name, LLMROOF_KV_TYPE_COUNT, &q->kv_type);
}

static int read_image_key(const reader *r, const char *k, const yaml_node_t *v,
                          llmroof_image_request *q)
{
    if (strcmp(k, "width") == 0)
        return read_u32(r, v, "width", 64, 16384, &q->width);
    if (strcmp(k, "height") == 0)
        return read_u32(r, v, "height", 64, 16384, &q->height);
    if (strcmp(k, "steps") == 0)
        return read_u32(r, v, "steps", 1, 10000, &q->steps);
    if (strcmp(k, "batch") == 0)
        return read_u32(r, v, "batch", 1, 1024, &q->batch);
    uint32_t bits = 0;
    int rc = read_u32(r, v, "denoiser_bits", 4, 32, &bits);
    q->denoiser_bits = bits;
    return rc;
}

static int read_train_key(const reader *r, const char *k, const yaml_node_t *v,
                          llmroof_train_request *q)
{
    if (strcmp(k, "method") == 0)
        return read_enum(r, v, "method", llmroof_train_method_string, 3, &q->method);
    if (strcmp(k, "seq_len") == 0)
        return read_tokens(r, v, "seq_len", &q->seq_len);
    if (strcmp(k, "micro_batch") == 0)
        return read_u32(r, v, "micro_batch", 1, 4096, &q->micro_batch);
    if (strcmp(k, "lora_rank") == 0)
        return read_u32(r, v, "lora_rank", 1, 65536, &q->lora_rank);
    return read_u32(r, v, "checkpointing", 0, 1, &q->checkpointing);
}

static int read_workload(const reader *r, const yaml_node_t *n, workload *w)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(r, n, "workloads: each workload is a mapping (name, share, model, ...), "
                             "got %s", node_kind(n));
    memset(w, 0, sizeof *w);
    w->line = (unsigned)n->start_mark.line + 1;
    w->column = (unsigned)n->start_mark.column + 1;
    llmroof_request_init(&w->llm);
    llmroof_image_request_init(&w->image);
    llmroof_train_request_init(&w->train);
    int32_t kind = KIND_LLM;
    /* The kind decides which keys are allowed: find it first. */
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const char *k = scalar_of(yaml_document_get_node(r->doc, p->key));
        if (k && strcmp(k, "kind") == 0) {
            int rc = read_enum(r, yaml_document_get_node(r->doc, p->value), "kind", kind_name,
                               KIND_COUNT, &kind);
            if (rc)
                return rc;
        }
    }
    w->kind = kind;
    unsigned seen = 0; /* bits: name, share, model */
    char model[LLMROOF_ID_MAX] = "";
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *kn = yaml_document_get_node(r->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(r->doc, p->value);
        const char *k = scalar_of(kn);
        int rc = CLI_OK;
        if (!k)
            return fail_at(r, kn, "workload keys are plain names, got %s", node_kind(kn));
        if ((rc = key_twice(r, n, p)) != 0)
            return rc;
        if (strcmp(k, "name") == 0) {
            const char *s;
            if ((rc = want_scalar(r, v, "name", &s)) != 0)
                return rc;
            snprintf(w->name, sizeof w->name, "%s", s);
            seen |= 1;
        } else if (strcmp(k, "share") == 0) {
            rc = read_share(r, v, &w->share);
            seen |= 2;
        } else if (strcmp(k, "kind") == 0) {
            continue;
        } else if (strcmp(k, "model") == 0) {
            rc = read_id(r, v, "model", model);
            seen |= 4;
        } else if (strcmp(k, "engine") == 0) {
            rc = read_engine(r, v, &w->engine);
        } else if (!key_in(kind_keys[kind], k)) {
            return unknown_key(r, kn, kind);
        } else if (kind == KIND_LLM) {
            rc = read_llm_key(r, k, v, &w->llm);
        } else if (kind == KIND_IMAGE) {
            rc = read_image_key(r, k, v, &w->image);
        } else {
            rc = read_train_key(r, k, v, &w->train);
        }
        if (rc)
            return rc;
    }
    static const char *const required[] = {"name", "share", "model"};
    for (int i = 0; i < 3; i++)
        if (!(seen & (1u << i)))
            return fail_at(r, n, "workload: missing required key '%s'", required[i]);
    if (kind == KIND_LLM && !w->llm.quant[0])
        return fail_at(r, n, "workload '%s': an llm workload needs a 'quant'", w->name);
    strcpy(w->llm.model, model);
    strcpy(w->image.model, model);
    strcpy(w->train.model, model);
    return CLI_OK;
}

static const char *const root_keys[] = {"systems", "electricity_price", "workloads", NULL};

static int read_mix(const reader *r, const yaml_node_t *root, mix *m)
{
    if (!root || root->type != YAML_MAPPING_NODE)
        return fail_at(r, root, "a workload mix is a mapping with keys systems, "
                                "electricity_price and workloads (docs/compare.md)");
    const yaml_node_t *workloads = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *kn = yaml_document_get_node(r->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(r->doc, p->value);
        const char *k = scalar_of(kn);
        int rc = key_in(root_keys, k ? k : "") ? key_twice(r, root, p) : CLI_OK;
        if (rc)
            return rc;
        if (k && strcmp(k, "systems") == 0) {
            if (v->type != YAML_SEQUENCE_NODE)
                return fail_at(r, v, "systems: expected a sequence of system ids, got %s",
                               node_kind(v));
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++) {
                const yaml_node_t *s = yaml_document_get_node(r->doc, *it);
                if (m->nsystems >= MIX_MAX_SYSTEMS)
                    return fail_at(r, s, "systems: at most %d machines", MIX_MAX_SYSTEMS);
                if ((rc = read_id(r, s, "systems", m->systems[m->nsystems])) != 0)
                    return rc;
                for (uint32_t k2 = 0; k2 < m->nsystems; k2++)
                    if (strcmp(m->systems[k2], m->systems[m->nsystems]) == 0)
                        return fail_at(r, s, "systems: '%s' is given twice",
                                       m->systems[k2]);
                m->nsystems++;
            }
        } else if (k && strcmp(k, "electricity_price") == 0) {
            const char *s;
            if ((rc = want_scalar(r, v, "electricity_price", &s)) != 0)
                return rc;
            if (cli_parse_double(s, &m->electricity_price) != 0 || m->electricity_price > 100)
                return fail_at(r, v, "electricity_price: expected USD per kWh from 0 to 100, "
                                     "got '%.80s'", s);
        } else if (k && strcmp(k, "workloads") == 0) {
            workloads = v;
        } else {
            return fail_at(r, kn, "unknown key '%.64s' (expected: systems, electricity_price, "
                                  "workloads)", k ? k : node_kind(kn));
        }
    }
    if (!workloads)
        return fail_at(r, root, "missing required key 'workloads'");
    if (workloads->type != YAML_SEQUENCE_NODE)
        return fail_at(r, workloads, "workloads: expected a sequence of workloads, got %s",
                       node_kind(workloads));
    double total = 0;
    for (yaml_node_item_t *it = workloads->data.sequence.items.start;
         it < workloads->data.sequence.items.top; it++) {
        const yaml_node_t *w = yaml_document_get_node(r->doc, *it);
        if (m->n >= MIX_MAX_WORKLOADS)
            return fail_at(r, w, "workloads: at most %d", MIX_MAX_WORKLOADS);
        int rc = read_workload(r, w, &m->w[m->n]);
        if (rc)
            return rc;
        total += m->w[m->n++].share;
    }
    if (m->n == 0)
        return fail_at(r, workloads, "workloads: the mix is empty");
    if (fabs(total - 1) > 0.005)
        return fail_at(r, workloads, "workloads: the shares add up to %.3g; they must add up "
                                     "to 1 (100%%)", total);
    return CLI_OK;
}

/* The loader's limits, on the events before any document is built
 * (issue 14: the document loader took anchors and aliases, had no depth
 * limit -- libyaml is quadratic on deep nesting, 200,000 levels took 95 s --
 * and kept the first of several documents).  0, or CLI_DATA after the
 * error at its file:line:column. */
static int check_events(const char *file, const char *text, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        cli_error("%s: out of memory", file);
        return CLI_DATA;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int depth = 0, docs = 0, rc = -1;
    char msg[160];
    yaml_mark_t at = {0, 0, 0};
    while (rc < 0) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            at = p.problem_mark;
            snprintf(msg, sizeof msg, "%s", p.problem ? p.problem : "YAML syntax error");
            rc = CLI_DATA;
            break;
        }
        const yaml_char_t *anchor = NULL, *tag = NULL;
        at = e.start_mark;
        switch (e.type) {
        case YAML_STREAM_END_EVENT: rc = CLI_OK; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                snprintf(msg, sizeof msg, "a second YAML document: a mix file holds exactly one");
                rc = CLI_DATA;
            }
            break;
        case YAML_ALIAS_EVENT:
            snprintf(msg, sizeof msg, "aliases (*%.40s) are not allowed",
                     (const char *)e.data.alias.anchor);
            rc = CLI_DATA;
            break;
        case YAML_SCALAR_EVENT:
            anchor = e.data.scalar.anchor;
            tag = e.data.scalar.tag;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            anchor = e.type == YAML_SEQUENCE_START_EVENT ? e.data.sequence_start.anchor
                                                         : e.data.mapping_start.anchor;
            tag = e.type == YAML_SEQUENCE_START_EVENT ? e.data.sequence_start.tag
                                                      : e.data.mapping_start.tag;
            if (++depth > MIX_MAX_DEPTH) {
                snprintf(msg, sizeof msg, "nesting deeper than %d levels", MIX_MAX_DEPTH);
                rc = CLI_DATA;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: depth--; break;
        default: break;
        }
        if (rc < 0 && anchor) {
            snprintf(msg, sizeof msg, "anchors (&%.40s) are not allowed", (const char *)anchor);
            rc = CLI_DATA;
        } else if (rc < 0 && tag) {
            snprintf(msg, sizeof msg, "explicit tags (%.40s) are not allowed", (const char *)tag);
            rc = CLI_DATA;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    if (rc != CLI_OK)
        cli_error("%s:%lu:%lu: %s", file, (unsigned long)at.line + 1,
                  (unsigned long)at.column + 1, msg);
    return rc;
}

static int load_mix(const char *file, mix *m)
{
    memset(m, 0, sizeof *m);
    m->file = file;
    /* A regular file only, checked before any read: a FIFO whose writer
     * never writes would block (opened without blocking for the same
     * reason). */
    int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    int fl = -1;
    FILE *f = NULL;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (fl = fcntl(fd, F_GETFL)) >= 0 &&
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0)
        f = fdopen(fd, "rb");
    if (!f) {
        int regular = fd >= 0 && fl >= 0;
        if (fd >= 0)
            close(fd);
        cli_error("%s: cannot open the workload mix%s", file,
                  fd >= 0 && !regular ? ": not a regular file" : "");
        return CLI_DATA;
    }
    static char text[MIX_MAX_BYTES + 1];
    size_t len = fread(text, 1, sizeof text, f);
    int bad_read = ferror(f);
    fclose(f);
    if (bad_read || len > MIX_MAX_BYTES) {
        cli_error("%s: %s", file, bad_read ? "read error" : "larger than 1 MiB");
        return CLI_DATA;
    }
    if (check_events(file, text, len) != CLI_OK)
        return CLI_DATA;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        cli_error("%s: out of memory", file);
        return CLI_DATA;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = CLI_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        cli_error("%s:%lu:%lu: %s", file, (unsigned long)parser.problem_mark.line + 1,
                  (unsigned long)parser.problem_mark.column + 1,
                  parser.problem ? parser.problem : "YAML syntax error");
        yaml_parser_delete(&parser);
        return CLI_DATA;
    }
    reader r = {file, &doc};
    rc = read_mix(&r, yaml_document_get_root_node(&doc), m);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

/* ------------------------------------------------------------------------
 * Running the estimates
 * ------------------------------------------------------------------------ */

static const char *engine_for(const llmroof_catalog *cat, const engine_choice *e,
                              const char *system)
{
    llmroof_system s;
    llmroof_device d;
    llmroof_system_init(&s);
    llmroof_device_init(&d);
    int32_t backend = LLMROOF_BACKEND_CPU;
    if (llmroof_catalog_get_system(cat, system, &s, NULL) == LLMROOF_OK) {
        const char *dev = s.accelerator_count ? s.accelerators[0] : s.host_device;
        if (llmroof_catalog_get_device(cat, dev, &d, NULL) == LLMROOF_OK)
            backend = d.backend;
    }
    if (backend >= 0 && backend <= LLMROOF_BACKEND_NONE && e->by_backend[backend][0])
        return e->by_backend[backend];
    return e->any;
}

static void run_cell(const llmroof_catalog *cat, const mix *m, const workload *w,
                     const char *system, cell *c)
{
    memset(c, 0, sizeof *c);
    llmroof_error err;
    llmroof_error_init(&err);
    const char *engine = engine_for(cat, &w->engine, system);
    if (w->kind == KIND_LLM) {
        llmroof_request q = w->llm;
        snprintf(q.system, sizeof q.system, "%s", system);
        snprintf(q.engine, sizeof q.engine, "%s", engine);
        q.electricity_price = m->electricity_price;
        llmroof_result_init(&c->llm);
        c->status = llmroof_estimate(cat, &q, &c->llm, &err);
        c->fit = c->llm.fit;
        c->speed = c->llm.request_time > 0 ? 1 / c->llm.request_time : 0;
        c->power = c->llm.power;
        c->joules = c->llm.power * c->llm.request_time;
    } else if (w->kind == KIND_IMAGE) {
        llmroof_image_request q = w->image;
        snprintf(q.system, sizeof q.system, "%s", system);
        snprintf(q.engine, sizeof q.engine, "%s", engine);
        q.electricity_price = m->electricity_price;
        llmroof_image_result_init(&c->image);
        c->status = llmroof_image_estimate(cat, &q, &c->image, &err);
        c->fit = c->image.fit;
        c->speed = c->image.seconds_per_image > 0 ? 1 / c->image.seconds_per_image : 0;
        c->power = c->image.power;
        c->joules = c->image.joules_per_image;
    } else {
        llmroof_train_request q = w->train;
        snprintf(q.system, sizeof q.system, "%s", system);
        snprintf(q.engine, sizeof q.engine, "%s", engine);
        q.electricity_price = m->electricity_price;
        llmroof_train_result_init(&c->train);
        c->status = llmroof_train_estimate(cat, &q, &c->train, &err);
        c->fit = c->train.fit;
        c->speed = c->train.tokens_per_s;
        c->power = c->train.power;
        c->joules = c->train.joules_per_token;
    }
    if (c->status != LLMROOF_OK) {
        snprintf(c->why, sizeof c->why, "%s", err.message);
        c->fit = LLMROOF_FIT_NONE;
    }
    if (c->fit == LLMROOF_FIT_NONE)
        c->speed = 0;
}

/* The overall figures of one machine (docs/compare.md). */
typedef struct overall {
    double score;      /* sum of share x speed / best speed */
    double energy;     /* sum of share x joules / least joules; 0 if it cannot run all */
    int runs_all;      /* every workload */
    int runs_runnable; /* every workload some machine runs: the energy index is defined */
    llmroof_system sys;
    double idle_power; /* from its first LLM estimate, else its image/train one */
} overall;

static void summarise(const mix *m, cell (*cells)[MIX_MAX_SYSTEMS], overall *o)
{
    for (uint32_t s = 0; s < m->nsystems; s++) {
        o[s].runs_all = o[s].runs_runnable = 1;
        o[s].score = o[s].energy = 0;
    }
    /* Workloads no machine runs say nothing about which machine is better:
     * the score is weighted by the shares of the others (docs/compare.md). */
    double runnable = 0;
    for (uint32_t i = 0; i < m->n; i++)
        for (uint32_t s = 0; s < m->nsystems; s++)
            if (cells[i][s].speed > 0) {
                runnable += m->w[i].share;
                break;
            }
    for (uint32_t i = 0; i < m->n; i++) {
        double best = 0, least = INFINITY;
        for (uint32_t s = 0; s < m->nsystems; s++) {
            const cell *c = &cells[i][s];
            if (c->speed > best)
                best = c->speed;
            if (c->speed > 0 && c->joules > 0 && c->joules < least)
                least = c->joules;
        }
        for (uint32_t s = 0; s < m->nsystems; s++) {
            const cell *c = &cells[i][s];
            if (!(c->speed > 0)) {
                o[s].runs_all = 0;
                if (best > 0)
                    o[s].runs_runnable = 0;
                continue;
            }
            o[s].score += m->w[i].share / runnable * c->speed / best;
            if (isfinite(least) && c->joules > 0)
                o[s].energy += m->w[i].share / runnable * c->joules / least;
        }
    }
}

/* ------------------------------------------------------------------------
 * Text output
 * ------------------------------------------------------------------------ */

#define LABEL_W 22
#define COL_W 26

static void row(const char *label, const char *const *cols, uint32_t n)
{
    printf("  %-*s", LABEL_W, label);
    for (uint32_t s = 0; s < n; s++)
        printf("%-*s", COL_W, cols[s]);
    printf("\n");
}

static const char *fit_words(int32_t fit)
{
    switch (fit) {
    case LLMROOF_FIT_GPU: return "fits on GPU";
    case LLMROOF_FIT_OFFLOAD: return "offloaded";
    case LLMROOF_FIT_STORAGE: return "pages from disk";
    default: return "does not fit";
    }
}

/* Bytes the workload needs: the whole model and cache (LLM), the peak on
 * the accelerator (image), per accelerator (training). */
static double needed_bytes(const workload *w, const cell *c)
{
    if (w->kind == KIND_LLM)
        return (double)c->llm.total;
    if (w->kind == KIND_IMAGE)
        return (double)c->image.peak;
    return (double)c->train.total;
}

static void describe(const workload *w, const cell *cells, uint32_t ncells, char *buf,
                     size_t n)
{
    /* The first estimate that ran says how it ran: the library fills in the
     * defaults (ctx 0 = depth + prompt + gen, the model's size and steps). */
    const cell *ran = NULL;
    for (uint32_t s = 0; s < ncells && !ran; s++)
        if (cells[s].status == LLMROOF_OK)
            ran = &cells[s];
    if (w->kind == KIND_LLM) {
        snprintf(buf, n, "%s %s, context %u, %u prompt + %u generated tokens", w->llm.model,
                 w->llm.quant, (unsigned)(ran ? ran->llm.ctx : w->llm.ctx),
                 (unsigned)w->llm.prompt, (unsigned)w->llm.gen);
    } else if (w->kind == KIND_IMAGE) {
        const llmroof_image_result *r = ran ? &ran->image : NULL;
        if (r)
            snprintf(buf, n, "%s, %ux%u, %u steps, batch %u", w->image.model,
                     (unsigned)r->width, (unsigned)r->height, (unsigned)r->steps,
                     (unsigned)r->batch);
        else
            snprintf(buf, n, "%s", w->image.model);
    } else {
        snprintf(buf, n, "%s %s fine-tuning, sequences of %u tokens, micro-batch %u",
                 w->train.model, llmroof_train_method_string(w->train.method),
                 (unsigned)w->train.seq_len, (unsigned)w->train.micro_batch);
    }
}

static void print_workload(const mix *m, const workload *w, const cell *cells)
{
    char desc[256];
    describe(w, cells, m->nsystems, desc, sizeof desc);
    printf("\n%s (%.0f%%): %s\n", w->name, w->share * 100, desc);
    char text[6][MIX_MAX_SYSTEMS][COL_W];
    const char *cols[MIX_MAX_SYSTEMS];
    static const char *const labels[KIND_COUNT][6] = {
        {"memory", "generation", "time to first token", "whole request", "energy per request",
         "electricity"},
        {"memory", "per image", "steps", "images per hour", "energy per image", "electricity"},
        {"memory", "training speed", "memory per GPU", "hours per 1M tokens", "energy per token",
         "electricity"}};
    char b[32], b2[32];
    for (uint32_t s = 0; s < m->nsystems; s++) {
        const cell *c = &cells[s];
        for (int k = 0; k < 6; k++)
            text[k][s][0] = '\0';
        if (c->status != LLMROOF_OK) {
            snprintf(text[0][s], COL_W, "cannot run (see below)");
            continue;
        }
        snprintf(text[0][s], COL_W, "%s (%s)", fit_words(c->fit),
                 cli_gib(b, sizeof b, needed_bytes(w, c)));
        if (c->fit == LLMROOF_FIT_NONE)
            continue;
        if (w->kind == KIND_LLM) {
            snprintf(text[1][s], COL_W, "%s tok/s", cli_tps(b, sizeof b, c->llm.decode_tps));
            snprintf(text[2][s], COL_W, "%s", cli_seconds(b, sizeof b, c->llm.ttft));
            snprintf(text[3][s], COL_W, "%s", cli_seconds(b, sizeof b, c->llm.request_time));
            if (c->joules > 0)
                snprintf(text[4][s], COL_W, "%.3g kJ", c->joules / 1e3);
            if (m->electricity_price > 0 && c->joules > 0)
                snprintf(text[5][s], COL_W, "%.3g USD/1000 req",
                         c->joules * 1000 / 3.6e6 * m->electricity_price);
        } else if (w->kind == KIND_IMAGE) {
            snprintf(text[1][s], COL_W, "%s", cli_seconds(b, sizeof b, c->image.seconds_per_image));
            snprintf(text[2][s], COL_W, "%u x %s", (unsigned)c->image.steps,
                     cli_seconds(b2, sizeof b2, c->image.step_time));
            snprintf(text[3][s], COL_W, "%.0f", 3600 * c->speed);
            if (c->joules > 0)
                snprintf(text[4][s], COL_W, "%.3g kJ", c->joules / 1e3);
            if (c->image.cost_per_image > 0)
                snprintf(text[5][s], COL_W, "%.3g USD/1000 images", c->image.cost_per_image * 1000);
        } else {
            snprintf(text[1][s], COL_W, "%s tok/s", cli_tps(b, sizeof b, c->train.tokens_per_s));
            snprintf(text[2][s], COL_W, "%s", cli_gib(b, sizeof b, (double)c->train.total));
            snprintf(text[3][s], COL_W, "%.3g", 1e6 / c->train.tokens_per_s / 3600);
            if (c->joules > 0)
                snprintf(text[4][s], COL_W, "%.3g J", c->joules);
            if (c->train.cost_per_mtok > 0)
                snprintf(text[5][s], COL_W, "%.3g USD/1M tokens", c->train.cost_per_mtok);
        }
    }
    for (int k = 0; k < 6; k++) {
        int any = 0;
        for (uint32_t s = 0; s < m->nsystems; s++) {
            cols[s] = text[k][s];
            any |= text[k][s][0] != '\0';
        }
        if (any)
            row(labels[w->kind][k], cols, m->nsystems);
    }
    /* Verdict: the fastest, and how much faster than each other machine. */
    uint32_t best = 0;
    for (uint32_t s = 1; s < m->nsystems; s++)
        if (cells[s].speed > cells[best].speed)
            best = s;
    if (!(cells[best].speed > 0)) {
        printf("  verdict: no machine runs it\n");
    } else {
        printf("  verdict: fastest on %s", m->systems[best]);
        for (uint32_t s = 0; s < m->nsystems; s++) {
            if (s == best)
                continue;
            double x = cells[s].speed > 0 ? cells[best].speed / cells[s].speed : 0;
            if (x > 0 && x < 1.05)
                printf("; %s about as fast", m->systems[s]);
            else if (x > 0)
                printf(x < 10 ? "; %.1fx %s" : "; %.0fx %s", x, m->systems[s]);
            else
                printf("; %s cannot run it", m->systems[s]);
        }
        printf("\n");
    }
    for (uint32_t s = 0; s < m->nsystems; s++)
        if (cells[s].status != LLMROOF_OK)
            printf("  %s: %s\n", m->systems[s], cells[s].why);
}

static void print_overall(const mix *m, const overall *o)
{
    printf("\nOverall, weighted by share\n");
    char text[5][MIX_MAX_SYSTEMS][COL_W];
    const char *cols[MIX_MAX_SYSTEMS];
    static const char *const labels[] = {"speed vs the best", "energy vs the least",
                                         "runs every workload", "price", "power at idle"};
    for (uint32_t s = 0; s < m->nsystems; s++) {
        snprintf(text[0][s], COL_W, "%.2f", o[s].score);
        if (o[s].runs_runnable && o[s].energy > 0)
            snprintf(text[1][s], COL_W, "%.2fx", o[s].energy);
        else
            snprintf(text[1][s], COL_W, "-");
        snprintf(text[2][s], COL_W, "%s", o[s].runs_all ? "yes" : "no");
        if (o[s].sys.price > 0)
            snprintf(text[3][s], COL_W, "%.0f USD", o[s].sys.price);
        else
            snprintf(text[3][s], COL_W, "unknown");
        if (o[s].idle_power > 0)
            snprintf(text[4][s], COL_W, "%.0f W", o[s].idle_power);
        else
            snprintf(text[4][s], COL_W, "unknown");
    }
    for (int k = 0; k < 5; k++) {
        for (uint32_t s = 0; s < m->nsystems; s++)
            cols[s] = text[k][s];
        row(labels[k], cols, m->nsystems);
    }
    uint32_t best = 0;
    for (uint32_t s = 1; s < m->nsystems; s++)
        if (o[s].score > o[best].score)
            best = s;
    printf("\nVerdict: fastest for this mix: %s (score %.2f; 1 = the fastest at every "
           "workload)", m->systems[best], o[best].score);
    int second = -1;
    for (uint32_t s = 0; s < m->nsystems; s++)
        if (s != best && (second < 0 || o[s].score > o[second].score))
            second = (int)s;
    if (second >= 0)
        printf(", then %s (%.2f)", m->systems[second], o[second].score);
    int cheapest = -1, frugal = -1;
    for (uint32_t s = 0; s < m->nsystems; s++) {
        if (o[s].runs_all && o[s].sys.price > 0 &&
            (cheapest < 0 || o[s].sys.price < o[cheapest].sys.price))
            cheapest = (int)s;
        if (o[s].runs_runnable && o[s].energy > 0 &&
            (frugal < 0 || o[s].energy < o[frugal].energy))
            frugal = (int)s;
    }
    if (!o[best].runs_all)
        printf(", though it cannot run every workload");
    printf(".\n");
    if (cheapest >= 0)
        printf("Cheapest that runs every workload: %s (%.0f USD).\n", m->systems[cheapest],
               o[cheapest].sys.price);
    if (frugal >= 0)
        printf("Least energy for the mix: %s.\n", m->systems[frugal]);
}

/* ------------------------------------------------------------------------
 * JSON output
 * ------------------------------------------------------------------------ */

static void json_cell(cli_json *j, const workload *w, const cell *c, const char *system,
                      double best)
{
    cli_json_begin_object(j, NULL);
    cli_json_string(j, "system", system);
    if (c->status != LLMROOF_OK) {
        cli_json_string(j, "error", c->why);
        cli_json_string(j, "status", llmroof_status_string(c->status));
    }
    cli_json_string(j, "fit", llmroof_fit_string(c->fit));
    cli_json_double(j, "jobs_per_s", c->speed);
    cli_json_double(j, "relative_speed", best > 0 ? c->speed / best : 0);
    cli_json_double(j, "power_w", c->power);
    cli_json_double(j, "joules_per_job", c->joules);
    if (c->status == LLMROOF_OK && w->kind == KIND_LLM) {
        cli_json_double(j, "decode_tokens_per_s", c->llm.decode_tps);
        cli_json_double(j, "prefill_tokens_per_s", c->llm.prefill_tps);
        cli_json_double(j, "ttft_s", c->llm.ttft);
        cli_json_double(j, "request_time_s", c->llm.request_time);
        cli_json_u64(j, "memory_bytes", c->llm.total);
    } else if (c->status == LLMROOF_OK && w->kind == KIND_IMAGE) {
        cli_json_double(j, "seconds_per_image", c->image.seconds_per_image);
        cli_json_double(j, "step_time_s", c->image.step_time);
        cli_json_u64(j, "peak_bytes", c->image.peak);
        cli_json_double(j, "electricity_usd_per_image", c->image.cost_per_image);
    } else if (c->status == LLMROOF_OK) {
        cli_json_double(j, "tokens_per_s", c->train.tokens_per_s);
        cli_json_u64(j, "memory_bytes", c->train.total);
        cli_json_double(j, "electricity_usd_per_mtok", c->train.cost_per_mtok);
    }
    cli_json_end_object(j);
}

static void print_json(const mix *m, cell (*cells)[MIX_MAX_SYSTEMS], const overall *o)
{
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "mix", m->file);
    cli_json_double(&j, "electricity_price_usd_per_kwh", m->electricity_price);
    cli_json_begin_array(&j, "workloads");
    for (uint32_t i = 0; i < m->n; i++) {
        const workload *w = &m->w[i];
        double best = 0;
        uint32_t bi = 0;
        for (uint32_t s = 0; s < m->nsystems; s++)
            if (cells[i][s].speed > best) {
                best = cells[i][s].speed;
                bi = s;
            }
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "name", w->name);
        cli_json_double(&j, "share", w->share);
        cli_json_string(&j, "kind", kind_names[w->kind]);
        cli_json_string(&j, "model", w->llm.model);
        if (best > 0)
            cli_json_string(&j, "fastest", m->systems[bi]);
        else
            cli_json_null(&j, "fastest");
        cli_json_begin_array(&j, "results");
        for (uint32_t s = 0; s < m->nsystems; s++)
            json_cell(&j, w, &cells[i][s], m->systems[s], best);
        cli_json_end_array(&j);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_begin_array(&j, "overall");
    for (uint32_t s = 0; s < m->nsystems; s++) {
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "system", m->systems[s]);
        cli_json_double(&j, "score", o[s].score);
        cli_json_bool(&j, "runs_all", o[s].runs_all);
        if (o[s].runs_runnable && o[s].energy > 0)
            cli_json_double(&j, "energy_vs_least", o[s].energy);
        else
            cli_json_null(&j, "energy_vs_least");
        cli_json_double(&j, "price_usd", o[s].sys.price);
        cli_json_double(&j, "idle_power_w", o[s].idle_power);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);
    cli_json_finish(&j);
}

/* ------------------------------------------------------------------------
 * --plot: decode tokens/s against context length (gnuplot)
 * ------------------------------------------------------------------------ */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* gnuplot single-quoted string: a quote is doubled. */
static void gp_quoted(FILE *gp, const char *s)
{
    fputc('\'', gp);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', gp);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, gp);
    }
    fputc('\'', gp);
}

static int plot(const llmroof_catalog *cat, const mix *m, const char *path)
{
    const char *term;
    if (ends_with(path, ".svg"))
        term = "svg size 960,600 dynamic noenhanced font 'sans,12' background '#ffffff'";
    else if (ends_with(path, ".png"))
        term = "pngcairo size 1200,750 noenhanced font 'sans,11'";
    else {
        cli_usage_error("compare", "--plot %s: the file name must end in .svg or .png", path);
        return CLI_USAGE;
    }
    uint32_t series = 0;
    for (uint32_t i = 0; i < m->n; i++)
        series += m->w[i].kind == KIND_LLM;
    if (series == 0) {
        cli_error("--plot: the mix has no llm workload to plot");
        return CLI_DATA;
    }
    FILE *gp = popen("gnuplot", "w");
    if (!gp) {
        cli_error("--plot: cannot run gnuplot (install it: apt-get install gnuplot-nox)");
        return CLI_DATA;
    }
    fprintf(gp, "set terminal %s\nset output ", term);
    gp_quoted(gp, path);
    fprintf(gp, "\nset title ");
    gp_quoted(gp, "Decode speed against context length (llmroof compare)");
    fprintf(gp, "\nset xlabel 'context length (tokens, KV cache filled to it)'\n"
                "set ylabel 'decode tokens/s'\nset logscale x 2\nset format x '%%.0f'\n"
                "set grid\nset key below\nset yrange [0:*]\n");
    /* One data block per (llm workload, machine); a point per context length
     * at which the model can run. */
    uint32_t block = 0;
    for (uint32_t i = 0; i < m->n; i++) {
        const workload *w = &m->w[i];
        if (w->kind != KIND_LLM)
            continue;
        llmroof_model model;
        llmroof_model_init(&model);
        uint32_t top = 131072;
        if (llmroof_catalog_get_model(cat, w->llm.model, &model, NULL) == LLMROOF_OK &&
            model.context >= 1024)
            top = model.context;
        for (uint32_t s = 0; s < m->nsystems; s++, block++) {
            fprintf(gp, "$d%u << EOD\n", (unsigned)block);
            llmroof_request q = w->llm;
            snprintf(q.system, sizeof q.system, "%s", m->systems[s]);
            snprintf(q.engine, sizeof q.engine, "%s", engine_for(cat, &w->engine, m->systems[s]));
            for (uint32_t ctx = 512, k = 0; ctx <= top && k < PLOT_MAX_POINTS; ctx *= 2, k++) {
                q.ctx = ctx;
                q.gen = 128;
                q.prompt = 0;
                q.depth = ctx - q.gen;
                llmroof_result r;
                llmroof_result_init(&r);
                if (llmroof_estimate(cat, &q, &r, NULL) == LLMROOF_OK &&
                    r.fit != LLMROOF_FIT_NONE && r.decode_tps > 0)
                    fprintf(gp, "%u %.6g\n", (unsigned)ctx, r.decode_tps);
            }
            fprintf(gp, "EOD\n");
        }
    }
    fprintf(gp, "plot ");
    block = 0;
    for (uint32_t i = 0; i < m->n; i++) {
        if (m->w[i].kind != KIND_LLM)
            continue;
        for (uint32_t s = 0; s < m->nsystems; s++, block++) {
            char title[LLMROOF_ID_MAX + LLMROOF_NAME_MAX + 8];
            snprintf(title, sizeof title, "%s: %s", m->systems[s], m->w[i].name);
            /* One colour per machine, one dash pattern per workload. */
            fprintf(gp, "%s$d%u using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc %u dt %u title ",
                    block ? ", " : "", (unsigned)block, (unsigned)(s + 1), (unsigned)(i % 5 + 1));
            gp_quoted(gp, title);
        }
    }
    fprintf(gp, "\n");
    int status = pclose(gp);
    if (status != 0) {
        cli_error("--plot: gnuplot failed (exit status %d)%s", status,
                  status == 127 << 8 ? ": is it installed? apt-get install gnuplot-nox" : "");
        return CLI_DATA;
    }
    return CLI_OK;
}

/* ------------------------------------------------------------------------
 * The command
 * ------------------------------------------------------------------------ */

void cli_help_compare(FILE *out)
{
    fputs("Usage: llmroof compare MIX.yaml [--system ID]... [--json] [--plot FILE.svg|png]\n"
          "\n"
          "Machines side by side on a workload mix: for every workload in MIX.yaml\n"
          "(LLM chat or coding, image generation, fine-tuning, each with its share of\n"
          "your work), what fits where, how fast it runs, the energy and electricity\n"
          "per job, and a verdict; then an overall score weighted by share.  Schema\n"
          "and arithmetic: docs/compare.md.\n"
          "\n"
          "Options:\n"
          "  --system ID        compare these machines instead of the file's `systems`\n"
          "                     (repeatable, at most 8)\n"
          "  --json             machine-readable output\n"
          "  --plot FILE        also draw decode tokens/s against context length for\n"
          "                     every llm workload and machine (needs gnuplot;\n"
          "                     FILE ends in .svg or .png)\n"
          "  --catalog FILE, --override   as for every command\n"
          "\n"
          "Example:\n"
          "  llmroof compare examples/compare/article.yaml --plot compare.svg\n",
          out);
}

int cli_cmd_compare(int argc, char **argv, cli_common *c)
{
    const char *file = NULL, *plot_path = NULL, *v;
    int json = 0, m_;
    static mix mx;
    char systems[MIX_MAX_SYSTEMS][LLMROOF_ID_MAX];
    uint32_t nsystems = 0;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_help_compare(stdout);
            return CLI_OK;
        }
        if ((m_ = cli_common_option("compare", argc, argv, &i, c)) != 0) {
            if (m_ < 0)
                return CLI_USAGE;
        } else if ((m_ = cli_match("compare", argc, argv, &i, "--system", &v)) != 0) {
            if (m_ < 0)
                return CLI_USAGE;
            if (nsystems >= MIX_MAX_SYSTEMS || strlen(v) == 0 || strlen(v) >= LLMROOF_ID_MAX) {
                cli_usage_error("compare", "--system: at most %d machines, ids of 1 to %d "
                                           "characters", MIX_MAX_SYSTEMS, LLMROOF_ID_MAX - 1);
                return CLI_USAGE;
            }
            for (uint32_t k = 0; k < nsystems; k++)
                if (strcmp(systems[k], v) == 0) {
                    cli_usage_error("compare", "--system: '%s' given twice", v);
                    return CLI_USAGE;
                }
            strcpy(systems[nsystems++], v);
        } else if ((m_ = cli_match("compare", argc, argv, &i, "--json", NULL)) != 0) {
            if (m_ < 0)
                return CLI_USAGE;
            json = 1;
        } else if ((m_ = cli_match("compare", argc, argv, &i, "--plot", &v)) != 0) {
            if (m_ < 0 || cli_file_name("compare", "option '--plot'", v) != 0)
                return CLI_USAGE;
            plot_path = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            cli_usage_error("compare", "unknown option '%s'", argv[i]);
            return CLI_USAGE;
        } else if (file) {
            cli_usage_error("compare", "one workload mix file, got '%s' and '%s'", file, argv[i]);
            return CLI_USAGE;
        } else if (cli_file_name("compare", "the MIX.yaml argument", argv[i]) != 0) {
            return CLI_USAGE;
        } else {
            file = argv[i];
        }
    }
    if (!file) {
        cli_usage_error("compare", "missing the workload mix file (MIX.yaml)");
        return CLI_USAGE;
    }
    int rc = load_mix(file, &mx);
    if (rc)
        return rc;
    if (nsystems) {
        memcpy(mx.systems, systems, sizeof systems);
        mx.nsystems = nsystems;
    }
    if (mx.nsystems == 0) {
        cli_error("%s: no machines: list them under `systems` or give --system", file);
        return CLI_DATA;
    }
    llmroof_catalog *cat = cli_open_catalog(c);
    if (!cat)
        return CLI_DATA;
    static cell cells[MIX_MAX_WORKLOADS][MIX_MAX_SYSTEMS];
    overall o[MIX_MAX_SYSTEMS];
    memset(o, 0, sizeof o);
    for (uint32_t s = 0; s < mx.nsystems; s++) {
        llmroof_system_init(&o[s].sys);
        if (llmroof_catalog_get_system(cat, mx.systems[s], &o[s].sys, NULL) != LLMROOF_OK) {
            cli_unknown_id(cat, LLMROOF_SECTION_SYSTEMS, "system", mx.systems[s]);
            llmroof_catalog_free(cat);
            return CLI_DATA;
        }
    }
    for (uint32_t i = 0; i < mx.n; i++)
        for (uint32_t s = 0; s < mx.nsystems; s++) {
            cell *ce = &cells[i][s];
            run_cell(cat, &mx, &mx.w[i], mx.systems[s], ce);
            double idle = ce->llm.idle_power > 0     ? ce->llm.idle_power
                          : ce->image.idle_power > 0 ? ce->image.idle_power
                                                     : ce->train.idle_power;
            if (!(o[s].idle_power > 0))
                o[s].idle_power = idle;
        }
    summarise(&mx, cells, o);
    if (json) {
        print_json(&mx, cells, o);
    } else {
        printf("Workload mix %s on %u machines", file, (unsigned)mx.nsystems);
        if (mx.electricity_price > 0)
            printf(", electricity at %.3g USD/kWh", mx.electricity_price);
        printf("\n");
        const char *cols[MIX_MAX_SYSTEMS];
        for (uint32_t s = 0; s < mx.nsystems; s++)
            cols[s] = mx.systems[s];
        printf("\n");
        row("", cols, mx.nsystems);
        for (uint32_t i = 0; i < mx.n; i++)
            print_workload(&mx, &mx.w[i], cells[i]);
        print_overall(&mx, o);
        printf("\nPower is the rated power of the parts (an upper bound, docs/model.md §7);\n"
               "speeds are predictions (docs/accuracy.md says how close they come).\n");
    }
    if (plot_path)
        rc = plot(cat, &mx, plot_path);
    llmroof_catalog_free(cat);
    return rc;
}
