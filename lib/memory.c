/* stub: replaced by its owner */
#include "internal.h"
typedef int llmroof__stub_memory;
