/* conf.h: mailctld's configuration file (listen address, tokens, state,
 * services). */
#ifndef MAILSTACK_WEB_CONF_H
#define MAILSTACK_WEB_CONF_H

#include <stddef.h>

#define CONF_NAME_MAX 32

struct conf_service {
	char name[CONF_NAME_MAX + 1];
	char *control;	/* listener control socket path, owned */
	char *config;	/* folder with limits, rules, rules.cdb, owned */
	char *s6;	/* s6 service folder, owned; NULL when not given */
};

struct mailctld_conf {
	char *listen;		/* "ADDR:PORT" or "[ADDR]:PORT", owned */
	char *unix_path;	/* NULL = none */
	char *tls_cert;
	char *tls_key;
	char *tokens;
	char *state;
	char *audit;
	unsigned long metrics_top;
	struct conf_service *services;
	size_t nservices;
};

/* Reads path over the defaults. On a bad line returns -1 with errno EINVAL
 * and "LINE: REASON" in err; on I/O errors -1 with errno and err empty. */
int conf_load(struct mailctld_conf *c, const char *path, char *err, size_t errlen);
/* The same on a buffer (tests). */
int conf_parse(struct mailctld_conf *c, const char *buf, size_t len, char *err, size_t errlen);
void conf_free(struct mailctld_conf *c);

/* 1 when name is a valid service name ([a-z0-9][a-z0-9_-]{0,31}). */
int conf_name_valid(const char *name, size_t len);
/* The service called name, or NULL. */
struct conf_service *conf_find_service(const struct mailctld_conf *c, const char *name, size_t len);

#endif
