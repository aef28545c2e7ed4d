/* history.c: numbered version files, written atomically, pruned oldest first. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/atomicfile.h"
#include "lib/scan.h"
#include "web/history.h"
#include "web/util.h"

static char *
history_dir(const char *state, const char *service)
{
	size_t n = strlen(state) + strlen(service) + 16;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/history/%s", state, service);
	return p;
}

/* Version numbers present, ascending (malloc'd). 0, or -1 with errno;
 * a missing folder is an empty list. */
static int
list_versions(const char *dir, unsigned long **out, size_t *n)
{
	unsigned long *v = NULL, *nv, num;
	size_t cnt = 0, cap = 0, i, j;
	struct dirent *d;
	DIR *dh;

	*out = NULL;
	*n = 0;
	if ((dh = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((d = readdir(dh)) != NULL) {
		size_t len = strlen(d->d_name);

		if (len != 13 || strcmp(d->d_name + 8, ".json") != 0 ||
		    scan_ulong_n(d->d_name, 8, 99999999, &num) == -1)
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				closedir(dh), free(v);
				return -1;
			}
			v = nv;
		}
		v[cnt++] = num;
	}
	closedir(dh);
	for (i = 1; i < cnt; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			num = v[j], v[j] = v[j - 1], v[j - 1] = num;
		}
	*out = v;
	*n = cnt;
	return 0;
}

/* NNNNNNNN.json holds a version's metadata, NNNNNNNN.content its file;
 * the metadata is written last, so a version exists once it is whole. */
static char *
version_path(const char *dir, unsigned long version, const char *ext)
{
	char name[32];

	snprintf(name, sizeof(name), "%08lu.%s", version, ext);
	return util_path(dir, name);
}

static void
prune(const char *dir, const unsigned long *v, size_t n, unsigned keep)
{
	size_t i;

	for (i = 0; i + keep < n; i++) {
		char *meta = version_path(dir, v[i], "json");
		char *content = version_path(dir, v[i], "content");

		if (meta != NULL)
			unlink(meta);
		if (content != NULL)
			unlink(content);
		free(meta), free(content);
	}
}

static int
write_version(const char *dir, unsigned long version, json_t *o, const char *content,
    size_t len)
{
	char *meta = version_path(dir, version, "json");
	char *cpath = version_path(dir, version, "content");
	char *text = json_dumps(o, JSON_COMPACT);
	int r = -1;

	if (meta != NULL && cpath != NULL && text != NULL &&
	    atomicfile_replace(cpath, content, len, 0640) == 0)
		r = atomicfile_replace(meta, text, strlen(text), 0640);
	free(meta), free(cpath), free(text);
	return r;
}

int
history_record(const char *state, const char *service, const char *what,
    const char *token, const char *content, size_t len, unsigned keep)
{
	char *dir = history_dir(state, service), etag[80];
	unsigned long *v = NULL, next;
	size_t n = 0;
	json_t *o = NULL;
	int r = -1;

	if (dir == NULL || util_mkdirs(dir) == -1 || list_versions(dir, &v, &n) == -1)
		goto out;
	next = n > 0 ? v[n - 1] + 1 : 1;
	if (util_etag(content, len, etag) == -1)
		goto out;
	o = json_pack("{s:I, s:I, s:s, s:s, s:s}", "version", (json_int_t)next,
	    "time", (json_int_t)time(NULL), "token", token, "what", what, "etag", etag);
	if (o == NULL) {
		errno = ENOMEM;
		goto out;
	}
	if ((r = write_version(dir, next, o, content, len)) == 0)
		prune(dir, v, n, keep > 0 ? keep - 1 : 0);
out:
	json_decref(o);
	free(dir), free(v);
	return r;
}

static json_t *
load_version(const char *dir, unsigned long version)
{
	char *path = version_path(dir, version, "json");
	json_t *o;

	if (path == NULL)
		return NULL;
	o = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	free(path);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		errno = ENOENT;
		return NULL;
	}
	return o;
}

/* Newest first, stopping at the first match: every write asks this, and
 * reading all API_HISTORY_KEEP versions each time made a write's cost grow
 * with the history (found by the soak, bench/soak). */
int
history_has(const char *state, const char *service, const char *what)
{
	char *dir = history_dir(state, service);
	unsigned long *v = NULL;
	size_t n = 0;
	json_t *o;
	int found = 0;

	if (dir == NULL || list_versions(dir, &v, &n) == -1) {
		free(dir);
		return -1;
	}
	while (n > 0 && !found) {
		if ((o = load_version(dir, v[--n])) == NULL)
			continue;
		found = json_is_string(json_object_get(o, "what")) &&
		    strcmp(json_string_value(json_object_get(o, "what")), what) == 0;
		json_decref(o);
	}
	free(dir), free(v);
	return found;
}

json_t *
history_list(const char *state, const char *service)
{
	char *dir = history_dir(state, service);
	unsigned long *v = NULL;
	size_t n = 0, i;
	json_t *arr = json_array(), *o;

	if (dir == NULL || arr == NULL || list_versions(dir, &v, &n) == -1) {
		free(dir), json_decref(arr);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if ((o = load_version(dir, v[i])) != NULL)
			json_array_append_new(arr, o);
	}
	free(dir), free(v);
	return json_pack("{s:o}", "versions", arr);
}

json_t *
history_get(const char *state, const char *service, unsigned long version,
    char **content, size_t *len)
{
	char *dir = history_dir(state, service);
	char *cpath = NULL;
	json_t *o;

	*content = NULL;
	if (dir == NULL)
		return NULL;
	/* The content as a JSON string lost every version whose rules were
	 * not UTF-8: rollback answered 404 for a version it listed. */
	o = load_version(dir, version);
	if (o != NULL && ((cpath = version_path(dir, version, "content")) == NULL ||
	    util_read_file(cpath, content, len) == -1)) {
		json_decref(o);
		o = NULL;
		*content = NULL;
		errno = ENOENT;
	}
	free(dir), free(cpath);
	return o;
}
