# ctl/: mailctl, the command-line client of mailctld's API.
# Everything but main.o goes in an internal library so that the tests
# link the parser, the config resolution and the table views directly.
CTL_SRCS = ctl/mailctl/cli.c ctl/mailctl/conf.c ctl/mailctl/httpclient.c \
	ctl/mailctl/reply.c ctl/mailctl/table.c ctl/mailctl/view.c ctl/mailctl/cmd_status.c \
	ctl/mailctl/cmd_who.c ctl/mailctl/cmd_limits.c ctl/mailctl/cmd_rules.c \
	ctl/mailctl/rules_check.c ctl/mailctl/cmd_admin.c ctl/mailctl/cmd_history.c \
	ctl/mailctl/seen.c
CTL_OBJS = $(CTL_SRCS:.c=.o)
CTL_MAIN_OBJ = ctl/mailctl/main.o
LIBMAILCTL = ctl/mailctl/libmailctl.a
CTL_LIBS = $(LIBMAILCTL) $(RULES_LIBS) $(LIBMAILSTACK) $(CURL_LIBS) $(JANSSON_LIBS)
OBJS += $(CTL_OBJS) $(CTL_MAIN_OBJ)
BIN_PROGRAMS += ctl/mailctl/mailctl

$(CTL_OBJS) $(CTL_MAIN_OBJ): ALL_CFLAGS += $(CURL_CFLAGS) $(JANSSON_CFLAGS)

$(LIBMAILCTL): $(CTL_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $(CTL_OBJS)

ctl/mailctl/mailctl: $(CTL_MAIN_OBJ) $(LIBMAILCTL) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CTL_MAIN_OBJ) $(CTL_LIBS)
