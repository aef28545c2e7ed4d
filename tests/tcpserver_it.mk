# tests/tcpserver_it.mk: end-to-end tests of mailstack-tcpserver side by side
# with the real ucspi-tcp tcpserver (issue 2), one Criterion program built
# from every tests/tcpserver_it_*.c. $(HARNESS_OBJS) is for any test program.
TCPSERVER_IT_SRCS = $(sort $(wildcard tests/tcpserver_it_*.c))
TCPSERVER_IT_OBJS = $(TCPSERVER_IT_SRCS:.c=.o)
OBJS += $(HARNESS_OBJS) $(TCPSERVER_IT_OBJS)
CHECK_PROGRAMS += tests/tcpserver_it

$(HARNESS_OBJS) $(TCPSERVER_IT_OBJS): ALL_CFLAGS += $(TEST_CFLAGS)

tests/tcpserver_it: $(TCPSERVER_IT_OBJS) $(HARNESS_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TCPSERVER_IT_OBJS) $(HARNESS_OBJS) $(TEST_LIBS)
