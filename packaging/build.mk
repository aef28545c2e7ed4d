# packaging/: the demo (packaging/demo: real mail daemons under a private
# s6 tree in ./demo, written from the packaging/s6 templates), DEB and RPM.
# demo-start installs the Debian packages it runs when they are missing;
# DEMO_DIR and DEMO_IMAP_PORT, DEMO_SMTP_PORT, DEMO_API_PORT run another.
.PHONY: demo demo-stop
demo: programs
	packaging/demo/demo-start
demo-stop:
	packaging/demo/demo-stop

# Other packaging parts (packages, service templates) add their own .mk here.
include $(sort $(filter-out packaging/build.mk,$(wildcard packaging/*.mk)))
