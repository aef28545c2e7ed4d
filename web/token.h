/* token.h: API tokens, stored as SHA-256 hashes with a scope, checked in
 * constant time; the file is re-read when it changes on disk. */
#ifndef MAILSTACK_WEB_TOKEN_H
#define MAILSTACK_WEB_TOKEN_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define TOKEN_NAME_MAX 64
#define TOKEN_HASH_LEN 32

enum token_scope { TOKEN_NONE = 0, TOKEN_READ = 1, TOKEN_ADMIN = 2 };

struct token_entry {
	char name[TOKEN_NAME_MAX + 1];
	enum token_scope scope;
	unsigned char hash[TOKEN_HASH_LEN];
};

struct token_store {
	char *path;			/* owned */
	pthread_mutex_t lock;
	struct token_entry *v;		/* owned */
	size_t n;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int loaded;
};

int token_store_init(struct token_store *ts, const char *path);
void token_store_free(struct token_store *ts);
/* Makes the store read path (the same or another file) at the next
 * check, whether it changed or not (SIGHUP). 0, or -1 out of memory. */
int token_store_repoint(struct token_store *ts, const char *path);

/* Checks the presented token text. Returns 1 and fills *scope and name
 * (TOKEN_NAME_MAX + 1 bytes) when it matches, 0 when not (or the file is
 * unreadable: nobody gets in), -1 on out of memory. */
int token_store_check(struct token_store *ts, const char *token, size_t len,
    enum token_scope *scope, char *name);

/* Parses one tokens file. 0, or -1 with errno EINVAL and the bad line
 * number in *badline. */
int token_parse(const char *buf, size_t len, struct token_entry **v, size_t *n,
    size_t *badline);

/* SHA-256 of p, through GnuTLS. 0 or -1. */
int token_sha256(const void *p, size_t len, unsigned char out[TOKEN_HASH_LEN]);
/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void token_hex(const unsigned char *p, size_t n, char *out);
/* "read"/"admin" to a scope, TOKEN_NONE for anything else. */
enum token_scope token_scope_parse(const char *s);

/* Makes a token of 32 random bytes in hex (out: 65 bytes), appends
 * "NAME SCOPE sha256:HEX" to path atomically (mode 0600). Returns 0, or -1
 * with errno (EEXIST: name already present, EINVAL: bad name or scope,
 * or the file does not parse). */
int token_generate(const char *path, const char *name, const char *scope, char out[65]);

#endif
