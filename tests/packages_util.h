/* packages_util.h: what the package tests share: the packages built once
 * per run (make deb, make rpm), running tools, and the file lists the
 * packages must hold, taken from the tree. */
#ifndef MAILSTACK_TESTS_PACKAGES_UTIL_H
#define MAILSTACK_TESTS_PACKAGES_UTIL_H

#include <stddef.h>

/* A package build and its tools get this long. */
#define PKG_BUILD_MS 300000
#define PKG_TOOL_MS 120000

/* The folder make deb and make rpm built into (by a ReportHook before
 * any test), and the path of the built "deb" or "rpm" (malloc'd); fails
 * the test with the end of the build's log when there is none. */
const char *pkg_out(void);
char *pkg_built(const char *kind);

/* PATH, HOME (lintian and rpm want one; the build folder keeps their
 * caches out of the tester's) and the C locale; no MAKEFLAGS from make
 * check. Static storage. */
char **pkg_environ(void);
/* Runs argv with pkg_environ(), bounded by timeout_ms; *out
 * gets stdout followed by stderr (malloc'd). Returns the exit code, or
 * -1 when it could not run or timed out. */
int pkg_run(char *const argv[], int timeout_ms, char **out);

/* Expects each of want as a line of text (what names the listing);
 * returns how many there are. */
size_t pkg_expect_all(const char *text, char *const *want, const char *what);

/* The files the "deb" or "rpm" package must install (absolute paths in
 * its layout, man pages gzipped), from the commit it was built from;
 * NULL-terminated, malloc'd. */
char **pkg_expected_files(const char *kind);
/* The files under packaging/dist/etc, as their /etc/mailstack paths:
 * the conffiles. */
char **pkg_expected_conffiles(const char *kind);
void pkg_free_list(char **list);

/* The top of the source tree (MAILSTACK_TOP, else "."). */
const char *pkg_top(void);

#endif
