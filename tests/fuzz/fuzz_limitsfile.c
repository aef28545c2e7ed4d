/* fuzz_limitsfile.c: fuzz target of the limits file (lib/limitsfile.c),
 * the one parser and renderer that the listener, mailctld and mailctl
 * share: a file is taken whole or refused with a line and a reason; what
 * is taken is in each key's range and applies over the command line's
 * limits; and the round trip holds: the rendered file parses back to the
 * same values, and renders again to the same bytes.
 * Input: the file's bytes. */
#include <stdlib.h>
#include <string.h>

#include "daemons/tcpserver/limits.h"
#include "lib/limitsfile.h"
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
	const struct limit_def *d;
	char why[96];
	int k;

	memset(&cmdline, 0, sizeof(cmdline));
	for (k = 0; k < LIMIT_KEYS; k++) {
		cmdline.n[k] = 7;
		if (!lf->set[k])
			continue;
		d = limits_def(k);
		fuzz_check(lf->set[k] == 1, "set is a flag");
		fuzz_check(lf->n[k] >= d->min && lf->n[k] <= d->max, "value in range");
		fuzz_check(limits_value_check(k, lf->n[k], why, sizeof(why)) == 0,
		    "what the file takes the check takes");
	}
	limits_apply_file(&cmdline, lf, &out);
	for (k = 0; k < LIMIT_KEYS; k++) {
		fuzz_check(out.n[k] == (lf->set[k] ? lf->n[k] : 7), "applied value");
		fuzz_check(out.from[k] == (lf->set[k] ? LIMIT_FROM_FILE :
		    LIMIT_FROM_CMDLINE), "applied origin");
	}
}

/* Render, parse back, render again: same values, same bytes. */
static void
limitsfile_fuzz_round_trip(const struct limits_file *lf)
{
	struct strbuf one = STRBUF_ZERO, two = STRBUF_ZERO;
	struct limitsfile_error e;
	struct limits_file back;

	fuzz_check(limitsfile_render(lf, "fuzz", &one) == 0, "render");
	fuzz_check(limitsfile_parse(one.s, one.len, &back, &e) == 0,
	    "what is written reads back");
	fuzz_check(memcmp(lf, &back, sizeof(back)) == 0,
	    "the values survive the round trip");
	fuzz_check(limitsfile_render(&back, "fuzz", &two) == 0, "render again");
	fuzz_check(one.len == two.len && memcmp(one.s, two.s, one.len) == 0,
	    "rendering is stable");
	strbuf_free(&one);
	strbuf_free(&two);
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
		limitsfile_fuzz_round_trip(&lf);
		return 0;
	}
	fuzz_check(e.reason[0] != '\0', "a refusal says why");
	fuzz_check(e.line >= 1 && e.line <= limitsfile_fuzz_lines(s, size),
	    "the refused line is in the file");
	return 0;
}
