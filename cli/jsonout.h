/*
 * JSON for scripts (jsonout.c): the few ways pocctl writes JSON, and the
 * JSON of a protobuf message with every field (pbjson), for the JSON
 * printers of the output layer.  Out of memory exits 1.
 */
#ifndef POCCTL_JSONOUT_H
#define POCCTL_JSONOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* Prints a JSON value on stdout, two-space indented, keys in order. */
void	 jsonout_print(const json_t *);

/* Writes a JSON value as one compact line on fp; -1 if writing failed. */
int	 jsonout_line(FILE *, const json_t *);

/* The JSON of m with every field, defaults included (owned). */
json_t	*jsonout_message(const ProtobufCMessage *m);

/* Prints the JSON of m with every field on stdout. */
void	 jsonout_print_message(const ProtobufCMessage *m);

/* A JSON string for s; "" if s is NULL or not valid UTF-8. */
json_t	*jsonout_str(const char *s);

/* Lower-case hex of len bytes as a JSON string. */
json_t	*jsonout_hex(const uint8_t *p, size_t len);

#endif
