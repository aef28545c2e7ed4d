/* seen.c: mailctl status's memory of the last listen_overflows, one line
 * "URL SERVICE N" each, after a comment line. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "scan.h"
#include "strbuf.h"
#include "ctl/mailctl/seen.h"

int
seen_path(char *buf, size_t len, const char *xdg_state_home, const char *home)
{
	int n;

	/* the XDG base directory rules: a relative value is to be ignored */
	if (xdg_state_home != NULL && xdg_state_home[0] == '/')
		n = snprintf(buf, len, "%s/mailctl/seen", xdg_state_home);
	else if (home != NULL && home[0] == '/')
		n = snprintf(buf, len, "%s/.local/state/mailctl/seen", home);
	else
		return -1;
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* One line into s; 0 when it is not an entry (skipped), -1 on ENOMEM. */
static int
seen_line(struct seen *s, char *line)
{
	char *save = NULL, *url = strtok_r(line, " ", &save);
	char *svc = strtok_r(NULL, " ", &save), *num = strtok_r(NULL, " ", &save);
	unsigned long v;

	if (url == NULL || url[0] == '#' || svc == NULL || num == NULL ||
	    strtok_r(NULL, " ", &save) != NULL || scan_ulong(num, ULONG_MAX, &v) == -1)
		return 0;
	return seen_set(s, url, svc, v);
}

void
seen_read(struct seen *s, const char *path)
{
	char buf[SEEN_MAX_BYTES + 1], *line, *save = NULL;
	ssize_t n;
	int fd;

	seen_free(s);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	/* a larger file is not ours: no comparison, and the next write
	 * replaces it */
	if (n <= 0 || n > SEEN_MAX_BYTES)
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		if (seen_line(s, line) == -1)
			break;
	s->changed = 0;
}

static struct seen_entry *
seen_lookup(const struct seen *s, const char *url, const char *service)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->e[i].url, url) == 0 && strcmp(s->e[i].service, service) == 0)
			return &s->e[i];
	return NULL;
}

int
seen_find(const struct seen *s, const char *url, const char *service,
    unsigned long long *v)
{
	const struct seen_entry *e = seen_lookup(s, url, service);

	if (e == NULL)
		return 0;
	*v = e->overflows;
	return 1;
}

/* Drops entry i, keeping the order of the rest. */
static void
seen_drop(struct seen *s, size_t i)
{
	free(s->e[i].url);
	free(s->e[i].service);
	memmove(&s->e[i], &s->e[i + 1], (s->n - i - 1) * sizeof(s->e[0]));
	s->n--;
}

int
seen_set(struct seen *s, const char *url, const char *service, unsigned long long v)
{
	struct seen_entry *e = seen_lookup(s, url, service), ne;

	/* a URL or name with a blank or newline would not read back */
	if (strpbrk(url, " \n") != NULL || strpbrk(service, " \n") != NULL)
		return 0;
	if (e != NULL)
		seen_drop(s, (size_t)(e - s->e));
	if (s->n == SEEN_MAX_ENTRIES)
		seen_drop(s, 0);
	if (s->n == s->cap) {
		size_t cap = s->cap == 0 ? 8 : s->cap * 2;
		struct seen_entry *more = realloc(s->e, cap * sizeof(*more));

		if (more == NULL)
			return -1;
		s->e = more;
		s->cap = cap;
	}
	ne.url = strdup(url);
	ne.service = strdup(service);
	ne.overflows = v;
	if (ne.url == NULL || ne.service == NULL) {
		free(ne.url);
		free(ne.service);
		return -1;
	}
	s->e[s->n++] = ne;
	s->changed = 1;
	return 0;
}

/* mkdir -p of path's folder, each new level 0700. */
static int
seen_mkdirs(const char *path)
{
	char dir[PATH_MAX], c;
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			return -1;
		if ((*p = c) == '\0')
			return 0;
	}
}

int
seen_write(const struct seen *s, const char *path)
{
	struct strbuf sb = STRBUF_ZERO;
	size_t i;
	int r;

	r = strbuf_printf(&sb, "# mailctl status: the last listen_overflows seen, per URL and"
	    " service\n");
	for (i = 0; i < s->n; i++)
		r |= strbuf_printf(&sb, "%s %s %llu\n", s->e[i].url, s->e[i].service,
		    s->e[i].overflows);
	if (r != 0) {
		strbuf_free(&sb);
		errno = ENOMEM;
		return -1;
	}
	r = seen_mkdirs(path);
	if (r == 0)
		r = atomicfile_replace(path, sb.s, sb.len, 0600);
	strbuf_free(&sb);
	return r;
}

void
seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->e[i].url);
		free(s->e[i].service);
	}
	free(s->e);
	s->e = NULL;
	s->n = s->cap = 0;
	s->changed = 0;
}
