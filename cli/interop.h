/*
 * Interoperability with the CSIRT ecosystem (docs/interop.md): a case out
 * to MISP, STIX 2.1 and IODEF v2, and indicators back in from them.  This
 * header holds what the three formats share: the case as the exporters see
 * it, the import result, stable ids, TLP names and the input limits.  Each
 * format has its own header (interop_misp.h, interop_stix.h,
 * interop_iodef.h, interop_iodef_read.h; interop_rfc2350.h for directory
 * records), and interop_convert.h picks the format.  The converters are
 * pure functions; the commands (cmd_interop.c) only fetch and print.
 */
#ifndef POCCTL_INTEROP_H
#define POCCTL_INTEROP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "proto/poc.pb-c.h"

#define INTEROP_INPUT_MAX	(16u << 20)	/* bytes of an import file */
#define INTEROP_DEPTH_MAX	64		/* JSON nesting of an import */
#define INTEROP_UUID_LEN	36

enum interop_format {
	INTEROP_MISP = 1,
	INTEROP_STIX = 2,
	INTEROP_IODEF = 3,
};

/* A case as the exporters see it: its requests and notifications, oldest
 * first, and what is said of the case as a whole. */
struct interop_case {
	const Poc__StoredMessage	**msgs;
	size_t				  n;
	const char			 *thread_id;
	const char			 *sender;	/* of the first */
	const char			 *recipient;
	Poc__Tlp			  tlp;		/* the strictest */
	int				  exercise;
	Poc__CaseStatus			  status;	/* 0 = no update */
	/* The case-wide view of the messages' fields: the first given of
	 * a text or time, the highest severity and urgency, the union of
	 * lists (first seen first). */
	const char			 *summary;
	const char			 *description;
	const char			 *requested_action;
	const char			 *contact;
	const char			 *language;
	Poc__Severity			  severity;
	Poc__Urgency			  urgency;
	int64_t				  since;
	const char			 *since_name;
	int64_t				  respond_by;
	int64_t				  first_at, last_at;	/* Unix ms */
	int				 *sectors;
	size_t				  n_sectors;
	int				 *assistance;
	size_t				  n_assistance;
	const char			**unavailable;
	size_t				  n_unavailable;
	const char			**withheld;
	size_t				  n_withheld;
	/* The directory records the node holds of the members involved
	 * (borrowed, may be none): they name the sender's PoCs. */
	Poc__DirectoryRecord *const	 *records;
	size_t				  n_records;
};

/* The fields of a request or a notification, whichever it is. */
struct interop_body {
	int			  request;	/* 1 request, 0 notification */
	const char		 *summary;
	const char		 *description;
	Poc__Severity		  severity;
	Poc__Urgency		  urgency;
	const Poc__Sector	 *sectors;
	size_t			  n_sectors;
	int64_t			  since;	/* activity/observed since */
	const char		 *since_name;
	Poc__Indicator *const	 *indicators;
	size_t			  n_indicators;
	const char		 *requested_action;
	const int		 *assistance;	/* AssistanceType values */
	size_t			  n_assistance;
	int64_t			  respond_by;
	const char		 *contact;
	char *const		 *unavailable;
	size_t			  n_unavailable;
	char *const		 *withheld;
	size_t			  n_withheld;
};

/* What an import found: owned strings, and every part of the input it
 * could not map as "path: why". */
struct interop_import {
	enum interop_format	  format;
	char			 *summary;
	char			 *description;
	Poc__Tlp		  tlp;
	Poc__Severity		  severity;
	int			  exercise;
	Poc__Indicator		 *ind;		/* type, value, note owned */
	size_t			  n_ind;
	char			**unmapped;
	size_t			  n_unmapped;
};

/* Selects the requests and notifications of msgs (n of them, any order)
 * into c, oldest first.  -1 with err if there is none. */
int		 interop_case_init(struct interop_case *c,
		    Poc__StoredMessage *const *msgs, size_t n, char *err,
		    size_t errlen);
void		 interop_case_free(struct interop_case *);

/* The record of member code among c's records, or NULL. */
const Poc__DirectoryRecord *interop_record(const struct interop_case *c,
		    const char *code);

/* Fills b from e; -1 if e is neither a request nor a notification. */
int		 interop_body_get(const Poc__Envelope *e, struct interop_body *b);

/* Reads at most INTEROP_INPUT_MAX bytes of fp into *buf (NUL-terminated,
 * malloc'd); -1 with err if there is more, or on a read error. */
int		 interop_read(FILE *fp, char **buf, size_t *len, char *err,
		    size_t errlen);

void		 interop_import_free(struct interop_import *);

/* Records part of the input that was not mapped. */
void		 interop_unmapped(struct interop_import *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Records each key of object o at path that is not in known (NULL
 * ended) as not mapped. */
void		 interop_unmapped_keys(struct interop_import *, const json_t *o,
		    const char *path, const char *const *known);
/* Adds an indicator (strings copied). */
void		 interop_add_indicator(struct interop_import *,
		    Poc__Indicator__Type, const char *value, const char *note);
/* Fills the template t (from pbjson_blank for body member) from imp. */
void		 interop_template_fill(json_t *t, const char *member,
		    const struct interop_import *imp);
/* Lists imp's unmapped parts on fp, each after "what: ". */
void		 interop_report_unmapped(FILE *, const char *what,
		    const struct interop_import *imp);

/* The UUIDv5 of the printf-formatted name in pocd's namespace. */
void		 interop_uuid(char out[INTEROP_UUID_LEN + 1], const char *fmt,
		    ...) __attribute__((format(printf, 2, 3)));
/* "clear", "green", "amber", "amber+strict", "red", or NULL. */
const char	*interop_tlp_name(Poc__Tlp);
/* The TLP of a lower-case name (TLP 1.0 "white" = clear); 0 if none. */
Poc__Tlp	 interop_tlp_parse(const char *);
/* The wire name of value v of enum d ("HIGH"), or "" for none. */
const char	*interop_enum_name(const ProtobufCEnumDescriptor *d, int v);
/* The value of name in d, 0 if none. */
int		 interop_enum_value(const ProtobufCEnumDescriptor *d,
		    const char *name);
/* The number of an AS indicator: "AS64500" and "64500" give "64500". */
const char	*interop_asn(const char *value);
/* Unix ms as RFC 3339 UTC with milliseconds. */
void		 interop_time(char out[32], int64_t ms);

/* JSON helpers for the importers: the string (NULL if absent) or the
 * array (NULL if absent) at key of o; -1 with err naming path.key if it
 * is there with another type.  interop_json_obj: -1 with err naming path
 * unless v is an object. */
int		 interop_json_str(const json_t *o, const char *key,
		    const char *path, const char **out, char *err,
		    size_t errlen);
int		 interop_json_obj(const json_t *v, const char *path, char *err,
		    size_t errlen);
int		 interop_json_arr(const json_t *o, const char *key,
		    const char *path, const json_t **out, char *err,
		    size_t errlen);

#endif
