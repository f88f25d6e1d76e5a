/* SPDX-License-Identifier: MIT */
/*
 * The keyword table: every key sluice.conf may hold, with its type, range,
 * default, place in struct cfg and validator.
 *
 * Adding a key is adding a row here (and a field in cfg.h); cfg.c only walks
 * these tables, fills defaults from them and words errors from them. The
 * validators below check what a range cannot: powers of two, even ports,
 * names, device strings, the EAL lcore map, EAL arguments sluice sets itself.
 * Checks that span several keys (lcores used twice, gateway outside the
 * subnet, RTP range against the workers) live in cfg.c after the walk.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cfg_keys.h"

/* ---- validators ---- */

static bool cfg_check_pow2(const struct cfg_key *k, int64_t v, const char *s,
			   char *want, size_t n)
{
	(void)s;
	if (v >= k->min && v <= k->max && (v & (v - 1)) == 0)
		return true;
	snprintf(want, n, "power of two %lld..%lld", (long long)k->min,
		 (long long)k->max);
	return false;
}

static bool cfg_check_even(const struct cfg_key *k, int64_t v, const char *s,
			   char *want, size_t n)
{
	(void)s;
	if (v >= k->min && v <= k->max && v % 2 == 0)
		return true;
	snprintf(want, n, "even integer %lld..%lld", (long long)k->min,
		 (long long)k->max);
	return false;
}

/* Same order and numbering as syslog and RTE_LOG_*: emerg = 1. */
static const char *const cfg_log_levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

int cfg_log_level_num(const char *name)
{
	for (size_t i = 0; i < sizeof(cfg_log_levels) / sizeof(cfg_log_levels[0]); i++)
		if (strcmp(name, cfg_log_levels[i]) == 0)
			return (int)i + 1;
	return -1;
}

static bool cfg_check_log_level(const struct cfg_key *k, int64_t v,
				const char *s, char *want, size_t n)
{
	size_t len = 0;

	(void)k;
	(void)v;
	if (s != NULL && cfg_log_level_num(s) > 0)
		return true;
	len = (size_t)snprintf(want, n, "one of");
	for (size_t i = 0; i < sizeof(cfg_log_levels) / sizeof(cfg_log_levels[0]) && len < n; i++)
		len += (size_t)snprintf(want + len, n - len, "%s %s", i ? "," : "",
					cfg_log_levels[i]);
	return false;
}

/* Port names and the EAL file prefix: [A-Za-z0-9_-]{min,max}. */
static bool cfg_check_name(const struct cfg_key *k, int64_t v, const char *s,
			   char *want, size_t n)
{
	size_t len = s != NULL ? strlen(s) : 0;
	bool ok = s != NULL && (int64_t)len >= k->min && (int64_t)len <= k->max;

	(void)v;
	for (size_t i = 0; ok && i < len; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-';
	if (ok)
		return true;
	snprintf(want, n, "name of %lld..%lld characters [A-Za-z0-9_-]",
		 (long long)k->min, (long long)k->max);
	return false;
}

/* s[0..len) against a pattern: x = hex digit, o = 0-7, others literal. */
static bool cfg_match(const char *s, size_t len, const char *pat)
{
	if (len != strlen(pat))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool ok = pat[i] == 'x' ? isxdigit(c) != 0
			: pat[i] == 'o' ? c >= '0' && c <= '7'
			: c == (unsigned char)pat[i];
		if (!ok)
			return false;
	}
	return true;
}

static bool cfg_is_pci(const char *s, size_t len)
{
	return cfg_match(s, len, "xxxx:xx:xx.o") || cfg_match(s, len, "xx:xx.o");
}

/*
 * "net_<driver>[,args]" (a vdev) or "DDDD:BB:DD.F[,args]" / "BB:DD.F[,args]"
 * (a PCI device). No blanks or control characters: it becomes one EAL
 * argument.
 */
