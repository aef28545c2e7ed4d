#!/bin/sh
# ids.sh: prints the uid, gid and groups the child runs with.
echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"
