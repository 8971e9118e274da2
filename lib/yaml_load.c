/* YAML descriptor files -> staged catalog entries (docs/yaml.md).
 *
 * libyaml's event parser, read twice:
 *  1. a generic pass that only enforces the loader's limits and rejected
 *     features (syntax, depth, scalar size, entries per collection, anchors,
 *     aliases, tags, documents) and the schema version, so that hostile
 *     input is refused before any schema work and whatever the schema would
 *     have said about it;
 *  2. a schema-driven pass (recursive descent over events) that fills
 *     descriptor structs and records where each field was written, then
 *     hands each entry to llmroof__batch_add() for the rules shared with
 *     entries built in code.
 * Pass 1 keeps the events it parsed (up to REPLAY_MAX_BYTES of them) and
 * pass 2 replays them instead of parsing the text again, which halves the
 * load time; a larger file is simply parsed a second time.  Either way both
 * passes see the same events, so the results are the same.
 * Memory stays bounded by the limits. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "internal.h"

#define MAX_FILE (UINT32_C(16) << 20)  /* bytes */
#define MAX_DEPTH 16                   /* nested collections */
#define MAX_SCALAR (UINT32_C(64) << 10) /* bytes */
#define MAX_ITEMS 100000               /* entries per mapping, items per sequence */
/* Events pass 1 keeps for pass 2, counted with their scalars; beyond it the
 * text is parsed again instead. */
#ifndef REPLAY_MAX_BYTES
#define REPLAY_MAX_BYTES (UINT32_C(32) << 20)
#endif

typedef union entry {
    llmroof_device device;
    llmroof_link link;
    llmroof_system system;
    llmroof_model model;
    llmroof_quant quant;
    llmroof_engine engine;
    llmroof_image_model image_model;
} entry;

typedef struct P {
    yaml_parser_t parser;
    int parser_ready;
    yaml_event_t ev;
    int have_ev;
    /* events recorded by pass 1 (owned here) and replayed by pass 2 */
    yaml_event_t *rec;
    size_t nrec, rec_cap, rec_pos, rec_bytes;
    int recording, replaying;
    const char *file;
    const char *text;
    size_t length;
    llmroof_error *err;
    const llmroof_catalog *cat;
    llmroof__batch *batch;
    uint32_t flags;
    /* the entry being read */
    const char *ctx_kind; /* "device", ... or NULL outside entries */
    const char *ctx_id;
    llmroof__mark *marks;
    size_t nmarks;
    size_t marks_cap;
    entry e;
} P;

static const char *const section_kinds[] = {"device", "link",   "system",     "model",
                                            "quant",  "engine", "image model"};

/* ------------------------------------------------------------------------
 * Errors and positions
 * ------------------------------------------------------------------------ */
static uint32_t pos1(size_t v) { return v >= UINT32_MAX ? UINT32_MAX : (uint32_t)v + 1; }

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static llmroof_status
perr(P *p, llmroof_status code, const yaml_mark_t *m, const char *fmt, ...)
{
    char msg[LLMROOF_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    llmroof__vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint32_t line = m ? pos1(m->line) : 0, column = m ? pos1(m->column) : 0;
    if (p->ctx_kind)
        return llmroof__fail(p->err, code, p->file, line, column, "%s '%s': %s", p->ctx_kind,
                             p->ctx_id, msg);
    return llmroof__fail(p->err, code, p->file, line, column, "%s", msg);
}

static llmroof_status nomem(P *p)
{
    return llmroof__fail(p->err, LLMROOF_E_NOMEM, p->file, 0, 0, "out of memory");
}

/* Line and column (characters, as libyaml counts) of a byte offset. */
static void offset_pos(const char *text, size_t length, size_t offset, uint32_t *line,
                       uint32_t *column)
{
    size_t l = 0, c = 0;
    if (offset > length)
        offset = length;
    for (size_t i = 0; i < offset; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n' || (ch == '\r' && (i + 1 >= length || text[i + 1] != '\n'))) {
            l++;
            c = 0;
        } else if ((ch & 0xC0) != 0x80 && ch != '\r') {
            c++;
        }
    }
    *line = pos1(l);
    *column = pos1(c);
}

static llmroof_status syntax_error(P *p)
{
    yaml_parser_t *y = &p->parser;
    if (y->error == YAML_MEMORY_ERROR)
        return nomem(p);
    if (y->error == YAML_READER_ERROR) {
        uint32_t line, column;
        offset_pos(p->text, p->length, y->problem_offset, &line, &column);
        return llmroof__fail(p->err, LLMROOF_E_SYNTAX, p->file, line, column,
                             "invalid input: %s (files are UTF-8 text)",
                             y->problem ? y->problem : "unreadable");
    }
    const char *problem = y->problem ? y->problem : "malformed YAML";
    if (y->context)
        return llmroof__fail(p->err, LLMROOF_E_SYNTAX, p->file, pos1(y->problem_mark.line),
                             pos1(y->problem_mark.column), "%s (line %u, column %u): %s",
                             y->context, pos1(y->context_mark.line),
                             pos1(y->context_mark.column), problem);
    return llmroof__fail(p->err, LLMROOF_E_SYNTAX, p->file, pos1(y->problem_mark.line),
                         pos1(y->problem_mark.column), "%s", problem);
}

/* ------------------------------------------------------------------------
 * The event pump
 * ------------------------------------------------------------------------ */
static void free_recording(P *p)
{
    for (size_t i = 0; i < p->nrec; i++)
        yaml_event_delete(&p->rec[i]);
    llmroof__free(p->rec);
    p->rec = NULL;
    p->nrec = p->rec_cap = p->rec_pos = p->rec_bytes = 0;
    p->recording = p->replaying = 0;
}

static void close_parser(P *p)
{
    if (p->have_ev)
        yaml_event_delete(&p->ev);
    p->have_ev = 0;
    if (p->parser_ready)
        yaml_parser_delete(&p->parser);
    p->parser_ready = 0;
}

static llmroof_status open_parser(P *p)
{
    close_parser(p);
    if (!yaml_parser_initialize(&p->parser))
        return nomem(p);
    p->parser_ready = 1;
    yaml_parser_set_input_string(&p->parser, (const unsigned char *)p->text, p->length);
    yaml_parser_set_encoding(&p->parser, YAML_UTF8_ENCODING);
    return LLMROOF_OK;
}

/* Keeps the current event for pass 2 (ownership moves to p->rec; p->ev
 * stays a valid shallow copy).  Gives the recording up past the budget. */
static void record(P *p)
{
    size_t bytes = sizeof p->ev + 32;
    if (p->ev.type == YAML_SCALAR_EVENT)
        bytes += p->ev.data.scalar.length;
    if (p->rec_bytes + bytes > REPLAY_MAX_BYTES) {
        free_recording(p);
        return;
    }
    if (p->nrec == p->rec_cap) {
        size_t cap = p->rec_cap ? 2 * p->rec_cap : 1024;
        yaml_event_t *r = llmroof__realloc(p->rec, cap * sizeof *r);
        if (!r) { /* not an error: pass 2 parses the text again */
            free_recording(p);
            return;
        }
        p->rec = r;
        p->rec_cap = cap;
    }
    p->rec[p->nrec++] = p->ev;
    p->rec_bytes += bytes;
    p->have_ev = 0;
}

static llmroof_status next(P *p)
{
    if (p->have_ev)
        yaml_event_delete(&p->ev);
    p->have_ev = 0;
    if (p->replaying) {
        /* Pass 1 read up to the stream end, and pass 2 stops there. */
        p->ev = p->rec[p->rec_pos < p->nrec ? p->rec_pos++ : p->nrec - 1];
        return LLMROOF_OK;
    }
    if (!yaml_parser_parse(&p->parser, &p->ev))
        return syntax_error(p);
    p->have_ev = 1;
    if (p->recording)
        record(p);
    return LLMROOF_OK;
}

static int is_scalar(const P *p) { return p->ev.type == YAML_SCALAR_EVENT; }
static const char *scalar(const P *p) { return (const char *)p->ev.data.scalar.value; }
static int is_plain(const P *p) { return p->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE; }

