/* rules_util.h: helpers for the rules tests: private temp folders, files,
 * and running a program with its stdin, stdout and stderr on files, bounded
 * in time. */
#ifndef MAILSTACK_TESTS_RULES_UTIL_H
#define MAILSTACK_TESTS_RULES_UTIL_H

#include <stddef.h>

#define RULES_RUN_TIMEOUT_MS 10000

/* A fresh folder under $TMPDIR or /tmp (malloc'd path); removed with
 * rules_util_rmdir, which empties it first (one level). */
char *rules_util_tmpdir(void);
void rules_util_rmdir(const char *dir);

/* The private folder of the running test: Criterion .init/.fini of the
 * rules suites create and remove it. */
extern char *rules_test_tmp;
void rules_test_setup(void);
void rules_test_teardown(void);

/* dir/name, malloc'd. */
char *rules_util_path(const char *dir, const char *name);
int rules_util_write(const char *path, const void *p, size_t n);
/* The whole file, malloc'd and NUL-terminated; NULL when it cannot be read. */
char *rules_util_read(const char *path, size_t *len);
int rules_util_exists(const char *path);

/* A program of the tree: $MAILSTACK_TOP/rel (or ./rel), malloc'd. */
char *rules_util_top(const char *rel);
/* Test data: $MAILSTACK_TOP/tests/rules_vectors/rel, malloc'd. */
char *rules_util_vector(const char *rel);

/* Runs argv in cwd with envp (NULL: empty), stdin from in_path (NULL:
 * /dev/null), stdout and stderr to out_path/err_path (NULL: /dev/null).
 * Returns the exit code, 128+signal, or -1 (spawn failure or timeout:
 * the process is killed and reaped). */
int rules_util_run(const char *cwd, char *const argv[], char *const envp[],
    const char *in_path, const char *out_path, const char *err_path);

#endif
