#include <stdio.h>
#include "llmroof/llmroof.h"
int main(void) { printf("%s\n", llmroof_version()); return 0; }