static int is_null(const P *p)
{
    if (!is_scalar(p) || !is_plain(p))
        return 0;
    const char *s = scalar(p);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static const char *node_desc(const P *p)
{
    switch (p->ev.type) {
    case YAML_MAPPING_START_EVENT: return "a mapping";
    case YAML_SEQUENCE_START_EVENT: return "a sequence";
    case YAML_SCALAR_EVENT: return is_null(p) ? "an empty value" : "a scalar";
    default: return "the end of a collection";
    }
}

/* ------------------------------------------------------------------------
 * Pass 1: limits, rejected features, schema version
 * ------------------------------------------------------------------------ */
static llmroof_status check_version(P *p)
{
    const yaml_mark_t *m = &p->ev.start_mark;
    if (!is_scalar(p) || is_null(p))
        return perr(p, LLMROOF_E_SCHEMA, m, "llmroof must be the schema version 1, got %s",
                    node_desc(p));
    if (!is_plain(p))
        return perr(p, LLMROOF_E_SCHEMA, m,
                    "llmroof must be the plain number 1, not a quoted string");
    double v;
    const char *why = NULL;
    if (llmroof__parse_number(scalar(p), &v, &why) != LLMROOF_OK)
        return perr(p, LLMROOF_E_SCHEMA, m, "llmroof must be the schema version 1, got '%.40s'",
                    scalar(p));
    if (v != 1)
        return perr(p, LLMROOF_E_VERSION, m,
                    "schema version %.40s is not supported: this library reads version 1",
                    scalar(p));
    return LLMROOF_OK;
}

static llmroof_status pass_limits(P *p)
{
    TRY(open_parser(p));
    p->recording = 1;
    int depth = 0, docs = 0, version_seen = 0, version_next = 0;
    uint32_t items[MAX_DEPTH + 1] = {0};
    int is_map[MAX_DEPTH + 1] = {0};
    yaml_mark_t root_mark = {0, 0, 0};
    for (;;) {
        TRY(next(p));
        yaml_event_t *e = &p->ev;
        const yaml_mark_t *m = &e->start_mark;
        const yaml_char_t *anchor = NULL, *tag = NULL;
        switch (e->type) {
        case YAML_STREAM_END_EVENT:
            if (docs == 0)
                return perr(p, LLMROOF_E_SCHEMA, m,
                            "empty file: expected a mapping starting with `llmroof: 1`");
            if (!version_seen)
                return perr(p, LLMROOF_E_SCHEMA, &root_mark,
                            "missing required key 'llmroof' (the schema version: `llmroof: 1`)");
            return LLMROOF_OK;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                return perr(p, LLMROOF_E_SCHEMA, m,
                            "a second YAML document: a file holds exactly one");
            continue;
        case YAML_ALIAS_EVENT:
            return perr(p, LLMROOF_E_LIMIT, m, "aliases (*%.40s) are not allowed",
                        (const char *)e->data.alias.anchor);
        case YAML_SCALAR_EVENT:
            anchor = e->data.scalar.anchor;
            tag = e->data.scalar.tag;
            break;
        case YAML_SEQUENCE_START_EVENT:
            anchor = e->data.sequence_start.anchor;
            tag = e->data.sequence_start.tag;
            break;
        case YAML_MAPPING_START_EVENT:
            anchor = e->data.mapping_start.anchor;
            tag = e->data.mapping_start.tag;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            continue;
        default: /* stream start, document end */
            continue;
        }
        /* A node. */
        if (anchor)
            return perr(p, LLMROOF_E_LIMIT, m, "anchors (&%.40s) are not allowed",
                        (const char *)anchor);
        if (tag)
            return perr(p, LLMROOF_E_SCHEMA, m, "explicit tags (%.40s) are not allowed",
                        (const char *)tag);
        int key_of_root = 0;
        if (depth == 0) {
            if (e->type != YAML_MAPPING_START_EVENT)
                return perr(p, LLMROOF_E_SCHEMA, m,
                            "the file must be a mapping starting with `llmroof: 1`, not %s",
                            node_desc(p));
            root_mark = *m;
        } else {
            uint32_t limit = is_map[depth] ? 2 * MAX_ITEMS : MAX_ITEMS;
            if (++items[depth] > limit)
                return perr(p, LLMROOF_E_LIMIT, m, "more than %d entries in one %s", MAX_ITEMS,
                            is_map[depth] ? "mapping" : "sequence");
            key_of_root = depth == 1 && (items[1] & 1u);
        }
        if (version_next) {
            version_next = 0;
            TRY(check_version(p));
        } else if (key_of_root && e->type == YAML_SCALAR_EVENT &&
                   strcmp(scalar(p), "llmroof") == 0 && !version_seen) {
            version_seen = version_next = 1;
        }
        if (e->type == YAML_SCALAR_EVENT) {
            if (e->data.scalar.length > MAX_SCALAR)
                return perr(p, LLMROOF_E_LIMIT, m, "a scalar longer than %u bytes", MAX_SCALAR);
            if (strlen(scalar(p)) != e->data.scalar.length)
                return perr(p, LLMROOF_E_SCHEMA, m, "a scalar holds a NUL character");
        } else {
            if (++depth > MAX_DEPTH)
                return perr(p, LLMROOF_E_LIMIT, m, "nesting deeper than %d levels", MAX_DEPTH);
            items[depth] = 0;
            is_map[depth] = e->type == YAML_MAPPING_START_EVENT;
        }
    }
}

/* ------------------------------------------------------------------------
 * Pass 2 helpers: keys, marks, values
 * ------------------------------------------------------------------------ */
static llmroof_status add_mark(P *p, const char *key, const yaml_mark_t *m)
{
    if (p->nmarks == p->marks_cap) {
        size_t cap = p->marks_cap ? 2 * p->marks_cap : 32;
        llmroof__mark *n = llmroof__realloc(p->marks, cap * sizeof *n);
        if (!n)
            return nomem(p);
        p->marks = n;
        p->marks_cap = cap;
    }
    llmroof__mark *k = &p->marks[p->nmarks++];
    llmroof__strlcpy(k->key, key, sizeof k->key);
    k->line = pos1(m->line);
    k->column = pos1(m->column);
    return LLMROOF_OK;
}

/* "unknown X 'word' (did you mean 'y'?)" or "(expected: a, b, c)". */
static llmroof_status unknown_word(P *p, const yaml_mark_t *m, const char *what,
                                   const char *where, const char *word,
                                   const char *const *choices)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, n = strlen(word);
    for (int i = 0; choices[i]; i++) {
        size_t d = llmroof__edit_distance(word, choices[i]);
        if (d < best_d) {
            best_d = d;
            best = choices[i];
        }
    }
    if (best && best_d <= (n <= 4 ? 1u : 2u) && best_d < n)
        return perr(p, LLMROOF_E_SCHEMA, m, "unknown %s '%.64s'%s%s (did you mean '%s'?)", what,
                    word, where ? " in " : "", where ? where : "", best);
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; choices[i] && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 choices[i]);
    return perr(p, LLMROOF_E_SCHEMA, m, "unknown %s '%.64s'%s%s (expected one of: %s)", what, word,
                where ? " in " : "", where ? where : "", list);
}

/* Reads the next key of a mapping whose start is consumed.  *more = 0 at the
 * end of the mapping; otherwise *index is the key's position in `keys`,
 * *km its mark, and the key's value is the next event. */
static llmroof_status next_key(P *p, const char *const *keys, const char *where, uint64_t *seen,
                               int *index, yaml_mark_t *km, int *more)
{
    TRY(next(p));
    if (p->ev.type == YAML_MAPPING_END_EVENT) {
        *more = 0;
        return LLMROOF_OK;
    }
    *more = 1;
    *km = p->ev.start_mark;
    if (!is_scalar(p))
        return perr(p, LLMROOF_E_SCHEMA, km, "keys must be strings, not %s", node_desc(p));
    int i = llmroof__lookup_name(keys, scalar(p));
    if (i < 0)
        return unknown_word(p, km, "key", where, scalar(p), keys);
    if (*seen & (UINT64_C(1) << i))
        return perr(p, LLMROOF_E_DUPLICATE, km, "key '%s' is given twice", keys[i]);
    *seen |= UINT64_C(1) << i;
    *index = i;
    return LLMROOF_OK;
}

