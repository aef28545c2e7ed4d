/* cli.c: mailctl's command line: global and command options anywhere, then the words. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "ctl/mailctl/cli.h"

/* Options that take no value and the ones that take one; bit is the
 * CLI_HAS_* flag for command options, 0 for the global ones. */
struct cli_opt {
	const char *name;
	int valued;
	unsigned bit;
	unsigned long max;	/* for numbers; 0 = a string value */
};

static const struct cli_opt cli_opts[] = {
	{ "json", 0, 0, 0 },
	{ "help", 0, 0, 0 },
	{ "version", 0, 0, 0 },
	{ "url", 1, 0, 0 },
	{ "token-file", 1, 0, 0 },
	{ "config", 1, 0, 0 },
	{ "ca-file", 1, 0, 0 },
	{ "top", 1, CLI_HAS_TOP, CTL_MAX_LIMIT },
	{ "ip", 1, CLI_HAS_IP, 0 },
	{ "position", 1, CLI_HAS_POSITION, 4294967295UL },
	{ "comment", 1, CLI_HAS_COMMENT, 0 },
	{ "limit", 1, CLI_HAS_LIMIT, CTL_MAX_LIMIT },
	{ "strict", 0, CLI_HAS_STRICT, 0 },
	{ "text", 0, CLI_HAS_TEXT, 0 },
	{ "if-match", 1, CLI_HAS_IF_MATCH, 0 },
	{ "supervisor", 0, CLI_HAS_SUPERVISOR, 0 },
};

static const char cli_usage_head[] =
    "mailctl [--json] [--url URL] [--token-file FILE] [--config FILE] [--ca-file FILE] COMMAND\n"
    "       mailctl --help | --version\n"
    "  status [SERVICE]\n"
    "  who SERVICE [--top N] [--ip ADDR]\n"
    "  limits SERVICE";
static const char cli_usage_tail[] =
    " [--if-match VERSION]\n"
    "  rules SERVICE list [--text]\n"
    "  rules SERVICE add ADDRESS allow|deny [VAR=VALUE ...] [--position N] [--comment TEXT]\n"
    "  rules SERVICE delete ID\n"
    "  rules SERVICE replace FILE\n"
    "    (add, delete, replace: [--if-match VERSION])\n"
    "  rules SERVICE check FILE [--strict]\n"
    "  reload SERVICE\n"
    "  restart SERVICE [--supervisor]\n"
    "  history SERVICE\n"
    "  rollback SERVICE VERSION [--if-match VERSION]\n"
    "  audit [--limit N]\n";

/* The limits line lists the limits table's options (lib/limitsfile.c),
 * so a new limit needs no change here. */
const char *
cli_usage(void)
{
	static char text[2048];
	size_t len;
	int k;

	if (text[0] != '\0')
		return text;
	snprintf(text, sizeof(text), "%s", cli_usage_head);
	for (k = 0; k < LIMIT_KEYS; k++) {
		len = strlen(text);
		snprintf(text + len, sizeof(text) - len, " [%s N]", limits_def(k)->cli);
	}
	len = strlen(text);
	snprintf(text + len, sizeof(text) - len, "%s", cli_usage_tail);
	return text;
}

static int
cli_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int
cli_service_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 32 || name[0] == '-' || name[0] == '_')
		return 0;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

static unsigned long *
cli_number_slot(struct cli *c, unsigned bit)
{
	switch (bit) {
	case CLI_HAS_TOP: return &c->top;
	case CLI_HAS_POSITION: return &c->position;
	case CLI_HAS_LIMIT: return &c->limit;
	}
	return NULL;
}

