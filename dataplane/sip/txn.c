/* SPDX-License-Identifier: MIT */
/*
 * SIP transaction state machines (txn.h): RFC 3261 §17 as amended by
 * RFC 6026, one small function per kind and event, and the matching key.
 *
 * Each kind has a row in `kinds`: its handlers for the message events and
 * the facts the shared code needs (what its retransmit timer resends, in
 * which states its end timer is a timeout, in which states it sends
 * anything). The public functions screen out what no machine takes (a
 * Terminated transaction, a status outside 100-699, an event of the other
 * side) and dispatch; the per-kind functions follow their figure arc by
 * arc and cite the text each rule comes from.
 *
 * Timers use two slots (txn.h): retx_at for A/E/G and end_at for the
 * timer that ends the state. A transition leaves only timers of the new
 * state in the slots (NICT Trying -> Proceeding keeps E and F, which run
 * in both), so on_timer needs no state check beyond "is the end due, is
 * the retransmission due".
 */
#include "sip/txn.h"

#include <errno.h>
#include <string.h>

#define ACT(id) SIP_TXN_ACT_##id
#define ST(id) SIP_TXN_STATE_##id
#define BIT(id) (1u << SIP_TXN_STATE_##id)

/* ---------------------------------------------------------------------- */
/* Configuration                                                          */

static uint32_t times64(uint32_t v)
{
	return v > UINT32_MAX / 64 ? UINT32_MAX : v * 64;
}

void sip_txn_cfg_init(struct sip_txn_cfg *cfg, uint32_t t1, uint32_t t2,
		      uint32_t t4)
{
	uint32_t t64 = times64(t1);

	/* RFC 3261 Table 4; L and M as RFC 6026 adds them to it. */
	*cfg = (struct sip_txn_cfg){
		.t1 = t1, .t2 = t2, .t4 = t4,
		.b = t64, .f = t64, .h = t64, .j = t64, .l = t64, .m = t64,
		.d = t64 > SIP_TXN_D_MIN ? t64 : SIP_TXN_D_MIN,
	};
}

