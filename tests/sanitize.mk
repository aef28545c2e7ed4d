# tests/sanitize.mk: make check under the sanitizers and under valgrind.
#
# make check-asan: the whole make check built with ASan + UBSan in a copy
# of the tree (ASAN_BUILD, a folder git ignores), so the normal build is
# untouched; every program the tests start is the sanitized one, a leak or
# an error makes it fail, and so the test that ran it.
#
# make check-valgrind: the integration suites with mailstack-tcpserver,
# mailstack-tcprules(check), mailctld and mailctl started under valgrind
# memcheck (tests/harness.c wraps them when MAILSTACK_VALGRIND names a log
# folder, and ends them with SIGTERM first so that exits count leaks);
# the verdict is memcheck's: no error and nothing definitely lost in any
# log. The suites are the drivers here, make check their judge.
ASAN_BUILD = build-asan
ASAN_CC = gcc
ASAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
# Every report of every process (tests/sanitize_defaults.c sends them
# there); the run passes only when the folder stays empty.
ASAN_LOGS = $(CURDIR)/$(ASAN_BUILD)/sanitizer-logs
ASAN_DEFAULTS = $(CURDIR)/$(ASAN_BUILD)/tests/sanitize_defaults.o
# A report is a finding when it is an error, undefined behaviour, or a
# leak with a frame in our code (Criterion's runner leaks a block of its
# own at exit).
ASAN_HASH := \#
ASAN_FINDINGS = ERROR: AddressSanitizer|runtime error|$(ASAN_HASH)[0-9]+ 0x[0-9a-f]+ in [^ ]+ (lib|rules|daemons|web|ctl|tests)/[^ ]+:[0-9]+
# Not run sanitized: the package tests build .deb/.rpm from git archive
# with the packaging's own flags (and git refuses the copy's folder).
ASAN_SKIP = tests/test_packages

VALGRIND_LOGS = $(ASAN_BUILD)/valgrind-logs
VALGRIND_SUITES = tests/tcpserver_it tests/test_tcpserver_ctl_it tests/test_web_http \
	tests/test_ctl_http tests/test_ctl_e2e tests/test_stack \
	tests/test_rules_vectors tests/test_faults tests/test_security
# What a log shows of an error (as it happens: most programs end killed,
# without a summary) or of a leak (at exit).
VALGRIND_FINDINGS = ERROR SUMMARY: [1-9]|definitely lost: [1-9]|== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument .* of function)
# Slower programs take longer to start: the suites wait up to this factor
# of their usual bounds (tests/harness.c reads it).
VALGRIND_SLOWDOWN = 4

.PHONY: check-asan check-valgrind

# The copy is made from what git would commit (tracked and new files, not
# ignored ones), keeping modification times so rebuilds stay incremental.
check-asan:
	@start=$$(date +%s); \
	mkdir -p $(ASAN_BUILD) && echo '*' >$(ASAN_BUILD)/.gitignore && \
	git ls-files -z -c -o --exclude-standard | grep -z -v '^$(ASAN_BUILD)/' | \
		tar --null -T - -cf - | tar -C $(ASAN_BUILD) -xf - && \
	rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS) && \
	$(ASAN_CC) -c -o $(ASAN_DEFAULTS).new -DSANITIZE_LOG_DIR='"$(ASAN_LOGS)"' \
		tests/sanitize_defaults.c && \
	cd $(ASAN_BUILD) && \
	if cmp -s $(ASAN_DEFAULTS).new $(ASAN_DEFAULTS); then rm -f $(ASAN_DEFAULTS).new; \
	else [ ! -f Makefile ] || $(MAKE) --no-print-directory clean >/dev/null; \
		mv $(ASAN_DEFAULTS).new $(ASAN_DEFAULTS); fi && \
	{ [ -f Makefile ] && grep -q -F -e '$(ASAN_FLAGS)' Makefile && \
		grep -q -F -e '$(ASAN_DEFAULTS)' Makefile || \
		./configure CC='$(ASAN_CC)' CFLAGS='$(ASAN_FLAGS)' \
		LDFLAGS='-fsanitize=address,undefined $(ASAN_DEFAULTS)' >/dev/null; } && \
	$(MAKE) --no-print-directory programs >/dev/null && \
	$(MAKE) --no-print-directory check \
		CHECK_PROGRAMS='$(filter-out $(ASAN_SKIP),$(CHECK_PROGRAMS))'; rc=$$?; \
	all=0; bad=""; for f in $(ASAN_LOGS)/*; do [ -f "$$f" ] || continue; all=$$((all + 1)); \
		grep -q -E -e '$(ASAN_FINDINGS)' "$$f" && bad="$$bad $$f"; done; \
	for f in $$bad; do echo "--- $$f"; head -40 "$$f"; done; \
	echo "make check-asan: make check exit $$rc, $$(echo $$bad | wc -w) sanitizer findings" \
		"($$all reports, the rest leaks outside our code), $$(( $$(date +%s) - start )) s"; \
	[ $$rc -eq 0 ] && [ -z "$$bad" ]

check-valgrind: programs $(VALGRIND_SUITES)
	@start=$$(date +%s); rm -rf $(VALGRIND_LOGS); mkdir -p $(VALGRIND_LOGS); \
	echo "*" >$(ASAN_BUILD)/.gitignore; \
	failed=""; for t in $(VALGRIND_SUITES); do \
		echo "== $$t (programs under valgrind)"; \
		MAILSTACK_TOP=$(CURDIR) MAILSTACK_VALGRIND=$(CURDIR)/$(VALGRIND_LOGS) \
		MAILSTACK_SLOWDOWN=$(VALGRIND_SLOWDOWN) ./$$t $(CRITERION_ARGS) || failed="$$failed $$t"; \
	done; \
	n=$$(ls $(VALGRIND_LOGS) | wc -l); \
	ended=$$(grep -l -e 'ERROR SUMMARY:' $(VALGRIND_LOGS)/* 2>/dev/null | wc -l); \
	bad=$$(grep -l -E -e '$(VALGRIND_FINDINGS)' $(VALGRIND_LOGS)/* 2>/dev/null); \
	if [ -n "$$bad" ]; then echo "with errors or leaks:"; for f in $$bad; do \
		echo "--- $$f"; grep -A30 -E -e '$(VALGRIND_FINDINGS)' $$f | head -60; \
	done; fi; \
	[ -z "$$failed" ] || echo "note: tests failed under valgrind in$$failed (make check is" \
		"their verdict; valgrind adds variables to the children's environment" \
		"and holds descriptors of its own, which the tcpserver_it comparisons see)"; \
	echo "make check-valgrind: $$(echo $$bad | wc -w) programs with memcheck findings;" \
		"$$n processes ran under valgrind ($$ended exited; the rest were killed or exec(2)ed" \
		"a program run natively, such as the listener's children)," \
		"$$(( $$(date +%s) - start )) s"; \
	[ -z "$$bad" ]
