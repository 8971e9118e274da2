/* Units: strict, locale-independent parsing of numbers and quantities. */
#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

static uint64_t bytes_ok(const char *text)
{
    uint64_t v = 0;
    const char *why = NULL;
    llmroof_status st = llmroof__parse_bytes(text, &v, &why);
    ck_assert_msg(st == LLMROOF_OK, "'%s' rejected: %s", text, why ? why : "");
    return v;
}

static double qty_ok(const char *text, llmroof__unit_kind kind)
{
    double v = -1;
    const char *why = NULL;
    llmroof_status st = llmroof__parse_quantity(text, kind, &v, &why);
    ck_assert_msg(st == LLMROOF_OK, "'%s' rejected: %s", text, why ? why : "");
    return v;
}

static double num_ok(const char *text)
{
    double v = -1;
    const char *why = NULL;
    ck_assert_msg(llmroof__parse_number(text, &v, &why) == LLMROOF_OK, "'%s' rejected: %s", text,
                  why ? why : "");
    return v;
}

START_TEST(test_bytes_exact)
{
    ck_assert_uint_eq(bytes_ok("24 GiB"), UINT64_C(25769803776));
    ck_assert_uint_eq(bytes_ok("24GiB"), UINT64_C(25769803776));
    ck_assert_uint_eq(bytes_ok("0.5 GiB"), UINT64_C(536870912));
    ck_assert_uint_eq(bytes_ok("1008 B"), 1008);
    ck_assert_uint_eq(bytes_ok("0 B"), 0);
    ck_assert_uint_eq(bytes_ok("1.5 KB"), 1500);
    ck_assert_uint_eq(bytes_ok("2 TB"), UINT64_C(2000000000000));
    ck_assert_uint_eq(bytes_ok("400 MiB"), UINT64_C(419430400));
    ck_assert_uint_eq(bytes_ok("1.25 KiB"), 1280);
    ck_assert_uint_eq(bytes_ok("0.001 KB"), 1);
    ck_assert_uint_eq(bytes_ok("1e3 B"), 1000);
    ck_assert_uint_eq(bytes_ok("1E3 MB"), UINT64_C(1000000000));
    ck_assert_uint_eq(bytes_ok("16 TiB"), UINT64_C(17592186044416));
    ck_assert_uint_eq(bytes_ok("000512.000 MiB"), UINT64_C(536870912));
    /* 2^64 - 1 exactly, and the first value above it. */
    ck_assert_uint_eq(bytes_ok("18446744073709551615 B"), UINT64_MAX);
    ck_assert_uint_eq(bytes_ok("0.0009765625 KiB"), 1);
}
END_TEST

static void reject(llmroof_status (*fn)(const char *), const char *text, llmroof_status want)
{
    llmroof_status st = fn(text);
    ck_assert_msg(st == want, "'%s': got %s, want %s", text, llmroof_status_string(st),
                  llmroof_status_string(want));
}

static llmroof_status bytes_st(const char *text)
{
    uint64_t v = 12345;
    const char *why = NULL;
    llmroof_status st = llmroof__parse_bytes(text, &v, &why);
    if (st != LLMROOF_OK) {
        ck_assert_msg(why && *why, "no reason for '%s'", text);
        ck_assert_uint_eq(v, 12345); /* untouched on failure */
    }
    return st;
}

static llmroof_status bw_st(const char *text)
{
    double v = 0;
    const char *why = NULL;
    llmroof_status st = llmroof__parse_quantity(text, LLMROOF__UNIT_BANDWIDTH, &v, &why);
    if (st != LLMROOF_OK)
        ck_assert_msg(why && *why, "no reason for '%s'", text);
    return st;
}

static llmroof_status num_st(const char *text)
{
    double v = 0;
    const char *why = NULL;
    return llmroof__parse_number(text, &v, &why);
}

