/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SIP/SIPS/tel URI parser (dataplane/sip/
 * sip_uri.c). Feeds arbitrary bytes up to 4 KiB and checks the parser's
 * promises: an error is a known code with its offset inside the input; a
 * success consumes everything, every slice lies inside the input and
 * sits where its delimiter says (';' before the parameters, '?' before
 * the headers, brackets around an IPv6 host), the dotted-quad value
 * matches the host's text, lookups return the recorded parameters, and
 * a URI equals itself. The URI printed back from its parts (canonical
 * scheme, decimal port) parses to the same parts and compares equal both
 * ways. Input with a newline is also split there into two URIs, whose
 * comparison must be symmetric. The phone normaliser writes only digits
 * and a leading '+'. Seeds: tests/fuzz/corpus/sip_uri/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_check.h"
#include "sip/sip_uri.h"

#define MAX_INPUT 4096

static int in(struct sip_slice s, size_t lim)
{
	return (size_t)s.off + s.len <= lim;
}

static int sl_same(const char *a, struct sip_slice sa, const char *b, struct sip_slice sb)
{
	return sa.len == sb.len && memcmp(a + sa.off, b + sb.off, sa.len) == 0;
}

/* The host's dotted quad, read from its text. */
static uint32_t quad_of(const char *p, size_t n)
{
	uint32_t a = 0, v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.') {
			a = a << 8 | v;
			v = 0;
		} else {
			v = v * 10 + (uint32_t)(p[i] - '0');
		}
	}
	return a << 8 | v;
}

static void check_phone(const char *buf, size_t size, const struct sip_uri *u)
{
	char out[MAX_INPUT + 1];
	int rc = sip_uri_phone_norm(buf, size, out, sizeof(out));

	CHECK(rc == -EINVAL || rc == -ENOSPC || (rc > 0 && (size_t)rc <= size));
	for (int i = 0; i < rc; i++)
		CHECK((out[i] >= '0' && out[i] <= '9') || (i == 0 && out[i] == '+'));
	if (rc > 0)
		CHECK(out[rc] == '\0');
	if (u && (rc = sip_uri_phone(u, buf, out, sizeof(out))) > 0)
		CHECK((size_t)rc <= u->user.len);
}

static void check_known(const char *buf, const struct sip_uri *u)
{
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{"transport", offsetof(struct sip_uri, transport)},
		{"user", offsetof(struct sip_uri, user_param)},
		{"method", offsetof(struct sip_uri, method)},
		{"maddr", offsetof(struct sip_uri, maddr)},
	};
	struct sip_slice v;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct sip_slice *s = (const void *)((const char *)u + known[i].off);

		if (s->len) {
			CHECK(sip_uri_param(u, buf, known[i].name, &v));
			CHECK(v.off == s->off && v.len == s->len);
		}
	}
	if (u->lr)
		CHECK(sip_uri_param(u, buf, "lr", &v));
	if (u->has_ttl)
		CHECK(sip_uri_param(u, buf, "ttl", &v) && v.len >= 1 && v.len <= 3);
}

