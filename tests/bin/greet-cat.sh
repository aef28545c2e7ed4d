#!/bin/sh
# greet-cat.sh: says hello, then echoes the client until it closes; a child
# whose lifetime the test controls.
echo hello
exec cat
