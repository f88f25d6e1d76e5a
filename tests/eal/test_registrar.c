/* SPDX-License-Identifier: MIT */
/*
 * The registrar on the workers, end to end inside one process: REGISTERs
 * go in through the net_ring port, the io lcore attributes them to the
 * harness tenant "dom", a worker challenges, authenticates (digest, MD5
 * and SHA-256, password and stored HA1), binds, lists, refuses and
 * unbinds, and the replies come back out, checked as text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "dp.h"
#include "dp_harness.h"
#include "h_suite.h"
#include "sip/digest.h"
#include "sip_ask.h"
#include "sip/loc.h"
#include "tenant.h"

TestSuite(reg, .init = h_suite_start, .fini = h_suite_stop, .timeout = 60);

/* Sends a REGISTER for AOR user@dom.example; returns the status, reply in out. */
static int reg_send(const char *user, const char *auth, const char *contacts,
		    const char *expires, unsigned cseq, const char *callid, char *out, size_t cap)
{
	char msg[2048];
	int len = snprintf(msg, sizeof(msg),
			   "REGISTER sip:dom.example SIP/2.0\r\n"
			   "Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKreg%u%s;rport\r\n"
			   "From: <sip:%s@dom.example>;tag=f%u\r\nTo: <sip:%s@dom.example>\r\n"
			   "Call-ID: %s\r\nCSeq: %u REGISTER\r\nMax-Forwards: 70\r\n"
			   "%s%s%s%s%s"
			   "User-Agent: harness/1\r\nContent-Length: 0\r\n\r\n",
			   cseq, callid, user, cseq, user, callid, cseq,
			   contacts ? contacts : "", expires ? "Expires: " : "",
			   expires ? expires : "", expires ? "\r\n" : "", auth ? auth : "");

	return sip_ask(&h, msg, len, "REGISTER", out, cap);
}

/* An Authorization header of a REGISTER answering nonce with password pw. */
static void auth_hdr(const char *user, const char *pw, enum digest_alg alg, const char *nonce,
		     char *out, size_t cap)
{
	sip_cred_line("Authorization", "REGISTER", user, pw, "dom.example", "sip:dom.example", alg,
		      nonce, out, cap);
}

static struct tenant_state *dom_state(void)
{
	int t = tenant_by_id(h.dp->snap, "dom");

	cr_assert_geq(t, 0);
	return h.dp->snap->t[t].st;
}

#define CONTACT1 "Contact: <sip:alice-desk@198.18.0.11:5062>\r\n"

Test(reg, unauthenticated_register_is_challenged_sha256_first)
{
	char r[4096];
	const char *sha, *md5;

	cr_assert_eq(reg_send("alice-desk", NULL, CONTACT1, "3600", 1, "c1", r, sizeof(r)), 401);
	sha = strstr(r, "WWW-Authenticate: Digest realm=\"dom.example\"");
	cr_assert_not_null(sha, "%s", r);
	cr_assert_not_null(strstr(r, "algorithm=SHA-256"));
	md5 = strstr(r, "algorithm=MD5");
	cr_assert_not_null(md5);
	cr_assert_lt(strstr(r, "algorithm=SHA-256"), md5, "SHA-256 is offered first");
	cr_assert_not_null(strstr(r, "qop=\"auth\""));
	cr_assert_eq(H_STAT(&h, w_reg_challenged), 1);
}

static int reg_auth(const char *user, const char *pw, enum digest_alg alg, const char *contacts,
		    const char *expires, unsigned cseq, const char *callid, char *r, size_t cap)
{
	char nonce[64], auth[1024];

	cr_assert_eq(reg_send(user, NULL, contacts, expires, cseq, callid, r, cap), 401);
	sip_nonce_of(r, "WWW-Authenticate", alg == DIGEST_ALG_MD5 ? "MD5" : "SHA-256", nonce,
		     sizeof(nonce));
	auth_hdr(user, pw, alg, nonce, auth, sizeof(auth));
	return reg_send(user, auth, contacts, expires, cseq + 1, callid, r, cap);
}

