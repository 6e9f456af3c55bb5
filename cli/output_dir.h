/*
 * pocctl's printers for the directory and who (text for people, JSON for
 * scripts), beside output.c's for messages.
 */
#ifndef POCCTL_OUTPUT_DIR_H
#define POCCTL_OUTPUT_DIR_H

#include "proto/poc.pb-c.h"

void	 output_dir_listing(const Poc__OpDirectoryListing *, int json);
void	 output_dir_changed(const Poc__OpDirectoryChanged *, int json);
void	 output_dir_synced(const Poc__OpDirectorySynced *, int json);
void	 output_who(const Poc__OpWhoReply *, const char *member, int json);

#endif
