/* ctl_fake.h: a one-request HTTP server for mailctl's tests: a thread on
 * 127.0.0.1 (port 0) that records the request and answers a canned reply. */
#ifndef MAILSTACK_TESTS_CTL_FAKE_H
#define MAILSTACK_TESTS_CTL_FAKE_H

#include <pthread.h>
#include <stddef.h>

struct ctl_fake {
	int fd;			/* listening socket */
	unsigned port;
	pthread_t thread;
	int started;
	/* the canned reply */
	int status;
	const char *ctype;	/* NULL = no Content-Type */
	const char *body;
	/* what came, valid after ctl_fake_wait */
	int got;		/* 1 once a whole request was read */
	char method[16];
	char target[2048];	/* path and query as sent */
	char *head;		/* the header lines, malloc'd */
	char *body_in;		/* the request body, malloc'd, NUL-terminated */
	size_t body_len;
};

/* How long a silent fake (status 0) waits for the client to give up. */
#define CTL_FAKE_SILENT_MS 20000

/* Listens and starts the thread; status 0 reads the request and never
 * answers. 0 or -1. */
int ctl_fake_start(struct ctl_fake *f, int status, const char *ctype, const char *body);
/* The next request on the same port (mailctl keys some state by URL):
 * waits for the last one, then answers this reply. 0 or -1. */
int ctl_fake_again(struct ctl_fake *f, int status, const char *ctype, const char *body);
/* Joins the thread (it gives up after HARNESS_TIMEOUT_MS without a request). */
void ctl_fake_wait(struct ctl_fake *f);
void ctl_fake_free(struct ctl_fake *f);
/* A request header's value (name case-insensitive), malloc'd, or NULL. */
char *ctl_fake_header(const struct ctl_fake *f, const char *name);
/* "http://127.0.0.1:PORT", static per fake. */
const char *ctl_fake_url(const struct ctl_fake *f);

#endif
