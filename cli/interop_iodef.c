/*
 * A case as an IODEF v2 document (RFC 7970) and a document back into a
 * template's fields.  Written with libxml2's xmlTextWriter; read with
 * libxml2 under the rules for hostile input of docs/interop.md: no
 * network, no entity substitution, no DTD, and any document type
 * declaration refused before its first entity is declared.
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
#include "dirrec.h"

#define IODEF_NS	"urn:ietf:params:xml:ns:iodef-2.0"
#define IODEF_DS_NS	"http://www.w3.org/2000/09/xmldsig#"
#define IODEF_SHA256	"http://www.w3.org/2001/04/xmlenc#sha256"

#define X(s)		((const xmlChar *)(s))

/* Indicator types that are an Address, by its category. */
static const struct {
	Poc__Indicator__Type	 type;
	const char		*category;
} iodef_addrs[] = {
	{ POC__INDICATOR__TYPE__IPV4, "ipv4-addr" },
	{ POC__INDICATOR__TYPE__IPV6, "ipv6-addr" },
	{ POC__INDICATOR__TYPE__URL, "site-uri" },
	{ POC__INDICATOR__TYPE__EMAIL, "e-mail" },
	{ POC__INDICATOR__TYPE__ASN, "asn" },
};

#define IODEF_NADDRS	(sizeof(iodef_addrs) / sizeof(iodef_addrs[0]))

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
	unsigned char	 md[32];
	unsigned int	 v;
	size_t		 i;

	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdefABCDEF") != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		md[i] = (unsigned char)v;
	}
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

	for (k = 0; k < IODEF_NADDRS; k++)
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

/* ------------------------------------------------------------- reading */

/* What the SAX hooks found while parsing. */
struct iodef_guard {
	int	 refused;
};

/* A document type declaration: refused before its internal subset, so no
 * entity (billion laughs, external) is ever declared. */
static void
iodef_refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	xmlParserCtxtPtr	 p = ctx;

	(void)name;
	(void)ext;
	(void)sys;
	((struct iodef_guard *)p->_private)->refused = 1;
	xmlStopParser(p);
}

/* An entity declaration (only reachable if the above is bypassed). */
static void
iodef_refuse_entity(void *ctx, const xmlChar *name, int type,
    const xmlChar *pub, const xmlChar *sys, xmlChar *content)
{
	xmlParserCtxtPtr	 p = ctx;

	(void)name;
	(void)type;
	(void)pub;
	(void)sys;
	(void)content;
	((struct iodef_guard *)p->_private)->refused = 1;
	xmlStopParser(p);
}

/* 1 if n is an element of the IODEF namespace named name. */
static int
iodef_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrcmp(n->ns->href, X(IODEF_NS)) == 0 &&
	    xmlStrcmp(n->name, X(name)) == 0;
}

/* The path of child n under parent path: "PATH/Name[i]" (i counts the
 * siblings of that name from 1). */
static void
iodef_path(char *out, size_t len, const char *parent, const xmlNode *n)
{
	const xmlNode	*s;
	int		 i = 1;

	for (s = n->prev; s != NULL; s = s->prev)
		if (s->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(s->name, n->name) == 0)
			i++;
	snprintf(out, len, "%s/%s[%d]", parent, (const char *)n->name, i);
}

/* The attribute a of n as a C string (NULL if absent); xmlFree it. */
static char *
iodef_attr(const xmlNode *n, const char *a)
{
	return (char *)xmlGetProp(n, X(a));
}

/* The first IODEF element child of n named name. */
static const xmlNode *
iodef_child(const xmlNode *n, const char *name)
{
	const xmlNode	*c;

	for (c = n->children; c != NULL; c = c->next)
		if (iodef_is(c, name))
			return c;
	return NULL;
}

