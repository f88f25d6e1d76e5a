/* SPDX-License-Identifier: MIT */
/*
 * The keyword table: every key sluice.conf may hold, with its type, range,
 * default, place in struct cfg and validator.
 *
 * Adding a key is adding a row here (and a field in cfg.h); cfg.c only walks
 * these tables, fills defaults from them and words errors from them. The
 * validators below check what a range cannot: powers of two, even ports,
 * names, device strings, the EAL lcore map, EAL arguments sluice sets itself,
 * tokens, host names, numbers and extensions. Checks that span several keys
 * (lcores used twice, gateway outside the subnet, RTP range against the
 * workers) live in cfg.c after the walk; those of tenants in cfg_tenants.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- addresses ---- */

bool cfg_parse_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return false;
	*addr = ntohl(in.s_addr);
	return (*addr >> 24) != 0 && (*addr >> 24) != 127 && (*addr >> 24) < 224;
}

/* Digits at s[0..len) as a number lo..hi, no sign, no leading zero. */
static bool cfg_parse_small(const char *s, size_t len, unsigned lo, unsigned hi,
			    unsigned *v)
{
	if (len == 0 || len > 5 || (s[0] == '0' && len > 1))
		return false;
	*v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return *v >= lo && *v <= hi;
}

/* "a.b.c.d" of s[0..len), unicast unless any. */
static bool cfg_parse_addr(const char *s, size_t len, bool any, uint32_t *addr)
{
	char ip[INET_ADDRSTRLEN];
	struct in_addr in;

	if (len >= sizeof(ip))
		return false;
	memcpy(ip, s, len);
	ip[len] = '\0';
	if (any) {
		if (inet_pton(AF_INET, ip, &in) != 1)
			return false;
		*addr = ntohl(in.s_addr);
		return *addr < 0xe0000000u || *addr == 0; /* no multicast */
	}
	return cfg_parse_ipv4(ip, addr);
}

bool cfg_parse_endpoint(const char *s, bool any, struct cfg_endpoint *ep)
{
	const char *colon = strchr(s, ':');
	unsigned port;

	if (colon == NULL || !cfg_parse_small(colon + 1, strlen(colon + 1), 1,
					      65535, &port))
		return false;
	ep->port = (uint16_t)port;
	return cfg_parse_addr(s, (size_t)(colon - s), any, &ep->addr);
}

bool cfg_parse_cidr(const char *s, struct cfg_cidr *c)
{
	const char *slash = strchr(s, '/');
	unsigned prefix;

	if (slash == NULL || !cfg_parse_small(slash + 1, strlen(slash + 1), 8, 32,
					      &prefix))
		return false;
	c->prefix = (uint8_t)prefix;
	if (!cfg_parse_addr(s, (size_t)(slash - s), false, &c->addr))
		return false;
	return prefix == 32 || (c->addr & (~0u >> prefix)) == 0;
}

/* ---- strings of tenants ---- */

/* s is len characters within the key's range, each accepted by ok(). */
static bool cfg_chars(const struct cfg_key *k, const char *s, int (*ok)(int))
{
	size_t len = s != NULL ? strlen(s) : 0;

	if (s == NULL || (int64_t)len < k->min || (int64_t)len > k->max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!ok((unsigned char)s[i]))
			return false;
	return true;
}

static int cfg_is_id(int c)
{
	return islower(c) || isdigit(c) || c == '_' || c == '-';
}

/* Bearer token characters (RFC 6750 b64token, and '='). */
static int cfg_is_token(int c)
{
	return isalnum(c) || strchr("-._~+/=", c) != NULL;
}

static int cfg_is_user(int c)
{
	return isalnum(c) || strchr("_.+-", c) != NULL;
}

/* Text for people: anything but control characters (UTF-8 passes). */
static int cfg_is_text(int c)
{
	return c >= 0x20 && c != 0x7f;
}

static int cfg_is_print(int c)
{
	return isprint(c);
}