START_TEST(test_bytes_rejects)
{
    reject(bytes_st, "24GiBx", LLMROOF_E_UNIT);
    reject(bytes_st, "24 gib", LLMROOF_E_UNIT);
    reject(bytes_st, "24", LLMROOF_E_UNIT);
    reject(bytes_st, "24 ", LLMROOF_E_UNIT);
    reject(bytes_st, "24  GiB", LLMROOF_E_UNIT);
    reject(bytes_st, "24\tGiB", LLMROOF_E_UNIT);
    reject(bytes_st, "24 GB/s", LLMROOF_E_UNIT);
    reject(bytes_st, " 24 GiB", LLMROOF_E_SCHEMA);
    reject(bytes_st, "", LLMROOF_E_SCHEMA);
    reject(bytes_st, "GiB", LLMROOF_E_SCHEMA);
    reject(bytes_st, ".5 GiB", LLMROOF_E_SCHEMA);
    reject(bytes_st, "1. GiB", LLMROOF_E_SCHEMA);
    reject(bytes_st, "nan GB", LLMROOF_E_RANGE);
    reject(bytes_st, "NaN GB", LLMROOF_E_RANGE);
    reject(bytes_st, "inf GB", LLMROOF_E_RANGE);
    reject(bytes_st, "Infinity B", LLMROOF_E_RANGE);
    reject(bytes_st, "-1 GiB", LLMROOF_E_RANGE);
    reject(bytes_st, "+1 GiB", LLMROOF_E_SCHEMA);
    reject(bytes_st, "0x10 B", LLMROOF_E_SCHEMA);
    reject(bytes_st, "1e400 B", LLMROOF_E_RANGE);
    reject(bytes_st, "20000000000 TiB", LLMROOF_E_RANGE);
    reject(bytes_st, "18446744073709551616 B", LLMROOF_E_RANGE);
    reject(bytes_st, "16777216 TiB", LLMROOF_E_RANGE);
    reject(bytes_st, "0.5 B", LLMROOF_E_RANGE);
    reject(bytes_st, "0.3 KiB", LLMROOF_E_RANGE);
    reject(bytes_st, "1e-400 B", LLMROOF_E_RANGE);
    reject(bytes_st, "1,5 GiB", LLMROOF_E_UNIT);
    reject(bytes_st, "1.2.3 GiB", LLMROOF_E_UNIT);
    reject(bytes_st, "12345678901234567890123 B", LLMROOF_E_RANGE);
}
END_TEST

START_TEST(test_quantities)
{
    ck_assert(qty_ok("1008 GB/s", LLMROOF__UNIT_BANDWIDTH) == 1.008e12);
    ck_assert(qty_ok("31.5 GB/s", LLMROOF__UNIT_BANDWIDTH) == 31.5e9);
    ck_assert(qty_ok("3.35 TB/s", LLMROOF__UNIT_BANDWIDTH) == 3.35e12);
    ck_assert(qty_ok("500 MB/s", LLMROOF__UNIT_BANDWIDTH) == 5e8);
    ck_assert(qty_ok("2 GiB/s", LLMROOF__UNIT_BANDWIDTH) == 2147483648.0);
    ck_assert(qty_ok("1 MiB/s", LLMROOF__UNIT_BANDWIDTH) == 1048576.0);
    ck_assert(qty_ok("10 us", LLMROOF__UNIT_TIME) == 10e-6);
    ck_assert(qty_ok("10 us", LLMROOF__UNIT_TIME) == 1e-5);
    ck_assert(qty_ok("1.5 ms", LLMROOF__UNIT_TIME) == 1.5e-3);
    ck_assert(qty_ok("250 ns", LLMROOF__UNIT_TIME) == 250e-9);
    ck_assert(qty_ok("2 s", LLMROOF__UNIT_TIME) == 2.0);
    ck_assert(qty_ok("165.2 TFLOPS", LLMROOF__UNIT_COMPUTE) == 165.2e12);
    ck_assert(qty_ok("660.6 TOPS", LLMROOF__UNIT_COMPUTE) == 660.6e12);
    ck_assert(qty_ok("900 GFLOPS", LLMROOF__UNIT_COMPUTE) == 900e9);
    ck_assert(qty_ok("1.98 PFLOPS", LLMROOF__UNIT_COMPUTE) == 1.98e15);
    ck_assert(qty_ok("450 W", LLMROOF__UNIT_POWER) == 450.0);
    ck_assert(qty_ok("1599 USD", LLMROOF__UNIT_MONEY) == 1599.0);
    ck_assert(qty_ok("0 W", LLMROOF__UNIT_POWER) == 0.0);
    ck_assert(qty_ok("1e-3 s", LLMROOF__UNIT_TIME) == 1e-3);
}
END_TEST

