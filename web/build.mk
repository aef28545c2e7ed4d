# web/: mailctld (issue 4); filled in there.
