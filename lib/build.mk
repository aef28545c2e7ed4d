# lib/: the small internal library every program links.
LIB_SRCS = lib/log.c lib/errstr.c lib/scan.c lib/ip.c lib/atomicfile.c lib/selfpipe.c lib/strbuf.c lib/deadline.c lib/logbatch.c lib/limitsfile.c lib/ctlproto.c lib/ctlreply.c
LIB_OBJS = $(LIB_SRCS:.c=.o)
LIBMAILSTACK = lib/libmailstack.a
OBJS += $(LIB_OBJS)

$(LIB_OBJS): lib/config.h

$(LIBMAILSTACK): $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $(LIB_OBJS)
