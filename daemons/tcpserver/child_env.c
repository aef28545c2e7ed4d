/* child_env.c: the child's environment: TCP* edits, rule variables, and
 * the envp they make on top of the listener's own environment. */
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemons/tcpserver/child.h"

int
child_env_set(struct child_env *ce, const char *name, const char *value)
{
	size_t before = ce->ops.len;

	if (strbuf_appends(&ce->ops, name) == -1)
		return -1;
	if (value != NULL && (strbuf_appendc(&ce->ops, '=') == -1 ||
	    strbuf_appends(&ce->ops, value) == -1))
		goto fail;
	if (strbuf_appendc(&ce->ops, '\0') == -1)
		goto fail;
	return 0;
fail:
	ce->ops.len = before;
	return -1;
}

int
child_env_put(struct child_env *ce, const char *item, size_t len)
{
	size_t before = ce->ops.len;

	/* tcpserver keeps the item only when it has an '='; a NUL inside
	 * would end the C string early, so cut there as exec would. */
	len = strnlen(item, len);
	if (memchr(item, '=', len) == NULL)
		return 0;
	if (strbuf_append(&ce->ops, item, len) == -1 ||
	    strbuf_appendc(&ce->ops, '\0') == -1) {
		ce->ops.len = before;
		return -1;
	}
	return 0;
}

static int
env_set_port(struct child_env *ce, const char *name, unsigned port)
{
	char num[16];

	snprintf(num, sizeof num, "%u", port);
	return child_env_set(ce, name, num);
}

static int
env_add_local(struct child_env *ce, const struct child_conn *c)
{
	if (child_env_set(ce, "TCPLOCALIP", c->local_ip) == -1 ||
	    env_set_port(ce, "TCPLOCALPORT", c->local_port) == -1 ||
	    child_env_set(ce, "TCPLOCALHOST", c->local_host) == -1)
		return -1;
	if (!c->v6env)
		return 0;
	if (child_env_set(ce, "TCP6LOCALIP", c->local_ip6) == -1 ||
	    env_set_port(ce, "TCP6LOCALPORT", c->local_port) == -1 ||
	    child_env_set(ce, "TCP6LOCALHOST", c->local_host) == -1)
		return -1;
	return 0;
}

static int
env_add_remote(struct child_env *ce, const struct child_conn *c)
{
	if (child_env_set(ce, "TCPREMOTEIP", c->remote_ip) == -1 ||
	    env_set_port(ce, "TCPREMOTEPORT", c->remote_port) == -1 ||
	    child_env_set(ce, "TCPREMOTEHOST", c->remote_host) == -1)
		return -1;
	if (c->v6env && (child_env_set(ce, "TCP6REMOTEIP", c->remote_ip6) == -1 ||
	    env_set_port(ce, "TCP6REMOTEPORT", c->remote_port) == -1 ||
	    child_env_set(ce, "TCP6REMOTEHOST", c->remote_host) == -1))
		return -1;
	if (child_env_set(ce, "TCPREMOTEINFO", c->remote_info) == -1)
		return -1;
	if (c->v6env && child_env_set(ce, "TCP6REMOTEINFO", c->remote_info) == -1)
		return -1;
	return 0;
}

int
child_env_add_conn(struct child_env *ce, const struct child_conn *c)
{
	char ifname[IF_NAMESIZE];

	if (child_env_set(ce, "PROTO", c->proto6 ? "TCP6" : "TCP") == -1 ||
	    env_add_local(ce, c) == -1 || env_add_remote(ce, c) == -1)
		return -1;
	if (c->v6env && c->scope_id != 0 &&
	    if_indextoname(c->scope_id, ifname) != NULL)
		return child_env_set(ce, "TCP6INTERFACE", ifname);
	return 0;
}

/* Removes the first entry named like op (up to split), moving the last
 * entry into its slot as pathexec does. */
static void
env_remove(char **e, size_t *elen, const char *op, size_t split)
{
	size_t t;

	for (t = 0; t < *elen; t++) {
		if (strncmp(e[t], op, split) == 0 && e[t][split] == '=') {
			e[t] = e[--*elen];
			return;
		}
	}
}

int
child_env_apply(const struct child_env *ce, char *const *base, char ***envp)
{
	size_t nbase = 0, nops = 0, elen, i, split;
	char **e, *ops, *op;

	while (base != NULL && base[nbase] != NULL)
		nbase++;
	for (i = 0; i < ce->ops.len; i++)
		nops += ce->ops.s[i] == '\0';
	if (nbase + nops >= (SIZE_MAX - ce->ops.len) / sizeof *e - 1) {
		errno = ENOMEM;
		return -1;
	}
	e = malloc((nbase + nops + 1) * sizeof *e + ce->ops.len);
	if (e == NULL)
		return -1;
	ops = (char *)(e + nbase + nops + 1);
	if (ce->ops.len > 0)
		memcpy(ops, ce->ops.s, ce->ops.len);
	for (elen = 0; elen < nbase; elen++)
		e[elen] = base[elen];
	for (op = ops; op < ops + ce->ops.len; op += strlen(op) + 1) {
		split = strcspn(op, "=");
		env_remove(e, &elen, op, split);
		if (op[split] == '=')
			e[elen++] = op;
	}
	e[elen] = NULL;
	*envp = e;
	return 0;
}

void
child_env_free(struct child_env *ce)
{
	strbuf_free(&ce->ops);
}

int
child_env_build(const struct child_conn *c, char *const *base, char ***envp)
{
	struct child_env ce = CHILD_ENV_ZERO;
	int r;

	r = child_env_add_conn(&ce, c);
	if (r == 0)
		r = child_env_apply(&ce, base, envp);
	child_env_free(&ce);
	return r;
}
