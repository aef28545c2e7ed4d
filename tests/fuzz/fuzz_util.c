/* fuzz_util.c: the helpers every fuzz target links. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}
