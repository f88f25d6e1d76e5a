/* SPDX-License-Identifier: MIT */
/*
 * The registration store (controlplane/reg_store.c) on a real SQLite file:
 * a device's bindings round-trip with every field, a put replaces the
 * device's rows, load groups rows by device, lapsed rows are purged, the
 * expiry follows the clock it is read with, the file keeps its rows across
 * a reopen, and a file of a newer schema is refused.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "reg_store.h"
#include "test_db_dir.h"

static struct reg_store *s;

static void setup(void)
{
	db_dir_make("test_reg_store");
	s = reg_store_open(path);
	cr_assert_not_null(s);
}

static void teardown(void)
{
	reg_store_close(s);
	db_dir_remove();
}

TestSuite(reg_store, .init = setup, .fini = teardown);

#define OFF 1700000000000LL /* Unix ms minus monotonic ms, as saved */

static struct loc_contact contact(const char *uri, const char *inst, uint64_t expires_ms)
{
	struct loc_contact c = {
		.expires_ms = expires_ms, .since_s = 1700000100, .src_ip = 0xc6120b01,
		.src_port = 5062, .q = 500, .callid_hash = 0xdeadbeef, .cseq = 7,
	};

	c.uri_len = (uint8_t)snprintf(c.uri, sizeof(c.uri), "%s", uri);
	c.instance_len = (uint8_t)snprintf(c.instance, sizeof(c.instance), "%s", inst);
	c.ua_len = (uint8_t)snprintf(c.ua, sizeof(c.ua), "deskphone/2.1");
	return c;
}

static void put(const char *tenant, const char *dev, const struct loc_contact *c, unsigned n,
		int64_t off)
{
	cr_assert_eq(reg_store_begin(s), 0);
	cr_assert_eq(reg_store_put(s, tenant, dev, c, n, off), 0);
	cr_assert_eq(reg_store_commit(s), 0);
}

/* A purge up to unix_ms (0: a clear instead), in a transaction of its own. */
static void sweep(uint64_t unix_ms)
{
	cr_assert_eq(reg_store_begin(s), 0);
	cr_assert_eq(unix_ms ? reg_store_purge(s, unix_ms) : reg_store_clear(s), 0);
	cr_assert_eq(reg_store_commit(s), 0);
}

/* What load delivered: devices in order, and the last device's bindings. */
struct seen {
	char devs[256];
	unsigned n_devs;
	struct loc_contact c[LOC_MAX_CONTACTS];
	unsigned n;
};

static int on_dev(void *arg, const char *tenant, const char *device, const struct loc_contact *c,
		  unsigned n)
{
	struct seen *v = arg;
	size_t len = strlen(v->devs);

	snprintf(v->devs + len, sizeof(v->devs) - len, "%s%s/%s:%u", len ? " " : "", tenant,
		 device, n);
	v->n_devs++;
	memcpy(v->c, c, n * sizeof(*c));
	v->n = n;
	return 0;
}

static struct seen load(int64_t off)
{
	struct seen v = { 0 };

	cr_assert_eq(reg_store_load(s, off, on_dev, &v), 0);
	return v;
}

Test(reg_store, a_device_round_trips_with_every_field)
{
	struct loc_contact c[2] = {
		contact("sip:alice@198.18.0.11:5062", "", 5000),
		contact("sip:alice@198.18.0.21:5070;transport=udp",
			"<urn:uuid:00000000-0000-1000-8000-000a95a0e128>", 9000),
	};
	struct seen v;

	put("lab", "alice", c, 2, OFF);
	v = load(OFF);
	cr_expect_str_eq(v.devs, "lab/alice:2");
	/* latest expiry first */
	cr_expect_str_eq(v.c[0].uri, c[1].uri);
	cr_expect_eq(v.c[0].uri_len, c[1].uri_len);
	cr_expect_str_eq(v.c[0].instance, c[1].instance);
	cr_expect_eq(v.c[0].instance_len, c[1].instance_len);
	cr_expect_str_eq(v.c[0].ua, "deskphone/2.1");
	cr_expect_eq(v.c[0].ua_len, 13);
	cr_expect_eq(v.c[0].expires_ms, 9000);
	cr_expect_eq(v.c[1].expires_ms, 5000);
	cr_expect_eq(v.c[1].src_ip, 0xc6120b01);
	cr_expect_eq(v.c[1].src_port, 5062);
	cr_expect_eq(v.c[1].q, 500);
	cr_expect_eq(v.c[1].callid_hash, 0xdeadbeef);
	cr_expect_eq(v.c[1].cseq, 7);
	cr_expect_eq(v.c[1].since_s, 1700000100);
}

