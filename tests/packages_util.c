/* packages_util.c: builds the DEB and the RPM once per run of the package
 * tests, runs the packaging tools, and lists what the packages must hold. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "harness.h"
#include "packages_util.h"

/* The builds run in the runner before the tests; the tests, separate
 * processes, find the folder through the environment. */
#define PKG_OUT_ENV "MAILSTACK_PKGTEST_OUT"

struct pkg_list {
	char **v;
	size_t n, cap;
};

const char *
pkg_top(void)
{
	const char *t = getenv("MAILSTACK_TOP");

	return t != NULL && *t != '\0' ? t : ".";
}

const char *
pkg_out(void)
{
	const char *o = getenv(PKG_OUT_ENV);

	return o != NULL ? o : "/nonexistent";
}

char **
pkg_environ(void)
{
	static char path[4096], home[4096];
	static char *env[] = { path, home, "LC_ALL=C", NULL };
	const char *p = getenv("PATH");

	snprintf(path, sizeof(path), "PATH=%s",
	    p != NULL ? p : "/usr/sbin:/usr/bin:/sbin:/bin");
	snprintf(home, sizeof(home), "HOME=%s", pkg_out());
	return env;
}

int
pkg_run(char *const argv[], int timeout_ms, char **out)
{
	char *args[32], *o = NULL, *e = NULL;
	size_t i;
	int status;

	/* argv[0] by PATH, as a shell would find it */
	args[0] = "/usr/bin/env";
	for (i = 0; argv[i] != NULL && i < 30; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	status = harness_run(pkg_out(), args, pkg_environ(), NULL, timeout_ms,
	    &o, &e);
	if (asprintf(out, "%s%s", o != NULL ? o : "", e != NULL ? e : "") == -1)
		*out = NULL;
	free(o);
	free(e);
	return status == -1 ? -1 : harness_exit_code(status);
}

/* Starts make TARGET PKG_OUT=OUT/TARGET with its output in OUT/TARGET.log. */
static int
pkg_build_start(struct harness_proc *p, const char *out, const char *target)
{
	char *script, *argv[] = { "/bin/sh", "-c", NULL, NULL };
	int r;

	if (asprintf(&script, "exec make -C '%s' %s PKG_OUT='%s/%s' >'%s/%s.log' 2>&1",
	    pkg_top(), target, out, target, out, target) == -1)
		return -1;
	argv[2] = script;
	r = harness_spawn(p, out, argv, pkg_environ(), NULL);
	free(script);
	return r;
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	struct harness_proc deb, rpm;
	const char *base = getenv("TMPDIR");
	char *out;

	(void)set;
	if (asprintf(&out, "%s/mailstack-pkg.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp") == -1 ||
	    mkdtemp(out) == NULL)
		return;
	chmod(out, 0755);
	setenv(PKG_OUT_ENV, out, 1);
	/* Both at once: the machine has two cores and each build is mostly
	 * one compiler at a time. */
	if (pkg_build_start(&deb, out, "deb") == 0) {
		if (pkg_build_start(&rpm, out, "rpm") == 0) {
			harness_wait_exit(&rpm, PKG_BUILD_MS);
			harness_kill(&rpm);
		}
		harness_wait_exit(&deb, PKG_BUILD_MS);
		harness_kill(&deb);
	}
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	if (getenv(PKG_OUT_ENV) != NULL)
		harness_rmtree(getenv(PKG_OUT_ENV));
}

/* The first file matching pattern under the build folder, or NULL and
 * the end of the build's log in *why. */
static char *
pkg_find(const char *pattern, const char *log, char **why)
{
	char *pat, *path = NULL, *text;
	glob_t g;
	size_t n;

	*why = NULL;
	if (asprintf(&pat, "%s/%s", pkg_out(), pattern) == -1)
		return NULL;
	if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0)
		path = strdup(g.gl_pathv[0]);
	globfree(&g);
	free(pat);
	if (path != NULL)
		return path;
	if (asprintf(&pat, "%s/%s", pkg_out(), log) == -1)
		return NULL;
	text = harness_read_file(pat, &n);
	free(pat);
	if (text == NULL)
		*why = strdup("no build log: the build did not run");
	else
		*why = strdup(n > 2000 ? text + n - 2000 : text);
	free(text);
	return NULL;
}