Test(reg, md5_and_sha256_digest_bind_and_list)
{
	char r[4096];
	struct loc_contact cur[LOC_MAX_CONTACTS];

	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, CONTACT1, "1800", 1, "c2",
			      r, sizeof(r)),
		     200, "%s", r);
	cr_assert_not_null(strstr(r, "\r\nContact: <sip:alice-desk@198.18.0.11:5062>;expires=1800\r\n"),
			   "%s", r);
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 1);
	/* the binding keeps where the REGISTER came from (NAT) */
	cr_assert_eq(loc_read(&h.dp->loc[0], 0, cur), 1);
	cr_assert_eq(cur[0].src_ip, H_PEER_IP);
	cr_assert_eq(cur[0].src_port, 5062);
	cr_assert_str_eq(cur[0].ua, "harness/1");
	/* a second binding by SHA-256; the 200 lists both */
	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_SHA256,
			      "Contact: <sip:alice-desk@198.18.0.11:5064>;expires=600\r\n", NULL, 1,
			      "c3", r, sizeof(r)),
		     200, "%s", r);
	cr_assert_not_null(strstr(r, ":5062>;expires="));
	cr_assert_not_null(strstr(r, ":5064>;expires=600\r\n"));
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 2);
	/* a device stored as an MD5 HA1 */
	cr_assert_eq(reg_auth("alice-md5", H_ALICE_MD5_PW, DIGEST_ALG_MD5,
			      "Contact: <sip:alice-md5@198.18.0.11:5066>\r\n", NULL, 1, "c4", r,
			      sizeof(r)),
		     200, "%s", r);
	cr_assert_eq(H_STAT(&h, w_reg_ok), 3);
}

Test(reg, wrong_password_unknown_user_and_foreign_aor_are_forbidden)
{
	char r[4096], nonce[64], auth[1024];

	cr_assert_eq(reg_auth("alice-desk", "not-the-password", DIGEST_ALG_MD5, CONTACT1, NULL, 1,
			      "c5", r, sizeof(r)),
		     403);
	cr_assert_eq(reg_auth("mallory", "whatever1", DIGEST_ALG_MD5, CONTACT1, NULL, 3, "c6", r,
			      sizeof(r)),
		     403);
	/* right credentials, but for another device's AOR */
	cr_assert_eq(reg_send("alice-md5", NULL, CONTACT1, NULL, 5, "c7", r, sizeof(r)), 401);
	sip_nonce_of(r, "WWW-Authenticate", "MD5", nonce, sizeof(nonce));
	auth_hdr("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, nonce, auth, sizeof(auth));
	cr_assert_eq(reg_send("alice-md5", auth, CONTACT1, NULL, 6, "c7", r, sizeof(r)), 403);
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 0);
	cr_assert_eq(H_STAT(&h, w_reg_denied), 3);
}

