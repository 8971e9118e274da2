/* The one place the library allocates.  Kept separate so that a test build
 * can count and fail allocations (allocation-failure injection,
 * tests/check_alloc.c, docs/reliability.md).
 *
 * Built with -DLLMROOF_ALLOC_TESTING (the test-only static library
 * `llmroof_alloctest`, never the installed one) every call is counted, the
 * live allocations are tracked, and call number `fail_at` fails — once, or
 * that call and every later one.  The counters are plain globals: the
 * testing build is for single-threaded tests only. */
#include <stdlib.h>

#include "internal.h"

#ifdef LLMROOF_ALLOC_TESTING
static uint64_t calls, fail_at;
static int fail_on;
static int64_t live;

void llmroof__alloc_test_arm(uint64_t at, int persist)
{
    calls = 0;
    fail_at = at;
    fail_on = persist;
}

uint64_t llmroof__alloc_test_calls(void) { return calls; }
int64_t llmroof__alloc_test_live(void) { return live; }

/* Whether this call fails. */
static int fails(void)
{
    calls++;
    return fail_at != 0 && (calls == fail_at || (fail_on && calls > fail_at));
}
#define FAILS() fails()
#define LIVE(d) (live += (d))
#else
#define FAILS() 0
#define LIVE(d) ((void)0)
#endif

void *llmroof__malloc(size_t n)
{
    void *p = FAILS() ? NULL : malloc(n ? n : 1);
    if (p)
        LIVE(1);
    return p;
}

void *llmroof__calloc(size_t count, size_t n)
{
    void *p = FAILS() ? NULL : calloc(count ? count : 1, n ? n : 1);
    if (p)
        LIVE(1);
    return p;
}

void *llmroof__realloc(void *p, size_t n)
{
    void *q = FAILS() ? NULL : realloc(p, n ? n : 1);
    if (q && !p)
        LIVE(1);
    return q;
}

void llmroof__free(void *p)
{
    if (p)
        LIVE(-1);
    free(p);
}
