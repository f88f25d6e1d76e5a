/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the config loader (controlplane/cfg.c, cfg_keys.c).
 *
 * The shipped config/sluice.conf must load; good variants load with the
 * values they say; every bad file is answered with the exact messages an
 * operator would read, one per mistake, in file order. Test files live in
 * cfg/ (good_*.conf, bad_*.conf); short cases are inline strings. Run from
 * tests/unit (meson sets the working directory).
 *
 * Tenants are allocated while loading: the tests also release them
 * (cfg_free), load again into a struct that holds a load, and push the
 * bounds that keep a hostile file from taking unbounded memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cfg.h"

/* Three lines that make a valid config; a test's own lines start at 4. */
#define BASE_EAL "eal = { io_lcores = [1]; worker_lcores = [2, 3]; };\n"
#define BASE_PORTS "ports = ( { name = \"lan0\"; device = \"net_tap0\"; " \
	"address = \"198.18.0.1\"; prefix = 24; } );\n"
#define BASE_SIP "sip = { udp_ports = [5060]; };\n"
#define BASE BASE_EAL BASE_PORTS BASE_SIP

static struct cfg c;
static struct cfg_errors e;

/* Compares the collected errors with want (NULL-terminated), exactly. */
static void expect_errors(int rc, const char *const *want)
{
	unsigned n = 0;

	while (want[n] != NULL)
		n++;
	for (unsigned i = 0; i < e.n && i < CFG_MAX_ERRORS; i++)
		cr_log_info("error %u: %s", i, e.msg[i]);
	cr_assert_eq(rc, n ? -EINVAL : 0, "rc %d", rc);
	cr_assert_eq(e.n, n, "%u errors, expected %u", e.n, n);
	for (unsigned i = 0; i < n; i++)
		cr_expect_str_eq(e.msg[i], want[i]);
}

static void expect_file(const char *path, const char *const *want)
{
	expect_errors(cfg_load(path, &c, &e), want);
}

static void expect_string(const char *text, const char *const *want)
{
	expect_errors(cfg_load_string(text, "inline", &c, &e), want);
}

