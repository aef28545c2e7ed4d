# packaging/: the demo (and later the s6 tree, DEB and RPM).
.PHONY: demo demo-stop
demo: programs
	packaging/demo/demo-start
demo-stop:
	packaging/demo/demo-stop
