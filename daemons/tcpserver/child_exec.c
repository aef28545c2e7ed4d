/* child_exec.c: running the program: tcpserver's PATH search. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemons/tcpserver/child.h"
#include "strbuf.h"

int
child_exec_path(const char *file, char *const argv[], char *const envp[],
    const char *path)
{
	struct strbuf sb = STRBUF_ZERO;
	int saved = 0;
	size_t split;

	if (strchr(file, '/') != NULL) {
		execve(file, argv, envp);
		return -1;
	}
	if (path == NULL)
		path = "/bin:/usr/bin";
	for (;;) {
		split = strcspn(path, ":");
		strbuf_reset(&sb);
		if (strbuf_append(&sb, path, split) == -1 ||
		    (split == 0 && strbuf_appendc(&sb, '.') == -1) ||
		    strbuf_appendc(&sb, '/') == -1 || strbuf_appends(&sb, file) == -1)
			break;
		execve(sb.s, argv, envp);
		/* Keep looking only past names that are missing or not ours
		 * to run; anything else (ENOEXEC, E2BIG...) is the answer. */
		if (errno != ENOENT) {
			saved = errno;
			if (errno != EACCES && errno != EPERM && errno != EISDIR)
				break;
		}
		if (path[split] == '\0') {
			if (saved != 0)
				errno = saved;
			break;
		}
		path += split + 1;
	}
	saved = errno;
	strbuf_free(&sb);
	errno = saved;
	return -1;
}