/* Writes len bytes to a fresh temporary file; returns its path. */
static const char *write_tmp(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_cfg_XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* ---- good configurations ---- */

Test(cfg_load, default_config_loads)
{
	const struct cfg_port *p = &c.ports[0];

	expect_file("../../config/sluice.conf", (const char *[]){ NULL });
	cr_expect_str_eq(c.path, "../../config/sluice.conf");
	cr_expect_str_eq(c.eal.lcores, "0@0,1@1,2@0,3@1");
	cr_expect_eq(c.eal.main_lcore, 0);
	cr_expect_eq(c.eal.n_io, 1);
	cr_expect_eq(c.eal.io_lcores[0], 1);
	cr_expect_eq(c.eal.n_workers, 2);
	cr_expect_eq(c.eal.worker_lcores[0], 2);
	cr_expect_eq(c.eal.worker_lcores[1], 3);
	cr_expect_eq(c.eal.memory_mb, 512);
	cr_expect_eq(c.eal.hugepages, false);
	cr_expect_str_eq(c.eal.file_prefix, "sluice");
	cr_expect_str_eq(c.eal.log_level, "info");
	cr_expect_eq(c.eal.n_args, 0);
	cr_assert_eq(c.n_ports, 1);
	cr_expect_str_eq(p->name, "lan0");
	cr_expect_str_eq(p->device, "net_tap0,iface=sluice0");
	cr_expect(p->is_vdev);
	cr_expect_eq(p->addr, 0xc6120001u); /* 198.18.0.1 */
	cr_expect_eq(p->prefix, 24);
	cr_expect_eq(p->gateway, 0xc61200feu); /* 198.18.0.254 */
	cr_expect_eq(p->mtu, 1500);
	cr_expect_eq(p->rx_desc, 1024);
	cr_expect_eq(p->tx_desc, 1024);
	cr_expect_eq(c.sip.n_udp_ports, 1);
	cr_expect_eq(c.sip.udp_ports[0], 5060);
	cr_expect_eq(c.rtp.port_min, 20000);
	cr_expect_eq(c.rtp.port_max, 29999);
	cr_expect_eq(c.workers.ring_size, 4096);
	cr_expect_eq(c.workers.max_calls, 8192);
	cr_expect_eq(c.workers.shed_backlog, 128);
	cr_expect_str_eq(c.registrar.path, "");
	cr_expect_eq(c.registrar.save_ms, 1000);
	cr_expect_eq(c.registrar.min_expires, 60);
	cr_expect_eq(c.registrar.max_expires, 3600);
	cr_expect_eq(c.registrar.default_expires, 3600);
	cr_expect_eq(c.workers.burst, 32);
	cr_expect_eq(c.mempool.mbufs, 16383);
	cr_expect_eq(c.mempool.cache, 256);
	cr_expect_eq(c.net.reachable_s, 300);
	cr_expect_eq(c.net.frag_timeout_ms, 2000);
	cr_expect_eq(c.poll.idle_spin, 64);
	cr_expect_eq(c.poll.idle_max_us, 1000);
	cr_expect_eq(c.poll.tx_drain_us, 0);
}

/* The shipped tenants: same user names and extensions, kept apart. */
Test(cfg_load, default_config_tenants)
{
	const struct cfg_tenant *a, *g;

	expect_file("../../config/sluice.conf", (const char *[]){ NULL });
	cr_expect_eq(c.sip.t1_ms, 500);
	cr_expect_eq(c.sip.t2_ms, 4000);
	cr_expect_eq(c.sip.t4_ms, 5000);
	cr_expect_eq(c.api.listen.addr, 0x7f000001u);
	cr_expect_eq(c.api.listen.port, 8080);
	cr_expect(strncmp(c.api.admin_token, "EXAMPLE", 7) == 0);
	cr_expect_str_eq(c.cdr.path, "/var/lib/sluice/cdr.db");
	cr_assert_eq(c.n_tenants, 2);
	a = &c.tenants[0];
	g = &c.tenants[1];
	cr_expect_str_eq(a->id, "acme");
	cr_expect_str_eq(g->id, "globex");
	cr_expect_str_eq(g->realm, "globex.example");
	cr_assert_eq(a->n_users, 2);
	cr_assert_eq(g->n_users, 2);
	for (unsigned i = 0; i < 2; i++) {
		cr_expect_str_eq(a->users[i].name, g->users[i].name);
		cr_expect_str_eq(a->users[i].extension, g->users[i].extension);
	}
	cr_expect_eq(a->users[0].devices[1].auth, CFG_AUTH_HA1_MD5);
	cr_expect_eq(g->users[0].devices[0].auth, CFG_AUTH_HA1_SHA256);
	cr_expect_eq(a->default_trunk_index, 0);
	cr_expect_eq(g->default_trunk_index, 0);
	cr_expect_eq(a->trunks[0].address.addr, 0xc612010bu); /* 198.18.1.11 */
	cr_expect_eq(a->trunks[0].address.port, 5060);
	cr_expect_eq(g->fallback.status, 486);
	cfg_free(&c);
}

Test(cfg_load, minimal_config_takes_defaults)
{
	struct cfg d;

	expect_file("cfg/good_minimal.conf", (const char *[]){ NULL });
	cfg_defaults(&d);
	cr_expect_str_eq(c.eal.lcores, "");
	cr_expect_eq(c.eal.main_lcore, d.eal.main_lcore);
	cr_expect_eq(c.eal.memory_mb, d.eal.memory_mb);
	cr_expect_str_eq(c.eal.file_prefix, d.eal.file_prefix);
	cr_expect_str_eq(c.eal.log_level, d.eal.log_level);
	cr_expect_eq(c.ports[0].gateway, 0);
	cr_expect_eq(c.ports[0].mtu, 1500);
	cr_expect_eq(c.ports[0].rx_desc, 1024);
	cr_expect_eq(c.ports[0].tx_desc, 1024);
	cr_expect_eq(memcmp(&c.rtp, &d.rtp, sizeof(c.rtp)), 0);
	cr_expect_eq(memcmp(&c.workers, &d.workers, sizeof(c.workers)), 0);
	cr_expect_eq(memcmp(&c.mempool, &d.mempool, sizeof(c.mempool)), 0);
	cr_expect_eq(memcmp(&c.net, &d.net, sizeof(c.net)), 0);
	cr_expect_eq(memcmp(&c.poll, &d.poll, sizeof(c.poll)), 0);
	cr_expect_eq(c.sip.t1_ms, 500);
	cr_expect_eq(c.sip.t2_ms, 4000);
	cr_expect_eq(c.sip.t4_ms, 5000);
	cr_expect_eq(c.api.listen.addr, 0x7f000001u); /* 127.0.0.1 */
	cr_expect_eq(c.api.listen.port, 8080);
	cr_expect_str_eq(c.api.admin_token, "");
	cr_expect_str_eq(c.cdr.path, "/var/lib/sluice/cdr.db");
	cr_expect_eq(c.n_tenants, 0);
	cr_expect_null(c.tenants);
}

Test(cfg_load, every_option_and_pci_ports)
{
	expect_file("cfg/good_pci.conf", (const char *[]){ NULL });
	cr_expect_str_eq(c.eal.lcores, "(0-5)@(0,1)");
	cr_expect_eq(c.eal.main_lcore, 5);
	cr_expect_eq(c.eal.n_io, 2);
	cr_expect_eq(c.eal.n_workers, 3);
	cr_expect_eq(c.eal.worker_lcores[2], 4);
	cr_expect_eq(c.eal.memory_mb, 2048); /* a 64-bit literal */
	cr_expect(c.eal.hugepages);
	cr_expect_str_eq(c.eal.file_prefix, "edge-2");
	cr_expect_str_eq(c.eal.log_level, "debug");
	cr_assert_eq(c.eal.n_args, 2);
	cr_expect_str_eq(c.eal.args[1], "--log-level=sluice.sip:debug");
	cr_assert_eq(c.n_ports, 2);
	cr_expect_str_eq(c.ports[0].device, "0000:3b:00.0");
	cr_expect_not(c.ports[0].is_vdev);
	cr_expect_eq(c.ports[0].gateway, 0xcb007101u); /* 203.0.113.1 */
	cr_expect_eq(c.ports[0].mtu, 9000);
	cr_expect_eq(c.ports[0].rx_desc, 4096);
	cr_expect_eq(c.ports[0].tx_desc, 2048);
	cr_expect_str_eq(c.ports[1].name, "lan_1");
	cr_expect_str_eq(c.ports[1].device, "3B:00.1,rxq_pkt_len=1");
	cr_expect_not(c.ports[1].is_vdev);
	cr_expect_eq(c.ports[1].prefix, 31);
	cr_expect_eq(c.sip.n_udp_ports, 2);
	cr_expect_eq(c.sip.udp_ports[1], 5080);
	cr_expect_eq(c.rtp.port_min, 40000);
	cr_expect_eq(c.rtp.port_max, 40005);
	cr_expect_eq(c.workers.ring_size, 1024); /* 0x400 */
	cr_expect_eq(c.workers.burst, 64);
	cr_expect_eq(c.mempool.mbufs, 65535);
	cr_expect_eq(c.mempool.cache, 512);
	cr_expect_eq(c.net.reachable_s, 60);
	cr_expect_eq(c.net.frag_timeout_ms, 500);
	cr_expect_eq(c.poll.idle_spin, 0);
	cr_expect_eq(c.poll.idle_max_us, 0);
}

Test(cfg_load, string_uses_its_name)
{
	expect_string(BASE "colour = 1;\n",
		      (const char *[]){ "inline:4: key 'colour': unknown key", NULL });
	cr_expect_str_eq(c.path, "inline");
	cr_assert_eq(cfg_load_string(BASE, NULL, &c, NULL), 0);
	cr_expect_str_eq(c.path, "<string>");
}

Test(cfg_load, defaults)
{
	cfg_defaults(&c);
	cr_expect_eq(c.n_ports, 0);
	cr_expect_eq(c.eal.n_io, 0);
	cr_expect_eq(c.eal.n_workers, 0);
	cr_expect_eq(c.sip.n_udp_ports, 0);
	cr_expect_eq(c.eal.memory_mb, 512);
	cr_expect_str_eq(c.eal.file_prefix, "sluice");
	cr_expect_eq(c.rtp.port_min, 20000);
	cr_expect_eq(c.workers.ring_size, 4096);
	cr_expect_eq(c.mempool.mbufs, 16383);
	cr_expect_eq(c.poll.idle_max_us, 1000);
}

Test(cfg_load, int64_and_hex_literals)
{
	expect_string(BASE "eal2 = 1L;\n", (const char *[]){
		"inline:4: key 'eal2': unknown key (did you mean 'eal'?)", NULL });
	expect_string(BASE "workers = { ring_size = 0x800; burst = 16L; };\n",
		      (const char *[]){ NULL });
	cr_expect_eq(c.workers.ring_size, 2048);
	cr_expect_eq(c.workers.burst, 16);
}

Test(cfg_load, log_level_numbers)
{
	cr_expect_eq(cfg_log_level_num("emerg"), 1);
	cr_expect_eq(cfg_log_level_num("err"), 4);
	cr_expect_eq(cfg_log_level_num("info"), 7);
	cr_expect_eq(cfg_log_level_num("debug"), 8);
	cr_expect_eq(cfg_log_level_num("INFO"), -1);
	cr_expect_eq(cfg_log_level_num(""), -1);
}

/* ---- one key at a time ---- */

Test(cfg_load, wrong_type)
{
	expect_file("cfg/bad_type.conf", (const char *[]){
		"cfg/bad_type.conf:5: key 'eal.memory_mb': expected integer 64..1048576, got string \"512\"",
		"cfg/bad_type.conf:6: key 'eal.hugepages': expected true or false, got string \"yes\"",
		"cfg/bad_type.conf:7: key 'eal.log_level': expected one of emerg, alert, crit, err, warning, notice, info, debug, got integer 7",
		"cfg/bad_type.conf:8: key 'eal.main_lcore': expected integer 0..127, got float 1.5",
		"cfg/bad_type.conf:10: key 'ports[0].address': expected unicast IPv4 address, got integer 3232235777",
		"cfg/bad_type.conf:11: key 'sip.udp_ports': expected array of 1..8 integers 1..65535, got integer 5060",
		"cfg/bad_type.conf:12: key 'rtp': expected group { ... }, got integer 5",
		NULL });
}

Test(cfg_load, wrong_container_type)
{
	expect_string(BASE_EAL "ports = { name = \"x\"; };\n" BASE_SIP,
		      (const char *[]){
		"inline:2: key 'ports': expected list of groups ( { ... }, ... ), got group",
		NULL });
	expect_string(BASE_EAL "ports = ( 5 );\n" BASE_SIP, (const char *[]){
		"inline:2: key 'ports[0]': expected group { ... }, got integer 5",
		NULL });
}

Test(cfg_load, out_of_range)
{
	expect_file("cfg/bad_range.conf", (const char *[]){
		"cfg/bad_range.conf:3: key 'eal.worker_lcores[1]': expected integer 0..127, got 300",
		"cfg/bad_range.conf:4: key 'eal.memory_mb': expected integer 64..1048576, got 10",
		"cfg/bad_range.conf:6: key 'ports[0].prefix': expected integer 1..32, got 33",
		"cfg/bad_range.conf:6: key 'ports[0].mtu': expected integer 576..9000, got 100",
		"cfg/bad_range.conf:7: key 'sip.udp_ports[0]': expected integer 1..65535, got 0",
		"cfg/bad_range.conf:8: key 'workers.burst': expected integer 1..64, got 65",
		NULL });
}

/* libconfig 1.5 keeps 32 bits of 4294967360 (= 64): the operator's number is named. */
Test(cfg_load, oversized_integer_named_as_written)
{
	expect_string(BASE "mempool = { mbufs = 4294967360; };\n"
		      "workers = { ring_size = 0x100000400; burst = -99999999999; };\n",
		      (const char *[]){
		"inline:4: key 'mempool.mbufs': expected integer 1023..16777215, got 4294967360",
		"inline:5: key 'workers.ring_size': expected power of two 64..65536, got 0x100000400",
		"inline:5: key 'workers.burst': expected integer 1..64, got -99999999999",
		NULL });
}

Test(cfg_load, oversized_integer_in_unknown_key)
{
	expect_string(BASE "net = { big = 99999999999; };\n", (const char *[]){
		"inline:4: key 'net.big': unknown key", NULL });
}

Test(cfg_load, string_too_long)
{
	expect_string("eal = { io_lcores = [1]; worker_lcores = [2]; file_prefix = "
		      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; };\n"
		      BASE_PORTS BASE_SIP, (const char *[]){
		"inline:1: key 'eal.file_prefix': expected name of 1..63 characters [A-Za-z0-9_-], "
		"got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"",
		NULL });
}

