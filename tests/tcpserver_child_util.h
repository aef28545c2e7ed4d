/* tcpserver_child_util.h: helpers shared by the tcpserver child tests. */
#ifndef MAILSTACK_TESTS_TCPSERVER_CHILD_UTIL_H
#define MAILSTACK_TESTS_TCPSERVER_CHILD_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* The first name /etc/hosts gives 127.0.0.1 (what getnameinfo answers
 * without DNS), "" when there is none. */
void util_hosts_name(char *out, size_t size);

/* A fresh private folder under /tmp (malloc'd path), and its removal
 * (the path is freed). Both return NULL / -1 on failure. */
char *util_scratch_dir(void);
int util_scratch_remove(char *dir);

/* Moves this process into a private network namespace with loopback up,
 * so nothing it does can leave the machine. 0, or -1 when not permitted. */
int util_private_net(void);

/* A one-shot fake identd on 127.0.0.1:port (0 = any free port): reports
 * "QUERY|PEERIP" through a pipe, then sends reply (NULL = stays silent,
 * "" = closes at once). Each piece lives at most 10 s. */
struct fake_identd {
	pid_t pid;
	unsigned port;		/* where it listens */
	int report;		/* read end of the report pipe */
};

/* 0, or -1 with errno. */
int fake_identd_start(struct fake_identd *f, unsigned port, const char *reply);
/* What it saw, "" when nothing came within 5 s. */
void fake_identd_report(struct fake_identd *f, char *buf, size_t size);
/* Kills and reaps it. */
void fake_identd_stop(struct fake_identd *f);

#endif
