# rules/: owned by the rules work (issue 3); filled in there.