/* The first key of `required` (a bit set over keys) missing from seen. */
static llmroof_status require(P *p, const char *const *keys, uint64_t seen, uint64_t required,
                              const yaml_mark_t *m, const char *where)
{
    uint64_t missing = required & ~seen;
    for (int i = 0; keys[i]; i++)
        if (missing & (UINT64_C(1) << i))
            return perr(p, LLMROOF_E_SCHEMA, m, "missing required key '%s'%s%s", keys[i],
                        where ? " in " : "", where ? where : "");
    return LLMROOF_OK;
}

#define BIT(i) (UINT64_C(1) << (i))

/* A scalar that is not null; *m its mark. */
static llmroof_status want_scalar(P *p, const char *key, const char *what)
{
    if (!is_scalar(p) || is_null(p))
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark, "%s: expected %s, got %s", key, what,
                    node_desc(p));
    return LLMROOF_OK;
}

static llmroof_status val_string(P *p, const char *key, char *dst, size_t cap)
{
    TRY(want_scalar(p, key, "a string"));
    TRY(add_mark(p, key, &p->ev.start_mark));
    if (p->ev.data.scalar.length >= cap)
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark, "%s is longer than %zu bytes", key,
                    cap - 1);
    memcpy(dst, scalar(p), p->ev.data.scalar.length + 1);
    return LLMROOF_OK;
}

static llmroof_status val_enum(P *p, const char *key, const char *const *names, int32_t *out)
{
    TRY(want_scalar(p, key, "a name"));
    TRY(add_mark(p, key, &p->ev.start_mark));
    int i = llmroof__lookup_name(names, scalar(p));
    if (i < 0)
        return unknown_word(p, &p->ev.start_mark, key, NULL, scalar(p), names);
    *out = i;
    return LLMROOF_OK;
}

static llmroof_status val_quantity(P *p, const char *key, llmroof__unit_kind kind, double *out)
{
    TRY(want_scalar(p, key, "a quantity with a unit"));
    TRY(add_mark(p, key, &p->ev.start_mark));
    const char *why = "";
    llmroof_status st = llmroof__parse_quantity(scalar(p), kind, out, &why);
    if (st != LLMROOF_OK)
        return perr(p, st, &p->ev.start_mark, "%s: '%.64s': %s", key, scalar(p), why);
    return LLMROOF_OK;
}

static llmroof_status val_bytes(P *p, const char *key, uint64_t *out)
{
    TRY(want_scalar(p, key, "a byte count with a unit"));
    TRY(add_mark(p, key, &p->ev.start_mark));
    const char *why = "";
    llmroof_status st = llmroof__parse_bytes(scalar(p), out, &why);
    if (st != LLMROOF_OK)
        return perr(p, st, &p->ev.start_mark, "%s: '%.64s': %s", key, scalar(p), why);
    return LLMROOF_OK;
}

static llmroof_status val_number(P *p, const char *key, double *out)
{
    TRY(want_scalar(p, key, "a number"));
    TRY(add_mark(p, key, &p->ev.start_mark));
    if (!is_plain(p))
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                    "%s: expected a number, got a quoted string", key);
    const char *why = "";
    llmroof_status st = llmroof__parse_number(scalar(p), out, &why);
    if (st != LLMROOF_OK)
        return perr(p, st, &p->ev.start_mark, "%s: '%.64s': %s", key, scalar(p), why);
    return LLMROOF_OK;
}

/* A whole number in [positive ? 1 : 0, 2^32 - 1]. */
static llmroof_status val_u32(P *p, const char *key, uint32_t *out, int positive)
{
    double v;
    TRY(val_number(p, key, &v));
    /* Range before any conversion: (uint64_t) of a negative number or of
     * one from 2^64 up is undefined. */
    if (isnan(v) || v != floor(v))
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark, "%s: expected a whole number, got %s",
                    key, scalar(p));
    if (v < 0)
        return perr(p, LLMROOF_E_RANGE, &p->ev.start_mark, "%s must not be negative, got %s", key,
                    scalar(p));
    if (v > (double)UINT32_MAX)
        return perr(p, LLMROOF_E_RANGE, &p->ev.start_mark, "%s: %s is above 4294967295", key,
                    scalar(p));
    if (positive && v == 0)
        return perr(p, LLMROOF_E_RANGE, &p->ev.start_mark, "%s must be greater than zero", key);
    *out = (uint32_t)v;
    return LLMROOF_OK;
}

static llmroof_status val_bool(P *p, const char *key, uint32_t *out)
{
    TRY(want_scalar(p, key, "true or false"));
    TRY(add_mark(p, key, &p->ev.start_mark));
    if (is_plain(p) && strcmp(scalar(p), "true") == 0)
        *out = 1;
    else if (is_plain(p) && strcmp(scalar(p), "false") == 0)
        *out = 0;
    else
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark, "%s: expected true or false, got '%.64s'",
                    key, scalar(p));
    return LLMROOF_OK;
}

static llmroof_status want_mapping(P *p, const char *key)
{
    if (p->ev.type != YAML_MAPPING_START_EVENT)
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark, "%s: expected a mapping, got %s", key,
                    node_desc(p));
    return add_mark(p, key, &p->ev.start_mark);
}

/* ------------------------------------------------------------------------
 * Pass 2: entries
 * ------------------------------------------------------------------------ */
static llmroof_status val_enum_bits(P *p, const char *key, const char *const *names, int shift,
                                    const char *example, uint32_t *bits, int32_t *first);

static llmroof_status parse_device(P *p, llmroof_device *d, const yaml_mark_t *em)
{
    static const char *const keys[] = {"name",      "kind",          "backend", "memory",
                                       "reserved",  "bandwidth",     "compute", "gpu_share",
                                       "gpu_share_max", "power",     "price",   "source",
                                       "bandwidth_kind", "idle_power", "cores", "vector_backends",
                                       "memory_type", NULL};
    static const char *const ckeys[] = {"f16", "int8", "f16_acc32", "f16_vector", NULL};
    enum { NAME, KIND, BACKEND, MEMORY, RESERVED, BANDWIDTH, COMPUTE, SHARE, SHARE_MAX };
    uint64_t seen = 0, cseen = 0;
    int k, more;
    yaml_mark_t km, backend_mark = {0, 0, 0}, compute_mark = {0, 0, 0};
    for (;;) {
        TRY(next_key(p, keys, NULL, &seen, &k, &km, &more));
        if (!more)
            break;
        TRY(next(p));
        switch (k) {
        case NAME: TRY(val_string(p, "name", d->name, sizeof d->name)); break;
        case KIND: TRY(val_enum(p, "kind", llmroof__device_kind_names, &d->kind)); break;
        case BACKEND:
            backend_mark = p->ev.start_mark;
            TRY(val_enum(p, "backend", llmroof__backend_names, &d->backend));
            break;
        case MEMORY: TRY(val_bytes(p, "memory", &d->memory)); break;
        case RESERVED: TRY(val_bytes(p, "reserved", &d->reserved)); break;
        case BANDWIDTH:
            TRY(val_quantity(p, "bandwidth", LLMROOF__UNIT_BANDWIDTH, &d->bandwidth));
            break;
        case COMPUTE:
            compute_mark = p->ev.start_mark;
            TRY(want_mapping(p, "compute"));
            for (;;) {
                TRY(next_key(p, ckeys, "compute", &cseen, &k, &km, &more));
                if (!more)
                    break;
                TRY(next(p));
                if (k == 0)
                    TRY(val_quantity(p, "compute.f16", LLMROOF__UNIT_COMPUTE, &d->compute_f16));
                else if (k == 1)
                    TRY(val_quantity(p, "compute.int8", LLMROOF__UNIT_COMPUTE, &d->compute_int8));
                else if (k == 2)
                    TRY(val_quantity(p, "compute.f16_acc32", LLMROOF__UNIT_COMPUTE,
                                     &d->compute_f16_acc32));
                else
                    TRY(val_quantity(p, "compute.f16_vector", LLMROOF__UNIT_COMPUTE,
                                     &d->compute_f16_vector));
            }
            break;
        case SHARE:
            TRY(val_number(p, "gpu_share", &d->gpu_share));
            break;
        case SHARE_MAX:
            TRY(val_number(p, "gpu_share_max", &d->gpu_share_max));
            if (d->gpu_share_max == 0)
                return perr(p, LLMROOF_E_RANGE, &p->ev.start_mark,
                            "gpu_share_max must be greater than zero");
            break;
        case 9: TRY(val_quantity(p, "power", LLMROOF__UNIT_POWER, &d->power)); break;
        case 10: TRY(val_quantity(p, "price", LLMROOF__UNIT_MONEY, &d->price)); break;
        case 12:
            TRY(val_enum(p, "bandwidth_kind", llmroof__bandwidth_kind_names, &d->bandwidth_kind));
            break;
        case 13: TRY(val_quantity(p, "idle_power", LLMROOF__UNIT_POWER, &d->idle_power)); break;
        case 14: TRY(val_u32(p, "cores", &d->cores, 1)); break;
        case 15: {
            int32_t first = -1;
            TRY(val_enum_bits(p, "vector_backends", llmroof__backend_names, 0, "[vulkan]",
                              &d->vector_backends, &first));
            break;
        }
        case 16:
            TRY(val_enum(p, "memory_type", llmroof__memory_type_names, &d->memory_type));
            break;
        default: TRY(val_string(p, "source", d->source, sizeof d->source)); break;
        }
    }
    TRY(require(p, keys, seen, BIT(NAME) | BIT(KIND) | BIT(BANDWIDTH), em, NULL));
    int accel = d->kind == LLMROOF_DEVICE_GPU || d->kind == LLMROOF_DEVICE_UNIFIED;
    const char *kn = llmroof_device_kind_string(d->kind);
    if (accel && !(seen & BIT(BACKEND)))
        return perr(p, LLMROOF_E_SCHEMA, em, "missing required key 'backend' (for a %s device)",
                    kn);
    if (d->kind == LLMROOF_DEVICE_CPU && (seen & BIT(BACKEND)) &&
        d->backend != LLMROOF_BACKEND_CPU)
        return perr(p, LLMROOF_E_SCHEMA, &backend_mark, "a cpu device has backend cpu");
    if (d->kind == LLMROOF_DEVICE_STORAGE && (seen & BIT(BACKEND)))
        return perr(p, LLMROOF_E_SCHEMA, &backend_mark, "a storage device has no backend");
    if (d->kind == LLMROOF_DEVICE_GPU && !(seen & BIT(MEMORY)))
        return perr(p, LLMROOF_E_SCHEMA, em, "missing required key 'memory' (for a gpu device)");
    if (d->kind != LLMROOF_DEVICE_STORAGE && !(cseen & 1u))
        return perr(p, LLMROOF_E_SCHEMA, (seen & BIT(COMPUTE)) ? &compute_mark : em,
                    "missing required key 'compute.f16' (for a %s device)", kn);
    if (d->kind == LLMROOF_DEVICE_UNIFIED && !(seen & BIT(SHARE)))
        return perr(p, LLMROOF_E_SCHEMA, em,
                    "missing required key 'gpu_share' (for a unified device)");
    return LLMROOF_OK;
}

