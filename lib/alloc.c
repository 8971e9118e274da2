/* The one place the library allocates.  Kept separate so that a test build
 * can count and fail allocations (allocation-failure injection). */
#include <stdlib.h>

#include "internal.h"

void *llmroof__malloc(size_t n) { return malloc(n ? n : 1); }
void *llmroof__calloc(size_t count, size_t n) { return calloc(count ? count : 1, n ? n : 1); }
void *llmroof__realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void llmroof__free(void *p) { free(p); }
