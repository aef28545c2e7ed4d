/* tcpserver_ctl_it_adopt.c: a listener that starts after another one of
 * the same port died (kill -9) adopts its sessions: they are listed as
 * before (marked adopted), count against -c and -C, and their ends free
 * the slot within 1 s; 300 sessions from 50 addresses are all adopted
 * within 2 s; sessions of another user are adopted by a root listener,
 * and reported as unadopted by one without the right to inspect them. A
 * re-exec whose state is of another version or truncated falls back to
 * adoption. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tcpserver_ctl_it_life.h"
#include "tcpserver_ctl_util.h"

TestSuite(ctl_adopt, .fini = harness_cleanup, .timeout = 120);

/* Kills only the listener (its sessions stay, as after a crash). */
static void
crash(struct ctl_it *t)
{
	cr_assert_eq(kill(t->p.pid, SIGKILL), 0);
	cr_assert_eq(harness_wait_exit(&t->p, HARNESS_TIMEOUT_MS), 0);
}

/* A listener with n held sessions (fds), then crashed. */
static void
crashed_with_sessions(struct ctl_it *a, const char *const *extra, int *fds,
    int n)
{
	pid_t pid;
	int i;

	ctl_it_init(a);
	ctl_it_start(a, extra, NULL);
	for (i = 0; i < n; i++)
		cr_assert_geq(fds[i] = ctl_it_hold(a, NULL, &pid,
		    HARNESS_TIMEOUT_MS), 0);
	crash(a);
}

/* A second listener on the port of first, in first's folder. */
static void
successor(const struct ctl_it *first, struct ctl_it *t, char *port,
    size_t portlen, const char *const *extra)
{
	ctl_it_init(t);
	snprintf(port, portlen, "%ld", first->port);
	t->port_arg = port;
	ctl_it_start(t, extra, NULL);
	cr_assert_eq(t->port, first->port);
}

Test(ctl_adopt, kill9_sessions_listed_counted_and_ended)
{
	const char *const extra[] = { "-c", "10", "-C", "2", NULL };
	const char *src[] = { "127.0.0.1", "127.0.0.1", "127.0.0.2",
	    "127.0.0.3" };
	struct ctl_it a, b;
	pid_t pids[4], pid;
	int fds[4], i;
	char port[16], *before, *after, *st;

	ctl_it_init(&a);
	ctl_it_start(&a, extra, NULL);
	for (i = 0; i < 4; i++)
		cr_assert_geq(fds[i] = ctl_it_hold(&a, src[i], &pids[i],
		    HARNESS_TIMEOUT_MS), 0);
	before = ctl_it_request(&a, "connections");
	crash(&a);

	successor(&a, &b, port, sizeof port, extra);
	st = ctl_it_request(&b, "status");
	cr_assert_eq(ctl_it_num(st, "live"), 4, "%s", st);
	cr_assert_eq(ctl_it_num(st, "adopted"), 4);
	cr_assert_not_null(strstr(st, "\nrestored adoption\n"), "%s", st);
	free(st);
	after = ctl_it_request(&b, "connections");
	cr_assert_not_null(strstr(after, " adopted 2 pids "), "%s", after);
	st = life_strip_adopted(after);
	free(after);
	after = life_strip_adopted(before);
	/* The start times come from /proc (clock ticks): the same second
	 * but for a tick's rounding; the rest is byte for byte. */
	cr_assert_eq(strlen(st), strlen(after), "%s\n%s", st, after);
	free(st);
	free(after);
	cr_assert_eq(harness_wait_stderr(&b.p, "adopted 4 sessions of an "
	    "earlier listener", 1, HARNESS_TIMEOUT_MS), 0);

	/* Counted against -C 2: a third from 127.0.0.1 is refused. */
	cr_assert_lt(ctl_it_hold(&b, "127.0.0.1", &pid, 500), 0);
	for (i = 0; i < 4; i++)
		cr_assert(ctl_it_alive(fds[i]));
	close(fds[0]);
	cr_assert_eq(life_wait_live(&b, 3, 1000), 0, "the end frees the slot "
	    "within 1 s");
	cr_assert_eq(harness_wait_stderr(&b.p, "end ", 1, 1000), 0);
	cr_assert_geq(fds[0] = ctl_it_hold(&b, "127.0.0.1", &pid,
	    HARNESS_TIMEOUT_MS), 0, "the freed slot is given again");
	free(before);
	harness_kill(&b.p);
}

/* pid is one of the numbers after " pids " on some line of block. */
static int
has_pid(const char *block, pid_t pid)
{
	const char *p = block;
	char *end;

	while ((p = strstr(p, " pids ")) != NULL) {
		p += 6;
		for (;;) {
			if (strtol(p, &end, 10) == pid)
				return 1;
			if (*end != ',')
				break;
			p = end + 1;
		}
	}
	return 0;
}

