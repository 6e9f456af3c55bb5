/*
 * A case as an IODEF v2 document (RFC 7970), written with libxml2's
 * xmlTextWriter: one Incident per request or notification, the sender
 * and its PoCs as Contacts, the indicators as Indicators.  Reading a
 * document back is interop_iodef_read.c's.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <openssl/evp.h>

#include "cli/interop.h"
#include "cli/interop_iodef.h"
#include "cli/interop_iodef_int.h"
#include "dirrec.h"
#include "util.h"

const struct iodef_addr iodef_addrs[] = {
	{ POC__INDICATOR__TYPE__IPV4, "ipv4-addr" },
	{ POC__INDICATOR__TYPE__IPV6, "ipv6-addr" },
	{ POC__INDICATOR__TYPE__URL, "site-uri" },
	{ POC__INDICATOR__TYPE__EMAIL, "e-mail" },
	{ POC__INDICATOR__TYPE__ASN, "asn" },
};
const size_t iodef_naddrs = sizeof(iodef_addrs) / sizeof(iodef_addrs[0]);

/* ------------------------------------------------------------- writing */

/* <name attr...>text</name>; attrs are name/value pairs, NULL ended. */
static int
iodef_elem(xmlTextWriterPtr w, const char *name, const char *text, ...)
{
	va_list		 ap;
	const char	*an, *av;
	int		 r = 0;

	if (xmlTextWriterStartElement(w, X(name)) < 0)
		return -1;
	va_start(ap, text);
	while ((an = va_arg(ap, const char *)) != NULL) {
		av = va_arg(ap, const char *);
		if (xmlTextWriterWriteAttribute(w, X(an), X(av)) < 0)
			r = -1;
	}
	va_end(ap);
	if (text != NULL && xmlTextWriterWriteString(w, X(text)) < 0)
		r = -1;
	if (xmlTextWriterEndElement(w) < 0)
		r = -1;
	return r;
}

/* An AdditionalData of pocd's: meaning "pocd:KEY". */
static int
iodef_data(xmlTextWriterPtr w, const char *dtype, const char *key,
    const char *value)
{
	char	 meaning[64];

	snprintf(meaning, sizeof(meaning), "pocd:%s", key);
	return iodef_elem(w, "AdditionalData", value, "dtype", dtype,
	    "meaning", meaning, NULL);
}

/* One PoC of the sender's directory record as a nested Contact: its
 * level as the role (TECHNICAL is "tech"; POLICY and DIPLOMATIC have no
 * IODEF role and go in ext-role), its name and role, and the channels
 * IODEF has elements for (e-mail, telephone, fax). */
static int
iodef_poc(xmlTextWriterPtr w, const Poc__DirectoryPoc *p)
{
	const Poc__DirectoryChannel	*ch;
	const char			*level;
	char				 ext[32];
	size_t				 i, k;
	int				 r = 0;

	r |= xmlTextWriterStartElement(w, X("Contact"));
	if (p->level == POC__DIRECTORY_POC__LEVEL__TECHNICAL)
		r |= xmlTextWriterWriteAttribute(w, X("role"), X("tech"));
	else {
		level = dirrec_level_name(p->level);
		for (k = 0; level[k] != '\0' && k + 1 < sizeof(ext); k++)
			ext[k] = (char)tolower((unsigned char)level[k]);
		ext[k] = '\0';
		r |= xmlTextWriterWriteAttribute(w, X("role"), X("ext-value"));
		r |= xmlTextWriterWriteAttribute(w, X("ext-role"),
		    X(ext[0] != '\0' ? ext : "unspecified"));
	}
	r |= xmlTextWriterWriteAttribute(w, X("type"), X("person"));
	if (p->name[0] != '\0')
		r |= iodef_elem(w, "ContactName", p->name, NULL);
	if (p->role[0] != '\0')
		r |= iodef_elem(w, "ContactTitle", p->role, NULL);
	if (p->organization[0] != '\0')
		r |= iodef_elem(w, "Description", p->organization, NULL);
	for (i = 0; i < p->n_channels; i++) {
		ch = p->channels[i];
		if (ch->kind == POC__DIRECTORY_CHANNEL__KIND__EMAIL) {
			r |= xmlTextWriterStartElement(w, X("Email"));
			r |= iodef_elem(w, "EmailTo", ch->value, NULL);
			r |= xmlTextWriterEndElement(w);
		}
	}
	/* After every Email: RFC 7970 orders a Contact's children. */
	for (i = 0; i < p->n_channels; i++) {
		ch = p->channels[i];
		if (ch->kind != POC__DIRECTORY_CHANNEL__KIND__PHONE &&
		    ch->kind != POC__DIRECTORY_CHANNEL__KIND__FAX)
			continue;
		r |= xmlTextWriterStartElement(w, X("Telephone"));
		r |= xmlTextWriterWriteAttribute(w, X("type"), X(ch->kind ==
		    POC__DIRECTORY_CHANNEL__KIND__FAX ? "fax" : "wired"));
		r |= iodef_elem(w, "TelephoneNumber", ch->value, NULL);
		r |= xmlTextWriterEndElement(w);
	}
	r |= xmlTextWriterEndElement(w);
	return r;
}

