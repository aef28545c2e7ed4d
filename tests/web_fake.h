/* web_fake.h: for mailctld's tests, a tiny listener control socket in a
 * thread of the test speaking protocol C (status, connections, set, reload,
 * reexec, quit), and a temporary service tree (config, state, tokens). */
#ifndef MAILSTACK_TESTS_WEB_FAKE_H
#define MAILSTACK_TESTS_WEB_FAKE_H

#include <pthread.h>
#include <stddef.h>

struct web_fake {
	char path[108];		/* socket path */
	char limits_path[256];	/* the limits file reload reads */
	int fd;
	pthread_t thread;
	pthread_mutex_t lock;
	long limits[3];		/* max_connections, max_per_ip, max_per_network */
	int reloads;		/* "reload" requests answered ok */
	int requests;		/* every request line */
	char last[1100];	/* the last request line */
	const char *connections;/* data lines for "connections" (each ending '\n') */
	int busy;		/* answer "error busy" to this many requests */
	int old;		/* an older image: status without version ...
				 * listen_overflows, and no reexec */
	int reexecs;		/* "reexec" requests answered ok */
	const char *exec_error;	/* answer reexec "error exec " + this */
	int reexec_ms;		/* how long a reexec takes */
	int running;
};

/* Starts serving at path; reload re-reads limits_path. 0 or -1. */
int web_fake_start(struct web_fake *f, const char *path, const char *limits_path);
void web_fake_stop(struct web_fake *f);

/* A fresh tree under $TMPDIR (else /tmp): DIR/etc/imap (config), DIR/var (state), DIR/tokens with
 * tokens "admin-secret" (admin) and "read-secret" (read), DIR/conf naming
 * service imap (control DIR/imap.sock) and service smtp (control
 * DIR/smtp.sock, nobody listening). Returns DIR (malloc'd) or NULL. */
char *web_fake_tree(void);
/* DIR + "/" + name, malloc'd. */
char *web_fake_path(const char *dir, const char *name);
/* rm -rf dir (no shell). */
void web_fake_rmtree(const char *dir);

#define WEB_ADMIN_TOKEN "admin-secret"
#define WEB_READ_TOKEN "read-secret"

#endif
