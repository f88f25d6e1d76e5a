/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of route decisions (controlplane/route.c) on a config loaded
 * from text: two tenants with the same users and extensions in different
 * orders and a trunk of the same name, so that a decision naming the
 * other tenant's index or address would show.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cfg.h"
#include "cpmsg.h"
#include "route.h"

static const char conf[] =
	"eal = { io_lcores = [1]; worker_lcores = [2]; };\n"
	"ports = ( { name = \"lan0\"; device = \"net_ring0\"; address = \"198.18.0.1\"; prefix = 24; } );\n"
	"sip = { udp_ports = [5060]; };\n"
	"tenants = (\n"
	" { id = \"acme\"; api_token = \"acme-token-0123456789\";\n"
	"   match = { domains = [\"acme.example\"]; dids = [\"+15551230001\", \"+1555123010*\"]; };\n"
	"   limits = { max_ring_s = 45; };\n"
	"   users = ( { name = \"alice\"; extension = \"1001\"; },\n"
	"             { name = \"bob\"; extension = \"1002\"; },\n"
	"             { name = \"carol\"; extension = \"2001\"; } );\n"
	"   trunks = ( { name = \"carrier\"; address = \"198.18.1.11:5060\"; cidrs = [\"198.18.1.11/32\"]; },\n"
	"              { name = \"backup\"; address = \"198.18.1.12:5080\"; } );\n"
	"   routes = (\n"
	"     { match = \"+1555*\"; targets = ( { user = \"bob\"; } ); },\n"
	"     { match = \"+15551*\"; targets = ( { user = \"carol\"; ring_s = 30; } ); },\n"
	"     { match = \"+15551230001\"; targets = ( { user = \"alice\"; ring_s = 10; }, { trunk = \"backup\"; } ); },\n"
	"     { match = \"+1555123010*\"; targets = ( { user = \"alice\"; }, { user = \"bob\"; } ); mode = \"parallel\"; },\n"
	"     { match = \"2001\"; targets = ( { user = \"bob\"; } ); },\n"
	"     { match = \"7*\"; targets = ( { trunk = \"carrier\"; } ); }\n"
	"   );\n"
	"   default_trunk = \"carrier\";\n"
	"   fallback = { status = 603; }; },\n"
	" { id = \"globex\"; api_token = \"globex-token-0123456789\";\n"
	"   match = { domains = [\"globex.example\"]; };\n"
	"   users = ( { name = \"bob\"; extension = \"1002\"; },\n"
	"             { name = \"alice\"; extension = \"1001\"; } );\n"
	"   trunks = ( { name = \"carrier\"; address = \"198.18.2.11:5060\"; cidrs = [\"198.18.2.0/24\"]; } );\n"
	"   fallback = { targets = ( { user = \"alice\"; }, { user = \"bob\"; ring_s = 5; } ); mode = \"parallel\"; }; }\n"
	");\n";

static struct cfg cfg;
static const struct cfg_tenant *acme, *globex;

static void setup(void)
{
	struct cfg_errors errs;

	if (cfg_load_string(conf, "test_route", &cfg, &errs) < 0) {
		cfg_errors_print(&errs, stderr);
		cr_assert_fail("config does not load");
	}
	cr_assert_eq(cfg.n_tenants, 2);
	acme = &cfg.tenants[0];
	globex = &cfg.tenants[1];
}

static void teardown(void)
{
	cfg_free(&cfg);
}

static struct cpmsg_route_req req_of(const char *callee, int32_t user, int32_t trunk)
{
	struct cpmsg_route_req r;

	memset(&r, 0, sizeof(r));
	r.user = user;
	r.trunk = trunk;
	snprintf(r.caller, sizeof(r.caller), "caller");
	snprintf(r.callee, sizeof(r.callee), "%s", callee);
	return r;
}

static int decide(const struct cfg_tenant *t, const char *callee, int32_t user, int32_t trunk,
		  struct cpmsg_route_dec *d)
{
	struct cpmsg_route_req r = req_of(callee, user, trunk);

	return route_decide(t, &r, d);
}

static void expect_user(const struct cpmsg_route_dec *d, unsigned i, int32_t user, uint16_t ring)
{
	cr_assert_eq(d->action, CPMSG_A_ROUTE);
	cr_assert_gt(d->n_targets, i);
	cr_expect_eq(d->targets[i].kind, CPMSG_T_USER);
	cr_expect_eq(d->targets[i].index, user, "target %u: user %d, expected %d", i,
		     d->targets[i].index, user);
	cr_expect_eq(d->targets[i].ring_s, ring, "target %u: ring %u, expected %u", i,
		     d->targets[i].ring_s, ring);
}

