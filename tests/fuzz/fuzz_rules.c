/* fuzz_rules.c: fuzz target of the rules library: parse, render (byte for
 * byte), diagnostics, both compilers (whole file and streamed: the same
 * cdb), lookups in what they wrote, and an edit surviving a round trip.
 * Input: one flags byte (bit 0 cidr4, bit 1 strict, the rest the stream's
 * chunk size), then the rules text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ip.h"
#include "rules/rules_compile.h"
#include "rules/rules_file.h"
#include "rules/rules_lookup.h"
#include "strbuf.h"
#include "tests/fuzz/fuzz.h"

const char fuzz_corpus[] = "rules";

/* Lookups tried per input: enough to reach the lookup code, few enough
 * to keep inputs fast. */
#define LOOKUPS_MAX 8

/* Every record as "KEYLEN:KEY DATALEN:DATA", to compare two walks. */
static int
rules_fuzz_put(void *arg, size_t lineno, const char *key, size_t keylen,
    const char *data, size_t datalen)
{
	struct strbuf *sb = arg;

	(void)lineno;
	if (strbuf_printf(sb, "%zu:", keylen) < 0 ||
	    strbuf_append(sb, key, keylen) < 0 ||
	    strbuf_printf(sb, " %zu:", datalen) < 0 ||
	    strbuf_append(sb, data, datalen) < 0)
		return -1;
	return 0;
}

static void
rules_fuzz_records(const struct rules_file *rf, struct strbuf *sb)
{
	fuzz_check(rules_file_records(rf, rules_fuzz_put, sb) == 0, "records walk");
}

static void
rules_fuzz_diags(const struct rules_file *rf)
{
	char *out;
	size_t i, len;

	for (i = 0; i < rf->ndiags; i++) {
		fuzz_check(rf->diags[i].line >= 1, "diagnostic line number");
		fuzz_check(rules_diag_format(rf, &rf->diags[i], "fuzz", &out,
		    &len) == 0, "diagnostic format");
		fuzz_check(len > 0 && out[len - 1] == '\n', "diagnostic ends a line");
		free(out);
	}
}

/* The whole contents of fd (a memfd). */
static char *
rules_fuzz_slurp(int fd, size_t *len)
{
	struct stat st;
	char *buf;

	fuzz_check(fstat(fd, &st) == 0, "fstat memfd");
	buf = malloc((size_t)st.st_size + 1);
	fuzz_check(buf != NULL, "memory");
	fuzz_check(pread(fd, buf, (size_t)st.st_size, 0) == st.st_size, "read memfd");
	*len = (size_t)st.st_size;
	return buf;
}

/* Streams the text in chunks of chunk bytes into fd (-1: check only). */
static void
rules_fuzz_stream(const char *text, size_t len, const struct rules_opts *o,
    size_t chunk, int fd, const struct rules_file *whole)
{
	struct rules_stream s;
	size_t off, n;

	fuzz_check(rules_stream_start(&s, o, fd) == 0, "stream start");
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		fuzz_check(rules_stream_feed(&s, text + off, n) == 0, "stream feed");
	}
	fuzz_check(rules_stream_finish(&s) == 0, "stream finish");
	fuzz_check(s.rf.nerrors == whole->nerrors, "stream and parse agree on errors");
	fuzz_check(s.rf.nwarnings == whole->nwarnings,
	    "stream and parse agree on warnings");
	rules_stream_free(&s);
}

struct rules_fuzz_probe {
	struct rules_db *db;
	struct strbuf firsts;	/* keys seen, NUL-separated */
	size_t tries;
};

/* A key that parses as an address is its own first candidate, so the
 * lookup must return the first record stored under it. */
static int
rules_fuzz_lookup(void *arg, size_t lineno, const char *key, size_t keylen,
    const char *data, size_t datalen)
{
	struct rules_fuzz_probe *p = arg;
	struct rules_match m;
	struct ip_addr ip;
	char ipbuf[64];
	int r;

	(void)lineno;
	if (p->tries >= LOOKUPS_MAX || keylen == 0 || keylen >= sizeof(ipbuf) ||
	    memchr(key, '\0', keylen) != NULL)
		return 0;
	memcpy(ipbuf, key, keylen);
	ipbuf[keylen] = '\0';
	if (ip_parse(ipbuf, &ip) != 0)
		return 0;
	/* Later records under the same key are shadowed. */
	if (p->firsts.s != NULL && memmem(p->firsts.s, p->firsts.len, ipbuf,
	    keylen + 1) != NULL)
		return 0;
	fuzz_check(strbuf_append(&p->firsts, ipbuf, keylen + 1) == 0, "memory");
	p->tries++;
	r = rules_db_lookup(p->db, ipbuf, NULL, NULL, &m);
	fuzz_check(r == 1, "an address key is found");
	fuzz_check(m.keylen == keylen && memcmp(m.key, key, keylen) == 0,
	    "the address key itself matches");
	fuzz_check(m.datalen == datalen && memcmp(m.data, data, datalen) == 0,
	    "the first record's data");
	r = rules_db_lookup_ip(p->db, ipbuf, &m);
	fuzz_check(r == 1 && m.keylen == keylen, "lookup_ip finds it too");
	return 0;
}

