/* SPDX-License-Identifier: MIT */
/*
 * registrar: REGISTER on the workers (RFC 3261 §10.3), authenticated by
 * digest (RFC 8760: SHA-256 offered first, MD5 second; stateless nonces;
 * the round itself is sip/auth.c's, shared with INVITE).
 *
 *   tenant (set by admission) ─ Authorization? ── no/bad nonce ──► 401 challenge
 *        │                        ├ wrong user or password ─────► 403
 *        │                        └ nonce count used (replay) ──► 401 stale=true
 *        └ To is the device's AOR? ─ Contacts and expires ─ limit ─► loc_apply ─► 200
 *
 * A device registers as its own AOR: the user part of To must be its
 * digest username. Each binding keeps the REGISTER's source address
 * (RFC 3581), so calls reach a device behind NAT. The 200 lists every
 * binding of the AOR with the seconds it has left. The tenant's
 * registration limit counts bindings; a refresh always passes, a new
 * binding over the limit gets 403. (Two workers adding the last bindings
 * at the same instant may overshoot the limit by one each: the count is
 * shared, the check is not a transaction.)
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "disp.h"
#include "pkt.h"
#include "sbuf.h"
#include "sip/auth.h"
#include "sip/loc.h"
#include "sip/registrar.h"
#include "sip/sip_contact.h"
#include "tenant.h"
#include "worker.h"

#define REG_REPLY_MAX 2048

/* What one REGISTER is about, gathered before anything changes. */
struct reg_req {
	const char *buf;
	const struct sip_msg *msg;
	const struct tenant_snap *snap;
	const struct cfg_tenant *t;
	struct tenant_state *st;
	const struct tenant_dev *dev;
	struct loc_binding b[LOC_MAX_CONTACTS];
	unsigned nb;
	bool star;
	uint32_t min_asked;   /* shortest non-zero expiry asked for */
	uint32_t dflt, max;   /* registrar.default_expires, max_expires */
};

static void reg_challenge(struct wrk_ctx *w, struct rte_mbuf *m, const struct cfg_tenant *t,
			  bool stale)
{
	char hdrs[AUTH_CHALLENGE_MAX];

	if (auth_challenge_hdrs(w->dp->nonce_key, &w->dp->nonce_count, t, 0, stale, hdrs,
				sizeof(hdrs)) < 0) {
		w->st->drop[DROP_SIP_NO_REPLY]++;
		return;
	}
	w->st->w_reg_challenged++;
	wrk_reply(w, m, 401, "Unauthorized", hdrs);
}

static bool reg_slice_eq(const char *buf, struct sip_slice s, const char *str)
{
	size_t n = strlen(str);

	return s.len == n && memcmp(buf + s.off, str, n) == 0;
}

/*
 * The Authorization for our realm (sip/auth.c): 0 with r->dev set, or the
 * response code to give (401 with *stale, 403, 400).
 */
static int reg_auth(struct wrk_ctx *w, struct reg_req *r, int ti, bool *stale)
{
	int d = -1;

	switch (auth_check(w->dp->nonce_key, &w->dp->nonce_count, r->snap, (uint32_t)ti, r->buf,
			   r->msg, 0, &d)) {
	case AUTH_OK:
		r->dev = &r->snap->devs[d];
		return 0;
	case AUTH_REPLAY:
		w->st->w_auth_replay++;
		*stale = true; /* challenged again with a fresh nonce */
		return 401;
	case AUTH_STALE:
		*stale = true;
		return 401;
	case AUTH_CHALLENGE:
		return 401;
	case AUTH_MALFORMED:
		return 400;
	default:
		return 403;
	}
}

/* The To URI's user is the authenticated device: it may bind only itself. */
static bool reg_aor_is_device(const struct reg_req *r)
{
	const struct sip_hdr *h = sip_hdr_find(r->msg, SIP_HDR_TO);
	struct sip_naddr na;

	if (!h || sip_naddr_parse(r->buf, r->buf + h->value.off, h->value.len, &na) < 0)
		return false;
	return reg_slice_eq(r->buf, na.uri.user, r->dev->cfg->username);
}