START_TEST(test_quantity_rejects)
{
    reject(bw_st, "1008 GB", LLMROOF_E_UNIT);
    reject(bw_st, "1008 gb/s", LLMROOF_E_UNIT);
    reject(bw_st, "1008", LLMROOF_E_UNIT);
    reject(bw_st, "1008 GB/s ", LLMROOF_E_UNIT);
    reject(bw_st, "nan GB/s", LLMROOF_E_RANGE);
    reject(bw_st, "-5 GB/s", LLMROOF_E_RANGE);
    reject(bw_st, "1e400 GB/s", LLMROOF_E_RANGE);
    reject(bw_st, "1e308 TB/s", LLMROOF_E_RANGE);
    reject(bw_st, "0x1p3 GB/s", LLMROOF_E_SCHEMA);
    double v;
    const char *why = NULL;
    ck_assert_int_eq(llmroof__parse_quantity("10 W", LLMROOF__UNIT_TIME, &v, &why),
                     LLMROOF_E_UNIT);
    ck_assert_int_eq(llmroof__parse_quantity("10 s", LLMROOF__UNIT_POWER, &v, &why),
                     LLMROOF_E_UNIT);
    ck_assert_int_eq(llmroof__parse_quantity("10 s", (llmroof__unit_kind)99, &v, &why),
                     LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof__parse_quantity(NULL, LLMROOF__UNIT_TIME, &v, &why),
                     LLMROOF_E_INVALID_ARGUMENT);
    /* why may be NULL */
    ck_assert_int_eq(llmroof__parse_quantity("x", LLMROOF__UNIT_TIME, &v, NULL),
                     LLMROOF_E_SCHEMA);
}
END_TEST

START_TEST(test_numbers)
{
    ck_assert(num_ok("8.03e9") == 8.03e9);
    ck_assert(num_ok("0.75") == 0.75);
    ck_assert(num_ok("32") == 32.0);
    ck_assert(num_ok("0") == 0.0);
    ck_assert(num_ok("4.89") == 4.89);
    ck_assert(num_ok("1E+2") == 100.0);
    ck_assert(num_ok("1e-2") == 0.01);
    ck_assert(num_ok("0.1") == 0.1); /* correctly rounded, like the compiler */
    ck_assert(num_ok("1.7976931348623157e308") == 1.7976931348623157e308);
    reject(num_st, "nan", LLMROOF_E_RANGE);
    reject(num_st, "inf", LLMROOF_E_RANGE);
    reject(num_st, "-inf", LLMROOF_E_RANGE);
    reject(num_st, "-1", LLMROOF_E_RANGE);
    reject(num_st, "+1", LLMROOF_E_SCHEMA);
    reject(num_st, "0x10", LLMROOF_E_SCHEMA);
    reject(num_st, "1e400", LLMROOF_E_RANGE);
    reject(num_st, "1e", LLMROOF_E_SCHEMA);
    reject(num_st, "1 ", LLMROOF_E_SCHEMA);
    reject(num_st, "1,5", LLMROOF_E_SCHEMA);
    reject(num_st, "", LLMROOF_E_SCHEMA);
    reject(num_st, "abc", LLMROOF_E_SCHEMA);
    reject(num_st, "32 GiB", LLMROOF_E_SCHEMA);
}
END_TEST

/* Parsing must not depend on LC_NUMERIC: under a locale whose decimal
 * separator is ',' the results are the same and "1,5" is still refused. */
static void check_in_locale(const char *name)
{
    const char *old = setlocale(LC_NUMERIC, NULL);
    char saved[64];
    llmroof__strlcpy(saved, old ? old : "C", sizeof saved);
    if (!setlocale(LC_NUMERIC, name))
        return; /* not installed here */
    ck_assert(num_ok("0.75") == 0.75);
    ck_assert(num_ok("8.03e9") == 8.03e9);
    ck_assert(qty_ok("1008 GB/s", LLMROOF__UNIT_BANDWIDTH) == 1.008e12);
    ck_assert(qty_ok("10 us", LLMROOF__UNIT_TIME) == 1e-5);
    ck_assert_uint_eq(bytes_ok("0.5 GiB"), UINT64_C(536870912));
    reject(num_st, "0,75", LLMROOF_E_SCHEMA);
    reject(bytes_st, "1,5 GiB", LLMROOF_E_UNIT);
    setlocale(LC_NUMERIC, saved);
}

