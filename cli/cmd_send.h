/*
 * pocctl's commands that make messages (cmd_send.c): template, send, and
 * the replies ack, respond, update and check-reply.
 */
#ifndef POCCTL_CMD_SEND_H
#define POCCTL_CMD_SEND_H

struct ctx;

int	 cmd_template(struct ctx *, int, char **);
int	 cmd_send(struct ctx *, int, char **);
int	 cmd_ack(struct ctx *, int, char **);
int	 cmd_respond(struct ctx *, int, char **);
int	 cmd_check_reply(struct ctx *, int, char **);
int	 cmd_update(struct ctx *, int, char **);

#endif