char *
pkg_built(const char *kind)
{
	char *why, *path;

	if (strcmp(kind, "deb") == 0)
		path = pkg_find("deb/mailstack_" MAILSTACK_VERSION "-1_*.deb",
		    "deb.log", &why);
	else
		path = pkg_find("rpm/rpmbuild/RPMS/*/mailstack-" MAILSTACK_VERSION
		    "-1*.rpm", "rpm.log", &why);
	cr_assert_not_null(path, "make %s made no package; its log ends:\n%s",
	    kind, why);
	return path;
}

size_t
pkg_expect_all(const char *text, char *const *want, const char *what)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++)
		cr_expect(harness_has_line(text, want[i]), "%s is not in %s:\n%s",
		    want[i], what, text);
	return i;
}

static void
list_add(struct pkg_list *l, char *s)
{
	if (s == NULL)
		cr_assert_fail("out of memory");
	if (l->n + 2 > l->cap) {
		l->cap = l->cap * 2 + 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		cr_assert_not_null(l->v);
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

static char *
str_printf(const char *fmt, const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, fmt, a, b) == -1)
		return NULL;
	return s;
}

/* Adds DEST/REL for every file REL under dir in the commit that make deb
 * or make rpm packaged (their folder's source-commit): a commit landing
 * meanwhile changes neither. */
static void
list_add_tree(struct pkg_list *l, const char *kind, const char *dir,
    const char *dest)
{
	char *git_dir = str_printf("%s/%s", pkg_top(), ".git"), *out, *line, *save;
	char *path = str_printf("%s/%s/source-commit", pkg_out(), kind);
	char *commit = harness_read_file(path, NULL);
	char *argv[] = { "git", "--git-dir", git_dir, "ls-tree", "-r",
		"--name-only", commit, (char *)dir, NULL };
	size_t n = strlen(dir);

	cr_assert_not_null(commit, "make %s wrote no %s", kind, path);
	commit[strcspn(commit, "\n")] = '\0';
	cr_assert_eq(pkg_run(argv, PKG_TOOL_MS, &out), 0, "git ls-tree: %s", out);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, dir, n) == 0 && line[n] == '/')
			list_add(l, str_printf("%s%s", dest, line + n));
	free(out);
	free(git_dir);
	free(path);
	free(commit);
}

/* Every docs/NAME.N as the gzipped page in manN. */
static void
list_add_man(struct pkg_list *l, const char *kind)
{
	struct pkg_list docs = { NULL, 0, 0 };
	size_t i;

	list_add_tree(&docs, kind, "docs", "");
	for (i = 0; i < docs.n; i++) {
		const char *name = docs.v[i] + 1, *dot = strrchr(name, '.');

		if (dot != NULL && strlen(dot) == 2 && dot[1] >= '1' &&
		    dot[1] <= '8')
			list_add(l, str_printf("/usr/share/man/man%s/%s.gz",
			    dot + 1, name));
	}
	pkg_free_list(docs.v);
}

char **
pkg_expected_files(const char *kind)
{
	int rpm = strcmp(kind, "rpm") == 0;
	static const char *const programs[] = {
		"/usr/sbin/mailstack-tcpserver", "/usr/sbin/mailstack-tcprules",
		"/usr/sbin/mailstack-tcprulescheck", "/usr/sbin/mailctld",
		"/usr/bin/mailctl", "/usr/lib/tmpfiles.d/mailstack.conf",
		"/usr/share/mailstack/openapi.json",
		"/usr/share/mailstack/mailstack.service", NULL
	};
	struct pkg_list l = { NULL, 0, 0 };
	size_t i;

	for (i = 0; programs[i] != NULL; i++)
		list_add(&l, strdup(programs[i]));
	/* the two layouts differ in these two folders only */
	list_add(&l, strdup(rpm ? "/usr/lib/systemd/system/mailstack.service" :
	    "/lib/systemd/system/mailstack.service"));
	list_add(&l, strdup(rpm ? "/usr/libexec/mailstack/setup" :
	    "/usr/lib/mailstack/setup"));
	list_add_man(&l, kind);
	list_add_tree(&l, kind, "packaging/s6", "/usr/share/mailstack/s6");
	list_add_tree(&l, kind, "packaging/dist/etc", "/etc/mailstack");
	return l.v;
}

char **
pkg_expected_conffiles(const char *kind)
{
	struct pkg_list l = { NULL, 0, 0 };

	list_add_tree(&l, kind, "packaging/dist/etc", "/etc/mailstack");
	cr_assert_not_null(l.v, "no files under packaging/dist/etc");
	return l.v;
}

void
pkg_free_list(char **list)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		free(list[i]);
	free(list);
}
