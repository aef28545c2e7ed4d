# daemons/: mailstack-tcpserver. Every daemons/tcpserver/*.c is
# part of it, so the child side's files join without touching this file.
TCPSERVER = daemons/tcpserver/mailstack-tcpserver
TCPSERVER_SRCS = $(sort $(wildcard daemons/tcpserver/*.c))
TCPSERVER_OBJS = $(TCPSERVER_SRCS:.c=.o)
# Everything but main, for unit tests that call the parts in-process.
TCPSERVER_PARTS = $(filter-out daemons/tcpserver/main.o,$(TCPSERVER_OBJS))
SBIN_PROGRAMS += $(TCPSERVER)
OBJS += $(TCPSERVER_OBJS)

$(TCPSERVER): $(TCPSERVER_OBJS) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TCPSERVER_OBJS) $(RULES_LIBS) $(LIBMAILSTACK)
