/* main.c: mailctld, the HTTP JSON control API of mailstack: options,
 * setup, and waiting for a signal while libmicrohttpd's threads serve. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/log.h"
#include "web/api.h"
#include "web/httpserver.h"
#include "web/token.h"

extern const unsigned char openapi_json[];
extern const unsigned long openapi_json_len;

#define USAGE "mailctld [-1] [-f CONF] [-l ADDR:PORT] [-k TOKENS] [-t NAME SCOPE]"

struct opts {
	const char *conf;
	const char *listen;
	const char *tokens;
	int print_port;
	int make_token;
};

static void
parse_options(int argc, char **argv, struct opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->conf = MAILSTACK_SYSCONFDIR "/mailstack/mailctld.conf";
	while ((ch = getopt(argc, argv, "1f:l:k:tV")) != -1) {
		switch (ch) {
		case '1': o->print_port = 1; break;
		case 'f': o->conf = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'k': o->tokens = optarg; break;
		case 't': o->make_token = 1; break;
		case 'V': printf("mailctld %s\n", MAILSTACK_VERSION); exit(0);
		default: die_usage(USAGE);
		}
	}
	if (o->make_token ? argc - optind != 2 : argc != optind)
		die_usage(USAGE);
}

/* -t NAME SCOPE: the token on stdout once, its hash into the tokens file. */
static void
make_token(const char *path, const char *name, const char *scope)
{
	char token[65];

	if (token_generate(path, name, scope, token) == -1) {
		if (errno == EEXIST)
			die_x(EX_PERM, "token name %s is already in %s", name, path);
		if (errno == EINVAL)
			die_x(EX_PERM, "unable to add a token: need NAME (printable, "
			    "no blanks, 64 bytes at most) and SCOPE read or admin, and a "
			    "valid %s", path);
		die_sys(EX_TEMP, "unable to write %s", path);
	}
	printf("%s\n", token);
	if (fflush(stdout) == EOF)
		die_sys(EX_TEMP, "unable to write the token");
	exit(0);
}

/* -l and -k win over the file, at the start and at every SIGHUP. */
static int
apply_options(const struct opts *o, struct mailctld_conf *conf)
{
	if ((o->listen != NULL && (free(conf->listen), conf->listen = strdup(o->listen)) == NULL) ||
	    (o->tokens != NULL && (free(conf->tokens), conf->tokens = strdup(o->tokens)) == NULL))
		return -1;
	return 0;
}

static void
load_conf(const struct opts *o, struct mailctld_conf *conf)
{
	char err[256];

	if (conf_load(conf, o->conf, err, sizeof(err)) == -1) {
		if (errno == EINVAL)
			die_x(EX_PERM, "unable to read %s: %s", o->conf, err);
		if (errno != ENOENT || !o->make_token || o->tokens == NULL)
			die_sys(EX_TEMP, "unable to read %s", o->conf);
		conf_parse(conf, "", 0, err, sizeof(err));
	}
	if (apply_options(o, conf) == -1)
		die_sys(EX_TEMP, "unable to allocate memory");
}

/* A bad address is a configuration error (100), not a bind failure. */
static void
check_listen(const char *listen)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (http_parse_listen(listen, &ss, &sl) == -1)
		die_x(EX_PERM, "bad listen address %s: want ADDR:PORT or [ADDR]:PORT, "
		    "numeric", listen);
}

/* Writes would fail later with a less clear answer. */
static void
check_services(const struct mailctld_conf *conf)
{
	struct stat st;
	size_t i;

	for (i = 0; i < conf->nservices; i++)
		if (stat(conf->services[i].config, &st) == -1 || !S_ISDIR(st.st_mode))
			log_warn("service %s: config folder %s is missing",
			    conf->services[i].name, conf->services[i].config);
}

/* Token hashes are not tokens, but a readable file invites offline
 * guessing of weak hand-made ones. */
static void
warn_tokens_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		log_warn_sys("unable to stat %s (no token will work until it exists)", path);
	else if ((st.st_mode & 077) != 0)
		log_warn("%s is readable by group or others (mode %03o); 0600 is safer", path,
		    (unsigned)(st.st_mode & 0777));
}

static int
differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

/* SIGHUP: the file again; services, tokens, state, audit and metrics-top
 * take effect for the requests that start from now on (those under way,
 * and the connections, go on). A file that does not parse changes
 * nothing. The sockets were bound at the start: their lines wait for the
 * next one. */
static void
reload(struct api_ctx *ctx, const struct opts *o, const struct mailctld_conf *started)
{
	struct mailctld_conf *conf = calloc(1, sizeof(*conf));
	char err[256];

	if (conf == NULL || conf_load(conf, o->conf, err, sizeof(err)) == -1) {
		if (conf != NULL && errno == EINVAL)
			log_warn("SIGHUP: %s:%s; the configuration in force is kept", o->conf, err);
		else
			log_warn_sys("SIGHUP: unable to read %s; the configuration in force is "
			    "kept", o->conf);
		free(conf);
		return;
	}
	if (apply_options(o, conf) == -1 || api_ctx_set_conf(ctx, conf) == -1) {
		log_warn_sys("SIGHUP: unable to put %s in force; the configuration in force "
		    "is kept", o->conf);
		return;
	}
	if (differs(conf->listen, started->listen) || differs(conf->unix_path,
	    started->unix_path) || differs(conf->tls_cert, started->tls_cert) ||
	    differs(conf->tls_key, started->tls_key))
		log_warn("SIGHUP: listen, unix, tls-cert and tls-key changes take effect at "
		    "the next start");
	check_services(conf);
	warn_tokens_mode(conf->tokens);
	log_info("SIGHUP: %s read again: %zu services, tokens %s", o->conf, conf->nservices,
	    conf->tokens);
}

/* Waits for TERM or INT (blocked in every thread); HUP reloads. */
static void
run(struct api_ctx *ctx, const struct opts *o, const struct mailctld_conf *started)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload(ctx, o, started);
			continue;
		}
		return;
	}
}

int
main(int argc, char **argv)
{
	struct mailctld_conf conf;
	struct http_server hs;
	struct api_ctx ctx;
	struct opts o;
	sigset_t set;
	char err[256];

	log_set_prog(argv[0]);
	log_verbosity = 2;
	parse_options(argc, argv, &o);
	load_conf(&o, &conf);
	if (o.make_token)
		make_token(conf.tokens, argv[optind], argv[optind + 1]);
	check_listen(conf.listen);
	check_services(&conf);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before the server starts so that its threads inherit it. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	warn_tokens_mode(conf.tokens);
	if (api_ctx_init(&ctx, &conf) == -1)
		die_sys(EX_TEMP, "unable to allocate memory");
	ctx.openapi = (const char *)openapi_json;
	ctx.openapi_len = openapi_json_len;
	if (http_start(&hs, &ctx, &conf, err, sizeof(err)) == -1)
		die_sys(EX_TEMP, "unable to %s", err);
	if (o.print_port) {
		printf("%u\n", hs.port);
		fflush(stdout);
	}
	log_info("listening on %s port %u%s", conf.listen, hs.port,
	    conf.tls_cert != NULL ? " (TLS)" : "");
	run(&ctx, &o, &conf);
	http_stop(&hs);
	api_ctx_free(&ctx);
	conf_free(&conf);
	return 0;
}
