/* fuzz.h: what every fuzz target defines, so that one harness builds for
 * libFuzzer, for AFL++ and for the Criterion corpus replay in make check. */
#ifndef MAILSTACK_TESTS_FUZZ_H
#define MAILSTACK_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The folder of the target's seeds under tests/fuzz/ ("rules"). */
extern const char fuzz_corpus[];

/* Runs one input. Returns 0; a broken invariant aborts (fuzz_check). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Once per process before the first input; targets without state leave
 * it out (the drivers call it only when it is linked in). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Aborts with what and where when cond is false: a broken invariant is a
 * finding like a crash, and every driver reports an abort as one. */
#define fuzz_check(cond, what) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, (what)))
void fuzz_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));

#endif
