/* main.c: mailctl, the command-line client of mailctld's control API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/mailctl/ctl.h"

static int
main_dispatch(const struct ctl *x)
{
	switch (x->cli->cmd) {
	case CLI_STATUS: return cmd_status(x);
	case CLI_WHO: return cmd_who(x);
	case CLI_LIMITS: return cmd_limits(x);
	case CLI_RULES: return cmd_rules(x);
	case CLI_RELOAD: return cmd_reload(x);
	case CLI_RESTART: return cmd_restart(x);
	case CLI_AUDIT: return cmd_audit(x);
	case CLI_HISTORY: return cmd_history(x);
	case CLI_ROLLBACK: return cmd_rollback(x);
	case CLI_NONE:
	case CLI_HELP:
	case CLI_VERSION: break;
	}
	return CTL_EX_USAGE;
}

/* The config is only read when the command talks to the server. */
static int
main_conf(const struct cli *cli, struct conf *cf)
{
	struct conf_input in;
	char err[512];
	int code;

	in.config = cli->config;
	in.default_config = CONF_DEFAULT_PATH;
	in.env_url = getenv("MAILCTL_URL");
	in.env_token = getenv("MAILCTL_TOKEN");
	in.opt_url = cli->url;
	in.opt_token_file = cli->token_file;
	in.opt_ca_file = cli->ca_file;
	code = conf_resolve(cf, &in, err, sizeof(err));
	if (code != 0)
		fprintf(stderr, "mailctl: %s\n", err);
	return code;
}

int
main(int argc, char **argv)
{
	struct conf cf = { NULL, NULL, NULL };
	struct cli cli;
	struct ctl x;
	char err[512];
	int code;

	if (cli_parse(&cli, argc, argv, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailctl: %s\nmailctl: usage: %.*s (see mailctl --help)\n",
		    err, (int)strcspn(cli_usage(), "\n"), cli_usage());
		return CTL_EX_USAGE;
	}
	if (cli.cmd == CLI_VERSION) {
		printf("mailctl %s\n", MAILSTACK_VERSION);
		return fflush(stdout) == 0 ? 0 : CTL_EX_LOCAL;
	}
	if (cli.cmd == CLI_HELP) {
		fputs("usage: ", stdout);
		fputs(cli_usage(), stdout);
		return fflush(stdout) == 0 ? 0 : CTL_EX_LOCAL;
	}
	x.cli = &cli;
	x.conf = &cf;
	x.out = stdout;
	x.err = stderr;
	x.now = (long long)time(NULL);
	if (cli.cmd == CLI_RULES && cli.rules_op == CLI_RULES_CHECK)
		code = cmd_rules_check(&x);
	else if ((code = main_conf(&cli, &cf)) == 0) {
		if (http_init() == -1) {
			fprintf(stderr, "mailctl: unable to start libcurl\n");
			code = CTL_EX_LOCAL;
		} else
			code = main_dispatch(&x);
	}
	if ((fflush(stdout) != 0 || ferror(stdout)) && code == 0) {
		fprintf(stderr, "mailctl: unable to write output\n");
		code = CTL_EX_LOCAL;
	}
	conf_free(&cf);
	cli_free(&cli);
	return code;
}
