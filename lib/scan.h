/* scan.h: strict number parsing. The whole string must be decimal digits
 * (no sign, no blanks, at least one digit) and within [0, max].
 * Returns 0, or -1 with errno EINVAL (not a number) or ERANGE (too big). */
#ifndef MAILSTACK_SCAN_H
#define MAILSTACK_SCAN_H

#include <stddef.h>

int scan_ulong(const char *s, unsigned long max, unsigned long *out);
/* Same on the first n bytes of s (s need not be NUL-terminated). */
int scan_ulong_n(const char *s, size_t n, unsigned long max, unsigned long *out);

/* The value of one hexadecimal digit, or -1. */
int scan_hexdigit(char c);

#endif
