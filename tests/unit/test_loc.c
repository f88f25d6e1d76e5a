/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the location service (dataplane/sip/loc.c): RFC 3261
 * §10.3 binding rules (refresh, out-of-order CSeq, removal, "*"), RFC 5626
 * instance matching, the per-device contact limit, lapsing, q order, and
 * lock-free reads racing a writer on another thread.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sip/loc.h"

static struct loc_aor aor;

static void setup(void)
{
	loc_init(&aor, 1);
}

TestSuite(loc, .init = setup);

static struct loc_reg reg(uint64_t now_ms, uint32_t callid, uint32_t cseq)
{
	return (struct loc_reg){
		.now_ms = now_ms, .now_s = 1700000000, .src_ip = 0xc6120b01,
		.src_port = 5062, .callid_hash = callid, .cseq = cseq,
		.ua = "softphone/1.0", .ua_len = 13, .max_contacts = 3,
	};
}

static struct loc_binding bind(const char *uri, uint32_t expires_s)
{
	return (struct loc_binding){.uri = uri, .uri_len = strlen(uri),
				    .expires_s = expires_s, .q = 1000};
}

static int apply1(struct loc_reg r, struct loc_binding b)
{
	int delta = 0x7fff, err = loc_apply(&aor, &r, &b, 1, &delta);

	return err ? err : delta;
}

Test(loc, register_then_read)
{
	struct loc_contact out[LOC_MAX_CONTACTS];

	cr_assert_eq(apply1(reg(1000, 7, 1), bind("sip:alice@198.18.0.11:5062", 3600)), 1);
	cr_assert_eq(loc_read(&aor, 1000, out), 1);
	cr_assert_str_eq(out[0].uri, "sip:alice@198.18.0.11:5062");
	cr_assert_eq(out[0].expires_ms, 1000 + 3600 * 1000);
	cr_assert_eq(out[0].src_ip, 0xc6120b01);
	cr_assert_eq(out[0].src_port, 5062);
	cr_assert_str_eq(out[0].ua, "softphone/1.0");
	cr_assert_eq(out[0].since_s, 1700000000);
}

Test(loc, refresh_and_out_of_order)
{
	struct loc_contact out[LOC_MAX_CONTACTS];
	const char *u = "sip:alice@198.18.0.11";

	cr_assert_eq(apply1(reg(0, 7, 5), bind(u, 60)), 1);
	/* the same Call-ID must move CSeq forward (§10.3 step 7) */
	cr_assert_eq(apply1(reg(10, 7, 5), bind(u, 120)), -ESTALE);
	cr_assert_eq(apply1(reg(10, 7, 4), bind(u, 120)), -ESTALE);
	cr_assert_eq(loc_read(&aor, 10, out), 1);
	cr_assert_eq(out[0].expires_ms, 60000);
	cr_assert_eq(apply1(reg(10, 7, 6), bind(u, 120)), 0);
	cr_assert_eq(loc_read(&aor, 10, out), 1);
	cr_assert_eq(out[0].expires_ms, 10 + 120000);
	cr_assert_eq(out[0].since_s, 1700000000, "a refresh keeps the first time");
	/* another Call-ID (a rebooted device) may use any CSeq */
	cr_assert_eq(apply1(reg(20, 8, 1), bind(u, 30)), 0);
	cr_assert_eq(loc_read(&aor, 20, out), 1);
	cr_assert_eq(out[0].callid_hash, 8);
}

Test(loc, expires_zero_and_star_remove)
{
	struct loc_contact out[LOC_MAX_CONTACTS];
	struct loc_reg r = reg(0, 7, 1);
	struct loc_binding b[2] = {bind("sip:a@h1", 60), bind("sip:a@h2", 60)};
	int delta;

	cr_assert_eq(loc_apply(&aor, &r, b, 2, &delta), 0);
	cr_assert_eq(delta, 2);
	cr_assert_eq(apply1(reg(1, 7, 2), bind("sip:a@h1", 0)), -1);
	cr_assert_eq(loc_read(&aor, 1, out), 1);
	cr_assert_str_eq(out[0].uri, "sip:a@h2");
	/* removing what is not there changes nothing */
	cr_assert_eq(apply1(reg(1, 7, 3), bind("sip:a@h9", 0)), 0);
	/* h2 was bound by CSeq 1 of this Call-ID */
	r = reg(2, 7, 1);
	r.star = true;
	cr_assert_eq(loc_apply(&aor, &r, NULL, 0, &delta), -ESTALE);
	r.cseq = 4;
	cr_assert_eq(loc_apply(&aor, &r, NULL, 0, &delta), 0);
	cr_assert_eq(delta, -1);
	cr_assert_eq(loc_read(&aor, 2, out), 0);
}

