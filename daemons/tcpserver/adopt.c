/* adopt.c: the sessions of an earlier listener found in /proc (see
 * adopt.h for how they are told apart). Runs once at start-up, so plain
 * stdio and one sort are fine here. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemons/tcpserver/adopt.h"

/* An established socket on the port, from the kernel's table. */
struct sock_entry {
	unsigned long inode;
	struct ip_addr remote;
	unsigned remote_port;
	unsigned local_port;
	int claimed;		/* a process was found for it */
};

struct socks {
	struct sock_entry *e;
	size_t n, cap;
};

/* A process holding one of those sockets on fd 0 or 1. */
struct holder {
	unsigned long inode;
	pid_t pid, ppid;
	unsigned long long ticks;
};

struct holders {
	struct holder *h;
	size_t n, cap;
};

#define TCP_LISTEN 0x0A
#define TCP_TIME_WAIT 0x06

/* The kernel prints each 32-bit word of an address as the hex of its
 * value in host order: the word's bytes in memory are the address's. */
static int
hex_addr(const char *hex, struct ip_addr *ip)
{
	size_t len = strlen(hex), i;
	char word[9];
	uint32_t v;

	if (len != 8 && len != 32)
		return -1;
	memset(ip, 0, sizeof *ip);
	ip->family = len == 8 ? AF_INET : AF_INET6;
	for (i = 0; i < len / 8; i++) {
		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		v = (uint32_t)strtoul(word, NULL, 16);
		memcpy(ip->a + 4 * i, &v, 4);
	}
	return 0;
}

static int
is_any(const struct ip_addr *ip)
{
	static const unsigned char zero[16];

	return memcmp(ip->a, zero, sizeof zero) == 0;
}

static int
socks_push(struct socks *s, const struct sock_entry *e)
{
	struct sock_entry *more;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		more = realloc(s->e, s->cap * sizeof *more);
		if (more == NULL)
			return -1;
		s->e = more;
	}
	s->e[s->n++] = *e;
	return 0;
}

/* The established sockets of one table (tcp or tcp6) on laddr:port. A
 * missing table (no IPv6) is no error. */
static int
read_table(const char *path, const struct ip_addr *laddr, unsigned port,
    struct socks *out)
{
	char line[512], lhex[65], rhex[65];
	struct sock_entry e;
	struct ip_addr local;
	unsigned lport, rport, st;
	FILE *f = fopen(path, "re");
	int r = 0;

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while (r == 0 && fgets(line, sizeof line, f) != NULL) {
		memset(&e, 0, sizeof e);
		if (sscanf(line, " %*u: %64[0-9A-Fa-f]:%x %64[0-9A-Fa-f]:%x %x "
		    "%*s %*s %*s %*u %*u %lu", lhex, &lport, rhex, &rport, &st,
		    &e.inode) != 6 || lport != port || st == TCP_LISTEN ||
		    st == TCP_TIME_WAIT || e.inode == 0)
			continue;
		if (hex_addr(lhex, &local) < 0 || hex_addr(rhex, &e.remote) < 0)
			continue;
		ip_unmap(&local);
		ip_unmap(&e.remote);
		if (!is_any(laddr) && !ip_equal(&local, laddr))
			continue;
		e.remote_port = rport;
		e.local_port = lport;
		r = socks_push(out, &e);
	}
	fclose(f);
	return r;
}

static int
inode_cmp(const void *a, const void *b)
{
	unsigned long x = ((const struct sock_entry *)a)->inode;
	unsigned long y = ((const struct sock_entry *)b)->inode;

	return x < y ? -1 : x > y;
}

static struct sock_entry *
socks_find(const struct socks *s, unsigned long inode)
{
	struct sock_entry key;

	key.inode = inode;
	return bsearch(&key, s->e, s->n, sizeof *s->e, inode_cmp);
}

int
adopt_proc_stat(pid_t pid, char *state, pid_t *ppid,
    unsigned long long *ticks)
{
	char path[64], buf[1024], *p;
	unsigned long long v;
	size_t n;
	FILE *f;
	int i;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? (errno = ESRCH, -1) : -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: the fields
	 * start after its last ')', with field 3 (state). */
	if ((p = strrchr(buf, ')')) == NULL) {
		errno = ESRCH;
		return -1;
	}
	p++;
	while (*p == ' ')
		p++;
	*state = *p;
	for (i = 3; i <= 22; i++) {
		while (*p == ' ')
			p++;
		v = strtoull(p, &p, 10);
		if (i == 4)
			*ppid = (pid_t)v;
		if (i == 22)
			*ticks = v;
		if (i == 3)
			while (*p != '\0' && *p != ' ')
				p++;
	}
	return 0;
}