/* The inside of the creator Contact: the sender's name from its
 * directory record (else its member code), the code as a local registry
 * handle, and its PoCs, when the node holds its record (rec may be
 * NULL). */
static int
iodef_creator(xmlTextWriterPtr w, const char *code,
    const Poc__DirectoryRecord *rec)
{
	size_t	 i;
	int	 r = 0;

	r |= iodef_elem(w, "ContactName", rec != NULL && rec->name[0] != '\0' ?
	    rec->name : code, NULL);
	if (rec == NULL)
		return r;
	r |= iodef_elem(w, "RegistryHandle", code, "registry", "local", NULL);
	for (i = 0; i < rec->n_pocs; i++)
		r |= iodef_poc(w, rec->pocs[i]);
	return r;
}

/* The IODEF severity of a pocd one. */
static const char *
iodef_severity(Poc__Severity s)
{
	if (s >= POC__SEVERITY__HIGH)
		return "high";
	return s == POC__SEVERITY__MEDIUM ? "medium" : "low";
}

/* The SHA-256 hex digest hex as base64 (ds:DigestValue); -1 if it is not
 * 64 hex digits. */
static int
iodef_hex_b64(const char *hex, char out[48])
{
	uint8_t	 md[32];

	if (util_unhex(hex, md, sizeof(md), UTIL_HEX_ANYCASE) == -1)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, md, sizeof(md));
	return 0;
}

/* The Observable of one indicator. */
static int
iodef_observable(xmlTextWriterPtr w, const Poc__Indicator *in)
{
	char	 b64[48];
	size_t	 k;
	int	 r = 0;

	for (k = 0; k < iodef_naddrs; k++)
		if (iodef_addrs[k].type == in->type)
			return iodef_elem(w, "Address", in->type ==
			    POC__INDICATOR__TYPE__ASN ? interop_asn(in->value) :
			    in->value, "category", iodef_addrs[k].category,
			    NULL);
	if (in->type == POC__INDICATOR__TYPE__DOMAIN) {
		r |= xmlTextWriterStartElement(w, X("DomainData"));
		r |= xmlTextWriterWriteAttribute(w, X("system-status"),
		    X("unknown"));
		r |= xmlTextWriterWriteAttribute(w, X("domain-status"),
		    X("unknown"));
		r |= iodef_elem(w, "Name", in->value, NULL);
		r |= xmlTextWriterEndElement(w);
		return r < 0 ? -1 : 0;
	}
	if (in->type == POC__INDICATOR__TYPE__SHA256 &&
	    iodef_hex_b64(in->value, b64) == 0) {
		r |= xmlTextWriterStartElement(w, X("FileData"));
		r |= xmlTextWriterStartElement(w, X("File"));
		r |= xmlTextWriterStartElement(w, X("HashData"));
		r |= xmlTextWriterWriteAttribute(w, X("scope"),
		    X("file-contents"));
		r |= xmlTextWriterStartElement(w, X("Hash"));
		r |= iodef_elem(w, "ds:DigestMethod", NULL, "Algorithm",
		    IODEF_SHA256, NULL);
		r |= iodef_elem(w, "ds:DigestValue", b64, NULL);
		r |= xmlTextWriterEndElement(w);	/* Hash */
		r |= xmlTextWriterEndElement(w);	/* HashData */
		r |= xmlTextWriterEndElement(w);	/* File */
		r |= xmlTextWriterEndElement(w);	/* FileData */
		return r < 0 ? -1 : 0;
	}
	return iodef_elem(w, "AdditionalData", in->value, "dtype", "string",
	    "meaning", in->type == POC__INDICATOR__TYPE__CVE ? "cve" :
	    in->type == POC__INDICATOR__TYPE__SHA256 ? "sha256" : "other",
	    NULL);
}

