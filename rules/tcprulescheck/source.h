/* source.h: naming the line of a rules text file that a match came from. */
#ifndef MAILSTACK_TCPRULESCHECK_SOURCE_H
#define MAILSTACK_TCPRULESCHECK_SOURCE_H

#include "rules/rules_lookup.h"

/* Prints "source FILE:LINE: TEXT" for the first rule of path that
 * compiles to m's key, or a note when the text and the cdb disagree.
 * Dies on read errors. */
void source_print_origin(const char *path, const struct rules_match *m);

#endif
