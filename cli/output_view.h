/*
 * The text and JSON printers of status, the listings, show, thread and
 * "queued" (output_view.c), put in the output table by output.c.
 */
#ifndef POCCTL_OUTPUT_VIEW_H
#define POCCTL_OUTPUT_VIEW_H

#include "proto/poc.pb-c.h"

/* Text: label lines, then the peers and certificates as tables; a
 * warning on stderr for a certificate about to expire. */
void	 output_view_text_status(const Poc__OpStatusReply *);
/* Text: one row per message, then the overdue lines. */
void	 output_view_text_list(const Poc__OpMessages *, Poc__OpList__Box);
/* Text: the full labelled view, its deadlines and its signature. */
void	 output_view_text_message(const Poc__StoredMessage *);
/* Text: compact blocks separated by blank lines. */
void	 output_view_text_thread(const Poc__OpMessages *);
/* Text: "queued ID", with the thread if asked. */
void	 output_view_text_queued(const Poc__OpQueued *, int with_thread);

/* JSON: the reply with every field. */
void	 output_view_json_status(const Poc__OpStatusReply *);
/* JSON: an array of messages (the box is in the request, not printed). */
void	 output_view_json_list(const Poc__OpMessages *, Poc__OpList__Box);
/* JSON: one message, the envelope's fields and the node-local keys. */
void	 output_view_json_message(const Poc__StoredMessage *);
/* JSON: the messages as one array, in the order given. */
void	 output_view_json_thread(const Poc__OpMessages *);
/* JSON: the OpQueued reply (id and thread id). */
void	 output_view_json_queued(const Poc__OpQueued *, int with_thread);

#endif