int sip_txn_cfg_check(const struct sip_txn_cfg *cfg)
{
	if (cfg->t1 == 0 || cfg->t2 < cfg->t1 || cfg->t4 == 0)
		return -EINVAL;
	if (cfg->b == 0 || cfg->f == 0 || cfg->h == 0 || cfg->l == 0 ||
	    cfg->m == 0)
		return -EINVAL;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Moving between states                                                  */

/* now + ms, never reaching SIP_TXN_NEVER. */
static uint64_t after(uint64_t now, uint32_t ms)
{
	return now < SIP_TXN_NEVER - ms ? now + ms : SIP_TXN_NEVER - 1;
}

static unsigned txn_end(struct sip_txn *t)
{
	t->state = ST(TERMINATED);
	t->retx_at = SIP_TXN_NEVER;
	t->end_at = SIP_TXN_NEVER;
	return ACT(TERMINATED);
}

/*
 * Enters a state whose only job is to wait out retransmissions for
 * t->linger: ICT Completed (Timer D, §17.1.1.2), NICT Completed (K,
 * §17.1.2.2), IST Confirmed (I, §17.2.1), NIST Completed (J, §17.2.2).
 * The length is zero on reliable transports, and a zero-length state is
 * left at once: returns TERMINATED then, else 0.
 */
static unsigned txn_linger(struct sip_txn *t, enum sip_txn_state state,
			   uint64_t now)
{
	if (t->linger == 0)
		return txn_end(t);
	t->state = (uint8_t)state;
	t->retx_at = SIP_TXN_NEVER;
	t->end_at = after(now, t->linger);
	return 0;
}

/*
 * RFC 6026 Accepted, on every transport: Timer M for the ICT (§7.2),
 * L for the IST (§7.1). Nothing is retransmitted by the transaction.
 */
static void txn_accept(struct sip_txn *t, uint64_t now)
{
	t->state = ST(ACCEPTED);
	t->retx_at = SIP_TXN_NEVER;
	t->end_at = after(now, t->accept);
}

static bool is_2xx(unsigned status)
{
	return status >= 200 && status < 300;
}

/* ---------------------------------------------------------------------- */
/* INVITE client (§17.1.1.2 Figure 5; RFC 6026 §7.2)                     */

static unsigned ict_response(struct sip_txn *t, unsigned status, uint64_t now)
{
	switch (t->state) {
	case ST(CALLING):
	case ST(PROCEEDING):
		t->status = (uint16_t)status;
		if (status < 200) {
			/* No more retransmissions; B only guards Calling. */
			t->state = ST(PROCEEDING);
			t->retx_at = SIP_TXN_NEVER;
			t->end_at = SIP_TXN_NEVER;
			return ACT(PASS_UP);
		}
		if (is_2xx(status)) {
			/* RFC 6026: the TU ACKs 2xx; stay to pass up more. */
			txn_accept(t, now);
			return ACT(PASS_UP);
		}
		/* 300-699: ACK it here (§17.1.1.3), absorb copies for D. */
		return ACT(SEND_ACK) | ACT(PASS_UP) |
		       txn_linger(t, ST(COMPLETED), now);
	case ST(COMPLETED):
		/* A retransmitted final response is ACKed again, not passed. */
		return status >= 300 ? ACT(SEND_ACK) | ACT(ABSORB) : ACT(ABSORB);
	case ST(ACCEPTED):
		/* 2xx copies and other forks' 2xx go to the TU (RFC 6026 §7.2). */
		if (!is_2xx(status))
			return ACT(ABSORB);
		t->status = (uint16_t)status;
		return ACT(PASS_UP);
	default:
		return ACT(ABSORB);
	}
}

/* ---------------------------------------------------------------------- */
/* Non-INVITE client (§17.1.2.2 Figure 6)                                 */

static unsigned nict_response(struct sip_txn *t, unsigned status, uint64_t now)
{
	switch (t->state) {
	case ST(TRYING):
	case ST(PROCEEDING):
		t->status = (uint16_t)status;
		if (status < 200) {
			/* E and F keep running; E resets to T2 from now on. */
			t->state = ST(PROCEEDING);
			return ACT(PASS_UP);
		}
		/* 200-699: Completed absorbs response copies for K. */
		return ACT(PASS_UP) | txn_linger(t, ST(COMPLETED), now);
	default:
		return ACT(ABSORB);
	}
}

/* ---------------------------------------------------------------------- */
/* INVITE server (§17.2.1 Figure 7; RFC 6026 §7.1)                       */

static unsigned ist_request(struct sip_txn *t, bool is_ack, uint64_t now)
{
	switch (t->state) {
	case ST(PROCEEDING):
		/* An INVITE copy gets the latest provisional again, if any;
		 * an ACK cannot belong here before a final response. */
		if (!is_ack && t->status != 0)
			return ACT(SEND_RESPONSE) | ACT(ABSORB);
		return ACT(ABSORB);
	case ST(COMPLETED):
		if (!is_ack)
			return ACT(SEND_RESPONSE) | ACT(ABSORB);
		/* The ACK stops G and H; Confirmed absorbs its copies for I. */
		return ACT(ABSORB) | txn_linger(t, ST(CONFIRMED), now);
	case ST(ACCEPTED):
		/* INVITE copies are absorbed, ACKs go to the TU (RFC 6026). */
		return is_ack ? ACT(PASS_UP) : ACT(ABSORB);
	default:
		return ACT(ABSORB); /* Confirmed */
	}
}

static unsigned ist_send(struct sip_txn *t, unsigned status, uint64_t now)
{
	switch (t->state) {
	case ST(PROCEEDING):
		t->status = (uint16_t)status;
		if (status < 200)
			return ACT(SEND_RESPONSE);
		if (is_2xx(status)) {
			/* The TU, not the transaction, retransmits 2xx. */
			txn_accept(t, now);
			return ACT(SEND_RESPONSE);
		}
		/* 300-699: G (unreliable only) from T1, H on every transport. */
		t->state = ST(COMPLETED);
		if (!(t->flags & SIP_TXN_F_RELIABLE))
			t->retx_at = after(now, t->interval);
		t->end_at = after(now, t->wait_ack);
		return ACT(SEND_RESPONSE);
	case ST(ACCEPTED):
		/* The TU's 2xx retransmissions pass through (RFC 6026 §7.1). */
		if (!is_2xx(status))
			return 0;
		t->status = (uint16_t)status;
		return ACT(SEND_RESPONSE);
	default:
		return 0; /* after a non-2xx final response, nothing more */
	}
}

/* ---------------------------------------------------------------------- */
/* Non-INVITE server (§17.2.2 Figure 8)                                   */

static unsigned nist_request(struct sip_txn *t, bool is_ack, uint64_t now)
{
	(void)now;
	/* Trying discards copies: there is nothing to resend yet. An ACK
	 * cannot match a non-INVITE transaction (its key says INVITE). */
	if (is_ack || t->state == ST(TRYING))
		return ACT(ABSORB);
	/* Proceeding and Completed resend the last response. */
	return ACT(SEND_RESPONSE) | ACT(ABSORB);
}

static unsigned nist_send(struct sip_txn *t, unsigned status, uint64_t now)
{
	if (t->state != ST(TRYING) && t->state != ST(PROCEEDING))
		return 0; /* Completed discards further finals */
	t->status = (uint16_t)status;
	if (status < 200) {
		t->state = ST(PROCEEDING);
		return ACT(SEND_RESPONSE);
	}
	/* 200-699: Completed answers copies of the request for J. */
	return ACT(SEND_RESPONSE) | txn_linger(t, ST(COMPLETED), now);
}

/* ---------------------------------------------------------------------- */
/* Dispatch                                                               */

static const struct txn_kind {
	unsigned (*response)(struct sip_txn *t, unsigned status, uint64_t now);
	unsigned (*request)(struct sip_txn *t, bool is_ack, uint64_t now);
	unsigned (*send)(struct sip_txn *t, unsigned status, uint64_t now);
	unsigned retransmit;    /* what A, E or G resends */
	uint8_t first;          /* state on creation */
	uint8_t timeout_states; /* the end timer here is B, F or H */
	uint8_t sending_states; /* states in which the txn sends anything */
	bool client;
} kinds[SIP_TXN_KIND_COUNT] = {
	[SIP_TXN_ICT] = {
		.response = ict_response,
		.retransmit = ACT(SEND_REQUEST),
		.first = ST(CALLING),
		.timeout_states = BIT(CALLING),
		.sending_states = BIT(CALLING) | BIT(COMPLETED), /* INVITE, ACK */
		.client = true,
	},
	[SIP_TXN_NICT] = {
		.response = nict_response,
		.retransmit = ACT(SEND_REQUEST),
		.first = ST(TRYING),
		.timeout_states = BIT(TRYING) | BIT(PROCEEDING),
		.sending_states = BIT(TRYING) | BIT(PROCEEDING),
		.client = true,
	},
	[SIP_TXN_IST] = {
		.request = ist_request,
		.send = ist_send,
		.retransmit = ACT(SEND_RESPONSE),
		.first = ST(PROCEEDING),
		.timeout_states = BIT(COMPLETED),
		.sending_states = BIT(PROCEEDING) | BIT(COMPLETED) | BIT(ACCEPTED),
	},
	[SIP_TXN_NIST] = {
		.request = nist_request,
		.send = nist_send,
		.first = ST(TRYING),
		.sending_states = BIT(PROCEEDING) | BIT(COMPLETED),
	},
};

static unsigned txn_start(struct sip_txn *t, enum sip_txn_kind kind,
			  bool client, const struct sip_txn_cfg *cfg,
			  bool reliable, uint64_t now)
{
	*t = (struct sip_txn){
		.retx_at = SIP_TXN_NEVER,
		.end_at = SIP_TXN_NEVER,
		.state = ST(TERMINATED),
	};
	if ((unsigned)kind >= SIP_TXN_KIND_COUNT || kinds[kind].client != client)
		return ACT(TERMINATED);

	t->kind = (uint8_t)kind;
	t->state = kinds[kind].first;
	t->flags = reliable ? SIP_TXN_F_RELIABLE : 0;
	t->interval = cfg->t1; /* A, E now; G when the IST completes */
	t->t2 = cfg->t2;
	switch (kind) {
	case SIP_TXN_ICT: /* §17.1.1.2: A (unreliable) and B */
		t->linger = reliable ? 0 : cfg->d;
		t->accept = cfg->m;
		t->end_at = after(now, cfg->b);
		break;
	case SIP_TXN_NICT: /* §17.1.2.2: E (unreliable) and F */
		t->linger = reliable ? 0 : cfg->t4; /* K */
		t->end_at = after(now, cfg->f);
		break;
	case SIP_TXN_IST: /* §17.2.1: no timer until the TU responds */
		t->linger = reliable ? 0 : cfg->t4; /* I */
		t->accept = cfg->l;
		t->wait_ack = cfg->h;
		break;
	default: /* NIST, §17.2.2: no timer until the TU responds */
		t->linger = reliable ? 0 : cfg->j;
		break;
	}
	if (client && !reliable)
		t->retx_at = after(now, cfg->t1);
	return client ? ACT(SEND_REQUEST) : ACT(PASS_UP);
}

unsigned sip_txn_start_client(struct sip_txn *t, enum sip_txn_kind kind,
			      const struct sip_txn_cfg *cfg, bool reliable,
			      uint64_t now)
{
	return txn_start(t, kind, true, cfg, reliable, now);
}

unsigned sip_txn_start_server(struct sip_txn *t, enum sip_txn_kind kind,
			      const struct sip_txn_cfg *cfg, bool reliable,
			      uint64_t now)
{
	return txn_start(t, kind, false, cfg, reliable, now);
}

static bool status_ok(unsigned status)
{
	return status >= 100 && status <= 699;
}

unsigned sip_txn_on_response(struct sip_txn *t, unsigned status, uint64_t now)
{
	const struct txn_kind *k = &kinds[t->kind];

	if (k->response == NULL || t->state == ST(TERMINATED) ||
	    !status_ok(status))
		return ACT(ABSORB);
	return k->response(t, status, now);
}

unsigned sip_txn_on_request(struct sip_txn *t, bool is_ack, uint64_t now)
{
	const struct txn_kind *k = &kinds[t->kind];

	if (k->request == NULL || t->state == ST(TERMINATED))
		return ACT(ABSORB);
	return k->request(t, is_ack, now);
}

unsigned sip_txn_on_send(struct sip_txn *t, unsigned status, uint64_t now)
{
	const struct txn_kind *k = &kinds[t->kind];

	if (k->send == NULL || t->state == ST(TERMINATED) || !status_ok(status))
		return 0;
	return k->send(t, status, now);
}

/*
 * The interval after one more firing of the retransmit timer: A doubles
 * without a cap, B ends it (§17.1.1.2); E doubles up to T2 in Trying and
 * is T2 in Proceeding (§17.1.2.2); G doubles up to T2 (§17.2.1).
 */
static uint32_t retx_next(const struct sip_txn *t)
{
	uint32_t twice = t->interval > UINT32_MAX / 2 ? UINT32_MAX
						       : t->interval * 2;

	if (t->kind == SIP_TXN_ICT)
		return twice;
	if (t->kind == SIP_TXN_NICT && t->state == ST(PROCEEDING))
		return t->t2;
	return twice < t->t2 ? twice : t->t2;
}

unsigned sip_txn_on_timer(struct sip_txn *t, uint64_t now)
{
	const struct txn_kind *k = &kinds[t->kind];

	if (t->state == ST(TERMINATED))
		return 0;
	/* The end wins over a retransmission due at the same call: B, F
	 * and H end a transaction that has retransmitted for long enough,
	 * and D, I, J, K, L, M run in states that retransmit nothing. */
	if (t->end_at <= now) {
		unsigned timeout = k->timeout_states & (1u << t->state)
					   ? ACT(TIMEOUT) : 0;

		return timeout | txn_end(t);
	}
	if (t->retx_at <= now) {
		t->interval = retx_next(t);
		t->retx_at = after(now, t->interval);
		return k->retransmit;
	}
	return 0;
}

unsigned sip_txn_on_transport_error(struct sip_txn *t)
{
	const struct txn_kind *k = &kinds[t->kind];

	/* The Terminated bit is in no mask. */
	if (!(k->sending_states & (1u << t->state)))
		return 0;
	/* Client: inform the TU and end (Figures 5, 6). Server: inform the
	 * TU and stay (RFC 6026 §8.8), so copies of the request are still
	 * absorbed rather than taken for a new request. */
	if (k->client)
		return ACT(TRANSPORT_ERROR) | txn_end(t);
	return ACT(TRANSPORT_ERROR);
}

const char *sip_txn_state_str(enum sip_txn_state state)
{
	static const char *const names[] = {
#define SIP_X(id, s) [SIP_TXN_STATE_##id] = s,
		SIP_TXN_STATES(SIP_X)
#undef SIP_X
	};

	return (unsigned)state < SIP_TXN_STATE_COUNT ? names[state] : "?";
}

const char *sip_txn_kind_str(enum sip_txn_kind kind)
{
	static const char *const names[] = {
#define SIP_X(id, s) [SIP_TXN_##id] = s,
		SIP_TXN_KINDS(SIP_X)
#undef SIP_X
	};

	return (unsigned)kind < SIP_TXN_KIND_COUNT ? names[kind] : "?";
}

/* ---------------------------------------------------------------------- */
/* Matching key: SipHash-2-4 over a word stream                           */

/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012), fed whole 64-bit words.
 * The key's fields are each zero-padded to whole words and their lengths
 * go first, so the stream is an unambiguous encoding of the fields and
 * the result is SipHash-2-4 of that byte string.
 */
