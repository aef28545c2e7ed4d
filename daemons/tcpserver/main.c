/* main.c: mailstack-tcpserver: options, socket, privileges, then the loop. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "options.h"
#include "privs.h"
#include "server.h"

/* 0.88 prints getopt complaints even under -q (its -q takes effect after
 * parsing) but a bare usage line for missing operands only without -q. */
static void __attribute__((noreturn))
usage(const struct server_options *o, const char *err)
{
	if (err[0] != '\0')
		log_line(0, "%s", err);
	if (err[0] != '\0' || o->verbosity > 0)
		log_line(0, "usage: %s %s", log_prog(), options_usage);
	_exit(EX_PERM);
}

/* With fd 0, 1 or 2 closed, the socket could land on one of them and be
 * closed below with the standard descriptors. */
static void
fill_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static void
write_line(int fd, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0 && (w = write(fd, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

/* As tcpserver, the starter's fds 0 and 1 are let go (a reader of -1's
 * port line sees its end); /dev/null takes their place instead of
 * leaving them free, so that no socket of the listener lands on 0 or 1
 * and a re-exec finds the same descriptors each time. */
static void
release_std_fds(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0) {
		close(0);
		close(1);
	}
	if (fd > 1)
		close(fd);
}

/* -1's port on fd 1, -w's readiness newline, then fds 0 and 1 go, as in
 * tcpserver (fd 2 stays for the log). */
static void
announce(const struct server *s, const struct server_options *o)
{
	char num[16];

	/* Whoever waits for the port or readiness finds the start-up's
	 * warnings written already. */
	(void)log_batch_flush();
	if (o->print_port) {
		snprintf(num, sizeof num, "%u\n", s->listener.port);
		write_line(1, num);
	}
	if (o->notify_fd >= 0) {
		write_line(o->notify_fd, "\n");
		close(o->notify_fd);
	}
	release_std_fds();
	/* 0/N as in tcpserver, unless sessions were adopted. */
	server_log_status(s, conn_table_count(&s->table));
}

int
main(int argc, char **argv)
{
	static struct server_options o;
	static struct server s;
	char err[256];
	unsigned port;

	log_set_prog(argv[0]);
	fill_std_fds();
	if (options_parse(&o, argc, argv, err, sizeof err) < 0)
		usage(&o, err);
	log_verbosity = o.verbosity;
	/* 0.88's order: port, then program, then the host's address. */
	if (listen_parse_port(o.port, &port) < 0)
		die_x(EX_TEMP, "unable to figure out port number for %s", o.port);
	if (o.prog == NULL)
		usage(&o, "");
	/* From here on the log never holds the listener (lib/logbatch.c):
	 * the loop writes it; a fatal error waits a moment for it. */
	(void)log_batch_start(LOG_BATCH_MAX);
	server_reexec_init(&s, argv);
	server_init(&s, &o);
	if (server_reexec_inherited(&s)) {
		/* The old image dropped them: they must be as asked. */
		privs_check(o.uid, o.gid);
		server_spawn_start(&s);
		server_reexec_answer(&s);
		server_run(&s);
	}
	listen_open(&s.listener, &o, port);
	ctl_open(&s.ctl, &o);
	/* As root, before the drop: other users' sessions can be seen. */
	server_adopt_scan(&s);
	privs_drop(o.uid, o.gid);
	server_spawn_start(&s);
	announce(&s, &o);
	server_run(&s);
}
