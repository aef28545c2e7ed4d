/* options.c: mailstack-tcpserver's command line, read the way ucspi-tcp
 * 0.88's sgetopt reads it, but with strict numbers and resolved names. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limitsfile.h"
#include "scan.h"
#include "options.h"

/* 0.88's usage line, kept byte for byte (after "PROG: usage: PROG ") so
 * that scripts and tests comparing with tcpserver see the same text; the
 * extensions are documented in the manual page. */
const char options_usage[] = "[ -1UXpPhHrRoOdDqQv ] [ -c limit ] "
    "[ -x rules.cdb ] [ -B banner ] [ -g gid ] [ -u uid ] [ -b backlog ] "
    "[ -l localname ] [ -t timeout ] host port program";

static const char optstring[] =
    "1UXpPhHrRoOdDqQv46x:c:B:g:u:b:l:t:I:C:N:k:K:m:w:s:f:a:";

/* sgetopt's state: the word being read and the position in it. */
struct sgetopt {
	int ind;
	int pos;
	const char *arg;
	char problem;
};

#define SGETOPT_DONE (-1)

static int
opt_takes_arg(char c, int *known)
{
	const char *s;

	*known = 0;
	for (s = optstring; *s != '\0'; s++) {
		if (*s == ':')
			continue;
		if (*s == c) {
			*known = 1;
			return s[1] == ':';
		}
	}
	return 0;
}

/* The 0.88 algorithm: any word starting with "--" ends the options and is
 * consumed (so "--foo" vanishes too), a lone "-" ends them and stays; an
 * option's argument is the rest of the word or, failing that, the next
 * word whatever it looks like. */
static int
sgetopt_next(struct sgetopt *g, int argc, char **argv)
{
	const char *w;
	int known;
	char c;

	g->arg = NULL;
	if (g->ind >= argc || argv[g->ind] == NULL)
		return SGETOPT_DONE;
	if (g->pos > 0 && argv[g->ind][g->pos] == '\0') {
		g->ind++;
		g->pos = 0;
		if (g->ind >= argc || argv[g->ind] == NULL)
			return SGETOPT_DONE;
	}
	w = argv[g->ind];
	if (g->pos == 0) {
		if (w[0] != '-')
			return SGETOPT_DONE;
		if (w[1] == '-' || w[1] == '\0') {
			if (w[1] != '\0')
				g->ind++;
			return SGETOPT_DONE;
		}
		g->pos = 1;
	}
	c = w[g->pos++];
	if (!opt_takes_arg(c, &known)) {
		if (!known) {
			g->problem = c;
			return '?';
		}
		return (unsigned char)c;
	}
	g->arg = w + g->pos;
	g->ind++;
	g->pos = 0;
	if (*g->arg == '\0') {
		if (g->ind >= argc || argv[g->ind] == NULL) {
			g->problem = c;
			g->arg = NULL;
			return ':';
		}
		g->arg = argv[g->ind++];
	}
	return (unsigned char)c;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
parse_number(const char *s, unsigned long max, unsigned long *out, char opt,
    char *err, size_t errlen)
{
	if (scan_ulong(s, max, out) == 0)
		return 0;
	if (errno == ERANGE)
		return fail(err, errlen, "number too large for -%c: %s (at most %lu)",
		    opt, s, max);
	return fail(err, errlen, "not a number for -%c: %s", opt, s);
}

/* 0.88 reads "-u nobody" as 0 (keep root), silently; a name is resolved
 * here instead, and an unknown one is an error. */
static int
parse_uid(const char *s, uid_t *out, char *err, size_t errlen)
{
	unsigned long v;
	struct passwd *pw;

	if (scan_ulong(s, (uid_t)-2, &v) == 0) {
		*out = (uid_t)v;
		return 0;
	}
	errno = 0;
	pw = getpwnam(s);
	if (pw == NULL)
		return fail(err, errlen, "unknown user for -u: %s", s);
	*out = pw->pw_uid;
	return 0;
}

static int
parse_gid(const char *s, gid_t *out, char *err, size_t errlen)
{
	unsigned long v;
	struct group *gr;

	if (scan_ulong(s, (gid_t)-2, &v) == 0) {
		*out = (gid_t)v;
		return 0;
	}
	errno = 0;
	gr = getgrnam(s);
	if (gr == NULL)
		return fail(err, errlen, "unknown group for -g: %s", s);
	*out = gr->gr_gid;
	return 0;
}

/* -U: $UID and $GID, each only when set. */
static int
parse_env_ids(struct server_options *o, char *err, size_t errlen)
{
	const char *x;
	unsigned long v;

	x = getenv("UID");
	if (x != NULL) {
		if (scan_ulong(x, (uid_t)-2, &v) < 0)
			return fail(err, errlen, "not a number in $UID for -U: %s", x);
		o->uid = (uid_t)v;
	}
	x = getenv("GID");
	if (x != NULL) {
		if (scan_ulong(x, (gid_t)-2, &v) < 0)
			return fail(err, errlen, "not a number in $GID for -U: %s", x);
		o->gid = (gid_t)v;
	}
	return 0;
}

/* tcpsvd's message escapes: \r, \n and \\; any other backslash is kept. */
char *
options_unescape(const char *s, size_t n)
{
	char *out, *p;
	size_t i;

	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	p = out;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n &&
		    (s[i + 1] == 'r' || s[i + 1] == 'n' || s[i + 1] == '\\')) {
			i++;
			*p++ = s[i] == 'r' ? '\r' : s[i] == 'n' ? '\n' : '\\';
		} else
			*p++ = s[i];
	}
	*p = '\0';
	return out;
}

