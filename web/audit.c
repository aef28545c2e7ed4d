/* audit.c: appending to and reading the audit log. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/atomicfile.h"
#include "web/audit.h"
#include "web/util.h"

int
audit_append(const char *path, json_t *entry)
{
	char *line = json_dumps(entry, JSON_COMPACT);
	size_t n;
	ssize_t w;
	int fd, e, created = 0;

	if (line == NULL) {
		errno = ENOMEM;
		return -1;
	}
	n = strlen(line);
	line[n] = '\n';	/* replaces the NUL: one write holds the whole line */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640), created = 1;
	if (fd == -1) {
		e = errno;
		free(line);
		errno = e;
		return -1;
	}
	w = write(fd, line, n + 1);
	e = errno;
	free(line);
	/* The first entry also makes the log's name in its folder durable:
	 * an fsync'd line in a file that a crash unnames is lost all the same. */
	if (w != (ssize_t)(n + 1) || fsync(fd) == -1 || (created && atomicfile_sync_dir(path) == -1)) {
		if (w >= 0 && w != (ssize_t)(n + 1))
			e = EIO;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

json_t *
audit_read(const char *path, size_t limit)
{
	json_t *arr = json_array(), *o;
	char *buf = NULL, *line, *nl;
	size_t len, skip;

	if (arr == NULL)
		return NULL;
	if (util_read_file(path, &buf, &len) == -1 && errno != ENOENT) {
		json_decref(arr);
		return NULL;
	}
	for (line = buf; line != NULL && *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;	/* a line without its newline was cut */
		*nl = '\0';
		o = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
		if (o != NULL && json_is_object(o))
			json_array_append(arr, o);
		json_decref(o);
	}
	free(buf);
	if (limit > 0 && json_array_size(arr) > limit) {
		json_t *tail = json_array();

		for (skip = json_array_size(arr) - limit; tail != NULL &&
		    skip < json_array_size(arr); skip++)
			json_array_append(tail, json_array_get(arr, skip));
		json_decref(arr);
		if ((arr = tail) == NULL)
			return NULL;
	}
	return json_pack("{s:o}", "entries", arr);
}
