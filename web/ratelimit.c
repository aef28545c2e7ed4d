/* ratelimit.c: the failure table behind 429 Too Many Requests. */
#include <string.h>

#include "web/ratelimit.h"

void
ratelimit_init(struct ratelimit *rl)
{
	memset(rl, 0, sizeof(*rl));
	pthread_mutex_init(&rl->lock, NULL);
	rl->max_failures = RATELIMIT_FAILURES;
	rl->window = RATELIMIT_WINDOW;
}

void
ratelimit_free(struct ratelimit *rl)
{
	pthread_mutex_destroy(&rl->lock);
}

static struct ratelimit_slot *
find(struct ratelimit *rl, const char *peer, time_t now)
{
	size_t i;

	for (i = 0; i < RATELIMIT_SLOTS; i++) {
		struct ratelimit_slot *s = &rl->slot[i];

		if (s->start == 0)
			continue;
		if (now - s->start >= (time_t)rl->window) {
			s->start = 0;
			continue;
		}
		if (strcmp(s->peer, peer) == 0)
			return s;
	}
	return NULL;
}

unsigned
ratelimit_check(struct ratelimit *rl, const char *peer, time_t now)
{
	struct ratelimit_slot *s;
	unsigned wait = 0;

	pthread_mutex_lock(&rl->lock);
	s = find(rl, peer, now);
	if (s != NULL && s->failures >= rl->max_failures)
		wait = (unsigned)(s->start + (time_t)rl->window - now);
	pthread_mutex_unlock(&rl->lock);
	return wait;
}

void
ratelimit_fail(struct ratelimit *rl, const char *peer, time_t now)
{
	struct ratelimit_slot *s, *oldest;
	size_t i;

	pthread_mutex_lock(&rl->lock);
	s = find(rl, peer, now);
	if (s == NULL) {
		oldest = &rl->slot[0];
		for (i = 0; i < RATELIMIT_SLOTS; i++) {
			if (rl->slot[i].start == 0) {
				oldest = &rl->slot[i];
				break;
			}
			if (rl->slot[i].start < oldest->start)
				oldest = &rl->slot[i];
		}
		s = oldest;
		strncpy(s->peer, peer, sizeof(s->peer) - 1);
		s->peer[sizeof(s->peer) - 1] = '\0';
		s->start = now;
		s->failures = 0;
	}
	s->failures++;
	pthread_mutex_unlock(&rl->lock);
}
