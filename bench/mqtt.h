/*
 * pocbench's MQTT 3.1.1 client, QoS 1, for the same load against
 * Mosquitto: CONNECT/CONNACK, PUBLISH answered by PUBACK, and the
 * persistent-session modes of the drain benchmark.
 */
#ifndef POC_BENCH_MQTT_H
#define POC_BENCH_MQTT_H

#include "bconn.h"

/* CONNECT as client_id (clean session or not) and wait for CONNACK.
 * Returns 0, or -1 with the reason on stderr. */
int	 mqtt_connect(struct bconn *, const char *client_id, int clean);

/* Sends DISCONNECT (no answer comes). */
void	 mqtt_disconnect(struct bconn *);

/* Queues a QoS 1 PUBLISH of the 1 KiB body with the next packet id. */
void	 mqtt_queue_publish(struct bconn *);

/* Reads one packet; 0 if it is a PUBACK, else -1. */
int	 mqtt_puback(struct bconn *);

/* mqsub: a persistent session for --client-id, SUBSCRIBE QoS 1, leave. */
void	 mqtt_mode_sub(void);

/* mqdrain: resume --client-id's session, take --count PUBLISH, then end
 * the session. */
void	 mqtt_mode_drain(void);

#endif
