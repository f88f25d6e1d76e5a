/* SPDX-License-Identifier: MIT */
/*
 * INVITEs from devices authenticated by digest (dataplane/sip/call_auth.c),
 * end to end inside one process: INVITEs go in through the net_ring port
 * to the harness tenant "dom" (invite_auth "source", realm dom.example,
 * SHA-256 and MD5 offered), whose devices alice-desk (password) and
 * alice-md5 (stored MD5 HA1) are registered nowhere, so every INVITE is
 * challenged 407. The credentials are computed here with digest.c, as a
 * phone would: SHA-256 (which SIPp cannot do, so the e2e tests cannot
 * either), MD5 from a stored HA1, wrong passwords, stale and foreign
 * nonces, other realms, malformed values and a uri that is not the
 * Request-URI. A call that passes is seen by its 100 Trying and by the
 * route request the worker sends the control plane, which the test reads
 * in the control plane's place: its caller and user are the device's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "cpmsg.h"
#include "dp.h"
#include "dp_harness.h"
#include "h_suite.h"
#include "sip/digest.h"
#include "sip_ask.h"
#include "stats.h"
#include "tenant.h"

TestSuite(invite_auth, .init = h_suite_start, .fini = h_suite_stop, .timeout = 60);

#define RURI "sip:1001@dom.example"

/*
 * Sends an INVITE to 1001 at dom (port 5080) from 198.18.0.11:5062, From
 * from_user, with the header lines extra (or none); returns the status of
 * the reply, its text in out.
 */
static int invite(const char *callid, unsigned cseq, const char *from_user, const char *extra,
		  char *out, size_t cap)
{
	char msg[2048];
	int len = snprintf(msg, sizeof(msg),
			   "INVITE " RURI " SIP/2.0\r\n"
			   "Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bK%s%u;rport\r\n"
			   "From: <sip:%s@dom.example>;tag=f%u\r\nTo: <" RURI ">\r\n"
			   "Call-ID: %s\r\nCSeq: %u INVITE\r\nMax-Forwards: 70\r\n"
			   "Contact: <sip:%s@198.18.0.11:5062>\r\n%s"
			   "Content-Length: 0\r\n\r\n",
			   callid, cseq, from_user, cseq, callid, cseq, from_user,
			   extra ? extra : "");

	return sip_ask(&h, msg, len, "INVITE", out, cap);
}

/* Proxy-Authorization of an INVITE to uri in dom's realm. */
static void proxy_auth(const char *user, const char *pw, const char *uri, enum digest_alg alg,
		       const char *nonce, char *out, size_t cap)
{
	sip_cred_line("Proxy-Authorization", "INVITE", user, pw, "dom.example", uri, alg, nonce, out,
		  cap);
}

/* The route request of the one call a worker set up (the test plays the
 * control plane); NULL if none came within a second. */
static struct cpmsg *route_req(void)
{
	return h_cp_take(&h, 1000);
}

/* The call passed: its 100 Trying came, and its route request names who. */
static void expect_call_from(const char *reply, const char *caller, int32_t user)
{
	struct cpmsg *m;

	cr_assert(strncmp(reply, "SIP/2.0 100 Trying\r\n", 20) == 0, "%s", reply);
	m = route_req();
	cr_assert_not_null(m, "no route request");
	cr_assert_eq(m->type, CPMSG_ROUTE_REQ);
	cr_expect_str_eq(m->u.route_req.caller, caller);
	cr_expect_eq(m->u.route_req.user, user);
	cr_expect_eq(m->u.route_req.trunk, -1);
	cr_expect_str_eq(m->u.route_req.callee, "1001");
	rte_mempool_put(h.dp->cp_pool, m);
}

#define CALLS(k) H_STAT(&h, call[CALL_C_##k])