static llmroof_status parse_link(P *p, llmroof_link *l, const yaml_mark_t *em)
{
    static const char *const keys[] = {"name", "bandwidth", "latency", "source", NULL};
    uint64_t seen = 0;
    int k, more;
    yaml_mark_t km;
    for (;;) {
        TRY(next_key(p, keys, NULL, &seen, &k, &km, &more));
        if (!more)
            break;
        TRY(next(p));
        switch (k) {
        case 0: TRY(val_string(p, "name", l->name, sizeof l->name)); break;
        case 1:
            TRY(val_quantity(p, "bandwidth", LLMROOF__UNIT_BANDWIDTH, &l->bandwidth));
            break;
        case 2: TRY(val_quantity(p, "latency", LLMROOF__UNIT_TIME, &l->latency)); break;
        default: TRY(val_string(p, "source", l->source, sizeof l->source)); break;
        }
    }
    return require(p, keys, seen, BIT(1) | BIT(2), em, NULL);
}

static llmroof_status parse_accelerators(P *p, llmroof_system *s)
{
    static const char *const keys[] = {"device", "count", NULL};
    if (is_null(p))
        return add_mark(p, "accelerators", &p->ev.start_mark);
    if (p->ev.type != YAML_SEQUENCE_START_EVENT)
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                    "accelerators: expected a sequence of {device: id, count: n}, got %s",
                    node_desc(p));
    TRY(add_mark(p, "accelerators", &p->ev.start_mark));
    for (;;) {
        TRY(next(p));
        if (p->ev.type == YAML_SEQUENCE_END_EVENT)
            return LLMROOF_OK;
        yaml_mark_t im = p->ev.start_mark, dm = im, cm = im, km;
        if (p->ev.type != YAML_MAPPING_START_EVENT)
            return perr(p, LLMROOF_E_SCHEMA, &im,
                        "accelerators: expected a mapping {device: id, count: n}, got %s",
                        node_desc(p));
        char id[LLMROOF_ID_MAX] = "";
        uint32_t count = 1;
        uint64_t seen = 0;
        int k, more;
        for (;;) {
            TRY(next_key(p, keys, "accelerators", &seen, &k, &km, &more));
            if (!more)
                break;
            TRY(next(p));
            if (k == 0) {
                dm = p->ev.start_mark;
                TRY(val_string(p, "accelerators.device", id, sizeof id));
            } else {
                cm = p->ev.start_mark;
                TRY(val_u32(p, "accelerators.count", &count, 1));
            }
        }
        TRY(require(p, keys, seen, BIT(0), &im, "accelerators"));
        for (uint32_t i = 0; i < count; i++) {
            if (s->accelerator_count >= LLMROOF_MAX_DEVICES)
                return perr(p, LLMROOF_E_RANGE, (seen & BIT(1)) ? &cm : &dm,
                            "a system holds at most %d accelerators", LLMROOF_MAX_DEVICES);
            char key[32];
            snprintf(key, sizeof key, "accelerators.%u", s->accelerator_count);
            TRY(add_mark(p, key, &dm));
            memcpy(s->accelerators[s->accelerator_count++], id, sizeof id);
        }
    }
}

static llmroof_status parse_system(P *p, llmroof_system *s, const yaml_mark_t *em)
{
    static const char *const keys[] = {"name",  "accelerators", "gpu_link", "host_link", "host",
                                       "storage", "power",      "price",    "source",
                                       "idle_power", NULL};
    static const char *const hkeys[] = {"device", "memory", NULL};
    uint64_t seen = 0, hseen = 0;
    int k, more;
    yaml_mark_t km, hm;
    for (;;) {
        TRY(next_key(p, keys, NULL, &seen, &k, &km, &more));
        if (!more)
            break;
        TRY(next(p));
        switch (k) {
        case 0: TRY(val_string(p, "name", s->name, sizeof s->name)); break;
        case 1: TRY(parse_accelerators(p, s)); break;
        case 2: TRY(val_string(p, "gpu_link", s->gpu_link, sizeof s->gpu_link)); break;
        case 3: TRY(val_string(p, "host_link", s->host_link, sizeof s->host_link)); break;
        case 4:
            hm = p->ev.start_mark;
            TRY(want_mapping(p, "host"));
            for (;;) {
                TRY(next_key(p, hkeys, "host", &hseen, &k, &km, &more));
                if (!more)
                    break;
                TRY(next(p));
                if (k == 0)
                    TRY(val_string(p, "host.device", s->host_device, sizeof s->host_device));
                else
                    TRY(val_bytes(p, "host.memory", &s->host_memory));
            }
            TRY(require(p, hkeys, hseen, BIT(0) | BIT(1), &hm, "host"));
            break;
        case 5: TRY(val_string(p, "storage", s->storage, sizeof s->storage)); break;
        case 6: TRY(val_quantity(p, "power", LLMROOF__UNIT_POWER, &s->power)); break;
        case 7: TRY(val_quantity(p, "price", LLMROOF__UNIT_MONEY, &s->price)); break;
        case 9: TRY(val_quantity(p, "idle_power", LLMROOF__UNIT_POWER, &s->idle_power)); break;
        default: TRY(val_string(p, "source", s->source, sizeof s->source)); break;
        }
    }
    return require(p, keys, seen, BIT(0) | BIT(4), em, NULL);
}