Test(cfg_load, unknown_keys)
{
	expect_file("cfg/bad_unknown.conf", (const char *[]){
		"cfg/bad_unknown.conf:3: key 'eal.colour': unknown key",
		"cfg/bad_unknown.conf:6: key 'ports[0].speed': unknown key",
		"cfg/bad_unknown.conf:8: key 'tenant': unknown key (did you mean 'tenants'?)",
		"cfg/bad_unknown.conf:9: key 'mempool.mbuf': unknown key (did you mean 'mbufs'?)",
		NULL });
}

Test(cfg_load, missing_required_keys)
{
	expect_file("cfg/bad_missing.conf", (const char *[]){
		"cfg/bad_missing.conf: key 'ports': required key missing",
		"cfg/bad_missing.conf:2: key 'eal.worker_lcores': required key missing",
		"cfg/bad_missing.conf:5: key 'sip.udp_ports': required key missing",
		NULL });
}

Test(cfg_load, empty_file_lacks_every_required_key)
{
	expect_string("", (const char *[]){
		"inline: key 'eal.io_lcores': required key missing",
		"inline: key 'eal.worker_lcores': required key missing",
		"inline: key 'ports': required key missing",
		"inline: key 'sip.udp_ports': required key missing",
		NULL });
}

Test(cfg_load, missing_port_keys)
{
	expect_string(BASE_EAL "ports = (\n  { name = \"a\"; }\n);\n" BASE_SIP,
		      (const char *[]){
		"inline:3: key 'ports[0].device': required key missing",
		"inline:3: key 'ports[0].address': required key missing",
		"inline:3: key 'ports[0].prefix': required key missing",
		NULL });
}

Test(cfg_load, bad_ipv4)
{
	expect_file("cfg/bad_ipv4.conf", (const char *[]){
		"cfg/bad_ipv4.conf:3: key 'ports[0].address': expected unicast IPv4 address, got \"198.18.0.256\"",
		"cfg/bad_ipv4.conf:4: key 'ports[1].gateway': expected unicast IPv4 address, got \"gw\"",
		"cfg/bad_ipv4.conf:5: key 'ports[2].address': expected unicast IPv4 address, got \"224.0.0.1\"",
		NULL });
}

Test(cfg_load, bad_device_and_name)
{
	expect_string(BASE_EAL "ports = (\n"
		      "{ name = \"a b\"; device = \"eth0\"; address = \"198.18.0.1\"; prefix = 24; },\n"
		      "{ name = \"b\"; device = \"net_\"; address = \"198.18.1.1\"; prefix = 24; },\n"
		      "{ name = \"c\"; device = \"0000:01:00.8\"; address = \"198.18.2.1\"; prefix = 24; },\n"
		      "{ name = \"d\"; device = \"net_tap0, iface=x\"; address = \"198.18.3.1\"; prefix = 24; }\n"
		      ");\n" BASE_SIP, (const char *[]){
		"inline:3: key 'ports[0].name': expected name of 1..31 characters [A-Za-z0-9_-], got \"a b\"",
		"inline:3: key 'ports[0].device': expected vdev \"net_<driver><n>[,args]\" or PCI address DDDD:BB:DD.F or BB:DD.F, got \"eth0\"",
		"inline:4: key 'ports[1].device': expected vdev \"net_<driver><n>[,args]\" or PCI address DDDD:BB:DD.F or BB:DD.F, got \"net_\"",
		"inline:5: key 'ports[2].device': expected vdev \"net_<driver><n>[,args]\" or PCI address DDDD:BB:DD.F or BB:DD.F, got \"0000:01:00.8\"",
		"inline:6: key 'ports[3].device': expected vdev \"net_<driver><n>[,args]\" or PCI address DDDD:BB:DD.F or BB:DD.F, got \"net_tap0, iface=x\"",
		NULL });
}

Test(cfg_load, bad_log_level)
{
	expect_string("eal = { io_lcores = [1]; worker_lcores = [2]; log_level = \"loud\"; };\n"
		      BASE_PORTS BASE_SIP, (const char *[]){
		"inline:1: key 'eal.log_level': expected one of emerg, alert, crit, err, warning, notice, info, debug, got \"loud\"",
		NULL });
}

Test(cfg_load, eal_args_set_by_other_keys)
{
	expect_string("eal = { io_lcores = [1]; worker_lcores = [2];\n"
		      "args = [\"-m512\", \"--huge-dir=/mnt/huge\", \"--no-huge\", \"--vdev=net_null0\", \"\"]; };\n"
		      BASE_PORTS BASE_SIP, (const char *[]){
		"inline:2: key 'eal.args[0]': expected an EAL option no other key sets ('-m' comes from 'eal.memory_mb'), got \"-m512\"",
		"inline:2: key 'eal.args[2]': expected an EAL option no other key sets ('--no-huge' comes from 'eal.hugepages'), got \"--no-huge\"",
		"inline:2: key 'eal.args[3]': expected an EAL option no other key sets ('--vdev' comes from 'ports'), got \"--vdev=net_null0\"",
		"inline:2: key 'eal.args[4]': expected string of 1..255 characters, got \"\"",
		NULL });
}

Test(cfg_load, ring_size_not_power_of_two)
{
	expect_file("cfg/bad_ring.conf", (const char *[]){
		"cfg/bad_ring.conf:5: key 'workers.ring_size': expected power of two 64..65536, got 1000",
		NULL });
}

Test(cfg_load, odd_rtp_port_min)
{
	expect_file("cfg/bad_rtp_odd.conf", (const char *[]){
		"cfg/bad_rtp_odd.conf:5: key 'rtp.port_min': expected even integer 1024..65534, got 20001",
		NULL });
}

/* ---- tenants ---- */