Test(reg, old_nonce_is_stale)
{
	struct digest_nonce_scope sc = {.realm = "dom.example", .realm_len = 11};
	char r[4096], nonce[DIGEST_NONCE_LEN + 1] = {0}, auth[1024];

	digest_nonce_make(h.dp->nonce_key, &sc, (uint64_t)time(NULL) - 3600, 0, nonce);
	auth_hdr("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, nonce, auth, sizeof(auth));
	cr_assert_eq(reg_send("alice-desk", auth, CONTACT1, NULL, 1, "c8", r, sizeof(r)), 401);
	cr_assert_not_null(strstr(r, "stale=true"), "%s", r);
}

/* A REGISTER sent again as captured (the same nonce and nonce count) is a
 * replay: challenged again with stale=true, bound nothing; the device's own
 * next REGISTER with the next count goes through. */
Test(reg, replayed_credentials_are_challenged_again)
{
	char r[4096], nonce[64], auth[1024];

	cr_assert_eq(reg_send("alice-desk", NULL, CONTACT1, NULL, 1, "rp", r, sizeof(r)), 401);
	sip_nonce_of(r, "WWW-Authenticate", "MD5", nonce, sizeof(nonce));
	auth_hdr("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, nonce, auth, sizeof(auth));
	cr_assert_eq(reg_send("alice-desk", auth, CONTACT1, NULL, 2, "rp", r, sizeof(r)), 200);
	/* the same bytes again, and from another Call-ID (another worker) */
	cr_assert_eq(reg_send("alice-desk", auth, CONTACT1, NULL, 2, "rp", r, sizeof(r)), 401);
	cr_assert_not_null(strstr(r, "stale=true"), "%s", r);
	cr_assert_eq(reg_send("alice-desk", auth, "Contact: <sip:mallory@198.18.0.66:5062>\r\n",
			      NULL, 2, "rp-elsewhere", r, sizeof(r)),
		     401);
	cr_assert_eq(H_STAT(&h, w_auth_replay), 2);
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 1, "nothing bound");
	/* the device reuses its nonce with the next count (RFC 7616 §3.4) */
	sip_cred_line_nc("Authorization", "REGISTER", "alice-desk", H_ALICE_PW, "dom.example",
			 "sip:dom.example", DIGEST_ALG_MD5, nonce, 2, auth, sizeof(auth));
	cr_assert_eq(reg_send("alice-desk", auth, CONTACT1, NULL, 3, "rp", r, sizeof(r)), 200);
	cr_assert_eq(H_STAT(&h, w_auth_replay), 2);
}

Test(reg, too_brief_unregister_and_star)
{
	char r[4096];

	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, CONTACT1, "10", 1, "c9", r,
			      sizeof(r)),
		     423);
	cr_assert_not_null(strstr(r, "\r\nMin-Expires: 60\r\n"));
	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, CONTACT1, "120", 3, "c9",
			      r, sizeof(r)),
		     200);
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 1);
	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, CONTACT1, "0", 5, "c9", r,
			      sizeof(r)),
		     200);
	cr_assert_null(strstr(r, "\r\nContact:"), "%s", r);
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 0);
	/* "*" needs Expires: 0 */
	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, "Contact: *\r\n", NULL, 7,
			      "c9", r, sizeof(r)),
		     400);
	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, "Contact: *\r\n", "0", 9,
			      "c9", r, sizeof(r)),
		     200);
}

Test(reg, tenant_registration_limit_lets_refreshes_through)
{
	char r[4096], c[128];

	for (unsigned i = 0; i < H_DOM_REGS; i++) {
		snprintf(c, sizeof(c), "Contact: <sip:alice-desk@198.18.0.11:%u>\r\n", 6000 + i);
		cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, c, NULL, 1, "lim",
				      r, sizeof(r)),
			     200, "%s", r);
	}
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), (int)H_DOM_REGS);
	/* one more binding: refused */
	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5,
			      "Contact: <sip:alice-desk@198.18.0.11:7000>\r\n", NULL, 1, "lim2", r,
			      sizeof(r)),
		     403);
	cr_assert_eq(dom_state()->rej_regs, 1);
	/* a refresh of a bound contact still passes */
	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5,
			      "Contact: <sip:alice-desk@198.18.0.11:6000>\r\n", NULL, 1, "lim3", r,
			      sizeof(r)),
		     200);
}

/* ---- reloads: tenants change under registered devices ---- */

/* Reloads the harness config with these "dom" settings; the dataplane's rc. */
static int reload_with(unsigned dom_regs, const char *dom_users, char *err, size_t cap)
{
	static char text[128 * 1024];
	char path[] = "/tmp/sluice-reload-XXXXXX";
	struct cfg_errors errs;
	struct cfg *c = calloc(1, sizeof(*c));
	int fd = mkstemp(path), rc;
	FILE *f = fdopen(fd, "w");

	cr_assert(c && f);
	cr_assert_lt((size_t)h_config_text(text, sizeof(text), 2, dom_regs, dom_users),
		     sizeof(text));
	fputs(text, f);
	fclose(f);
	rc = cfg_load(path, c, &errs);
	unlink(path);
	cr_assert_eq(rc, 0, "%s", errs.msg[0]);
	rc = tenant_reload(h.dp, c, err, cap);
	if (rc < 0) {
		cfg_free(c);
		free(c);
	}
	return rc;
}

static struct loc_aor *aor_of(const char *user)
{
	int t = tenant_by_id(h.dp->snap, "dom");
	int d = tenant_dev_find(h.dp->snap, (uint32_t)t, user, strlen(user));

	cr_assert_geq(d, 0, "no device %s", user);
	return &h.dp->loc[h.dp->snap->devs[d].loc];
}

