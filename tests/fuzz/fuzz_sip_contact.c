/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the name-addr list iterators (dataplane/sip/
 * sip_contact.c). Feeds an arbitrary header value up to 8 KiB to
 * sip_contact_next and checks the iterator's promises: every success
 * moves *pos forward by exactly the bytes it reports, onto a comma or the
 * end; 0 comes only at the end; an error is a known code with its offset
 * inside the input and leaves *pos alone; the loop ends within n + 2
 * calls. Each element's slices lie inside the bytes it consumed, its
 * decoded Contact values are in range, sip_naddr_next reads the same
 * element the same way, sip_naddr_parse of the element alone agrees, and
 * sip_naddr_param finds each recorded parameter. Seeds:
 * tests/fuzz/corpus/sip_contact/.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "sip/sip_contact.h"

#define MAX_INPUT 8192

/* s lies inside [lo, hi). */
static int within(struct sip_slice s, size_t lo, size_t hi)
{
	return s.len == 0 || (s.off >= lo && (size_t)s.off + s.len <= hi);
}

static int sl_eq(struct sip_slice a, struct sip_slice b)
{
	return a.off == b.off && a.len == b.len;
}

static const char *const pnames[SIP_NADDR_P_COUNT] = {
#define SIP_NADDR_X(id, s) [SIP_NADDR_P_##id] = s,
	SIP_NADDR_PARAMS(SIP_NADDR_X)
#undef SIP_NADDR_X
};

static void check_naddr(const char *buf, const struct sip_naddr *na, size_t lo, size_t hi)
{
	const struct sip_uri *u = &na->uri;
	const struct sip_slice sl[] = {
		na->all, na->display, na->uri_text, na->params, u->all, u->user, u->password,
		u->host, u->params, u->headers, u->transport, u->user_param, u->method, u->maddr,
	};
	struct sip_slice v;

	for (size_t i = 0; i < sizeof(sl) / sizeof(sl[0]); i++)
		CHECK(within(sl[i], lo, hi));
	CHECK(na->all.len > 0 && na->uri_text.len > 0 && na->err == 0);
	CHECK(sl_eq(na->uri_text, u->all));
	CHECK(na->n_params <= SIP_NADDR_PARAMS_MAX && !na->n_params == !na->params.len);
	if (!na->angle)
		CHECK(u->n_headers == 0);
	for (int id = 0; id < SIP_NADDR_P_COUNT; id++) {
		CHECK(within(na->pv[id], lo, hi));
		if (!sip_naddr_has(na, id))
			continue;
		CHECK(sip_naddr_param(na, buf, pnames[id], &v));
		CHECK(sl_eq(v, na->pv[id]) || (v.len == 0 && na->pv[id].len == 0));
	}
}

static void check_contact(const char *buf, const struct sip_contact *c, size_t lo, size_t hi)
{
	struct sip_naddr alone;
	const struct sip_naddr *na = &c->na;

	check_naddr(buf, na, lo, hi);
	CHECK(c->q <= 1000 && (c->has_q || c->q == 1000));
	CHECK(!c->has_reg_id || (c->reg_id >= 1 && c->reg_id <= INT32_MAX));
	CHECK(c->has_expires == sip_naddr_has(na, SIP_NADDR_P_EXPIRES));
	CHECK(!sip_naddr_has(na, SIP_NADDR_P_INSTANCE) || c->instance.len > 0);
	CHECK(within(c->instance, lo, hi));
	/* The element alone reads the same. */
	CHECK(sip_naddr_parse(buf, buf + na->all.off, na->all.len, &alone) == na->all.len);
	CHECK(sl_eq(alone.uri_text, na->uri_text) && sl_eq(alone.display, na->display));
	CHECK(sl_eq(alone.params, na->params) && alone.present == na->present);
	CHECK(alone.n_params == na->n_params && alone.angle == na->angle);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct sip_contact c;
	struct sip_naddr na;
	size_t pos = 0, steps = 0;

	if (size > MAX_INPUT)
		return 0;
	for (;;) {
		size_t before = pos, p2 = pos;
		int rc = sip_contact_next(buf, buf, size, &pos, &c);
		int rc2 = sip_naddr_next(buf, buf, size, &p2, &na);

		CHECK(++steps <= size + 2);
		if (rc == 0) {
			CHECK(pos == size && before > 0 && rc2 == 0);
			break;
		}
		if (rc < 0) {
			CHECK(pos == before);
			CHECK(-rc < SIP_NADDR_E_COUNT && c.na.err == -rc);
			CHECK(c.na.err_off <= size);
			CHECK(sip_naddr_err_str(rc)[0] != '\0');
			/* Only Contact's own checks fail where the generic list passes. */
			CHECK(rc2 < 0 || -rc >= SIP_NADDR_E_STAR_NOT_ALONE);
			break;
		}
		CHECK(pos == before + (size_t)rc && pos <= size);
		CHECK(pos == size || buf[pos] == ',');
		if (c.star) {
			CHECK(before == 0 && pos == size);
			continue;
		}
		CHECK(rc2 == rc && p2 == pos);
		CHECK(sl_eq(na.all, c.na.all) && sl_eq(na.uri_text, c.na.uri_text));
		CHECK(na.present == c.na.present && na.n_params == c.na.n_params);
		check_contact(buf, &c, before, pos);
	}
	/* A single value parses as one name-addr iff it is a one-element list. */
	if (sip_naddr_parse(buf, buf, size, &na) > 0) {
		pos = 0;
		CHECK(sip_naddr_next(buf, buf, size, &pos, &na) > 0 && pos == size);
	}
	return 0;
}
