/*
 * The printers of federation (output_enroll.c): the enrollment requests of
 * `pocctl directory pending/approve/reject`, and the part of `pocctl
 * status` that says where joining and each upstream's pulls stand.
 */
#ifndef POCCTL_OUTPUT_ENROLL_H
#define POCCTL_OUTPUT_ENROLL_H

#include "proto/poc.pb-c.h"

void	 output_enroll_text(const Poc__OpEnrollments *);
void	 output_enroll_json(const Poc__OpEnrollments *);

/* Under the status summary (text only; the JSON status carries the
 * fields as they are). */
void	 output_enroll_text_status(const Poc__OpStatusReply *);

#endif
