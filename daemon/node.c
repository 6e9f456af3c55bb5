/*
 * The node's shared state (see node.h), defined apart from main so that
 * the modules and the unit tests that link them find it without pocd.c.
 */
#include "node.h"

static struct pocd	 node_env;
struct pocd		*env = &node_env;
