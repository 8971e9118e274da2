/* Strict, locale-independent parsing of numbers and quantities with units.
 *
 * The decimal text is lexed here, by hand, into significant digits and a
 * power of ten.  Byte counts are then computed exactly in 64-bit integers
 * ("0.5 GiB" is 536870912, not a rounded double).  Floating-point values
 * of up to 15 digits and a power of ten within 10^22 are one exact IEEE
 * operation (correctly rounded, as strtod would); others are converted by
 * strtod() from a canonical "DIGITSeEXP" string that holds
 * no decimal point, so LC_NUMERIC cannot change the result, and glibc's
 * strtod rounds correctly ("1008 GB/s" becomes the double nearest 1.008e12,
 * the unit's power of ten folded into the exponent before rounding). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* More significant digits than this never change a double and only serve to
 * make hostile input expensive. */
#define MAX_DIGITS 40
/* Exponents are saturated here while lexing: anything beyond overflows or
 * underflows every representation anyway. */
#define EXP_CLAMP 100000L

typedef struct decimal {
    char digits[MAX_DIGITS + 1]; /* significant digits, no leading/trailing zeros */
    int ndigits;                 /* 0: the value is zero */
    long exp10;                  /* value = digits * 10^exp10 */
    const char *rest;            /* first character after the number */
} decimal;

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static int starts_with_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (lower(*s) != *prefix)
            return 0;
    return 1;
}

static long clamp_add(long a, long b)
{
    long r = a + b; /* operands stay within +-11*EXP_CLAMP: no overflow */
    if (r > EXP_CLAMP)
        return EXP_CLAMP;
    if (r < -EXP_CLAMP)
        return -EXP_CLAMP;
    return r;
}

/* Lexes a decimal number at the start of text: digits, optional '.' and
 * digits, optional exponent.  Leaves d->rest at the first unused character. */
static llmroof_status lex_decimal(const char *text, decimal *d, const char **why)
{
    const char *p = text;
    memset(d, 0, sizeof *d);
    if (*p == '-') {
        *why = "negative values are not allowed";
        return LLMROOF_E_RANGE;
    }
    if (*p == '+') {
        *why = "a sign is not allowed before a number";
        return LLMROOF_E_SCHEMA;
    }
    if (starts_with_ci(p, "nan")) {
        *why = "NaN is not a number";
        return LLMROOF_E_RANGE;
    }
    if (starts_with_ci(p, "inf")) {
        *why = "infinite values are not allowed";
        return LLMROOF_E_RANGE;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        *why = "hexadecimal numbers are not allowed";
        return LLMROOF_E_SCHEMA;
    }
    if (!is_digit(*p)) {
        *why = *p == '\0' ? "empty value: expected a number" : "expected a decimal number";
        return LLMROOF_E_SCHEMA;
    }

    long pending_zeros = 0; /* zeros seen after the last non-zero digit */
    long frac_digits = 0;   /* digits after the point, significant or not */
    int seen_nonzero = 0;
    int in_fraction = 0;
    for (;; p++) {
        if (*p == '.' && !in_fraction) {
            if (!is_digit(p[1])) {
                *why = "expected a digit after the decimal point";
                return LLMROOF_E_SCHEMA;
            }
            in_fraction = 1;
            continue;
        }
        if (!is_digit(*p))
            break;
        if (p - text > 4 * EXP_CLAMP) {
            *why = "number too long";
            return LLMROOF_E_RANGE;
        }
        if (in_fraction)
            frac_digits++;
        if (*p == '0') {
            if (seen_nonzero)
                pending_zeros++;
            continue;
        }
        seen_nonzero = 1;
        if (d->ndigits + pending_zeros + 1 > MAX_DIGITS) {
            *why = "too many significant digits";
            return LLMROOF_E_RANGE;
        }
        for (; pending_zeros > 0; pending_zeros--)
            d->digits[d->ndigits++] = '0';
        d->digits[d->ndigits++] = *p;
    }
    d->digits[d->ndigits] = '\0';

    long exp = 0;
    if ((*p == 'e' || *p == 'E') &&
        (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
        int negative = 0;
        p++;
        if (*p == '+' || *p == '-')
            negative = *p++ == '-';
        for (; is_digit(*p); p++)
            if (exp < EXP_CLAMP)
                exp = exp * 10 + (*p - '0');
        if (negative)
            exp = -exp;
    }
    d->exp10 = clamp_add(clamp_add(exp, pending_zeros), -frac_digits);
    d->rest = p;
    return LLMROOF_OK;
}

/* digits * 10^(exp10 + extra_exp10) as a double, correctly rounded. */
static llmroof_status decimal_to_double(const decimal *d, long extra_exp10, double *out,
                                        const char **why)
{
    if (d->ndigits == 0) {
        *out = 0.0;
        return LLMROOF_OK;
    }
    const long e10 = clamp_add(d->exp10, extra_exp10);
    /* Fast path (Clinger): at most 15 digits are an exact double below
     * 2^53 and 10^0..10^22 are exact doubles, so one IEEE multiplication or
     * division is the correctly rounded result, the one strtod gives. */
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (d->ndigits <= 15 && e10 >= -22 && e10 <= 22) {
        uint64_t m = 0;
        for (int i = 0; i < d->ndigits; i++)
            m = m * 10 + (uint64_t)(d->digits[i] - '0');
        *out = e10 >= 0 ? (double)m * pow10[e10] : (double)m / pow10[-e10];
        return LLMROOF_OK;
    }
    /* "DIGITSeEXP", built by hand (no printf: locale-free and cheap). */
    char buf[MAX_DIGITS + 32];
    memcpy(buf, d->digits, (size_t)d->ndigits);
    size_t n = (size_t)d->ndigits;
    buf[n++] = 'e';
    long e = e10;
    if (e < 0) {
        buf[n++] = '-';
        e = -e;
    }
    char rev[24];
    int nr = 0;
    do {
        rev[nr++] = (char)('0' + e % 10);
        e /= 10;
    } while (e > 0);
    while (nr > 0)
        buf[n++] = rev[--nr];
    buf[n] = '\0';
    char *end = NULL;
    double v = strtod(buf, &end);
    if (!end || *end != '\0') { /* cannot happen: the text is digits and an exponent */
        *why = "not a number";
        return LLMROOF_E_SCHEMA;
    }
    if (!isfinite(v)) {
        *why = "number too large";
        return LLMROOF_E_RANGE;
    }
    if (v == 0.0) {
        *why = "number too small (underflows to zero)";
        return LLMROOF_E_RANGE;
    }
    *out = v;
    return LLMROOF_OK;
}

llmroof_status llmroof__parse_number(const char *text, double *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!text || !out) {
        *why = "missing argument";
        return LLMROOF_E_INVALID_ARGUMENT;
    }
    decimal d;
    llmroof_status st = lex_decimal(text, &d, why);
    if (st != LLMROOF_OK)
        return st;
    if (*d.rest != '\0') {
        *why = "unexpected characters after the number (this field takes a plain number)";
        return LLMROOF_E_SCHEMA;
    }
    return decimal_to_double(&d, 0, out, why);
}