Test(invite_auth, challenge_then_credentials_make_the_device_the_caller)
{
	char r[2048], nonce[64], auth[1024];

	/* From names nobody: who calls is for the credentials to say */
	cr_assert_eq(invite("a1@x", 1, "reception", NULL, r, sizeof(r)), 407, "%s", r);
	cr_assert(strncmp(r, "SIP/2.0 407 Proxy Authentication Required\r\n", 43) == 0, "%s", r);
	cr_assert_not_null(strstr(r, "\r\nProxy-Authenticate: Digest realm=\"dom.example\""),
			   "%s", r);
	cr_assert_null(strstr(r, "WWW-Authenticate"), "%s", r);
	cr_assert_null(strstr(r, "stale=true"), "%s", r);
	/* SHA-256 offered first, then MD5 (RFC 8760) */
	cr_assert_not_null(strstr(r, "algorithm=MD5"), "%s", r);
	cr_assert(strstr(r, "algorithm=SHA-256") < strstr(r, "algorithm=MD5"), "%s", r);
	sip_nonce_of(r, "Proxy-Authenticate", "SHA-256", nonce, sizeof(nonce));
	proxy_auth("alice-desk", H_ALICE_PW, RURI, DIGEST_ALG_SHA256, nonce, auth, sizeof(auth));
	invite("a1@x", 2, "reception", auth, r, sizeof(r));
	/* the device's username, not the From; its user, alice */
	expect_call_from(r, "alice-desk", 0);
	cr_expect_eq(CALLS(CHALLENGED), 1);
	cr_expect_eq(CALLS(AUTHENTICATED), 1);
	cr_expect_eq(CALLS(INVITE_NEW), 1);
	cr_expect_eq(CALLS(AUTH_FAILED), 0);
	/* the challenged INVITE duplicated late: absorbed, neither challenged
	 * again nor taken for the call's own */
	{
		char msg[1024];
		struct rte_mbuf *m;
		int len = snprintf(msg, sizeof(msg),
				   "INVITE " RURI " SIP/2.0\r\n"
				   "Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKa1@x1;rport\r\n"
				   "From: <sip:reception@dom.example>;tag=f1\r\nTo: <" RURI ">\r\n"
				   "Call-ID: a1@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
				   "Content-Length: 0\r\n\r\n");

		struct tenant_state *st = h.dp->snap->t[tenant_by_id(h.dp->snap, "dom")].st;

		/* dom admits one call at a time, and has it: let the duplicate
		 * through admission (it gives the unit back) to reach the worker */
		__atomic_store_n(&st->calls, 0, __ATOMIC_RELAXED);
		h_send_udp(&h, H_PEER_IP, 5062, 5080, msg, (uint16_t)len, 0);
		for (int i = 0; i < 50 && CALLS(RETRANS_IN) == 0; i++)
			rte_delay_ms(2);
		cr_expect_eq(CALLS(RETRANS_IN), 1);
		cr_expect_eq(__atomic_load_n(&st->calls, __ATOMIC_RELAXED), 0);
		__atomic_store_n(&st->calls, 1, __ATOMIC_RELAXED);
		while ((m = h_recv_ip(&h, 100)) != NULL) {
			cr_assert_not_null(h_sip_text(m, r, sizeof(r), NULL));
			rte_pktmbuf_free(m);
			/* only the call's own answers (the fallback's 480) may come */
			cr_expect(strstr(r, "CSeq: 2 INVITE\r\n") != NULL, "%s", r);
		}
		cr_expect_eq(CALLS(CHALLENGED), 1);
	}
}

Test(invite_auth, md5_with_a_stored_ha1)
{
	char r[2048], nonce[64], auth[1024];

	cr_assert_eq(invite("a2@x", 1, "alice-md5", NULL, r, sizeof(r)), 407, "%s", r);
	sip_nonce_of(r, "Proxy-Authenticate", "MD5", nonce, sizeof(nonce));
	proxy_auth("alice-md5", H_ALICE_MD5_PW, RURI, DIGEST_ALG_MD5, nonce, auth, sizeof(auth));
	invite("a2@x", 2, "alice-md5", auth, r, sizeof(r));
	expect_call_from(r, "alice-md5", 0);
}

Test(invite_auth, wrong_credentials_are_refused_403)
{
	char r[2048], nonce[64], auth[1024];

	cr_assert_eq(invite("a3@x", 1, "alice-desk", NULL, r, sizeof(r)), 407, "%s", r);
	sip_nonce_of(r, "Proxy-Authenticate", "SHA-256", nonce, sizeof(nonce));
	proxy_auth("alice-desk", "wrongpass1", RURI, DIGEST_ALG_SHA256, nonce, auth, sizeof(auth));
	cr_assert_eq(invite("a3@x", 2, "alice-desk", auth, r, sizeof(r)), 403, "%s", r);
	cr_assert_null(strstr(r, "Proxy-Authenticate"), "a 403 challenges nothing: %s", r);
	/* no such device in dom */
	proxy_auth("mallory", H_ALICE_PW, RURI, DIGEST_ALG_SHA256, nonce, auth, sizeof(auth));
	cr_assert_eq(invite("a3@x", 3, "alice-desk", auth, r, sizeof(r)), 403, "%s", r);
	/* alice-md5 keeps an MD5 HA1 only: SHA-256 credentials cannot verify */
	proxy_auth("alice-md5", H_ALICE_MD5_PW, RURI, DIGEST_ALG_SHA256, nonce, auth,
		   sizeof(auth));
	cr_assert_eq(invite("a3@x", 4, "alice-md5", auth, r, sizeof(r)), 403, "%s", r);
	cr_expect_eq(CALLS(AUTH_FAILED), 3);
	cr_expect_eq(CALLS(CHALLENGED), 1);
	cr_expect_eq(CALLS(INVITE_NEW), 0);
	cr_expect_eq(route_req(), NULL, "no call was set up");
}