static llmroof_status parse_model(P *p, llmroof_model *m, const yaml_mark_t *em)
{
    static const char *const keys[] = {"name",  "layers",   "hidden",          "ffn",
                                       "heads", "kv_heads", "head_dim",        "vocab",
                                       "context", "tied_embeddings", "params", "moe",
                                       "attention", "source", NULL};
    static const char *const moe_keys[] = {"experts", "active", "expert_ffn", "shared_experts",
                                           "dense_layers", NULL};
    static const char *const att_keys[] = {"kind", "kv_lora_rank", "rope_dim", "sliding_window",
                                           "sliding_layers", "q_lora_rank", NULL};
    uint32_t *const ints[] = {NULL, &m->layers, &m->hidden, &m->ffn, &m->heads,
                              &m->kv_heads, &m->head_dim, &m->vocab, &m->context};
    uint32_t *const moe_ints[] = {&m->experts, &m->experts_active, &m->expert_ffn,
                                  &m->shared_experts, &m->dense_layers};
    uint32_t *const att_ints[] = {NULL, &m->kv_lora_rank, &m->rope_dim, &m->sliding_window,
                                  &m->sliding_layers, &m->q_lora_rank};
    uint64_t seen = 0;
    int k, more;
    yaml_mark_t km, sm;
    char key[LLMROOF__MARK_KEY_MAX];
    for (;;) {
        TRY(next_key(p, keys, NULL, &seen, &k, &km, &more));
        if (!more)
            break;
        TRY(next(p));
        if (k >= 1 && k <= 8) {
            /* kv_heads and head_dim: 0 is the struct's "default", so refuse it here. */
            TRY(val_u32(p, keys[k], ints[k], k == 5 || k == 6));
            continue;
        }
        uint64_t sub_seen = 0;
        switch (k) {
        case 0: TRY(val_string(p, "name", m->name, sizeof m->name)); break;
        case 9: TRY(val_bool(p, "tied_embeddings", &m->tied_embeddings)); break;
        case 10: TRY(val_number(p, "params", &m->params)); break;
        case 11:
            sm = p->ev.start_mark;
            TRY(want_mapping(p, "moe"));
            for (;;) {
                TRY(next_key(p, moe_keys, "moe", &sub_seen, &k, &km, &more));
                if (!more)
                    break;
                TRY(next(p));
                snprintf(key, sizeof key, "moe.%s", moe_keys[k]);
                TRY(val_u32(p, key, moe_ints[k], 0));
            }
            TRY(require(p, moe_keys, sub_seen, BIT(0) | BIT(1) | BIT(2), &sm, "moe"));
            break;
        case 12:
            TRY(want_mapping(p, "attention"));
            for (;;) {
                TRY(next_key(p, att_keys, "attention", &sub_seen, &k, &km, &more));
                if (!more)
                    break;
                TRY(next(p));
                snprintf(key, sizeof key, "attention.%s", att_keys[k]);
                if (k == 0)
                    TRY(val_enum(p, key, llmroof__attention_names, &m->attention));
                else
                    /* q_lora_rank: 0 would mean "absent", so refuse it. */
                    TRY(val_u32(p, key, att_ints[k], k == 5));
            }
            break;
        default: TRY(val_string(p, "source", m->source, sizeof m->source)); break;
        }
    }
    uint64_t required = BIT(0);
    for (int i = 1; i <= 8; i++)
        if (i != 5 && i != 6)
            required |= BIT(i);
    return require(p, keys, seen, required, em, NULL);
}

static llmroof_status parse_quant(P *p, llmroof_quant *q, const yaml_mark_t *em)
{
    static const char *const keys[] = {"name",       "bpw",        "kernel",
                                       "quality",    "source",     "embed_bpw",
                                       "output_bpw", "format",     "cpu_dot_cost",
                                       "expert_bpw", NULL};
    uint64_t seen = 0;
    int k, more;
    yaml_mark_t km;
    q->quality = -1; /* unknown */
    for (;;) {
        TRY(next_key(p, keys, NULL, &seen, &k, &km, &more));
        if (!more)
            break;
        TRY(next(p));
        switch (k) {
        case 0: TRY(val_string(p, "name", q->name, sizeof q->name)); break;
        case 1: TRY(val_number(p, "bpw", &q->bpw)); break;
        case 2: TRY(val_string(p, "kernel", q->kernel, sizeof q->kernel)); break;
        case 3: TRY(val_number(p, "quality", &q->quality)); break;
        case 4: TRY(val_string(p, "source", q->source, sizeof q->source)); break;
        case 5: TRY(val_number(p, "embed_bpw", &q->embed_bpw)); break;
        case 6: TRY(val_number(p, "output_bpw", &q->output_bpw)); break;
        case 7: TRY(val_string(p, "format", q->format, sizeof q->format)); break;
        case 8: TRY(val_number(p, "cpu_dot_cost", &q->cpu_dot_cost)); break;
        default: TRY(val_number(p, "expert_bpw", &q->expert_bpw)); break;
        }
    }
    return require(p, keys, seen, BIT(1) | BIT(2), em, NULL);
}

/* An efficiency: a number, or a mapping {default: n, <kernel>: n, ...}.
 * `what` is "decode_efficiency" or "prefill_efficiency"; kernel entries go
 * to table[*count], marked as backends.<bi>.<table_key>.<k>. */
static llmroof_status parse_efficiency(P *p, uint32_t bi, const char *what,
                                       const char *table_key, double *dflt,
                                       llmroof_kernel_efficiency *table, uint32_t *count)
{
    char key[LLMROOF__MARK_KEY_MAX];
    snprintf(key, sizeof key, "backends.%u.%s", bi, what);
    if (p->ev.type != YAML_MAPPING_START_EVENT)
        return val_number(p, key, dflt);
    TRY(add_mark(p, key, &p->ev.start_mark));
    yaml_mark_t dm = p->ev.start_mark;
    int have_default = 0;
    for (;;) {
        TRY(next(p));
        if (p->ev.type == YAML_MAPPING_END_EVENT)
            break;
        yaml_mark_t km = p->ev.start_mark;
        if (!is_scalar(p) || is_null(p))
            return perr(p, LLMROOF_E_SCHEMA, &km, "%s: kernel names are strings", what);
        if (strcmp(scalar(p), "default") == 0) {
            if (have_default)
                return perr(p, LLMROOF_E_DUPLICATE, &km, "key 'default' is given twice");
            have_default = 1;
            TRY(next(p));
            TRY(val_number(p, key, dflt));
            continue;
        }
        char kernel[LLMROOF_KERNEL_MAX] = {0}; /* copied whole: no stack bytes */
        if (p->ev.data.scalar.length >= sizeof kernel)
            return perr(p, LLMROOF_E_SCHEMA, &km, "kernel name '%.64s' is longer than %d bytes",
                        scalar(p), LLMROOF_KERNEL_MAX - 1);
        memcpy(kernel, scalar(p), p->ev.data.scalar.length + 1);
        for (uint32_t j = 0; j < *count; j++)
            if (strcmp(table[j].kernel, kernel) == 0)
                return perr(p, LLMROOF_E_DUPLICATE, &km, "key '%s' is given twice", kernel);
        if (*count >= LLMROOF_MAX_KERNELS)
            return perr(p, LLMROOF_E_RANGE, &km, "%s: at most %d kernels", what,
                        LLMROOF_MAX_KERNELS);
        llmroof_kernel_efficiency *ke = &table[*count];
        memcpy(ke->kernel, kernel, sizeof kernel);
        char kkey[LLMROOF__MARK_KEY_MAX];
        snprintf(kkey, sizeof kkey, "backends.%u.%s.%u", bi, table_key, *count);
        (*count)++;
        TRY(next(p));
        TRY(val_number(p, kkey, &ke->efficiency));
    }
    if (!have_default)
        return perr(p, LLMROOF_E_SCHEMA, &dm, "missing required key 'default' in %s", what);
    return LLMROOF_OK;
}

/* A sequence of exactly two numbers, [lo, hi] (whole ones when `whole`),
 * its items marked <key>.0 and <key>.1. */
