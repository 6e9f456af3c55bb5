/*
 * `pocctl metrics`: the node's status as OpenMetrics text, for the
 * Prometheus node_exporter textfile collector (write it to a .prom file
 * from a timer) or anything that reads the exposition format.  Only gauges
 * are used, so that the classic Prometheus text parser (which knows no
 * "info" or "unit") reads the same output; the file ends with "# EOF".
 * The format is the same with --json: both output tables point here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/output_metrics.h"

static int	 output_metrics_printed;

/* Writes s as a label value: backslash, double quote and newline
 * escaped. */
static void
output_metrics_label(FILE *fp, const char *s)
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
output_metrics_family(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void	output_metrics_gauge(FILE *, const char *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

/* A family of one sample without labels: its HELP and TYPE lines, then
 * "name value" with the value formatted like printf. */
static void
output_metrics_gauge(FILE *fp, const char *name, const char *help,
    const char *fmt, ...)
{
	va_list	 ap;

	output_metrics_family(fp, name, help);
	fprintf(fp, "%s ", name);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
}

/* Starts a sample of name labelled by one peer: `name{peer="member"} `;
 * the caller writes the value and the newline. */
static void
output_metrics_peer(FILE *fp, const char *name, const char *member)
{
	fprintf(fp, "%s{peer=\"", name);
	output_metrics_label(fp, member);
	fputs("\"} ", fp);
}

/* Unix ms as seconds. */
static double
output_metrics_sec(int64_t ms)
{
	return (double)ms / 1000.0;
}

void
output_metrics(const Poc__OpStatusReply *st)
{
	FILE	*fp = stdout;
	size_t	 i;

	output_metrics_gauge(fp, "pocd_up", "1 if the node answered on its "
	    "operator listener.", "1");
	output_metrics_family(fp, "pocd_build_info", "The node's member code "
	    "and software version (value 1).");
	fprintf(fp, "pocd_build_info{member=\"");
	output_metrics_label(fp, st->member);
	fprintf(fp, "\",software=\"");
	output_metrics_label(fp, st->software);
	fprintf(fp, "\"} 1\n");
	output_metrics_gauge(fp, "pocd_start_time_seconds", "When the node "
	    "started, Unix time.", "%.3f", output_metrics_sec(st->started_at));
	output_metrics_gauge(fp, "pocd_uptime_seconds", "Seconds since the "
	    "node started.", "%.3f",
	    output_metrics_sec(st->now - st->started_at));
	output_metrics_gauge(fp, "pocd_inbox_messages", "Messages received "
	    "and kept in the store.", "%u", st->inbox);
	output_metrics_gauge(fp, "pocd_outbox_queued_messages", "Messages "
	    "waiting for a receipt, all recipients.", "%u", st->outbox_queued);

	output_metrics_family(fp, "pocd_outbox_queued", "Messages queued to "
	    "one peer.");
	for (i = 0; i < st->n_peers; i++) {
		output_metrics_peer(fp, "pocd_outbox_queued",
		    st->peers[i]->member);
		fprintf(fp, "%u\n", st->peers[i]->queued);
	}
	output_metrics_family(fp, "pocd_outbox_oldest_age_seconds", "Age of "
	    "the oldest message queued to one peer (0 if none).");
	for (i = 0; i < st->n_peers; i++) {
		output_metrics_peer(fp, "pocd_outbox_oldest_age_seconds",
		    st->peers[i]->member);
		fprintf(fp, "%.3f\n", st->peers[i]->oldest_queued_at ?
		    output_metrics_sec(st->now -
		    st->peers[i]->oldest_queued_at) : 0.0);
	}
	output_metrics_family(fp, "pocd_peer_connected", "1 if a connection "
	    "to the peer is up.");
	for (i = 0; i < st->n_peers; i++) {
		output_metrics_peer(fp, "pocd_peer_connected",
		    st->peers[i]->member);
		fprintf(fp, "%d\n", st->peers[i]->connected ? 1 : 0);
	}
	if (st->overdue_tracked)
		output_metrics_gauge(fp, "pocd_overdue_cases", "Cases past "
		    "their acknowledgement deadline.", "%u", st->overdue_cases);
	output_metrics_gauge(fp, "pocd_directory_last_sync_timestamp_seconds",
	    "Last successful directory sync, Unix time (0 = never).", "%.3f",
	    output_metrics_sec(st->last_directory_sync));
	output_metrics_gauge(fp, "pocd_check_campaign_last_timestamp_seconds",
	    "Last communication check campaign, Unix time (0 = never).",
	    "%.3f", output_metrics_sec(st->last_check_campaign));
	output_metrics_family(fp, "pocd_certificate_expiry_timestamp_seconds",
	    "End of validity of a certificate in force, Unix time.");
	for (i = 0; i < st->n_certificates; i++) {
		fprintf(fp, "pocd_certificate_expiry_timestamp_seconds"
		    "{role=\"");
		output_metrics_label(fp, st->certificates[i]->role);
		fprintf(fp, "\",subject=\"");
		output_metrics_label(fp, st->certificates[i]->subject);
		fprintf(fp, "\"} %.3f\n",
		    output_metrics_sec(st->certificates[i]->not_after));
	}
	output_metrics_family(fp, "pocd_connections", "Connections open on "
	    "a listener.");
	fprintf(fp, "pocd_connections{listener=\"peer\"} %u\n"
	    "pocd_connections{listener=\"operator\"} %u\n",
	    st->peer_connections, st->operator_connections);
	output_metrics_family(fp, "pocd_connections_max", "The connection "
	    "limit of a listener.");
	fprintf(fp, "pocd_connections_max{listener=\"peer\"} %u\n"
	    "pocd_connections_max{listener=\"operator\"} %u\n",
	    st->max_peer_connections, st->max_operator_connections);
	output_metrics_family(fp, "pocd_peer_clock_skew_seconds", "A peer's "
	    "clock minus ours, from its last Hello (positive: ahead).");
	for (i = 0; i < st->n_clock_skew; i++) {
		output_metrics_peer(fp, "pocd_peer_clock_skew_seconds",
		    st->clock_skew[i]->member);
		fprintf(fp, "%.3f\n", (double)st->clock_skew[i]->skew_ms /
		    1000.0);
	}
	output_metrics_gauge(fp, "pocd_own_clock_offset_seconds", "How far "
	    "this node's clock is off as most of its peers see it (positive: "
	    "ahead); 0 unless two or more, and most, find it off one way.",
	    "%.3f", (double)st->own_clock_offset / 1000.0);
	output_metrics_gauge(fp, "pocd_enrollments_refused_full", "Enrollment "
	    "requests refused since start because the most kept were "
	    "pending.", "%u", st->enrollments_refused_full);
	output_metrics_gauge(fp, "pocd_store_writable", "1 if the store's "
	    "last write committed, 0 after a full disk or an I/O error until "
	    "one commits again.", "%d", st->store_error[0] == '\0');
	output_metrics_gauge(fp, "pocd_store_write_failures", "Store "
	    "transactions that did not commit since start (full disk, I/O "
	    "error).", "%u", st->store_write_failures);
	if (st->store_bytes_free >= 0)
		output_metrics_gauge(fp, "pocd_store_free_bytes", "Free bytes "
		    "on the store's file system.", "%lld",
		    (long long)st->store_bytes_free);
	output_metrics_gauge(fp, "pocd_config_loaded_timestamp_seconds",
	    "When the configuration in force was read, Unix time.", "%.3f",
	    output_metrics_sec(st->config_loaded_at));
	output_metrics_gauge(fp, "pocd_config_reloads", "SIGHUP reloads put "
	    "in force since start.", "%u", st->reloads);
	output_metrics_gauge(fp, "pocd_config_reload_failures", "SIGHUP "
	    "reloads refused since start (bad file).", "%u",
	    st->reload_failures);
	if (st->alert_configured) {
		output_metrics_gauge(fp, "pocd_alerts_pending", "Alerts "
		    "recorded and not yet run to success.", "%u",
		    st->alerts_pending);
		output_metrics_gauge(fp, "pocd_alerts_running", "Alert "
		    "commands running now.", "%u", st->alerts_running);
		output_metrics_gauge(fp, "pocd_alert_runs", "Alert commands "
		    "that exited 0 since start.", "%u", st->alerts_run);
		output_metrics_gauge(fp, "pocd_alert_failures", "Alert "
		    "commands that failed since start.", "%u",
		    st->alerts_failed);
		output_metrics_gauge(fp, "pocd_alert_timeouts", "Alert "
		    "commands killed at [alert] timeout since start.", "%u",
		    st->alerts_timed_out);
		output_metrics_gauge(fp, "pocd_alerts_given_up", "Alerts "
		    "given up after [alert] attempts since start.", "%u",
		    st->alerts_given_up);
	}
	fprintf(fp, "# EOF\n");
	output_metrics_printed = 1;
}

/* Without a result (the node is down, the config is wrong), still a valid
 * exposition saying pocd_up 0, so that a textfile collector records the
 * outage instead of the last good values. */
void
output_metrics_down(void)
{
	if (output_metrics_printed)
		return;
	output_metrics_gauge(stdout, "pocd_up", "1 if the node answered on "
	    "its operator listener.", "0");
	fputs("# EOF\n", stdout);
	fflush(stdout);
}