/* Incident/@status and @ext-status of a case status. */
static void
iodef_status(Poc__CaseStatus s, const char **st, const char **ext)
{
	*st = *ext = NULL;
	switch (s) {
	case POC__CASE_STATUS__OPEN:
		*st = "new";
		break;
	case POC__CASE_STATUS__IN_PROGRESS:
		*st = "in-progress";
		break;
	case POC__CASE_STATUS__RESOLVED:
	case POC__CASE_STATUS__CLOSED:
		*st = "resolved";
		break;
	case POC__CASE_STATUS__MITIGATED:
		*st = "ext-value";
		*ext = "mitigated";
		break;
	case POC__CASE_STATUS__WITHDRAWN:
		*st = "ext-value";
		*ext = "withdrawn";
		break;
	default:
		break;
	}
}

/* The pocd fields IODEF has no element for, as AdditionalData. */
static int
iodef_extra(xmlTextWriterPtr w, const Poc__Envelope *e,
    const struct interop_body *b)
{
	char	 t[32];
	size_t	 i;
	int	 r = 0;

	if (e->exercise)
		r |= iodef_data(w, "boolean", "exercise", "true");
	if (b->severity != 0)
		r |= iodef_data(w, "string", "severity", interop_enum_name(
		    &poc__severity__descriptor, b->severity));
	if (b->urgency != 0)
		r |= iodef_data(w, "string", "urgency", interop_enum_name(
		    &poc__urgency__descriptor, b->urgency));
	for (i = 0; i < b->n_sectors; i++)
		r |= iodef_data(w, "string", "sector", interop_enum_name(
		    &poc__sector__descriptor, b->sectors[i]));
	if (b->requested_action != NULL && b->requested_action[0] != '\0')
		r |= iodef_data(w, "string", "requested_action",
		    b->requested_action);
	for (i = 0; i < b->n_assistance; i++)
		r |= iodef_data(w, "string", "assistance_type",
		    interop_enum_name(
		    &poc__assistance_request__assistance_type__descriptor,
		    b->assistance[i]));
	if (b->respond_by != 0) {
		interop_time(t, b->respond_by);
		r |= iodef_data(w, "date-time", "respond_by", t);
	}
	if (b->since != 0) {
		interop_time(t, b->since);
		r |= iodef_data(w, "date-time", b->since_name, t);
	}
	for (i = 0; i < b->n_unavailable; i++)
		r |= iodef_data(w, "string", "unavailable", b->unavailable[i]);
	for (i = 0; i < b->n_withheld; i++)
		r |= iodef_data(w, "string", "withheld", b->withheld[i]);
	return r < 0 ? -1 : 0;
}

