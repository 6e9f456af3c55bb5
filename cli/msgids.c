/*
 * Messages that pocctl translates at run time but that do not appear as
 * literals in the code: the names of enum values (rendered from the
 * protobuf descriptors through gettext) and the stored message states.
 * Listing them here is what puts them in po/pocctl.pot (xgettext reads
 * N_()); tests/i18n/check_catalogs.py checks that every value of the
 * rendered enums is in every catalog.
 */
#include <stddef.h>

#include "cli/i18n.h"

const char *const i18n_extra_msgids[] = {
	/* Severity (para 83, 85) */
	N_("BASELINE"), N_("LOW"), N_("MEDIUM"), N_("HIGH"), N_("SEVERE"),
	N_("EMERGENCY"),
	/* Urgency (para 53) */
	N_("ROUTINE"), N_("PRIORITY"), N_("IMMEDIATE"), N_("FLASH"),
	/* Sector (critical infrastructure) */
	N_("HEALTH"), N_("ENERGY"), N_("WATER"), N_("FINANCE"),
	N_("TRANSPORT"), N_("TELECOM"), N_("ELECTORAL"), N_("INTERNET_CORE"),
	N_("EMERGENCY_SERVICES"), N_("GOVERNMENT"), N_("OTHER"),
	/* CaseStatus */
	N_("OPEN"), N_("IN_PROGRESS"), N_("MITIGATED"), N_("RESOLVED"),
	N_("CLOSED"), N_("WITHDRAWN"),
	/* Indicator.Type */
	N_("IPV4"), N_("IPV6"), N_("DOMAIN"), N_("URL"), N_("SHA256"),
	N_("EMAIL"), N_("CVE"), N_("ASN"),
	/* AssistanceRequest.AssistanceType (norm 13(h)) */
	N_("INFORMATION"), N_("TECHNICAL_ANALYSIS"),
	N_("MITIGATION_AT_SOURCE"), N_("TAKEDOWN"), N_("LAW_ENFORCEMENT"),
	/* AssistanceResponse.Decision (para 54) */
	N_("WILL_ASSIST"), N_("PARTIAL"), N_("CANNOT_ASSIST"),
	N_("NEED_INFORMATION"),
	/* PoC level and channel kind (para 77(a)) */
	N_("POLICY"), N_("DIPLOMATIC"), N_("TECHNICAL"), N_("PHONE"),
	N_("FAX"), N_("SECURE_MESSAGING"),
	/* StoredMessage.state */
	N_("received"), N_("queued"), N_("delivered"), N_("rejected"),
	NULL
};
