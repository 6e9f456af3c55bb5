/*
 * The expiry watch (events_expiry.c): at start-up, after each SIGHUP and
 * twice a day, the node certificate in force and the own directory record
 * are checked; within 30, 7 and 1 days of their expiry each raises an
 * event (CERT_EXPIRING, RECORD_EXPIRING) once, which alerts.
 */
#ifndef POC_EVENTS_EXPIRY_H
#define POC_EVENTS_EXPIRY_H

int	 events_expiry_init(void);
void	 events_expiry_shutdown(void);

/* Checks now (also after a reload, with the new certificate). */
void	 events_expiry_check(void);

#endif
