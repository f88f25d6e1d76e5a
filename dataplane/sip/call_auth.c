/* SPDX-License-Identifier: MIT */
/*
 * Who calls: the caller of a new INVITE, found before anything is spent
 * on the call (call_setup.c asks; see call.h).
 *
 *   source in a trunk's networks ──────────────────────► the trunk
 *     (another tenant's trunk: 403, counted calls_forbidden)
 *   invite_auth "source", the From user a device of the
 *     tenant registered from this very address:port ──► that device
 *   Proxy-Authorization for the tenant's realm (sip/auth.c; method
 *     INVITE, uri the Request-URI, nonce as REGISTER's):
 *       none, or a nonce we never made ─────────────────► 407 challenge
 *       our nonce, expired, or its count used (replay) ─► 407 stale=true
 *       malformed, or its uri not the Request-URI ──────► 400
 *       no such device, wrong password or algorithm ────► 403
 *       verifies ───────────────────────────────────────► the device it names
 *
 * With invite_auth "always" the registered source proves nothing: every
 * INVITE that is not a trunk's must carry credentials. An authenticated
 * caller is the device of its digest username whatever its From says: the
 * call's caller (CDR, route request, the callee's From) is that username
 * and the route request's user is the device's user, so a From cannot
 * borrow another identity. The 407, 403 and 400 are stateless replies
 * (wrk_reply): their odd To-tag lets the io lcore absorb their ACK
 * (sip_reply_acks_own), so a challenge leaves no state anywhere.
 */
#include <string.h>

#include "pkt.h"
#include "sip/auth.h"
#include "sip/call.h"
#include "sip/loc.h"
#include "tenant.h"
#include "worker.h"

/* The device the From user names if it is registered from this very
 * source address:port (meta), else -1. */
static int call_auth_src(struct wrk_ctx *w, const struct tenant_snap *s, int ti,
			 const struct pkt_meta *meta, const char *from, size_t from_len,
			 uint64_t now)
{
	struct loc_contact b[LOC_MAX_CONTACTS];
	int d = from_len ? tenant_dev_find(s, (uint32_t)ti, from, from_len) : -1;
	unsigned n;

	if (d < 0)
		return -1;
	n = loc_read(&w->dp->loc[s->devs[d].loc], now, b);
	for (unsigned i = 0; i < n; i++)
		if (b[i].src_ip == meta->src_ip && b[i].src_port == meta->src_port)
			return d;
	return -1;
}

/* 407 with the tenant's challenges; -1 (m answered, or dropped if it could not be). */
static int call_auth_challenge(struct wrk_ctx *w, struct rte_mbuf *m,
			       const struct cfg_tenant *t, bool stale)
{
	char hdrs[AUTH_CHALLENGE_MAX];

	if (auth_challenge_hdrs(w->dp->nonce_key, &w->dp->nonce_count, t, AUTH_F_PROXY, stale, hdrs,
				sizeof(hdrs)) < 0) {
		w->st->drop[DROP_SIP_NO_REPLY]++;
		return -1;
	}
	call_count(w->calls, CALL_C_CHALLENGED);
	wrk_reply(w, m, 407, "Proxy Authentication Required", hdrs);
	return -1;
}

int call_auth(struct wrk_ctx *w, struct rte_mbuf *m, const struct tenant_snap *s, int ti,
	      struct sip_slice from_user, struct call_caller *who, uint64_t now)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const char *buf = pkt_payload(m);
	const struct cfg_tenant *t = s->t[ti].cfg;
	struct tenant_trunk_ref tr;
	int d = -1;

	who->trunk = who->user = -1;
	who->id = buf + from_user.off;
	who->id_len = from_user.len;
	if (tenant_trunk_by_src(s, meta->src_ip, &tr)) {
		if ((int)tr.tenant != ti) {
			call_count(w->calls, CALL_C_FORBIDDEN);
			wrk_reply(w, m, 403, "Forbidden", NULL);
			return -1;
		}
		who->trunk = (int32_t)tr.trunk;
		return 0;
	}
	if (t->invite_auth == CFG_INVITE_AUTH_SOURCE &&
	    (d = call_auth_src(w, s, ti, meta, who->id, who->id_len, now)) >= 0) {
		who->user = (int32_t)s->devs[d].user;
		return 0;
	}
	switch (auth_check(w->dp->nonce_key, &w->dp->nonce_count, s, (uint32_t)ti, buf, &w->msg,
			   AUTH_F_PROXY | AUTH_F_URI, &d)) {
	case AUTH_OK:
		call_count(w->calls, CALL_C_AUTHENTICATED);
		who->user = (int32_t)s->devs[d].user;
		who->id = s->devs[d].cfg->username;
		who->id_len = (uint16_t)strnlen(who->id, CFG_NAME);
		return 0;
	case AUTH_CHALLENGE:
		return call_auth_challenge(w, m, t, false);
	case AUTH_REPLAY:
		w->st->w_auth_replay++;
		return call_auth_challenge(w, m, t, true);
	case AUTH_STALE:
		return call_auth_challenge(w, m, t, true);
	case AUTH_MALFORMED:
		call_count(w->calls, CALL_C_AUTH_BAD);
		wrk_reply(w, m, 400, "Bad Proxy-Authorization", NULL);
		return -1;
	default:
		call_count(w->calls, CALL_C_AUTH_FAILED);
		wrk_reply(w, m, 403, "Forbidden", NULL);
		return -1;
	}
}