Test(reg_store, a_put_replaces_the_devices_rows)
{
	struct loc_contact c[2] = {
		contact("sip:bob@198.18.0.12:5062", "", 5000),
		contact("sip:bob@198.18.0.13:5062", "", 6000),
	};
	struct seen v;

	put("lab", "bob", c, 2, OFF);
	put("lab", "bob", &c[1], 1, OFF);
	v = load(OFF);
	cr_expect_str_eq(v.devs, "lab/bob:1");
	cr_expect_str_eq(v.c[0].uri, "sip:bob@198.18.0.13:5062");
	put("lab", "bob", NULL, 0, OFF);
	v = load(OFF);
	cr_expect_eq(v.n_devs, 0);
}

Test(reg_store, load_groups_rows_by_tenant_and_device)
{
	struct loc_contact a = contact("sip:a@198.18.0.11", "", 5000);
	struct loc_contact b[3] = {
		contact("sip:b1@198.18.0.12", "", 5000),
		contact("sip:b2@198.18.0.12", "", 5000),
		contact("sip:b3@198.18.0.12", "", 5000),
	};
	struct seen v;

	cr_assert_eq(reg_store_begin(s), 0);
	cr_assert_eq(reg_store_put(s, "other", "alice", &a, 1, OFF), 0);
	cr_assert_eq(reg_store_put(s, "lab", "bob", b, 3, OFF), 0);
	cr_assert_eq(reg_store_put(s, "lab", "alice", &a, 1, OFF), 0);
	cr_assert_eq(reg_store_commit(s), 0);
	v = load(OFF);
	cr_expect_str_eq(v.devs, "lab/alice:1 lab/bob:3 other/alice:1");
}

Test(reg_store, purge_removes_what_lapsed_and_clear_everything)
{
	struct loc_contact c[2] = {
		contact("sip:carol@198.18.0.14", "", 1000),
		contact("sip:carol@198.18.0.15", "", 3000),
	};
	struct seen v;

	put("lab", "carol", c, 2, OFF);
	sweep((uint64_t)OFF + 2000);
	v = load(OFF);
	cr_expect_str_eq(v.devs, "lab/carol:1");
	cr_expect_str_eq(v.c[0].uri, "sip:carol@198.18.0.15");
	sweep(0);
	cr_expect_eq(load(OFF).n_devs, 0);
}

Test(reg_store, expiry_follows_the_clock_it_is_read_with)
{
	struct loc_contact c = contact("sip:dave@198.18.0.16", "", 50000);
	struct seen v;

	put("lab", "dave", &c, 1, OFF);
	/* a restart: the monotonic clock now reads 40 s less for the same instant */
	v = load(OFF + 40000);
	cr_expect_eq(v.c[0].expires_ms, 10000);
	/* a clock past the expiry reads as lapsed (0), never as a wrap */
	v = load(OFF + 60000);
	cr_expect_eq(v.c[0].expires_ms, 0);
}

Test(reg_store, rows_survive_a_reopen)
{
	struct loc_contact c = contact("sip:erin@198.18.0.17", "", 5000);

	put("lab", "erin", &c, 1, OFF);
	reg_store_close(s);
	s = reg_store_open(path);
	cr_assert_not_null(s);
	cr_expect_str_eq(load(OFF).devs, "lab/erin:1");
}

Test(reg_store, a_newer_schema_is_refused)
{
	sqlite3 *db;

	reg_store_close(s);
	s = NULL;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_expect_null(reg_store_open(path));
}
