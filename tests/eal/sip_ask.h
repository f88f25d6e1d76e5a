/* SPDX-License-Identifier: MIT */
/*
 * What the registrar and INVITE-auth tests both do: send a request from
 * the peer (198.18.0.11:5062) and read the reply, take the nonce out of a
 * challenge, and answer it with a digest credentials line. Static: each
 * test file that includes it gets its own copy (as tests/unit/test_util.h).
 */
#ifndef SLUICE_TEST_SIP_ASK_H
#define SLUICE_TEST_SIP_ASK_H

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dp_harness.h"
#include "sip/digest.h"

/* Sends msg[0..len) to port 5080 and returns the status of the reply (its
 * text in out); what names the request in a failure. */
static inline int sip_ask(struct harness *h, const char *msg, int len, const char *what,
			  char *out, size_t cap)
{
	struct rte_mbuf *m;
	int code;

	cr_assert(len > 0 && (size_t)len < 2048);
	h_send_udp(h, H_PEER_IP, 5062, 5080, msg, (uint16_t)len, 0);
	m = h_recv_ip(h, 1000);
	cr_assert_not_null(m, "no answer to %s", what);
	cr_assert_not_null(h_sip_text(m, out, cap, NULL));
	rte_pktmbuf_free(m);
	cr_assert(sscanf(out, "SIP/2.0 %d", &code) == 1);
	return code;
}

/* The nonce of the challenge header hdr ("WWW-Authenticate",
 * "Proxy-Authenticate") for algorithm alg in reply. */
static inline void sip_nonce_of(const char *reply, const char *hdr, const char *alg,
				char *nonce, size_t cap)
{
	char want[64];
	size_t hl = strlen(hdr);
	const char *p, *q;

	snprintf(want, sizeof(want), "algorithm=%s,", alg);
	p = strstr(reply, want);
	cr_assert_not_null(p, "no %s challenge in:\n%s", alg, reply);
	while (p > reply && !(strncmp(p, hdr, hl) == 0 && p[hl] == ':'))
		p--;
	cr_assert(p > reply, "not in a %s:\n%s", hdr, reply);
	p = strstr(p, "nonce=\"");
	cr_assert_not_null(p);
	p += 7;
	q = strchr(p, '"');
	cr_assert_not_null(q);
	cr_assert((size_t)(q - p) < cap);
	memcpy(nonce, p, (size_t)(q - p));
	nonce[q - p] = '\0';
}

/*
 * A credentials line (hdr_name: "Authorization", "Proxy-Authorization")
 * for method and uri, answering nonce of realm with user's password pw.
 */
static inline void sip_cred_line_nc(const char *hdr_name, const char *method, const char *user,
				    const char *pw, const char *realm, const char *uri,
				    enum digest_alg alg, const char *nonce, unsigned nc, char *out,
				    size_t cap)
{
	char hdr[1024], ha1[DIGEST_HEX_MAX + 1], resp[DIGEST_HEX_MAX + 1];
	const char *fmt = "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
			  "response=\"%s\", algorithm=%s, qop=auth, nc=%08x, "
			  "cnonce=\"0a4f113b\"";
	struct digest_cred c;
	size_t n;

	snprintf(hdr, sizeof(hdr), fmt, user, realm, nonce, uri,
		 alg == DIGEST_ALG_MD5 ? "00000000000000000000000000000000"
				       : "0000000000000000000000000000000000000000000000000000000000000000",
		 digest_alg_name(alg), nc);
	n = strlen(hdr);
	cr_assert_eq(digest_parse(hdr, n, &c), (int)n);
	cr_assert_gt(digest_ha1(alg, user, realm, pw, ha1), 0);
	cr_assert_gt(digest_response(&c, method, strlen(method), ha1, strlen(ha1), resp), 0);
	snprintf(out, cap, "%s: ", hdr_name);
	snprintf(out + strlen(out), cap - strlen(out), fmt, user, realm, nonce, uri, resp,
		 digest_alg_name(alg), nc);
	snprintf(out + strlen(out), cap - strlen(out), "\r\n");
}

/* The same with nonce count 1, a nonce's first use. */
static inline void sip_cred_line(const char *hdr_name, const char *method, const char *user,
				 const char *pw, const char *realm, const char *uri,
				 enum digest_alg alg, const char *nonce, char *out, size_t cap)
{
	sip_cred_line_nc(hdr_name, method, user, pw, realm, uri, alg, nonce, 1, out, cap);
}

#endif
