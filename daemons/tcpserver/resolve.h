/* resolve.h: host names for TCPLOCALHOST / TCPREMOTEHOST through the system
 * resolver, written the way tcpserver writes DNS names. */
#ifndef MAILSTACK_TCPSERVER_RESOLVE_H
#define MAILSTACK_TCPSERVER_RESOLVE_H

#include <stddef.h>

#include "ip.h"
#include "strbuf.h"

/* Room for any host name (NI_MAXHOST). */
#define RESOLVE_NAME_MAX 1025

/* The PTR name of ip (v4-mapped addresses are asked as IPv4) into name,
 * from the system resolver (/etc/hosts, then DNS). A name glibc refuses
 * (bytes outside host-name syntax) is fetched from DNS directly and comes
 * with RFC 1035 escapes ("\.", "\DDD"). 1 found, 0 no name or any
 * failure (tcpserver's DNS failures are silent). */
int resolve_ptr(const struct ip_addr *ip, char name[RESOLVE_NAME_MAX]);

/* The -p check: 1 when one of name's addresses (A for IPv4 and v4-mapped
 * clients, AAAA for IPv6) equals ip, else 0. */
int resolve_confirm(const char *name, const struct ip_addr *ip);

/* Appends name as djbdns prints a domain: lower-cased, every byte of a
 * label outside [a-z0-9_-] as "\ooo" (three octal digits), labels joined
 * with '.'. Reads the resolver's escapes ("\c", "\DDD") as the bytes they
 * stand for. The root (empty name or ".") is ".". 0, or -1 ENOMEM. */
int resolve_escape(struct strbuf *sb, const char *name);

#endif