static llmroof_status val_pair(P *p, const char *key, int whole, double out[2])
{
    if (p->ev.type != YAML_SEQUENCE_START_EVENT)
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                    "%s: expected two numbers such as [0.8, 1.2], got %s", key, node_desc(p));
    TRY(add_mark(p, key, &p->ev.start_mark));
    yaml_mark_t sm = p->ev.start_mark;
    char ikey[LLMROOF__MARK_KEY_MAX];
    for (int i = 0;; i++) {
        TRY(next(p));
        if (p->ev.type == YAML_SEQUENCE_END_EVENT) {
            if (i != 2)
                return perr(p, LLMROOF_E_SCHEMA, &sm, "%s: expected exactly two numbers, got %d",
                            key, i);
            return LLMROOF_OK;
        }
        if (i == 2)
            return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                        "%s: expected exactly two numbers, got more", key);
        snprintf(ikey, sizeof ikey, "%s.%d", key, i);
        if (whole) {
            uint32_t u;
            TRY(val_u32(p, ikey, &u, 0));
            out[i] = u;
        } else {
            TRY(val_number(p, ikey, &out[i]));
        }
    }
}

/* bands: {<placement kind>: {decode: [lo, hi], prefill: [lo, hi],
 * rows: [decode, prefill], sources: n, moe_rows: n}, ...}, marked as
 * backends.<bi>.bands.<kind>.<key>. */
static llmroof_status parse_bands(P *p, uint32_t bi, llmroof_engine_backend *b)
{
    static const char *const keys[] = {"decode", "prefill", "rows", "sources", "moe_rows", NULL};
    char key[LLMROOF__MARK_KEY_MAX];
    snprintf(key, sizeof key, "backends.%u.bands", bi);
    TRY(want_mapping(p, key));
    uint64_t kinds = 0;
    int kind, more;
    yaml_mark_t km;
    for (;;) {
        TRY(next_key(p, llmroof__placement_kind_names, "bands", &kinds, &kind, &km, &more));
        if (!more)
            return LLMROOF_OK;
        TRY(next(p));
        llmroof_band *band = &b->bands[kind];
        const char *kn = llmroof__placement_kind_names[kind];
        char where[32];
        snprintf(where, sizeof where, "bands.%s", kn);
        snprintf(key, sizeof key, "backends.%u.bands.%s", bi, kn);
        TRY(want_mapping(p, key));
        uint64_t seen = 0;
        int k;
        for (;;) {
            TRY(next_key(p, keys, where, &seen, &k, &km, &more));
            if (!more)
                break;
            TRY(next(p));
            snprintf(key, sizeof key, "backends.%u.bands.%s.%s", bi, kn, keys[k]);
            double v[2] = {0, 0};
            switch (k) {
            case 0:
                TRY(val_pair(p, key, 0, v));
                band->decode_lo = v[0];
                band->decode_hi = v[1];
                break;
            case 1:
                TRY(val_pair(p, key, 0, v));
                band->prefill_lo = v[0];
                band->prefill_hi = v[1];
                break;
            case 2:
                TRY(val_pair(p, key, 1, v));
                band->decode_rows = (uint32_t)v[0];
                band->prefill_rows = (uint32_t)v[1];
                break;
            case 3: TRY(val_u32(p, key, &band->sources, 0)); break;
            default: TRY(val_u32(p, key, &band->moe_rows, 0)); break;
            }
        }
    }
}

/* backends.<b>.measured_devices: a sequence of device ids (not resolved:
 * an id no catalog holds simply never matches). */
static llmroof_status parse_measured_devices(P *p, const char *key, llmroof_engine_backend *b)
{
    if (p->ev.type != YAML_SEQUENCE_START_EVENT)
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                    "%s: expected a sequence of device ids, got %s", key, node_desc(p));
    TRY(add_mark(p, key, &p->ev.start_mark));
    for (;;) {
        TRY(next(p));
        if (p->ev.type == YAML_SEQUENCE_END_EVENT)
            return LLMROOF_OK;
        yaml_mark_t mm = p->ev.start_mark;
        if (b->measured_device_count >= LLMROOF_MAX_MEASURED_DEVICES)
            return perr(p, LLMROOF_E_LIMIT, &mm, "%s: at most %d devices", key,
                        LLMROOF_MAX_MEASURED_DEVICES);
        char *dst = b->measured_devices[b->measured_device_count];
        TRY(val_string(p, key, dst, LLMROOF_ID_MAX));
        for (uint32_t k = 0; k < b->measured_device_count; k++)
            if (strcmp(b->measured_devices[k], dst) == 0)
                return perr(p, LLMROOF_E_DUPLICATE, &mm, "%s: '%s' is listed twice", key, dst);
        b->measured_device_count++;
    }
}

static llmroof_status parse_backends(P *p, llmroof_engine *e)
{
    static const char *const names[] = {"cuda", "rocm", "metal", "vulkan", "sycl", "cpu", NULL};
    static const char *const keys[] = {"decode_efficiency", "prefill_efficiency",
                                       "per_layer_overhead", "runtime_overhead",
                                       "hop_overhead", "bandwidth_cap", "measured_efficiency",
                                       "bands", "moe_layer_overhead", "measured_devices",
                                       "moe_token_tile", "hbm_read_penalty", NULL};
    TRY(want_mapping(p, "backends"));
    char key[LLMROOF__MARK_KEY_MAX];
    for (;;) {
        TRY(next(p));
        if (p->ev.type == YAML_MAPPING_END_EVENT)
            return LLMROOF_OK;
        yaml_mark_t bm = p->ev.start_mark, km;
        if (!is_scalar(p) || is_null(p))
            return perr(p, LLMROOF_E_SCHEMA, &bm, "backends: keys are backend names");
        int be = llmroof__lookup_name(names, scalar(p));
        if (be < 0)
            return unknown_word(p, &bm, "backend", "backends", scalar(p), names);
        for (uint32_t j = 0; j < e->backend_count; j++)
            if (e->backends[j].backend == be)
                return perr(p, LLMROOF_E_DUPLICATE, &bm, "key '%s' is given twice", names[be]);
        if (e->backend_count >= LLMROOF_MAX_BACKENDS) /* cannot happen with 6 names */
            return perr(p, LLMROOF_E_RANGE, &bm, "at most %d backends", LLMROOF_MAX_BACKENDS);
        uint32_t bi = e->backend_count++;
        llmroof_engine_backend *b = &e->backends[bi];
        b->backend = be;
        snprintf(key, sizeof key, "backends.%u", bi);
        TRY(add_mark(p, key, &bm));
        TRY(next(p));
        if (p->ev.type != YAML_MAPPING_START_EVENT)
            return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                        "backends.%s: expected a mapping, got %s", names[be], node_desc(p));
        uint64_t seen = 0;
        int k, more;
        for (;;) {
            TRY(next_key(p, keys, names[be], &seen, &k, &km, &more));
            if (!more)
                break;
            TRY(next(p));
            snprintf(key, sizeof key, "backends.%u.%s", bi, keys[k]);
            switch (k) {
            case 0:
                TRY(parse_efficiency(p, bi, keys[k], "kernels", &b->decode_efficiency,
                                     b->kernels, &b->kernel_count));
                break;
            case 1:
                TRY(parse_efficiency(p, bi, keys[k], "prefill_kernels", &b->prefill_efficiency,
                                     b->prefill_kernels, &b->prefill_kernel_count));
                break;
            case 2:
                TRY(val_quantity(p, key, LLMROOF__UNIT_TIME, &b->per_layer_overhead));
                break;
            case 3: TRY(val_bytes(p, key, &b->runtime_overhead)); break;
            case 4:
                TRY(val_quantity(p, key, LLMROOF__UNIT_TIME, &b->hop_overhead));
                break;
            case 5:
                TRY(val_quantity(p, key, LLMROOF__UNIT_BANDWIDTH, &b->bandwidth_cap));
                break;
            case 6: TRY(val_number(p, key, &b->measured_efficiency)); break;
            case 7: TRY(parse_bands(p, bi, b)); break;
            case 8:
                TRY(val_quantity(p, key, LLMROOF__UNIT_TIME, &b->moe_layer_overhead));
                break;
            case 9: TRY(parse_measured_devices(p, key, b)); break;
            case 10: TRY(val_u32(p, key, &b->moe_token_tile, 0)); break;
            default: TRY(val_number(p, key, &b->hbm_read_penalty)); break;
            }
        }
        TRY(require(p, keys, seen, BIT(0) | BIT(1), &bm, names[be]));
    }
}

/* A sequence of names from `names` as bits (1u << (index + shift)), none twice;
 * *first is the first index + shift.  `example` shows the form in errors. */
