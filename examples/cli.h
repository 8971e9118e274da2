/* The llmroof command-line tool: declarations shared by its source files.
 * The tool uses the public header only (DESIGN.md: "the llmroof tool and the
 * examples use the public header only, never lib/ internals"). */
#ifndef LLMROOF_CLI_H
#define LLMROOF_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "llmroof/llmroof.h"

/* Exit codes (docs/cli.md). */
#define CLI_OK 0
#define CLI_DATA 1  /* bad file, unknown id, a request the library rejects */
#define CLI_USAGE 2 /* bad command line */

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* Options every command accepts: extra catalog files and --override. */
typedef struct cli_common {
    const char **catalogs; /* points into argv; capacity argc */
    int catalog_count;
    uint32_t load_flags;   /* LLMROOF_LOAD_OVERRIDE or 0 */
} cli_common;

/* ---- messages (cli_util.c) ---- */
/* "llmroof: error: ..." on stderr. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
/* A usage error: the message, then a pointer to `llmroof CMD --help`. */
void cli_usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);
/* A library error: "llmroof: error: FILE:LINE:COLUMN: MESSAGE (STATUS)",
 * leaving out what is unknown.  `file` is used when err names none. */
void cli_lib_error(const llmroof_error *err, llmroof_status st, const char *file);
/* Formats the same without the "llmroof: error: " prefix, GCC style
 * ("FILE:LINE:COLUMN: error: MESSAGE (STATUS)"), as `check` prints it. */
void cli_gcc_error(FILE *out, const llmroof_error *err, llmroof_status st, const char *file);

/* ---- strict number parsing (cli_util.c) ----
 * Whole string, decimal, no sign, no spaces, no overflow.  Return 0 on
 * success, -1 (nothing written) on failure. */
int cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* A finite decimal number ("0.75", "1e-3"), no sign, no hex/nan/inf. */
int cli_parse_double(const char *s, double *out);
/* --electricity-price: 1 and *out set, or -1 after printing why. */
int cli_parse_electricity_price(const char *cmd, const char *v, double *out);

/* ---- option matching (cli_util.c) ----
 * Matches argv[*i] against `name` ("--system") given as "--system VALUE" or
 * "--system=VALUE".  `value` is NULL for a flag that takes none.  Returns 1
 * when it matched (advancing *i past a separate value), 0 when it did not,
 * -1 after reporting a usage error (missing or unexpected value). */
int cli_match(const char *cmd, int argc, char **argv, int *i, const char *name,
              const char **value);
/* A file name given on the command line: an empty one is a usage error
 * (issue 14: `--catalog ""` was exit 2 but `--gguf ""` exit 1).  `what`
 * names it: "option '--gguf'", "the FILE argument".  0, or -1 after the
 * message. */
int cli_file_name(const char *cmd, const char *what, const char *v);
/* Handles --catalog FILE and --override.  Same return convention. */
int cli_common_option(const char *cmd, int argc, char **argv, int *i, cli_common *c);
/* The workload options estimate and pick share: --ctx --depth --prompt
 * --gen --batch --ubatch --split --backend --flash-attn --no-flash-attn
 * --gpu-share, onto a request.  Same return convention as cli_match. */
int cli_workload_option(const char *cmd, int argc, char **argv, int *i, llmroof_request *r);
/* Reads a GGUF file's header (llmroof_model_from_gguf) into m, q, info
 * (initialised here).  Prints the error and returns CLI_DATA on failure. */
int cli_read_gguf(const char *path, llmroof_model *m, llmroof_quant *q, llmroof_gguf_info *info);
/* Reads a GGUF file (llmroof_model_from_gguf) and adds its quant -- and,
 * with need_model, its model -- to the catalog under ids from the file
 * name, written to model_id / quant_id (LLMROOF_ID_MAX each; model_id may
 * be NULL).  Prints the error and returns CLI_DATA on failure. */
int cli_add_gguf(llmroof_catalog *cat, const char *path, int need_model, char *model_id,
                 char *quant_id);
/* Reads a Hugging Face config.json (llmroof_model_from_config) and adds
 * its model to the catalog; its id is written to model_id (LLMROOF_ID_MAX).
 * Prints the error and returns CLI_DATA on failure. */
int cli_add_config(llmroof_catalog *cat, const char *path, char *model_id);
/* Copies an id into a request field; an id too long for the field cannot
 * be in the catalog, so it is reported as unknown.  0, or -1 after the
 * message. */
