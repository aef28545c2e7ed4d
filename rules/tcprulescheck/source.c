/* source.c: which line of the rules text produced the record that matched. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "rules/rules_file.h"
#include "rules/tcprulescheck/source.h"

struct origin {
	const struct rules_match *m;
	size_t lineno;
	int same_data;
};

/* The cdb answers with the first record of a key, so the first line
 * that compiles to that key is the one that matched. */
static int
origin_find(void *arg, size_t lineno, const char *key, size_t keylen,
    const char *data, size_t datalen)
{
	struct origin *o = arg;

	if (keylen != o->m->keylen || memcmp(key, o->m->key, keylen) != 0)
		return 0;
	o->lineno = lineno;
	o->same_data = datalen == o->m->datalen && memcmp(data, o->m->data, datalen) == 0;
	return 1;
}

static char *
file_read(const char *path, size_t *lenp)
{
	struct stat st;
	char *buf;
	ssize_t r;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1)
		die_sys(EX_TEMP, "unable to read %s", path);
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		die_x(EX_TEMP, "out of memory");
	while (len < (size_t)st.st_size) {
		r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			die_sys(EX_TEMP, "unable to read %s", path);
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	*lenp = len;
	return buf;
}

void
source_print_origin(const char *path, const struct rules_match *m)
{
	struct rules_opts opts = { 1, 0 };
	struct rules_file rf;
	struct origin o = { m, 0, 0 };
	const struct rules_line *ln;
	size_t len;
	char *buf;

	buf = file_read(path, &len);
	if (rules_file_parse(&rf, buf, len, &opts) == -1)
		die_x(EX_TEMP, "out of memory");
	free(buf);
	if (rules_file_records(&rf, origin_find, &o) == -1)
		die_x(EX_TEMP, "out of memory");
	if (o.lineno == 0)
		printf("source: no rule of %s has this key; the cdb is from another file\n", path);
	else {
		ln = &rf.lines[o.lineno - 1];
		printf("source %s:%zu: ", path, o.lineno);
		fwrite(ln->text, 1, ln->len, stdout);
		printf("\n");
		if (!o.same_data)
			printf("source: the cdb holds other data for this line; recompile %s\n", path);
	}
	rules_file_free(&rf);
}
