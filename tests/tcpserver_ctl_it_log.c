/* tcpserver_ctl_it_log.c: a log that stops reading does not stop the
 * listener (lib/logbatch.c): with -v and nobody reading its stderr pipe,
 * every client is still served; once the log is read again, what it
 * missed is counted in one warning, and the lines it got plus the lines
 * counted are exactly the lines made. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcpserver_ctl_util.h"

#define LOG_CLIENTS 800
/* Per client: status +1, pid, ok, end, status -1; and the first status. */
#define LOG_LINES (5 * LOG_CLIENTS + 1)

struct stalled {
	pid_t pid;
	int log;		/* the read end of its stderr, not read yet */
	long port;
};

static void
stalled_start(struct stalled *l)
{
	int err[2], out[2];
	char buf[32];
	size_t n;

	cr_assert_eq(pipe(err), 0);
	cr_assert_eq(pipe(out), 0);
	l->pid = harness_fork();
	cr_assert_geq(l->pid, 0);
	if (l->pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(err[0]);
		close(out[0]);
		execl(ctl_it_binary(), ctl_it_binary(), "-v", "-1", "-H", "-R",
		    "-l", "0", "-c", "100", "127.0.0.1", "0", "/bin/echo", "hi",
		    (char *)NULL);
		_exit(127);
	}
	close(err[1]);
	close(out[1]);
	n = harness_read_upto(out[0], buf, sizeof buf, sizeof buf - 1,
	    HARNESS_TIMEOUT_MS);
	close(out[0]);
	l->port = strtol(buf, NULL, 10);
	cr_assert_gt(l->port, 0, "no port line (%zu bytes)", n);
	l->log = err[0];
}

/* Reads the log until it is quiet for quiet_ms; returns it (malloc'd). */
static char *
log_read_all(int fd, int quiet_ms)
{
	size_t len = 0, cap = 1 << 20;
	char *s = malloc(cap);
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t r;

	cr_assert_not_null(s);
	while (poll(&pfd, 1, harness_slow_ms(quiet_ms)) == 1) {
		if (len + 65536 > cap)
			cr_assert_not_null(s = realloc(s, cap *= 2));
		r = read(fd, s + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	s[len] = '\0';
	return s;
}

/* The sum of N over "warning: N log lines dropped" lines. */
static long
dropped_counted(const char *log)
{
	const char *needle = ": warning: ", *p = log;
	long sum = 0;
	char *end;
	long n;

	while ((p = strstr(p, needle)) != NULL) {
		p += strlen(needle);
		n = strtol(p, &end, 10);
		if (end != p && strncmp(end, " log lines dropped: the log was "
		    "not read\n", 36) == 0)
			sum += n;
	}
	return sum;
}

Test(ctl_log, stalled_log_does_not_stop_the_service)
{
	struct stalled l;
	char buf[8], *log;
	int i, fd, served = 0;
	long dropped, lines;

	stalled_start(&l);
	for (i = 0; i < LOG_CLIENTS; i++) {
		fd = harness_connect(4, NULL, (unsigned)l.port,
		    HARNESS_TIMEOUT_MS);
		cr_assert_geq(fd, 0, "client %d could not connect", i);
		served += harness_read_upto(fd, buf, sizeof buf, 3,
		    HARNESS_TIMEOUT_MS) == 3 && strcmp(buf, "hi\n") == 0;
		close(fd);
	}
	cr_expect_eq(served, LOG_CLIENTS, "served %d of %d with the log "
	    "stalled", served, LOG_CLIENTS);
	/* Every child reaped (its lines made) before the log is read. */
	harness_sleep_ms(300);
	log = log_read_all(l.log, 1000);
	dropped = dropped_counted(log);
	lines = harness_count(log, "\n");
	cr_expect_gt(dropped, 0, "nothing dropped: the log was never full?");
	cr_expect_eq(lines - harness_count(log, " log lines dropped: ") +
	    dropped, LOG_LINES, "%ld lines read, %ld counted as dropped",
	    lines, dropped);
	cr_expect_eq(harness_count(log, "status: 0/100\n") > 0, 1);
	free(log);
	kill(l.pid, SIGTERM);
	close(l.log);
	waitpid(l.pid, NULL, 0);
}