Test(cfg_load, tenants_every_key)
{
	const struct cfg_tenant *t, *g, *i;
	const struct cfg_user *u;

	expect_file("cfg/good_tenants.conf", (const char *[]){ NULL });
	cr_expect_eq(c.sip.t1_ms, 250);
	cr_expect_eq(c.sip.t2_ms, 250);
	cr_expect_eq(c.sip.t4_ms, 2500);
	cr_expect_eq(c.api.listen.addr, 0);
	cr_expect_eq(c.api.listen.port, 9090);
	cr_expect_str_eq(c.api.admin_token, "admin-token-0123456789");
	cr_expect_str_eq(c.cdr.path, "cdr-test.db");
	cr_assert_eq(c.n_tenants, 3);
	t = &c.tenants[0];
	cr_expect_str_eq(t->id, "acme");
	cr_expect_str_eq(t->name, "Acme Corporation");
	cr_expect_str_eq(t->api_token, "acme-token-0123456789");
	cr_expect_str_eq(t->realm, "sip.acme.example");
	cr_expect_eq(t->invite_auth, CFG_INVITE_AUTH_ALWAYS);
	cr_assert_eq(t->match.n_addresses, 2);
	cr_expect_eq(t->match.addresses[0].addr, 0xc6120001u);
	cr_expect_eq(t->match.addresses[0].port, 5070);
	cr_expect_eq(t->match.addresses[1].addr, 0xc6120501u);
	cr_assert_eq(t->match.n_domains, 2);
	cr_expect_str_eq(t->match.domains[1], "Sip.Acme.Example");
	cr_assert_eq(t->match.n_dids, 2);
	cr_expect_str_eq(t->match.dids[1], "+1555123010*");
	cr_expect_eq(t->limits.cps, 0);
	cr_expect_eq(t->limits.burst, 0);
	cr_expect_eq(t->limits.concurrent_calls, 0);
	cr_expect_eq(t->limits.registrations, 7);
	cr_expect_eq(t->limits.max_ring_s, 45);
	cr_assert_eq(t->n_users, 3);
	u = &t->users[0];
	cr_expect_str_eq(u->name, "alice");
	cr_expect_str_eq(u->extension, "1001");
	cr_assert_eq(u->n_devices, 2);
	cr_expect_eq(u->devices[0].auth, CFG_AUTH_PASSWORD);
	cr_expect_str_eq(u->devices[0].password, "secret-password");
	cr_expect_eq(u->devices[0].max_contacts, 5);
	cr_expect_str_eq(u->devices[1].username, "alice.mobile+1");
	cr_expect_eq(u->devices[1].auth, CFG_AUTH_HA1_MD5);
	cr_expect_eq(u->devices[1].max_contacts, 2);
	cr_expect_eq(t->users[1].n_devices, 0);
	cr_expect_null(t->users[1].devices);
	cr_expect_eq(t->users[2].devices[0].auth, CFG_AUTH_HA1_SHA256);
	cr_assert_eq(t->n_trunks, 2);
	cr_assert_eq(t->trunks[0].n_cidrs, 2);
	cr_expect_eq(t->trunks[0].cidrs[0].addr, 0xc612010bu);
	cr_expect_eq(t->trunks[0].cidrs[0].prefix, 32);
	cr_expect_eq(t->trunks[0].cidrs[1].addr, 0xcb007100u); /* 203.0.113.0 */
	cr_expect_eq(t->trunks[0].cidrs[1].prefix, 24);
	cr_expect_eq(t->trunks[1].n_cidrs, 0);
	cr_expect_eq(t->trunks[1].address.port, 5080);
	cr_assert_eq(t->n_routes, 4);
	cr_expect_not(t->routes[0].is_prefix);
	cr_expect_eq(t->routes[0].mode, CFG_RING_SEQUENTIAL);
	cr_assert_eq(t->routes[0].n_targets, 2);
	cr_expect_not(t->routes[0].targets[0].is_trunk);
	cr_expect_eq(t->routes[0].targets[0].index, 2); /* carol */
	cr_expect_eq(t->routes[0].targets[0].ring_s, 45);
	cr_expect(t->routes[0].targets[1].is_trunk);
	cr_expect_eq(t->routes[0].targets[1].index, 1); /* backup */
	cr_expect_eq(t->routes[0].targets[1].ring_s, 0);
	cr_expect(t->routes[1].is_prefix);
	cr_expect_eq(t->routes[1].mode, CFG_RING_PARALLEL);
	cr_expect_eq(t->routes[1].targets[1].index, 1); /* bob */
	cr_expect_str_eq(t->routes[2].match, "1001");
	cr_expect(t->routes[3].is_prefix);
	cr_expect_eq(t->routes[3].targets[0].index, 0); /* carrier */
	cr_expect_str_eq(t->default_trunk, "carrier");
	cr_expect_eq(t->default_trunk_index, 0);
	cr_assert_eq(t->fallback.n_targets, 1);
	cr_expect_eq(t->fallback.targets[0].index, 1);
	cr_expect_eq(t->fallback.targets[0].ring_s, 15);
	cr_expect_eq(t->fallback.mode, CFG_RING_PARALLEL);
	cr_expect_eq(t->fallback.status, 603);
	g = &c.tenants[1];
	cr_expect_str_eq(g->name, "globex"); /* from the id */
	cr_expect_str_eq(g->realm, "globex.example"); /* from the first domain */
	cr_expect_eq(g->invite_auth, CFG_INVITE_AUTH_SOURCE); /* the default */
	cr_expect_eq(g->limits.cps, 10);
	cr_expect_eq(g->limits.burst, 20);
	cr_expect_eq(g->limits.concurrent_calls, 100);
	cr_expect_eq(g->limits.registrations, 1000);
	cr_expect_eq(g->limits.max_ring_s, 60);
	cr_expect_eq(g->n_routes, 0);
	cr_expect_eq(g->default_trunk_index, -1);
	cr_expect_eq(g->fallback.n_targets, 0);
	cr_expect_eq(g->fallback.status, 480);
	cr_expect_eq(g->fallback.mode, CFG_RING_SEQUENTIAL);
	i = &c.tenants[2];
	cr_expect_str_eq(i->realm, "initech_2"); /* no domain: the id */
	cr_expect_eq(i->n_users, 0);
	cr_expect_eq(i->match.n_domains, 0);
	cr_expect_eq(i->trunks[0].cidrs[0].prefix, 8);
	cfg_free(&c);
}

Test(cfg_load, tenant_keys_checked_alone)
{
	expect_file("cfg/bad_tenant_keys.conf", (const char *[]){
		"cfg/bad_tenant_keys.conf:7: key 'tenants[0].id': expected id of 1..31 characters [a-z0-9_-], got \"Acme!\"",
		"cfg/bad_tenant_keys.conf:8: key 'tenants[0].api_token': expected token of 16..127 characters [A-Za-z0-9-._~+/=], got a string of 5 characters",
		"cfg/bad_tenant_keys.conf:9: key 'tenants[0].realm': expected host name like \"pbx.example.com\" (labels of [A-Za-z0-9-], at most 253 characters), got \"-acme\"",
		"cfg/bad_tenant_keys.conf:11: key 'tenants[0].match.addresses[0]': expected unicast IPv4 address:port, got \"198.18.0.1\"",
		"cfg/bad_tenant_keys.conf:11: key 'tenants[0].match.addresses[1]': expected unicast IPv4 address:port, got \"198.18.0.1:0\"",
		"cfg/bad_tenant_keys.conf:11: key 'tenants[0].match.addresses[2]': expected unicast IPv4 address:port, got \"127.0.0.1:5060\"",
		"cfg/bad_tenant_keys.conf:12: key 'tenants[0].match.domains[0]': expected host name like \"pbx.example.com\" (labels of [A-Za-z0-9-], at most 253 characters), got \"acme..example\"",
		"cfg/bad_tenant_keys.conf:12: key 'tenants[0].match.domains[1]': expected host name like \"pbx.example.com\" (labels of [A-Za-z0-9-], at most 253 characters), got integer 5",
		"cfg/bad_tenant_keys.conf:13: key 'tenants[0].match.dids[0]': expected E.164 number \"+<1..15 digits>\" or prefix \"+<digits>*\", got \"15551230001\"",
		"cfg/bad_tenant_keys.conf:13: key 'tenants[0].match.dids[1]': expected E.164 number \"+<1..15 digits>\" or prefix \"+<digits>*\", got \"+1555*123\"",
		"cfg/bad_tenant_keys.conf:13: key 'tenants[0].match.dids[2]': expected E.164 number \"+<1..15 digits>\" or prefix \"+<digits>*\", got \"+1234567890123456\"",
		"cfg/bad_tenant_keys.conf:15: key 'tenants[0].limits.cps': expected integer 0..10000000, got 10000001",
		"cfg/bad_tenant_keys.conf:15: key 'tenants[0].limits.max_ring_s': expected integer 1..3600, got 0",
		"cfg/bad_tenant_keys.conf:18: key 'tenants[0].users[0].name': expected name of 1..63 characters [A-Za-z0-9_-], got \"alice smith\"",
		"cfg/bad_tenant_keys.conf:19: key 'tenants[0].users[0].extension': expected extension of 1..15 digits, got \"10a1\"",
		"cfg/bad_tenant_keys.conf:21: key 'tenants[0].users[0].devices[0].username': expected SIP username of 1..63 characters [A-Za-z0-9_.+-], got \"alice@acme\"",
		"cfg/bad_tenant_keys.conf:21: key 'tenants[0].users[0].devices[0].password': expected password of 8..63 printable ASCII characters, got a string of 5 characters",
		"cfg/bad_tenant_keys.conf:21: key 'tenants[0].users[0].devices[0].max_contacts': expected integer 1..100, got 0",
		"cfg/bad_tenant_keys.conf:22: key 'tenants[0].users[0].devices[1].ha1_md5': expected 32 hex digits, got a string of 31 characters",
		"cfg/bad_tenant_keys.conf:23: key 'tenants[0].users[0].devices[2].ha1_sha256': expected 64 hex digits, got a string of 7 characters",
		"cfg/bad_tenant_keys.conf:27: key 'tenants[0].users[1]': expected group { ... }, got string \"bob\"",
		"cfg/bad_tenant_keys.conf:29: key 'tenants[0].trunks[0].address': expected unicast IPv4 address:port, got \"198.18.1.11\"",
		"cfg/bad_tenant_keys.conf:29: key 'tenants[0].trunks[0].cidrs[0]': expected IPv4 network a.b.c.d/8..32 without host bits, got \"198.18.1.1/24\"",
		"cfg/bad_tenant_keys.conf:29: key 'tenants[0].trunks[0].cidrs[1]': expected IPv4 network a.b.c.d/8..32 without host bits, got \"10.0.0.0/7\"",
		"cfg/bad_tenant_keys.conf:29: key 'tenants[0].trunks[0].cidrs[2]': expected IPv4 network a.b.c.d/8..32 without host bits, got \"224.0.0.0/8\"",
		"cfg/bad_tenant_keys.conf:32: key 'tenants[0].routes[0].match': expected number of 1..15 digits with an optional leading '+' and an optional trailing '*' (prefix), got \"+\"",
		"cfg/bad_tenant_keys.conf:32: key 'tenants[0].routes[0].targets[0].ring_s': expected integer 0..3600, got 3601",
		"cfg/bad_tenant_keys.conf:32: key 'tenants[0].routes[0].mode': expected one of sequential, parallel, got \"forking\"",
		"cfg/bad_tenant_keys.conf:33: key 'tenants[0].routes[1].targets': expected 1..16 elements, got 0",
		"cfg/bad_tenant_keys.conf:35: key 'tenants[0].default_trunk': expected name of 1..63 characters [A-Za-z0-9_-], got \"no such\"",
		"cfg/bad_tenant_keys.conf:36: key 'tenants[0].fallback.status': expected SIP failure status 400..699, got 200",
		"cfg/bad_tenant_keys.conf:36: key 'tenants[0].fallback.mode': expected one of sequential, parallel, got integer 1",
		NULL });
	cfg_free(&c);
}

