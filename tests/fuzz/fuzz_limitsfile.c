/* fuzz_limitsfile.c: fuzz target of the limits file: the listener's
 * parser takes a file whole or refuses it with a line and a reason, what
 * it takes is in range and applies over the command line's limits; and
 * mailctld's parser (web/limitsfile.c), which reads and writes the same
 * file, agrees with it, and what mailctld writes the listener reads back.
 * Input: the file's bytes. */
#include <stdlib.h>
#include <string.h>

#include "daemons/tcpserver/limitsfile.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/web_limits.h"

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

/* The listener's view of a file as mailctld's: -1 for a key not set. */
static void
limitsfile_fuzz_values(const struct limits_file *lf, long v[3])
{
	int k;

	for (k = 0; k < LIMIT_KEYS; k++)
		v[k] = lf->set[k] ? (long)lf->n[k] : -1;
}

/* Both parsers take the same files with the same values, and the file
 * mailctld writes for them reads back the same in the listener. */
static void
limitsfile_fuzz_web(const char *s, size_t size, int listener_ok,
    const struct limits_file *lf)
{
	struct limits_file back;
	struct limitsfile_error e;
	long lv[3], wv[3], bv[3];
	int web_ok = fuzz_web_limits_parse(s, size, wv) == 0;
	size_t outlen;
	char *out;

	fuzz_check(web_ok == listener_ok, "mailctld and the listener agree on a file");
	if (!listener_ok)
		return;
	limitsfile_fuzz_values(lf, lv);
	fuzz_check(memcmp(lv, wv, sizeof(lv)) == 0, "both read the same values");
	fuzz_check(fuzz_web_limits_render(wv, &out, &outlen) == 0, "render");
	fuzz_check(limitsfile_parse(out, outlen, &back, &e) == 0,
	    "the listener reads what mailctld writes");
	limitsfile_fuzz_values(&back, bv);
	fuzz_check(memcmp(lv, bv, sizeof(lv)) == 0, "the values survive the round trip");
	free(out);
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
		limitsfile_fuzz_web(s, size, 1, &lf);
		return 0;
	}
	limitsfile_fuzz_web(s, size, 0, &lf);
	fuzz_check(e.reason != NULL && e.reason[0] != '\0', "a refusal says why");
	/* A file too big is refused as a whole (line 0); else a line of it. */
	if (size <= LIMITSFILE_MAX_SIZE)
		fuzz_check(e.line >= 1 && e.line <= limitsfile_fuzz_lines(s, size),
		    "the refused line is in the file");
	return 0;
}
