/* web_durable.h: writes under a kill, and what must be left on disk. */
#ifndef MAILSTACK_TESTS_WEB_DURABLE_H
#define MAILSTACK_TESTS_WEB_DURABLE_H

#include <jansson.h>
#include <sys/types.h>

/* In a forked child: PUT limits and POST a rule (comment "burst
 * ROUND-I") in a loop until killed, appending a line to web_dir/acks
 * after each 2xx answer. Never returns. */
void write_burst(int round) __attribute__((noreturn));
/* Starts mailctld and a write_burst(round) child; returns its pid. */
pid_t burst_start(int round);
/* Waits (bounded) until the burst has an answered write. */
void burst_wait_first_ack(void);
/* SIGKILLs mailctld, then the burst, and reaps both. */
void burst_kill(pid_t w);
/* Asserts that every file the writes touch that exists is whole and
 * valid; returns the audit log's entries (a JSON array, owned). */
json_t *check_files_valid(void);
/* Asserts that every write noted in web_dir/acks has its audit entry
 * (one of entries) and, for rules, its rule in the rules file. Returns
 * the number of answered writes. */
int check_acks_kept(json_t *entries);

#endif