Test(cfg_load, tenants_claim_traffic_once)
{
	expect_file("cfg/bad_tenant_claims.conf", (const char *[]){
		"cfg/bad_tenant_claims.conf:11: key 'tenants[0].match.addresses[1]': expected the address of one of the ports (198.18.0.1), got \"198.18.0.2:5070\"",
		"cfg/bad_tenant_claims.conf:11: key 'tenants[0].match.addresses[2]': expected a port of sip.udp_ports (5060, 5070), got \"198.18.0.1:5080\"",
		"cfg/bad_tenant_claims.conf:18: key 'tenants[1].id': expected an id not used by tenants[0], got \"acme\"",
		"cfg/bad_tenant_claims.conf:19: key 'tenants[1].api_token': expected a token not used by tenants[0], got the same token",
		"cfg/bad_tenant_claims.conf:21: key 'tenants[1].match.addresses[0]': expected an address:port not claimed by tenants[0].match.addresses[0], got \"198.18.0.1:5070\"",
		"cfg/bad_tenant_claims.conf:22: key 'tenants[1].match.domains[0]': expected a domain not claimed by tenants[0].match.domains[0], got \"ACME.example\"",
		"cfg/bad_tenant_claims.conf:23: key 'tenants[1].match.dids[2]': expected a DID not overlapping tenants[0].match.dids[0] \"+15551230001\", got \"+1555*\"",
		"cfg/bad_tenant_claims.conf:23: key 'tenants[1].match.dids[0]': expected a DID not overlapping tenants[0].match.dids[0] \"+15551230001\", got \"+15551230001\"",
		"cfg/bad_tenant_claims.conf:23: key 'tenants[1].match.dids[1]': expected a DID not overlapping tenants[0].match.dids[1] \"+1555124*\", got \"+15551240007\"",
		"cfg/bad_tenant_claims.conf:25: key 'tenants[1].trunks[0].cidrs[0]': expected a CIDR not overlapping tenants[0].trunks[0].cidrs[0] \"198.18.1.0/24\", got \"198.18.1.128/25\"",
		"cfg/bad_tenant_claims.conf:25: key 'tenants[1].trunks[0].cidrs[1]': expected a CIDR not overlapping tenants[0].trunks[0].cidrs[1] \"198.18.9.0/24\", got \"198.18.8.0/23\"",
		"cfg/bad_tenant_claims.conf:29: key 'tenants[2].api_token': expected a token other than api.admin_token, got the same token",
		"cfg/bad_tenant_claims.conf:30: key 'tenants[2].match.dids[0]': expected a DID not overlapping tenants[1].match.dids[2] \"+1555*\", got \"+15551230001\"",
		"cfg/bad_tenant_claims.conf:31: key 'tenants[2].trunks[0].cidrs[0]': expected a CIDR not overlapping tenants[1].trunks[0].cidrs[1] \"198.18.8.0/23\", got \"198.18.9.7/32\"",
		"cfg/bad_tenant_claims.conf:31: key 'tenants[2].trunks[0].cidrs[1]': expected a CIDR not overlapping tenants[1].trunks[0].cidrs[1] \"198.18.8.0/23\", got \"198.18.9.7/32\"",
		NULL });
	cfg_free(&c);
}

/* Names resolve inside the tenant only: a route never reaches another's users. */
Test(cfg_load, tenant_names_and_targets)
{
	expect_file("cfg/bad_tenant_names.conf", (const char *[]){
		"cfg/bad_tenant_names.conf:10: key 'tenants[0].limits.burst': expected at least 1 while limits.cps is 5, got 0",
		"cfg/bad_tenant_names.conf:14: key 'tenants[0].users[1].name': expected a name not used by tenants[0].users[0], got \"alice\"",
		"cfg/bad_tenant_names.conf:14: key 'tenants[0].users[1].extension': expected an extension not used by tenants[0].users[0], got \"1001\"",
		"cfg/bad_tenant_names.conf:15: key 'tenants[0].users[1].devices[0]': expected exactly one of password, ha1_md5, ha1_sha256, got none",
		"cfg/bad_tenant_names.conf:15: key 'tenants[0].users[1].devices[0].username': expected a username not used by tenants[0].users[0].devices[0], got \"alice\"",
		"cfg/bad_tenant_names.conf:16: key 'tenants[0].users[1].devices[1].ha1_md5': expected exactly one of password, ha1_md5, ha1_sha256, got both password and ha1_md5",
		"cfg/bad_tenant_names.conf:20: key 'tenants[0].trunks[1].name': expected a name not used by tenants[0].trunks[0], got \"carrier\"",
		"cfg/bad_tenant_names.conf:23: key 'tenants[0].routes[0].targets[0].ring_s': expected at most the tenant's limits.max_ring_s 30, got 31",
		"cfg/bad_tenant_names.conf:23: key 'tenants[0].routes[0].targets[1]': expected exactly one of user, trunk, got none",
		"cfg/bad_tenant_names.conf:24: key 'tenants[0].routes[1].targets[0].trunk': expected exactly one of user, trunk, got both",
		"cfg/bad_tenant_names.conf:24: key 'tenants[0].routes[1].match': expected a match not used by tenants[0].routes[0], got \"1001\"",
		"cfg/bad_tenant_names.conf:25: key 'tenants[0].routes[2].targets[0].user': expected a user of tenants[0], got \"carol\"",
		"cfg/bad_tenant_names.conf:25: key 'tenants[0].routes[2].targets[1].trunk': expected a trunk of tenants[0], got \"globex-pbx\"",
		"cfg/bad_tenant_names.conf:27: key 'tenants[0].default_trunk': expected a trunk of tenants[0], got \"pbx\"",
		"cfg/bad_tenant_names.conf:28: key 'tenants[0].fallback.targets[0].user': expected a user of tenants[0], got \"dave\"",
		"cfg/bad_tenant_names.conf:30: key 'tenants[1].match': expected a domain or an address for the devices of tenants[1] to register to, got neither",
		NULL });
	cfg_free(&c);
}

Test(cfg_load, api_cdr_and_timers)
{
	expect_string(BASE_EAL BASE_PORTS
		      "sip = { udp_ports = [5060]; t1_ms = 1000; t2_ms = 999; t4_ms = 99; };\n"
		      "api = { listen = \"224.0.0.1:80\"; admin_token = \"not-long-enough\"; };\n"
		      "cdr = { path = \"\"; };\n", (const char *[]){
		"inline:3: key 'sip.t4_ms': expected integer 100..60000, got 99",
		"inline:3: key 'sip.t2_ms': expected at least sip.t1_ms 1000, got 999",
		"inline:4: key 'api.listen': expected IPv4 address:port, got \"224.0.0.1:80\"",
		"inline:4: key 'api.admin_token': expected token of 16..127 characters [A-Za-z0-9-._~+/=], got a string of 15 characters",
		"inline:5: key 'cdr.path': expected text of 1..255 characters, no control characters, got \"\"",
		NULL });
	expect_string(BASE "api = { listen = \"127.0.0.2:65535\"; listen2 = 1; };\n"
		      "cdr = { path = \"a\\tb\"; };\n", (const char *[]){
		"inline:4: key 'api.listen2': unknown key (did you mean 'listen'?)",
		"inline:5: key 'cdr.path': expected text of 1..255 characters, no control characters, got \"a\\x09b\"",
		NULL });
	cr_expect_eq(c.api.listen.addr, 0x7f000002u);
	cr_expect_eq(c.api.listen.port, 65535);
	expect_string(BASE "api = { listen = \"0.0.0.0:65536\"; admin_token = 12; };\n",
		      (const char *[]){
		"inline:4: key 'api.listen': expected IPv4 address:port, got \"0.0.0.0:65536\"",
		"inline:4: key 'api.admin_token': expected token of 16..127 characters [A-Za-z0-9-._~+/=], got integer 12",
		NULL });
}

