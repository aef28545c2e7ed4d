# rules/: the rules library (parse, keep, edit, compile, look up) and the
# tcprules-compatible programs. Only this folder knows the cdb format.
RULES_SRCS = rules/rules_lookup.c rules/rules_cache.c rules/rules_addr.c \
	rules/rules_line.c rules/rules_explain.c rules/rules_parse.c \
	rules/rules_edit.c rules/rules_diag.c rules/rules_diag_format.c \
	rules/rules_compile.c
RULES_OBJS = $(RULES_SRCS:.c=.o)
LIBRULES = rules/librules.a
RULES_LIBS = $(LIBRULES) $(CDB_LIBS)
OBJS += $(RULES_OBJS)

$(LIBRULES): $(RULES_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $(RULES_OBJS)

SBIN_PROGRAMS += rules/tcprules/mailstack-tcprules rules/tcprulescheck/mailstack-tcprulescheck
RULES_TCPRULES_OBJS = rules/tcprules/main.o
RULES_TCPRULESCHECK_OBJS = rules/tcprulescheck/main.o rules/tcprulescheck/source.o
OBJS += $(RULES_TCPRULES_OBJS) $(RULES_TCPRULESCHECK_OBJS)

rules/tcprules/mailstack-tcprules: $(RULES_TCPRULES_OBJS) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(RULES_TCPRULES_OBJS) $(RULES_LIBS) $(LIBMAILSTACK)

rules/tcprulescheck/mailstack-tcprulescheck: $(RULES_TCPRULESCHECK_OBJS) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(RULES_TCPRULESCHECK_OBJS) $(RULES_LIBS) $(LIBMAILSTACK)
