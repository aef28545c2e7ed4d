/* web_limits.c: mailctld's limits file code under other names, so that a
 * fuzz target links it beside the listener's (both name their parser
 * limitsfile_parse): the source is included, not copied. */
#include <stdlib.h>

#define limitsfile_parse web_limitsfile_parse
#define limitsfile_render web_limitsfile_render
#define limits_keys web_limits_keys
#include "web/limitsfile.c"

#include "tests/fuzz/web_limits.h"

int
fuzz_web_limits_parse(const char *buf, size_t len, long v[3])
{
	struct limits_values lv;
	char err[128];
	size_t line, i;

	if (web_limitsfile_parse(buf, len, &lv, &line, err, sizeof(err)) != 0)
		return -1;
	for (i = 0; i < LIMITS_NKEYS; i++)
		v[i] = lv.v[i];
	return 0;
}

int
fuzz_web_limits_render(const long v[3], char **out, size_t *outlen)
{
	struct limits_values lv;
	size_t i;

	for (i = 0; i < LIMITS_NKEYS; i++)
		lv.v[i] = v[i];
	return web_limitsfile_render(&lv, "fuzz", out, outlen);
}
