# ctl/: mailctl (issue 4); filled in there.