Test(loc, instance_identifies_the_device)
{
	struct loc_contact out[LOC_MAX_CONTACTS];
	struct loc_binding b = bind("sip:a@198.18.0.11:5062", 60);
	const char *inst = "<urn:uuid:00000000-0000-1000-8000-000a95a0e128>";

	b.instance = inst;
	b.instance_len = strlen(inst);
	cr_assert_eq(apply1(reg(0, 1, 1), b), 1);
	/* the same device, moved to another address: replaced, not added */
	b.uri = "sip:a@198.18.0.12:5062";
	b.uri_len = strlen(b.uri);
	cr_assert_eq(apply1(reg(5, 1, 2), b), 0);
	cr_assert_eq(loc_read(&aor, 5, out), 1);
	cr_assert_str_eq(out[0].uri, "sip:a@198.18.0.12:5062");
	cr_assert_str_eq(out[0].instance, inst);
}

Test(loc, limit_replaces_the_soonest_to_lapse)
{
	struct loc_contact out[LOC_MAX_CONTACTS];

	cr_assert_eq(apply1(reg(0, 1, 1), bind("sip:a@h1", 300)), 1);
	cr_assert_eq(apply1(reg(0, 2, 1), bind("sip:a@h2", 100)), 1);
	cr_assert_eq(apply1(reg(0, 3, 1), bind("sip:a@h3", 200)), 1);
	cr_assert_eq(apply1(reg(0, 4, 1), bind("sip:a@h4", 400)), 0);
	cr_assert_eq(loc_read(&aor, 0, out), 3);
	for (unsigned i = 0; i < 3; i++)
		cr_assert_str_neq(out[i].uri, "sip:a@h2");
}

Test(loc, lapsed_bindings_are_gone)
{
	struct loc_contact out[LOC_MAX_CONTACTS];

	cr_assert_eq(apply1(reg(0, 1, 1), bind("sip:a@h1", 10)), 1);
	cr_assert_eq(apply1(reg(0, 2, 1), bind("sip:a@h2", 20)), 1);
	cr_assert_eq(loc_read(&aor, 9999, out), 2);
	cr_assert_eq(loc_read(&aor, 10000, out), 1);
	cr_assert_eq(loc_expire(&aor, 10000), 1);
	cr_assert_eq(loc_expire(&aor, 10000), 0);
	cr_assert_eq(aor.n, 1);
	/* a lapsed binding not yet swept is dropped by the next REGISTER */
	cr_assert_eq(apply1(reg(30000, 3, 1), bind("sip:a@h3", 20)), 0);
	cr_assert_eq(aor.n, 1);
}

Test(loc, too_long_changes_nothing)
{
	char uri[LOC_URI_LEN + 8];
	struct loc_reg r = reg(0, 1, 1);
	struct loc_binding b[2];
	int delta = 0;

	memset(uri, 'x', sizeof(uri) - 1);
	uri[sizeof(uri) - 1] = '\0';
	b[0] = bind("sip:a@h1", 60);
	b[1] = bind(uri, 60);
	cr_assert_eq(loc_apply(&aor, &r, b, 2, &delta), -ENAMETOOLONG);
	cr_assert_eq(aor.n, 0);
	r.max_contacts = LOC_MAX_CONTACTS + 1;
	cr_assert_eq(loc_apply(&aor, &r, b, 1, &delta), -EINVAL);
}

