/* tcpserver_unit_state.c: the re-exec state's format (state.h): what an
 * image writes it reads back, and a state of the version before is read
 * in full (an upgrade by re-exec keeps every counter), while a line that
 * version did not have, or a version not known, refuses the whole. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemons/tcpserver/state.h"

static int
text_fd(const char *text)
{
	int fd = memfd_create("state-test", 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int
read_text(const char *text, struct listener_state *st, char *err,
    size_t errlen)
{
	int fd = text_fd(text), r;

	memset(st, 0, sizeof *st);
	err[0] = '\0';
	r = state_read(fd, st, err, errlen);
	close(fd);
	return r;
}

Test(state, written_is_read_back_with_denied)
{
	struct listener_state st, back;
	char err[256];
	int fd = memfd_create("state-test", 0);

	cr_assert_geq(fd, 0);
	memset(&st, 0, sizeof st);
	st.pid = 4242;
	st.started = 1700000000;
	st.accepted = 99;
	st.denied = 5;
	st.fork_failures = 2;
	cr_assert_eq(state_write(fd, &st), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	memset(&back, 0, sizeof back);
	cr_assert_eq(state_read(fd, &back, err, sizeof err), 0, "%s", err);
	close(fd);
	cr_expect_eq(back.pid, 4242);
	cr_expect_eq(back.accepted, 99);
	cr_expect_eq(back.denied, 5);
	cr_expect_eq(back.fork_failures, 2);
	state_free(&back);
}

/* What the image before this one wrote (version 1, no denied line). */
static const char v1_state[] =
    "mailstack-tcpserver-state 1\npid 77\nstarted 1700000000\n"
    "started_mono 5 0\nreexecs 3\naccepted 12\nrefused ip 4\n"
    "dropped_fork 1\ncontrol denied 0\nlimits_file_read 0\nunadopted 0\n"
    "conn 78 127.0.0.1 40000 25 1700000001 0 9\nend 1\n";

Test(state, version_1_is_read_in_full)
{
	struct listener_state st;
	char err[256];

	cr_assert_eq(read_text(v1_state, &st, err, sizeof err), 0, "%s", err);
	cr_expect_eq(st.pid, 77);
	cr_expect_eq(st.reexecs, 3);
	cr_expect_eq(st.accepted, 12);
	cr_expect_eq(st.fork_failures, 1);
	cr_expect_eq(st.denied, 0);
	cr_expect_eq(st.nconns, 1);
	cr_expect_eq(st.conns[0].pid, 78);
	state_free(&st);
}

Test(state, version_1_with_a_line_of_version_2_is_refused)
{
	struct listener_state st;
	char err[256], *text;

	cr_assert_neq(asprintf(&text, "mailstack-tcpserver-state 1\npid 77\n"
	    "denied 3\nend 0\n"), -1);
	cr_expect_eq(read_text(text, &st, err, sizeof err), -1);
	cr_expect_not_null(strstr(err, "line 3: unknown item \"denied\""),
	    "%s", err);
	free(text);
}

Test(state, unknown_versions_are_refused)
{
	struct listener_state st;
	char err[256];

	cr_expect_eq(read_text("mailstack-tcpserver-state 3\npid 1\nend 0\n",
	    &st, err, sizeof err), -1);
	cr_expect_str_eq(err, "line 1: state version 3, this image reads 1 to 2");
	cr_expect_eq(read_text("mailstack-tcpserver-state 0\npid 1\nend 0\n",
	    &st, err, sizeof err), -1);
	cr_expect_str_eq(err, "line 1: state version 0, this image reads 1 to 2");
}
