/*
 * The printers of the directory commands and who (output_dir.c), in text
 * for people and JSON for scripts, put in the output table by output.c.
 */
#ifndef POCCTL_OUTPUT_DIR_H
#define POCCTL_OUTPUT_DIR_H

#include <stddef.h>

#include "proto/poc.pb-c.h"

void	 output_dir_text_listing(const Poc__OpDirectoryListing *);
void	 output_dir_json_listing(const Poc__OpDirectoryListing *);
void	 output_dir_text_changed(const Poc__OpDirectoryChanged *);
void	 output_dir_json_changed(const Poc__OpDirectoryChanged *);
void	 output_dir_text_synced(const Poc__OpDirectorySynced *);
void	 output_dir_json_synced(const Poc__OpDirectorySynced *);
void	 output_dir_text_who(const Poc__OpWhoReply *, const char *member);
void	 output_dir_json_who(const Poc__OpWhoReply *, const char *member);

/* The records in format ("json", "csv" or "vcard"). */
void	 output_dir_export(Poc__DirectoryRecord *const *, size_t n,
	    const char *format);

#endif