/* One Incident for the request or notification e. */
static int
iodef_incident(xmlTextWriterPtr w, const Poc__Envelope *e,
    const struct interop_case *c)
{
	struct interop_body	 b;
	const char		*st, *ext, *tlp;
	char			 t[32], u[INTEROP_UUID_LEN + 1];
	size_t			 i;
	int			 r = 0;

	interop_body_get(e, &b);
	r |= xmlTextWriterStartElement(w, X("Incident"));
	r |= xmlTextWriterWriteAttribute(w, X("purpose"), X(b.request ?
	    "mitigation" : "reporting"));
	iodef_status(c->status, &st, &ext);
	if (st != NULL)
		r |= xmlTextWriterWriteAttribute(w, X("status"), X(st));
	if (ext != NULL)
		r |= xmlTextWriterWriteAttribute(w, X("ext-status"), X(ext));
	if (e->language[0] != '\0')
		r |= xmlTextWriterWriteAttribute(w, X("xml:lang"),
		    X(e->language));
	if ((tlp = interop_tlp_name(e->tlp)) != NULL) {
		if (e->tlp == POC__TLP__AMBER_STRICT) {
			r |= xmlTextWriterWriteAttribute(w, X("restriction"),
			    X("ext-value"));
			r |= xmlTextWriterWriteAttribute(w,
			    X("ext-restriction"), X(tlp));
		} else
			r |= xmlTextWriterWriteAttribute(w, X("restriction"),
			    X(e->tlp == POC__TLP__CLEAR ? "white" : tlp));
	}
	r |= iodef_elem(w, "IncidentID", e->id, "name", e->sender, NULL);
	if (e->thread_id[0] != '\0' && strcmp(e->thread_id, e->id) != 0) {
		r |= xmlTextWriterStartElement(w, X("RelatedActivity"));
		r |= iodef_elem(w, "IncidentID", e->thread_id, "name",
		    c->sender, NULL);
		r |= xmlTextWriterEndElement(w);
	}
	interop_time(t, e->created_at);
	r |= iodef_elem(w, "GenerationTime", t, NULL);
	r |= iodef_elem(w, "Description", b.summary, NULL);
	if (b.description[0] != '\0')
		r |= iodef_elem(w, "Description", b.description, NULL);
	if (b.severity != 0) {
		r |= xmlTextWriterStartElement(w, X("Assessment"));
		r |= iodef_elem(w, "SystemImpact", NULL, "severity",
		    iodef_severity(b.severity), "type", "unknown", NULL);
		r |= xmlTextWriterEndElement(w);
	}
	r |= xmlTextWriterStartElement(w, X("Contact"));
	r |= xmlTextWriterWriteAttribute(w, X("role"), X("creator"));
	r |= xmlTextWriterWriteAttribute(w, X("type"), X("organization"));
	r |= iodef_creator(w, e->sender, interop_record(c, e->sender));
	if (b.contact != NULL && b.contact[0] != '\0') {
		r |= xmlTextWriterStartElement(w, X("Contact"));
		r |= xmlTextWriterWriteAttribute(w, X("role"), X("tech"));
		r |= xmlTextWriterWriteAttribute(w, X("type"), X("person"));
		r |= iodef_elem(w, "ContactName", b.contact, NULL);
		r |= xmlTextWriterEndElement(w);
	}
	r |= xmlTextWriterEndElement(w);
	if (e->recipient[0] != '\0') {
		r |= xmlTextWriterStartElement(w, X("Contact"));
		r |= xmlTextWriterWriteAttribute(w, X("role"), X("irt"));
		r |= xmlTextWriterWriteAttribute(w, X("type"),
		    X("organization"));
		r |= iodef_elem(w, "ContactName", e->recipient, NULL);
		r |= xmlTextWriterEndElement(w);
	}
	for (i = 0; i < b.n_indicators; i++) {
		r |= xmlTextWriterStartElement(w, X("Indicator"));
		interop_uuid(u, "indicator:%s:%zu", e->id, i);
		r |= iodef_elem(w, "IndicatorID", u, "name", e->sender,
		    "version", "1", NULL);
		if (b.indicators[i]->note[0] != '\0')
			r |= iodef_elem(w, "Description",
			    b.indicators[i]->note, NULL);
		r |= xmlTextWriterStartElement(w, X("Observable"));
		r |= iodef_observable(w, b.indicators[i]);
		r |= xmlTextWriterEndElement(w);
		r |= xmlTextWriterEndElement(w);
	}
	r |= iodef_extra(w, e, &b);
	r |= xmlTextWriterEndElement(w);
	return r < 0 ? -1 : 0;
}

int
interop_iodef_write(FILE *fp, const struct interop_case *c)
{
	xmlBufferPtr		 buf;
	xmlTextWriterPtr	 w;
	size_t			 i;
	int			 r = 0;

	if ((buf = xmlBufferCreate()) == NULL)
		return -1;
	if ((w = xmlNewTextWriterMemory(buf, 0)) == NULL) {
		xmlBufferFree(buf);
		return -1;
	}
	r |= xmlTextWriterSetIndent(w, 1);
	r |= xmlTextWriterSetIndentString(w, X("  "));
	r |= xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
	r |= xmlTextWriterStartElement(w, X("IODEF-Document"));
	r |= xmlTextWriterWriteAttribute(w, X("version"), X("2.00"));
	r |= xmlTextWriterWriteAttribute(w, X("xmlns"), X(IODEF_NS));
	r |= xmlTextWriterWriteAttribute(w, X("xmlns:ds"), X(IODEF_DS_NS));
	for (i = 0; i < c->n; i++)
		r |= iodef_incident(w, c->msgs[i]->envelope, c);
	r |= xmlTextWriterEndElement(w);
	if (xmlTextWriterEndDocument(w) < 0)
		r = -1;
	xmlFreeTextWriter(w);
	if (r >= 0 && fwrite(xmlBufferContent(buf), 1, xmlBufferLength(buf),
	    fp) != (size_t)xmlBufferLength(buf))
		r = -1;
	xmlBufferFree(buf);
	return r < 0 ? -1 : 0;
}
