/* tcpserver_unit_exec.c: the listener's vfork-safe PATH search
 * (pathexec_run), run in forked children against scripts in a private
 * temporary folder. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemons/tcpserver/pathexec.h"

static char dir[64];

static void
make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/ms-pathexec.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	(void)!system(cmd);
}

/* dir/sub/name: a script exiting with code, with the given mode. */
static void
script(const char *sub, const char *name, int code, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "#!/bin/sh\nexit %d\n", code);
	fclose(f);
	cr_assert_eq(chmod(path, mode), 0);
}

/* Runs pathexec_run in a child (cwd optional); returns its exit code, or
 * 200 + errno when pathexec_run returned. */
static int
run(const char *file, const char *path, const char *cwd)
{
	char *argv[] = { (char *)file, NULL };
	char *envp[] = { NULL };
	int st;
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		if (cwd != NULL && chdir(cwd) < 0)
			_exit(199);
		pathexec_run(file, argv, envp, path);
		_exit(errno < 55 ? 200 + errno : 199);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

TestSuite(pathexec, .init = make_dir, .fini = remove_dir);

Test(pathexec, searches_each_element_in_order)
{
	char path[256];

	script("a", "prog", 3, 0755);
	script("b", "prog", 4, 0755);
	snprintf(path, sizeof path, "%s/none:%s/b:%s/a", dir, dir, dir);
	cr_assert_eq(run("prog", path, NULL), 4);
}

Test(pathexec, slash_means_no_search)
{
	char file[256];

	script("a", "prog", 5, 0755);
	snprintf(file, sizeof file, "%s/a/prog", dir);
	cr_assert_eq(run(file, "/nonexistent", NULL), 5);
	cr_assert_eq(run("a/prog", "/nonexistent", dir), 5);
}

Test(pathexec, empty_element_is_the_current_folder)
{
	char cwd[256];

	script("a", "prog", 6, 0755);
	snprintf(cwd, sizeof cwd, "%s/a", dir);
	cr_assert_eq(run("prog", "/nonexistent:", cwd), 6);
	cr_assert_eq(run("prog", ":/nonexistent", cwd), 6);
}

Test(pathexec, permission_error_wins_over_missing)
{
	char path[256];

	script("a", "prog", 7, 0644);
	snprintf(path, sizeof path, "%s/a:%s/none", dir, dir);
	/* even root cannot run a file without any x bit */
	cr_assert_eq(run("prog", path, NULL), 200 + EACCES);
	snprintf(path, sizeof path, "%s/none", dir);
	cr_assert_eq(run("prog", path, NULL), 200 + ENOENT);
}

Test(pathexec, default_path_without_PATH)
{
	cr_assert_eq(run("true", NULL, NULL), 0);
	cr_assert_eq(run("false", NULL, NULL), 1);
}
