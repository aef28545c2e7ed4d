# packaging/: the demo (and later the s6 tree, DEB and RPM).
.PHONY: demo demo-stop
demo: programs
	packaging/demo/demo-start
demo-stop:
	packaging/demo/demo-stop

# Other packaging parts (packages, service templates) add their own .mk here.
include $(sort $(filter-out packaging/build.mk,$(wildcard packaging/*.mk)))
