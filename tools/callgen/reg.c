/* SPDX-License-Identifier: MIT */
/*
 * REGISTER of the UAS as a device of a user (--register USER:PASS@DOMAIN),
 * so that a B2BUA whose routes reach users through their registered
 * devices (sluice: calls from a trunk never go out to a trunk) sends the
 * callee's calls to this UAS. One registration, binding
 * <sip:USER@uas_ip:uas_port>; retransmitted at T1 doubling to T2 until a
 * final response or 64*T1; a 401/407 with an MD5 digest challenge is
 * answered once per nonce (RFC 2617/7616 client side, qop=auth or none);
 * refreshed at half its expiry. The UAC starts calling once it is bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/md5.h>

#include "cg.h"
#include "sipmsg.h"

enum reg_state {
	REG_NONE = 0,    /* nothing to register */
	REG_IDLE,        /* send at next_ms */
	REG_SENT,
	REG_BOUND,
	REG_FAILED,
};

struct reg {
	uint8_t state;
	uint32_t cseq;
	uint32_t next_ms;        /* retransmission or refresh */
	uint32_t deadline;
	uint32_t rto;
	struct rte_mbuf *req;    /* held for retransmission */
	char auth[1024];         /* Authorization header line, or "" */
	char nonce[256];         /* the nonce auth[] answers */
};

struct reg *reg_create(struct cg *cg)
{
	struct reg *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->state = cg->o->uas && cg->o->reg_user[0] ? REG_IDLE : REG_NONE;
	return r;
}

void reg_free(struct reg *r)
{
	if (r == NULL)
		return;
	rte_pktmbuf_free(r->req);
	free(r);
}

bool reg_ready(const struct cg *cg)
{
	return cg->reg == NULL || cg->reg->state == REG_NONE ||
	       cg->reg->state == REG_BOUND;
}

static void reg_send(struct cg *cg, struct reg *r)
{
	const struct cg_opts *o = cg->o;
	struct rte_mbuf *m = net_alloc(cg);
	char ip[16];
	struct sb b;

	if (m == NULL)
		return;
	sipmsg_ip(o->uas_ip, ip);
	r->cseq++;
	sb_init(&b, net_payload(m), net_payload_room(m));
	sb_add(&b, "REGISTER sip:%s SIP/2.0\r\n"
		   "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK%08xr%u;rport\r\n"
		   "Max-Forwards: 70\r\n"
		   "From: <sip:%s@%s>;tag=%08xr\r\n"
		   "To: <sip:%s@%s>\r\n"
		   "Call-ID: cgreg-%08x@%s\r\n"
		   "CSeq: %u REGISTER\r\n"
		   "Contact: <sip:%s@%s:%u>\r\n"
		   "Expires: %u\r\n"
		   "User-Agent: sluice-callgen\r\n"
		   "%s"
		   "Content-Length: 0\r\n\r\n",
	       o->reg_domain, ip, o->uas_port, cg->run_id, r->cseq,
	       o->reg_user, o->reg_domain, cg->run_id,
	       o->reg_user, o->reg_domain, cg->run_id, ip, r->cseq,
	       o->reg_user, ip, o->uas_port, o->reg_expires, r->auth);
	if (b.over) {
		cg->net_st.too_big++;
		rte_pktmbuf_free(m);
		r->state = REG_FAILED;
		return;
	}
	rte_pktmbuf_free(r->req);
	rte_mbuf_refcnt_update(m, 1);
	r->req = m;
	net_send(cg, m, (uint16_t)b.len, o->uas_ip, o->uas_port, o->target_ip,
		 o->target_port, &cg->peer_mac);
	cg->uas_st.reg_sent++;
	r->state = REG_SENT;
	r->rto = o->t1_ms;
	r->deadline = cg->now_ms + 64 * o->t1_ms;
	r->next_ms = cg->now_ms + r->rto;
}

void reg_poll(struct cg *cg)
{
	struct reg *r = cg->reg;

	if (r == NULL || !cg->peer_known || (int32_t)(cg->now_ms - r->next_ms) < 0)
		return;
	switch (r->state) {
	case REG_IDLE:
	case REG_BOUND:   /* refresh */
		reg_send(cg, r);
		break;
	case REG_SENT:
		if ((int32_t)(cg->now_ms - r->deadline) >= 0) {
			r->state = REG_FAILED;
			cg->uas_st.reg_failed++;
			return;
		}
		net_resend(cg, r->req);
		cg->uas_st.reg_sent++;
		r->rto = r->rto * 2 < cg->o->t2_ms ? r->rto * 2 : cg->o->t2_ms;
		r->next_ms = cg->now_ms + r->rto;
		break;
	default:
		break;
	}
}

/* Value of auth-param name in a challenge ("Digest a=b, c=\"d\""). */
static bool reg_param(const char *v, size_t n, const char *name, char *out, size_t cap)
{
	size_t k = strlen(name), i = 0, j;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == ',' || v[i] == '\t'))
			i++;
		j = i;
		while (j < n && v[j] != '=' && v[j] != ',' && v[j] != ' ')
			j++;
		if (j < n && v[j] == ' ') {   /* the scheme ("Digest") */
			i = j;
			continue;
		}
		if (j >= n || v[j] != '=')
			return false;
		bool hit = j - i == k && strncasecmp(v + i, name, k) == 0;
		size_t s = ++j, e;

		if (j < n && v[j] == '"') {
			s = ++j;
			while (j < n && v[j] != '"')
				j += v[j] == '\\' ? 2 : 1;
			e = j < n ? j : n;
			j++;
		} else {
			while (j < n && v[j] != ',')
				j++;
			e = j;
			while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
				e--;
		}
		if (hit) {
			if (e - s >= cap)
				return false;
			memcpy(out, v + s, e - s);
			out[e - s] = '\0';
			return true;
		}
		i = j;
	}
	return false;
}