static bool cfg_check_id(const struct cfg_key *k, int64_t v, const char *s,
			 char *want, size_t n)
{
	(void)v;
	if (cfg_chars(k, s, cfg_is_id))
		return true;
	snprintf(want, n, "id of %lld..%lld characters [a-z0-9_-]",
		 (long long)k->min, (long long)k->max);
	return false;
}

static bool cfg_check_token(const struct cfg_key *k, int64_t v, const char *s,
			    char *want, size_t n)
{
	(void)v;
	if (cfg_chars(k, s, cfg_is_token))
		return true;
	snprintf(want, n, "token of %lld..%lld characters [A-Za-z0-9-._~+/=]",
		 (long long)k->min, (long long)k->max);
	return false;
}

static bool cfg_check_username(const struct cfg_key *k, int64_t v,
			       const char *s, char *want, size_t n)
{
	(void)v;
	if (cfg_chars(k, s, cfg_is_user))
		return true;
	snprintf(want, n, "SIP username of %lld..%lld characters [A-Za-z0-9_.+-]",
		 (long long)k->min, (long long)k->max);
	return false;
}

static bool cfg_check_text(const struct cfg_key *k, int64_t v, const char *s,
			   char *want, size_t n)
{
	(void)v;
	if (cfg_chars(k, s, cfg_is_text))
		return true;
	snprintf(want, n, "text of %lld..%lld characters, no control characters",
		 (long long)k->min, (long long)k->max);
	return false;
}

/* Digest algorithms a registrar may offer (RFC 7616, RFC 8760). */
static bool cfg_check_digest_alg(const struct cfg_key *k, int64_t v, const char *s,
				 char *want, size_t n)
{
	static const char *const algs[] = {"SHA-256", "MD5", "SHA-512-256"};

	(void)k;
	(void)v;
	for (size_t i = 0; s && i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(s, algs[i]) == 0)
			return true;
	snprintf(want, n, "one of SHA-256, MD5, SHA-512-256");
	return false;
}

static bool cfg_check_password(const struct cfg_key *k, int64_t v,
			       const char *s, char *want, size_t n)
{
	(void)v;
	if (cfg_chars(k, s, cfg_is_print))
		return true;
	snprintf(want, n, "password of %lld..%lld printable ASCII characters",
		 (long long)k->min, (long long)k->max);
	return false;
}

/* Exactly k->max hex digits (k->min == k->max). */
static bool cfg_check_hex(const struct cfg_key *k, int64_t v, const char *s,
			  char *want, size_t n)
{
	(void)v;
	if (cfg_chars(k, s, isxdigit))
		return true;
	snprintf(want, n, "%lld hex digits", (long long)k->max);
	return false;
}

/* Labels of [A-Za-z0-9-], 1..63 each, not starting or ending with '-'. */
static bool cfg_check_host(const struct cfg_key *k, int64_t v, const char *s,
			   char *want, size_t n)
{
	size_t len = s != NULL ? strlen(s) : 0, label = 0;
	bool ok = len >= 1 && len <= 253 && (int64_t)len <= k->max;

	(void)v;
	for (size_t i = 0; ok && i <= len; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			ok = label >= 1 && label <= 63 && s[i - 1] != '-';
			label = 0;
		} else {
			ok = isalnum((unsigned char)c) || (c == '-' && label > 0);
			label++;
		}
	}
	if (ok)
		return true;
	snprintf(want, n, "host name like \"pbx.example.com\" (labels of "
		 "[A-Za-z0-9-], at most 253 characters)");
	return false;
}

/*
 * [+]digits[*]: plus as the key says (1 required, 0 refused, -1 either),
 * 1..15 digits, a trailing '*' (a prefix) only if star.
 */
static bool cfg_is_number(const char *s, int plus, bool star)
{
	size_t digits;

	if (s == NULL || (plus == 1 && *s != '+') || (plus == 0 && *s == '+'))
		return false;
	s += *s == '+';
	digits = strspn(s, "0123456789");
	if (digits < 1 || digits > 15)
		return false;
	s += digits;
	if (*s == '*' && star)
		s++;
	return *s == '\0';
}

