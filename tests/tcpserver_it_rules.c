/* tcpserver_it_rules.c: -x/-X with cdbs compiled by the real tcprules and
 * with broken rules files, mailstack-tcpserver against the real one. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tcpserver_it.h"

enum rules_file {
	RULES_TEXT,	/* text compiled by the real tcprules */
	RULES_MISSING,
	RULES_GARBAGE,	/* eight bytes of text */
	RULES_EMPTY,	/* zero-length */
	RULES_DIR	/* a directory */
};

/* Puts rules.cdb of the given kind into dir. */
static void
make_rules(const char *dir, enum rules_file kind, const char *text)
{
	char *path = NULL;

	switch (kind) {
	case RULES_TEXT:
		path = it_rules_compile(dir, "rules", text);
		break;
	case RULES_MISSING:
		return;
	case RULES_GARBAGE:
		path = harness_write_file(dir, "rules.cdb", "garbage\n", 8);
		break;
	case RULES_EMPTY:
		path = harness_write_file(dir, "rules.cdb", "", 0);
		break;
	case RULES_DIR:
		cr_assert_neq(asprintf(&path, "%s/rules.cdb", dir), -1);
		cr_assert_eq(mkdir(path, 0755), 0);
		break;
	}
	cr_assert_not_null(path, "cannot make the rules file");
	free(path);
}

/* One client of an env-printing server with -v -x rules.cdb OPTS...:
 * the reply and the whole log, normalised. */
struct rules_case {
	enum rules_file kind;
	const char *text;		/* RULES_TEXT */
	const char *const *opts;	/* after -v -x rules.cdb */
};

static char *
rules_run(enum it_flavour f, const void *arg)
{
	const struct rules_case *c = arg;
	const char *dir = harness_tmpdir();
	const char *o[12] = { "-x", "rules.cdb" };

	cr_assert_not_null(dir);
	make_rules(dir, c->kind, c->text);
	it_opts_rules(dir, c->opts, NULL, o + 2, 10);
	return it_env_run(f, dir, o, NULL, NULL, NULL);
}

static void
rules_compare(enum rules_file kind, const char *text,
    const char *const *opts, const char *needle)
{
	struct rules_case c = { kind, text, opts };
	const char *const needles[] = { needle, NULL };

	it_compare(rules_run, &c, needles);
}

TestSuite(it_rules, .fini = harness_cleanup, .timeout = 30);

Test(it_rules, allow_with_variables)
{
	rules_compare(RULES_TEXT,
	    "127.:allow,RELAYCLIENT=\"\",RBLSMTPD=\"\"\n"
	    ":allow,QMAILQUEUE=\"/var/qmail/bin/simscan\"\n", NULL,
	    "RELAYCLIENT=\n");
}

Test(it_rules, empty_key_is_last_resort)
{
	rules_compare(RULES_TEXT,
	    "10.:allow,TEN=\"x\"\n:allow,QMAILQUEUE=\"q\"\n", NULL,
	    "QMAILQUEUE=q\n");
}

Test(it_rules, deny)
{
	rules_compare(RULES_TEXT, "127.0.0.1:deny\n", NULL,
	    "end PID status 25600\n");
}

Test(it_rules, deny_still_sends_the_banner)
{
	rules_compare(RULES_TEXT, "127.0.0.1:deny,X=\"y\"\n",
	    (const char *const[]){ "-B", "220 banner\r\n", NULL },
	    "reply:\n220 banner\r\nlog:");
}

Test(it_rules, missing_file_drops)
{
	rules_compare(RULES_MISSING, NULL, NULL,
	    "unable to read rules.cdb: file does not exist\n");
}

Test(it_rules, missing_file_with_X_allows)
{
	rules_compare(RULES_MISSING, NULL, (const char *const[]){ "-X", NULL },
	    "PROTO=TCP\n");
}

Test(it_rules, garbage_file_drops)
{
	rules_compare(RULES_GARBAGE, NULL, NULL,
	    "unable to read rules.cdb: protocol error\n");
}

Test(it_rules, zero_length_file_drops)
{
	rules_compare(RULES_EMPTY, NULL, NULL,
	    "unable to read rules.cdb: invalid argument\n");
}

Test(it_rules, zero_length_file_drops_even_with_X)
{
	rules_compare(RULES_EMPTY, NULL, (const char *const[]){ "-X", NULL },
	    "end PID status 28416\n");
}

/* The real binary crashes here (status 11); ours drops with a message. */
static void
directory_check(const char *const *opts)
{
	struct rules_case c = { RULES_DIR, NULL, opts };
	char *ours = rules_run(IT_OURS, &c);

	cr_assert_not_null(ours, "%s did not start", it_bin(IT_OURS));
	cr_expect(strstr(ours, "reply:\nlog:\n") != NULL, "client got data:\n%s",
	    ours);
	cr_expect(strstr(ours, "tcpserver: warning: dropping connection, "
	    "unable to read rules.cdb: ") != NULL, "no drop message:\n%s",
	    ours);
	cr_expect(strstr(ours, "end PID status 28416\n") != NULL,
	    "child did not exit 111:\n%s", ours);
	free(ours);
}

Test(it_rules, directory_drops)
{
	directory_check(NULL);
}

Test(it_rules, directory_drops_even_with_X)
{
	directory_check((const char *const[]){ "-X", NULL });
}

/* tcprules replaces the cdb while the server runs; the next connection
 * sees the new rules. */
static void
recompile_check(enum it_flavour f)
{
	static const char *const prog[] = { "/usr/bin/env", NULL };
	const char *dir = harness_tmpdir();
	struct it_server s;
	char *a, *b;

	cr_assert_not_null(dir);
	free(it_rules_compile(dir, "rules", "127.0.0.1:allow,V=\"one\"\n"));
	cr_assert_eq(it_server_start(&s, f, dir,
	    (const char *const[]){ "-x", "rules.cdb", NULL }, "127.0.0.1",
	    prog, NULL), 0, "%s did not start", it_bin(f));
	a = it_fetch(&s, 4, NULL, NULL, NULL);
	cr_assert_not_null(it_rules_compile(dir, "rules",
	    "127.0.0.1:allow,V=\"two\"\n"));
	b = it_fetch(&s, 4, NULL, NULL, NULL);
	cr_expect(a != NULL && harness_has_line(a, "V=one"),
	    "%s: first: %s", it_prog_name(f), a);
	cr_expect(b != NULL && harness_has_line(b, "V=two"),
	    "%s: after recompiling: %s", it_prog_name(f), b);
	free(a);
	free(b);
	it_server_free(&s);
}

Test(it_rules, recompiled_rules_apply_to_the_next_connection)
{
	recompile_check(IT_REAL);
	recompile_check(IT_OURS);
}