START_TEST(test_locale_independent)
{
    static const char *const locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
                                          "ru_RU.UTF-8", "C.UTF-8",    "C.utf8"};
    for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++)
        check_in_locale(locales[i]);
    /* Always runs, whatever is installed. */
    ck_assert(num_ok("0.75") == 0.75);
}
END_TEST

/* The parser's remaining edges (docs/reliability.md: numeric code aimed at
 * full coverage): overlong and over-precise numbers, the slow path with a
 * negative exponent, underflow, a unit that overflows, NULL arguments. */
START_TEST(test_number_edges)
{
    double v = 0;
    const char *why = NULL;
    /* 41 significant digits: one more than MAX_DIGITS (40). */
    ck_assert_int_eq(llmroof__parse_number("12345678901234567890123456789012345678901", &v, &why),
                     LLMROOF_E_RANGE);
    ck_assert_ptr_nonnull(strstr(why, "significant digits"));
    /* 40 are read exactly. */
    ck_assert_double_eq(num_ok("1234567890123456789012345678901234567890"),
                        1234567890123456789012345678901234567890.0);
    /* Zeros count against the length limit (4 x 100000 digits) only. */
    size_t n = 400002;
    char *t = malloc(n + 1);
    ck_assert_ptr_nonnull(t);
    memset(t, '0', n);
    t[n] = '\0';
    ck_assert_int_eq(llmroof__parse_number(t, &v, &why), LLMROOF_E_RANGE);
    ck_assert_ptr_nonnull(strstr(why, "too long"));
    free(t);
    /* Beyond the fast path, negative exponent: correctly rounded as strtod. */
    ck_assert_double_eq(num_ok("1e-30"), 1e-30);
    ck_assert_double_eq(num_ok("1.2345678901234567e-5"), 1.2345678901234567e-5);
    ck_assert_int_eq(llmroof__parse_number("1e-400", &v, &why), LLMROOF_E_RANGE);
    ck_assert_ptr_nonnull(strstr(why, "underflows"));
    /* Finite as a number, infinite once the unit's power of two applies. */
    ck_assert_int_eq(llmroof__parse_quantity("1e308 GiB/s", LLMROOF__UNIT_BANDWIDTH, &v, &why),
                     LLMROOF_E_RANGE);
    ck_assert_ptr_nonnull(strstr(why, "too large"));
    /* NULL arguments, with and without a place for the reason. */
    uint64_t b = 0;
    ck_assert_int_eq(llmroof__parse_number(NULL, &v, &why), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof__parse_number("1", NULL, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof__parse_quantity(NULL, LLMROOF__UNIT_TIME, &v, NULL),
                     LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof__parse_bytes(NULL, &b, &why), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof__parse_bytes("1 B", NULL, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof__parse_bytes("1 KiB", &b, NULL), LLMROOF_OK);
    ck_assert_uint_eq(b, 1024);
}
END_TEST

START_TEST(test_edit_distance)
{
    ck_assert_uint_eq(llmroof__edit_distance("bandwith", "bandwidth"), 1);
    ck_assert_uint_eq(llmroof__edit_distance("memroy", "memory"), 1);
    ck_assert_uint_eq(llmroof__edit_distance("", "abc"), 3);
    ck_assert_uint_eq(llmroof__edit_distance("kind", "kind"), 0);
    ck_assert_uint_eq(llmroof__edit_distance("gpx", "gpu"), 1);
}
END_TEST

static Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_bytes_exact);
    tcase_add_test(tc, test_bytes_rejects);
    tcase_add_test(tc, test_quantities);
    tcase_add_test(tc, test_quantity_rejects);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_locale_independent);
    tcase_add_test(tc, test_edit_distance);
    tcase_add_test(tc, test_number_edges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(units_suite());
    srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY from the environment */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
