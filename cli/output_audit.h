/*
 * The printers of the audit and signature commands (output_audit.c), in
 * text and JSON, put in the output table by output.c.
 */
#ifndef POCCTL_OUTPUT_AUDIT_H
#define POCCTL_OUTPUT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

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

void	 output_audit_text_exported(const char *file, size_t entries);
void	 output_audit_json_exported(const char *file, size_t entries);
void	 output_audit_text_check(const struct output_audit_check *);
void	 output_audit_json_check(const struct output_audit_check *);
void	 output_audit_text_verify(const struct output_audit_verify *);
void	 output_audit_json_verify(const struct output_audit_verify *);

#endif