static bool cfg_check_device(const struct cfg_key *k, int64_t v, const char *s,
			     char *want, size_t n)
{
	size_t len = s != NULL ? strlen(s) : 0, id = s != NULL ? strcspn(s, ",") : 0;
	bool ok = len >= 1 && (int64_t)len <= k->max;

	(void)v;
	for (size_t i = 0; ok && i < len; i++)
		ok = isgraph((unsigned char)s[i]) != 0;
	if (ok && strncmp(s, "net_", 4) == 0) {
		ok = id > 4;
		for (size_t i = 4; ok && i < id; i++)
			ok = isalnum((unsigned char)s[i]) || s[i] == '_';
	} else if (ok) {
		ok = cfg_is_pci(s, id);
	}
	if (ok)
		return true;
	snprintf(want, n, "vdev \"net_<driver><n>[,args]\" or PCI address "
		 "DDDD:BB:DD.F or BB:DD.F");
	return false;
}

void cfg_device_id(const char *device, char *id, size_t n)
{
	size_t len = strcspn(device, ",");
	bool short_pci = cfg_is_pci(device, len) && len == 7;

	snprintf(id, n, "%s%.*s", short_pci ? "0000:" : "", (int)len, device);
	for (char *p = id; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* ---- the EAL --lcores map: "0@0,1@1", "(0-3)@(0,1)", "0,1,2" ---- */

#define CFG_MAX_CPUS 1024

static const char *cfg_lc_num(const char *p, unsigned limit, unsigned *v)
{
	if (!isdigit((unsigned char)*p))
		return NULL;
	for (*v = 0; isdigit((unsigned char)*p); p++) {
		*v = *v * 10 + (unsigned)(*p - '0');
		if (*v >= limit)
			return NULL;
	}
	return p;
}

/* N, N-M or (a,b-c,...); records ids in set (if any), refusing repeats. */
static const char *cfg_lc_set(const char *p, unsigned limit, uint8_t *set)
{
	bool group = *p == '(';
	unsigned lo, hi;

	if (group)
		p++;
	for (;;) {
		p = cfg_lc_num(p, limit, &lo);
		if (p == NULL)
			return NULL;
		hi = lo;
		if (*p == '-' && (p = cfg_lc_num(p + 1, limit, &hi)) == NULL)
			return NULL;
		if (hi < lo)
			return NULL;
		for (unsigned i = lo; set != NULL && i <= hi; i++) {
			if (set[i / 8] & (1u << (i % 8)))
				return NULL;
			set[i / 8] |= (uint8_t)(1u << (i % 8));
		}
		if (!group || *p != ',')
			break;
		p++;
	}
	if (group && *p++ != ')')
		return NULL;
	return p;
}

bool cfg_lcores_parse(const char *map, uint8_t set[CFG_MAX_LCORES / 8])
{
	const char *p = map;

	memset(set, 0, CFG_MAX_LCORES / 8);
	if (*p == '\0')
		return true;
	for (;;) {
		p = cfg_lc_set(p, CFG_MAX_LCORES, set);
		if (p != NULL && *p == '@')
			p = cfg_lc_set(p + 1, CFG_MAX_CPUS, NULL);
		if (p == NULL)
			return false;
		if (*p == '\0')
			return true;
		if (*p++ != ',')
			return false;
	}
}

static bool cfg_check_lcores(const struct cfg_key *k, int64_t v, const char *s,
			     char *want, size_t n)
{
	uint8_t set[CFG_MAX_LCORES / 8];

	(void)v;
	if (s != NULL && (int64_t)strlen(s) <= k->max && cfg_lcores_parse(s, set))
		return true;
	snprintf(want, n, "EAL lcore map like \"0@0,1@1\" or \"(0-3)@(0,1)\" "
		 "with lcores 0..%d each listed once", CFG_MAX_LCORES - 1);
	return false;
}

/* ---- extra EAL arguments: never one that another key already sets ---- */

static const struct {
	const char *opt;
	const char *key;
} cfg_eal_owned[] = {
	{ "-l", "eal.lcores" },           { "-c", "eal.lcores" },
	{ "--lcores", "eal.lcores" },     { "--main-lcore", "eal.main_lcore" },
	{ "--master-lcore", "eal.main_lcore" },
	{ "-m", "eal.memory_mb" },        { "--socket-mem", "eal.memory_mb" },
	{ "--no-huge", "eal.hugepages" }, { "--file-prefix", "eal.file_prefix" },
	{ "-a", "ports" },                { "--allow", "ports" },
	{ "-w", "ports" },                { "--pci-whitelist", "ports" },
	{ "--vdev", "ports" },
};

static bool cfg_eal_opt_is(const char *arg, const char *opt)
{
	size_t len = strlen(opt);

	if (opt[1] != '-') /* short option: "-m", "-m512" */
		return strncmp(arg, opt, 2) == 0;
	return strncmp(arg, opt, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

static bool cfg_check_eal_arg(const struct cfg_key *k, int64_t v, const char *s,
			      char *want, size_t n)
{
	size_t len = s != NULL ? strlen(s) : 0;

	(void)v;
	if (len == 0 || (int64_t)len > k->max) {
		snprintf(want, n, "string of 1..%lld characters", (long long)k->max);
		return false;
	}
	for (size_t i = 0; i < sizeof(cfg_eal_owned) / sizeof(cfg_eal_owned[0]); i++) {
		if (cfg_eal_opt_is(s, cfg_eal_owned[i].opt)) {
			snprintf(want, n, "an EAL option no other key sets "
				 "('%s' comes from '%s')", cfg_eal_owned[i].opt,
				 cfg_eal_owned[i].key);
			return false;
		}
	}
	return true;
}

/* ---- the tables ---- */

#define FIELD(st, f) .off = offsetof(st, f), .size = sizeof(((st *)0)->f)
#define ELEMS(st, f, cnt) .off = offsetof(st, f), .size = sizeof(((st *)0)->f[0]), \
	.count_off = offsetof(st, cnt), \
	.max_n = sizeof(((st *)0)->f) / sizeof(((st *)0)->f[0])

#define K_INT(nm, fl, st, f, lo, hi, d, fn) \
	{ .name = nm, .type = CFG_T_INT, .flags = fl, FIELD(st, f), \
	  .min = lo, .max = hi, .def = d, .check = fn }
#define K_BOOL(nm, st, f, d) \
	{ .name = nm, .type = CFG_T_BOOL, FIELD(st, f), .def = d }
/* Strings hold at most sizeof(field) - 1 characters. */
#define K_STR(nm, fl, st, f, lo, d, fn) \
	{ .name = nm, .type = CFG_T_STR, .flags = fl, FIELD(st, f), .min = lo, \
	  .max = sizeof(((st *)0)->f) - 1, .def_str = d, .check = fn }
#define K_IPV4(nm, fl, st, f) \
	{ .name = nm, .type = CFG_T_IPV4, .flags = fl, FIELD(st, f) }
#define K_INTS(nm, fl, st, f, cnt, lo_n, lo, hi) \
	{ .name = nm, .type = CFG_T_INT_ARRAY, .flags = fl, ELEMS(st, f, cnt), \
	  .min_n = lo_n, .min = lo, .max = hi }
#define K_STRS(nm, st, f, cnt, fn) \
	{ .name = nm, .type = CFG_T_STR_ARRAY, ELEMS(st, f, cnt), .min = 1, \
	  .max = sizeof(((st *)0)->f[0]) - 1, .check = fn }
#define K_GROUP(nm, keys) { .name = nm, .type = CFG_T_GROUP, .sub = keys }
#define K_END { .name = NULL, .type = CFG_T_END }

#define REQ CFG_K_REQUIRED
#define C struct cfg
#define P struct cfg_port

static const struct cfg_key cfg_keys_eal[] = {
	K_STR("lcores", 0, C, eal.lcores, 0, "", cfg_check_lcores),
	K_INT("main_lcore", 0, C, eal.main_lcore, 0, CFG_MAX_LCORES - 1, 0, NULL),
	K_INTS("io_lcores", REQ, C, eal.io_lcores, eal.n_io, 1, 0, CFG_MAX_LCORES - 1),
	K_INTS("worker_lcores", REQ, C, eal.worker_lcores, eal.n_workers, 1, 0,
	       CFG_MAX_LCORES - 1),
	K_INT("memory_mb", 0, C, eal.memory_mb, 64, 1048576, 512, NULL),
	K_BOOL("hugepages", C, eal.hugepages, false),
	K_STR("file_prefix", 0, C, eal.file_prefix, 1, "sluice", cfg_check_name),
	K_STR("log_level", 0, C, eal.log_level, 1, "info", cfg_check_log_level),
	K_STRS("args", C, eal.args, eal.n_args, cfg_check_eal_arg),
	K_END
};

static const struct cfg_key cfg_keys_port[] = {
	K_STR("name", REQ, P, name, 1, "", cfg_check_name),
	K_STR("device", REQ, P, device, 1, "", cfg_check_device),
	K_IPV4("address", REQ, P, addr),
	K_INT("prefix", REQ, P, prefix, 1, 32, 0, NULL),
	K_IPV4("gateway", 0, P, gateway),
	K_INT("mtu", 0, P, mtu, 576, 9000, 1500, NULL),
	K_INT("rx_desc", 0, P, rx_desc, 64, 32768, 1024, NULL),
	K_INT("tx_desc", 0, P, tx_desc, 64, 32768, 1024, NULL),
	K_END
};

static const struct cfg_key cfg_keys_sip[] = {
	K_INTS("udp_ports", REQ | CFG_K_UNIQUE, C, sip.udp_ports, sip.n_udp_ports, 1,
	       1, 65535),
	K_END
};

static const struct cfg_key cfg_keys_rtp[] = {
	K_INT("port_min", 0, C, rtp.port_min, 1024, 65534, 20000, cfg_check_even),
	K_INT("port_max", 0, C, rtp.port_max, 1025, 65535, 29999, NULL),
	K_END
};

static const struct cfg_key cfg_keys_workers[] = {
	K_INT("ring_size", 0, C, workers.ring_size, 64, 65536, 4096, cfg_check_pow2),
	K_INT("burst", 0, C, workers.burst, 1, 64, 32, NULL),
	K_END
};

static const struct cfg_key cfg_keys_mempool[] = {
	K_INT("mbufs", 0, C, mempool.mbufs, 1023, 16777215, 16383, NULL),
	/* RTE_MEMPOOL_CACHE_MAX_SIZE is 512 */
	K_INT("cache", 0, C, mempool.cache, 0, 512, 256, NULL),
	K_END
};

static const struct cfg_key cfg_keys_net[] = {
	K_INT("reachable_s", 0, C, net.reachable_s, 1, 86400, 300, NULL),
	K_INT("frag_timeout_ms", 0, C, net.frag_timeout_ms, 100, 60000, 2000, NULL),
	K_END
};

static const struct cfg_key cfg_keys_poll[] = {
	K_INT("idle_spin", 0, C, poll.idle_spin, 0, 1000000, 64, NULL),
	K_INT("idle_max_us", 0, C, poll.idle_max_us, 0, 1000000, 1000, NULL),
	K_END
};

const struct cfg_key cfg_keys_root[] = {
	K_GROUP("eal", cfg_keys_eal),
	{ .name = "ports", .type = CFG_T_LIST, .flags = REQ,
	  ELEMS(C, ports, n_ports), .min_n = 1, .sub = cfg_keys_port },
	K_GROUP("sip", cfg_keys_sip),
	K_GROUP("rtp", cfg_keys_rtp),
	K_GROUP("workers", cfg_keys_workers),
	K_GROUP("mempool", cfg_keys_mempool),
	K_GROUP("net", cfg_keys_net),
	K_GROUP("poll", cfg_keys_poll),
	K_END
};