#define BOB ", { name = \"bob\"; extension = \"1002\"; devices = ( " \
	    "{ username = \"bob-desk\"; password = \"bobpass123\"; } ); }"

Test(reg, reload_keeps_bindings_and_applies_new_limits)
{
	struct loc_contact cur[LOC_MAX_CONTACTS];
	char r[4096], err[256];
	uint32_t gen = h.dp->snap->gen;

	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, CONTACT1, NULL, 1, "k1", r,
			      sizeof(r)),
		     200);
	/* bob arrives, alice-md5 goes, and dom may hold one binding */
	cr_assert_eq(reload_with(1, BOB, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(h.dp->snap->gen, gen + 1);
	cr_assert_eq(loc_read(aor_of("alice-desk"), 0, cur), 1, "alice keeps her binding");
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 1);
	cr_assert_eq(reg_auth("bob-desk", "bobpass123", DIGEST_ALG_MD5,
			      "Contact: <sip:bob-desk@198.18.0.11:5062>\r\n", NULL, 1, "k2", r,
			      sizeof(r)),
		     403, "over the new limit: %s", r);
	cr_assert_eq(reg_auth("alice-md5", H_ALICE_MD5_PW, DIGEST_ALG_MD5, CONTACT1, NULL, 1, "k3",
			      r, sizeof(r)),
		     403, "a device that is gone");
	/* the limit goes up again: bob gets in */
	cr_assert_eq(reload_with(5, BOB, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(reg_auth("bob-desk", "bobpass123", DIGEST_ALG_MD5,
			      "Contact: <sip:bob-desk@198.18.0.11:5062>\r\n", NULL, 3, "k2", r,
			      sizeof(r)),
		     200, "%s", r);
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 2);
	cr_assert_eq(loc_read(aor_of("alice-desk"), 0, cur), 1);
}

Test(reg, removed_device_gives_back_its_bindings_and_slot)
{
	char r[4096], err[256];
	uint32_t free_before = h.dp->loc_slots.n_free;

	cr_assert_eq(reg_auth("alice-md5", H_ALICE_MD5_PW, DIGEST_ALG_MD5,
			      "Contact: <sip:alice-md5@198.18.0.11:5066>\r\n", NULL, 1, "m1", r,
			      sizeof(r)),
		     200);
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 1);
	cr_assert_eq(reload_with(H_DOM_REGS, "", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(__atomic_load_n(&dom_state()->regs, __ATOMIC_RELAXED), 0);
	cr_assert_eq(h.dp->loc_slots.n_free, free_before + 1);
	/* put back: a fresh slot, challenged and registered from scratch */
	cr_assert_eq(reload_with(H_DOM_REGS, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(h.dp->loc_slots.n_free, free_before);
	cr_assert_eq(loc_read(aor_of("alice-md5"), 0, (struct loc_contact[LOC_MAX_CONTACTS]){0}),
		     0);
}

Test(reg, reload_beyond_the_location_table_changes_nothing)
{
	struct loc_contact cur[LOC_MAX_CONTACTS];
	static char users[64 * 1024];
	char r[4096], err[256];
	const struct tenant_snap *before;
	size_t n = 0;

	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, CONTACT1, NULL, 1, "x1", r,
			      sizeof(r)),
		     200);
	for (unsigned i = 0; i <= h.dp->loc_slots.n_free; i++)
		n += (size_t)snprintf(users + n, sizeof(users) - n,
				      ", { name = \"u%u\"; extension = \"%u\"; devices = ( "
				      "{ username = \"d%u\"; password = \"password%u\"; } ); }",
				      i, 2000 + i, i, i);
	cr_assert_lt(n, sizeof(users) - 1);
	before = h.dp->snap;
	cr_assert_eq(reload_with(H_DOM_REGS, users, err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "registration slots"), "%s", err);
	cr_assert_eq(h.dp->snap, before);
	cr_assert_eq(loc_read(aor_of("alice-desk"), 0, cur), 1);
	cr_assert_eq(reg_auth("alice-desk", H_ALICE_PW, DIGEST_ALG_MD5, CONTACT1, NULL, 3, "x1", r,
			      sizeof(r)),
		     200);
}
