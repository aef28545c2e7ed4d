# bench/web.mk: make bench-web, mailctld's share of the control-plane latencies
# (limit raise answered, per-IP report of 1,000 addresses) with a fake
# listener socket; the full-stack numbers need the real listener.
BENCH_WEB_TOOLS = bench/web/webbench
CLEANFILES += $(BENCH_WEB_TOOLS)

.PHONY: bench-web


bench-web: $(BENCH_WEB_TOOLS) web/mailctld/mailctld
	bash bench/web/run.sh

bench/web/webbench: bench/web/webbench.c tests/web_fake.o $(LIBWEB) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  CCLD    $@"
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -O2 $(WARN) -I. -Ilib $(WEB_CFLAGS) $(CURL_CFLAGS) \
		-o $@ $< tests/web_fake.o $(WEB_LIBS) $(CURL_LIBS)
