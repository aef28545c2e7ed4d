# daemons/: owned by the tcpserver work (issue 2); filled in there.