Test(invite_auth, stale_nonce_is_challenged_again_with_stale_true)
{
	struct digest_nonce_scope sc = {.realm = "dom.example", .realm_len = 11};
	char r[2048], nonce[64] = "", auth[1024];

	/* ours, an hour old: the phone retries with the fresh one unasked */
	digest_nonce_make(h.dp->nonce_key, &sc, (uint64_t)time(NULL) - 3600, 0, nonce);
	proxy_auth("alice-desk", H_ALICE_PW, RURI, DIGEST_ALG_SHA256, nonce, auth, sizeof(auth));
	cr_assert_eq(invite("a4@x", 1, "alice-desk", auth, r, sizeof(r)), 407, "%s", r);
	cr_assert_not_null(strstr(r, "stale=true"), "%s", r);
	sip_nonce_of(r, "Proxy-Authenticate", "SHA-256", nonce, sizeof(nonce));
	proxy_auth("alice-desk", H_ALICE_PW, RURI, DIGEST_ALG_SHA256, nonce, auth, sizeof(auth));
	invite("a4@x", 2, "alice-desk", auth, r, sizeof(r));
	expect_call_from(r, "alice-desk", 0);
	cr_expect_eq(CALLS(CHALLENGED), 1);
}

Test(invite_auth, foreign_nonces_realms_and_headers_are_challenged)
{
	char r[2048], auth[1024];

	/* a nonce we never made */
	proxy_auth("alice-desk", H_ALICE_PW, RURI, DIGEST_ALG_SHA256,
		   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", auth, sizeof(auth));
	cr_assert_eq(invite("a5@x", 1, "alice-desk", auth, r, sizeof(r)), 407, "%s", r);
	cr_assert_null(strstr(r, "stale=true"), "%s", r);
	/* credentials for another proxy's realm only */
	sip_cred_line("Proxy-Authorization", "INVITE", "alice-desk", H_ALICE_PW, "other.example", RURI,
		  DIGEST_ALG_MD5, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", auth, sizeof(auth));
	cr_assert_eq(invite("a5@x", 2, "alice-desk", auth, r, sizeof(r)), 407, "%s", r);
	/* a proxy reads Proxy-Authorization; Authorization is the callee's */
	cr_assert_eq(invite("a5@x", 3, "alice-desk", NULL, r, sizeof(r)), 407, "%s", r);
	{
		char nonce[64];

		sip_nonce_of(r, "Proxy-Authenticate", "SHA-256", nonce, sizeof(nonce));
		sip_cred_line("Authorization", "INVITE", "alice-desk", H_ALICE_PW, "dom.example", RURI,
			  DIGEST_ALG_SHA256, nonce, auth, sizeof(auth));
	}
	cr_assert_eq(invite("a5@x", 4, "alice-desk", auth, r, sizeof(r)), 407, "%s", r);
	cr_expect_eq(CALLS(CHALLENGED), 4);
	cr_expect_eq(CALLS(AUTH_FAILED), 0);
	cr_expect_eq(CALLS(INVITE_NEW), 0);
}

Test(invite_auth, malformed_or_misdirected_credentials_get_400)
{
	char r[2048], nonce[64], auth[1024];

	cr_assert_eq(invite("a6@x", 1, "alice-desk",
			    "Proxy-Authorization: Digest username=\"alice-desk\", "
			    "realm=\"dom.example\", uri=\"" RURI "\"\r\n", r, sizeof(r)),
		     400, "%s", r);
	cr_assert_eq(invite("a6@x", 2, "alice-desk", NULL, r, sizeof(r)), 407, "%s", r);
	sip_nonce_of(r, "Proxy-Authenticate", "SHA-256", nonce, sizeof(nonce));
	/* credentials good for a call to 1002 do not make a call to 1001 */
	proxy_auth("alice-desk", H_ALICE_PW, "sip:1002@dom.example", DIGEST_ALG_SHA256, nonce, auth,
		   sizeof(auth));
	cr_assert_eq(invite("a6@x", 3, "alice-desk", auth, r, sizeof(r)), 400, "%s", r);
	cr_expect_eq(CALLS(AUTH_BAD), 2);
	cr_expect_eq(CALLS(INVITE_NEW), 0);
}

/* Sends a REGISTER of alice-desk from 198.18.0.11:5062 (auth may be NULL). */
static int reg(const char *auth, unsigned cseq, char *out, size_t cap)
{
	char msg[2048];
	int len = snprintf(msg, sizeof(msg),
			   "REGISTER sip:dom.example SIP/2.0\r\n"
			   "Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKr%u;rport\r\n"
			   "From: <sip:alice-desk@dom.example>;tag=r%u\r\n"
			   "To: <sip:alice-desk@dom.example>\r\n"
			   "Call-ID: reg-a@x\r\nCSeq: %u REGISTER\r\nMax-Forwards: 70\r\n"
			   "Contact: <sip:alice-desk@198.18.0.11:5062>\r\nExpires: 300\r\n"
			   "%sContent-Length: 0\r\n\r\n",
			   cseq, cseq, cseq, auth ? auth : "");

	return sip_ask(&h, msg, len, "REGISTER", out, cap);
}

/*
 * invite_auth "source": a device calling from where it registered is
 * trusted as before, with no challenge; the same From anywhere else is
 * challenged. The nonce of the REGISTER's 401 serves an INVITE too (one
 * scope: the realm).
 */
Test(invite_auth, registered_source_is_trusted_and_register_nonces_serve)
{
	char r[2048], nonce[64], auth[1024];

	cr_assert_eq(reg(NULL, 1, r, sizeof(r)), 401, "%s", r);
	sip_nonce_of(r, "WWW-Authenticate", "SHA-256", nonce, sizeof(nonce));
	sip_cred_line("Authorization", "REGISTER", "alice-desk", H_ALICE_PW, "dom.example",
		  "sip:dom.example", DIGEST_ALG_SHA256, nonce, auth, sizeof(auth));
	cr_assert_eq(reg(auth, 2, r, sizeof(r)), 200, "%s", r);

	/* from another port of the same host: not where she registered */
	{
		char msg[1024], line[64];
		struct rte_mbuf *m;
		int len = snprintf(msg, sizeof(msg),
				   "INVITE " RURI " SIP/2.0\r\n"
				   "Via: SIP/2.0/UDP 198.18.0.11:5064;branch=z9hG4bKelse;rport\r\n"
				   "From: <sip:alice-desk@dom.example>;tag=e\r\nTo: <" RURI ">\r\n"
				   "Call-ID: else@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
				   "Content-Length: 0\r\n\r\n");

		h_send_udp(&h, H_PEER_IP, 5064, 5080, msg, (uint16_t)len, 0);
		m = h_recv_ip(&h, 1000);
		cr_assert_not_null(m);
		cr_assert_not_null(h_sip_text(m, r, sizeof(r), NULL));
		rte_pktmbuf_free(m);
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(r, "\r"), r);
		cr_assert_str_eq(line, "SIP/2.0 407 Proxy Authentication Required");
	}
	cr_expect_eq(CALLS(CHALLENGED), 1);

	/* from where she registered: a call, no challenge */
	invite("a7@x", 1, "alice-desk", NULL, r, sizeof(r));
	expect_call_from(r, "alice-desk", 0);
	cr_expect_eq(CALLS(CHALLENGED), 1);
	cr_expect_eq(CALLS(AUTHENTICATED), 0);
}

/* The nonce of a REGISTER's challenge makes an INVITE's credentials. */
Test(invite_auth, a_register_nonce_serves_an_invite)
{
	char r[2048], nonce[64], auth[1024];

	cr_assert_eq(reg(NULL, 1, r, sizeof(r)), 401, "%s", r);
	sip_nonce_of(r, "WWW-Authenticate", "SHA-256", nonce, sizeof(nonce));
	proxy_auth("alice-desk", H_ALICE_PW, RURI, DIGEST_ALG_SHA256, nonce, auth, sizeof(auth));
	invite("a8@x", 1, "someone", auth, r, sizeof(r));
	expect_call_from(r, "alice-desk", 0);
	cr_expect_eq(CALLS(CHALLENGED), 0);
}