/* Adds the indicator the text of n is (after prefix), as type t. */
static void
iodef_add_text(struct interop_import *imp, Poc__Indicator__Type t,
    const xmlNode *n, const char *note, const char *prefix)
{
	xmlChar	*v = xmlNodeGetContent(n);
	char	*s;

	if (asprintf(&s, "%s%s", prefix, v != NULL ? (const char *)v : "") <
	    0)
		abort();
	interop_add_indicator(imp, t, s, note);
	free(s);
	xmlFree(v);
}

/* The SHA-256 of a FileData as hex; -1 if it holds no such hash. */
static int
iodef_file_sha256(const xmlNode *fd, char hex[65])
{
	const xmlNode	*h, *c;
	xmlChar		*alg = NULL, *v = NULL;
	unsigned char	 md[40];
	int		 n, ok = 0, i;

	h = iodef_child(fd, "File");
	h = h != NULL ? iodef_child(h, "HashData") : NULL;
	h = h != NULL ? iodef_child(h, "Hash") : NULL;
	for (c = h != NULL ? h->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(c->name, X("DigestMethod")) == 0 && alg == NULL)
			alg = xmlGetProp(c, X("Algorithm"));
		else if (xmlStrcmp(c->name, X("DigestValue")) == 0 &&
		    v == NULL)
			v = xmlNodeGetContent(c);
	}
	if (alg != NULL && v != NULL && xmlStrcmp(alg, X(IODEF_SHA256)) == 0 &&
	    xmlStrlen(v) == 44) {
		n = EVP_DecodeBlock(md, v, 44);
		if (n == 33) {		/* 32 bytes and one of padding */
			for (i = 0; i < 32; i++)
				snprintf(hex + 2 * i, 3, "%02x", md[i]);
			ok = 1;
		}
	}
	xmlFree(alg);
	xmlFree(v);
	return ok ? 0 : -1;
}

/* Maps one child of an Observable (or of a Node) to an indicator. */
static void
iodef_read_observable(const xmlNode *o, const char *path, const char *note,
    struct interop_import *imp)
{
	char		*cat, hex[65];
	const xmlNode	*name;
	size_t		 k;

	if (iodef_is(o, "Address")) {
		cat = iodef_attr(o, "category");
		for (k = 0; k < IODEF_NADDRS; k++)
			if (cat != NULL && strcmp(cat, iodef_addrs[k].category)
			    == 0)
				break;
		if (k < IODEF_NADDRS)
			iodef_add_text(imp, iodef_addrs[k].type, o, note,
			    iodef_addrs[k].type == POC__INDICATOR__TYPE__ASN ?
			    "AS" : "");
		else
			interop_unmapped(imp, "%s: Address of category %s",
			    path, cat != NULL ? cat : "(none)");
		xmlFree(cat);
	} else if (iodef_is(o, "DomainData") &&
	    (name = iodef_child(o, "Name")) != NULL)
		iodef_add_text(imp, POC__INDICATOR__TYPE__DOMAIN, name, note,
		    "");
	else if (iodef_is(o, "FileData") && iodef_file_sha256(o, hex) == 0)
		interop_add_indicator(imp, POC__INDICATOR__TYPE__SHA256, hex,
		    note);
	else if (iodef_is(o, "AdditionalData")) {
		cat = iodef_attr(o, "meaning");
		if (cat != NULL && strcmp(cat, "cve") == 0)
			iodef_add_text(imp, POC__INDICATOR__TYPE__CVE, o, note,
			    "");
		else if (cat != NULL && (strcmp(cat, "other") == 0 ||
		    strcmp(cat, "sha256") == 0))
			iodef_add_text(imp, strcmp(cat, "other") == 0 ?
			    POC__INDICATOR__TYPE__OTHER :
			    POC__INDICATOR__TYPE__SHA256, o, note, "");
		else
			interop_unmapped(imp, "%s", path);
		xmlFree(cat);
	} else
		interop_unmapped(imp, "%s", path);
}

