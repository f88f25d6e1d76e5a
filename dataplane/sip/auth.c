/* SPDX-License-Identifier: MIT */
/*
 * auth: digest authentication of a tenant's devices on the workers, the
 * one round both the registrar (REGISTER: WWW-Authenticate, 401) and the
 * B2BUA (INVITE: Proxy-Authenticate, 407) run, on digest.c's parts:
 *
 *   credentials for our realm? ── none ─────────────────────► challenge
 *     ├ malformed (or, with AUTH_F_URI, another uri) ───────► 400
 *     ├ algorithm the tenant does not offer ────────────────► 403
 *     ├ nonce not ours ─────────────────────────────────────► challenge
 *     ├ nonce older than AUTH_NONCE_AGE_S ──────────────────► challenge, stale=true
 *     ├ username a device of the tenant whose password or
 *     │ stored HA1 gives the response for the method ─ no ──► 403
 *     └ nonce count above the last this nonce had ── no ────► challenge, stale=true
 *                                                  └ yes ───► the device
 *
 * Nonces are stateless (digest_nonce_make): bound to the tenant's realm
 * and their time, not to a method or a client address, so one a device got
 * on a REGISTER serves its INVITEs too, with the next nonce count. The one
 * piece of state, the highest count each nonce was accepted with, lives in
 * a table every worker shares (sip/nonce_count.h) and is written only for
 * credentials that verified, so nobody without the password can use up a
 * device's counts. Credentials without qop have no count: their nonce is
 * good once. A replay is challenged with stale=true rather than refused,
 * so a client that repeats a count by mistake recovers with a new nonce.
 * Values from other realms are skipped: a request may carry credentials
 * for proxies before us. Nothing here allocates or blocks; the hashes run
 * on the stack (nettle).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "sip/auth.h"
#include "sip/digest.h"
#include "sip/nonce_count.h"
#include "tenant.h"

uint64_t auth_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

static struct digest_nonce_scope auth_scope(const struct cfg_tenant *t)
{
	return (struct digest_nonce_scope){.realm = t->realm, .realm_len = strlen(t->realm)};
}

unsigned auth_algs(const struct cfg_tenant *t)
{
	unsigned mask = 0;

	for (unsigned i = 0; i < t->n_auth_algorithms; i++)
		for (unsigned a = 0; a < DIGEST_ALG_COUNT; a++)
			if (strcmp(t->auth_algorithms[i], digest_alg_name(a)) == 0)
				mask |= DIGEST_ALG_BIT(a);
	return mask ? mask : DIGEST_OFFER_DEFAULT;
}

int auth_challenge_hdrs(const struct digest_nonce_key *key, struct nonce_count *nc,
			const struct cfg_tenant *t, unsigned flags, bool stale, char *out,
			size_t cap)
{
	struct digest_nonce_scope sc = auth_scope(t);
	char nonce[DIGEST_NONCE_LEN];
	struct digest_challenge ch = {
		.realm = t->realm,
		.realm_len = strlen(t->realm),
		.nonce = nonce,
		.nonce_len = sizeof(nonce),
		.stale = stale,
		.qop_auth = true,
		.algs = auth_algs(t),
	};
	int n;

	if (cap == 0)
		return -ENOSPC;
	digest_nonce_make(key, &sc, auth_now_s(), nonce_count_issue(nc), nonce);
	n = digest_challenge_hdrs(&ch, flags & AUTH_F_PROXY, out, cap - 1);
	if (n < 0)
		return n;
	out[n] = '\0';
	return n;
}

/* Does the credentials' uri name the Request-URI (RFC 7616 §3.4.6)? */
static bool auth_uri_is_ruri(const struct digest_cred *c, const char *buf,
			     const struct sip_msg *msg)
{
	char uri[512];
	int n;

	if (!c->uri.escaped)
		return c->uri.len == msg->ruri.len &&
		       memcmp(c->uri.p, buf + msg->ruri.off, msg->ruri.len) == 0;
	n = digest_unquote(&c->uri, uri, sizeof(uri));
	return n >= 0 && (size_t)n == msg->ruri.len &&
	       memcmp(uri, buf + msg->ruri.off, msg->ruri.len) == 0;
}

