/*
 * The store's SQL (store_sql.c): every statement pocd runs, by id, in one
 * {id, sql} table that store.c prepares once when it opens the database.
 * Only the store's own files include this.
 */
#ifndef POC_STORE_SQL_H
#define POC_STORE_SQL_H

#include <stddef.h>

struct sqlite3;
struct sqlite3_stmt;

enum stmt_id {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_USER_VERSION,
	STMT_MSG_FIND,		/* store_msg.c */
	STMT_MSG_INSERT,
	STMT_OUTBOX_INSERT,
	STMT_OUTBOX_LOAD,
	STMT_OUTBOX_SETTLE,
	STMT_OUTBOX_DELETE,
	STMT_OUTBOX_FAILED,
	STMT_OUTBOX_PEERS,
	STMT_LIST,
	STMT_GET_ID,
	STMT_GET_PREFIX,
	STMT_THREAD,
	STMT_ACKS,
	STMT_COUNT,
	STMT_CHECKS_CAMPAIGN_ADD,	/* store_checks.c */
	STMT_CHECKS_TARGET_ADD,
	STMT_CHECKS_CAMPAIGN_ID,
	STMT_CHECKS_CAMPAIGN_PREFIX,
	STMT_CHECKS_CAMPAIGN_LIST,
	STMT_CHECKS_TARGETS,
	STMT_CHECKS_TARGET_FIND,
	STMT_CHECKS_REPLY,
	STMT_CHECKS_LAST,
	STMT_DEADLINE_MISSING,
	STMT_DEADLINE_ADD,
	STMT_DEADLINE_NEXT,
	STMT_DEADLINE_DUE,
	STMT_DEADLINE_MARK,
	STMT_DEADLINE_GET,
	STMT_DEADLINE_OVERDUE,
	STMT_DEADLINE_SETTLE,
	STMT_CASE_MISSING,
	STMT_CASE_ADD,
	STMT_CASE_HISTORY,
	STMT_AUDIT_LAST,	/* store_audit.c */
	STMT_AUDIT_INSERT,
	STMT_AUDIT_ENVELOPE,
	STMT_AUDIT_LOAD,
	STMT_SIGNER_INSERT,	/* store_sig.c */
	STMT_SIGNER_SET,
	STMT_SIGNER_GET,
	STMT_SIGNER_QUEUED,
	STMT_SIGNER_REPLACE,
	STMT_SIG_VERIFIED,
	STMT_DIR_GET,		/* store_dir.c */
	STMT_DIR_PUT,
	STMT_DIR_LIST,
	STMT_DIR_CHECK_SET,
	STMT_DIR_CHECK_GET,
	STMT_DIR_META_SET,
	STMT_DIR_META_GET,
	STMT_MSG_LAST_SEQ,
	STMT_EVENT_INSERT,	/* store_events.c */
	STMT_EVENT_SINCE,
	STMT_EVENT_LAST,
	STMT_EVENT_ALERTS_DUE,
	STMT_EVENT_ALERT_SET,
	STMT_EVENT_ALERT_COUNT,
	STMT_EVENT_ALERT_NEXT,
	STMT_EVENT_PRUNE,
	STMT_MSG_ANSWER,	/* store_msg.c: listings' columns */
	STMT_COUNT_ADD,
	STMT_CASES_OPEN,	/* store_list.c */
	STMT_CASES_TOUCH,
	STMT_LIST_PROBE,
	STMT_ENROLL_GET,	/* store_enroll.c */
	STMT_ENROLL_PUT,
	STMT_ENROLL_SEEN,
	STMT_ENROLL_DECIDE,
	STMT_ENROLL_LIST,
	STMT_ENROLL_COUNT,
	STMT_SEND_MANY_ADD,	/* store_send.c */
	STMT_SEND_MANY_ENVELOPE_ADD,
	STMT_SEND_MANY_OF,
	STMT_SEND_MANY_THREADS,
	STMT_SEND_MANY_LATEST,
	STMT_THREAD_PARTIES,	/* store_thread.c */
	STMT_AUDIT_HASH_AT,	/* store_audit.c: witnessed heads */
	STMT_WITNESS_LATEST,	/* store_witness.c */
	STMT_WITNESS_PUT,
	STMT_WITNESS_CONFLICT_ADD,
	STMT_WITNESS_CONFLICT_COUNT,
	STMT_WITNESS_LIST,
	STMT_MAX
};

/* The columns store_message_from_row() reads, in this order. */
#define MSG_COLUMNS							\
	"SELECT m.seq, m.id, m.direction, m.state, m.received_at,"	\
	" m.delivered_at, m.reason, m.envelope,"			\
	" coalesce(o.attempts, 0), coalesce(o.next_attempt_at, 0),"	\
	" m.acked_at, m.answered_at, m.sig_verified"
#define MSG_SELECT							\
	MSG_COLUMNS " FROM messages m LEFT JOIN outbox o ON o.seq = m.seq "
enum msg_col {
	MCOL_SEQ, MCOL_ID, MCOL_DIRECTION, MCOL_STATE, MCOL_RECEIVED_AT,
	MCOL_DELIVERED_AT, MCOL_REASON, MCOL_ENVELOPE, MCOL_ATTEMPTS,
	MCOL_NEXT_ATTEMPT_AT, MCOL_ACKED_AT, MCOL_ANSWERED_AT,
	MCOL_SIG_VERIFIED,
	MCOL_MAX
};

struct store_stmt {
	enum stmt_id	 id;
	const char	*name;		/* for logs: "store: <name>: ..." */
	const char	*sql;
};

extern const struct store_stmt store_stmts[STMT_MAX];

/* Prepares every statement of store_stmts[] on db into stmt[], to be kept
 * for the life of the connection.  Returns 0, or -1 with the reason in
 * err (what was prepared stays in stmt[] for store_sql_finalize). */
int	 store_sql_prepare(struct sqlite3 *db,
	    struct sqlite3_stmt *stmt[STMT_MAX], char *err, size_t errlen);

/* Finalizes what store_sql_prepare() made; NULL entries are skipped. */
void	 store_sql_finalize(struct sqlite3_stmt *stmt[STMT_MAX]);

#endif
