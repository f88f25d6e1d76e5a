/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the config loader (controlplane/cfg.c, cfg_keys.c).
 *
 * The shipped config/sluice.conf must load; good variants load with the
 * values they say; every bad file is answered with the exact messages an
 * operator would read, one per mistake, in file order. Test files live in
 * cfg/ (good_*.conf, bad_*.conf); short cases are inline strings. Run from
 * tests/unit (meson sets the working directory).
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
	cr_expect_eq(c.workers.burst, 32);
	cr_expect_eq(c.mempool.mbufs, 16383);
	cr_expect_eq(c.mempool.cache, 256);
	cr_expect_eq(c.net.reachable_s, 300);
	cr_expect_eq(c.net.frag_timeout_ms, 2000);
	cr_expect_eq(c.poll.idle_spin, 64);
	cr_expect_eq(c.poll.idle_max_us, 1000);
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
		"cfg/bad_unknown.conf:8: key 'tenants': unknown key",
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
	cr_expect_eq(cfg_check_file("cfg/bad_ring.conf", f), -EINVAL);
	fclose(f);
	cr_expect_str_eq(out, "cfg/good_minimal.conf: ok\n"
		"cfg/bad_ring.conf:5: key 'workers.ring_size': expected power of two 64..65536, got 1000\n");
	free(out);
}
