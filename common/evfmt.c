/*
 * Node events for programs (see evfmt.h).
 */
#include <stdio.h>
#include <strings.h>

#include "evfmt.h"
#include "pbjson.h"

/* The value of name in d, any case, or -1 (the zero "not given" value is
 * not a name one may ask for). */
static int
evfmt_enum_parse(const ProtobufCEnumDescriptor *d, const char *name)
{
	unsigned	 i;

	for (i = 0; i < d->n_values; i++)
		if (d->values[i].value != 0 &&
		    strcasecmp(d->values[i].name, name) == 0)
			return d->values[i].value;
	return -1;
}

/* The name of v in d, or dflt. */
static const char *
evfmt_enum_name(const ProtobufCEnumDescriptor *d, int v, const char *dflt)
{
	const ProtobufCEnumValue	*ev;

	if (v == 0 || (ev = protobuf_c_enum_descriptor_get_value(d, v)) == NULL)
		return dflt;
	return ev->name;
}

const char *
evfmt_kind_name(Poc__NodeEvent__Kind kind)
{
	return evfmt_enum_name(&poc__node_event__kind__descriptor, (int)kind,
	    "UNKNOWN");
}

const char *
evfmt_urgency_name(Poc__Urgency u)
{
	return evfmt_enum_name(&poc__urgency__descriptor, (int)u, "");
}

int
evfmt_kind_parse(const char *name)
{
	return evfmt_enum_parse(&poc__node_event__kind__descriptor, name);
}

int
evfmt_urgency_parse(const char *name)
{
	return evfmt_enum_parse(&poc__urgency__descriptor, name);
}

json_t *
evfmt_json(const Poc__NodeEvent *ev)
{
	json_t	*j;
	char	 show[128];

	if ((j = pbjson_from_message(&ev->base, 0)) == NULL)
		return NULL;
	show[0] = '\0';
	if (ev->message_id != NULL && ev->message_id[0] != '\0')
		snprintf(show, sizeof(show), "pocctl show %.64s",
		    ev->message_id);
	if (json_object_set_new(j, "show", json_string(show)) == -1) {
		json_decref(j);
		return NULL;
	}
	return j;
}