Test(cfg_load, tenant_list_shapes)
{
	expect_string(BASE "tenants = { id = \"a\"; };\n", (const char *[]){
		"inline:4: key 'tenants': expected list of groups ( { ... }, ... ), got group",
		NULL });
	expect_string(BASE "tenants = (\n5,\n{ id = \"a\"; api_token = \"aaaaaaaaaaaaaaaa\";\n"
		      "match = { addresses = \"198.18.0.1:5060\"; };\n"
		      "routes = ( { match = \"1\"; } ); users = [1]; } );\n", (const char *[]){
		"inline:5: key 'tenants[0]': expected group { ... }, got integer 5",
		"inline:7: key 'tenants[1].match.addresses': expected array of at most 16 strings, got string \"198.18.0.1:5060\"",
		"inline:8: key 'tenants[1].routes[0].targets': required key missing",
		"inline:8: key 'tenants[1].users': expected list of groups ( { ... }, ... ), got array",
		NULL });
	expect_string(BASE "tenants = ( { } );\n", (const char *[]){
		"inline:4: key 'tenants[0].id': required key missing",
		"inline:4: key 'tenants[0].api_token': required key missing",
		NULL });
	expect_string(BASE "tenants = ( );\n", (const char *[]){ NULL });
	cr_expect_eq(c.n_tenants, 0);
	cr_expect_null(c.tenants);
}

/* ---- bounds on allocated lists ---- */

/* A tenant per line: "{ id = "tN"; api_token = "token-of-tenant-N"; <extra> }". */
static char *tenants_text(unsigned n, const char *extra)
{
	size_t cap = 256 + (size_t)n * (96 + strlen(extra)), len;
	char *text = malloc(cap);

	cr_assert(text != NULL);
	len = (size_t)snprintf(text, cap, "%stenants = (\n", BASE);
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
			"%s{ id = \"t%u\"; api_token = \"token-of-tenant-%u\"; %s }\n",
			i ? "," : "", i, i, extra);
	snprintf(text + len, cap - len, ");\n");
	return text;
}

Test(cfg_load, tenants_bounded)
{
	char *text = tenants_text(CFG_MAX_TENANTS + 1, "");

	expect_string(text, (const char *[]){
		"inline:4: key 'tenants': expected 0..10000 elements, got 10001", NULL });
	cr_expect_eq(c.n_tenants, CFG_MAX_TENANTS);
	cfg_free(&c);
	free(text);
}

/* Two tenants of 50,001 users: each list is allowed, the file is not. */
Test(cfg_load, users_bounded_in_file, .timeout = 60)
{
	unsigned per = CFG_MAX_USERS / 2 + 1;
	size_t cap = 1024 + 2 * (size_t)per * 48, len;
	char *text = malloc(cap);

	cr_assert(text != NULL);
	len = (size_t)snprintf(text, cap, "%stenants = (\n", BASE);
	for (unsigned t = 0; t < 2; t++) {
		len += (size_t)snprintf(text + len, cap - len, "%s{ id = \"t%u\"; "
			"api_token = \"token-of-tenant-%u\"; users = (\n",
			t ? "," : "", t, t);
		for (unsigned u = 0; u < per; u++)
			len += (size_t)snprintf(text + len, cap - len,
				"%s{ name = \"u%u\"; extension = \"%u\"; }",
				u ? "," : "", u, u);
		len += (size_t)snprintf(text + len, cap - len, "\n); }\n");
	}
	snprintf(text + len, cap - len, ");\n");
	expect_string(text, (const char *[]){
		"inline:8: key 'tenants[1].users': expected at most 100000 users in the file, got 100002 up to here",
		NULL });
	cr_expect_eq(c.tenants[0].n_users, per);
	cr_expect_eq(c.tenants[1].n_users, CFG_MAX_USERS - per);
	cfg_free(&c);
	free(text);
}

Test(cfg_load, devices_bounded_per_user)
{
	char text[4096];
	size_t len = (size_t)snprintf(text, sizeof(text), "%s", BASE
		"tenants = ( { id = \"a\"; api_token = \"aaaaaaaaaaaaaaaa\";\n"
		"match = { domains = [\"a.example\"]; };\n"
		"users = ( { name = \"u\"; extension = \"1\"; devices = (\n");

	for (int i = 0; i < CFG_MAX_USER_DEVICES + 1; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
			"%s{ username = \"d%d\"; password = \"password\"; }", i ? "," : "", i);
	snprintf(text + len, sizeof(text) - len, "\n); } ); } );\n");
	expect_string(text, (const char *[]){
		"inline:6: key 'tenants[0].users[0].devices': expected 0..16 elements, got 17",
		NULL });
	cr_expect_eq(c.tenants[0].users[0].n_devices, CFG_MAX_USER_DEVICES);
	cfg_free(&c);
}

/*
 * Thousands of tenants, each with its domain, DID, users, a trunk with a
 * CIDR and a route: the checks across tenants sort instead of comparing
 * every pair, so this loads in a fraction of a second.
 */
Test(cfg_load, two_thousand_tenants)
{
	unsigned n = 2000;
	size_t cap = 1024 + (size_t)n * 640, len;
	char *text = malloc(cap);

	cr_assert(text != NULL);
	len = (size_t)snprintf(text, cap, "%stenants = (\n", BASE);
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
			"%s{ id = \"t%u\"; api_token = \"token-of-tenant-%u\"; "
			"match = { domains = [\"t%u.example\"]; dids = [\"+1555%07u\"]; }; "
			"users = ( { name = \"alice\"; extension = \"1001\"; devices = ( "
			"{ username = \"alice\"; password = \"password\"; } ); }, "
			"{ name = \"bob\"; extension = \"1002\"; } ); "
			"trunks = ( { name = \"pbx\"; address = \"198.18.1.11:5060\"; "
			"cidrs = [\"10.%u.%u.0/24\"]; } ); "
			"routes = ( { match = \"2*\"; targets = ( { user = \"bob\"; }, "
			"{ trunk = \"pbx\"; } ); mode = \"parallel\"; } ); "
			"default_trunk = \"pbx\"; }\n",
			i ? "," : "", i, i, i, i, i / 256, i % 256);
	snprintf(text + len, cap - len, ");\n");
	expect_string(text, (const char *[]){ NULL });
	cr_assert_eq(c.n_tenants, n);
	cr_expect_str_eq(c.tenants[n - 1].id, "t1999");
	cr_expect_str_eq(c.tenants[n - 1].realm, "t1999.example");
	cr_expect_eq(c.tenants[n - 1].routes[0].targets[0].index, 1);
	cr_expect_eq(c.tenants[n - 1].trunks[0].cidrs[0].addr, 0x0a07cf00u); /* 10.7.207.0 */
	cfg_free(&c);
	free(text);
}

/* ---- releasing and reloading ---- */

Test(cfg_free, safe_twice_and_after_failure)
{
	cfg_free(NULL);
	cfg_defaults(&c);
	cfg_free(&c); /* never loaded: nothing to release */
	cr_assert_eq(cfg_load("cfg/bad_tenant_names.conf", &c, &e), -EINVAL);
	cr_expect_eq(c.n_tenants, 2); /* what was read stays until released */
	cfg_free(&c);
	cr_expect_null(c.tenants);
	cr_expect_eq(c.n_tenants, 0);
	cfg_free(&c);
	cr_expect_null(c.tenants);
	cr_expect_eq(c.sip.udp_ports[0], 5060); /* the rest is kept */
}

/* Loading into a struct that holds a load releases the old lists first. */
Test(cfg_free, load_again_into_the_same_struct)
{
	for (int i = 0; i < 3; i++) {
		expect_file("cfg/good_tenants.conf", (const char *[]){ NULL });
		cr_expect_eq(c.n_tenants, 3);
		cr_expect_eq(cfg_load("cfg/bad_tenant_keys.conf", &c, &e), -EINVAL);
		cr_expect_eq(cfg_load("cfg/nonexistent.conf", &c, &e), -ENOENT);
		cr_expect_null(c.tenants);
	}
	expect_string(BASE, (const char *[]){ NULL });
	cr_expect_null(c.tenants);
	cr_expect_eq(c.n_tenants, 0);
}

/*
 * SIGHUP: the new file loads into a spare; on error the running config is
 * untouched, and two loads never share a list.
 */
