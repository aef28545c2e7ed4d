/* util.h: small file helpers shared by mailctld's parts. */
#ifndef MAILSTACK_WEB_UTIL_H
#define MAILSTACK_WEB_UTIL_H

#include <stddef.h>

/* Reads the whole file into a malloc'd NUL-terminated buffer. 0, or -1
 * with errno (ENOENT when missing). */
int util_read_file(const char *path, char **buf, size_t *len);
/* dir + "/" + name, malloc'd; NULL on out of memory. */
char *util_path(const char *dir, const char *name);
/* Creates dir and its parents (mode 0750), each new one fsync'd into its
 * parent. 0 or -1 with errno. */
int util_mkdirs(const char *dir);
/* The strong ETag of content: "\"sha256-HEX\"" into out (80 bytes). */
int util_etag(const void *p, size_t len, char out[80]);
/* The value of one hex digit, -1 for any other byte. */
int util_hexval(char c);
/* 1 when the If-Match header value accepts etag (NULL header: 1). */
int util_if_match(const char *header, const char *etag);

#endif
