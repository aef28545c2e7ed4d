/* fuzz_mailctl.c: fuzz target of mailctl's reply handling: every command
 * run as main() runs it, the HTTP exchange replaced by the input (linked
 * with -Wl,--wrap=http_do): status codes, ETags, content types and bodies
 * through ctl_send, ctl_parse, the problem messages and the table views.
 * Input: a byte choosing the command (bit 7: --json), then
 *   STATUS\n ETAG\n CONTENT-TYPE\n BODY
 * (STATUS "-": no reply came). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/mailctl/ctl.h"
#include "tests/fuzz/fuzz.h"

const char fuzz_corpus[] = "mailctl";

int __wrap_http_do(const struct http_req *req, struct http_resp *resp,
    char *err, size_t errlen);

#define NCMDS 19
#define ARGS_MAX 12

/* The commands that talk to the server, each with its options and the
 * function main() runs for it. */
static const struct {
	int (*run)(const struct ctl *x);
	const char *args[ARGS_MAX];
} fz_cmds[NCMDS] = {
	{ cmd_status, { "status" } },
	{ cmd_status, { "status", "imap" } },
	{ cmd_who, { "who", "imap" } },
	{ cmd_who, { "who", "imap", "--top", "3", "--ip", "192.0.2.1" } },
	{ cmd_limits, { "limits", "imap" } },
	{ cmd_limits, { "limits", "imap", "--max", "10", "--per-ip", "2", "--if-match", "v1" } },
	{ cmd_rules, { "rules", "imap", "list" } },
	{ cmd_rules, { "rules", "imap", "list", "--text" } },
	{ cmd_rules, { "rules", "imap", "add", "192.0.2.1", "deny", "X=1", "--comment", "c" } },
	{ cmd_rules, { "rules", "imap", "delete", "3", "--if-match", "\"v2\"" } },
	{ cmd_rules, { "rules", "imap", "replace", "/dev/null" } },
	{ cmd_reload, { "reload", "imap" } },
	{ cmd_restart, { "restart", "imap" } },
	{ cmd_restart, { "restart", "--supervisor", "imap" } },
	{ cmd_history, { "history", "imap" } },
	{ cmd_rollback, { "rollback", "imap", "2" } },
	{ cmd_audit, { "audit", "--limit", "5" } },
	{ cmd_audit, { "audit" } },
	{ cmd_limits, { "limits", "imap", "--per-network", "0" } },
};

static struct cli fz_cli[2][NCMDS];
static struct conf fz_conf;

/* The reply the next http_do hands over. */
static struct {
	int none;
	long status;
	const char *etag, *ctype, *body;
	size_t etaglen, ctypelen, bodylen;
} fz_reply;

int
__wrap_http_do(const struct http_req *req, struct http_resp *resp,
    char *err, size_t errlen)
{
	fuzz_check(req->method != NULL && req->url != NULL, "a request");
	fuzz_check(strncmp(req->url, fz_conf.url, strlen(fz_conf.url)) == 0,
	    "the request goes to the configured URL");
	memset(resp, 0, sizeof(*resp));
	if (fz_reply.none) {
		snprintf(err, errlen, "connection refused");
		return -1;
	}
	resp->status = fz_reply.status;
	fuzz_check(strbuf_append(&resp->body, fz_reply.body, fz_reply.bodylen) == 0,
	    "memory");
	/* As http.c keeps them: cut to the field, NUL-terminated. */
	if (fz_reply.etaglen < sizeof(resp->etag))
		memcpy(resp->etag, fz_reply.etag, fz_reply.etaglen);
	if (fz_reply.ctypelen < sizeof(resp->ctype))
		memcpy(resp->ctype, fz_reply.ctype, fz_reply.ctypelen);
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *args[ARGS_MAX + 2], err[256];
	int i, j, json, n;

	(void)argc;
	(void)argv;
	/* status remembers listen_overflows in a state file: not the
	 * fuzzing user's, and not a file write per execution */
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	fz_conf.url = strdup("http://127.0.0.1:8787");
	fz_conf.token = strdup("fuzz-token");
	fuzz_check(fz_conf.url != NULL && fz_conf.token != NULL, "memory");
	for (json = 0; json < 2; json++)
		for (i = 0; i < NCMDS; i++) {
			n = 0;
			args[n++] = "mailctl";
			if (json)
				args[n++] = "--json";
			for (j = 0; j < ARGS_MAX && fz_cmds[i].args[j] != NULL; j++)
				args[n++] = (char *)fz_cmds[i].args[j];
			args[n] = NULL;
			fuzz_check(cli_parse(&fz_cli[json][i], n, args, err,
			    sizeof(err)) == 0, err);
		}
	return 0;
}

/* One field up to '\n'; *p moves past it. */
static const char *
mailctl_fuzz_field(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));

	*len = (size_t)((nl != NULL ? nl : end) - s);
	*p = nl != NULL ? nl + 1 : end;
	return s;
}

/* Text for people: no control byte but the line ends, whatever the
 * server sent (the terminal is not the server's to drive). */
static void
mailctl_fuzz_safe(const char *s, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		fuzz_check(s[i] == '\n' || ((unsigned char)s[i] >= 32 && s[i] != 127), what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *end = (const char *)data + size, *st;
	char *outs = NULL, *errs = NULL, num[16];
	size_t outlen = 0, errlen = 0, stlen;
	struct ctl x;
	int json, code, cmd;

	if (size < 1)
		return 0;
	json = data[0] >> 7;
	memset(&fz_reply, 0, sizeof(fz_reply));
	st = mailctl_fuzz_field(&p, end, &stlen);
	fz_reply.none = stlen == 1 && st[0] == '-';
	snprintf(num, sizeof(num), "%.*s", (int)(stlen < 15 ? stlen : 15), st);
	fz_reply.status = strtol(num, NULL, 10);
	fz_reply.etag = mailctl_fuzz_field(&p, end, &fz_reply.etaglen);
	fz_reply.ctype = mailctl_fuzz_field(&p, end, &fz_reply.ctypelen);
	fz_reply.body = p;
	fz_reply.bodylen = (size_t)(end - p);
	cmd = (data[0] & 0x7f) % NCMDS;
	x.cli = &fz_cli[json][cmd];
	x.conf = &fz_conf;
	x.now = 1764330000;
	x.out = open_memstream(&outs, &outlen);
	x.err = open_memstream(&errs, &errlen);
	fuzz_check(x.out != NULL && x.err != NULL, "memory");
	code = fz_cmds[cmd].run(&x);
	fclose(x.out);
	fclose(x.err);
	fuzz_check(code >= 0 && code < 128, "an exit code");
	fuzz_check(code == 0 || errlen > 0, "a failure says why");
	/* --json and rules list --text print the server's text as is. */
	if (!json && !(x.cli->set & CLI_HAS_TEXT))
		mailctl_fuzz_safe(outs, outlen, "tables hold no control bytes");
	mailctl_fuzz_safe(errs, errlen, "messages hold no control bytes");
	free(outs);
	free(errs);
	return 0;
}