static llmroof_status val_enum_bits(P *p, const char *key, const char *const *names, int shift,
                                    const char *example, uint32_t *bits, int32_t *first)
{
    if (p->ev.type != YAML_SEQUENCE_START_EVENT)
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                    "%s: expected a sequence such as %s, got %s", key, example, node_desc(p));
    TRY(add_mark(p, key, &p->ev.start_mark));
    for (;;) {
        TRY(next(p));
        if (p->ev.type == YAML_SEQUENCE_END_EVENT)
            return LLMROOF_OK;
        int32_t v = 0;
        yaml_mark_t mm = p->ev.start_mark;
        TRY(val_enum(p, key, names + shift, &v));
        v += shift;
        if (*bits & (1u << v))
            return perr(p, LLMROOF_E_DUPLICATE, &mm, "%s: '%s' is listed twice", key, names[v]);
        *bits |= 1u << v;
        if (*first < 0)
            *first = v;
    }
}

static llmroof_status parse_engine(P *p, llmroof_engine *e, const yaml_mark_t *em)
{
    static const char *const keys[] = {"name",    "split_modes", "default_split",
                                       "offloaded_layers", "backends", "source", "formats",
                                       "tasks", NULL};
    uint64_t seen = 0;
    int k, more;
    yaml_mark_t km;
    int32_t first = -1;
    for (;;) {
        TRY(next_key(p, keys, NULL, &seen, &k, &km, &more));
        if (!more)
            break;
        TRY(next(p));
        switch (k) {
        case 0: TRY(val_string(p, "name", e->name, sizeof e->name)); break;
        case 1: /* "auto" is not a mode an engine has: names from index 1 */
            TRY(val_enum_bits(p, "split_modes", llmroof__split_names, 1, "[layer, row]",
                              &e->split_modes, &first));
            break;
        case 2:
            TRY(val_enum(p, "default_split", llmroof__split_names + 1, &e->default_split));
            e->default_split += 1;
            break;
        case 3:
            TRY(val_enum(p, "offloaded_layers", llmroof__offload_names, &e->offloaded_layers));
            break;
        case 4: TRY(parse_backends(p, e)); break;
        case 5: TRY(val_string(p, "source", e->source, sizeof e->source)); break;
        case 7: {
            int32_t unused = -1;
            e->tasks = 0;
            TRY(val_enum_bits(p, "tasks", llmroof__task_names, 0, "[llm, image]", &e->tasks,
                              &unused));
            break;
        }
        default:
            if (p->ev.type != YAML_SEQUENCE_START_EVENT)
                return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                            "formats: expected a sequence such as [gguf, float], got %s",
                            node_desc(p));
            TRY(add_mark(p, "formats", &p->ev.start_mark));
            for (;;) {
                TRY(next(p));
                if (p->ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                if (e->format_count >= LLMROOF_MAX_FORMATS)
                    return perr(p, LLMROOF_E_RANGE, &p->ev.start_mark,
                                "formats: at most %d formats", LLMROOF_MAX_FORMATS);
                TRY(val_string(p, "formats", e->formats[e->format_count],
                               sizeof e->formats[0]));
                e->format_count++;
            }
            break;
        }
    }
    /* split_modes only matter to LLM work (check_engine fills them in otherwise) */
    TRY(require(p, keys, seen, ((e->tasks & LLMROOF_TASK_LLM) ? BIT(1) : 0) | BIT(4), em, NULL));
    if (!(seen & BIT(2)) && first >= 0)
        e->default_split = first;
    return LLMROOF_OK;
}

/* One part of an image pipeline: {name, params, bits, flops, activation};
 * `key` is its mark prefix ("denoiser", "vae", "encoders.0"). */
static llmroof_status parse_image_part(P *p, const char *key, llmroof_image_part *part,
                                       int flops_required)
{
    static const char *const keys[] = {"name", "params", "bits", "flops", "activation", NULL};
    if (p->ev.type != YAML_MAPPING_START_EVENT)
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                    "%s: expected a mapping {name, params, bits, flops, activation}, got %s", key,
                    node_desc(p));
    TRY(add_mark(p, key, &p->ev.start_mark));
    yaml_mark_t pm = p->ev.start_mark, km;
    char k[LLMROOF__MARK_KEY_MAX];
    uint64_t seen = 0;
    int i = 0, more;
    uint64_t act = 0;
    for (;;) {
        TRY(next_key(p, keys, key, &seen, &i, &km, &more));
        if (!more)
            break;
        TRY(next(p));
        snprintf(k, sizeof k, "%s.%s", key, keys[i]);
        switch (i) {
        case 0: TRY(val_string(p, k, part->name, sizeof part->name)); break;
        case 1: TRY(val_number(p, k, &part->params)); break;
        case 2: TRY(val_number(p, k, &part->bits)); break;
        case 3: TRY(val_number(p, k, &part->flops)); break;
        default:
            TRY(val_bytes(p, k, &act));
            part->activation = (double)act;
            break;
        }
    }
    uint64_t required = BIT(1) | BIT(2);
    if (flops_required)
        required |= BIT(3);
    return require(p, keys, seen, required, &pm, key);
}

static llmroof_status parse_image_model(P *p, llmroof_image_model *m, const yaml_mark_t *em)
{
    static const char *const keys[] = {"name",     "resolution", "steps", "guidance",
                                       "denoiser", "attention_flops", "encoders", "vae",
                                       "source",   NULL};
    static const char *const rkeys[] = {"width", "height", NULL};
    uint64_t seen = 0, rseen = 0;
    int k, more;
    yaml_mark_t km, rm;
    for (;;) {
        TRY(next_key(p, keys, NULL, &seen, &k, &km, &more));
        if (!more)
            break;
        TRY(next(p));
        switch (k) {
        case 0: TRY(val_string(p, "name", m->name, sizeof m->name)); break;
        case 1:
            rm = p->ev.start_mark;
            TRY(want_mapping(p, "resolution"));
            for (;;) {
                TRY(next_key(p, rkeys, "resolution", &rseen, &k, &km, &more));
                if (!more)
                    break;
                TRY(next(p));
                if (k == 0)
                    TRY(val_u32(p, "resolution.width", &m->width, 1));
                else
                    TRY(val_u32(p, "resolution.height", &m->height, 1));
            }
            TRY(require(p, rkeys, rseen, BIT(0) | BIT(1), &rm, "resolution"));
            break;
        case 2: TRY(val_u32(p, "steps", &m->steps, 1)); break;
        case 3: TRY(val_u32(p, "guidance", &m->guidance, 1)); break;
        case 4: TRY(parse_image_part(p, "denoiser", &m->denoiser, 1)); break;
        case 5: TRY(val_number(p, "attention_flops", &m->attention_flops)); break;
        case 6:
            if (p->ev.type != YAML_SEQUENCE_START_EVENT)
                return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                            "encoders: expected a sequence of {name, params, bits, flops}, got %s",
                            node_desc(p));
            TRY(add_mark(p, "encoders", &p->ev.start_mark));
            for (;;) {
                TRY(next(p));
                if (p->ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                if (m->encoder_count >= LLMROOF_MAX_ENCODERS)
                    return perr(p, LLMROOF_E_RANGE, &p->ev.start_mark,
                                "encoders: at most %d text encoders", LLMROOF_MAX_ENCODERS);
                char key[32];
                snprintf(key, sizeof key, "encoders.%u", m->encoder_count);
                TRY(parse_image_part(p, key, &m->encoders[m->encoder_count], 0));
                m->encoder_count++;
            }
            break;
        case 7: TRY(parse_image_part(p, "vae", &m->vae, 1)); break;
        default: TRY(val_string(p, "source", m->source, sizeof m->source)); break;
        }
    }
    return require(p, keys, seen, BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(7), em,
                   NULL);
}

static void init_entry(entry *e, int section)
{
    switch (section) {
    case LLMROOF_SECTION_DEVICES: llmroof_device_init(&e->device); break;
    case LLMROOF_SECTION_LINKS: llmroof_link_init(&e->link); break;
    case LLMROOF_SECTION_SYSTEMS: llmroof_system_init(&e->system); break;
    case LLMROOF_SECTION_MODELS: llmroof_model_init(&e->model); break;
    case LLMROOF_SECTION_QUANTS: llmroof_quant_init(&e->quant); break;
    case LLMROOF_SECTION_IMAGE_MODELS: llmroof_image_model_init(&e->image_model); break;
    default: llmroof_engine_init(&e->engine); break;
    }
}

