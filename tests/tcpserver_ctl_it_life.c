/* tcpserver_ctl_it_life.c: see tcpserver_ctl_it_life.h. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpserver_ctl_it_life.h"

char *
life_reexec(const struct ctl_it *t)
{
	char *r = ctl_it_request(t, "reexec");

	cr_assert_eq(strncmp(r, "ok\npid ", 7), 0, "reexec: %s", r);
	cr_assert_not_null(strstr(r, "\nrestored "), "%s", r);
	return r;
}

int
life_wait_live(const struct ctl_it *t, long long n, int wait_ms)
{
	long long deadline = harness_now_ms() + harness_slow_ms(wait_ms);
	long long live;
	char *st;

	for (;;) {
		st = ctl_it_request(t, "status");
		live = ctl_it_num(st, "live");
		free(st);
		if (live == n)
			return 0;
		if (harness_now_ms() > deadline)
			return -1;
		harness_sleep_ms(10);
	}
}

long
life_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *d;
	long n = 0;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	dir = opendir(path);
	cr_assert_not_null(dir, "%s", path);
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

long
life_fd_count_settled(pid_t pid, long want)
{
	long long deadline = harness_now_ms() + harness_slow_ms(1000);
	long n;

	while ((n = life_fd_count(pid)) != want && harness_now_ms() < deadline)
		harness_sleep_ms(10);
	return n;
}

long
life_rss_kb(pid_t pid)
{
	char path[64], *s, *p;
	long kb;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	s = harness_read_file(path, NULL);
	cr_assert_not_null(s, "%s", path);
	p = strstr(s, "\nVmRSS:");
	cr_assert_not_null(p);
	kb = strtol(p + 7, NULL, 10);
	free(s);
	return kb;
}

int
life_copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t r;
	int in, out, rc = 0;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((r = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)r) != r)
			rc = -1;
	if (r < 0)
		rc = -1;
	close(in);
	if (close(out) < 0)
		rc = -1;
	return rc;
}

char *
life_strip_adopted(const char *block)
{
	char *out = strdup(block), *p, *e;

	cr_assert_not_null(out);
	while ((p = strstr(out, " adopted ")) != NULL) {
		e = p + 9;
		while (*e >= '0' && *e <= '9')
			e++;
		memmove(p, e, strlen(e) + 1);
	}
	return out;
}
