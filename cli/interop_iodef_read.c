/*
 * An IODEF v2 document (RFC 7970) back into a template's fields, read
 * with libxml2 under the rules for hostile input of docs/interop.md: no
 * network, no entity substitution, no DTD, and any document type
 * declaration refused before its first entity is declared.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "cli/interop.h"
#include "cli/interop_iodef_int.h"
#include "cli/interop_iodef_read.h"
#include "util.h"

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
	int		 n, ok = 0;

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
			util_hex(md, 32, hex);
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
		for (k = 0; k < iodef_naddrs; k++)
			if (cat != NULL && strcmp(cat, iodef_addrs[k].category)
			    == 0)
				break;
		if (k < iodef_naddrs)
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