/* Expires header, or the default. */
static uint32_t reg_default_expires(const struct reg_req *r)
{
	const struct sip_hdr *h = sip_hdr_find(r->msg, SIP_HDR_EXPIRES);
	uint64_t v = 0;

	if (!h || h->value.len == 0 || h->value.len > 10)
		return r->dflt;
	for (uint16_t i = 0; i < h->value.len; i++) {
		char ch = r->buf[h->value.off + i];

		if (ch < '0' || ch > '9')
			return r->dflt;
		v = v * 10 + (uint64_t)(ch - '0');
	}
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Collects the bindings of every Contact header: 0, or a response code. */
static int reg_contacts(struct reg_req *r)
{
	uint32_t def = reg_default_expires(r);

	r->min_asked = UINT32_MAX;
	for (const struct sip_hdr *h = sip_hdr_find(r->msg, SIP_HDR_CONTACT); h;
	     h = sip_hdr_next(r->msg, h)) {
		const char *v = r->buf + h->value.off;
		struct sip_contact c;
		size_t pos = 0;
		int rc;

		while ((rc = sip_contact_next(r->buf, v, h->value.len, &pos, &c)) > 0) {
			uint32_t e = c.has_expires ? c.expires : def;

			if (c.star) {
				r->star = true;
				continue;
			}
			if (r->nb == LOC_MAX_CONTACTS)
				return 403;
			if (e && e < r->min_asked)
				r->min_asked = e;
			r->b[r->nb++] = (struct loc_binding){
				.uri = r->buf + c.na.uri_text.off,
				.uri_len = c.na.uri_text.len,
				.instance = r->buf + c.instance.off,
				.instance_len = c.instance.len,
				.expires_s = e > r->max ? r->max : e,
				.q = c.q,
			};
		}
		if (rc < 0)
			return 400;
	}
	/* "*" only alone and with Expires: 0 (§10.3 step 6) */
	if (r->star && (r->nb || def != 0))
		return 400;
	return 0;
}

/* Bindings of the request that no live binding of the AOR matches. */
static unsigned reg_new_bindings(const struct reg_req *r, const struct loc_contact *cur,
				 unsigned ncur)
{
	unsigned fresh = 0;

	for (unsigned i = 0; i < r->nb; i++) {
		bool found = false;

		if (r->b[i].expires_s == 0)
			continue;
		for (unsigned k = 0; k < ncur && !found; k++)
			found = (r->b[i].instance_len && r->b[i].instance_len == cur[k].instance_len &&
				 !memcmp(r->b[i].instance, cur[k].instance, cur[k].instance_len)) ||
				(r->b[i].uri_len == cur[k].uri_len &&
				 !memcmp(r->b[i].uri, cur[k].uri, cur[k].uri_len));
		fresh += !found;
	}
	return fresh;
}

/* The 200: every binding of the AOR with the seconds it has left. */
static void reg_ok(struct wrk_ctx *w, struct rte_mbuf *m, const struct loc_aor *aor,
		   uint64_t now_ms)
{
	struct loc_contact cur[LOC_MAX_CONTACTS];
	char extra[REG_REPLY_MAX];
	struct sbuf b = sbuf_make(extra, sizeof(extra) - 1);
	unsigned n = loc_read(aor, now_ms, cur);

	for (unsigned i = 0; i < n; i++) {
		sbuf_str(&b, "Contact: <");
		sbuf_put(&b, cur[i].uri, cur[i].uri_len);
		sbuf_str(&b, ">;expires=");
		sbuf_u32(&b, (uint32_t)((cur[i].expires_ms - now_ms + 999) / 1000));
		sbuf_str(&b, "\r\n");
	}
	if (b.over) {
		w->st->drop[DROP_SIP_NO_REPLY]++;
		return;
	}
	extra[b.len] = '\0';
	w->st->w_reg_ok++;
	wrk_reply(w, m, 200, "OK", extra);
}

static int reg_bind(struct wrk_ctx *w, struct rte_mbuf *m, struct reg_req *r)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct sip_hdr *ua = sip_hdr_find(r->msg, SIP_HDR_USER_AGENT);
	struct loc_aor *aor = &w->dp->loc[r->dev->loc];
	struct loc_contact cur[LOC_MAX_CONTACTS];
	uint64_t now_ms = rte_rdtsc() / w->tsc_per_ms;
	uint32_t limit = r->t->limits.registrations;
	unsigned max = r->dev->cfg->max_contacts;
	struct loc_reg reg = {
		.now_ms = now_ms,
		.now_s = auth_now_s(),
		.src_ip = meta->src_ip,
		.src_port = meta->src_port,
		.callid_hash = disp_hash(r->buf + r->msg->call_id.off, r->msg->call_id.len),
		.cseq = r->msg->cseq,
		.ua = ua ? r->buf + ua->value.off : NULL,
		.ua_len = ua ? ua->value.len : 0,
		.star = r->star,
		.max_contacts = max < 1 ? 1 : max > LOC_MAX_CONTACTS ? LOC_MAX_CONTACTS : max,
	};
	int delta = 0, rc;

	if (limit) {
		unsigned fresh = reg_new_bindings(r, cur, loc_read(aor, now_ms, cur));

		if (fresh && __atomic_load_n(&r->st->regs, __ATOMIC_RELAXED) + (int)fresh >
				     (int)limit) {
			__atomic_fetch_add(&r->st->rej_regs, 1, __ATOMIC_RELAXED);
			return 403;
		}
	}
	rc = loc_apply(aor, &reg, r->b, r->nb, &delta);
	if (rc == -ESTALE)
		return 500;
	if (rc < 0)
		return 400;
	__atomic_fetch_add(&r->st->regs, delta, __ATOMIC_RELAXED);
	loc_dirty_mark(w->dp->loc_dirty, r->dev->loc);
	reg_ok(w, m, aor, now_ms);
	return 0;
}

