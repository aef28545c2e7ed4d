/* conf.c: mailctl.conf, MAILCTL_URL/MAILCTL_TOKEN and --url/--token-file merged. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "ctl/mailctl/cli.h"
#include "ctl/mailctl/conf.h"

/* What the config file said; the later of token and token-file wins. */
struct conf_file {
	char *url;
	char *token;
	char *token_file;
	char *ca_file;
};

static int
conf_fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

int
conf_token_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 33 || (unsigned char)*s > 126)
			return 0;
	return 1;
}

static char *
conf_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
	    end[-1] == '\n'))
		*--end = '\0';
	return s;
}

int
conf_read_token_file(const char *path, char **token, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *t;
	size_t cap = 0;
	ssize_t n;

	*token = NULL;
	if (f == NULL)
		return conf_fail(CTL_EX_LOCAL, err, errlen,
		    "unable to read token file %s: %s", path, errstr(errno));
	n = getline(&line, &cap, f);
	if (n == -1 && ferror(f)) {
		int e = errno;

		fclose(f);
		free(line);
		return conf_fail(CTL_EX_LOCAL, err, errlen,
		    "unable to read token file %s: %s", path, errstr(e));
	}
	fclose(f);
	t = line != NULL && n >= 0 ? conf_trim(line) : NULL;
	if (t == NULL || !conf_token_ok(t)) {
		free(line);
		return conf_fail(CTL_EX_USAGE, err, errlen, "token file %s: "
		    "the first line must hold the token (visible ASCII)", path);
	}
	*token = strdup(t);
	free(line);
	if (*token == NULL)
		return conf_fail(CTL_EX_LOCAL, err, errlen, "out of memory");
	return 0;
}

static int
conf_replace(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

/* One "KEY VALUE" line; "#" starts a comment at the line start or after a blank. */
static int
conf_file_line(struct conf_file *cfl, char *line, const char *path,
    size_t lineno, char *err, size_t errlen)
{
	char *key, *value, *hash;
	int r = 0;

	for (hash = line; (hash = strchr(hash, '#')) != NULL; hash++)
		if (hash == line || hash[-1] == ' ' || hash[-1] == '\t') {
			*hash = '\0';
			break;
		}
	key = conf_trim(line);
	if (*key == '\0')
		return 0;
	value = key + strcspn(key, " \t");
	if (*value != '\0')
		*value++ = '\0';
	value = conf_trim(value);
	if (*value == '\0')
		return conf_fail(CTL_EX_USAGE, err, errlen, "%s:%zu: %s needs a value",
		    path, lineno, key);
	if (strcmp(key, "url") == 0)
		r = conf_replace(&cfl->url, value);
	else if (strcmp(key, "token") == 0) {
		if (!conf_token_ok(value))
			return conf_fail(CTL_EX_USAGE, err, errlen,
			    "%s:%zu: bad token (visible ASCII only)", path, lineno);
		free(cfl->token_file);
		cfl->token_file = NULL;
		r = conf_replace(&cfl->token, value);
	} else if (strcmp(key, "ca-file") == 0)
		r = conf_replace(&cfl->ca_file, value);
	else if (strcmp(key, "token-file") == 0) {
		free(cfl->token);
		cfl->token = NULL;
		r = conf_replace(&cfl->token_file, value);
	} else
		return conf_fail(CTL_EX_USAGE, err, errlen,
		    "%s:%zu: unknown directive %s (want url, token, token-file, ca-file)",
		    path, lineno, key);
	if (r == -1)
		return conf_fail(CTL_EX_LOCAL, err, errlen, "out of memory");
	return 0;
}

static int
conf_file_read(struct conf_file *cfl, const char *path, int must_exist,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	int r = 0;

	if (f == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return conf_fail(CTL_EX_LOCAL, err, errlen,
		    "unable to read %s: %s", path, errstr(errno));
	}
	while (r == 0 && getline(&line, &cap, f) != -1)
		r = conf_file_line(cfl, line, path, ++lineno, err, errlen);
	if (r == 0 && ferror(f))
		r = conf_fail(CTL_EX_LOCAL, err, errlen, "unable to read %s: %s",
		    path, errstr(errno));
	free(line);
	fclose(f);
	return r;
}

static void
conf_file_free(struct conf_file *cfl)
{
	free(cfl->url);
	free(cfl->token);
	free(cfl->token_file);
	free(cfl->ca_file);
}

static int
conf_pick_url(struct conf *cf, const struct conf_input *in,
    const struct conf_file *cfl, char *err, size_t errlen)
{
	const char *url = CONF_DEFAULT_URL;
	size_t n;

	if (in->opt_url != NULL)
		url = in->opt_url;
	else if (in->env_url != NULL && *in->env_url != '\0')
		url = in->env_url;
	else if (cfl->url != NULL)
		url = cfl->url;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return conf_fail(CTL_EX_USAGE, err, errlen,
		    "bad URL %s (want http:// or https://)", url);
	cf->url = strdup(url);
	if (cf->url == NULL)
		return conf_fail(CTL_EX_LOCAL, err, errlen, "out of memory");
	n = strlen(cf->url);
	while (n > 0 && cf->url[n - 1] == '/')
		cf->url[--n] = '\0';
	return 0;
}

static int
conf_pick_token(struct conf *cf, const struct conf_input *in,
    const struct conf_file *cfl, char *err, size_t errlen)
{
	const char *t = NULL;

	if (in->opt_token_file != NULL)
		return conf_read_token_file(in->opt_token_file, &cf->token, err, errlen);
	if (in->env_token != NULL && *in->env_token != '\0') {
		if (!conf_token_ok(in->env_token))
			return conf_fail(CTL_EX_USAGE, err, errlen,
			    "MAILCTL_TOKEN: bad token (visible ASCII only)");
		t = in->env_token;
	} else if (cfl->token_file != NULL)
		return conf_read_token_file(cfl->token_file, &cf->token, err, errlen);
	else
		t = cfl->token;
	if (t != NULL && (cf->token = strdup(t)) == NULL)
		return conf_fail(CTL_EX_LOCAL, err, errlen, "out of memory");
	return 0;
}

int
conf_resolve(struct conf *cf, const struct conf_input *in, char *err,
    size_t errlen)
{
	struct conf_file cfl = { NULL, NULL, NULL, NULL };
	const char *path = in->config != NULL ? in->config : in->default_config;
	int r = 0;

	cf->url = NULL;
	cf->token = NULL;
	cf->ca_file = NULL;
	if (path != NULL)
		r = conf_file_read(&cfl, path, in->config != NULL, err, errlen);
	if (r == 0)
		r = conf_pick_url(cf, in, &cfl, err, errlen);
	if (r == 0)
		r = conf_pick_token(cf, in, &cfl, err, errlen);
	if (r == 0 && (in->opt_ca_file != NULL || cfl.ca_file != NULL) &&
	    (cf->ca_file = strdup(in->opt_ca_file != NULL ? in->opt_ca_file : cfl.ca_file)) == NULL)
		r = conf_fail(CTL_EX_LOCAL, err, errlen, "out of memory");
	conf_file_free(&cfl);
	if (r != 0)
		conf_free(cf);
	return r;
}

void
conf_free(struct conf *cf)
{
	free(cf->url);
	if (cf->token != NULL)
		explicit_bzero(cf->token, strlen(cf->token));
	free(cf->token);
	free(cf->ca_file);
	cf->url = NULL;
	cf->token = NULL;
	cf->ca_file = NULL;
}