Test(ctl_adopt, three_hundred_sessions_from_fifty_addresses_within_2s)
{
	const char *const extra[] = { "-c", "400", NULL };
	static int fds[300];
	static pid_t pids[300];
	struct ctl_it a, b;
	long long t0, ms;
	char port[16], src[32], *st, *conns;
	int i;

	ctl_it_init(&a);
	ctl_it_start(&a, extra, NULL);
	for (i = 0; i < 300; i++) {
		snprintf(src, sizeof src, "127.0.1.%d", 1 + i % 50);
		cr_assert_geq(fds[i] = ctl_it_hold(&a, src, &pids[i],
		    HARNESS_TIMEOUT_MS), 0, "session %d", i);
	}
	crash(&a);
	t0 = harness_now_ms();
	successor(&a, &b, port, sizeof port, extra);
	st = ctl_it_request(&b, "status");
	ms = harness_now_ms() - t0;
	fprintf(stderr, "ctl_adopt: 300 sessions from 50 addresses adopted, "
	    "listener ready and answering in %lld ms\n", ms);
	cr_assert_lt(ms, 2000);
	cr_assert_eq(ctl_it_num(st, "live"), 300, "%s", st);
	cr_assert_eq(ctl_it_num(st, "adopted"), 300);
	cr_assert_eq(ctl_it_num(st, "distinct_ips"), 50);
	cr_assert_eq(ctl_it_num(st, "unadopted"), 0);
	free(st);
	conns = ctl_it_request(&b, "connections");
	cr_assert_eq(harness_count(conns, " count 6 "), 50, "%s", conns);
	for (i = 0; i < 300; i++)
		cr_assert(has_pid(conns, pids[i]), "pid %ld", (long)pids[i]);
	free(conns);
	for (i = 0; i < 300; i++)
		close(fds[i]);
	cr_assert_eq(life_wait_live(&b, 0, 1000), 0, "all ends seen within 1 s");
	harness_kill(&b.p);
}

/* On a kernel without pidfd_open (tests/nopidfd.c makes one) the ends of
 * adopted sessions are seen by looking at /proc every 500 ms: still
 * within 1 s. */
Test(ctl_adopt, without_pidfd_ends_are_seen_by_polling)
{
	char nopidfd[512], exec_env[600], port[16];
	const char *env[2] = { exec_env, NULL };
	struct ctl_it a, b;
	long long t0, ms;
	int fd[2], i;

	crashed_with_sessions(&a, NULL, fd, 2);
	snprintf(nopidfd, sizeof nopidfd, "%s/tests/bin/nopidfd",
	    getenv("MAILSTACK_TOP") ? getenv("MAILSTACK_TOP") : ".");
	snprintf(exec_env, sizeof exec_env, "NOPIDFD_EXEC=%s", ctl_it_binary());
	ctl_it_init(&b);
	snprintf(port, sizeof port, "%ld", a.port);
	b.port_arg = port;
	b.binary = nopidfd;
	ctl_it_start(&b, NULL, env);
	cr_assert_eq(life_wait_live(&b, 2, 0), 0);
	for (i = 0; i < 2; i++) {
		close(fd[i]);
		t0 = harness_now_ms();
		cr_assert_eq(life_wait_live(&b, 1 - i, 1000), 0, "end %d", i);
		ms = harness_now_ms() - t0;
		cr_assert_leq(ms, 1000);
	}
	cr_assert_eq(harness_wait_stderr(&b.p, "end ", 2, 1000), 0);
	harness_kill(&b.p);
}

static int
become_nobody(void *arg)
{
	(void)arg;
	return setgid(65534) == 0 && setuid(65534) == 0 ? 0 : -1;
}

/* The earlier listener dropped to nobody (-u/-g): its sessions run as
 * nobody. A root listener adopts them; one started as nobody may not see
 * root's sessions, and says how many it left out. */
Test(ctl_adopt, other_users_sessions)
{
	const char *const as_nobody[] = { "-u", "65534", "-g", "65534", NULL };
	struct harness_opts o = HARNESS_OPTS_ZERO;
	struct ctl_it a, b, c, d;
	int fd[2];
	char port[16], *st;

	crashed_with_sessions(&a, as_nobody, fd, 2);
	successor(&a, &b, port, sizeof port, NULL);
	st = ctl_it_request(&b, "status");
	cr_assert_eq(ctl_it_num(st, "adopted"), 2, "%s", st);
	free(st);
	harness_kill(&b.p);

	/* Root's sessions, a listener that is nobody from its start. */
	crashed_with_sessions(&c, NULL, &fd[0], 1);
	ctl_it_init(&d);
	cr_assert_eq(chmod(d.dir, 0777), 0);
	snprintf(port, sizeof port, "%ld", c.port);
	d.port_arg = port;
	o.setup = become_nobody;
	d.opts = &o;
	ctl_it_start(&d, NULL, NULL);
	st = ctl_it_request(&d, "status");
	cr_assert_eq(ctl_it_num(st, "live"), 0, "%s", st);
	cr_assert_eq(ctl_it_num(st, "unadopted"), 1, "%s", st);
	free(st);
	cr_assert_eq(harness_wait_stderr(&d.p, "warning: unable to adopt 1 "
	    "sessions on port ", 1, HARNESS_TIMEOUT_MS), 0);
	harness_kill(&d.p);
}

