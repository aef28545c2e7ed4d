/* limitsfile.h: a service's limits file (contract B): key=value lines,
 * '#' comments, every key optional. */
#ifndef MAILSTACK_WEB_LIMITSFILE_H
#define MAILSTACK_WEB_LIMITSFILE_H

#include <stddef.h>

#define LIMITS_MAX 1000000L
#define LIMITS_NKEYS 3

/* Indexes into limits_values.v and limits_keys. */
enum { LIMITS_TOTAL, LIMITS_PER_IP, LIMITS_PER_NET };

extern const char *const limits_keys[LIMITS_NKEYS];

struct limits_values {
	long v[LIMITS_NKEYS];	/* -1 = not set */
};

/* Parses buf. 0, or -1 with errno EINVAL, the 1-based line in *line and a
 * reason in err. */
int limitsfile_parse(const char *buf, size_t len, struct limits_values *lv,
    size_t *line, char *err, size_t errlen);
/* The file text for lv (keys set only), malloc'd. 0 or -1. */
int limitsfile_render(const struct limits_values *lv, const char *service,
    char **out, size_t *outlen);

#endif
