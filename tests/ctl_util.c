/* ctl_util.c: the tests' way to run mailctl. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "ctl_util.h"

const char *
ctl_mailctl_bin(void)
{
	static char path[4096];
	const char *top = getenv("MAILSTACK_TOP");

	snprintf(path, sizeof(path), "%s/ctl/mailctl/mailctl", top != NULL ? top : ".");
	return path;
}

static const char *
ctl_empty_config(void)
{
	static char *path;

	if (path == NULL)
		path = harness_write_file(harness_tmpdir(), "empty.conf", "", 0);
	cr_assert_not_null(path);
	return path;
}

struct ctl_run
ctl_run_env(const char *const *env, const char *config, const char *stdin_path,
    const char *const *args)
{
	struct harness_opts o = HARNESS_OPTS_ZERO;
	const char *argv[32];
	struct ctl_run r;
	size_t n = 0;
	int st;

	argv[n++] = ctl_mailctl_bin();
	argv[n++] = "--config";
	argv[n++] = config != NULL ? config : ctl_empty_config();
	for (; *args != NULL && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	o.stdin_path = stdin_path;
	st = harness_run(harness_tmpdir(), (char *const *)argv, (char *const *)env, &o,
	    HARNESS_TIMEOUT_MS * 3, &r.out, &r.err);
	cr_assert_neq(st, -1, "mailctl did not finish");
	r.code = harness_exit_code(st);
	cr_assert_not_null(r.out);
	cr_assert_not_null(r.err);
	return r;
}

struct ctl_run
ctl_run_with(const char *url, const char *token, const char *const *args)
{
	char u[512], t[512];
	const char *env[] = { u, t, NULL };

	snprintf(u, sizeof(u), "MAILCTL_URL=%s", url);
	snprintf(t, sizeof(t), "MAILCTL_TOKEN=%s", token != NULL ? token : "");
	if (token == NULL)
		env[1] = NULL;
	return ctl_run_env(env, NULL, NULL, args);
}

void
ctl_run_free(struct ctl_run *r)
{
	free(r->out);
	free(r->err);
}