static void
rules_fuzz_probe(const struct rules_file *rf, int fd)
{
	struct rules_fuzz_probe p;
	struct rules_match m;
	char path[64];

	memset(&p, 0, sizeof(p));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fuzz_check(rules_db_open(&p.db, path) == 0, "the cdb opens");
	fuzz_check(rules_file_records(rf, rules_fuzz_lookup, &p) == 0, "probe walk");
	fuzz_check(rules_db_lookup(p.db, "10.1.2.3", "mx.example.org", "user",
	    &m) >= 0, "full lookup");
	fuzz_check(rules_db_lookup_ip(p.db, "2001:db8::1", &m) >= 0, "v6 lookup");
	strbuf_free(&p.firsts);
	rules_db_close(&p.db);
}

/* Both compilers write the same bytes, and the lookups find the records. */
static void
rules_fuzz_compile(const struct rules_file *rf, const char *text, size_t len,
    size_t chunk)
{
	int a = memfd_create("whole", MFD_CLOEXEC);
	int b = memfd_create("stream", MFD_CLOEXEC);
	char *ca, *cb;
	size_t la, lb;

	fuzz_check(a >= 0 && b >= 0, "memfd_create");
	fuzz_check(rules_compile_fd(rf, a) == 0, "compile");
	rules_fuzz_stream(text, len, &rf->opts, chunk, b, rf);
	ca = rules_fuzz_slurp(a, &la);
	cb = rules_fuzz_slurp(b, &lb);
	fuzz_check(la == lb && memcmp(ca, cb, la) == 0,
	    "whole and streamed compile write the same cdb");
	free(ca);
	free(cb);
	rules_fuzz_probe(rf, a);
	close(a);
	close(b);
}

/* Inserts the last line again at a spot chosen by the input; an accepted
 * edit renders to text that parses back to the same records. */
static void
rules_fuzz_edit(struct rules_file *rf, size_t where)
{
	struct strbuf before = STRBUF_ZERO, after = STRBUF_ZERO;
	struct rules_file again;
	const struct rules_line *last;
	char *text, *out;
	size_t idx, outlen;

	if (rf->nlines == 0)
		return;
	last = &rf->lines[rf->nlines - 1];
	text = malloc(last->len + 1);
	fuzz_check(text != NULL, "memory");
	memcpy(text, last->text, last->len);
	idx = where % (rf->nlines + 1);
	if (rules_file_insert_line(rf, idx, text, last->len) == 0) {
		rules_fuzz_records(rf, &before);
		fuzz_check(rules_file_render(rf, &out, &outlen) == 0, "render");
		fuzz_check(rules_file_parse(&again, out, outlen, &rf->opts) == 0,
		    "parse the edited file");
		fuzz_check(again.nerrors == rf->nerrors, "an edit adds no error");
		rules_fuzz_records(&again, &after);
		fuzz_check(before.len == after.len && (before.len == 0 ||
		    memcmp(before.s, after.s, before.len) == 0),
		    "the edited file's records survive render and parse");
		rules_file_free(&again);
		free(out);
	} else
		fuzz_check(errno == EINVAL || errno == ENOMEM, "edit refusal reason");
	free(text);
	strbuf_free(&before);
	strbuf_free(&after);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_file rf;
	struct rules_opts o;
	const char *text = (const char *)data + 1;
	size_t len, outlen, chunk;
	char *out;

	if (size < 1)
		return 0;
	len = size - 1;
	o.cidr4 = data[0] & 1;
	o.strict = (data[0] >> 1) & 1;
	chunk = (size_t)(data[0] >> 2) + 1;
	if (rules_file_parse(&rf, text, len, &o) < 0) {
		fuzz_check(errno == ENOMEM || errno == EFBIG, "parse failure reason");
		return 0;
	}
	fuzz_check(rules_file_render(&rf, &out, &outlen) == 0, "render");
	fuzz_check(outlen == len && memcmp(out, text, len) == 0,
	    "render gives back the input byte for byte");
	free(out);
	rules_fuzz_diags(&rf);
	if (rf.nerrors == 0)
		rules_fuzz_compile(&rf, text, len, chunk);
	else
		rules_fuzz_stream(text, len, &o, chunk, -1, &rf);
	rules_fuzz_edit(&rf, len);
	rules_file_free(&rf);
	return 0;
}
