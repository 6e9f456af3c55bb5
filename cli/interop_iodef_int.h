/*
 * What the IODEF v2 writer (interop_iodef.c) and reader
 * (interop_iodef_read.c) share: the namespaces and the indicator types
 * that are an IODEF Address.
 */
#ifndef POCCTL_INTEROP_IODEF_INT_H
#define POCCTL_INTEROP_IODEF_INT_H

#include <stddef.h>

#include <libxml/xmlstring.h>

#include "proto/poc.pb-c.h"

#define IODEF_NS	"urn:ietf:params:xml:ns:iodef-2.0"
#define IODEF_DS_NS	"http://www.w3.org/2000/09/xmldsig#"
#define IODEF_SHA256	"http://www.w3.org/2001/04/xmlenc#sha256"

#define X(s)		((const xmlChar *)(s))

/* Indicator types that are an Address, by its category. */
struct iodef_addr {
	Poc__Indicator__Type	 type;
	const char		*category;
};
extern const struct iodef_addr	iodef_addrs[];
extern const size_t		iodef_naddrs;

#endif
