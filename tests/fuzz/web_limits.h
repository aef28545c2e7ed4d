/* web_limits.h: mailctld's limits file parser and writer, for the fuzz
 * target that holds them against the listener's parser. */
#ifndef MAILSTACK_TESTS_FUZZ_WEB_LIMITS_H
#define MAILSTACK_TESTS_FUZZ_WEB_LIMITS_H

#include <stddef.h>

/* v[k] per key (max_connections, max_per_ip, max_per_network), -1 when
 * absent. 0, or -1 when mailctld refuses the text. */
int fuzz_web_limits_parse(const char *buf, size_t len, long v[3]);
/* The file mailctld writes for v, malloc'd. 0 or -1. */
int fuzz_web_limits_render(const long v[3], char **out, size_t *outlen);

#endif
