/* SPDX-License-Identifier: MIT */
/*
 * Digest authentication of a tenant's devices on the workers (see auth.c):
 * the challenge and the check that REGISTER (401, Authorization) and
 * INVITE (407, Proxy-Authorization) share.
 */
#ifndef SLUICE_SIP_AUTH_H
#define SLUICE_SIP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip_parse.h"

struct cfg_tenant;
struct digest_nonce_key;
struct nonce_count;
struct tenant_snap;

/* A nonce older than this is stale: challenged again with stale=true. */
#define AUTH_NONCE_AGE_S 300

/* Longest set of challenge header lines auth_challenge_hdrs writes. */
#define AUTH_CHALLENGE_MAX 1024

/* How the credentials are carried and checked. */
#define AUTH_F_PROXY 0x1 /* Proxy-Authorization, answered 407 (else Authorization, 401) */
#define AUTH_F_URI   0x2 /* the digest uri must be the Request-URI, byte for byte */

enum auth_verdict {
	AUTH_OK = 0,    /* the credentials prove *dev */
	AUTH_CHALLENGE, /* none for our realm, or a nonce we never made: challenge */
	AUTH_STALE,     /* our nonce, expired (the rest unchecked), or its count slot
			   reused: challenge stale=true */
	AUTH_REPLAY,    /* verifies, but its nonce count is not above the last
			   accepted: a replay; challenge stale=true */
	AUTH_DENIED,    /* no such device, wrong password, an algorithm not offered: 403 */
	AUTH_MALFORMED, /* a header that does not parse, or names another uri: 400 */
};

/* The digest algorithms tenant t offers (auth_algorithms), a DIGEST_ALG_BIT mask. */
unsigned auth_algs(const struct cfg_tenant *t);

/*
 * Unix seconds, the clock of stateless nonces (a vDSO read, not a system
 * call).
 */
uint64_t auth_now_s(void);

/*
 * Checks the credentials of the request msg in buf for tenant ti of
 * snapshot s: the first Authorization (Proxy-Authorization with
 * AUTH_F_PROXY) value whose realm is the tenant's, its nonce, the device
 * its username names, the response for the request's method and, once
 * that verifies, its nonce count against nc (recorded there). *dev is set
 * (an index into s->devs) when the verdict is AUTH_OK.
 */
enum auth_verdict auth_check(const struct digest_nonce_key *key, struct nonce_count *nc,
			     const struct tenant_snap *s, uint32_t ti, const char *buf,
			     const struct sip_msg *msg, unsigned flags, int *dev);

/*
 * Writes the challenge lines for tenant t into out[0..cap) with a fresh
 * nonce (its id issued from nc), NUL-terminated: one WWW-Authenticate
 * (Proxy-Authenticate with AUTH_F_PROXY) per algorithm offered, stale=true
 * if asked. Returns the length, or <0 if they do not fit.
 */
int auth_challenge_hdrs(const struct digest_nonce_key *key, struct nonce_count *nc,
			const struct cfg_tenant *t, unsigned flags, bool stale, char *out,
			size_t cap);

#endif
