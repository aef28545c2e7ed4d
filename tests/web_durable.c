/* web_durable.c: for the suites that kill mailctld in the middle of
 * writes: a burst of writes that notes each answered one, and the checks
 * that every file left is valid and every answered write is kept. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rules/rules_file.h"
#include "rules/rules_lookup.h"
#include "tests/web_durable.h"
#include "tests/web_http_util.h"
#include "lib/limitsfile.h"
#include "web/util.h"

/* Each version's metadata parses and its content is there (the folder
 * exists once a write got that far). */
static void
check_history_valid(void)
{
	char *hdir = web_fake_path(web_dir, "var/history/imap");
	DIR *d = opendir(hdir);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char *meta, *content;
		json_t *o;
		size_t n = strlen(e->d_name);

		if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		meta = web_fake_path(hdir, e->d_name);
		o = json_load_file(meta, 0, NULL);
		cr_assert_not_null(o, "%s parses", meta);
		/* NAME.json's text is NAME.content, 3 bytes longer: a copy,
		 * not in place (ASan saw the write past the end). */
		cr_assert_neq(asprintf(&content, "%.*scontent", (int)(strlen(meta) - 4),
		    meta), -1);
		cr_assert_eq(access(content, R_OK), 0, "%s exists", content);
		json_decref(o);
		free(content);
		free(meta);
	}
	if (d != NULL)
		closedir(d);
	free(hdir);
}

/* The whole file web_dir/name, or NULL when it does not exist (yet). */
static char *
read_if_there(const char *name, size_t *len)
{
	char *p = web_fake_path(web_dir, name), *buf = NULL;

	if (util_read_file(p, &buf, len) == -1) {
		cr_assert_eq(errno, ENOENT, "%s: %s", name, strerror(errno));
		buf = NULL;
	}
	free(p);
	return buf;
}

/* Every file the writes touch that exists is whole and valid; the audit
 * log's entries are returned (a write killed before its first fsync
 * leaves no file at all, which is not a loss: nothing was answered). */
json_t *
check_files_valid(void)
{
	char *buf, *line, *nl, *p;
	struct limitsfile_error e;
	struct limits_file lf;
	struct rules_file rf;
	struct rules_db *db = NULL;
	size_t len;
	json_t *entries = json_array();

	if ((buf = read_if_there("etc/imap/limits", &len)) != NULL)
		cr_assert_eq(limitsfile_parse(buf, len, &lf, &e), 0,
		    "limits: %lu: %s", e.line, e.reason);
	free(buf);
	if ((buf = read_if_there("etc/imap/rules", &len)) != NULL) {
		cr_assert_eq(rules_file_parse_owned(&rf, buf, len, NULL), 0);
		cr_assert_eq(rf.nerrors, 0);
		rules_file_free(&rf);
		p = web_fake_path(web_dir, "etc/imap/rules.cdb");
		cr_assert_eq(rules_db_open(&db, p), 0, "rules.cdb opens (rules is written last)");
		rules_db_close(&db);
		free(p);
	}
	for (line = buf = read_if_there("var/audit.log", &len); line != NULL &&
	    (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		json_t *o = json_loadb(line, (size_t)(nl - line), 0, NULL);

		cr_assert_not_null(o, "audit line: %.*s", (int)(nl - line), line);
		json_array_append_new(entries, o);
	}
	cr_assert(line == NULL || *line == '\0', "no cut line at the end of the audit log");
	free(buf);
	check_history_valid();
	return entries;
}

/* Writes as fast as it can until killed; after each 2xx answer, a line
 * in web_dir/acks: "limits MAX PER" or "rules ETAG COMMENT". */
void
write_burst(int round)
{
	char body[256], *path = web_fake_path(web_dir, "acks"), line[256];
	int i, fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);

	for (i = 0; fd != -1; i++) {
		struct http_answer a;
		char *etag;

		snprintf(body, sizeof(body), "{\"max_connections\":%d,\"max_per_ip\":%d,"
		    "\"max_per_network\":0}", 10 + i % 50, 1 + i % 9);
		a = web_http("PUT", "/v1/services/imap/limits", WEB_ADMIN_TOKEN, "application/json",
		    body, -1, NULL);
		snprintf(line, sizeof(line), "limits %d %d\n", 10 + i % 50, 1 + i % 9);
		if (a.status == 200 && write(fd, line, strlen(line)) < 0)
			_exit(1);
		free(a.body);
		snprintf(body, sizeof(body), "{\"address\":\"10.%d.%d.\",\"action\":\"deny\","
		    "\"comment\":\"burst %d-%d\"}", round, i % 256, round, i);
		a = web_http("POST", "/v1/services/imap/rules", WEB_ADMIN_TOKEN, "application/json",
		    body, -1, NULL);
		etag = strstr(a.headers, "ETag: \"");
		snprintf(line, sizeof(line), "rules %.66s burst-%d-%d\n", etag != NULL ? etag + 6 : "",
		    round, i);
		if (a.status == 201 && etag != NULL && write(fd, line, strlen(line)) < 0)
			_exit(1);
		free(a.body);
	}
	_exit(1);
}

