/* ctl_util.h: running the real mailctl from the tests, with exactly the
 * environment and config file a test chooses. */
#ifndef MAILSTACK_TESTS_CTL_UTIL_H
#define MAILSTACK_TESTS_CTL_UTIL_H

struct ctl_run {
	int code;	/* exit code (128 + signal when killed) */
	char *out;
	char *err;
};

#define CTL_ARGS(...) ((const char *const []){ __VA_ARGS__, NULL })

/* $MAILSTACK_TOP/ctl/mailctl/mailctl */
const char *ctl_mailctl_bin(void);
/* Runs mailctl --config CONFIG ARGS... with exactly env (NULL-terminated);
 * CONFIG NULL = an empty file, so that /etc/mailstack/mailctl.conf never
 * takes part; stdin_path NULL = /dev/null. Asserts that it finished. */
struct ctl_run ctl_run_env(const char *const *env, const char *config,
    const char *stdin_path, const char *const *args);
/* The same with MAILCTL_URL=url and MAILCTL_TOKEN=token (NULL = unset). */
struct ctl_run ctl_run_with(const char *url, const char *token,
    const char *const *args);
void ctl_run_free(struct ctl_run *r);

#endif
