# packaging/pkg.mk: make install's shared data (s6 service templates, the
# systemd unit, the OpenAPI document), the system files the packages add
# (install-system), and make deb / make rpm.

PKG_DATADIR = $(datarootdir)/mailstack
# Where the packages put what is theirs alone; debian/rules and the spec
# pass their distribution's values.
pkglibexecdir = $(prefix)/lib/mailstack
systemdunitdir = /lib/systemd/system
tmpfilesdir = /usr/lib/tmpfiles.d
s6scandir = $(sysconfdir)/s6/mailstack
logdir = $(localstatedir)/log/mailstack
statedir = $(localstatedir)/lib/mailstack
# The one version: configure writes it into lib/config.h.
MAILSTACK_VERSION = $(shell sed -n 's/^\#define MAILSTACK_VERSION "\(.*\)"$$/\1/p' lib/config.h)
# Package builds go here; the tests pass a folder of their own.
PKG_OUT = packaging/out

PKG_SUBST = sed -e 's|@SBINDIR@|$(sbindir)|g' -e 's|@BINDIR@|$(bindir)|g' \
	-e 's|@SYSCONFDIR@|$(sysconfdir)|g' -e 's|@RUNDIR@|$(runstatedir)/mailstack|g' \
	-e 's|@STATEDIR@|$(statedir)|g' -e 's|@LOGDIR@|$(logdir)|g' \
	-e 's|@SCANDIR@|$(s6scandir)|g' -e 's|@DATADIR@|$(PKG_DATADIR)|g' \
	-e 's|@LIBEXECDIR@|$(pkglibexecdir)|g' -e 's|@USER@|mailstack|g' \
	-e 's|@VERSION@|$(MAILSTACK_VERSION)|g'

.PHONY: install-data install-system deb rpm pkg-source
install: install-data

# The s6 templates keep their @PLACEHOLDERS@: mailstack-mkservices fills
# them in for a given set of paths. The unit names this prefix's scan
# folder; the packages also install it where systemd looks.
install-data:
	install -d $(DESTDIR)$(PKG_DATADIR)
	if [ -d packaging/s6 ]; then \
		(cd packaging && find s6 -type d) | while read -r d; do \
			install -d $(DESTDIR)$(PKG_DATADIR)/$$d || exit 1; done; \
		(cd packaging && find s6 -type f) | while read -r f; do \
			m=0644; [ -x packaging/$$f ] && m=0755; \
			install -m $$m packaging/$$f $(DESTDIR)$(PKG_DATADIR)/$$f || exit 1; done; \
	fi
	$(PKG_SUBST) packaging/systemd/mailstack.service >$(DESTDIR)$(PKG_DATADIR)/mailstack.service
	install -m 0644 docs/openapi.json $(DESTDIR)$(PKG_DATADIR)/openapi.json

# What a package adds to make install: the unit, the tmpfiles.d snippet,
# the configuration (conffiles) and the setup script the maintainer
# scripts share. The service tree itself is written on the host by setup.
install-system: install
	install -d $(DESTDIR)$(systemdunitdir) $(DESTDIR)$(tmpfilesdir) \
		$(DESTDIR)$(pkglibexecdir)
	$(PKG_SUBST) packaging/systemd/mailstack.service \
		>$(DESTDIR)$(systemdunitdir)/mailstack.service
	$(PKG_SUBST) packaging/dist/tmpfiles.conf >$(DESTDIR)$(tmpfilesdir)/mailstack.conf
	$(PKG_SUBST) packaging/dist/setup >$(DESTDIR)$(pkglibexecdir)/setup
	chmod 0755 $(DESTDIR)$(pkglibexecdir)/setup
	(cd packaging/dist/etc && find . -type f) | while read -r f; do \
		install -d $(DESTDIR)$(sysconfdir)/mailstack/$$(dirname $$f) && \
		$(PKG_SUBST) packaging/dist/etc/$$f >$(DESTDIR)$(sysconfdir)/mailstack/$$f && \
		chmod 0644 $(DESTDIR)$(sysconfdir)/mailstack/$$f || exit 1; done

# The committed tree (HEAD), in a folder named as the packagers expect:
# what a clean clone builds, whatever is half-done in this checkout. The
# commit is noted in PKG_OUT/source-commit (the tests list its files).
PKG_SRC = $(PKG_OUT)/mailstack-$(MAILSTACK_VERSION)
pkg-source:
	@test -n "$(MAILSTACK_VERSION)" || { echo "pkg: fatal: no MAILSTACK_VERSION in lib/config.h" >&2; exit 111; }
	rm -rf $(PKG_SRC)
	install -d $(PKG_SRC)
	git rev-parse --verify HEAD >$(PKG_OUT)/source-commit
	git archive --format=tar $$(cat $(PKG_OUT)/source-commit) | tar -xf - -C $(PKG_SRC)

deb: pkg-source
	cp -R $(PKG_SRC)/packaging/debian $(PKG_SRC)/debian
	$(PKG_SUBST) -e "s|@DATE@|$$(date -R -d @$$(git log -1 --format=%ct $$(cat $(PKG_OUT)/source-commit)))|g" \
		$(PKG_SRC)/packaging/debian/changelog.in >$(PKG_SRC)/debian/changelog
	rm -f $(PKG_SRC)/debian/changelog.in
	cd $(PKG_SRC) && dpkg-buildpackage -b -us -uc >../deb-build.log 2>&1 || \
		{ tail -30 ../deb-build.log >&2; exit 1; }
	@ls $(PKG_OUT)/mailstack_$(MAILSTACK_VERSION)-1_*.deb

# --nodeps on Debian: rpm's database there knows none of the build
# dependencies, which apt installed.
RPMBUILD_FLAGS = $(if $(wildcard /etc/debian_version),--nodeps)
rpm: pkg-source
	rm -rf $(PKG_OUT)/rpmbuild
	install -d $(PKG_OUT)/rpmbuild/SOURCES $(PKG_OUT)/rpmbuild/SPECS
	tar -C $(PKG_OUT) -czf $(PKG_OUT)/rpmbuild/SOURCES/mailstack-$(MAILSTACK_VERSION).tar.gz \
		mailstack-$(MAILSTACK_VERSION)
	$(PKG_SUBST) $(PKG_SRC)/packaging/rpm/mailstack.spec >$(PKG_OUT)/rpmbuild/SPECS/mailstack.spec
	rpmbuild --define "_topdir $(abspath $(PKG_OUT))/rpmbuild" $(RPMBUILD_FLAGS) \
		-bb $(PKG_OUT)/rpmbuild/SPECS/mailstack.spec >$(PKG_OUT)/rpm-build.log 2>&1 || \
		{ tail -30 $(PKG_OUT)/rpm-build.log >&2; exit 1; }
	@ls $(PKG_OUT)/rpmbuild/RPMS/*/mailstack-$(MAILSTACK_VERSION)-1.*.rpm
