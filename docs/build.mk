# docs/: one man page per program, installed by make install.
MAN_PAGES += $(sort $(wildcard docs/*.[1-8]))
