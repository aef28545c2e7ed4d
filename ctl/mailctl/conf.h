/* conf.h: where mailctl finds the API URL and token: options over the
 * environment over the config file (contract D). */
#ifndef MAILSTACK_CTL_CONF_H
#define MAILSTACK_CTL_CONF_H

#include <stddef.h>

#include "lib/config.h"

/* /etc/mailstack/mailctl.conf when configured with --prefix=/usr or --sysconfdir=/etc. */
#define CONF_DEFAULT_PATH MAILSTACK_SYSCONFDIR "/mailstack/mailctl.conf"
#define CONF_DEFAULT_URL "http://127.0.0.1:8787"

/* The sources, each NULL when absent. */
struct conf_input {
	const char *config;		/* --config (must exist) */
	const char *default_config;	/* used when config is NULL; may be missing */
	const char *env_url;		/* MAILCTL_URL */
	const char *env_token;		/* MAILCTL_TOKEN */
	const char *opt_url;		/* --url */
	const char *opt_token_file;	/* --token-file */
	const char *opt_ca_file;	/* --ca-file */
};

struct conf {
	char *url;	/* owned, without a trailing '/' */
	char *token;	/* owned; NULL when no source gives one */
	char *ca_file;	/* owned; NULL = the system's trusted CAs */
};

/* Fills cf. Returns 0, or an exit code (CTL_EX_USAGE for bad content,
 * CTL_EX_LOCAL for unreadable files) with a message in err that never
 * holds the token. */
int conf_resolve(struct conf *cf, const struct conf_input *in, char *err,
    size_t errlen);
void conf_free(struct conf *cf);

/* Reads the token from the first line of path (surrounding blanks cut).
 * Returns 0 with *token malloc'd, or an exit code as conf_resolve. */
int conf_read_token_file(const char *path, char **token, char *err, size_t errlen);

/* 1 if s can go in an Authorization header: visible ASCII only. */
int conf_token_ok(const char *s);

#endif
