/* driver.c: a plain main() for the fuzz targets, for AFL++
 * (afl-clang-fast, input file as @@ or on stdin) and for replaying a
 * crash by hand: each argument is a file or a folder of files. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

#pragma weak LLVMFuzzerInitialize

static int
driver_run_stream(FILE *f, const char *name)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	for (;;) {
		if (cap - len < 4096) {
			char *p = realloc(buf, cap + 65536);

			if (p == NULL) {
				free(buf);
				fprintf(stderr, "driver: out of memory at %s\n", name);
				return -1;
			}
			buf = p;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		fprintf(stderr, "driver: unable to read %s: %s\n", name, strerror(errno));
		free(buf);
		return -1;
	}
	(void)LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

static int
driver_run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	int r;

	if (f == NULL) {
		fprintf(stderr, "driver: unable to open %s: %s\n", path, strerror(errno));
		return -1;
	}
	r = driver_run_stream(f, path);
	fclose(f);
	return r;
}

static int
driver_run_dir(const char *path)
{
	struct dirent *e;
	char *file;
	DIR *d = opendir(path);
	int r = 0;

	if (d == NULL) {
		fprintf(stderr, "driver: unable to open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&file, "%s/%s", path, e->d_name) < 0) {
			r = -1;
			break;
		}
		if (driver_run_file(file) < 0)
			r = -1;
		free(file);
	}
	closedir(d);
	return r;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i, r = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2)
		return driver_run_stream(stdin, "stdin") < 0 ? 111 : 0;
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			r |= driver_run_dir(argv[i]);
		else
			r |= driver_run_file(argv[i]);
	}
	return r < 0 ? 111 : 0;
}