/* An Indicator: its Observable, with its Description as the note. */
static void
iodef_read_indicator(const xmlNode *in, const char *path,
    struct interop_import *imp)
{
	const xmlNode	*c, *d;
	xmlChar		*note = NULL;
	char		 p[512], q[600];
	int		 seen = 0;

	if ((d = iodef_child(in, "Description")) != NULL)
		note = xmlNodeGetContent(d);
	for (c = in->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || iodef_is(c, "IndicatorID") ||
		    c == d)
			continue;
		iodef_path(p, sizeof(p), path, c);
		if (!iodef_is(c, "Observable") || seen++) {
			interop_unmapped(imp, "%s", p);
			continue;
		}
		for (d = c->children; d != NULL; d = d->next)
			if (d->type == XML_ELEMENT_NODE) {
				iodef_path(q, sizeof(q), p, d);
				iodef_read_observable(d, q, (const char *)note,
				    imp);
				break;
			}
	}
	xmlFree(note);
}

/* EventData: the Address and DomainData of its Nodes, at any depth of
 * Flow/System/Node; anything else is not mapped. */
static void
iodef_read_event(const xmlNode *ev, const char *path,
    struct interop_import *imp)
{
	const xmlNode	*c;
	char		 p[512];

	for (c = ev->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		iodef_path(p, sizeof(p), path, c);
		if (iodef_is(c, "Flow") || iodef_is(c, "System") ||
		    iodef_is(c, "Node") || iodef_is(c, "EventData"))
			iodef_read_event(c, p, imp);
		else if (iodef_is(c, "Address") || iodef_is(c, "DomainData"))
			iodef_read_observable(c, p, NULL, imp);
		else
			interop_unmapped(imp, "%s", p);
	}
}

/* The severity of an Assessment's SystemImpact, if pocd's own is absent. */
static void
iodef_read_assessment(const xmlNode *a, const char *path,
    struct interop_import *imp)
{
	const xmlNode	*c;
	char		*sev, p[512];

	for (c = a->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		iodef_path(p, sizeof(p), path, c);
		sev = iodef_is(c, "SystemImpact") ? iodef_attr(c, "severity") :
		    NULL;
		if (sev == NULL)
			interop_unmapped(imp, "%s", p);
		else if (imp->severity == 0)
			imp->severity = strcmp(sev, "high") == 0 ?
			    POC__SEVERITY__HIGH : strcmp(sev, "medium") == 0 ?
			    POC__SEVERITY__MEDIUM : POC__SEVERITY__LOW;
		xmlFree(sev);
	}
}

/* pocd's own AdditionalData: exercise and severity; others not mapped. */
static void
iodef_read_data(const xmlNode *d, const char *path,
    struct interop_import *imp)
{
	char	*m = iodef_attr(d, "meaning");
	xmlChar	*v = xmlNodeGetContent(d);
	int	 s;

	if (m != NULL && v != NULL && strcmp(m, "pocd:exercise") == 0)
		imp->exercise = xmlStrcmp(v, X("true")) == 0;
	else if (m != NULL && v != NULL && strcmp(m, "pocd:severity") == 0 &&
	    (s = interop_enum_value(&poc__severity__descriptor,
	    (const char *)v)) != 0)
		imp->severity = s;
	else
		interop_unmapped(imp, "%s (%s)", path, m != NULL ? m :
		    "no meaning");
	xmlFree(m);
	xmlFree(v);
}

/* The TLP of an Incident's restriction. */
static void
iodef_read_tlp(const xmlNode *inc, const char *path,
    struct interop_import *imp)
{
	char		*r, *ext;
	Poc__Tlp	 t = 0;