time_t
adopt_ticks_epoch(unsigned long long ticks)
{
	static long long btime = -1;
	long hz = sysconf(_SC_CLK_TCK);
	char line[128];
	FILE *f;

	if (btime < 0 && (f = fopen("/proc/stat", "re")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			if (sscanf(line, "btime %lld", &btime) == 1)
				break;
		fclose(f);
	}
	if (btime < 0 || hz <= 0)
		return time(NULL);
	return (time_t)(btime + (long long)(ticks / (unsigned long long)hz));
}

/* The socket inode on pid's fd, 0 when it is not one of ours. */
static unsigned long
fd_inode(pid_t pid, int fd, int *denied)
{
	char path[64], link[64];
	unsigned long inode;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)pid, fd);
	n = readlink(path, link, sizeof link - 1);
	if (n < 0) {
		if (errno == EACCES || errno == EPERM)
			*denied = 1;
		return 0;
	}
	link[n] = '\0';
	if (sscanf(link, "socket:[%lu]", &inode) != 1)
		return 0;
	return inode;
}

static int
holders_push(struct holders *hs, const struct holder *h)
{
	struct holder *more;

	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? 2 * hs->cap : 64;
		more = realloc(hs->h, hs->cap * sizeof *more);
		if (more == NULL)
			return -1;
		hs->h = more;
	}
	hs->h[hs->n++] = *h;
	return 0;
}

/* Every process but self with one of the sockets on fd 0 or 1. */
static int
find_holders(struct socks *s, pid_t self, struct holders *hs)
{
	struct holder h;
	struct dirent *d;
	unsigned long ino[2];
	int fd, denied, r = 0;
	char state;
	DIR *dir = opendir("/proc");

	if (dir == NULL)
		return -1;
	while (r == 0 && (d = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		h.pid = (pid_t)strtol(d->d_name, NULL, 10);
		if (h.pid == self)
			continue;
		denied = 0;
		for (fd = 0; fd < 2 && r == 0; fd++) {
			ino[fd] = fd_inode(h.pid, fd, &denied);
			if (ino[fd] == 0 || (fd == 1 && ino[1] == ino[0]) ||
			    socks_find(s, ino[fd]) == NULL ||
			    adopt_proc_stat(h.pid, &state, &h.ppid, &h.ticks) < 0)
				continue;
			h.inode = ino[fd];
			r = holders_push(hs, &h);
		}
	}
	closedir(dir);
	return r;
}

static int
holder_cmp(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->ticks != y->ticks)
		return x->ticks < y->ticks ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Of h[0..n-1] (one socket's holders, oldest first), the one whose parent
 * is not among them: the process the earlier listener started. */
static const struct holder *
topmost(const struct holder *h, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n && h[j].pid != h[i].ppid; j++)
			;
		if (j == n)
			return &h[i];
	}
	return &h[0];
}

static int
collect(struct socks *s, struct holders *hs, struct adopt_found *out)
{
	const struct holder *t;
	struct sock_entry *e;
	struct adopt_session *a;
	size_t i, j;

	if (hs->n > 0)
		qsort(hs->h, hs->n, sizeof *hs->h, holder_cmp);
	out->s = calloc(hs->n + 1, sizeof *out->s);
	if (out->s == NULL)
		return -1;
	for (i = 0; i < hs->n; i = j) {
		for (j = i; j < hs->n && hs->h[j].inode == hs->h[i].inode; j++)
			;
		t = topmost(&hs->h[i], j - i);
		e = socks_find(s, t->inode);
		e->claimed = 1;
		a = &out->s[out->n++];
		a->pid = t->pid;
		a->ppid = t->ppid;
		a->ticks = t->ticks;
		a->start = adopt_ticks_epoch(t->ticks);
		a->remote = e->remote;
		a->remote_port = e->remote_port;
		a->local_port = e->local_port;
	}
	for (i = 0; i < s->n; i++)
		if (!s->e[i].claimed)
			out->unattributed++;
	return 0;
}

int
adopt_scan(const struct ip_addr *laddr, unsigned port, pid_t self,
    struct adopt_found *out)
{
	struct socks s = { NULL, 0, 0 };
	struct holders hs = { NULL, 0, 0 };
	struct ip_addr want = *laddr;
	int r;

	memset(out, 0, sizeof *out);
	ip_unmap(&want);
	r = read_table("/proc/net/tcp", &want, port, &s);
	if (r == 0)
		r = read_table("/proc/net/tcp6", &want, port, &s);
	if (r == 0 && s.n > 0) {
		qsort(s.e, s.n, sizeof *s.e, inode_cmp);
		r = find_holders(&s, self, &hs);
		if (r == 0)
			r = collect(&s, &hs, out);
	}
	free(s.e);
	free(hs.h);
	if (r < 0)
		adopt_found_free(out);
	return r;
}

void
adopt_found_free(struct adopt_found *f)
{
	free(f->s);
	memset(f, 0, sizeof *f);
}