static bool cfg_check_did(const struct cfg_key *k, int64_t v, const char *s,
			  char *want, size_t n)
{
	(void)k;
	(void)v;
	if (cfg_is_number(s, 1, true))
		return true;
	snprintf(want, n, "E.164 number \"+<1..15 digits>\" or prefix "
		 "\"+<digits>*\"");
	return false;
}

static bool cfg_check_pattern(const struct cfg_key *k, int64_t v, const char *s,
			      char *want, size_t n)
{
	(void)k;
	(void)v;
	if (cfg_is_number(s, -1, true))
		return true;
	snprintf(want, n, "number of 1..15 digits with an optional leading '+' "
		 "and an optional trailing '*' (prefix)");
	return false;
}

static bool cfg_check_extension(const struct cfg_key *k, int64_t v,
				const char *s, char *want, size_t n)
{
	(void)k;
	(void)v;
	if (cfg_is_number(s, 0, false))
		return true;
	snprintf(want, n, "extension of 1..15 digits");
	return false;
}

/* The status a failed call ends with: a final failure, 400..699. */
static bool cfg_check_status(const struct cfg_key *k, int64_t v, const char *s,
			     char *want, size_t n)
{
	(void)s;
	if (v >= k->min && v <= k->max)
		return true;
	snprintf(want, n, "SIP failure status %lld..%lld", (long long)k->min,
		 (long long)k->max);
	return false;
}

static const char *const cfg_ring_names[] = { "sequential", "parallel", NULL };
/* enum cfg_invite_auth, in its order */
static const char *const cfg_invite_auth_names[] = { "source", "always", NULL };

const struct cfg_budget_def cfg_budgets[CFG_B_COUNT] = {
	[CFG_B_USERS] = { "users", CFG_MAX_USERS },
	[CFG_B_DEVICES] = { "devices", CFG_MAX_DEVICES },
	[CFG_B_TRUNKS] = { "trunks", CFG_MAX_TRUNKS },
	[CFG_B_CIDRS] = { "trunk CIDRs", CFG_MAX_CIDRS },
	[CFG_B_ROUTES] = { "routes", CFG_MAX_ROUTES },
	[CFG_B_TARGETS] = { "targets", CFG_MAX_TARGETS },
	[CFG_B_DIDS] = { "DIDs", CFG_MAX_DIDS },
	[CFG_B_DOMAINS] = { "domains", CFG_MAX_DOMAINS },
	[CFG_B_ADDRESSES] = { "tenant addresses", CFG_MAX_ADDRESSES },
};

/* ---- the tables ---- */

#define FIELD(st, f) .off = offsetof(st, f), .size = sizeof(((st *)0)->f)
#define ELEMS(st, f, cnt) .off = offsetof(st, f), .size = sizeof(((st *)0)->f[0]), \
	.count_off = offsetof(st, cnt), .count_size = sizeof(((st *)0)->cnt), \
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

/* Allocated lists: the field points to max elements at most. */
#define ALLOC(fl, st, f, cnt, mx, b) .flags = CFG_K_ALLOC | (fl), \
	.off = offsetof(st, f), \
	.size = sizeof(*((st *)0)->f), .count_off = offsetof(st, cnt), \
	.count_size = sizeof(((st *)0)->cnt), .max_n = mx, .budget = b
#define K_LIST(nm, st, f, cnt, mx, b, keys) \
	{ .name = nm, .type = CFG_T_LIST, ALLOC(0, st, f, cnt, mx, b), .sub = keys }
#define K_ASTRS(nm, st, f, cnt, mx, b, fn) \
	{ .name = nm, .type = CFG_T_STR_ARRAY, ALLOC(0, st, f, cnt, mx, b), .min = 1, \
	  .max = sizeof(*((st *)0)->f) - 1, .check = fn }
