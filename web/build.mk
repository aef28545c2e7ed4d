# web/: mailctld, the HTTP JSON control API. The handlers live in
# web/libmailctld.a so that tests call the dispatcher without sockets.
WEB_LIB_SRCS = web/conf.c web/token.c web/util.c web/ratelimit.c web/ctlclient.c \
	web/reply.c web/history.c web/audit.c web/s6.c \
	web/api.c web/api_common.c web/api_service.c web/api_limits.c \
	web/api_rules.c web/api_rules_edit.c web/api_history.c web/api_metrics.c \
	web/httpserver.c web/linger.c
WEB_LIB_OBJS = $(WEB_LIB_SRCS:.c=.o)
LIBWEB = web/libmailctld.a
WEB_CFLAGS = $(MHD_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS)
WEB_LIBS = $(LIBWEB) $(RULES_LIBS) $(LIBMAILSTACK) $(MHD_LIBS) $(JANSSON_LIBS) \
	$(GNUTLS_LIBS) -lpthread
MAILCTLD_OBJS = web/mailctld/main.o web/mailctld/openapi_data.o
OBJS += $(WEB_LIB_OBJS) $(MAILCTLD_OBJS)
SBIN_PROGRAMS += web/mailctld/mailctld
CLEANFILES += web/mailctld/openapi_data.c

$(WEB_LIB_OBJS) $(MAILCTLD_OBJS): ALL_CFLAGS += $(WEB_CFLAGS)

$(LIBWEB): $(WEB_LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $(WEB_LIB_OBJS)

# The OpenAPI document is compiled in, so GET /v1/openapi.json always
# matches the binary (od and sed: coreutils, no xxd needed).
web/mailctld/openapi_data.c: docs/openapi.json
	@echo "  GEN     $@"
	$(Q){ echo '/* openapi_data.c: generated from docs/openapi.json; do not edit */'; \
	echo 'const unsigned char openapi_json[] = {'; \
	od -An -v -tx1 docs/openapi.json | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	echo '};'; \
	echo "const unsigned long openapi_json_len = sizeof(openapi_json);"; } >$@.tmp && mv $@.tmp $@

web/mailctld/mailctld: $(MAILCTLD_OBJS) $(LIBWEB) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAILCTLD_OBJS) $(WEB_LIBS)