typedef struct unit {
    const char *name;
    llmroof__unit_kind kind;
    int exp10; /* decimal multiplier */
    int exp2;  /* binary multiplier */
} unit;

static const unit units[] = {
    {"B", LLMROOF__UNIT_BYTES, 0, 0},
    {"KB", LLMROOF__UNIT_BYTES, 3, 0},
    {"MB", LLMROOF__UNIT_BYTES, 6, 0},
    {"GB", LLMROOF__UNIT_BYTES, 9, 0},
    {"TB", LLMROOF__UNIT_BYTES, 12, 0},
    {"KiB", LLMROOF__UNIT_BYTES, 0, 10},
    {"MiB", LLMROOF__UNIT_BYTES, 0, 20},
    {"GiB", LLMROOF__UNIT_BYTES, 0, 30},
    {"TiB", LLMROOF__UNIT_BYTES, 0, 40},
    {"MB/s", LLMROOF__UNIT_BANDWIDTH, 6, 0},
    {"GB/s", LLMROOF__UNIT_BANDWIDTH, 9, 0},
    {"TB/s", LLMROOF__UNIT_BANDWIDTH, 12, 0},
    {"MiB/s", LLMROOF__UNIT_BANDWIDTH, 0, 20},
    {"GiB/s", LLMROOF__UNIT_BANDWIDTH, 0, 30},
    {"GFLOPS", LLMROOF__UNIT_COMPUTE, 9, 0},
    {"TFLOPS", LLMROOF__UNIT_COMPUTE, 12, 0},
    {"PFLOPS", LLMROOF__UNIT_COMPUTE, 15, 0},
    {"TOPS", LLMROOF__UNIT_COMPUTE, 12, 0},
    {"ns", LLMROOF__UNIT_TIME, -9, 0},
    {"us", LLMROOF__UNIT_TIME, -6, 0},
    {"ms", LLMROOF__UNIT_TIME, -3, 0},
    {"s", LLMROOF__UNIT_TIME, 0, 0},
    {"W", LLMROOF__UNIT_POWER, 0, 0},
    {"USD", LLMROOF__UNIT_MONEY, 0, 0},
};

