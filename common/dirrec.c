/*
 * Directory records: field rules, canonical bytes and signatures (see
 * dirrec.h).  A record is the unit of trust: it is signed by the member it
 * describes, so a node that relays it cannot change it, and it carries the
 * signer's certificate so that a node that never met the member can still
 * check it against the network CA and the record's own pinned fingerprints.
 */
#include <sys/stat.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dirrec.h"
#include "sig.h"
#include "util.h"

static const char *dirrec_pathf(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats a field path; one that does not fit is cut (it names the field
 * for a person, nothing depends on its exact bytes). */
static const char *
dirrec_pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

/* Appends ".name" or "name" to prefix in buf. */
static const char *
dirrec_path(char *buf, size_t len, const char *prefix, const char *name)
{
	return dirrec_pathf(buf, len, "%s%s%s", prefix, prefix[0] ? "." : "",
	    name);
}

/* Checks one string: UTF-8, no control characters, within max bytes, and
 * present if required. */
static void
dirrec_text(struct validate_result *vr, const char *path, const char *s,
    size_t max, int required)
{
	size_t	 n = strlen(s), i;

	if (n == 0) {
		if (required)
			validate_add(vr, path, "required");
		return;
	}
	if (n > max) {
		validate_add(vr, path, "too long: %zu bytes, at most %zu", n,
		    max);
		return;
	}
	if (!util_utf8_valid(s, n)) {
		validate_add(vr, path, "not valid UTF-8");
		return;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			validate_add(vr, path, "control character at byte %zu",
			    i);
			return;
		}
}

static int
dirrec_hex64(const char *s)
{
	size_t	 i;

	if (strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return 1;
}

/* A BCP 47 tag as far as ranking needs it: 2-3 letters, then subtags of
 * 1-8 letters or digits separated by '-'. */
static int
dirrec_lang_valid(const char *s)
{
	size_t	 i, n = 0;
	int	 first = 1;

	for (i = 0;; i++) {
		if (s[i] == '-' || s[i] == '\0') {
			if ((first && (n < 2 || n > 3)) || n < 1 || n > 8)
				return 0;
			if (s[i] == '\0')
				return i <= 35;
			first = 0;
			n = 0;
			continue;
		}
		if (first ? !isalpha((unsigned char)s[i]) :
		    !isalnum((unsigned char)s[i]))
			return 0;
		n++;
	}
}

int
dirrec_tz_valid(const char *name)
{
	char		 path[sizeof(DIRREC_ZONEINFO) + DIRREC_TZ_MAX + 2];
	struct stat	 sb;
	size_t		 i, n = strlen(name);

	if (n == 0 || n > DIRREC_TZ_MAX || name[0] == '/' || name[0] == '.' ||
	    strstr(name, "..") != NULL || strstr(name, "//") != NULL ||
	    name[n - 1] == '/')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '/' &&
		    name[i] != '_' && name[i] != '-' && name[i] != '+')
			return 0;
	snprintf(path, sizeof(path), "%s/%s", DIRREC_ZONEINFO, name);
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* host:port with a port of 1-65535 and a plausible host. */
static int
dirrec_endpoint_valid(const char *s)
{
	char	 host[256], port[16], *end;
	long	 p;
	size_t	 i;

	if (strlen(s) > 300 || util_split_hostport(s, host, sizeof(host), port,
	    sizeof(port)) != 0 || host[0] == '\0')
		return 0;
	p = strtol(port, &end, 10);
	if (port[0] == '\0' || *end != '\0' || p < 1 || p > 65535)
		return 0;
	for (i = 0; host[i] != '\0'; i++)
		if (!isalnum((unsigned char)host[i]) && host[i] != '.' &&
		    host[i] != '-' && host[i] != ':')
			return 0;
	return 1;
}

/* A repeated string field: count, each element by check (or as text). */
static void
dirrec_list(struct validate_result *vr, const char *prefix, const char *name,
    char **v, size_t n, size_t min, int (*check)(const char *),
    const char *what)
{
	char	 path[160], epath[176];
	size_t	 i, j;

	dirrec_path(path, sizeof(path), prefix, name);
	if (n < min)
		validate_add(vr, path, "required: at least %zu", min);
	if (n > DIRREC_MAX_LIST) {
		validate_add(vr, path, "%zu entries, at most %d", n,
		    DIRREC_MAX_LIST);
		return;
	}
	for (i = 0; i < n; i++) {
		dirrec_pathf(epath, sizeof(epath), "%s[%zu]", path, i);
		if (check != NULL && !check(v[i]))
			validate_add(vr, epath, "\"%.80s\" is not %s", v[i],
			    what);
		else if (check == NULL)
			dirrec_text(vr, epath, v[i], 64, 1);
		for (j = 0; j < i; j++)
			if (strcmp(v[i], v[j]) == 0)
				validate_add(vr, epath, "duplicate of [%zu]",
				    j);
	}
}

static int
dirrec_level_valid(int v)
{
	return v >= POC__DIRECTORY_POC__LEVEL__POLICY &&
	    v <= POC__DIRECTORY_POC__LEVEL__TECHNICAL;
}

/* The rules of one PoC. */
static void
dirrec_poc(struct validate_result *vr, const char *prefix,
    const Poc__DirectoryPoc *p)
{
	char	 path[200], sub[200];
	size_t	 i, j;

	if (!dirrec_level_valid(p->level))
		validate_add(vr, dirrec_path(path, sizeof(path), prefix,
		    "level"), "required: one of POLICY, DIPLOMATIC, TECHNICAL");
	dirrec_text(vr, dirrec_path(path, sizeof(path), prefix, "name"),
	    p->name, DIRREC_MAX_TEXT, 1);
	dirrec_text(vr, dirrec_path(path, sizeof(path), prefix, "role"),
	    p->role, DIRREC_MAX_TEXT, 0);
	dirrec_text(vr, dirrec_path(path, sizeof(path), prefix,
	    "organization"), p->organization, DIRREC_MAX_TEXT, 0);
	dirrec_path(path, sizeof(path), prefix, "channels");
	if (p->n_channels == 0)
		validate_add(vr, path, "required: at least one channel");
	else if (p->n_channels > DIRREC_MAX_CHANNELS)
		validate_add(vr, path, "%zu channels, at most %d",
		    p->n_channels, DIRREC_MAX_CHANNELS);
	else
		for (i = 0; i < p->n_channels; i++) {
			const Poc__DirectoryChannel *c = p->channels[i];

			dirrec_pathf(sub, sizeof(sub), "%s[%zu].kind", path, i);
			if (c->kind < POC__DIRECTORY_CHANNEL__KIND__EMAIL ||
			    c->kind > POC__DIRECTORY_CHANNEL__KIND__OTHER)
				validate_add(vr, sub, "required: one of EMAIL, "
				    "PHONE, FAX, SECURE_MESSAGING, OTHER");
			dirrec_pathf(sub, sizeof(sub), "%s[%zu].value", path, i);
			dirrec_text(vr, sub, c->value, DIRREC_MAX_VALUE, 1);
			if (c->kind == POC__DIRECTORY_CHANNEL__KIND__EMAIL &&
			    c->value[0] != '\0' &&
			    (strchr(c->value, '@') == NULL ||
			    strchr(c->value, ' ') != NULL))
				validate_add(vr, sub, "not an e-mail address");
			dirrec_pathf(sub, sizeof(sub), "%s[%zu].priority", path, i);
			if (c->priority > 100)
				validate_add(vr, sub, "%u: from 0 to 100",
				    c->priority);
		}
	dirrec_path(path, sizeof(path), prefix, "time_zone");
	if (p->time_zone[0] != '\0' && !dirrec_tz_valid(p->time_zone))
		validate_add(vr, path, "\"%.64s\" is not an IANA time zone of "
		    "this system", p->time_zone);
	else if (!p->always && p->time_zone[0] == '\0')
		validate_add(vr, path, "required unless always (24/7) is true");
	dirrec_path(path, sizeof(path), prefix, "hours");
	if (!p->always && p->n_hours == 0)
		validate_add(vr, path, "required unless always (24/7) is true");
	if (p->n_hours > DIRREC_MAX_HOURS)
		validate_add(vr, path, "%zu intervals, at most %d", p->n_hours,
		    DIRREC_MAX_HOURS);
	else
		for (i = 0; i < p->n_hours; i++) {
			const Poc__DirectoryHours *h = p->hours[i];

			dirrec_pathf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (h->day < 1 || h->day > 7)
				validate_add(vr, sub, "day %u: 1 (Monday) to 7 "
				    "(Sunday)", h->day);
			else if (h->start >= 1440 || h->end > 1440 ||
			    h->start >= h->end)
				validate_add(vr, sub, "start %u end %u: want "
				    "0 <= start < end <= 1440 (minutes)",
				    h->start, h->end);
			else
				for (j = 0; j < i; j++)
					if (p->hours[j]->day == h->day &&
					    p->hours[j]->start < h->end &&
					    h->start < p->hours[j]->end)
						validate_add(vr, sub, "overlaps "
						    "[%zu]", j);
		}
	dirrec_list(vr, prefix, "languages", p->languages, p->n_languages, 0,
	    dirrec_lang_valid, "a BCP 47 language tag");
}

int
dirrec_validate(const Poc__DirectoryRecord *r, const char *prefix,
    int is_signed, struct validate_result *vr)
{
	char	 path[160], sub[176];
	size_t	 before = vr->total, i;

	dirrec_path(path, sizeof(path), prefix, "code");
	if (!validate_member_code(r->code))
		validate_add(vr, path, "\"%.40s\" is not a member code",
		    r->code);
	dirrec_text(vr, dirrec_path(path, sizeof(path), prefix, "name"),
	    r->name, DIRREC_MAX_TEXT, 1);
	dirrec_list(vr, prefix, "networks", r->networks, r->n_networks, 0,
	    NULL, "");
	dirrec_list(vr, prefix, "endpoints", r->endpoints, r->n_endpoints, 0,
	    dirrec_endpoint_valid, "host:port");
	dirrec_list(vr, prefix, "fingerprints", r->fingerprints,
	    r->n_fingerprints, 1, dirrec_hex64,
	    "a lower-case hex SHA-256 fingerprint");
	if (r->expires <= 0)
		validate_add(vr, dirrec_path(path, sizeof(path), prefix,
		    "expires"), "required: a time (Unix ms)");
	dirrec_path(path, sizeof(path), prefix, "pocs");
	if (r->n_pocs > DIRREC_MAX_POCS)
		validate_add(vr, path, "%zu PoCs, at most %d", r->n_pocs,
		    DIRREC_MAX_POCS);
	else
		for (i = 0; i < r->n_pocs; i++) {
			dirrec_pathf(sub, sizeof(sub), "%s[%zu]", path, i);
			dirrec_poc(vr, sub, r->pocs[i]);
		}
	if (is_signed) {
		if (!dirrec_hex64(r->network))
			validate_add(vr, dirrec_path(path, sizeof(path), prefix,
			    "network"), "required: the network CA's SHA-256");
		if (r->serial == 0)
			validate_add(vr, dirrec_path(path, sizeof(path), prefix,
			    "serial"), "required: 1 or more");
		if (r->signed_at <= 0)
			validate_add(vr, dirrec_path(path, sizeof(path), prefix,
			    "signed_at"), "required: a time (Unix ms)");
		dirrec_path(path, sizeof(path), prefix, "certificate");
		if (r->certificate.len == 0)
			validate_add(vr, path, "required: the signer's node "
			    "certificate (DER)");
		else if (r->certificate.len > DIRREC_MAX_CERT)
			validate_add(vr, path, "%zu bytes, at most %d",
			    r->certificate.len, DIRREC_MAX_CERT);
		dirrec_path(path, sizeof(path), prefix, "signature");
		if (r->signature.len == 0 || r->signature.len > SIG_MAX_LEN)
			validate_add(vr, path, "required: %zu bytes given, 1 "
			    "to %d allowed", r->signature.len, SIG_MAX_LEN);
	}
	return vr->total == before ? 0 : -1;
}

int
dirrec_canonical(const Poc__DirectoryRecord *r, uint8_t **out, size_t *len)
{
	Poc__DirectoryRecord	 c = *r;
	size_t			 n;

	c.signature.data = NULL;
	c.signature.len = 0;
	n = poc__directory_record__get_packed_size(&c);
	if ((*out = malloc(n > 0 ? n : 1)) == NULL)
		return -1;
	*len = poc__directory_record__pack(&c, *out);
	return 0;
}

int
dirrec_sign(Poc__DirectoryRecord *r, EVP_PKEY *key)
{
	uint8_t	*data, *sig;
	size_t	 len, siglen;

	r->signature.data = NULL;
	r->signature.len = 0;
	if ((sig = malloc(SIG_MAX_LEN)) == NULL)
		return -1;
	if (dirrec_canonical(r, &data, &len) != 0) {
		free(sig);
		return -1;
	}
	if (sig_sign(key, SIG_CTX_RECORD, data, len, sig, &siglen) != 0) {
		free(data);
		free(sig);
		return -1;
	}
	free(data);
	r->signature.data = sig;
	r->signature.len = siglen;
	return 0;
}

int
dirrec_pinned(const Poc__DirectoryRecord *r, const char *fp)
{
	size_t	 i;

	for (i = 0; i < r->n_fingerprints; i++)
		if (strcmp(r->fingerprints[i], fp) == 0)
			return 1;
	return 0;
}

int
dirrec_verify(const Poc__DirectoryRecord *r, X509_STORE *ca,
    const char *network, char *err, size_t errlen)
{
	X509		*cert;
	uint8_t		*data;
	size_t		 len;
	char		 fp[65], why[256];
	int		 ok;

	if (strcmp(r->network, network) != 0) {
		snprintf(err, errlen, "record of another network (%.16s...)",
		    r->network);
		return 0;
	}
	if ((cert = sig_cert_from_der(r->certificate.data,
	    r->certificate.len)) == NULL) {
		snprintf(err, errlen, "certificate does not decode");
		return 0;
	}
	if (!sig_cert_check(cert, ca, r->code, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		X509_free(cert);
		return 0;
	}
	if (sig_cert_fingerprint(cert, fp) != 0 || !dirrec_pinned(r, fp)) {
		snprintf(err, errlen, "signing certificate %.16s... is not "
		    "pinned in the record", fp);
		X509_free(cert);
		return 0;
	}
	if (dirrec_canonical(r, &data, &len) != 0) {
		snprintf(err, errlen, "out of memory");
		X509_free(cert);
		return 0;
	}
	ok = sig_verify(cert, SIG_CTX_RECORD, data, len, r->signature.data,
	    r->signature.len);
	free(data);
	X509_free(cert);
	if (!ok)
		snprintf(err, errlen, "signature does not verify");
	return ok;
}

/* Name and value lookups through the generated enum descriptors. */
static const char *
dirrec_enum_name(const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue	*ev;

	if (v == 0 || (ev = protobuf_c_enum_descriptor_get_value(d, v)) == NULL)
		return "";
	return ev->name;
}

static int
dirrec_enum_parse(const ProtobufCEnumDescriptor *d, const char *s)
{
	unsigned	 i;

	for (i = 0; i < d->n_values; i++)
		if (d->values[i].value != 0 &&
		    strcasecmp(d->values[i].name, s) == 0)
			return d->values[i].value;
	return 0;
}

const char *
dirrec_level_name(int level)
{
	return dirrec_enum_name(&poc__directory_poc__level__descriptor, level);
}

int
dirrec_level_parse(const char *s)
{
	return dirrec_enum_parse(&poc__directory_poc__level__descriptor, s);
}

const char *
dirrec_kind_name(int kind)
{
	return dirrec_enum_name(&poc__directory_channel__kind__descriptor,
	    kind);
}

int
dirrec_kind_parse(const char *s)
{
	return dirrec_enum_parse(&poc__directory_channel__kind__descriptor, s);
}
