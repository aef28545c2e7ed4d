/* conf.c: parsing mailctld.conf, one directive per line with '#' comments. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"
#include "lib/scan.h"
#include "lib/strbuf.h"
#include "web/conf.h"

#define CONF_MAX_WORDS 8

static int
fail(char *err, size_t errlen, size_t lineno, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%zu: ", lineno);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

int
conf_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > CONF_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char ch = name[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');

		if (i > 0 && (ch == '_' || ch == '-'))
			ok = 1;
		if (!ok)
			return 0;
	}
	return 1;
}

struct conf_service *
conf_find_service(const struct mailctld_conf *c, const char *name, size_t len)
{
	size_t i;

	if (!conf_name_valid(name, len))
		return NULL;
	for (i = 0; i < c->nservices; i++)
		if (strlen(c->services[i].name) == len &&
		    memcmp(c->services[i].name, name, len) == 0)
			return &c->services[i];
	return NULL;
}

static int
set_string(char **dst, const char *v)
{
	char *s = strdup(v);

	if (s == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int
set_defaults(struct mailctld_conf *c)
{
	memset(c, 0, sizeof(*c));
	if (set_string(&c->listen, "127.0.0.1:8787") == -1 ||
	    set_string(&c->tokens, MAILSTACK_SYSCONFDIR "/mailstack/api-tokens") == -1 ||
	    set_string(&c->state, MAILSTACK_LOCALSTATEDIR "/lib/mailstack") == -1 ||
	    set_string(&c->audit, MAILSTACK_LOCALSTATEDIR "/lib/mailstack/audit.log") == -1)
		return -1;
	return 0;
}

/* service NAME control=PATH config=PATH [s6=PATH] */
static int
parse_service(struct mailctld_conf *c, char **w, size_t nw, size_t lineno,
    char *err, size_t errlen)
{
	struct conf_service s, *ns;
	size_t i;

	if (nw < 2)
		return fail(err, errlen, lineno, "service needs a name");
	if (!conf_name_valid(w[1], strlen(w[1])))
		return fail(err, errlen, lineno, "bad service name: %s", w[1]);
	if (conf_find_service(c, w[1], strlen(w[1])) != NULL)
		return fail(err, errlen, lineno, "service %s named twice", w[1]);
	memset(&s, 0, sizeof(s));
	strcpy(s.name, w[1]);
	for (i = 2; i < nw; i++) {
		char **dst = NULL;

		if (strncmp(w[i], "control=", 8) == 0)
			dst = &s.control;
		else if (strncmp(w[i], "config=", 7) == 0)
			dst = &s.config;
		else if (strncmp(w[i], "s6=", 3) == 0)
			dst = &s.s6;
		if (dst == NULL || *dst != NULL || strchr(w[i], '=')[1] == '\0') {
			free(s.control), free(s.config), free(s.s6);
			return fail(err, errlen, lineno, "bad or repeated service field: %s", w[i]);
		}
		if (set_string(dst, strchr(w[i], '=') + 1) == -1)
			return -1;
	}
	if (s.control == NULL || s.config == NULL) {
		free(s.control), free(s.config), free(s.s6);
		return fail(err, errlen, lineno, "service %s needs control= and config=", s.name);
	}
	ns = realloc(c->services, (c->nservices + 1) * sizeof(*ns));
	if (ns == NULL) {
		free(s.control), free(s.config), free(s.s6);
		return -1;
	}
	c->services = ns;
	c->services[c->nservices++] = s;
	return 0;
}

static int
parse_directive(struct mailctld_conf *c, char **w, size_t nw, size_t lineno,
    char *err, size_t errlen)
{
	static const char *const names[] = { "listen", "unix", "tls-cert", "tls-key",
	    "tokens", "state", "audit" };
	char **dsts[] = { &c->listen, &c->unix_path, &c->tls_cert, &c->tls_key,
	    &c->tokens, &c->state, &c->audit };
	size_t i;

	if (strcmp(w[0], "service") == 0)
		return parse_service(c, w, nw, lineno, err, errlen);
	if (strcmp(w[0], "metrics-top") == 0) {
		if (nw != 2 || scan_ulong(w[1], 100000, &c->metrics_top) == -1)
			return fail(err, errlen, lineno, "metrics-top needs a number 0-100000");
		return 0;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(w[0], names[i]) != 0)
			continue;
		if (nw != 2)
			return fail(err, errlen, lineno, "%s needs exactly one value", names[i]);
		return set_string(dsts[i], w[1]);
	}
	return fail(err, errlen, lineno, "unknown directive: %s", w[0]);
}

/* Splits line at blanks, stopping at '#'. */
static size_t
split_words(char *line, char **w)
{
	size_t nw = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (nw == CONF_MAX_WORDS)
			return nw + 1;
		w[nw++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return nw;
}

static int
parse_lines(struct mailctld_conf *c, char *text, char *err, size_t errlen)
{
	char *line = text, *nl, *w[CONF_MAX_WORDS];
	size_t lineno = 0, nw;

	while (line != NULL && *line != '\0') {
		lineno++;
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		nw = split_words(line, w);
		if (nw > CONF_MAX_WORDS)
			return fail(err, errlen, lineno, "too many words");
		if (nw > 0 && parse_directive(c, w, nw, lineno, err, errlen) == -1)
			return -1;
		line = nl != NULL ? nl + 1 : NULL;
	}
	if ((c->tls_cert == NULL) != (c->tls_key == NULL))
		return fail(err, errlen, lineno, "tls-cert and tls-key go together");
	return 0;
}

int
conf_parse(struct mailctld_conf *c, const char *buf, size_t len, char *err, size_t errlen)
{
	char *text;
	int r;

	if (errlen > 0)
		err[0] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "1: NUL byte in file");
		errno = EINVAL;
		return -1;
	}
	if (set_defaults(c) == -1 || (text = strndup(buf, len)) == NULL) {
		conf_free(c);
		return -1;
	}
	r = parse_lines(c, text, err, errlen);
	free(text);
	if (r == -1) {
		int e = errno;

		conf_free(c);
		errno = e;
	}
	return r;
}

int
conf_load(struct mailctld_conf *c, const char *path, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_ZERO;
	char chunk[4096];
	size_t n;
	FILE *f;
	int r;

	if (errlen > 0)
		err[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (strbuf_append(&sb, chunk, n) == -1) {
			fclose(f);
			strbuf_free(&sb);
			return -1;
		}
	if (ferror(f)) {
		fclose(f);
		strbuf_free(&sb);
		errno = EIO;
		return -1;
	}
	fclose(f);
	r = conf_parse(c, sb.s != NULL ? sb.s : "", sb.len, err, errlen);
	strbuf_free(&sb);
	return r;
}

void
conf_free(struct mailctld_conf *c)
{
	size_t i;

	free(c->listen), free(c->unix_path), free(c->tls_cert), free(c->tls_key);
	free(c->tokens), free(c->state), free(c->audit);
	for (i = 0; i < c->nservices; i++) {
		free(c->services[i].control);
		free(c->services[i].config);
		free(c->services[i].s6);
	}
	free(c->services);
	memset(c, 0, sizeof(*c));
}