/* 1 when an audit entry records this answered write. */
static int
audited(json_t *entries, const char *what, const char *etag, int max, int per)
{
	size_t i;
	json_t *e, *after;

	json_array_foreach(entries, i, e) {
		after = json_object_get(e, "after");
		if (strcmp(json_string_value(json_object_get(e, "what")), what) != 0)
			continue;
		if (etag != NULL && json_string_value(json_object_get(after, "etag")) != NULL &&
		    strcmp(json_string_value(json_object_get(after, "etag")), etag) == 0)
			return 1;
		if (etag == NULL &&
		    json_integer_value(json_object_get(after, "max_connections")) == max &&
		    json_integer_value(json_object_get(after, "max_per_ip")) == per)
			return 1;
	}
	return 0;
}

/* Every write the burst saw answered is in the audit log and, for rules,
 * in the rules file. Returns how many there were. */
int
check_acks_kept(json_t *entries)
{
	size_t len;
	char *acks = read_if_there("acks", &len), *rules = read_if_there("etc/imap/rules", &len);
	char *line, *nl, etag[80], comment[64], want[80];
	int n = 0, max, per;

	for (line = acks; line != NULL && (nl = strchr(line, '\n')) != NULL; line = nl + 1, n++) {
		*nl = '\0';
		if (sscanf(line, "limits %d %d", &max, &per) == 2) {
			cr_assert(audited(entries, "limits", NULL, max, per), "no audit entry: %s",
			    line);
			continue;
		}
		cr_assert_eq(sscanf(line, "rules %79s burst-%63s", etag, comment), 2, "%s", line);
		cr_assert(audited(entries, "rules", etag, 0, 0), "no audit entry: %s", line);
		snprintf(want, sizeof(want), "# burst %s\n", comment);
		cr_assert(rules != NULL && strstr(rules, want) != NULL, "rule %s lost", comment);
	}
	free(acks), free(rules);
	return n;
}


pid_t
burst_start(int round)
{
	pid_t w;

	web_start_daemon();
	w = harness_fork();
	cr_assert_neq(w, -1);
	if (w == 0)
		write_burst(round);
	return w;
}

void
burst_wait_first_ack(void)
{
	char *acks = web_fake_path(web_dir, "acks");
	long long end = harness_now_ms() + HARNESS_TIMEOUT_MS;
	struct stat st;

	while ((stat(acks, &st) == -1 || st.st_size == 0) && harness_now_ms() < end)
		harness_sleep_ms(5);
	cr_assert(st.st_size > 0, "no write answered within %d ms", HARNESS_TIMEOUT_MS);
	free(acks);
}

void
burst_kill(pid_t w)
{
	kill(web_daemon.pid, SIGKILL);
	cr_assert_eq(harness_wait_exit(&web_daemon, HARNESS_TIMEOUT_MS), 0);
	kill(w, SIGKILL);
	waitpid(w, NULL, 0);
	harness_kill(&web_daemon);
}