static int
cli_set_value(struct cli *c, const struct cli_opt *o, const char *v,
    char *err, size_t errlen)
{
	unsigned long *slot = cli_number_slot(c, o->bit);

	if (slot != NULL) {
		if (scan_ulong(v, o->max, slot) == -1)
			return cli_fail(err, errlen, errno == ERANGE ?
			    "--%s: %s is out of range (0 to %lu)" :
			    "--%s: %s is not a number", o->name, v, o->max);
	} else if (strcmp(o->name, "url") == 0)
		c->url = v;
	else if (strcmp(o->name, "token-file") == 0)
		c->token_file = v;
	else if (strcmp(o->name, "config") == 0)
		c->config = v;
	else if (strcmp(o->name, "ca-file") == 0)
		c->ca_file = v;
	else if (strcmp(o->name, "ip") == 0)
		c->ip = v;
	else if (strcmp(o->name, "comment") == 0)
		c->comment = v;
	else if (strcmp(o->name, "if-match") == 0)
		c->if_match = v;
	if (*v == '\0' && slot == NULL && o->bit != CLI_HAS_COMMENT)
		return cli_fail(err, errlen, "--%s: empty value", o->name);
	c->set |= o->bit;
	return 0;
}

/* A limit's option (--max, --per-ip, ...): the value is checked with the
 * limits table's words, as mailctld and the listener check it. 1 when
 * argv[*i] is one, 0 when not, -1 on a bad value. */
static int
cli_limit_option(struct cli *c, char **argv, int argc, int *i, char *err, size_t errlen)
{
	const char *arg = argv[*i], *eq = strchr(arg, '='), *v;
	size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	char why[96];
	int k;

	for (k = 0; k < LIMIT_KEYS; k++)
		if (strlen(limits_def(k)->cli) == n && strncmp(limits_def(k)->cli, arg, n) == 0)
			break;
	if (k == LIMIT_KEYS)
		return 0;
	if (eq != NULL)
		v = eq + 1;
	else if (*i + 1 < argc)
		v = argv[++*i];
	else
		return cli_fail(err, errlen, "%.*s needs a value", (int)n, arg);
	if (limits_value_scan(k, v, strlen(v), &c->limits.n[k], why, sizeof(why)) == -1)
		return cli_fail(err, errlen, "%.*s: %s", (int)n, arg, why);
	c->limits.set[k] = 1;
	c->set |= CLI_HAS_LIMITS;
	return 1;
}

/* Handles argv[*i], an option "--NAME" or "--NAME=VALUE". */
static int
cli_option(struct cli *c, char **argv, int argc, int *i, char *err, size_t errlen)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg), k;
	int r = cli_limit_option(c, argv, argc, i, err, errlen);

	if (r != 0)
		return r;

	for (k = 0; k < sizeof(cli_opts) / sizeof(cli_opts[0]); k++) {
		const struct cli_opt *o = &cli_opts[k];

		if (strlen(o->name) != n || strncmp(o->name, arg, n) != 0)
			continue;
		if (!o->valued) {
			if (eq != NULL)
				return cli_fail(err, errlen, "--%s takes no value", o->name);
			if (strcmp(o->name, "json") == 0)
				c->json = 1;
			else if (strcmp(o->name, "help") == 0)
				c->cmd = CLI_HELP;
			else if (strcmp(o->name, "version") == 0 && c->cmd != CLI_HELP)
				c->cmd = CLI_VERSION;
			c->set |= o->bit;
			return 1;
		}
		if (eq != NULL)
			return cli_set_value(c, o, eq + 1, err, errlen);
		if (*i + 1 >= argc)
			return cli_fail(err, errlen, "--%s needs a value", o->name);
		*i += 1;
		return cli_set_value(c, o, argv[*i], err, errlen);
	}
	return cli_fail(err, errlen, "unknown option: %.*s", (int)n + 2, argv[*i]);
}

/* Splits argv into options (applied to c) and words (into words[]). */
static int
cli_split(struct cli *c, int argc, char **argv, const char **words,
    size_t *nwords, char *err, size_t errlen)
{
	int i, only_words = 0, help = 0;

	*nwords = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (only_words || a[0] != '-' || a[1] == '\0') {
			words[(*nwords)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_words = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0) {
			help = 1;
			continue;
		}
		if (a[1] != '-')
			return cli_fail(err, errlen, "unknown option: %s", a);
		if (cli_option(c, argv, argc, &i, err, errlen) == -1)
			return -1;
	}
	if (help)
		c->cmd = CLI_HELP;
	return 0;
}