/* A make-believe earlier image: binds the port and the control socket,
 * serves n clients itself (each a child with the socket on 0 and 1, as
 * the listener's), then execs the real listener with a state of its own
 * making, as a re-exec would. reply gets the new image's answer. */
static void
fake_image(struct ctl_it *t, int lfd, const char *state, int reply,
    int n)
{
	char env[128], port[16], *argv[16];
	struct sockaddr_un sun;
	int cfd, sfd, c, i;

	(void)fcntl(lfd, F_SETFD, 0);
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, t->sock);
	if (cfd < 0 || bind(cfd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
	    listen(cfd, 8) < 0)
		_exit(120);
	for (i = 0; i < n; i++) {
		if ((c = accept(lfd, NULL, NULL)) < 0)
			_exit(121);
		if (fork() == 0) {
			close(lfd);
			close(cfd);
			dup2(c, 0);
			dup2(c, 1);
			execl("/bin/sh", "sh", "-c", "echo $$; exec cat", (char *)NULL);
			_exit(122);
		}
		close(c);
	}
	sfd = memfd_create("state", 0);
	if (sfd < 0 || write(sfd, state, strlen(state)) < 0 ||
	    lseek(sfd, 0, SEEK_SET) < 0)
		_exit(123);
	snprintf(env, sizeof env, "MAILSTACK_REEXEC=%d %d %d %d", lfd, cfd,
	    sfd, reply);
	snprintf(port, sizeof port, "%ld", t->port);
	i = 0;
	argv[i++] = (char *)ctl_it_binary();
	argv[i++] = "-vHR";
	argv[i++] = "-l0";
	argv[i++] = "-s";
	argv[i++] = t->sock;
	argv[i++] = "127.0.0.1";
	argv[i++] = port;
	argv[i++] = "/bin/sh";
	argv[i++] = "-c";
	argv[i++] = "echo $$; exec cat";
	argv[i] = NULL;
	putenv(env);
	execv(argv[0], argv);
	_exit(124);
}

static void
bad_state_falls_back(const char *state, const char *why)
{
	struct ctl_it t;
	pid_t image, pids[3];
	int pair[2], lfd, fds[3], i, errfd;
	char errpath[300], *r, *log, *conns;

	ctl_it_init(&t);
	lfd = harness_bind_loopback(SOCK_STREAM, 0);
	cr_assert_geq(lfd, 0);
	t.port = harness_local_port(lfd);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	snprintf(errpath, sizeof errpath, "%s/image.err", t.dir);
	image = harness_fork();
	cr_assert_geq(image, 0);
	if (image == 0) {
		errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(errfd, 2);
		close(pair[0]);
		fake_image(&t, lfd, state, pair[1], 3);
	}
	close(pair[1]);
	close(lfd);
	for (i = 0; i < 3; i++) {
		fds[i] = harness_connect(4, i == 2 ? "127.0.0.2" : NULL,
		    (unsigned)t.port, HARNESS_TIMEOUT_MS);
		cr_assert_geq(fds[i], 0);
		cr_assert(ctl_it_greeting(fds[i], &pids[i], HARNESS_TIMEOUT_MS));
	}
	r = ctl_it_read_block(pair[0]);
	cr_assert_not_null(r, "the new image answers the re-exec");
	cr_assert_eq(ctl_it_num(r, "pid"), image, "%s", r);
	cr_assert_not_null(strstr(r, "\nrestored adoption\n"), "%s", r);
	cr_assert_eq(ctl_it_num(r, "live"), 3, "%s", r);
	cr_assert_eq(ctl_it_num(r, "adopted"), 3, "%s", r);
	log = harness_read_file(errpath, NULL);
	cr_assert_not_null(strstr(log, why), "%s", log);
	cr_assert_not_null(strstr(log, "; adopting the sessions instead"), "%s",
	    log);
	conns = ctl_it_request(&t, "connections");
	cr_assert_not_null(strstr(conns, "ip 127.0.0.1 count 2 "), "%s", conns);
	cr_assert_not_null(strstr(conns, "ip 127.0.0.2 count 1 "), "%s", conns);
	/* Our children, found by the scan: reaped as any other. */
	close(fds[2]);
	cr_assert_eq(life_wait_live(&t, 2, 1000), 0);
	for (i = 0; i < 2; i++)
		cr_assert(ctl_it_alive(fds[i]));
	free(r);
	free(log);
	free(conns);
	close(pair[0]);
}

Test(ctl_adopt, state_of_an_older_format_falls_back_to_adoption)
{
	bad_state_falls_back("mailstack-tcpserver-state 0\npid 1\nend 0\n",
	    "line 1: state version 0, this image reads 1 to 2");
}

Test(ctl_adopt, truncated_state_falls_back_to_adoption)
{
	/* Written by a version-1 image, cut in the middle of a line. */
	bad_state_falls_back("mailstack-tcpserver-state 1\npid 1\nstarted 1\n"
	    "reexecs 0\naccepted 3\nconn 77 127.0.0.1 4",
	    "line 6: truncated: the line has no end");
}
