/* errstr.h: errno as text, in the words ucspi-tcp's error_str uses
 * ("file does not exist", "address already used") so that our messages
 * match tcpserver's byte for byte; strerror() for the rest. */
#ifndef MAILSTACK_ERRSTR_H
#define MAILSTACK_ERRSTR_H

const char *errstr(int err);

#endif