static int
cli_service(struct cli *c, const char *name, char *err, size_t errlen)
{
	if (!cli_service_ok(name))
		return cli_fail(err, errlen, "bad service name: %s "
		    "(want [a-z0-9][a-z0-9_-]{0,31})", name);
	c->service = name;
	return 0;
}

static int
cli_rule_vars(struct cli *c, const char **w, size_t n, char *err, size_t errlen)
{
	size_t i;

	if (n == 0)
		return 0;
	c->vars = calloc(n, sizeof(*c->vars));
	if (c->vars == NULL)
		return cli_fail(err, errlen, "out of memory");
	for (i = 0; i < n; i++) {
		const char *eq = strchr(w[i], '=');

		if (eq == NULL || eq == w[i])
			return cli_fail(err, errlen, "want VAR=VALUE, not %s", w[i]);
		c->vars[c->nvars++] = w[i];
	}
	return 0;
}

/* rules SERVICE OP ARGS... (words[0] is "rules"). */
static int
cli_rules(struct cli *c, const char **w, size_t n, char *err, size_t errlen)
{
	const char *op;

	if (n < 3)
		return cli_fail(err, errlen, "rules needs SERVICE and "
		    "list|add|delete|replace|check");
	if (cli_service(c, w[1], err, errlen) == -1)
		return -1;
	op = w[2];
	if (strcmp(op, "list") == 0 && n == 3) {
		c->rules_op = CLI_RULES_LIST;
		return 0;
	}
	if ((strcmp(op, "replace") == 0 || strcmp(op, "check") == 0) && n == 4) {
		c->rules_op = op[0] == 'r' ? CLI_RULES_REPLACE : CLI_RULES_CHECK;
		c->file = w[3];
		return 0;
	}
	if (strcmp(op, "delete") == 0 && n == 4) {
		c->rules_op = CLI_RULES_DELETE;
		if (scan_ulong(w[3], 4294967295UL, &c->rule_id) == -1)
			return cli_fail(err, errlen, "rule id is not a number: %s", w[3]);
		return 0;
	}
	if (strcmp(op, "add") == 0 && n >= 5) {
		c->rules_op = CLI_RULES_ADD;
		c->address = w[3];
		if (strcmp(w[4], "deny") == 0)
			c->deny = 1;
		else if (strcmp(w[4], "allow") != 0)
			return cli_fail(err, errlen, "want allow or deny, not %s", w[4]);
		return cli_rule_vars(c, w + 5, n - 5, err, errlen);
	}
	return cli_fail(err, errlen, "bad rules command (see mailctl --help)");
}

struct cli_command {
	const char *name;
	enum cli_cmd cmd;
	size_t min_words, max_words;	/* counting the command word */
	int needs_service;
	unsigned allowed;		/* CLI_HAS_* */
};

static const struct cli_command cli_commands[] = {
	{ "status", CLI_STATUS, 1, 2, 0, 0 },
	{ "who", CLI_WHO, 2, 2, 1, CLI_HAS_TOP | CLI_HAS_IP },
	{ "limits", CLI_LIMITS, 2, 2, 1, CLI_HAS_LIMITS | CLI_HAS_IF_MATCH },
	{ "rules", CLI_RULES, 3, (size_t)-1, 1,
	    CLI_HAS_POSITION | CLI_HAS_COMMENT | CLI_HAS_STRICT | CLI_HAS_TEXT |
	    CLI_HAS_IF_MATCH },
	{ "reload", CLI_RELOAD, 2, 2, 1, 0 },
	{ "restart", CLI_RESTART, 2, 2, 1, CLI_HAS_SUPERVISOR },
	{ "audit", CLI_AUDIT, 1, 1, 0, CLI_HAS_LIMIT },
	{ "history", CLI_HISTORY, 2, 2, 1, 0 },
	{ "rollback", CLI_ROLLBACK, 3, 3, 1, CLI_HAS_IF_MATCH },
};

