/* rules_cache.c: a rules.cdb kept open and reopened only when the file changes. */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules_lookup.h"

int
rules_cache_init(struct rules_cache *rc, const char *path)
{
	memset(rc, 0, sizeof(*rc));
	rc->path = strdup(path);
	if (rc->path == NULL)
		return -1;
	rc->last_errno = ENOENT;
	rc->checked_ms = -1;
	return 0;
}

void
rules_cache_set_interval(struct rules_cache *rc, int ms)
{
	rc->interval_ms = ms > 0 ? ms : 0;
}

/* The coarse clock is read without a system call. */
static int
cache_fresh(struct rules_cache *rc)
{
	struct timespec ts;
	long long now;

	if (rc->interval_ms == 0 || clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == -1)
		return 0;
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (rc->checked_ms >= 0 && now - rc->checked_ms < rc->interval_ms)
		return 1;
	rc->checked_ms = now;
	return 0;
}

static int
cache_same(const struct rules_cache *rc, const struct stat *st)
{
	return rc->dev == st->st_dev && rc->ino == st->st_ino &&
	    rc->size == st->st_size &&
	    rc->mtime_ns == (long long)st->st_mtim.tv_sec * 1000000000LL +
	    st->st_mtim.tv_nsec;
}

static void
cache_remember(struct rules_cache *rc, const struct stat *st)
{
	rc->dev = st->st_dev;
	rc->ino = st->st_ino;
	rc->size = st->st_size;
	rc->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL +
	    st->st_mtim.tv_nsec;
}

/* A file that failed to open is retried only once it changes, so a
 * broken file costs one stat per refresh, not an open. */
int
rules_cache_refresh(struct rules_cache *rc)
{
	struct stat st;

	if (cache_fresh(rc))
		return 0;
	if (stat(rc->path, &st) == -1) {
		if (errno == ENOMEM)
			return -1;
		rules_db_close(&rc->db);
		rc->last_errno = errno;
		memset(&st, 0, sizeof(st));
		cache_remember(rc, &st);
		return 0;
	}
	if (cache_same(rc, &st) && (rc->db != NULL || rc->last_errno != ENOENT))
		return 0;
	rules_db_close(&rc->db);
	cache_remember(rc, &st);
	if (rules_db_open(&rc->db, rc->path) == -1) {
		if (errno == ENOMEM)
			return -1;
		rc->last_errno = errno;
		return 0;
	}
	rc->last_errno = 0;
	return 0;
}

void
rules_cache_free(struct rules_cache *rc)
{
	rules_db_close(&rc->db);
	free(rc->path);
	rc->path = NULL;
}
