# rules/: the rules library (parse, keep, edit, compile, look up) and the
# tcprules-compatible programs. Only this folder knows the cdb format.
RULES_SRCS = rules/rules_lookup.c rules/rules_cache.c
RULES_OBJS = $(RULES_SRCS:.c=.o)
LIBRULES = rules/librules.a
RULES_LIBS = $(LIBRULES) $(CDB_LIBS)
OBJS += $(RULES_OBJS)

$(LIBRULES): $(RULES_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $(RULES_OBJS)

SBIN_PROGRAMS += rules/tcprulescheck/mailstack-tcprulescheck
OBJS += rules/tcprulescheck/main.o

rules/tcprulescheck/mailstack-tcprulescheck: rules/tcprulescheck/main.o $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ rules/tcprulescheck/main.o $(RULES_LIBS) $(LIBMAILSTACK)