static const char *const unit_lists[] = {
    [LLMROOF__UNIT_BYTES] = "expected a unit: B, KB, MB, GB, TB, KiB, MiB, GiB or TiB",
    [LLMROOF__UNIT_BANDWIDTH] = "expected a unit: MB/s, GB/s, TB/s, MiB/s or GiB/s",
    [LLMROOF__UNIT_COMPUTE] = "expected a unit: GFLOPS, TFLOPS, PFLOPS or TOPS",
    [LLMROOF__UNIT_TIME] = "expected a unit: ns, us, ms or s",
    [LLMROOF__UNIT_POWER] = "expected a unit: W",
    [LLMROOF__UNIT_MONEY] = "expected a unit: USD",
};

/* Lexes "NUMBER[ ]UNIT" and finds the unit. */
static llmroof_status lex_quantity(const char *text, llmroof__unit_kind kind, decimal *d,
                                   const unit **u, const char **why)
{
    if ((int)kind < 0 || (size_t)kind >= sizeof unit_lists / sizeof unit_lists[0]) {
        *why = "unknown unit kind";
        return LLMROOF_E_INVALID_ARGUMENT;
    }
    llmroof_status st = lex_decimal(text, d, why);
    if (st != LLMROOF_OK)
        return st;
    const char *s = d->rest;
    if (*s == ' ')
        s++;
    if (*s == '\0') {
        *why = unit_lists[kind];
        return LLMROOF_E_UNIT;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (units[i].kind == kind && strcmp(units[i].name, s) == 0) {
            *u = &units[i];
            return LLMROOF_OK;
        }
    }
    *why = unit_lists[kind];
    return LLMROOF_E_UNIT;
}

llmroof_status llmroof__parse_quantity(const char *text, llmroof__unit_kind kind, double *out,
                                       const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!text || !out) {
        *why = "missing argument";
        return LLMROOF_E_INVALID_ARGUMENT;
    }
    decimal d;
    const unit *u = NULL;
    llmroof_status st = lex_quantity(text, kind, &d, &u, why);
    if (st != LLMROOF_OK)
        return st;
    double v;
    st = decimal_to_double(&d, u->exp10, &v, why);
    if (st != LLMROOF_OK)
        return st;
    v = ldexp(v, u->exp2); /* exact: a power of two */
    if (!isfinite(v)) {
        *why = "number too large";
        return LLMROOF_E_RANGE;
    }
    *out = v;
    return LLMROOF_OK;
}

/* 5^n for n <= 27 (5^27 < 2^64 < 5^28). */
static uint64_t pow5(int n)
{
    uint64_t r = 1;
    while (n-- > 0)
        r *= 5;
    return r;
}

static int ctz64(uint64_t v)
{
    int n = 0;
    while (v && !(v & 1u)) {
        v >>= 1;
        n++;
    }
    return n;
}

llmroof_status llmroof__parse_bytes(const char *text, uint64_t *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!text || !out) {
        *why = "missing argument";
        return LLMROOF_E_INVALID_ARGUMENT;
    }
    decimal d;
    const unit *u = NULL;
    llmroof_status st = lex_quantity(text, LLMROOF__UNIT_BYTES, &d, &u, why);
    if (st != LLMROOF_OK)
        return st;
    if (d.ndigits == 0) {
        *out = 0;
        return LLMROOF_OK;
    }
    uint64_t m = 0;
    for (int i = 0; i < d.ndigits; i++) {
        uint64_t digit = (uint64_t)(d.digits[i] - '0');
        if (m > (UINT64_MAX - digit) / 10) {
            *why = "byte count overflows 64 bits";
            return LLMROOF_E_RANGE;
        }
        m = m * 10 + digit;
    }
    long e = clamp_add(d.exp10, u->exp10);
    int b = u->exp2;

    if (e >= 0) {
        for (; e > 0; e--) {
            if (m > UINT64_MAX / 10) {
                *why = "byte count overflows 64 bits";
                return LLMROOF_E_RANGE;
            }
            m *= 10;
        }
    } else {
        /* m * 2^b / (2^n * 5^n) must be a whole number. */
        long n = -e;
        if (n > 27 || m % pow5((int)n) != 0) {
            *why = "not a whole number of bytes";
            return LLMROOF_E_RANGE;
        }
        m /= pow5((int)n);
        if (ctz64(m) + b < n) {
            *why = "not a whole number of bytes";
            return LLMROOF_E_RANGE;
        }
        if (b >= n) {
            b -= (int)n;
        } else {
            m >>= (n - b);
            b = 0;
        }
    }
    if (b > 0 && m > (UINT64_MAX >> b)) {
        *why = "byte count overflows 64 bits";
        return LLMROOF_E_RANGE;
    }
    *out = m << b;
    return LLMROOF_OK;
}
