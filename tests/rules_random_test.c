/* rules_random_test.c: random rules files through the real tcprules 0.88
 * and through ours: the same cdb bytes, or both refuse. RULES_SEED=N
 * replays a run; the seed is printed with every failure. */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rules/rules_compile.h"
#include "rules/rules_file.h"
#include "tests/rules_util.h"

#define REAL_TCPRULES "/usr/bin/tcprules"
#define FILES 1500
#define BINARY_EVERY 10		/* also run our program on every 10th file */

struct rng {
	uint64_t s;
};

static uint32_t
rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 11);
}

static int
chance(struct rng *r, unsigned percent)
{
	return rnd(r) % 100 < percent;
}

static const char *
pick(struct rng *r, const char *const *list, size_t n)
{
	return list[rnd(r) % n];
}

#define PICK(r, list) pick((r), (list), sizeof(list) / sizeof((list)[0]))

struct text {
	char buf[8192];
	size_t len;
};

static void
put(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->len + n < sizeof(t->buf)) {
		memcpy(t->buf + t->len, s, n);
		t->len += n;
	}
}

static void
putf(struct text *t, const char *fmt, unsigned a)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), fmt, a);
	put(t, tmp);
}

static void
gen_junk(struct rng *r, struct text *t, const char *alphabet, unsigned maxlen)
{
	unsigned n = rnd(r) % (maxlen + 1), i;
	size_t alen = strlen(alphabet);
	char c[2] = { 0, 0 };

	for (i = 0; i < n; i++) {
		c[0] = alphabet[rnd(r) % alen];
		put(t, c);
	}
}

static void
gen_ip(struct rng *r, struct text *t, unsigned parts, int prefix)
{
	static const char *const odd[] = { "", "01", "300", "-", "1-3", "04-06", "9-4", "250-300", "a-4", "x" };
	unsigned i;

	for (i = 0; i < parts; i++) {
		if (chance(r, 5))
			put(t, PICK(r, odd));
		else
			putf(t, "%u", rnd(r) % (chance(r, 80) ? 256 : 1000));
		if (i + 1 < parts || prefix)
			put(t, ".");
	}
}

static void
gen_addr(struct rng *r, struct text *t)
{
	static const char *const hosts[] = { "=host.example.com", "=.example.com", "=",
		"=a-b.example.com", "mail-gw.example.com", "=client", "=.com", "example.com" };
	static const char *const v6[] = { "::1", "2001:db8::1", "2001:db8::", "2001:db8::/32",
		"::ffff:127.0.0.1", "2001:DB8::1", "1:2" };

	switch (rnd(r) % 9) {
	case 0:
		break;
	case 1:
	case 2:
		gen_ip(r, t, 4, 0);
		break;
	case 3:
		gen_ip(r, t, 1 + rnd(r) % 3, 1);
		break;
	case 4:
		put(t, PICK(r, hosts));
		break;
	case 5:
		gen_junk(r, t, "abcjoe", 4);
		put(t, "@");
		if (chance(r, 50))
			gen_ip(r, t, 4, 0);
		else
			put(t, PICK(r, hosts));
		break;
	case 6:
		gen_junk(r, t, "0123456789.-=@ ab#\t/", 8);
		break;
	case 7:
		put(t, PICK(r, v6));
		break;
	default:
		gen_ip(r, t, 4, 0);
		putf(t, "/%u", rnd(r) % 34);
		break;
	}
}

static void
gen_var(struct rng *r, struct text *t)
{
	static const char *const names[] = { "RELAYCLIENT", "QMAILQUEUE", "A B", "", "X",
		"MAXCONNIP", "P,Q", "TCPLOCALHOST" };
	static const char *const delims[] = { "\"", "\"", "\"", "'", "/", "x", ",", "=", ":",
		"#" };
	const char *d = chance(r, 3) ? "\xe2\x80\x9c" : PICK(r, delims);

	put(t, ",");
	put(t, PICK(r, names));
	if (!chance(r, 2))
		put(t, "=");
	if (chance(r, 2))
		return;
	put(t, d);
	gen_junk(r, t, chance(r, 90) ? "abc/ .-:01" : "abc\"'/x,=:# \t", 10);
	if (!chance(r, 2))
		put(t, chance(r, 2) ? "\xe2\x80\x9d" : d);
	if (chance(r, 2))
		gen_junk(r, t, "abc #", 3);
}

static void
gen_rule(struct rng *r, struct text *t)
{
	static const char *const bad[] = { "ALLOW", " allow", "allowed", "", "denyall",
		"allow ", "deny,", "al" };
	unsigned i, nvars = rnd(r) % 4;

	gen_addr(r, t);
	put(t, ":");
	if (chance(r, 6))
		put(t, PICK(r, bad));
	else
		put(t, chance(r, 50) ? "allow" : "deny");
	for (i = 0; i < nvars; i++)
		gen_var(r, t);
	if (chance(r, 10))
		put(t, chance(r, 50) ? " \t " : " ");
	if (chance(r, 2))
		put(t, "\r");
}

static void
gen_file(struct rng *r, struct text *t)
{
	static const char *const other[] = { "# a comment", "#1.2.3.4:deny", "", "   ", "\t",
		"no colon here", "  # indented: comment" };
	unsigned i, n = 1 + rnd(r) % 8;

	t->len = 0;
	for (i = 0; i < n; i++) {
		if (chance(r, 15))
			put(t, PICK(r, other));
		else
			gen_rule(r, t);
		if (i + 1 < n || chance(r, 90))
			put(t, "\n");
	}
}

