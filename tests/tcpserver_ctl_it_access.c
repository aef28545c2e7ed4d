/* tcpserver_ctl_it_access.c: who may use the real listener's control
 * socket and what it survives: its mode and group, peers refused by
 * their credentials (a child as nobody), -a, the 9th client, garbage and
 * oversized lines, a client that never reads, a file in the way. */
#include <criterion/criterion.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcpserver_ctl_util.h"

TestSuite(ctl_access, .fini = harness_cleanup, .timeout = 60);

#define NOBODY 65534
/* A group nobody is not in by default. */
#define SOCKGROUP 4242

Test(ctl_access, socket_mode_and_group)
{
	const char *const extra[] = { "-g", "4242", NULL };
	struct ctl_it t;
	struct stat st;

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	cr_assert_eq(stat(t.sock, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0660, "mode %o", st.st_mode & 07777);
	cr_assert_eq(st.st_uid, getuid());
	cr_assert_eq(st.st_gid, SOCKGROUP, "group of -g");
	harness_kill(&t.p);
}

/* In a forked child: take the given primary and supplementary group and
 * uid nobody, ask status, and exit 0 when the reply starts with want.
 * late: ask only once the listener has answered unasked (it refused):
 * the request must still be writable and the answer readable. */
static void
ask_as_nobody(const char *sock, gid_t primary, const char *want, int late)
{
	gid_t groups[1] = { SOCKGROUP };
	pid_t pid;
	int st, fd;
	char *r;

	pid = harness_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (setgroups(1, groups) < 0 ||
		    setresgid(primary, primary, primary) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(3);
		fd = ctl_it_connect(sock);
		if (fd < 0)
			_exit(4);
		if (late && !harness_readable(fd, HARNESS_TIMEOUT_MS))
			_exit(6);
		r = ctl_it_ask(fd, "status");
		_exit(r != NULL && strncmp(r, want, strlen(want)) == 0 ? 0 : 5);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "as nobody (gid %ld), wanted '%s': exit %d", (long)primary, want,
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

Test(ctl_access, peers_checked_by_credentials)
{
	const char *const extra[] = { "-g", "4242", NULL };
	struct ctl_it t;
	char *r;

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	/* It may open the socket (group member) but is not allowed. */
	ask_as_nobody(t.sock, NOBODY, "error denied ", 0);
	ask_as_nobody(t.sock, NOBODY, "error denied ", 1);
	/* Its primary group is the socket's: allowed. */
	ask_as_nobody(t.sock, SOCKGROUP, "ok\n", 0);
	r = ctl_it_request(&t, "status");
	cr_assert_eq(strncmp(r, "ok\n", 3), 0, "root is always allowed");
	cr_assert_eq(ctl_it_num(r, "control_denied"), 2, "%s", r);
	free(r);
	cr_assert_eq(harness_wait_stderr(&t.p, "control denied pid ", 2,
	    HARNESS_TIMEOUT_MS), 0, "refusals logged at -v");
	ctl_it_still_serves(&t);
	harness_kill(&t.p);
}

Test(ctl_access, a_names_allowed_peers)
{
	const char *const extra[] = { "-g", "4242", "-a", "uid:nobody", NULL };
	struct ctl_it t;

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	ask_as_nobody(t.sock, NOBODY, "ok\n", 0);
	harness_kill(&t.p);
}

Test(ctl_access, ninth_client_is_busy)
{
	struct ctl_it t;
	int fds[9], i, extra_fd;
	char *r;

	ctl_it_init(&t);
	ctl_it_start(&t, NULL, NULL);
	/* Each answered once, so each holds a slot. */
	for (i = 0; i < 8; i++) {
		fds[i] = ctl_it_connect(t.sock);
		cr_assert_geq(fds[i], 0);
		r = ctl_it_ask(fds[i], "status");
		cr_assert_not_null(r);
		cr_assert_eq(strncmp(r, "ok\n", 3), 0);
		free(r);
	}
	fds[8] = ctl_it_connect(t.sock);
	cr_assert_geq(fds[8], 0);
	/* Refused before it asks, it may still ask and read why. */
	cr_assert_eq(harness_readable(fds[8], HARNESS_TIMEOUT_MS), 1);
	r = ctl_it_ask(fds[8], "status");
	cr_assert_not_null(r, "the 9th got no answer");
	cr_assert_str_eq(r, "error busy too many control clients\n.\n");
	free(r);
	close(fds[8]);
	r = ctl_it_ask(fds[3], "quit");
	cr_assert_str_eq(r, "ok\n.\n");
	free(r);
	cr_assert_eq(harness_readable(fds[3], HARNESS_TIMEOUT_MS), 1);
	r = harness_read_all(fds[3], HARNESS_TIMEOUT_MS, NULL);
	cr_assert_str_eq(r, "", "quit closes the connection");
	free(r);
	close(fds[3]);
	/* The freed slot is taken by the next one (allow the listener a
	 * moment to see the close). */
	extra_fd = -1;
	for (i = 0; i < 50 && extra_fd < 0; i++) {
		extra_fd = ctl_it_connect(t.sock);
		r = ctl_it_ask(extra_fd, "status");
		if (r == NULL || strncmp(r, "ok\n", 3) != 0) {
			close(extra_fd);
			extra_fd = -1;
			harness_sleep_ms(20);
		}
		free(r);
	}
	cr_assert_geq(extra_fd, 0, "the freed slot was not given again");
	r = ctl_it_ask(fds[0], "status");
	cr_assert_eq(ctl_it_num(r, "control_busy"), 1, "%s", r);
	free(r);
	close(extra_fd);
	for (i = 0; i < 8; i++)
		if (i != 3)
			close(fds[i]);
	harness_kill(&t.p);
}

Test(ctl_access, garbage_and_long_lines_are_usage_errors)
{
	struct ctl_it t;
	char *big, *r;
	int fd, c;

	ctl_it_init(&t);
	ctl_it_start(&t, NULL, NULL);
	fd = ctl_it_connect(t.sock);
	cr_assert_geq(fd, 0);
	r = ctl_it_ask(fd, "hello world");
	cr_assert_str_eq(r, "error usage unknown request\n.\n");
	free(r);
	r = ctl_it_ask(fd, "\x01\x02\xff\x80 status");
	cr_assert_eq(strncmp(r, "error usage ", 12), 0, "%s", r);
	free(r);
	/* 1024 bytes with the newline is the longest line... */
	big = malloc(5000);
	cr_assert_not_null(big);
	memset(big, 'x', 5000);
	memcpy(big, "status", 6);
	big[1023] = '\0';
	r = ctl_it_ask(fd, big);
	cr_assert_str_eq(r, "error usage unknown request\n.\n", "1024 bytes");
	free(r);
	/* ...and a longer one is refused once, then skipped to its end. */
	big[1023] = 'x';
	big[4999] = '\0';
	r = ctl_it_ask(fd, big);
	cr_assert_str_eq(r, "error usage request line too long\n.\n");
	free(r);
	free(big);
	r = ctl_it_ask(fd, "status");
	cr_assert_eq(strncmp(r, "ok\n", 3), 0, "the connection goes on: %s", r);
	free(r);
	for (c = 0; c < 256; c++) {
		char req[2] = { (char)c, 0 };

		if (c == '\n' || c == 0)
			continue;
		r = ctl_it_ask(fd, req);
		cr_assert_not_null(r, "byte %d", c);
		cr_assert_eq(strncmp(r, "error usage ", 12), 0, "byte %d", c);
		free(r);
	}
	close(fd);
	ctl_it_still_serves(&t);
	harness_kill(&t.p);
}

Test(ctl_access, a_client_that_never_reads_stalls_nothing)
{
	struct ctl_it t;
	char *reqs, *r;
	size_t i, n = 20000;
	int slow, flags;

	ctl_it_init(&t);
	ctl_it_start(&t, NULL, NULL);
	slow = ctl_it_connect(t.sock);
	cr_assert_geq(slow, 0);
	/* About 9 MB of replies asked for; none read. */
	reqs = malloc(n * 7);
	cr_assert_not_null(reqs);
	for (i = 0; i < n; i++)
		memcpy(reqs + i * 7, "status\n", 7);
	flags = MSG_DONTWAIT | MSG_NOSIGNAL;
	for (i = 0; i < n * 7;) {
		ssize_t w = send(slow, reqs + i, n * 7 - i, flags);

		if (w <= 0)
			break;
		i += (size_t)w;
	}
	free(reqs);
	cr_assert_gt(i, 0);
	harness_sleep_ms(100);
	r = ctl_it_request(&t, "status");
	cr_assert_eq(strncmp(r, "ok\n", 3), 0, "another client is served");
	free(r);
	ctl_it_still_serves(&t);
	close(slow);
	harness_kill(&t.p);
}

Test(ctl_access, a_file_in_the_way_is_fatal)
{
	const char *dir = harness_tmpdir();
	char sock[300], *err = NULL, *f;
	char *const argv[] = { (char *)ctl_it_binary(), "-1", "-HR", "-l0", "-s", sock,
	    "127.0.0.1", "0", "/bin/true", NULL };
	int st;

	cr_assert_not_null(dir);
	f = harness_write_file(dir, "ctl.sock", "keep me\n", 8);
	cr_assert_not_null(f);
	snprintf(sock, sizeof sock, "%s", f);
	free(f);
	st = harness_run(dir, argv, NULL, NULL, HARNESS_TIMEOUT_MS, NULL, &err);
	cr_assert_eq(harness_exit_code(st), 111, "%s", err);
	cr_assert_not_null(strstr(err, "fatal: unable to create control socket "),
	    "%s", err);
	free(err);
	f = harness_read_file(sock, NULL);
	cr_assert_str_eq(f, "keep me\n", "the file was touched");
	free(f);
}