#define K_AEPS(nm, st, f, cnt, mx, b) \
	{ .name = nm, .type = CFG_T_EP_ARRAY, ALLOC(0, st, f, cnt, mx, b) }
#define K_ACIDRS(nm, st, f, cnt, mx, b) \
	{ .name = nm, .type = CFG_T_CIDR_ARRAY, ALLOC(0, st, f, cnt, mx, b) }
#define K_ENUM(nm, st, f, words) \
	{ .name = nm, .type = CFG_T_ENUM, FIELD(st, f), .names = words }
#define K_EP(nm, fl, st, f, d) \
	{ .name = nm, .type = CFG_T_ENDPOINT, .flags = fl, FIELD(st, f), .def_str = d }

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
	K_INT("t1_ms", 0, C, sip.t1_ms, 50, 10000, 500, NULL),
	K_INT("t2_ms", 0, C, sip.t2_ms, 100, 60000, 4000, NULL),
	K_INT("t4_ms", 0, C, sip.t4_ms, 100, 60000, 5000, NULL),
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
	K_INT("max_calls", 0, C, workers.max_calls, 64, 4194304, 8192, NULL),
	K_INT("shed_backlog", 0, C, workers.shed_backlog, 16, 16384, 128, NULL),
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
	K_INT("tx_drain_us", 0, C, poll.tx_drain_us, 0, 10000, 0, NULL),
	K_END
};

#define SECRET CFG_K_SECRET

static const struct cfg_key cfg_keys_api[] = {
	K_EP("listen", CFG_K_ANYADDR, C, api.listen, "127.0.0.1:8080"),
	K_STR("admin_token", SECRET, C, api.admin_token, 16, "", cfg_check_token),
	K_END
};

static const struct cfg_key cfg_keys_cdr[] = {
	K_STR("path", 0, C, cdr.path, 1, "/var/lib/sluice/cdr.db", cfg_check_text),
	K_END
};

static const struct cfg_key cfg_keys_registrar[] = {
	K_STR("path", 0, C, registrar.path, 0, "", cfg_check_text),
	K_INT("save_ms", 0, C, registrar.save_ms, 100, 60000, 1000, NULL),
	K_INT("min_expires", 0, C, registrar.min_expires, 1, 86400, 60, NULL),
	K_INT("max_expires", 0, C, registrar.max_expires, 1, 86400, 3600, NULL),
	K_INT("default_expires", 0, C, registrar.default_expires, 1, 86400, 3600, NULL),
	K_END
};

/* ---- tenants ---- */

#define T struct cfg_tenant
#define U struct cfg_user
#define D struct cfg_device
#define TR struct cfg_trunk
#define R struct cfg_route
#define TG struct cfg_target

static const struct cfg_key cfg_keys_device[] = {
	K_STR("username", REQ, D, username, 1, "", cfg_check_username),
	K_STR("password", SECRET, D, password, 8, "", cfg_check_password),
	K_STR("ha1_md5", SECRET, D, ha1_md5, 32, "", cfg_check_hex),
	K_STR("ha1_sha256", SECRET, D, ha1_sha256, 64, "", cfg_check_hex),
	K_INT("max_contacts", 0, D, max_contacts, 1, 100, 5, NULL),
	K_END
};

static const struct cfg_key cfg_keys_user[] = {
	K_STR("name", REQ, U, name, 1, "", cfg_check_name),
	K_STR("extension", REQ, U, extension, 1, "", cfg_check_extension),
	K_LIST("devices", U, devices, n_devices, CFG_MAX_USER_DEVICES,
	       CFG_B_DEVICES, cfg_keys_device),
	K_END
};

static const struct cfg_key cfg_keys_trunk[] = {
	K_STR("name", REQ, TR, name, 1, "", cfg_check_name),
	K_EP("address", REQ, TR, address, NULL),
	K_ACIDRS("cidrs", TR, cidrs, n_cidrs, CFG_MAX_TRUNK_CIDRS, CFG_B_CIDRS),
	K_END
};