	if ((r = iodef_attr(inc, "restriction")) == NULL)
		return;
	ext = iodef_attr(inc, "ext-restriction");
	if (strcmp(r, "ext-value") == 0 && ext != NULL)
		t = interop_tlp_parse(ext);
	else if (strcmp(r, "ext-value") != 0)
		t = interop_tlp_parse(r);
	if (t == 0)
		interop_unmapped(imp, "%s/@restriction: \"%s\" is not a TLP",
		    path, ext != NULL ? ext : r);
	imp->tlp = t;
	xmlFree(r);
	xmlFree(ext);
}

/* The first Incident: everything a template takes. */
static void
iodef_read_incident(const xmlNode *inc, const char *path,
    struct interop_import *imp)
{
	const xmlNode	*c;
	char		 p[512];
	xmlChar		*v;
	int		 ndesc = 0;

	iodef_read_tlp(inc, path, imp);
	for (c = inc->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		iodef_path(p, sizeof(p), path, c);
		/* Identification and time stamps of the sender's report:
		 * a new message gets its own. */
		if (iodef_is(c, "IncidentID") || iodef_is(c, "GenerationTime")
		    || iodef_is(c, "ReportTime") ||
		    iodef_is(c, "RelatedActivity"))
			continue;
		if (iodef_is(c, "Description") && ndesc < 2) {
			v = xmlNodeGetContent(c);
			if ((ndesc++ == 0 ? (imp->summary = strdup(v != NULL ?
			    (const char *)v : "")) : (imp->description =
			    strdup(v != NULL ? (const char *)v : ""))) == NULL)
				abort();
			xmlFree(v);
		} else if (iodef_is(c, "Assessment"))
			iodef_read_assessment(c, p, imp);
		else if (iodef_is(c, "Indicator"))
			iodef_read_indicator(c, p, imp);
		else if (iodef_is(c, "EventData"))
			iodef_read_event(c, p, imp);
		else if (iodef_is(c, "AdditionalData"))
			iodef_read_data(c, p, imp);
		else
			interop_unmapped(imp, "%s", p);
	}
}

int
interop_iodef_read(const char *buf, size_t len, struct interop_import *imp,
    char *err, size_t errlen)
{
	struct iodef_guard	 g = { 0 };
	xmlParserCtxtPtr	 p;
	xmlDocPtr		 doc;
	const xmlNode		*root, *c;
	const xmlError		*xe;
	char			 path[512];
	int			 nincident = 0;

	if (len > INT32_MAX || (p = xmlNewParserCtxt()) == NULL) {
		snprintf(err, errlen, "cannot parse XML");
		return -1;
	}
	p->_private = &g;
	p->sax->internalSubset = iodef_refuse_doctype;
	p->sax->entityDecl = iodef_refuse_entity;
	/* No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD or
	 * DTDATTR, no HUGE (libxml2 keeps its depth and size limits). */
	doc = xmlCtxtReadMemory(p, buf, (int)len, "import.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (g.refused) {
		snprintf(err, errlen, "XML with a document type declaration "
		    "(DTD, entities): refused");
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(p);
		return -1;
	}
	if (doc == NULL || !p->wellFormed) {
		xe = xmlCtxtGetLastError(p);
		snprintf(err, errlen, "line %d: not well-formed XML: %s",
		    xe != NULL ? xe->line : 0, xe != NULL && xe->message !=
		    NULL ? xe->message : "?");
		err[strcspn(err, "\n")] = '\0';
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(p);
		return -1;
	}
	xmlFreeParserCtxt(p);
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !iodef_is(root, "IODEF-Document")) {
		snprintf(err, errlen, "XML, but not an IODEF v2 document "
		    "(root element IODEF-Document in namespace %s)", IODEF_NS);
		xmlFreeDoc(doc);
		return -1;
	}
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		iodef_path(path, sizeof(path), "/IODEF-Document", c);
		if (iodef_is(c, "Incident") && nincident++ == 0)
			iodef_read_incident(c, path, imp);
		else
			interop_unmapped(imp, "%s", path);
	}
	xmlFreeDoc(doc);
	return 0;
}
