/*
 * pocbench's AMQP 0-9-1 client, for the same load against RabbitMQ:
 * SASL EXTERNAL (the identity is the TLS client certificate's CN), one
 * channel in confirm mode, persistent publishes to a durable queue
 * answered by publisher confirms, and the consumer of the drain
 * benchmark.  Written on bconn like the MQTT client, so that RabbitMQ
 * sees the same threads, TLS settings and batched writes as the others.
 */
#ifndef POC_BENCH_AMQP_H
#define POC_BENCH_AMQP_H

#include "bconn.h"

/* Protocol header, Connection.Start/Tune/Open (EXTERNAL), Channel.Open,
 * and Confirm.Select if confirms.  Returns 0, or -1 with the reason on
 * stderr. */
int	 amqp_open(struct bconn *, int confirms);

/* Connection.Close, and waits for Close-Ok. */
void	 amqp_close(struct bconn *);

/* Queues a persistent Basic.Publish of the 1 KiB body to the queue named
 * c->name (default exchange). */
void	 amqp_queue_publish(struct bconn *);

/* Reads frames until a Basic.Ack; returns how many publishes it confirms
 * (several if it is "multiple"), or -1 on a Nack or an error. */
int	 amqp_confirms(struct bconn *);

/* amqsetup --queue Q --queue-type classic|quorum|classic-v2 --conns C:
 * declares the durable queues Q-0 .. Q-(C-1) and purges them. */
void	 amqp_mode_setup(void);

/* amqdrain --queue Q --count N --window W: consumes N messages from Q-0
 * with a prefetch of W, acknowledging each; seconds until all are in. */
void	 amqp_mode_drain(void);

#endif
