/* fuzz_limitsfile.c: fuzz target of the listener's limits file parser: a
 * file is taken whole or refused with a line and a reason, and what is
 * taken is in range and applies over the command line's limits. Input:
 * the file's bytes. */
#include <string.h>

#include "daemons/tcpserver/limitsfile.h"
#include "tests/fuzz/fuzz.h"

const char fuzz_corpus[] = "limitsfile";

static size_t
limitsfile_fuzz_lines(const char *s, size_t n)
{
	size_t i, lines = 1;

	for (i = 0; i < n; i++)
		if (s[i] == '\n')
			lines++;
	return lines;
}

static void
limitsfile_fuzz_taken(const struct limits_file *lf)
{
	struct limits_now cmdline, out;
	int k;

	memset(&cmdline, 0, sizeof(cmdline));
	for (k = 0; k < LIMIT_KEYS; k++) {
		cmdline.n[k] = 7;
		if (!lf->set[k])
			continue;
		fuzz_check(lf->set[k] == 1, "set is a flag");
		fuzz_check(lf->n[k] <= LIMITSFILE_MAX_VALUE, "value in range");
	}
	if (lf->set[LIMIT_MAX_CONNECTIONS])
		fuzz_check(lf->n[LIMIT_MAX_CONNECTIONS] >= 1, "max_connections >= 1");
	limitsfile_apply(&cmdline, lf, &out);
	for (k = 0; k < LIMIT_KEYS; k++) {
		fuzz_check(out.n[k] == (lf->set[k] ? lf->n[k] : 7), "applied value");
		fuzz_check(out.from[k] == (lf->set[k] ? LIMIT_FROM_FILE :
		    LIMIT_FROM_CMDLINE), "applied origin");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct limitsfile_error e;
	struct limits_file lf;

	memset(&e, 0, sizeof(e));
	if (limitsfile_parse(s, size, &lf, &e) == 0) {
		limitsfile_fuzz_taken(&lf);
		return 0;
	}
	fuzz_check(e.reason != NULL && e.reason[0] != '\0', "a refusal says why");
	/* A file too big is refused as a whole (line 0); else a line of it. */
	if (size <= LIMITSFILE_MAX_SIZE)
		fuzz_check(e.line >= 1 && e.line <= limitsfile_fuzz_lines(s, size),
		    "the refused line is in the file");
	return 0;
}
