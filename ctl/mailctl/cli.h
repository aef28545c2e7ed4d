/* cli.h: the mailctl command line, parsed into a struct without side effects. */
#ifndef MAILSTACK_CTL_CLI_H
#define MAILSTACK_CTL_CLI_H

#include <stddef.h>

#include "limitsfile.h"

/* Exit codes (mailctl.1, contract D). */
#define CTL_EX_OK 0
#define CTL_EX_USAGE 64		/* bad command line or config file */
#define CTL_EX_AUTH 65		/* 401, 403, 429 */
#define CTL_EX_NOTFOUND 66	/* 404 */
#define CTL_EX_INVALID 67	/* 400, 409, 412, 413, other 4xx; rules check errors */
#define CTL_EX_SERVER 69	/* unreachable, timeout, 5xx, unreadable reply */
#define CTL_EX_LOCAL 111	/* a local system failure (EX_TEMP) */

#define CTL_MAX_LIMIT 1000000UL

enum cli_cmd {
	CLI_NONE,
	CLI_HELP,
	CLI_VERSION,
	CLI_STATUS,
	CLI_WHO,
	CLI_LIMITS,
	CLI_RULES,
	CLI_RELOAD,
	CLI_RESTART,
	CLI_AUDIT,
	CLI_HISTORY,
	CLI_ROLLBACK
};

enum cli_rules_op {
	CLI_RULES_LIST,
	CLI_RULES_ADD,
	CLI_RULES_DELETE,
	CLI_RULES_REPLACE,
	CLI_RULES_CHECK
};

/* Bits of cli.set: which valued options were given. */
#define CLI_HAS_TOP		0x01u
#define CLI_HAS_IP		0x02u
#define CLI_HAS_LIMITS		0x04u	/* one of the limits table's options */
#define CLI_HAS_POSITION	0x20u
#define CLI_HAS_COMMENT		0x40u
#define CLI_HAS_LIMIT		0x80u
#define CLI_HAS_STRICT		0x100u
#define CLI_HAS_TEXT		0x200u
#define CLI_HAS_IF_MATCH	0x400u
#define CLI_HAS_SUPERVISOR	0x800u	/* restart through s6, not a re-exec */

/* Every string points into argv. */
struct cli {
	enum cli_cmd cmd;
	int json;
	const char *url;
	const char *token_file;
	const char *config;
	const char *ca_file;
	const char *service;	/* NULL for status of all, audit, help */
	enum cli_rules_op rules_op;
	const char *file;	/* rules replace/check */
	const char *address;	/* rules add */
	int deny;		/* rules add: deny, else allow */
	const char **vars;	/* rules add: VAR=VALUE words (owned array) */
	size_t nvars;
	unsigned long rule_id;	/* rules delete */
	unsigned long version;	/* rollback */
	unsigned set;		/* CLI_HAS_* */
	unsigned long top, position, limit;
	struct limits_file limits;	/* limits: the values given, by the table's options */
	const char *ip;
	const char *comment;
	const char *if_match;	/* as given; ctl adds the quotes when missing */
};

/* Parses argv (argv[0] is the program). Returns 0, or -1 with a message
 * for people in err (the caller prints it and exits CTL_EX_USAGE).
 * cli_free releases what a successful parse allocated. */
int cli_parse(struct cli *c, int argc, char **argv, char *err, size_t errlen);
void cli_free(struct cli *c);

/* 1 if name is a service name as the API accepts it:
 * [a-z0-9][a-z0-9_-]{0,31}. */
int cli_service_ok(const char *name);

/* The usage text (several lines, ends in '\n'). */
const char *cli_usage(void);

#endif
