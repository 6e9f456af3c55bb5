/*
 * `pocctl metrics`: the node's status as OpenMetrics text, for the
 * Prometheus node_exporter textfile collector (write it to a .prom file
 * from a timer) or anything that reads the exposition format.  Only gauges
 * are used, so that the classic Prometheus text parser (which knows no
 * "info" or "unit") reads the same output; the file ends with "# EOF".
 */
#include <stdio.h>
#include <string.h>

#include "cli/output.h"

/* Writes s as a label value: backslash, double quote and newline
 * escaped. */
static void
metrics_label(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
}

/* The HELP and TYPE lines of a gauge family. */
static void
metrics_family(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* Unix ms as seconds. */
static double
metrics_sec(int64_t ms)
{
	return (double)ms / 1000.0;
}

void
output_metrics(const Poc__OpStatusReply *st)
{
	FILE	*fp = stdout;
	size_t	 i;

	metrics_family(fp, "pocd_up", "1 if the node answered on its "
	    "operator listener.");
	fprintf(fp, "pocd_up 1\n");
	metrics_family(fp, "pocd_build_info", "The node's member code and "
	    "software version (value 1).");
	fprintf(fp, "pocd_build_info{member=\"");
	metrics_label(fp, st->member);
	fprintf(fp, "\",software=\"");
	metrics_label(fp, st->software);
	fprintf(fp, "\"} 1\n");
	metrics_family(fp, "pocd_start_time_seconds", "When the node "
	    "started, Unix time.");
	fprintf(fp, "pocd_start_time_seconds %.3f\n",
	    metrics_sec(st->started_at));
	metrics_family(fp, "pocd_uptime_seconds", "Seconds since the node "
	    "started.");
	fprintf(fp, "pocd_uptime_seconds %.3f\n",
	    metrics_sec(st->now - st->started_at));
	metrics_family(fp, "pocd_inbox_messages", "Messages received and "
	    "kept in the store.");
	fprintf(fp, "pocd_inbox_messages %u\n", st->inbox);
	metrics_family(fp, "pocd_outbox_queued_messages", "Messages waiting "
	    "for a receipt, all recipients.");
	fprintf(fp, "pocd_outbox_queued_messages %u\n", st->outbox_queued);

	metrics_family(fp, "pocd_outbox_queued", "Messages queued to one "
	    "peer.");
	for (i = 0; i < st->n_peers; i++) {
		fprintf(fp, "pocd_outbox_queued{peer=\"");
		metrics_label(fp, st->peers[i]->member);
		fprintf(fp, "\"} %u\n", st->peers[i]->queued);
	}
	metrics_family(fp, "pocd_outbox_oldest_age_seconds", "Age of the "
	    "oldest message queued to one peer (0 if none).");
	for (i = 0; i < st->n_peers; i++) {
		fprintf(fp, "pocd_outbox_oldest_age_seconds{peer=\"");
		metrics_label(fp, st->peers[i]->member);
		fprintf(fp, "\"} %.3f\n", st->peers[i]->oldest_queued_at ?
		    metrics_sec(st->now - st->peers[i]->oldest_queued_at) :
		    0.0);
	}
	metrics_family(fp, "pocd_peer_connected", "1 if a connection to "
	    "the peer is up.");
	for (i = 0; i < st->n_peers; i++) {
		fprintf(fp, "pocd_peer_connected{peer=\"");
		metrics_label(fp, st->peers[i]->member);
		fprintf(fp, "\"} %d\n", st->peers[i]->connected ? 1 : 0);
	}
	if (st->overdue_tracked) {
		metrics_family(fp, "pocd_overdue_cases", "Cases past their "
		    "acknowledgement deadline.");
		fprintf(fp, "pocd_overdue_cases %u\n", st->overdue_cases);
	}
	metrics_family(fp, "pocd_directory_last_sync_timestamp_seconds",
	    "Last successful directory sync, Unix time (0 = never).");
	fprintf(fp, "pocd_directory_last_sync_timestamp_seconds %.3f\n",
	    metrics_sec(st->last_directory_sync));
	metrics_family(fp, "pocd_check_campaign_last_timestamp_seconds",
	    "Last communication check campaign, Unix time (0 = never).");
	fprintf(fp, "pocd_check_campaign_last_timestamp_seconds %.3f\n",
	    metrics_sec(st->last_check_campaign));
	metrics_family(fp, "pocd_certificate_expiry_timestamp_seconds",
	    "End of validity of a certificate in force, Unix time.");
	for (i = 0; i < st->n_certificates; i++) {
		fprintf(fp, "pocd_certificate_expiry_timestamp_seconds"
		    "{role=\"");
		metrics_label(fp, st->certificates[i]->role);
		fprintf(fp, "\",subject=\"");
		metrics_label(fp, st->certificates[i]->subject);
		fprintf(fp, "\"} %.3f\n",
		    metrics_sec(st->certificates[i]->not_after));
	}
	metrics_family(fp, "pocd_config_loaded_timestamp_seconds", "When "
	    "the configuration in force was read, Unix time.");
	fprintf(fp, "pocd_config_loaded_timestamp_seconds %.3f\n",
	    metrics_sec(st->config_loaded_at));
	metrics_family(fp, "pocd_config_reloads", "SIGHUP reloads put in "
	    "force since start.");
	fprintf(fp, "pocd_config_reloads %u\n", st->reloads);
	metrics_family(fp, "pocd_config_reload_failures", "SIGHUP reloads "
	    "refused since start (bad file).");
	fprintf(fp, "pocd_config_reload_failures %u\n", st->reload_failures);
	fprintf(fp, "# EOF\n");
}
