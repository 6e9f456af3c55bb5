/*
 * pocctl's read-only commands (cmd_view.c): status, inbox, outbox, cases, show,
 * thread.
 */
#ifndef POCCTL_CMD_VIEW_H
#define POCCTL_CMD_VIEW_H

struct ctx;

int	 cmd_status(struct ctx *, int, char **);
int	 cmd_inbox(struct ctx *, int, char **);
int	 cmd_outbox(struct ctx *, int, char **);
int	 cmd_show(struct ctx *, int, char **);
int	 cmd_thread(struct ctx *, int, char **);
int	 cmd_cases(struct ctx *, int, char **);

#endif
