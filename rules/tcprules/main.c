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
#include "rules/rules_file.h"

struct args {
	int check_only;
	struct rules_opts opts;
	const char *input;	/* NULL: stdin */
	const char *cdb;
	const char *tmp;
};

static void
usage(void)
{
	char u[256];

	snprintf(u, sizeof(u), "%s [ -ncs ] [ -f rules ] rules.cdb rules.tmp", log_prog());
	die_usage(u);
}

static void
args_parse(struct args *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
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

/* The whole input in memory: the rules are edited and reported as a file. */
static char *
input_read(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap), *nb;
	ssize_t r;
	int fd = 0;

	if (buf == NULL)
		die_x(EX_TEMP, "out of memory");
	if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		die_sys(EX_TEMP, "unable to read %s", path);
	for (;;) {
		if (len == cap) {
			cap *= 2;
			nb = realloc(buf, cap);
			if (nb == NULL)
				die_x(EX_TEMP, "out of memory");
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			die_sys(EX_TEMP, "unable to read input");
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (fd != 0)
		close(fd);
	*lenp = len;
	return buf;
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
write_cdb(const struct rules_file *rf, const struct args *a)
{
	struct atomicfile af;

	if (atomicfile_open(&af, a->cdb, a->tmp, 0644) == -1)
		die_sys(EX_TEMP, "unable to create %s", a->tmp);
	if (rules_compile_fd(rf, af.fd) == -1 || fsync(af.fd) == -1) {
		atomicfile_abort(&af);
		if (errno == ENOMEM)
			die_x(EX_TEMP, "out of memory");
		die_sys(EX_TEMP, "unable to write to %s", a->tmp);
	}
	if (atomicfile_commit(&af) == -1)
		die_sys(EX_TEMP, "unable to move %s to %s", a->tmp, a->cdb);
}

int
main(int argc, char **argv)
{
	struct rules_file rf;
	struct args a;
	const char *name;
	char *buf;
	size_t len;

	log_set_prog(argv[0]);
	args_parse(&a, argc, argv);
	name = a.input != NULL ? a.input : "-";
	buf = input_read(a.input, &len);
	if (rules_file_parse(&rf, buf, len, &a.opts) == -1)
		die_x(EX_TEMP, "out of memory");
	free(buf);
	report(&rf, name);
	if (rf.nerrors > 0 && (a.check_only || a.cdb == NULL))
		die_x(EX_PERM, "unable to parse %s: %zu error%s", name, rf.nerrors,
		    rf.nerrors == 1 ? "" : "s");
	if (rf.nerrors > 0)
		die_x(EX_PERM, "unable to parse %s: %zu error%s; %s left unchanged", name,
		    rf.nerrors, rf.nerrors == 1 ? "" : "s", a.cdb);
	if (!a.check_only)
		write_cdb(&rf, &a);
	rules_file_free(&rf);
	return 0;
}
