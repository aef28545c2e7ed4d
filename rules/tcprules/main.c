/* main.c: mailstack-tcprules, compiles a tcprules text file to rules.cdb. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "log.h"
#include "rules/rules_compile.h"

struct args {
	int check_only;
	struct rules_opts opts;
	const char *input;	/* NULL: stdin */
	const char *cdb;
	const char *tmp;
};

/* 0.88's words, which scripts may match: our options (-n, -c, -s, -f)
 * are in docs/mailstack-tcprules.8, not in the usage line. */
static void
usage(void)
{
	char u[256];

	snprintf(u, sizeof(u), "%s rules.cdb rules.tmp", log_prog());
	die_usage(u);
}

static void
args_parse(struct args *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;	/* the usage line says it, in one line */
	while ((c = getopt(argc, argv, "+ncsf:")) != -1) {
		switch (c) {
		case 'n':
			a->check_only = 1;
			break;
		case 'c':
			a->opts.cidr4 = 1;
			break;
		case 's':
			a->opts.strict = 1;
			break;
		case 'f':
			a->input = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 2) {
		a->cdb = argv[0];
		a->tmp = argv[1];
	} else if (!(a->check_only && argc == 0))
		usage();
}

static int
input_open(const char *path)
{
	int fd;

	if (path == NULL)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		die_sys(EX_TEMP, "unable to read %s", path);
	return fd;
}

/* Streams the input through the compiler. A failure leaves errno set and
 * returns a message for die_sys. */
static const char *
input_compile(struct rules_stream *st, int fd)
{
	static char buf[65536];
	ssize_t r;

	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return "unable to read input";
		if (r == 0)
			break;
		if (rules_stream_feed(st, buf, (size_t)r) == -1)
			return errno == EFBIG ? "unable to read input: line too long" : "out of memory";
	}
	if (rules_stream_finish(st) == -1)
		return errno == ENOMEM ? "out of memory" : "unable to write to the temporary file";
	return NULL;
}

static void
report(const struct rules_file *rf, const char *name)
{
	char *text;
	size_t i, len;
	ssize_t w;

	for (i = 0; i < rf->ndiags; i++) {
		if (rules_diag_format(rf, &rf->diags[i], name, &text, &len) == -1)
			die_x(EX_TEMP, "out of memory");
		while (len > 0) {
			w = write(2, text, len);
			if (w == -1 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			len -= (size_t)w;
		}
		free(text);
	}
}

static void
fail_sys(struct atomicfile *af, const struct args *a, const char *what)
{
	int saved = errno;

	if (af->fd >= 0)
		atomicfile_abort(af);
	errno = saved;
	if (strcmp(what, "unable to write to the temporary file") == 0)
		die_sys(EX_TEMP, "unable to write to %s", a->tmp);
	if (strcmp(what, "out of memory") == 0)
		die_x(EX_TEMP, "out of memory");
	die_sys(EX_TEMP, "%s", what);
}

/* As tcprules: the temporary file is created first, the records streamed
 * into it; unlike tcprules it is removed when anything fails. */
int
main(int argc, char **argv)
{
	struct rules_stream st;
	struct atomicfile af = { -1, NULL, NULL };
	struct args a;
	const char *name, *err;
	int in;

	log_set_prog(argv[0]);
	args_parse(&a, argc, argv);
	name = a.input != NULL ? a.input : "-";
	in = input_open(a.input);
	if (!a.check_only && atomicfile_open(&af, a.cdb, a.tmp, 0644) == -1)
		die_sys(EX_TEMP, "unable to create %s", a.tmp);
	if (rules_stream_start(&st, &a.opts, a.check_only ? -1 : af.fd) == -1)
		fail_sys(&af, &a, "unable to write to the temporary file");
	err = input_compile(&st, in);
	if (err != NULL)
		fail_sys(&af, &a, err);
	report(&st.rf, name);
	if (st.rf.nerrors > 0) {
		if (af.fd >= 0)
			atomicfile_abort(&af);
		if (a.check_only)
			die_x(EX_PERM, "unable to parse %s: %zu error%s", name, st.rf.nerrors,
			    st.rf.nerrors == 1 ? "" : "s");
		die_x(EX_PERM, "unable to parse %s: %zu error%s; %s left unchanged", name,
		    st.rf.nerrors, st.rf.nerrors == 1 ? "" : "s", a.cdb);
	}
	if (!a.check_only) {
		if (fsync(af.fd) == -1)
			fail_sys(&af, &a, "unable to write to the temporary file");
		if (atomicfile_commit(&af) == -1)
			die_sys(EX_TEMP, "unable to move %s to %s", a.tmp, a.cdb);
	}
	rules_stream_free(&st);
	return 0;
}
