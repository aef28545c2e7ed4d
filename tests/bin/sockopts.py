#!/usr/bin/python3
# sockopts.py: prints the socket options of the connection on fd 0 that
# tcpserver's -D/-d and -O/-o touch, as the program sees them.
import socket

s = socket.socket(fileno=0)
print("TCP_NODELAY=%d" % s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
print("IP_TOS=%d" % s.getsockopt(socket.IPPROTO_IP, socket.IP_TOS))
print("SO_KEEPALIVE=%d" % s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE))
print("O_NONBLOCK=%d" % (not s.getblocking()))
s.detach()