Test(loc, read_orders_by_q)
{
	struct loc_contact out[LOC_MAX_CONTACTS];
	struct loc_reg r = reg(0, 1, 1);
	struct loc_binding b[3] = {bind("sip:a@low", 60), bind("sip:a@high", 60),
				   bind("sip:a@mid", 60)};
	int delta;

	b[0].q = 100;
	b[2].q = 500;
	cr_assert_eq(loc_apply(&aor, &r, b, 3, &delta), 0);
	cr_assert_eq(loc_read(&aor, 0, out), 3);
	cr_assert_str_eq(out[0].uri, "sip:a@high");
	cr_assert_str_eq(out[1].uri, "sip:a@mid");
	cr_assert_str_eq(out[2].uri, "sip:a@low");
}

/*
 * A writer flips the AOR between two registrations whose fields agree
 * with each other (port = URI length); readers on other threads must
 * never see a mix.
 */
static volatile int race_stop;

static void *race_writer(void *arg)
{
	uint32_t cseq = 1;

	(void)arg;
	for (int i = 0; i < 200000; i++) {
		struct loc_reg r = reg(0, 1, cseq++);
		const char *u = (i & 1) ? "sip:a@short" : "sip:alice@a-much-longer-host.example";
		struct loc_binding b = bind(u, 60);
		int delta;

		r.star = false;
		r.src_port = (uint16_t)strlen(u);
		r.max_contacts = 1;
		cr_assert_eq(loc_apply(&aor, &r, &b, 1, &delta), 0);
	}
	race_stop = 1;
	return NULL;
}

static void *race_reader(void *arg)
{
	struct loc_contact out[LOC_MAX_CONTACTS];
	unsigned long *reads = arg;

	while (!race_stop) {
		unsigned n = loc_read(&aor, 0, out);

		for (unsigned i = 0; i < n; i++) {
			if (out[i].src_port != out[i].uri_len ||
			    strlen(out[i].uri) != out[i].uri_len) {
				fprintf(stderr, "torn read: %u %u %s\n", out[i].src_port,
					out[i].uri_len, out[i].uri);
				abort();
			}
		}
		cr_assert_leq(n, 1);
		++*reads;
	}
	return NULL;
}

Test(loc, readers_never_see_a_torn_aor)
{
	pthread_t w, r[2];
	unsigned long reads[2] = {0, 0};

	race_stop = 0;
	cr_assert_eq(pthread_create(&r[0], NULL, race_reader, &reads[0]), 0);
	cr_assert_eq(pthread_create(&r[1], NULL, race_reader, &reads[1]), 0);
	cr_assert_eq(pthread_create(&w, NULL, race_writer, NULL), 0);
	pthread_join(w, NULL);
	pthread_join(r[0], NULL);
	pthread_join(r[1], NULL);
	cr_assert_gt(reads[0] + reads[1], 0);
}

Test(loc, restore_keeps_what_is_valid_and_fits)
{
	struct loc_contact saved[LOC_MAX_CONTACTS + 2], out[LOC_MAX_CONTACTS];
	unsigned n = LOC_MAX_CONTACTS + 2;

	/* what the AOR held before is replaced */
	cr_assert_eq(apply1(reg(1000, 1, 1), bind("sip:old@198.18.0.9", 600)), 1);
	memset(saved, 0, sizeof(saved));
	for (unsigned i = 0; i < n; i++) {
		saved[i].uri_len = (uint8_t)snprintf(saved[i].uri, sizeof(saved[i].uri),
						     "sip:dev%u@198.18.0.%u", i, 20 + i);
		saved[i].expires_ms = 50000 + i;
		saved[i].q = 1000;
	}
	saved[1].expires_ms = 4000;  /* lapsed by now (5000) */
	saved[2].uri_len = 0;        /* a row this build could not hold */
	cr_expect_eq(loc_restore(&aor, saved, n, 5000), LOC_MAX_CONTACTS);
	cr_expect_eq(loc_read(&aor, 5000, out), LOC_MAX_CONTACTS);
	for (unsigned i = 0; i < LOC_MAX_CONTACTS; i++) {
		cr_expect_neq(strcmp(out[i].uri, "sip:old@198.18.0.9"), 0);
		cr_expect_neq(strcmp(out[i].uri, "sip:dev1@198.18.0.21"), 0);
		cr_expect_neq(out[i].uri_len, 0);
	}
	cr_expect_eq(loc_restore(&aor, NULL, 0, 5000), 0);
	cr_expect_eq(loc_read(&aor, 5000, out), 0);
}