/* The response checked against device d's password or stored HA1. */
static bool auth_verify_dev(const struct digest_cred *c, const struct tenant_dev *d,
			    const char *method, size_t method_len)
{
	const struct cfg_device *cd = d->cfg;
	int rc;

	switch (cd->auth) {
	case CFG_AUTH_PASSWORD:
		rc = digest_verify_password(c, method, method_len, cd->password,
					    strlen(cd->password));
		break;
	case CFG_AUTH_HA1_MD5:
		rc = c->alg <= DIGEST_ALG_MD5_SESS ? digest_verify(c, method, method_len,
								    cd->ha1_md5, 32)
						   : -EACCES;
		break;
	case CFG_AUTH_HA1_SHA256:
		rc = c->alg == DIGEST_ALG_SHA256 || c->alg == DIGEST_ALG_SHA256_SESS
			     ? digest_verify(c, method, method_len, cd->ha1_sha256, 64)
			     : -EACCES;
		break;
	default:
		rc = -EACCES;
	}
	return rc == 0;
}

enum auth_verdict auth_check(const struct digest_nonce_key *key, struct nonce_count *nc,
			     const struct tenant_snap *s, uint32_t ti, const char *buf,
			     const struct sip_msg *msg, unsigned flags, int *dev)
{
	const struct cfg_tenant *t = s->t[ti].cfg;
	const struct sip_hdr *h;
	struct digest_cred c;
	struct digest_nonce_scope sc = auth_scope(t);
	const char *method = sip_method_str(msg->method);
	size_t realm_len = strlen(t->realm);
	char user[CFG_NAME];
	uint32_t id = 0;
	int n, d;

	for (h = sip_hdr_find(msg, flags & AUTH_F_PROXY ? SIP_HDR_PROXY_AUTHORIZATION
							 : SIP_HDR_AUTHORIZATION);
	     h; h = sip_hdr_next(msg, h)) {
		if (digest_parse(buf + h->value.off, h->value.len, &c) < 0)
			return AUTH_MALFORMED;
		if (c.realm.len == realm_len && !c.realm.escaped &&
		    memcmp(c.realm.p, t->realm, realm_len) == 0)
			break;
	}
	if (!h)
		return AUTH_CHALLENGE;
	if ((flags & AUTH_F_URI) && !auth_uri_is_ruri(&c, buf, msg))
		return AUTH_MALFORMED;
	/* only what the tenant offers (a -sess variant goes with its hash) */
	if (!(auth_algs(t) & (DIGEST_ALG_BIT(c.alg) | DIGEST_ALG_BIT(c.alg & ~1u))))
		return AUTH_DENIED;
	switch (digest_nonce_check(key, &sc, c.nonce.p, c.nonce.len, auth_now_s(),
				   AUTH_NONCE_AGE_S, &id)) {
	case DIGEST_NONCE_OK:
		break;
	case DIGEST_NONCE_STALE:
		return AUTH_STALE;
	default:
		return AUTH_CHALLENGE;
	}
	n = digest_unquote(&c.username, user, sizeof(user));
	if (n <= 0 || c.is_userhash || (d = tenant_dev_find(s, ti, user, (size_t)n)) < 0)
		return AUTH_DENIED;
	if (!auth_verify_dev(&c, &s->devs[d], method, strlen(method)))
		return AUTH_DENIED;
	/* the response covers nc, so only now is the count the client's */
	switch (nonce_count_use(nc, id, c.qop_kind != DIGEST_QOP_NONE ? c.nc_value : 1)) {
	case NONCE_COUNT_OK:
		break;
	case NONCE_COUNT_REPLAY:
		return AUTH_REPLAY;
	default:
		return AUTH_STALE;
	}
	*dev = d;
	return AUTH_OK;
}