static const struct cfg_key cfg_keys_target[] = {
	K_STR("user", 0, TG, user, 1, "", cfg_check_name),
	K_STR("trunk", 0, TG, trunk, 1, "", cfg_check_name),
	K_INT("ring_s", 0, TG, ring_s, 0, 3600, 0, NULL),
	K_END
};

static const struct cfg_key cfg_keys_route[] = {
	K_STR("match", REQ, R, match, 1, "", cfg_check_pattern),
	{ .name = "targets", .type = CFG_T_LIST,
	  ALLOC(REQ, R, targets, n_targets, CFG_MAX_ROUTE_TARGETS, CFG_B_TARGETS),
	  .min_n = 1, .sub = cfg_keys_target },
	K_ENUM("mode", R, mode, cfg_ring_names),
	K_END
};

static const struct cfg_key cfg_keys_fallback[] = {
	K_LIST("targets", T, fallback.targets, fallback.n_targets,
	       CFG_MAX_ROUTE_TARGETS, CFG_B_TARGETS, cfg_keys_target),
	K_ENUM("mode", T, fallback.mode, cfg_ring_names),
	K_INT("status", 0, T, fallback.status, 400, 699, 480, cfg_check_status),
	K_END
};

static const struct cfg_key cfg_keys_match[] = {
	K_AEPS("addresses", T, match.addresses, match.n_addresses,
	       CFG_MAX_TENANT_ADDRESSES, CFG_B_ADDRESSES),
	K_ASTRS("domains", T, match.domains, match.n_domains,
		CFG_MAX_TENANT_DOMAINS, CFG_B_DOMAINS, cfg_check_host),
	K_ASTRS("dids", T, match.dids, match.n_dids, CFG_MAX_DIDS, CFG_B_DIDS,
		cfg_check_did),
	K_END
};

static const struct cfg_key cfg_keys_limits[] = {
	K_INT("cps", 0, T, limits.cps, 0, 10000000, 10, NULL),
	K_INT("burst", 0, T, limits.burst, 0, 1000000, 20, NULL),
	K_INT("concurrent_calls", 0, T, limits.concurrent_calls, 0, 1000000, 100, NULL),
	K_INT("registrations", 0, T, limits.registrations, 0, 1000000, 1000, NULL),
	K_INT("max_ring_s", 0, T, limits.max_ring_s, 1, 3600, 60, NULL),
	K_END
};

static const struct cfg_key cfg_keys_tenant[] = {
	K_STR("id", REQ, T, id, 1, "", cfg_check_id),
	K_STR("name", 0, T, name, 1, "", cfg_check_text),
	K_STR("api_token", REQ | SECRET, T, api_token, 16, "", cfg_check_token),
	K_STR("realm", 0, T, realm, 1, "", cfg_check_host),
	K_STRS("auth_algorithms", T, auth_algorithms, n_auth_algorithms, cfg_check_digest_alg),
	K_ENUM("invite_auth", T, invite_auth, cfg_invite_auth_names),
	K_GROUP("match", cfg_keys_match),
	K_GROUP("limits", cfg_keys_limits),
	K_LIST("users", T, users, n_users, CFG_MAX_USERS, CFG_B_USERS, cfg_keys_user),
	K_LIST("trunks", T, trunks, n_trunks, CFG_MAX_TENANT_TRUNKS, CFG_B_TRUNKS,
	       cfg_keys_trunk),
	K_LIST("routes", T, routes, n_routes, CFG_MAX_ROUTES, CFG_B_ROUTES,
	       cfg_keys_route),
	K_STR("default_trunk", 0, T, default_trunk, 1, "", cfg_check_name),
	K_GROUP("fallback", cfg_keys_fallback),
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
	K_GROUP("api", cfg_keys_api),
	K_GROUP("cdr", cfg_keys_cdr),
	K_GROUP("registrar", cfg_keys_registrar),
	K_LIST("tenants", C, tenants, n_tenants, CFG_MAX_TENANTS, CFG_B_NONE,
	       cfg_keys_tenant),
	K_END
};