static void reg_md5_hex(const char *s, char out[33])
{
	struct md5_ctx ctx;
	uint8_t d[MD5_DIGEST_SIZE];
	int i;

	md5_init(&ctx);
	md5_update(&ctx, strlen(s), (const uint8_t *)s);
	md5_digest(&ctx, sizeof(d), d);
	for (i = 0; i < MD5_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Builds r->auth from a challenge header value; false if we cannot. */
static bool reg_answer(struct cg *cg, struct reg *r, const char *v, size_t n, bool proxy)
{
	const struct cg_opts *o = cg->o;
	char realm[128], nonce[256], qop[64] = "", opaque[256] = "", alg[32] = "MD5";
	char ha1[33], ha2[33], resp[33], buf[768], uri[96], cnonce[17];

	if (n < 7 || strncasecmp(v, "Digest", 6) != 0 ||
	    !reg_param(v, n, "realm", realm, sizeof(realm)) ||
	    !reg_param(v, n, "nonce", nonce, sizeof(nonce)))
		return false;
	reg_param(v, n, "qop", qop, sizeof(qop));
	reg_param(v, n, "opaque", opaque, sizeof(opaque));
	reg_param(v, n, "algorithm", alg, sizeof(alg));
	if (strcasecmp(alg, "MD5") != 0 || strcmp(nonce, r->nonce) == 0)
		return false;    /* SHA-256 only, or our answer was refused */
	snprintf(r->nonce, sizeof(r->nonce), "%s", nonce);
	snprintf(uri, sizeof(uri), "sip:%s", o->reg_domain);
	snprintf(cnonce, sizeof(cnonce), "%08x%08x", cg->run_id, r->cseq);
	snprintf(buf, sizeof(buf), "%s:%s:%s", o->reg_user, realm, o->reg_pass);
	reg_md5_hex(buf, ha1);
	snprintf(buf, sizeof(buf), "REGISTER:%s", uri);
	reg_md5_hex(buf, ha2);
	if (strstr(qop, "auth")) {
		snprintf(buf, sizeof(buf), "%s:%s:00000001:%s:auth:%s", ha1, nonce,
			 cnonce, ha2);
		reg_md5_hex(buf, resp);
		snprintf(r->auth, sizeof(r->auth),
			 "%s: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
			 "uri=\"%s\", response=\"%s\", algorithm=MD5, qop=auth, "
			 "nc=00000001, cnonce=\"%s\"%s%s%s\r\n",
			 proxy ? "Proxy-Authorization" : "Authorization",
			 o->reg_user, realm, nonce, uri, resp, cnonce,
			 opaque[0] ? ", opaque=\"" : "", opaque, opaque[0] ? "\"" : "");
	} else {
		snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, nonce, ha2);
		reg_md5_hex(buf, resp);
		snprintf(r->auth, sizeof(r->auth),
			 "%s: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
			 "uri=\"%s\", response=\"%s\", algorithm=MD5%s%s%s\r\n",
			 proxy ? "Proxy-Authorization" : "Authorization",
			 o->reg_user, realm, nonce, uri, resp,
			 opaque[0] ? ", opaque=\"" : "", opaque, opaque[0] ? "\"" : "");
	}
	return true;
}

/* The challenges of a 401/407: every WWW-/Proxy-Authenticate, first MD5. */
static bool reg_challenge(struct cg *cg, struct reg *r, const struct cg_rx *rx)
{
	const char *want = rx->sip.status == 407 ? "Proxy-Authenticate" :
						   "WWW-Authenticate";
	uint16_t i;

	for (i = 0; i < rx->sip.n_hdrs; i++) {
		const struct sip_hdr *h = &rx->sip.hdrs[i];

		if (h->name.len == strlen(want) &&
		    strncasecmp(rx->buf + h->name.off, want, h->name.len) == 0 &&
		    reg_answer(cg, r, rx->buf + h->value.off, h->value.len,
			       rx->sip.status == 407))
			return true;
	}
	return false;
}

bool reg_response(struct cg *cg, struct cg_rx *rx)
{
	struct reg *r = cg->reg;
	char cid[32];
	int n;

	if (r == NULL || r->state == REG_NONE)
		return false;
	n = snprintf(cid, sizeof(cid), "cgreg-%08x@", cg->run_id);
	if (rx->sip.call_id.len < n ||
	    memcmp(rx->buf + rx->sip.call_id.off, cid, (size_t)n) != 0)
		return false;
	if (r->state != REG_SENT || rx->sip.cseq != r->cseq || rx->sip.status < 200)
		return true;
	rte_pktmbuf_free(r->req);
	r->req = NULL;
	if (rx->sip.status < 300) {
		cg->uas_st.reg_ok++;
		r->state = REG_BOUND;
		r->next_ms = cg->now_ms + cg->o->reg_expires * 500;
	} else if ((rx->sip.status == 401 || rx->sip.status == 407) &&
		   reg_challenge(cg, r, rx)) {
		cg->uas_st.reg_challenged++;
		reg_send(cg, r);
	} else {
		cg->uas_st.reg_failed++;
		r->state = REG_FAILED;
	}
	return true;
}

bool reg_failed(const struct cg *cg)
{
	return cg->reg && cg->reg->state == REG_FAILED;
}