int cli_set_id(char *dst, const char *id, const char *what);
/* Reports a failed lookup: unknown ids with a "did you mean", other errors
 * as the library gives them.  Returns CLI_DATA. */
int cli_lookup_failed(const llmroof_catalog *cat, llmroof_status st, const llmroof_error *err,
                      int32_t section, const char *what, const char *id);
/* 1 for -h / --help. */
int cli_is_help(const char *arg);

/* ---- catalog (cli_util.c) ----
 * A catalog with the bundled descriptors and the --catalog files, or NULL
 * after printing the error. */
llmroof_catalog *cli_open_catalog(const cli_common *c);
/* Prints "unknown <what> 'id'" with a "did you mean" from the section and
 * a pointer to `llmroof list`. */
void cli_unknown_id(const llmroof_catalog *cat, int32_t section, const char *what,
                    const char *id);

/* ---- human-readable numbers (cli_util.c) ----
 * Each writes into buf (size n) and returns buf. */
const char *cli_gib(char *buf, size_t n, double bytes);      /* "4.58 GiB" */
const char *cli_tps(char *buf, size_t n, double tps);        /* "123", "9.4", "0.42" */
const char *cli_seconds(char *buf, size_t n, double s);      /* "120 us", "8.1 ms", "1.25 s", "3.5 min" */
const char *cli_resource_words(int32_t resource);            /* "GPU memory bandwidth" */

/* ---- JSON output (cli_json.c) ---- */
typedef struct cli_json {
    FILE *out;
    int depth;
    int empty[32]; /* per depth: nothing written in the container yet */
} cli_json;

void cli_json_init(cli_json *j, FILE *out);
void cli_json_begin_object(cli_json *j, const char *key); /* key NULL: array element / root */
void cli_json_end_object(cli_json *j);
void cli_json_begin_array(cli_json *j, const char *key);
void cli_json_end_array(cli_json *j);
void cli_json_string(cli_json *j, const char *key, const char *value);
void cli_json_u64(cli_json *j, const char *key, uint64_t value);
void cli_json_i64(cli_json *j, const char *key, int64_t value);
void cli_json_double(cli_json *j, const char *key, double value); /* null if not finite */
void cli_json_bool(cli_json *j, const char *key, int value);
void cli_json_null(cli_json *j, const char *key);
void cli_json_finish(cli_json *j); /* final newline */

/* The "energy" object every estimate prints (docs/cli.md): power_w,
 * joules_per_<job>, idle_power_w, electricity_usd_per_<job_unit>, price_usd,
 * price_per_<rate>_usd.  `job` names the unit of work ("token", "image"). */
typedef struct cli_energy {
    const char *job;        /* "token", "image" */
    const char *cost_unit;  /* "mtok" (a million tokens), "image" */
    const char *rate;       /* "tps", "ipm" (images per minute) */
    double power, joules, idle_power, cost, price, price_per_rate;
    double prefill_joules;  /* LLM estimates: J per prompt token; < 0 = not printed */
} cli_energy;
void cli_json_energy(cli_json *j, const cli_energy *e);

/* ---- commands ---- */
int cli_cmd_estimate(int argc, char **argv, cli_common *c); /* cli_estimate.c */
int cli_cmd_table(int argc, char **argv, cli_common *c);    /* cli_table.c */
int cli_cmd_list(int argc, char **argv, cli_common *c);     /* cli_list.c */
int cli_cmd_check(int argc, char **argv, cli_common *c);    /* cli_list.c */
int cli_cmd_compare(int argc, char **argv, cli_common *c);  /* cli_compare.c */
int cli_cmd_pick(int argc, char **argv, cli_common *c);     /* cli_pick.c */
int cli_cmd_inspect(int argc, char **argv, cli_common *c);  /* cli_inspect.c */
int cli_cmd_train(int argc, char **argv, cli_common *c);    /* cli_train.c */
int cli_cmd_image(int argc, char **argv, cli_common *c);    /* cli_image.c */

void cli_help_estimate(FILE *out);
void cli_help_table(FILE *out);
void cli_help_list(FILE *out);
void cli_help_check(FILE *out);
void cli_help_pick(FILE *out);
void cli_help_inspect(FILE *out);
void cli_help_train(FILE *out);
void cli_help_image(FILE *out);
void cli_help_compare(FILE *out);

#endif
