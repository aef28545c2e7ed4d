/* appliance_mail_test.c: the demo's real mail path through its s6 tree:
 * curl and python's imaplib LOGIN and read the welcome message, swaks
 * sends a message that exim delivers and IMAP then shows. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "appliance_util.h"

TestSuite(appliance_mail, .fini = appliance_fini, .timeout = 120);

#define WELCOME "Subject: Welcome to the mailstack demo"

/* curl imap://demo:PASSWORD@127.0.0.1:PORT/PATH [-X command]: exit code. */
static int
curl_imap(const struct appliance *a, const char *password, const char *path,
    const char *command, char **out)
{
	char url[300], user[120];
	const char *argv[] = { "/usr/bin/curl", "-sS", "--max-time", "10", "-u", user, url,
	    command != NULL ? "-X" : NULL, command, NULL };

	snprintf(user, sizeof(user), "demo:%s", password);
	snprintf(url, sizeof(url), "imap://127.0.0.1:%u/%s", a->imap_port, path);
	return appliance_run(argv, out);
}

static const char imaplib_script[] =
    "import imaplib, sys\n"
    "m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]), timeout=10)\n"
    "assert m.login('demo', sys.argv[2])[0] == 'OK'\n"
    "typ, n = m.select('INBOX')\n"
    "assert typ == 'OK' and int(n[0]) >= 1, n\n"
    "typ, d = m.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')\n"
    "assert typ == 'OK', d\n"
    "sys.stdout.write(d[0][1].decode())\n"
    "m.logout()\n";

Test(appliance_mail, curl_and_imaplib_log_in_and_read_the_welcome_message)
{
	struct appliance a;
	char port[16], *out = NULL;
	const char *py[] = { "/usr/bin/python3", "-c", imaplib_script, port, NULL, NULL };

	appliance_start(&a);
	cr_assert_eq(curl_imap(&a, a.password, "INBOX;UID=1", NULL, &out), 0, "curl: %s", out);
	cr_assert_not_null(strstr(out, WELCOME), "curl fetched: %s", out);
	free(out);
	/* a real LOGIN: a wrong password is refused */
	cr_assert_neq(curl_imap(&a, "not-the-password", "INBOX;UID=1", NULL, &out), 0,
	    "a wrong password fetched: %s", out);
	cr_assert_null(strstr(out, WELCOME), "%s", out);
	free(out);

	snprintf(port, sizeof(port), "%u", a.imap_port);
	py[4] = a.password;
	cr_assert_eq(appliance_run(py, &out), 0, "imaplib: %s", out);
	cr_assert_not_null(strstr(out, WELCOME), "imaplib read: %s", out);
	free(out);
	appliance_stop(&a);
}

/* Waits (bounded) until an IMAP search for subject finds a message; the
 * search answer. */
static char *
wait_for_subject(const struct appliance *a, const char *subject)
{
	long long end = harness_now_ms() + HARNESS_TIMEOUT_MS;
	char search[200];

	snprintf(search, sizeof(search), "SEARCH SUBJECT \"%s\"", subject);
	for (;;) {
		char *out = NULL;

		cr_assert_eq(curl_imap(a, a->password, "INBOX", search, &out), 0, "%s", out);
		if (strstr(out, "* SEARCH ") != NULL)
			return out;
		free(out);
		cr_assert_lt(harness_now_ms(), end, "no message \"%s\" over IMAP", subject);
		harness_sleep_ms(100);
	}
}

Test(appliance_mail, a_message_sent_with_swaks_appears_over_imap)
{
	struct appliance a;
	char server[64], subject[80], header[120], *out = NULL, *found;
	const char *swaks[] = { "/usr/bin/swaks", "--server", server, "--from",
	    "alice@localhost", "--to", "demo@localhost", "--header", header, "--body",
	    "sent by the appliance test", NULL };
	const char *relay[] = { "/usr/bin/swaks", "--server", server, "--from",
	    "alice@localhost", "--to", "someone@elsewhere.test", "--quit-after", "RCPT", NULL };
	long uid;

	if (access("/usr/bin/swaks", X_OK) != 0)
		cr_skip_test("swaks is missing (see packaging/packages.txt)");
	appliance_start(&a);
	snprintf(server, sizeof(server), "127.0.0.1:%u", a.smtp_port);
	snprintf(subject, sizeof(subject), "appliance %ld.%ld", (long)getpid(), (long)time(NULL));
	snprintf(header, sizeof(header), "Subject: %s", subject);
	cr_assert_eq(appliance_run(swaks, &out), 0, "swaks: %s", out);
	cr_assert_not_null(strstr(out, "250 OK id="), "exim did not take it: %s", out);
	free(out);

	found = wait_for_subject(&a, subject);
	uid = strtol(strstr(found, "* SEARCH ") + 9, NULL, 10);
	free(found);
	cr_assert_geq(uid, 2, "the welcome message is 1");
	snprintf(header, sizeof(header), "INBOX;UID=%ld", uid);
	cr_assert_eq(curl_imap(&a, a.password, header, NULL, &out), 0, "%s", out);
	cr_assert_not_null(strstr(out, subject), "%s", out);
	/* exim saw the client's address on descriptor 0: the listener's socket */
	cr_assert_not_null(strstr(out, "[127.0.0.1]"), "Received lines: %s", out);
	free(out);

	/* and nothing leaves the machine: another domain is refused */
	cr_assert_neq(appliance_run(relay, &out), 0, "relayed: %s", out);
	cr_assert_not_null(strstr(out, "550 relay not permitted"), "%s", out);
	free(out);
	appliance_stop(&a);
}