/* -C and -N: "n" or "n:msg". */
static int
parse_limit_msg(const char *s, unsigned long *limit, char **msg, char opt,
    char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (scan_ulong_n(s, n, OPTIONS_MAX_LIMIT, limit) < 0)
		return fail(err, errlen, "bad limit for -%c: %s", opt, s);
	free(*msg);
	*msg = NULL;
	if (colon != NULL) {
		*msg = options_unescape(colon + 1, strlen(colon + 1));
		if (*msg == NULL)
			return fail(err, errlen, "out of memory");
	}
	return 0;
}

/* -K v4bits,v6bits */
static int
parse_net_prefixes(struct server_options *o, const char *s, char *err,
    size_t errlen)
{
	const char *comma = strchr(s, ',');
	unsigned long v4, v6;

	if (comma == NULL ||
	    scan_ulong_n(s, (size_t)(comma - s), 32, &v4) < 0 ||
	    scan_ulong(comma + 1, 128, &v6) < 0)
		return fail(err, errlen,
		    "bad prefixes for -K: %s (want v4bits,v6bits)", s);
	o->net4_prefix = (unsigned)v4;
	o->net6_prefix = (unsigned)v6;
	return 0;
}

static int
parse_preset(struct server_options *o, const char *s, char *err, size_t errlen)
{
	if (strcmp(s, "imap") == 0)
		o->preset = PRESET_IMAP;
	else if (strcmp(s, "smtp") == 0)
		o->preset = PRESET_SMTP;
	else if (strcmp(s, "pop3") == 0)
		o->preset = PRESET_POP3;
	else
		return fail(err, errlen, "unknown protocol for -m: %s "
		    "(want imap, smtp or pop3)", s);
	return 0;
}

/* -a uid:ID or -a gid:ID, ID a number or a name. */
static int
parse_allow(struct server_options *o, const char *s, char *err, size_t errlen)
{
	struct ctl_allow *a;
	uid_t uid;
	gid_t gid;

	if (o->nallow == OPTIONS_MAX_ALLOW)
		return fail(err, errlen, "too many -a (at most %d)",
		    OPTIONS_MAX_ALLOW);
	a = &o->allow[o->nallow];
	if (strncmp(s, "uid:", 4) == 0) {
		if (parse_uid(s + 4, &uid, err, errlen) < 0)
			return fail(err, errlen, "unknown user for -a: %s", s);
		a->id = uid;
	} else if (strncmp(s, "gid:", 4) == 0) {
		if (parse_gid(s + 4, &gid, err, errlen) < 0)
			return fail(err, errlen, "unknown group for -a: %s", s);
		a->id = gid;
		a->is_gid = 1;
	} else
		return fail(err, errlen, "bad peer for -a: %s "
		    "(want uid:ID or gid:ID)", s);
	o->nallow++;
	return 0;
}

static void
set_defaults(struct server_options *o)
{
	memset(o, 0, sizeof *o);
	o->verbosity = 1;
	o->remote_host_lookup = 1;
	o->remote_info_lookup = 1;
	/* 0.88's -c 40, -C and -N off: the limits table's defaults. */
	o->limit = limits_def(LIMIT_MAX_CONNECTIONS)->dflt;
	o->per_ip_limit = limits_def(LIMIT_MAX_PER_IP)->dflt;
	o->per_net_limit = limits_def(LIMIT_MAX_PER_NETWORK)->dflt;
	o->banner = "";
	o->backlog = 20;
	o->ident_timeout = 26;
	o->ip6_prefix = 64;
	o->net4_prefix = 24;
	o->net6_prefix = 48;
	o->notify_fd = -1;
}