static void check_ok(const char *buf, size_t size, const struct sip_uri *u)
{
	const struct sip_slice all[] = {
		u->all, u->user, u->password, u->host, u->params, u->headers,
		u->transport, u->user_param, u->method, u->maddr,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CHECK(in(all[i], size));
	CHECK(u->all.off == 0 && u->all.len == size && u->err == 0);
	CHECK(u->scheme >= SIP_URI_SCHEME_SIP && u->scheme <= SIP_URI_SCHEME_TEL);
	CHECK(u->n_params <= SIP_URI_PARAMS_MAX && u->n_headers <= SIP_URI_PARAMS_MAX);
	CHECK(!u->n_params == !u->params.len);
	CHECK(!u->n_headers == !u->headers.len);
	if (u->params.len)
		CHECK(buf[u->params.off - 1] == ';');
	if (u->n_headers)
		CHECK(buf[u->headers.off - 1] == '?');
	if (u->scheme == SIP_URI_SCHEME_TEL) {
		CHECK(u->host_kind == SIP_URI_HOST_NONE && u->host.len == 0 && u->user.len > 0);
		CHECK(!u->has_port && !u->n_headers && !u->transport_id);
	} else {
		CHECK(u->host.len > 0 && u->host_kind != SIP_URI_HOST_NONE);
		CHECK(u->transport_id <= SIP_URI_TRANSPORT_WSS);
	}
	if (u->host_kind == SIP_URI_HOST_IPV6)
		CHECK(buf[u->host.off] == '[' && buf[u->host.off + u->host.len - 1] == ']');
	if (u->host_kind == SIP_URI_HOST_IPV4) {
		uint32_t a;

		CHECK(sip_uri_host_ipv4(u, &a) && a == quad_of(buf + u->host.off, u->host.len));
	}
	if (u->password.len || u->has_password)
		CHECK(u->user.len > 0 && buf[u->password.off - 1] == ':');
	check_known(buf, u);
	CHECK(sip_uri_eq(u, buf, u, buf));
}

static const char *const schemes[] = {"", "sip", "sips", "tel"};

/*
 * Prints u back from its parts into out (MAX_INPUT + 32 bytes: at most
 * the input, a canonical scheme no longer than the one written and a
 * decimal port no longer than its digits); returns the length.
 */
static size_t print_back(const char *buf, const struct sip_uri *u, char *out)
{
	size_t k = (size_t)snprintf(out, 8, "%s:", schemes[u->scheme]);

#define PUT(sl)                                                \
	do {                                                   \
		memcpy(out + k, buf + (sl).off, (sl).len);     \
		k += (sl).len;                                 \
	} while (0)
	if (u->scheme == SIP_URI_SCHEME_TEL) {
		PUT(u->user);
	} else {
		if (u->user.len) {
			PUT(u->user);
			if (u->has_password) {
				out[k++] = ':';
				PUT(u->password);
			}
			out[k++] = '@';
		}
		PUT(u->host);
		if (u->has_port)
			k += (size_t)snprintf(out + k, 8, ":%u", u->port);
	}
	if (u->params.len) {
		out[k++] = ';';
		PUT(u->params);
	}
	if (u->n_headers) {
		out[k++] = '?';
		PUT(u->headers);
	}
#undef PUT
	return k;
}

static void check_print_back(const char *buf, const struct sip_uri *u)
{
	char out[MAX_INPUT + 32];
	size_t k = print_back(buf, u, out);
	struct sip_uri v;

	CHECK(sip_uri_parse(out, out, k, &v) == (int)k);
	CHECK(v.scheme == u->scheme && v.host_kind == u->host_kind);
	CHECK(v.has_port == u->has_port && v.port == u->port);
	CHECK(v.has_password == u->has_password && v.lr == u->lr);
	CHECK(v.n_params == u->n_params && v.n_headers == u->n_headers);
	CHECK(v.transport_id == u->transport_id && v.user_phone == u->user_phone);
	CHECK(v.has_ttl == u->has_ttl && v.ttl == u->ttl && v.ipv4 == u->ipv4);
	CHECK(sl_same(out, v.user, buf, u->user) && sl_same(out, v.host, buf, u->host));
	CHECK(sl_same(out, v.password, buf, u->password));
	CHECK(sl_same(out, v.params, buf, u->params) && sl_same(out, v.headers, buf, u->headers));
	CHECK(sip_uri_eq(u, buf, &v, out) && sip_uri_eq(&v, out, u, buf));
}

/* Two URIs split at the first newline: comparison is symmetric. */
static void check_pair(const char *buf, size_t size)
{
	const char *nl = memchr(buf, '\n', size);
	struct sip_uri a, b;
	size_t an, bn;

	if (!nl)
		return;
	an = (size_t)(nl - buf);
	bn = size - an - 1;
	if (sip_uri_parse(buf, buf, an, &a) < 0 || sip_uri_parse(buf, nl + 1, bn, &b) < 0)
		return;
	CHECK(sip_uri_eq(&a, buf, &b, buf) == sip_uri_eq(&b, buf, &a, buf));
	CHECK(sip_uri_eq(&a, buf, &a, buf) && sip_uri_eq(&b, buf, &b, buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct sip_uri u;
	int rc;

	if (size > MAX_INPUT)
		return 0;
	rc = sip_uri_parse(buf, buf, size, &u);
	check_pair(buf, size);
	if (rc < 0) {
		CHECK(-rc > 0 && -rc < SIP_URI_E_COUNT && u.err == -rc);
		CHECK(u.err_off <= size);
		CHECK(sip_uri_err_str(rc)[0] != '\0');
		check_phone(buf, size, NULL);
		return 0;
	}
	CHECK((size_t)rc == size);
	check_ok(buf, size, &u);
	check_print_back(buf, &u);
	check_phone(buf, size, &u);
	return 0;
}