static int valid_id_text(const char *s, size_t n)
{
    if (n == 0 || n >= LLMROOF_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!llmroof__is_id_char(s[i]))
            return 0;
    }
    return 1;
}

static llmroof_status parse_section(P *p, int section)
{
    const char *sname = llmroof__section_names[section];
    if (is_null(p))
        return LLMROOF_OK; /* "devices:" with nothing under it */
    if (p->ev.type != YAML_MAPPING_START_EVENT)
        return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark,
                    "%s: expected a mapping from id to %s, got %s", sname, section_kinds[section],
                    node_desc(p));
    for (;;) {
        TRY(next(p));
        if (p->ev.type == YAML_MAPPING_END_EVENT)
            return LLMROOF_OK;
        yaml_mark_t em = p->ev.start_mark;
        if (!is_scalar(p) || is_null(p))
            return perr(p, LLMROOF_E_SCHEMA, &em, "%s: expected an id, got %s", sname,
                        node_desc(p));
        if (!valid_id_text(scalar(p), p->ev.data.scalar.length))
            return perr(p, LLMROOF_E_SCHEMA, &em,
                        "%s: '%.64s' is not a valid id (1-63 of A-Z a-z 0-9 . _ + -)", sname,
                        scalar(p));
        entry *e = &p->e;
        init_entry(e, section);
        char *id = e->device.id; /* every descriptor has its id at the same place */
        memcpy(id, scalar(p), p->ev.data.scalar.length + 1);
        p->ctx_kind = section_kinds[section];
        p->ctx_id = id;
        p->nmarks = 0;
        TRY(next(p));
        if (p->ev.type != YAML_MAPPING_START_EVENT)
            return perr(p, LLMROOF_E_SCHEMA, &p->ev.start_mark, "expected a mapping, got %s",
                        node_desc(p));
        switch (section) {
        case LLMROOF_SECTION_DEVICES: TRY(parse_device(p, &e->device, &em)); break;
        case LLMROOF_SECTION_LINKS: TRY(parse_link(p, &e->link, &em)); break;
        case LLMROOF_SECTION_SYSTEMS: TRY(parse_system(p, &e->system, &em)); break;
        case LLMROOF_SECTION_MODELS: TRY(parse_model(p, &e->model, &em)); break;
        case LLMROOF_SECTION_QUANTS: TRY(parse_quant(p, &e->quant, &em)); break;
        case LLMROOF_SECTION_IMAGE_MODELS:
            TRY(parse_image_model(p, &e->image_model, &em));
            break;
        default: TRY(parse_engine(p, &e->engine, &em)); break;
        }
        TRY(llmroof__batch_add(p->cat, p->batch, section, e, p->flags, p->file, pos1(em.line),
                               pos1(em.column), p->marks, p->nmarks, p->err));
        p->ctx_kind = NULL;
        p->ctx_id = NULL;
    }
}

/* Skips one node (pass 1 has bounded its size and depth). */
static llmroof_status skip_node(P *p)
{
    int depth = 0;
    do {
        if (p->ev.type == YAML_SEQUENCE_START_EVENT || p->ev.type == YAML_MAPPING_START_EVENT)
            depth++;
        else if (p->ev.type == YAML_SEQUENCE_END_EVENT || p->ev.type == YAML_MAPPING_END_EVENT)
            depth--;
        if (depth > 0)
            TRY(next(p));
    } while (depth > 0);
    return LLMROOF_OK;
}

static llmroof_status pass_schema(P *p)
{
    static const char *const keys[] = {"llmroof", "devices", "links",   "systems",
                                       "models",  "quants",  "engines", "image_models", NULL};
    if (p->recording && p->nrec > 0) {
        close_parser(p);
        p->recording = 0;
        p->replaying = 1;
        p->rec_pos = 0;
    } else {
        free_recording(p);
        TRY(open_parser(p));
    }
    do {
        TRY(next(p));
    } while (p->ev.type != YAML_MAPPING_START_EVENT); /* stream, document, root */
    uint64_t seen = 0;
    int k, more;
    yaml_mark_t km;
    for (;;) {
        TRY(next_key(p, keys, NULL, &seen, &k, &km, &more));
        if (!more)
            return LLMROOF_OK;
        TRY(next(p));
        if (k == 0)
            TRY(skip_node(p)); /* checked by pass 1 */
        else
            TRY(parse_section(p, k - 1));
    }
}

llmroof_status llmroof__yaml_load(const llmroof_catalog *cat, llmroof__batch *b, const char *file,
                                  const char *text, size_t length, uint32_t flags,
                                  llmroof_error *err)
{
    if (!text || !b)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, file, 0, 0, "no text to load");
    if (length > MAX_FILE)
        return llmroof__fail(err, LLMROOF_E_LIMIT, file, 0, 0,
                             "the file is larger than %u bytes", MAX_FILE);
    /* A UTF-8 byte order mark (some editors write one) is not content; the
     * parser is pinned to UTF-8, so UTF-16 marks stay errors. */
    if (length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        length -= 3;
    }
    P *p = llmroof__calloc(1, sizeof *p);
    if (!p)
        return llmroof__fail(err, LLMROOF_E_NOMEM, file, 0, 0, "out of memory");
    p->file = file;
    p->text = text;
    p->length = length;
    p->err = err;
    p->cat = cat;
    p->batch = b;
    p->flags = flags;
    llmroof_status st = pass_limits(p);
    if (st == LLMROOF_OK)
        st = pass_schema(p);
    close_parser(p);
    free_recording(p);
    llmroof__free(p->marks);
    llmroof__free(p);
    return st;
}

/* ------------------------------------------------------------------------
 * Reading a file with a cap
 * ------------------------------------------------------------------------ */
static llmroof_status io_error(const char *path, const char *what, int errnum, llmroof_error *err)
{
    char buf[128] = "unknown error";
    if (strerror_r(errnum, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "error %d", errnum);
    return llmroof__fail(err, LLMROOF_E_IO, path, 0, 0, "cannot %s '%.200s': %s", what, path, buf);
}

int llmroof__open_regular(const char *path, uint64_t *size, llmroof_error *err)
{
    /* O_NONBLOCK: opening a FIFO without a writer must not hang; reads are
     * made blocking again below. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        io_error(path, "open", errno, err);
        return -1;
    }
    /* Only a regular file: a FIFO, socket or device could block the first
     * read forever (a FIFO whose writer never writes). */
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        llmroof__fail(err, LLMROOF_E_IO, path, 0, 0, "not a regular file");
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        io_error(path, "read", e, err);
        return -1;
    }
    if (size)
        *size = (uint64_t)st.st_size;
    return fd;
}

llmroof_status llmroof__read_file(const char *path, char **text, size_t *length,
                                  llmroof_error *err)
{
    *text = NULL;
    *length = 0;
    int fd = llmroof__open_regular(path, NULL, err);
    if (fd < 0)
        return LLMROOF_E_IO;
    size_t cap = 64 * 1024, n = 0;
    char *buf = llmroof__malloc(cap + 1);
    if (!buf) {
        close(fd);
        return llmroof__fail(err, LLMROOF_E_NOMEM, path, 0, 0, "out of memory");
    }
    for (;;) {
        if (n == cap) {
            if (cap > MAX_FILE) {
                llmroof__free(buf);
                close(fd);
                return llmroof__fail(err, LLMROOF_E_LIMIT, path, 0, 0,
                                     "the file is larger than %u bytes", MAX_FILE);
            }
            size_t ncap = cap * 2 > (size_t)MAX_FILE + 1 ? (size_t)MAX_FILE + 1 : cap * 2;
            char *nb = llmroof__realloc(buf, ncap + 1);
            if (!nb) {
                llmroof__free(buf);
                close(fd);
                return llmroof__fail(err, LLMROOF_E_NOMEM, path, 0, 0, "out of memory");
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            llmroof__free(buf);
            close(fd);
            return io_error(path, "read", e, err);
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > MAX_FILE) {
        llmroof__free(buf);
        return llmroof__fail(err, LLMROOF_E_LIMIT, path, 0, 0, "the file is larger than %u bytes",
                             MAX_FILE);
    }
    buf[n] = '\0';
    *text = buf;
    *length = n;
    return LLMROOF_OK;
}