TestSuite(route_decide, .init = setup, .fini = teardown);

Test(route_decide, exact_route_beats_prefix)
{
	struct cpmsg_route_dec d;

	cr_assert_eq(decide(acme, "+15551230001", -1, -1, &d), ROUTE_BY_ROUTE);
	cr_assert_eq(d.n_targets, 2);
	expect_user(&d, 0, 0, 10);
	cr_expect_eq(d.targets[1].kind, CPMSG_T_TRUNK);
	cr_expect_eq(d.targets[1].index, 1);
	cr_expect_eq(d.targets[1].ring_s, 45);
	cr_expect_str_eq(d.targets[1].uri, "sip:+15551230001@198.18.1.12:5080");
	cr_expect_eq(d.parallel, 0);
}

Test(route_decide, longest_prefix_wins)
{
	struct cpmsg_route_dec d;

	cr_assert_eq(decide(acme, "+15551999999", -1, -1, &d), ROUTE_BY_ROUTE);
	cr_assert_eq(d.n_targets, 1);
	expect_user(&d, 0, 2, 30); /* carol */
	cr_assert_eq(decide(acme, "+15559999999", -1, -1, &d), ROUTE_BY_ROUTE);
	expect_user(&d, 0, 1, 45); /* bob */
	cr_assert_eq(decide(acme, "+15551230105", -1, -1, &d), ROUTE_BY_ROUTE);
	cr_assert_eq(d.n_targets, 2);
	expect_user(&d, 0, 0, 45);
	expect_user(&d, 1, 1, 45);
	cr_expect_eq(d.parallel, 1);
}

Test(route_decide, route_beats_extension)
{
	struct cpmsg_route_dec d;

	cr_assert_eq(decide(acme, "2001", -1, -1, &d), ROUTE_BY_ROUTE);
	cr_assert_eq(d.n_targets, 1);
	expect_user(&d, 0, 1, 45); /* bob, not carol whose extension it is */
}

Test(route_decide, extension_rings_its_user)
{
	struct cpmsg_route_dec d;

	cr_assert_eq(decide(acme, "1002", 0, -1, &d), ROUTE_BY_EXTENSION);
	cr_assert_eq(d.n_targets, 1);
	expect_user(&d, 0, 1, 45);
}

Test(route_decide, did_without_plus_takes_its_route)
{
	struct cpmsg_route_dec d;

	cr_assert_eq(decide(acme, "15551230001", -1, -1, &d), ROUTE_BY_DID);
	cr_assert_eq(d.n_targets, 2);
	expect_user(&d, 0, 0, 10);
	cr_expect_eq(d.targets[1].kind, CPMSG_T_TRUNK);
	cr_expect_eq(d.fallback, 0);
}

Test(route_decide, user_dialling_out_takes_default_trunk)
{
	struct cpmsg_route_dec d;

	cr_assert_eq(decide(acme, "+442071234567", 1, -1, &d), ROUTE_BY_DEFAULT_TRUNK);
	cr_assert_eq(d.action, CPMSG_A_ROUTE);
	cr_assert_eq(d.n_targets, 1);
	cr_expect_eq(d.targets[0].kind, CPMSG_T_TRUNK);
	cr_expect_eq(d.targets[0].index, 0);
	cr_expect_eq(d.targets[0].ring_s, 45);
	cr_expect_str_eq(d.targets[0].uri, "sip:+442071234567@198.18.1.11:5060");
}

Test(route_decide, unknown_without_user_falls_back_to_reject)
{
	struct cpmsg_route_dec d;

	/* not a user: no default trunk; acme's fallback has no targets */
	cr_assert_eq(decide(acme, "+442071234567", -1, -1, &d), ROUTE_BY_FALLBACK);
	cr_expect_eq(d.action, CPMSG_A_REJECT);
	cr_expect_eq(d.reject_code, 603);
	cr_expect_eq(d.n_targets, 0);
}