/* Options given must belong to the command (and to the rules operation). */
static int
cli_check_options(const struct cli *c, unsigned allowed, const char *name,
    char *err, size_t errlen)
{
	size_t k;

	if (c->cmd == CLI_RULES) {
		if (c->rules_op == CLI_RULES_ADD)
			allowed = CLI_HAS_POSITION | CLI_HAS_COMMENT | CLI_HAS_IF_MATCH;
		else if (c->rules_op == CLI_RULES_DELETE || c->rules_op == CLI_RULES_REPLACE)
			allowed = CLI_HAS_IF_MATCH;
		else if (c->rules_op == CLI_RULES_CHECK)
			allowed = CLI_HAS_STRICT;
		else if (c->rules_op == CLI_RULES_LIST)
			allowed = CLI_HAS_TEXT;
		else
			allowed = 0;
	}
	for (k = 0; k < sizeof(cli_opts) / sizeof(cli_opts[0]); k++)
		if ((c->set & cli_opts[k].bit & ~allowed) != 0)
			return cli_fail(err, errlen, "--%s does not apply to %s",
			    cli_opts[k].name, name);
	for (k = 0; (c->set & CLI_HAS_LIMITS & ~allowed) != 0 && k < LIMIT_KEYS; k++)
		if (c->limits.set[k])
			return cli_fail(err, errlen, "%s does not apply to %s",
			    limits_def(k)->cli, name);
	/* A condition on a read would only ever fail. */
	if (c->cmd == CLI_LIMITS && (c->set & CLI_HAS_IF_MATCH) &&
	    !(c->set & CLI_HAS_LIMITS))
		return cli_fail(err, errlen, "--if-match goes with a change of limits");
	if (c->if_match != NULL && strpbrk(c->if_match, " \t\r\n,") != NULL)
		return cli_fail(err, errlen, "--if-match: one version, without blanks");
	return 0;
}

static int
cli_command(struct cli *c, const char **w, size_t n, char *err, size_t errlen)
{
	const struct cli_command *cmd = NULL;
	size_t k;

	for (k = 0; k < sizeof(cli_commands) / sizeof(cli_commands[0]); k++)
		if (strcmp(cli_commands[k].name, w[0]) == 0)
			cmd = &cli_commands[k];
	if (cmd == NULL)
		return cli_fail(err, errlen, "unknown command: %s", w[0]);
	if (n < cmd->min_words || n > cmd->max_words)
		return cli_fail(err, errlen, cmd->needs_service && n < 2 ?
		    "%s needs a SERVICE" : "wrong number of words for %s", cmd->name);
	c->cmd = cmd->cmd;
	if (cmd->cmd == CLI_RULES) {
		if (cli_rules(c, w, n, err, errlen) == -1)
			return -1;
	} else if (n >= 2 && cli_service(c, w[1], err, errlen) == -1)
		return -1;
	if (cmd->cmd == CLI_ROLLBACK && (scan_ulong(w[2], 99999999UL, &c->version) == -1 ||
	    c->version == 0))
		return cli_fail(err, errlen, "version is not a number from 1: %s", w[2]);
	return cli_check_options(c, cmd->allowed, cmd->name, err, errlen);
}

int
cli_parse(struct cli *c, int argc, char **argv, char *err, size_t errlen)
{
	const char **words;
	size_t n;
	int r;

	memset(c, 0, sizeof(*c));
	if (errlen > 0)
		err[0] = '\0';
	words = calloc((size_t)argc + 1, sizeof(*words));
	if (words == NULL)
		return cli_fail(err, errlen, "out of memory");
	r = cli_split(c, argc, argv, words, &n, err, errlen);
	if (r == 0 && c->cmd != CLI_HELP && c->cmd != CLI_VERSION) {
		if (n == 0)
			r = cli_fail(err, errlen, "no command (see mailctl --help)");
		else
			r = cli_command(c, words, n, err, errlen);
	}
	free(words);
	if (r == -1)
		cli_free(c);
	return r;
}

void
cli_free(struct cli *c)
{
	free(c->vars);
	c->vars = NULL;
	c->nvars = 0;
}
