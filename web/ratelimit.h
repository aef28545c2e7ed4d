/* ratelimit.h: authentication failures per peer address in a fixed-size
 * table, so that a guesser is answered 429 for the rest of the window. */
#ifndef MAILSTACK_WEB_RATELIMIT_H
#define MAILSTACK_WEB_RATELIMIT_H

#include <pthread.h>
#include <time.h>

#define RATELIMIT_SLOTS 256
#define RATELIMIT_PEER_MAX 64
#define RATELIMIT_FAILURES 5	/* failures allowed in one window */
#define RATELIMIT_WINDOW 60	/* seconds */

struct ratelimit_slot {
	char peer[RATELIMIT_PEER_MAX];
	time_t start;		/* of the window; 0 = free slot */
	unsigned failures;
};

struct ratelimit {
	pthread_mutex_t lock;
	struct ratelimit_slot slot[RATELIMIT_SLOTS];
	unsigned max_failures;
	unsigned window;
};

void ratelimit_init(struct ratelimit *rl);
void ratelimit_free(struct ratelimit *rl);
/* 0 when peer may try, else the seconds until it may (for Retry-After). */
unsigned ratelimit_check(struct ratelimit *rl, const char *peer, time_t now);
/* Counts one failure of peer. When the table is full the slot whose
 * window started first is reused, so memory stays bounded. */
void ratelimit_fail(struct ratelimit *rl, const char *peer, time_t now);

#endif