struct sip_hash {
	uint64_t v0, v1, v2, v3;
	uint64_t len; /* bytes absorbed */
};

static uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static void sh_round(struct sip_hash *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13) ^ s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16) ^ s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21) ^ s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17) ^ s->v2;
	s->v2 = rotl(s->v2, 32);
}

static void sh_init(struct sip_hash *s, const struct sip_txn_seed *seed)
{
	s->v0 = seed->k0 ^ 0x736f6d6570736575ull;
	s->v1 = seed->k1 ^ 0x646f72616e646f6dull;
	s->v2 = seed->k0 ^ 0x6c7967656e657261ull;
	s->v3 = seed->k1 ^ 0x7465646279746573ull;
	s->len = 0;
}

static void sh_word(struct sip_hash *s, uint64_t m)
{
	s->v3 ^= m;
	sh_round(s);
	sh_round(s);
	s->v0 ^= m;
	s->len += 8;
}

/* tail: the last tail_len (< 8) bytes of the message, little-endian. */
static uint64_t sh_final(struct sip_hash *s, uint64_t tail, unsigned tail_len)
{
	uint64_t b = ((s->len + tail_len) << 56) | tail;

	s->v3 ^= b;
	sh_round(s);
	sh_round(s);
	s->v0 ^= b;
	s->v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		sh_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* Up to 8 bytes as a word, zero-padded. Host byte order: the key is
 * only ever compared inside one process. */
static uint64_t load_word(const char *p, size_t n)
{
	uint64_t w = 0;

	memcpy(&w, p, n);
	return w;
}

/* ASCII 'A'-'Z' in each byte of w to lower case (high bytes untouched). */
static uint64_t word_lower(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t low7 = w & (0x7f * ones);
	uint64_t ge_a = low7 + (0x80 - 'A') * ones;     /* bit 7: >= 'A' */
	uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * ones; /* bit 7: > 'Z' */
	uint64_t upper = ge_a & ~gt_z & ~w & (0x80 * ones);

	return w | (upper >> 2);
}

static void sh_bytes(struct sip_hash *s, const char *p, size_t n, bool fold)
{
	while (n > 0) {
		size_t k = n < 8 ? n : 8;
		uint64_t w = load_word(p, k);

		sh_word(s, fold ? word_lower(w) : w);
		p += k;
		n -= k;
	}
}

int sip_txn_key_make(struct sip_txn_key *key, const struct sip_txn_seed *seed,
		     const char *method, size_t method_len, const char *branch,
		     size_t branch_len, const char *host, size_t host_len,
		     uint16_t port)
{
	struct sip_hash s;

	/* §17.2.3: without the cookie, only RFC 2543 matching would do. */
	if (branch_len < SIP_TXN_COOKIE_LEN ||
	    memcmp(branch, SIP_TXN_COOKIE, SIP_TXN_COOKIE_LEN) != 0)
		return -ENOTSUP;
	branch += SIP_TXN_COOKIE_LEN;
	branch_len -= SIP_TXN_COOKIE_LEN;
	/* An ACK for a non-2xx response belongs to the INVITE's
	 * transaction (§17.1.1.3, §17.2.3); CANCEL is its own. */
	if (method_len == 3 && memcmp(method, "ACK", 3) == 0) {
		method = "INVITE";
		method_len = 6;
	}
	if (method_len == 0 || method_len > UINT16_MAX ||
	    branch_len > UINT16_MAX || host_len > UINT16_MAX)
		return -EINVAL;

	*key = (struct sip_txn_key){
		.method_len = (uint16_t)method_len,
		.branch_len = (uint16_t)branch_len,
		.host_len = (uint16_t)host_len,
		.port = port,
	};
	sh_init(&s, seed);
	sh_word(&s, (uint64_t)method_len | (uint64_t)branch_len << 16 |
			    (uint64_t)host_len << 32 | (uint64_t)port << 48);
	sh_bytes(&s, method, method_len, false);
	sh_bytes(&s, branch, branch_len, false);
	sh_bytes(&s, host, host_len, true);
	key->hash = sh_final(&s, 0, 0);
	return 0;
}

int sip_txn_key_from_msg(struct sip_txn_key *key,
			 const struct sip_txn_seed *seed, const char *buf,
			 const struct sip_msg *m)
{
	return sip_txn_key_make(key, seed, sip_ptr(buf, m->cseq_method),
				m->cseq_method.len, sip_ptr(buf, m->via_branch),
				m->via_branch.len, sip_ptr(buf, m->via_host),
				m->via_host.len, m->via_port);
}