Test(cfg_free, reload_into_a_spare)
{
	struct cfg *run = calloc(1, sizeof(*run)), *spare = calloc(1, sizeof(*spare));

	cr_assert(run != NULL && spare != NULL);
	cr_assert_eq(cfg_load("cfg/good_tenants.conf", run, &e), 0);
	cr_assert_eq(cfg_load("cfg/bad_tenant_claims.conf", spare, &e), -EINVAL);
	cr_expect_str_eq(run->tenants[0].users[0].name, "alice");
	cr_assert_eq(cfg_load("cfg/good_tenants.conf", spare, &e), 0);
	cr_expect_neq(spare->tenants, run->tenants);
	cr_expect_neq(spare->tenants[0].users, run->tenants[0].users);
	cr_expect_neq(spare->tenants[0].users[0].devices, run->tenants[0].users[0].devices);
	cr_expect_neq(spare->tenants[0].match.domains, run->tenants[0].match.domains);
	cfg_free(run);
	cr_expect_str_eq(spare->tenants[0].users[0].devices[0].username, "alice-desk");
	cfg_free(spare);
	free(run);
	free(spare);
}

/* ---- keys against each other ---- */

Test(cfg_load, gateway_outside_subnet)
{
	expect_file("cfg/bad_gateway.conf", (const char *[]){
		"cfg/bad_gateway.conf:4: key 'ports[0].gateway': expected a host address inside 198.18.0.0/24 other than 198.18.0.1, got \"198.18.1.254\"",
		"cfg/bad_gateway.conf:6: key 'ports[1].gateway': expected a host address inside 198.18.1.0/24 other than 198.18.1.1, got \"198.18.1.1\"",
		"cfg/bad_gateway.conf:7: key 'ports[2].address': expected a host address of 198.18.2.0/24 (not the network or broadcast address), got \"198.18.2.0\"",
		NULL });
}

Test(cfg_load, duplicate_port_names_and_devices)
{
	expect_file("cfg/bad_dup_ports.conf", (const char *[]){
		"cfg/bad_dup_ports.conf:4: key 'ports[1].name': expected a name not used by ports[0], got \"lan0\"",
		"cfg/bad_dup_ports.conf:4: key 'ports[1].device': expected a device not used by ports[0], got \"01:00.0\"",
		NULL });
}

Test(cfg_load, duplicate_port_address)
{
	expect_string(BASE_EAL "ports = (\n"
		      "{ name = \"a\"; device = \"net_ring0\"; address = \"198.18.0.1\"; prefix = 24; },\n"
		      "{ name = \"b\"; device = \"net_ring1\"; address = \"198.18.0.1\"; prefix = 16; }\n"
		      ");\n" BASE_SIP, (const char *[]){
		"inline:4: key 'ports[1].address': expected an address not used by ports[0], got \"198.18.0.1\"",
		NULL });
}

Test(cfg_load, too_many_ports)
{
	char text[4096];
	size_t len = (size_t)snprintf(text, sizeof(text), "%s",
		BASE_EAL BASE_SIP "ports = (\n");

	for (int i = 0; i < 9; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
			"%s{ name = \"p%d\"; device = \"net_ring%d\"; address = \"198.18.%d.1\"; prefix = 24; }\n",
			i ? "," : "", i, i, i);
	snprintf(text + len, sizeof(text) - len, ");\nmempool = { mbufs = 65535; };\n");
	expect_string(text, (const char *[]){
		"inline:3: key 'ports': expected 1..8 elements, got 9", NULL });
}

Test(cfg_load, lcore_used_twice)
{
	expect_file("cfg/bad_lcores.conf", (const char *[]){
		"cfg/bad_lcores.conf:4: key 'eal.worker_lcores[0]': expected an lcore not used by eal.io_lcores[1], got 2",
		"cfg/bad_lcores.conf:4: key 'eal.worker_lcores[1]': expected an lcore not used by eal.main_lcore, got 0",
		NULL });
}

Test(cfg_load, lcore_missing_from_map)
{
	expect_file("cfg/bad_lcore_map.conf", (const char *[]){
		"cfg/bad_lcore_map.conf:4: key 'eal.worker_lcores[1]': expected an lcore listed in eal.lcores, got 3",
		NULL });
}

Test(cfg_load, malformed_lcore_map)
{
	static const char *const maps[] = {
		"0@0,,1", "(0-3@0", "0@", "3-1", "0,0", "128", "0@1024", "a",
	};

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		char text[512], want[320];

		snprintf(text, sizeof(text), "eal = { lcores = \"%s\"; io_lcores = [1]; "
			 "worker_lcores = [2]; };\n" BASE_PORTS BASE_SIP, maps[i]);
		snprintf(want, sizeof(want), "inline:1: key 'eal.lcores': expected EAL "
			 "lcore map like \"0@0,1@1\" or \"(0-3)@(0,1)\" with lcores 0..127 "
			 "each listed once, got \"%s\"", maps[i]);
		expect_string(text, (const char *[]){ want, NULL });
	}
}

Test(cfg_load, no_io_lcore)
{
	expect_file("cfg/bad_no_io.conf", (const char *[]){
		"cfg/bad_no_io.conf:1: key 'eal.io_lcores': expected 1..8 elements, got 0",
		NULL });
}

Test(cfg_load, no_worker)
{
	expect_file("cfg/bad_no_worker.conf", (const char *[]){
		"cfg/bad_no_worker.conf:1: key 'eal.worker_lcores': expected 1..64 elements, got 0",
		NULL });
}

Test(cfg_load, rtp_range_too_small_for_workers)
{
	expect_file("cfg/bad_rtp_small.conf", (const char *[]){
		"cfg/bad_rtp_small.conf:6: key 'rtp.port_max': expected at least 20007 (2 ports for each of 4 workers from rtp.port_min 20000), got 20005",
		NULL });
}

Test(cfg_load, rtp_port_max_below_min)
{
	expect_string(BASE "rtp = { port_min = 30000; };\n", (const char *[]){
		"inline:4: key 'rtp.port_max': expected an integer above rtp.port_min 30000, got 29999",
		NULL });
}

Test(cfg_load, sip_port_inside_rtp_range)
{
	expect_file("cfg/bad_sip_in_rtp.conf", (const char *[]){
		"cfg/bad_sip_in_rtp.conf:5: key 'sip.udp_ports[1]': expected a port outside the RTP range 20000..29999, got 25000",
		NULL });
}

Test(cfg_load, sip_port_twice)
{
	expect_string(BASE_EAL BASE_PORTS "sip = { udp_ports = [5060, 5080, 5060]; };\n",
		      (const char *[]){
		"inline:3: key 'sip.udp_ports[2]': expected a value not already in sip.udp_ports[0], got 5060",
		NULL });
}

Test(cfg_load, shed_backlog_must_stand_below_the_ring_quarter)
{
	expect_string(BASE "workers = { ring_size = 256; shed_backlog = 64; };\n",
		      (const char *[]){
		"inline:4: key 'workers.shed_backlog': expected below a quarter of workers.ring_size 256 (64), got 64",
		NULL });
}

Test(cfg_load, shed_backlog_out_of_range)
{
	expect_string(BASE "workers = { shed_backlog = 8; };\n", (const char *[]){
		"inline:4: key 'workers.shed_backlog': expected integer 16..16384, got 8",
		NULL });
}

Test(cfg_load, registrar_expiry_bounds_in_order)
{
	expect_string(BASE "registrar = { min_expires = 600; max_expires = 300; };\n",
		      (const char *[]){
		"inline:4: key 'registrar.max_expires': expected at least registrar.min_expires 600, got 300",
		NULL });
}

Test(cfg_load, registrar_default_expires_within_bounds)
{
	expect_string(BASE "registrar = { default_expires = 30; };\n", (const char *[]){
		"inline:4: key 'registrar.default_expires': expected 60..3600 (registrar.min_expires..max_expires), got 30",
		NULL });
}

Test(cfg_load, mempool_too_small)
{
	expect_string(BASE "mempool = { mbufs = 2047; cache = 256; };\n", (const char *[]){
		"inline:4: key 'mempool.mbufs': expected at least 3072 (2048 port descriptors + 4 lcores x 256 cached), got 2047",
		NULL });
}

/* ---- the file as a whole ---- */

Test(cfg_load, syntax_error_reports_line)
{
	expect_file("cfg/bad_syntax.conf", (const char *[]){
		"cfg/bad_syntax.conf:4: syntax error", NULL });
	expect_string("a = 1;\nb = 2;\na = 3;\n", (const char *[]){
		"inline:3: syntax error: duplicate setting name", NULL });
}