Test(route_decide, fallback_targets)
{
	struct cpmsg_route_dec d;

	cr_assert_eq(decide(globex, "4711", 0, -1, &d), ROUTE_BY_FALLBACK);
	cr_assert_eq(d.n_targets, 2);
	expect_user(&d, 0, 1, 60); /* globex's alice is its user 1 */
	expect_user(&d, 1, 0, 5);
	cr_expect_eq(d.parallel, 1);
	/* marked, so the worker does not fall back from it again */
	cr_expect_eq(d.fallback, 1);
}

Test(route_decide, no_transit_from_a_trunk)
{
	struct cpmsg_route_dec d;

	/* unknown number: 404, never the default trunk nor the fallback */
	cr_assert_eq(decide(acme, "+442071234567", -1, 0, &d), ROUTE_BY_NO_TRANSIT);
	cr_expect_eq(d.action, CPMSG_A_REJECT);
	cr_expect_eq(d.reject_code, 404);
	/* a route to users and a trunk: the users only */
	cr_assert_eq(decide(acme, "+15551230001", -1, 0, &d), ROUTE_BY_ROUTE);
	cr_assert_eq(d.n_targets, 1);
	expect_user(&d, 0, 0, 10);
	/* a route to a trunk only: rejected */
	cr_assert_eq(decide(acme, "7123", -1, 0, &d), ROUTE_BY_NO_TRANSIT);
	cr_expect_eq(d.reject_code, 404);
	/* extensions are reached through routes and DIDs only */
	cr_assert_eq(decide(acme, "1002", -1, 0, &d), ROUTE_BY_NO_TRANSIT);
	/* globex has no routes: its fallback does not apply to trunk calls */
	cr_assert_eq(decide(globex, "1001", -1, 0, &d), ROUTE_BY_NO_TRANSIT);
}

Test(route_decide, own_number_with_no_route_does_not_go_out)
{
	struct cfg_tenant t = *acme;
	struct cpmsg_route_dec d;

	/* the same tenant without routes: its DID must not go to the trunk */
	t.n_routes = 0;
	cr_assert_eq(decide(&t, "+15551230001", 0, -1, &d), ROUTE_BY_FALLBACK);
	cr_expect_eq(d.action, CPMSG_A_REJECT);
	cr_assert_eq(decide(&t, "+15551230107", 0, -1, &d), ROUTE_BY_FALLBACK);
}

Test(route_decide, tenants_are_isolated)
{
	struct cpmsg_route_dec a, g;

	/* the same extension names each tenant's own user */
	cr_assert_eq(decide(acme, "1001", -1, -1, &a), ROUTE_BY_EXTENSION);
	cr_assert_eq(decide(globex, "1001", -1, -1, &g), ROUTE_BY_EXTENSION);
	expect_user(&a, 0, 0, 45);
	expect_user(&g, 0, 1, 60);
	cr_assert_str_eq(acme->users[0].name, "alice");
	cr_assert_str_eq(globex->users[1].name, "alice");
	/* acme's routes are not globex's: its number falls back there */
	cr_assert_eq(decide(globex, "+15551230001", 0, -1, &g), ROUTE_BY_FALLBACK);
	for (unsigned i = 0; i < g.n_targets; i++) {
		cr_expect_eq(g.targets[i].kind, CPMSG_T_USER);
		cr_expect_lt((uint32_t)g.targets[i].index, globex->n_users);
	}
}

Test(route_decide, foreign_indices_are_refused)
{
	struct cpmsg_route_dec d;

	/* acme has three users and two trunks, globex two and one */
	cr_assert_eq(decide(globex, "1001", 2, -1, &d), -EINVAL);
	cr_expect_eq(d.action, CPMSG_A_REJECT);
	cr_expect_eq(d.reject_code, 500);
	cr_assert_eq(decide(globex, "1001", -1, 1, &d), -EINVAL);
	cr_expect_eq(d.n_targets, 0);
}

Test(route_decide, unterminated_callee_is_refused)
{
	struct cpmsg_route_req r = req_of("1001", -1, -1);
	struct cpmsg_route_dec d;

	memset(r.callee, '1', sizeof(r.callee));
	cr_assert_eq(route_decide(acme, &r, &d), -EINVAL);
	cr_expect_eq(d.action, CPMSG_A_REJECT);
}

Test(route_rule_str, names)
{
	cr_expect_str_eq(route_rule_str(ROUTE_BY_DEFAULT_TRUNK), "default_trunk");
	cr_expect_str_eq(route_rule_str(0), "");
	cr_expect_str_eq(route_rule_str(ROUTE_RULE_COUNT), "");
}
