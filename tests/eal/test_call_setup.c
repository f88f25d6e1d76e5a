/* SPDX-License-Identifier: MIT */
/*
 * A call's set-up on a worker (dataplane/sip/call_setup.c) with the test
 * in the control plane's place: an INVITE from the harness tenant "trk"'s
 * trunk (198.18.1.11, through the gateway) becomes a route request; the
 * test answers with a decision of its own and plays every callee at
 * 198.18.0.11 on the ports the decision names.
 *
 * What it pins down: a decision with targets left is held by the call,
 * not in the control plane's message pool (the message goes back at once,
 * so the calls ringing at once are not bounded by that pool), and the
 * held copy drives what comes after: the next target once the first
 * rings out, with the decision's headers on every B-leg INVITE.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "cpmsg.h"
#include "dp.h"
#include "dp_harness.h"
#include "h_suite.h"
#include "stats.h"

TestSuite(call_setup, .init = h_suite_start, .fini = h_suite_stop, .timeout = 60);

#define CALLS(k) H_STAT(&h, call[CALL_C_##k])

/* The next SIP datagram to dport whose text starts with start, within
 * timeout_ms (others are passed over); its text in out. false if none. */
static bool next_to(uint16_t dport, const char *start, unsigned timeout_ms, char *out,
		    size_t cap)
{
	uint64_t until = rte_get_tsc_cycles() + rte_get_tsc_hz() / 1000 * timeout_ms;

	while (rte_get_tsc_cycles() < until) {
		struct rte_mbuf *m = h_recv_ip(&h, 50);
		uint16_t port = 0;
		bool hit;

		if (m == NULL)
			continue;
		hit = h_sip_text(m, out, cap, &port) && port == dport &&
		      strncmp(out, start, strlen(start)) == 0;
		rte_pktmbuf_free(m);
		if (hit)
			return true;
	}
	return false;
}

/* The header line name of SIP text req ("Via: …\r\n") into out. */
static void line_of(const char *req, const char *name, char *out, size_t cap)
{
	char want[40];
	const char *p, *e;

	snprintf(want, sizeof(want), "\r\n%s:", name);
	p = strstr(req, want);
	cr_assert_not_null(p, "no %s in:\n%s", name, req);
	p += 2;
	e = strstr(p, "\r\n");
	cr_assert(e && (size_t)(e - p) + 3 < cap);
	memcpy(out, p, (size_t)(e - p) + 2);
	out[e - p + 2] = '\0';
}

/* Answers the B-leg request req (received on the peer's sport) with code. */
static void answer(const char *req, uint16_t sport, int code, const char *reason)
{
	char via[512], from[256], to[256], cid[256], cseq[64], msg[2048];
	int n;

	line_of(req, "Via", via, sizeof(via));
	line_of(req, "From", from, sizeof(from));
	line_of(req, "To", to, sizeof(to));
	line_of(req, "Call-ID", cid, sizeof(cid));
	line_of(req, "CSeq", cseq, sizeof(cseq));
	to[strlen(to) - 2] = '\0';
	n = snprintf(msg, sizeof(msg),
		     "SIP/2.0 %d %s\r\n%s%s%s;tag=b%u\r\n%s%s"
		     "Contact: <sip:b@198.18.0.11:%u>\r\nContent-Length: 0\r\n\r\n",
		     code, reason, via, from, to, sport, cid, cseq, sport);
	cr_assert(n > 0 && n < (int)sizeof(msg));
	h_send_udp(&h, H_PEER_IP, sport, 5090, msg, (uint16_t)n, 0);
}

static void uri_target(struct cpmsg_target *t, const char *uri, uint16_t ring_s)
{
	t->kind = CPMSG_T_URI;
	t->ring_s = ring_s;
	t->index = -1;
	snprintf(t->uri, sizeof(t->uri), "%s", uri);
}

Test(call_setup, a_held_decision_leaves_the_message_pool_and_drives_the_next_target)
{
	char text[2048];
	struct cpmsg *req, *dec;
	struct cpmsg_route_dec *d;
	int n = snprintf(text, sizeof(text),
			 "INVITE sip:2000@198.18.0.1:5090 SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 198.18.1.11:5062;branch=z9hG4bKheld1\r\n"
			 "From: <sip:15550100@198.18.1.11>;tag=fheld\r\n"
			 "To: <sip:2000@198.18.0.1>\r\nCall-ID: held-1@far\r\n"
			 "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
			 "Contact: <sip:15550100@198.18.1.11:5062>\r\n"
			 "Content-Length: 0\r\n\r\n");

	h_send_udp(&h, H_FAR_IP, 5062, 5090, text, (uint16_t)n, 0);
	cr_assert(next_to(5062, "SIP/2.0 100 Trying", 1000, text, sizeof(text)));
	req = h_cp_take(&h, 1000);
	cr_assert_not_null(req, "no route request");
	cr_assert_eq(req->type, CPMSG_ROUTE_REQ);
	cr_expect_str_eq(req->u.route_req.callee, "2000");

	/* the decision: 5071 for a second, then 5072, a header on each */
	dec = req; /* the request's message carries the answer back */
	dec->type = CPMSG_ROUTE_DEC;
	d = &dec->u.route_dec;
	memset(d, 0, sizeof(*d));
	d->action = CPMSG_A_ROUTE;
	d->n_targets = 2;
	uri_target(&d->targets[0], "sip:2000@198.18.0.11:5071", 1);
	uri_target(&d->targets[1], "sip:2000@198.18.0.11:5072", 1);
	snprintf(d->headers, sizeof(d->headers), "X-Held: yes\r\n");
	cr_assert_eq(rte_ring_sp_enqueue(h.dp->cp_down[dec->worker], dec), 0);

	cr_assert(next_to(5071, "INVITE sip:2000@198.18.0.11:5071 ", 1000, text, sizeof(text)),
		  "no INVITE to the first target");
	cr_expect_not_null(strstr(text, "\r\nX-Held: yes\r\n"), "%s", text);
	/* the call rings with its decision, and no message is out of the pool */
	cr_expect_eq(rte_mempool_in_use_count(h.dp->cp_pool), 0);
	answer(text, 5071, 180, "Ringing");
	cr_assert(next_to(5062, "SIP/2.0 180 Ringing", 1000, text, sizeof(text)));

	/* the first rings out: CANCEL there, the held decision's next target */
	cr_assert(next_to(5072, "INVITE sip:2000@198.18.0.11:5072 ", 3000, text, sizeof(text)),
		  "no INVITE to the second target");
	cr_expect_not_null(strstr(text, "\r\nX-Held: yes\r\n"), "%s", text);
	answer(text, 5072, 486, "Busy Here");
	cr_assert(next_to(5062, "SIP/2.0 486 Busy Here", 1000, text, sizeof(text)),
		  "the caller did not get the last target's busy");
	cr_expect_eq(CALLS(RING_TIMEOUT), 1);
	cr_expect_eq(CALLS(ROUTE_UNHELD), 0);
}
