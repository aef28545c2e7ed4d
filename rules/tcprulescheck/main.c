/* main.c: mailstack-tcprulescheck, shows which rule a client would match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rules/rules_lookup.h"
#include "rules/tcprulescheck/source.h"


/* 0.88's words, which scripts may match: -v and the rules text argument
 * are in docs/mailstack-tcprulescheck.8, not in the usage line. */
static void
usage(void)
{
	char u[256];

	snprintf(u, sizeof(u), "%s rules.cdb", log_prog());
	die_usage(u);
}

static void
out_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		die_sys(EX_TEMP, "unable to write output");
}

/* The tcprulescheck text: items in order, stopping at the deny item. */
static void
print_match(const struct rules_match *m)
{
	const char *p = m->data, *end = m->data + m->datalen, *nul;

	printf("rule ");
	fwrite(m->key, 1, m->keylen, stdout);
	printf(":\n");
	while (p < end && (nul = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		if (*p == 'D') {
			printf("deny connection\n");
			return;
		}
		if (*p == '+') {
			printf("set environment variable ");
			fwrite(p + 1, 1, (size_t)(nul - p - 1), stdout);
			printf("\n");
		}
		p = nul + 1;
	}
	printf("allow connection\n");
}

int
main(int argc, char **argv)
{
	struct rules_db *db;
	struct rules_match m;
	const char *ip, *path, *text = NULL;
	int c, verbose = 0, r;

	log_set_prog(argv[0]);
	opterr = 0;	/* the usage line says it, in one line */
	while ((c = getopt(argc, argv, "+v")) != -1) {
		if (c == 'v')
			verbose = 1;
		else
			usage();
	}
	argv += optind;
	argc -= optind;
	if (argc < 1 || argc > 2)
		usage();
	path = argv[0];
	if (argc == 2)
		text = argv[1];
	ip = getenv("TCPREMOTEIP");
	if (ip == NULL)
		ip = "0.0.0.0";
	if (rules_db_open(&db, path) == -1)
		die_sys(EX_TEMP, "unable to read %s", path);
	r = rules_db_lookup(db, ip, getenv("TCPREMOTEHOST"), getenv("TCPREMOTEINFO"), &m);
	if (r == -1)
		die_sys(EX_TEMP, "unable to read %s", path);
	if (r == 0)
		printf("default:\nallow connection\n");
	else {
		print_match(&m);
		if (verbose && text != NULL)
			source_print_origin(text, &m);
	}
	out_flush();
	rules_db_close(&db);
	return 0;
}
