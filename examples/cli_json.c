/* The llmroof tool: a small streaming JSON writer.  Output is always valid
 * JSON: strings are escaped and invalid UTF-8 becomes U+FFFD, numbers that
 * are not finite become null, bytes are exact integers. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_DEPTH ((int)(sizeof(((cli_json *)0)->empty) / sizeof(int)))

void cli_json_energy(cli_json *j, const cli_energy *e)
{
    char key[64];
    cli_json_begin_object(j, "energy");
    cli_json_double(j, "power_w", e->power);
    snprintf(key, sizeof key, "joules_per_%s", e->job);
    cli_json_double(j, key, e->joules);
    if (e->prefill_joules >= 0)
        cli_json_double(j, "prefill_joules_per_token", e->prefill_joules);
    cli_json_double(j, "idle_power_w", e->idle_power);
    snprintf(key, sizeof key, "electricity_usd_per_%s", e->cost_unit);
    cli_json_double(j, key, e->cost);
    cli_json_double(j, "price_usd", e->price);
    snprintf(key, sizeof key, "price_per_%s_usd", e->rate);
    cli_json_double(j, key, e->price_per_rate);
    cli_json_end_object(j);
}

void cli_json_init(cli_json *j, FILE *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->empty[0] = 1;
}

static void indent(cli_json *j)
{
    for (int k = 0; k < j->depth; k++)
        fputs("  ", j->out);
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_valid(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned min;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0; /* also stops at the terminating NUL */
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void write_string(FILE *out, const char *s)
{
    fputc('"', out);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
            p++;
        } else if (c == '\n') {
            fputs("\\n", out);
            p++;
        } else if (c == '\t') {
            fputs("\\t", out);
            p++;
        } else if (c == '\r') {
            fputs("\\r", out);
            p++;
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(out, "\\u%04x", c);
            p++;
        } else {
            size_t n = utf8_valid(p);
            if (n == 0) {
                fputs("\\ufffd", out);
                p++;
            } else {
                fwrite(p, 1, n, out);
                p += n;
            }
        }
    }
    fputc('"', out);
}

/* Separator, newline, indentation and key before a value. */
static void before_value(cli_json *j, const char *key)
{
    if (j->depth > 0) {
        if (!j->empty[j->depth])
            fputc(',', j->out);
        fputc('\n', j->out);
        indent(j);
    }
    j->empty[j->depth] = 0;
    if (key) {
        write_string(j->out, key);
        fputs(": ", j->out);
    }
}

static void open_container(cli_json *j, const char *key, char c)
{
    before_value(j, key);
    fputc(c, j->out);
    if (j->depth + 1 < MAX_DEPTH) /* the tool nests far less; never overrun */
        j->depth++;
    j->empty[j->depth] = 1;
}

static void close_container(cli_json *j, char c)
{
    int was_empty = j->empty[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!was_empty) {
        fputc('\n', j->out);
        indent(j);
    }
    fputc(c, j->out);
}

void cli_json_begin_object(cli_json *j, const char *key) { open_container(j, key, '{'); }
void cli_json_end_object(cli_json *j) { close_container(j, '}'); }
void cli_json_begin_array(cli_json *j, const char *key) { open_container(j, key, '['); }
void cli_json_end_array(cli_json *j) { close_container(j, ']'); }

void cli_json_string(cli_json *j, const char *key, const char *value)
{
    before_value(j, key);
    write_string(j->out, value);
}

void cli_json_u64(cli_json *j, const char *key, uint64_t value)
{
    before_value(j, key);
    fprintf(j->out, "%" PRIu64, value);
}

void cli_json_i64(cli_json *j, const char *key, int64_t value)
{
    before_value(j, key);
    fprintf(j->out, "%" PRId64, value);
}

void cli_json_double(cli_json *j, const char *key, double value)
{
    before_value(j, key);
    if (!isfinite(value)) {
        fputs("null", j->out);
        return;
    }
    /* The shortest of %.15g / %.17g that reads back exactly: readable in the
     * common case, lossless always.  The tool never calls setlocale(), so
     * the decimal point is '.'. */
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", value);
    if (strtod(buf, NULL) != value)
        snprintf(buf, sizeof buf, "%.17g", value);
    fputs(buf, j->out);
}

void cli_json_bool(cli_json *j, const char *key, int value)
{
    before_value(j, key);
    fputs(value ? "true" : "false", j->out);
}

void cli_json_null(cli_json *j, const char *key)
{
    before_value(j, key);
    fputs("null", j->out);
}

void cli_json_finish(cli_json *j) { fputc('\n', j->out); }
