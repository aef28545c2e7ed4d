/* scan.c: strict decimal parsing (no atoi: "3x" is an error, not 3). */
#include <errno.h>
#include <string.h>

#include "scan.h"

int
scan_ulong_n(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9') {
			errno = EINVAL;
			return -1;
		}
		d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
scan_ulong(const char *s, unsigned long max, unsigned long *out)
{
	return scan_ulong_n(s, strlen(s), max, out);
}

int
scan_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