void reg_sweep(struct wrk_ctx *w, uint64_t now_ms)
{
	const struct tenant_snap *s = __atomic_load_n(&w->dp->snap, __ATOMIC_ACQUIRE);
	uint32_t step = w->dp->n_workers;

	if (s == NULL)
		return;
	if (s->gen != w->sweep_gen || w->sweep_next >= s->n_devs) {
		/* a new snapshot numbers its devices anew: start over */
		w->sweep_gen = s->gen;
		w->sweep_next = w->idx;
	}
	for (unsigned k = 0; k < REG_SWEEP_CHUNK && w->sweep_next < s->n_devs; k++) {
		const struct tenant_dev *d = &s->devs[w->sweep_next];
		unsigned gone = loc_expire(&w->dp->loc[d->loc], now_ms);

		if (gone) {
			__atomic_fetch_sub(&s->t[d->tenant].st->regs, (int)gone, __ATOMIC_RELAXED);
			loc_dirty_mark(w->dp->loc_dirty, d->loc);
			w->st->w_reg_lapsed += gone;
		}
		w->sweep_next += step;
	}
}

static const char *reg_reason(int code)
{
	switch (code) {
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 423:
		return "Interval Too Brief";
	default:
		return "Server Internal Error";
	}
}

void reg_request(struct wrk_ctx *w, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct cfg *cfg = w->dp->cfg;
	struct reg_req r = {
		.buf = pkt_payload(m),
		.msg = &w->msg,
		.dflt = cfg->registrar.default_expires,
		.max = cfg->registrar.max_expires,
	};
	char extra[64] = "";
	bool stale = false;
	int ti, code;

	r.snap = __atomic_load_n(&w->dp->snap, __ATOMIC_ACQUIRE);
	ti = meta->tenant && r.snap ? tenant_of_state(r.snap, meta->tenant - 1u) : -1;
	if (ti < 0) {
		code = 403;
		goto reject;
	}
	r.t = r.snap->t[ti].cfg;
	r.st = r.snap->t[ti].st;
	code = reg_auth(w, &r, ti, &stale);
	if (code == 401) {
		reg_challenge(w, m, r.t, stale);
		return;
	}
	if (code == 0 && !reg_aor_is_device(&r))
		code = 403;
	if (code == 0)
		code = reg_contacts(&r);
	if (code == 0 && r.min_asked < cfg->registrar.min_expires) {
		code = 423;
		snprintf(extra, sizeof(extra), "Min-Expires: %u\r\n", cfg->registrar.min_expires);
	}
	if (code == 0)
		code = reg_bind(w, m, &r);
	if (code == 0)
		return;
reject:
	w->st->w_reg_denied++;
	wrk_reply(w, m, (uint16_t)code, reg_reason(code), extra[0] ? extra : NULL);
}
