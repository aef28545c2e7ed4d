/* replay_test.c: make check runs every file of a fuzz target's corpus
 * (the seeds and the regression inputs of crashes found) through the
 * target's harness, built with the ordinary compiler. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"

#pragma weak LLVMFuzzerInitialize

static char *
replay_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	cr_assert_not_null(f, "unable to open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	/* One byte more so that an empty file still gets a buffer. */
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n, "short read of %s", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Each input is copied to a buffer of exactly its size, as libFuzzer
 * does, so that ASan builds (make check-asan) see a read past the end. */
static void
replay_one(const char *path)
{
	size_t len;
	char *buf = replay_read(path, &len);
	uint8_t *exact = malloc(len > 0 ? len : 1);

	cr_assert_not_null(exact);
	memcpy(exact, buf, len);
	free(buf);
	cr_assert_eq(LLVMFuzzerTestOneInput(exact, len), 0, "%s", path);
	free(exact);
}

Test(fuzz_corpus, every_input_runs_clean, .timeout = 120)
{
	const char *top = getenv("MAILSTACK_TOP");
	char dir[4096], path[4400];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/%s", top != NULL ? top : ".",
	    fuzz_corpus);
	if (LLVMFuzzerInitialize != NULL) {
		int argc = 1;
		char *args[] = { "replay", NULL }, **argv = args;

		cr_assert_eq(LLVMFuzzerInitialize(&argc, &argv), 0);
	}
	d = opendir(dir);
	cr_assert_not_null(d, "no corpus folder %s", dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		replay_one(path);
		n++;
	}
	closedir(d);
	/* A corpus that went missing would pass unseen otherwise. */
	cr_assert_geq(n, 3, "only %zu inputs in %s", n, dir);
}