struct outcome {
	int rc;			/* 0 or 100 */
	char *cdb;		/* the bytes when rc is 0 */
	size_t len;
};

static char *dir;

/* tcprules fsyncs every file it writes: on a memory file system that
 * costs nothing, so the run is bounded by the programs themselves. */
static void
setup(void)
{
	const char *saved = getenv("TMPDIR");

	if (access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	dir = rules_util_tmpdir();
	if (saved != NULL)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	cr_assert_not_null(dir);
}

static void
teardown(void)
{
	rules_util_rmdir(dir);
	free(dir);
}

static void
outcome_free(struct outcome *o)
{
	free(o->cdb);
	o->cdb = NULL;
}

static void
run_program(const char *bin, const char *in, struct outcome *o)
{
	char *argv[] = { (char *)bin, "r.cdb", "r.tmp", NULL };
	char *cdb = rules_util_path(dir, "r.cdb");

	unlink(cdb);
	o->rc = rules_util_run(dir, argv, NULL, in, NULL, NULL);
	o->cdb = o->rc == 0 ? rules_util_read(cdb, &o->len) : NULL;
	free(cdb);
}

/* Ours, in process: parse, compile to a file, read the bytes back. */
static void
run_library(const char *text, size_t len, struct outcome *o)
{
	struct rules_file rf;
	char *path = rules_util_path(dir, "lib.cdb");
	int fd;

	cr_assert_eq(rules_file_parse(&rf, text, len, NULL), 0);
	o->rc = rf.nerrors ? 100 : 0;
	o->cdb = NULL;
	if (o->rc == 0) {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		cr_assert_geq(fd, 0);
		cr_assert_eq(rules_compile_fd(&rf, fd), 0);
		close(fd);
		o->cdb = rules_util_read(path, &o->len);
	}
	rules_file_free(&rf);
	free(path);
}

static int
same(const struct outcome *a, const struct outcome *b)
{
	if (a->rc != b->rc)
		return 0;
	return a->rc != 0 || (a->len == b->len && memcmp(a->cdb, b->cdb, a->len) == 0);
}

/* Removes the lines only our IPv6 extension accepts; returns how many. */
static size_t
drop_extension_lines(struct text *t)
{
	struct rules_file rf;
	char *out;
	size_t i, n = 0, len;

	cr_assert_eq(rules_file_parse(&rf, t->buf, t->len, NULL), 0);
	for (i = rf.nlines; i-- > 0;)
		if (rf.lines[i].ext == RULES_EXT_IPV6) {
			cr_assert_eq(rules_file_delete_line(&rf, i), 0);
			n++;
		}
	cr_assert_eq(rules_file_render(&rf, &out, &len), 0);
	memcpy(t->buf, out, len);
	t->len = len;
	free(out);
	rules_file_free(&rf);
	return n;
}

/* How many files tcprules accepted and refused, and how many had lines
 * that only the extension accepts: a generator that stops producing one
 * kind would make the test pass without testing anything. */
static unsigned accepted, refused, extended;

static void
compare_one(struct rng *r, unsigned long seed, unsigned k, const char *ours)
{
	struct outcome real, lib, bin;
	struct text t;
	char *in = rules_util_path(dir, "in");

	gen_file(r, &t);
	cr_assert_eq(rules_util_write(in, t.buf, t.len), 0);
	run_program(REAL_TCPRULES, in, &real);
	run_library(t.buf, t.len, &lib);
	if (real.rc == 100 && lib.rc == 0 && drop_extension_lines(&t) > 0) {
		extended++;
		outcome_free(&real);
		outcome_free(&lib);
		cr_assert_eq(rules_util_write(in, t.buf, t.len), 0);
		run_program(REAL_TCPRULES, in, &real);
		run_library(t.buf, t.len, &lib);
	}
	cr_assert(same(&real, &lib), "seed %lu file %u: tcprules exit %d, ours %d:\n%.*s",
	    seed, k, real.rc, lib.rc, (int)t.len, t.buf);
	if (real.rc == 0)
		accepted++;
	else
		refused++;
	if (k % BINARY_EVERY == 0) {
		run_program(ours, in, &bin);
		cr_assert(same(&real, &bin), "seed %lu file %u: tcprules exit %d, "
		    "mailstack-tcprules %d:\n%.*s", seed, k, real.rc, bin.rc, (int)t.len, t.buf);
		outcome_free(&bin);
	}
	outcome_free(&real);
	outcome_free(&lib);
	free(in);
}

TestSuite(rules_random, .init = setup, .fini = teardown, .timeout = 60);

Test(rules_random, same_bytes_as_tcprules_or_both_refuse)
{
	const char *env = getenv("RULES_SEED");
	unsigned long seed = env != NULL ? strtoul(env, NULL, 10) :
	    (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
	char *ours = rules_util_top("rules/tcprules/mailstack-tcprules");
	struct rng r = { seed * 2 + 1 };
	unsigned k;

	cr_assert(access(REAL_TCPRULES, X_OK) == 0, "the real tcprules is not installed");
	for (k = 0; k < FILES; k++)
		compare_one(&r, seed, k, ours);
	free(ours);
	cr_log_info("seed %lu: %u accepted, %u refused, %u with extension lines",
	    seed, accepted, refused, extended);
	cr_expect_geq(accepted, FILES / 10, "seed %lu: only %u files accepted", seed, accepted);
	cr_expect_geq(refused, FILES / 10, "seed %lu: only %u files refused", seed, refused);
	cr_expect_gt(extended, 0, "seed %lu: no file used the IPv6 extension", seed);
}