static int
apply_flag(struct server_options *o, int c)
{
	switch (c) {
	case '1': o->print_port = 1; break;
	case 'X': o->rules_missing_ok = 1; break;
	case 'p': o->paranoid = 1; break;
	case 'P': o->paranoid = 0; break;
	case 'h': o->remote_host_lookup = 1; break;
	case 'H': o->remote_host_lookup = 0; break;
	case 'r': o->remote_info_lookup = 1; break;
	case 'R': o->remote_info_lookup = 0; break;
	case 'o': o->keep_ip_options = 1; break;
	case 'O': o->keep_ip_options = 0; break;
	case 'd': o->nodelay = 0; break;
	case 'D': o->nodelay = 1; break;
	case 'q': o->verbosity = 0; break;
	case 'Q': o->verbosity = 1; break;
	case 'v': o->verbosity = 2; break;
	case '4': o->family = 4; break;
	case '6': o->family = 6; break;
	default: return 0;
	}
	return 1;
}

static int
apply_number(struct server_options *o, int c, const char *a, char *err,
    size_t errlen)
{
	unsigned long v;

	switch (c) {
	case 'c':
		return parse_number(a, OPTIONS_MAX_LIMIT, &o->limit, 'c', err, errlen);
	case 'b':
		return parse_number(a, 2147483647UL, &o->backlog, 'b', err, errlen);
	case 't':
		return parse_number(a, 2147483647UL, &o->ident_timeout, 't', err,
		    errlen);
	case 'k':
		if (parse_number(a, 128, &v, 'k', err, errlen) < 0)
			return -1;
		o->ip6_prefix = (unsigned)v;
		return 0;
	case 'w':
		if (parse_number(a, 2147483647UL, &v, 'w', err, errlen) < 0)
			return -1;
		o->notify_fd = (int)v;
		return 0;
	}
	return 1;
}

static int
apply_arg(struct server_options *o, int c, const char *a, char *err,
    size_t errlen)
{
	int r = apply_number(o, c, a, err, errlen);

	if (r <= 0)
		return r;
	switch (c) {
	case 'x': o->rules_path = a; return 0;
	case 'B': o->banner = a; return 0;
	case 'l': o->local_name = a; return 0;
	case 'I': o->interface = a; return 0;
	case 'u': return parse_uid(a, &o->uid, err, errlen);
	case 'g': return parse_gid(a, &o->gid, err, errlen);
	case 'C':
		return parse_limit_msg(a, &o->per_ip_limit, &o->per_ip_msg, 'C',
		    err, errlen);
	case 'N':
		return parse_limit_msg(a, &o->per_net_limit, &o->per_net_msg, 'N',
		    err, errlen);
	case 'K': return parse_net_prefixes(o, a, err, errlen);
	case 'm': return parse_preset(o, a, err, errlen);
	case 's': o->ctl_path = a; return 0;
	case 'f': o->limits_path = a; return 0;
	case 'a': return parse_allow(o, a, err, errlen);
	}
	return fail(err, errlen, "illegal option -- %c", c);
}

/* A missing host or port leaves err empty, a missing program only
 * o->prog NULL: see options_parse in options.h. */
static int
parse_operands(struct server_options *o, int argc, char **argv, int ind)
{
	if (ind >= argc || argv[ind] == NULL)
		return -1;
	o->host = argv[ind++];
	if (ind >= argc || argv[ind] == NULL)
		return -1;
	o->port = argv[ind++];
	if (ind < argc && argv[ind] != NULL)
		o->prog = argv + ind;
	return 0;
}

int
options_parse(struct server_options *o, int argc, char **argv, char *err,
    size_t errlen)
{
	struct sgetopt g = { 1, 0, NULL, 0 };
	int c;

	set_defaults(o);
	err[0] = '\0';
	while ((c = sgetopt_next(&g, argc, argv)) != SGETOPT_DONE) {
		if (c == '?')
			return fail(err, errlen, "illegal option -- %c", g.problem);
		if (c == ':')
			return fail(err, errlen, "option requires an argument -- %c",
			    g.problem);
		if (c == 'U') {
			if (parse_env_ids(o, err, errlen) < 0)
				return -1;
		} else if (!apply_flag(o, c) &&
		    apply_arg(o, c, g.arg, err, errlen) < 0)
			return -1;
	}
	return parse_operands(o, argc, argv, g.ind);
}

void
options_free(struct server_options *o)
{
	free(o->per_ip_msg);
	free(o->per_net_msg);
	o->per_ip_msg = NULL;
	o->per_net_msg = NULL;
}