/* libconfig 1.5 would leak the string: the loader reports these itself. */
Test(cfg_load, misplaced_string_is_syntax_error)
{
	expect_string("a = 1;\n\"x\"\n", (const char *[]){
		"inline:2: syntax error", NULL });
	expect_string(BASE "sip2 = { \"x\" };\n", (const char *[]){
		"inline:4: syntax error", NULL });
	expect_string(BASE "net = { a = 1, \"b\" };\n", (const char *[]){
		"inline:4: syntax error", NULL });
	expect_string(BASE_EAL BASE_PORTS "sip = {\n udp_ports = [5060]; };\n"
		      "eal2 = [\"a\", \"b\" \"c\",\n\"d\"];\n", (const char *[]){
		"inline:5: key 'eal2': unknown key (did you mean 'eal'?)", NULL });
}

Test(cfg_load, deep_nesting_refused)
{
	char text[256];

	memset(text, 0, sizeof(text));
	memcpy(text, "a = ", 4);
	memset(text + 4, '(', 40);
	expect_string(text, (const char *[]){
		"inline:1: syntax error: nested deeper than 32 levels", NULL });
}

Test(cfg_load, several_errors_all_reported_in_file_order)
{
	expect_file("cfg/bad_many.conf", (const char *[]){
		"cfg/bad_many.conf:4: key 'eal.worker_lcores[0]': expected an lcore not used by eal.io_lcores[0], got 1",
		"cfg/bad_many.conf:5: key 'eal.memory_mb': expected integer 64..1048576, got 32",
		"cfg/bad_many.conf:6: key 'eal.log_level': expected one of emerg, alert, crit, err, warning, notice, info, debug, got \"verbose\"",
		"cfg/bad_many.conf:10: key 'ports[0].mtu': expected integer 576..9000, got string \"big\"",
		"cfg/bad_many.conf:10: key 'ports[0].gateway': expected a host address inside 198.18.0.0/24 other than 198.18.0.1, got \"10.0.0.1\"",
		"cfg/bad_many.conf:12: key 'sip.tls': unknown key",
		"cfg/bad_many.conf:13: key 'rtp.port_min': expected even integer 1024..65534, got 20001",
		"cfg/bad_many.conf:14: key 'workers.ring_size': expected power of two 64..65536, got 3000",
		NULL });
}

Test(cfg_load, errors_are_capped_but_counted)
{
	char text[8192], line[80];
	size_t len = (size_t)snprintf(text, sizeof(text), "%s", BASE);
	char *out = NULL;
	size_t out_len = 0;
	FILE *f;

	for (int i = 0; i < CFG_MAX_ERRORS + 6; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "x%d = %d;\n", i, i);
	cr_assert_eq(cfg_load_string(text, "many", &c, &e), -EINVAL);
	cr_assert_eq(e.n, CFG_MAX_ERRORS + 6);
	cr_expect_str_eq(e.msg[0], "many:4: key 'x0': unknown key");
	snprintf(line, sizeof(line), "many:%d: key 'x%d': unknown key",
		 CFG_MAX_ERRORS + 3, CFG_MAX_ERRORS - 1);
	cr_expect_str_eq(e.msg[CFG_MAX_ERRORS - 1], line);
	f = open_memstream(&out, &out_len);
	cr_assert(f != NULL);
	cfg_errors_print(&e, f);
	fclose(f);
	cr_expect(strstr(out, "many:4: key 'x0': unknown key\n") == out);
	cr_expect(strstr(out, "\n... and 6 more errors\n") != NULL);
	free(out);
}

Test(cfg_load, missing_file)
{
	cr_expect_eq(cfg_load("cfg/nonexistent.conf", &c, &e), -ENOENT);
	cr_assert_eq(e.n, 1);
	cr_expect_str_eq(e.msg[0],
			 "cfg/nonexistent.conf: cannot read: No such file or directory");
}

Test(cfg_load, directory_is_not_a_file)
{
	cr_expect_eq(cfg_load("cfg", &c, &e), -EIO);
	cr_assert_eq(e.n, 1);
	cr_expect_str_eq(e.msg[0], "cfg: cannot read: Is a directory");
}

Test(cfg_load, include_refused)
{
	static const char text[] = BASE "\t@include \"cfg/good_minimal.conf\"\n";
	const char *path = write_tmp(text, sizeof(text) - 1);
	char want[128];

	expect_string(BASE "@include \"/etc/hostname\"\n", (const char *[]){
		"inline:4: @include is not supported: keep the whole configuration in one file",
		NULL });
	snprintf(want, sizeof(want), "%s:4: @include is not supported: keep the "
		 "whole configuration in one file", path);
	expect_file(path, (const char *[]){ want, NULL });
	unlink(path);
}

Test(cfg_load, nul_byte_refused)
{
	static const char text[] = "eal = {\n\0 io_lcores = [1]; };\n";
	const char *path = write_tmp(text, sizeof(text) - 1);
	char want[128];

	snprintf(want, sizeof(want), "%s:2: syntax error: NUL byte", path);
	expect_file(path, (const char *[]){ want, NULL });
	unlink(path);
}

Test(cfg_load, check_file_prints_ok_or_errors)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert(f != NULL);
	cr_expect_eq(cfg_check_file("cfg/good_minimal.conf", f), 0);
	cr_expect_eq(cfg_check_file("cfg/good_tenants.conf", f), 0);
	cr_expect_eq(cfg_check_file("cfg/bad_ring.conf", f), -EINVAL);
	fclose(f);
	cr_expect_str_eq(out, "cfg/good_minimal.conf: ok\n"
		"cfg/good_tenants.conf: ok\n"
		"cfg/bad_ring.conf:5: key 'workers.ring_size': expected power of two 64..65536, got 1000\n");
	free(out);
}

Test(cfg_load, tenant_auth_algorithms)
{
	expect_string(BASE "tenants = ( { id = \"a\"; api_token = \"aaaaaaaaaaaaaaaa\";\n"
		      "auth_algorithms = [\"MD5\", \"SHA-1\"]; } );\n", (const char *[]){
		"inline:5: key 'tenants[0].auth_algorithms[1]': expected one of SHA-256, MD5, SHA-512-256, got \"SHA-1\"",
		NULL });
	cr_assert_eq(cfg_load_string(BASE "tenants = ( { id = \"a\"; api_token = \"aaaaaaaaaaaaaaaa\";\n"
				     "auth_algorithms = [\"MD5\"]; } );\n", "inline", &c, &e), 0);
	cr_assert_eq(c.tenants[0].n_auth_algorithms, 1);
	cr_assert_str_eq(c.tenants[0].auth_algorithms[0], "MD5");
}

Test(cfg_load, tenant_invite_auth)
{
	static const char *const words[] = { "source", "always" };
	char text[1024];

	for (unsigned i = 0; i < 2; i++) {
		snprintf(text, sizeof(text), BASE "tenants = ( { id = \"a\"; "
			 "api_token = \"aaaaaaaaaaaaaaaa\";\ninvite_auth = \"%s\"; } );\n", words[i]);
		cr_assert_eq(cfg_load_string(text, "inline", &c, &e), 0, "%s", words[i]);
		cr_expect_eq(c.tenants[0].invite_auth,
			     i ? CFG_INVITE_AUTH_ALWAYS : CFG_INVITE_AUTH_SOURCE);
		cfg_free(&c);
	}
	cr_assert_eq(cfg_load_string(BASE "tenants = ( { id = \"a\"; "
				     "api_token = \"aaaaaaaaaaaaaaaa\"; } );\n", "inline", &c, &e), 0);
	cr_expect_eq(c.tenants[0].invite_auth, CFG_INVITE_AUTH_SOURCE, "the default");
	cfg_free(&c);
	expect_string(BASE "tenants = ( { id = \"a\"; api_token = \"aaaaaaaaaaaaaaaa\";\n"
		      "invite_auth = \"Always\"; },\n"
		      "{ id = \"b\"; api_token = \"bbbbbbbbbbbbbbbb\"; invite_auth = 1; },\n"
		      "{ id = \"c\"; api_token = \"cccccccccccccccc\"; invite_auth = \"never\"; } );\n",
		      (const char *[]){
		"inline:5: key 'tenants[0].invite_auth': expected one of source, always, got \"Always\"",
		"inline:6: key 'tenants[1].invite_auth': expected one of source, always, got integer 1",
		"inline:7: key 'tenants[2].invite_auth': expected one of source, always, got \"never\"",
		NULL });
}
