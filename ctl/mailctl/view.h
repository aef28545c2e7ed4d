/* view.h: API replies (parsed JSON) turned into tables for people. Pure
 * formatting, no I/O but the stream given, so that tests call them directly. */
#ifndef MAILSTACK_CTL_VIEW_H
#define MAILSTACK_CTL_VIEW_H

#include <jansson.h>
#include <stdio.h>

#include "ctl/mailctl/table.h"

/* Each returns 0, or -1 (ENOMEM). */
/* The services array of GET /v1/services: one row per service. */
int view_status(json_t *services, FILE *out);
/* One object of GET /v1/services/NAME: a key-value list. */
int view_service(json_t *service, FILE *out);
/* The connections array: IP COUNT ADOPTED LIMIT SOURCE OLDEST PIDS,
 * OLDEST as the age at now. */
int view_who(json_t *conns, long long now, FILE *out);
/* A limits object: a key-value list, and "version ETAG" when the reply
 * had one (what --if-match takes). */
/* One cell per limit of the limits table (lib/limitsfile.c), each after
 * its name when named (the key-value form). */
void view_add_limits(struct table *t, json_t *limits, int named);
int view_limits(json_t *limits, const char *etag, FILE *out);
/* The rules array of GET .../rules. */
int view_rules(json_t *rules, FILE *out);
/* The entries array of GET /v1/audit; only the last `last` (0 = all). */
int view_audit(json_t *entries, size_t last, FILE *out);

/* The versions array of GET .../history. */
int view_history(json_t *versions, FILE *out);

/* The cell of a JSON value (ctl_cell); of a per-IP or per-network limit,
 * where 0 shows as "none". Failures are remembered by the table. */
void view_add(struct table *t, json_t *v);
void view_add_limit(struct table *t, json_t *v);
/* A key-value list: two columns, no header. 0 or -1. */
int view_kv_init(struct table *t);
/* Writes t and frees it; 0 or -1. */
int view_finish(struct table *t, FILE *out);

#endif
