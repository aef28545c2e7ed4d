/* rules_compile.c: writing the records of a rules file as a cdb with tinycdb. */
#include <cdb.h>
#include <errno.h>

#include "rules/rules_compile.h"

static int
compile_add(void *arg, size_t lineno, const char *key, size_t keylen,
    const char *data, size_t datalen)
{
	(void)lineno;
	return cdb_make_add(arg, key, (unsigned)keylen, data, (unsigned)datalen) == 0 ? 0 : -1;
}

int
rules_compile_fd(const struct rules_file *rf, int fd)
{
	struct cdb_make cm;
	int saved;

	if (rf->nerrors > 0) {
		errno = EINVAL;
		return -1;
	}
	if (cdb_make_start(&cm, fd) == -1)
		return -1;
	if (rules_file_records(rf, compile_add, &cm) != 0)
		goto fail;
	if (cdb_make_finish(&cm) == -1)
		return -1;
	return 0;
fail:
	/* tinycdb frees its tables only in finish; the file is discarded */
	saved = errno;
	cdb_make_finish(&cm);
	errno = saved;
	return -1;
}
