/*
 * The printers of the audit and signature commands (output_audit.c), in
 * text and JSON, put in the output table by output.c.
 */
#ifndef POCCTL_OUTPUT_AUDIT_H
#define POCCTL_OUTPUT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/poc.pb-c.h"

/* What `audit verify` found in an export. */
struct output_audit_check {
	const char	*file;
	size_t		 entries;	/* entries that checked out */
	const char	*last_hash;	/* hex of the last one's hash, or "" */
	const char	*reason;	/* why the chain broke; NULL = intact */
	int64_t		 broken_seq;	/* the entry where it broke */
	size_t		 line;		/* and its line in the file */
};

/* What `verify` found for one message's signature. */
struct output_audit_verify {
	const char	*id;
	const char	*sender;
	int		 verified;	/* checked here */
	int		 node_verified;	/* as the node found it */
	const char	*fingerprint;	/* of the signer certificate, or "" */
	const char	*ca;		/* the CA file it was checked against */
	const char	*reason;	/* why not verified, or "" */
};

/* What `audit verify --witness` found: the log against a head its node
 * signed, as a witness kept it. */
struct output_audit_witness {
	const char	*file;		/* the head's file */
	const char	*member;
	int64_t		 count;		/* entries the head commits to */
	int64_t		 time;		/* when it was signed, Unix ms */
	int64_t		 entries;	/* entries in the log checked */
	const char	*reason;	/* why the log contradicts it; NULL = ok */
};

void	 output_audit_text_exported(const char *file, size_t entries);
void	 output_audit_json_exported(const char *file, size_t entries);
void	 output_audit_text_check(const struct output_audit_check *);
void	 output_audit_json_check(const struct output_audit_check *);
void	 output_audit_text_verify(const struct output_audit_verify *);
void	 output_audit_json_verify(const struct output_audit_verify *);

/* status's "Audit log" line: a witness's alarm (in red if color), else
 * our last signed head and the conflicts held of others.  Returns buf. */
const char *output_audit_status(const Poc__OpStatusReply *, int color,
	    char *buf, size_t len);

void	 output_audit_text_witness(const struct output_audit_witness *);
void	 output_audit_json_witness(const struct output_audit_witness *);
void	 output_audit_text_heads(const Poc__OpAuditHeadList *);
void	 output_audit_json_heads(const Poc__OpAuditHeadList *);

#endif
