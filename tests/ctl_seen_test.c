/* ctl_seen_test.c: mailctl status's state file (ctl/mailctl/seen.c): where
 * it lives, what reads back, the bound on its entries, and that its folder
 * is made private. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "ctl/mailctl/seen.h"

TestSuite(ctl_seen, .fini = harness_cleanup, .timeout = 30);

Test(ctl_seen, the_path_follows_xdg_then_home)
{
	char p[64];

	cr_assert_eq(seen_path(p, sizeof(p), "/x/state", "/home/a"), 0);
	cr_assert_str_eq(p, "/x/state/mailctl/seen");
	/* a relative XDG_STATE_HOME is to be ignored (XDG base directories) */
	cr_assert_eq(seen_path(p, sizeof(p), "rel", "/home/a"), 0);
	cr_assert_str_eq(p, "/home/a/.local/state/mailctl/seen");
	cr_assert_eq(seen_path(p, sizeof(p), "", "/home/a"), 0);
	cr_assert_str_eq(p, "/home/a/.local/state/mailctl/seen");
	cr_assert_eq(seen_path(p, sizeof(p), NULL, NULL), -1);
	cr_assert_eq(seen_path(p, sizeof(p), NULL, "home"), -1);
	cr_assert_eq(seen_path(p, 10, "/x/state", NULL), -1, "a cut path is no path");
}

Test(ctl_seen, entries_round_trip_and_the_oldest_go_past_the_bound)
{
	char dir[400], path[500], url[64];
	struct seen s = SEEN_ZERO;
	unsigned long long v;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/a/b", harness_tmpdir());
	snprintf(path, sizeof(path), "%s/seen", dir);
	cr_assert_eq(seen_set(&s, "http://127.0.0.1:8787", "imap", 18446744073709551615ULL), 0);
	cr_assert_eq(seen_set(&s, "http://127.0.0.1:8787", "smtp", 3), 0);
	cr_assert_eq(seen_set(&s, "http://has a blank", "imap", 3), 0);
	cr_assert_eq(s.n, 2, "a URL with a blank would not read back: not kept");
	cr_assert_eq(seen_set(&s, "http://127.0.0.1:8787", "imap", 5), 0);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(seen_write(&s, path), 0);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	seen_free(&s);
	seen_read(&s, path);
	cr_assert_eq(s.changed, 0);
	cr_assert(seen_find(&s, "http://127.0.0.1:8787", "imap", &v) && v == 5);
	cr_assert(seen_find(&s, "http://127.0.0.1:8787", "smtp", &v) && v == 3);
	cr_assert_not(seen_find(&s, "http://127.0.0.1:8788", "imap", &v));

	/* past SEEN_MAX_ENTRIES the least recently set go first */
	for (int i = 0; i < SEEN_MAX_ENTRIES; i++) {
		snprintf(url, sizeof(url), "http://h%d", i);
		cr_assert_eq(seen_set(&s, url, "imap", (unsigned long long)i), 0);
	}
	cr_assert_eq(s.n, SEEN_MAX_ENTRIES);
	cr_assert_not(seen_find(&s, "http://127.0.0.1:8787", "smtp", &v));
	cr_assert(seen_find(&s, "http://h0", "imap", &v) && v == 0);
	cr_assert_eq(seen_write(&s, path), 0);
	seen_free(&s);
	seen_read(&s, path);
	cr_assert_eq(s.n, SEEN_MAX_ENTRIES);
	cr_assert(seen_find(&s, "http://h255", "imap", &v) && v == 255);
	seen_free(&s);
}

Test(ctl_seen, an_oversized_file_reads_as_empty)
{
	struct seen s = SEEN_ZERO;
	size_t n = SEEN_MAX_BYTES + 100;
	char *big = malloc(n), *path;

	cr_assert_not_null(big);
	memset(big, '\n', n);
	memcpy(big, "http://h imap 1\n", 16);
	path = harness_write_file(harness_tmpdir(), "seen", big, n);
	cr_assert_not_null(path);
	seen_read(&s, path);
	cr_assert_eq(s.n, 0);
	seen_free(&s);
	free(path);
	free(big);
}
