/*
 * pocctl whoami: the node's member code, its node certificate (the one
 * its peer listener presents) and that certificate's SHA-256 fingerprint,
 * in text as the lines another node's pocd.conf takes ([upstream CODE]
 * fingerprint = ...), in JSON as keys.  The fingerprint is the node's
 * own report of the certificate in force (OpStatusCert.fingerprint), the
 * same digest pocd -F prints from the file and peers pin.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_whoami.h"
#include "cli/i18n.h"
#include "cli/jsonout.h"
#include "cli/render.h"
#include "cli/table.h"

/* The node certificate of st, or NULL if the node reports none. */
static const Poc__OpStatusCert *
whoami_node_cert(const Poc__OpStatusReply *st)
{
	size_t	 i;

	for (i = 0; i < st->n_certificates; i++)
		if (strcmp(st->certificates[i]->role, "node") == 0)
			return st->certificates[i];
	return NULL;
}

static void
whoami_text(const Poc__OpStatusReply *st, const Poc__OpStatusCert *c)
{
	char	 exp[64];

	table_pairs(stdout,
	    _("Member"), st->member,
	    _("Certificate"), c->subject,
	    _("Expires"), render_time_short(c->not_after, exp, sizeof(exp)),
	    _("Fingerprint"), c->fingerprint,
	    NULL);
	printf("\n%s\n\n[upstream %s]\nfingerprint = %s\n",
	    _("A node that pulls the directory from this one pins it with "
	    "these lines of its pocd.conf (see pocd.conf(5)):"), st->member,
	    c->fingerprint);
}

static void
whoami_json(const Poc__OpStatusReply *st, const Poc__OpStatusCert *c)
{
	json_t	*j;

	if ((j = json_object()) == NULL)
		errx(1, "out of memory");
	json_object_set_new(j, "member", jsonout_str(st->member));
	json_object_set_new(j, "subject", jsonout_str(c->subject));
	json_object_set_new(j, "not_after", json_integer(c->not_after));
	json_object_set_new(j, "fingerprint", jsonout_str(c->fingerprint));
	jsonout_print(j);
	json_decref(j);
}

/* pocctl whoami: asks the node for its status and prints its identity. */
int
cmd_whoami(struct ctx *ctx, int argc, char **argv)
{
	const Poc__OpStatusCert	*c;
	struct client		*cl;
	Poc__OpReply		*r;

	cmd_args(ctx, argc, argv, NULL, NULL, 0, 0);
	cl = cmd_open(ctx);
	r = client_status(cl);
	client_close(cl);
	if ((c = whoami_node_cert(r->status)) == NULL ||
	    c->fingerprint[0] == '\0')
		errx(1, "the node reports no node certificate fingerprint: is "
		    "pocd older than this pocctl? ('pocd -F -c FILE' prints "
		    "it from the configuration)");
	if (ctx->json)
		whoami_json(r->status, c);
	else
		whoami_text(r->status, c);
	client_reply_free(r);
	return 0;
}
