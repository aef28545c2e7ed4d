/* options.h: mailstack-tcpserver's command line, parsed as ucspi-tcp 0.88's
 * sgetopt does (bundling, attached or next-word arguments, stop at the first
 * non-option, "--" consumed, a lone "-" is the host), plus the IPv6 build's
 * -4 -6 -I and our extensions. */
#ifndef MAILSTACK_TCPSERVER_OPTIONS_H
#define MAILSTACK_TCPSERVER_OPTIONS_H

#include <stddef.h>
#include <sys/types.h>

enum refusal_preset {
	PRESET_NONE = 0,	/* use the -C/-N message as given (or none) */
	PRESET_IMAP,		/* "* BYE [UNAVAILABLE] ..." */
	PRESET_SMTP,		/* "421 4.7.0 ..." */
	PRESET_POP3		/* "-ERR [SYS/TEMP] ..." */
};

/* Most -a options. */
#define OPTIONS_MAX_ALLOW 16

/* A control socket peer allowed by -a uid:ID or -a gid:ID. */
struct ctl_allow {
	int is_gid;
	unsigned long id;
};

struct server_options {
	/* ucspi-tcp 0.88, with its defaults */
	int verbosity;			/* -q 0, -Q 1 (default), -v 2 */
	int print_port;			/* -1 */
	int rules_missing_ok;		/* -X */
	const char *rules_path;		/* -x, NULL = no rules */
	int paranoid;			/* -p on, -P off (default) */
	int remote_host_lookup;		/* -h on (default), -H off */
	int remote_info_lookup;		/* -r on (default), -R off */
	int keep_ip_options;		/* -o on, -O off (default) */
	int nodelay;			/* -D on, -d off (default) */
	unsigned long limit;		/* -c, default 40 */
	const char *banner;		/* -B, "" default */
	uid_t uid;			/* -u (number or name), -U; 0 = keep */
	gid_t gid;			/* -g (number or name), -U; 0 = keep */
	unsigned long backlog;		/* -b, default 20 */
	const char *local_name;		/* -l, NULL = look up the local name */
	unsigned long ident_timeout;	/* -t seconds, default 26 */

	/* the IPv6 build */
	int family;			/* 0 as the host says, 4 (-4) or 6 (-6) */
	const char *interface;		/* -I, NULL = none */

	/* extensions */
	unsigned long per_ip_limit;	/* -C n[:msg]; 0 = no per-IP limit */
	char *per_ip_msg;		/* -C's msg unescaped (\r \n \\), owned; NULL = none */
	unsigned long per_net_limit;	/* -N n[:msg]; 0 = no per-network limit */
	char *per_net_msg;		/* owned; NULL = none */
	unsigned ip6_prefix;		/* -k: IPv6 clients counted per /N as one IP, default 64 */
	unsigned net4_prefix;		/* -K v4,v6: network sizes, default 24 */
	unsigned net6_prefix;		/*          and 48 */
	enum refusal_preset preset;	/* -m imap|smtp|pop3 */
	int notify_fd;			/* -w FD: write "\n" once listening, then close; -1 = off */
	const char *ctl_path;		/* -s: control socket, NULL = none */
	const char *limits_path;	/* -f: limits file, NULL = none */
	struct ctl_allow allow[OPTIONS_MAX_ALLOW];	/* -a */
	size_t nallow;

	/* operands */
	const char *host;
	const char *port;
	char **prog;			/* NULL-terminated, borrowed from argv;
					 * NULL when missing (a usage error) */
};

/* Largest -c, -C and -N, and of the limits file's values. */
#define OPTIONS_MAX_LIMIT 1000000UL

/* 0.88's usage line after "PROG: usage: PROG " (the program name is the
 * basename of argv[0], as in the getopt messages). */
extern const char options_usage[];

/* Parses argv into o. On a usage error writes the message (tcpserver's
 * "illegal option -- Z" / "option requires an argument -- c" or a
 * description of the bad value) into err and returns -1; the caller prints
 * it and the usage line and exits 100. A missing host or port returns -1
 * with err empty: 0.88 prints only the usage line then, and not at all
 * under -q (o->verbosity is already set). A missing program is not an
 * error here: o->prog is NULL, and the caller gives the usage line only
 * after the port was understood (0.88 complains about a bad port first).
 * Returns 0 on success.
 * Numbers are strict (no "-c 3x"), -u/-g take names, -U reads $UID/$GID. */
int options_parse(struct server_options *o, int argc, char **argv,
    char *err, size_t errlen);
void options_free(struct server_options *o);

/* Copies n bytes of s, turning \r \n \\ into CR, LF, backslash (other
 * backslashes are kept). Returns a malloc'd NUL-terminated string or NULL
 * (ENOMEM). Also used for DIEMSG-style texts. */
char *options_unescape(const char *s, size_t n);

#endif
