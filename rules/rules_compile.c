/* rules_compile.c: writing the records of a rules file as a cdb with tinycdb,
 * from a parsed file or line by line as the text is read. */
#include <cdb.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_compile.h"
#include "rules/rules_line.h"

static int
compile_add(void *arg, size_t lineno, const char *key, size_t keylen,
    const char *data, size_t datalen)
{
	(void)lineno;
	return cdb_make_add(arg, key, (unsigned)keylen, data, (unsigned)datalen) == 0 ? 0 : -1;
}

int
rules_compile_fd(const struct rules_file *rf, int fd)
{
	struct cdb_make cm;
	int saved;

	if (rf->nerrors > 0) {
		errno = EINVAL;
		return -1;
	}
	if (cdb_make_start(&cm, fd) == -1)
		return -1;
	if (rules_file_records(rf, compile_add, &cm) != 0)
		goto fail;
	if (cdb_make_finish(&cm) == -1)
		return -1;
	return 0;
fail:
	/* tinycdb frees its tables only in finish; the file is discarded */
	saved = errno;
	cdb_make_finish(&cm);
	errno = saved;
	return -1;
}

int
rules_stream_start(struct rules_stream *s, const struct rules_opts *opts, int fd)
{
	memset(s, 0, sizeof(*s));
	if (opts != NULL)
		s->rf.opts = *opts;
	/* one line slot, reused for every line */
	if (rules_file_line_push(&s->rf, "", 0) == -1)
		return -1;
	if (fd < 0)
		return 0;
	s->cm = malloc(sizeof(struct cdb_make));
	if (s->cm == NULL)
		return -1;
	if (cdb_make_start(s->cm, fd) == -1) {
		free(s->cm);
		s->cm = NULL;
		return -1;
	}
	return 0;
}

static int
stream_line(struct rules_stream *s, const char *text, size_t len)
{
	struct rules_line *ln = &s->rf.lines[0];

	if (len >= UINT32_MAX) {
		errno = EFBIG;
		return -1;
	}
	memset(ln, 0, sizeof(*ln));
	ln->text = text;
	ln->len = (uint32_t)len;
	s->rf.nvars = 0;
	if (rules_line_parse(&s->rf, ++s->lineno, ln) == -1)
		return -1;
	if (s->cm == NULL || s->rf.nerrors > 0 || ln->kind != RULES_LINE_RULE)
		return 0;
	return rules_line_records(&s->rf, 0, compile_add, s->cm) == 0 ? 0 : -1;
}

static int
carry_add(struct rules_stream *s, const char *p, size_t n)
{
	char *nc;
	size_t cap;

	if (s->carrylen + n > s->carrycap) {
		cap = 2 * (s->carrylen + n);
		nc = realloc(s->carry, cap);
		if (nc == NULL)
			return -1;
		s->carry = nc;
		s->carrycap = cap;
	}
	memcpy(s->carry + s->carrylen, p, n);
	s->carrylen += n;
	return 0;
}

int
rules_stream_feed(struct rules_stream *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return carry_add(s, p, (size_t)(end - p));
		if (s->carrylen > 0) {
			if (carry_add(s, p, (size_t)(nl - p)) == -1 ||
			    stream_line(s, s->carry, s->carrylen) == -1)
				return -1;
			s->carrylen = 0;
		} else if (stream_line(s, p, (size_t)(nl - p)) == -1)
			return -1;
		p = nl + 1;
	}
	return 0;
}

int
rules_stream_finish(struct rules_stream *s)
{
	void *cm = s->cm;

	if (s->carrylen > 0 && stream_line(s, s->carry, s->carrylen) == -1)
		return -1;
	s->carrylen = 0;
	s->cm = NULL;
	if (cm == NULL)
		return 0;
	/* tinycdb frees its index only in finish, so it runs on errors too */
	if (cdb_make_finish(cm) == -1 && s->rf.nerrors == 0) {
		free(cm);
		return -1;
	}
	free(cm);
	return 0;
}

void
rules_stream_free(struct rules_stream *s)
{
	int saved = errno;

	if (s->cm != NULL) {
		cdb_make_finish(s->cm);
		free(s->cm);
		s->cm = NULL;
	}
	free(s->carry);
	s->rf.lines[0].text = NULL;
	rules_file_free(&s->rf);
	errno = saved;
}
