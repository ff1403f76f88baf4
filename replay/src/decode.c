// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/decode.c - payload text -> typed fields, driven by the scan
 * formats of schema/events.def.
 *
 * The scanner walks the format and the payload together:
 *  1. literal text must match exactly, except that a run of blanks in the
 *     format matches a run of blanks in the payload (trace-cmd pads);
 *  2. a numeric conversion (%d %u %x %llx %lx %016llx %p ...) reads one
 *     number in the conversion's base; a "0x" the format spells is literal,
 *     one the value carries itself (%#llx, %p) is skipped;
 *  3. %s reads up to the next literal text of the format (adjacent %s are
 *     one string), or to the end of the payload when none follows;
 *  4. %r reads the rest of the payload;
 *  5. from conversion opt_from on, an exhausted payload ends the scan with
 *     the remaining fields absent (unpatched or older kernels).
 * Derived fields are then computed from the scanned ones.
 */
#include <stdlib.h>
#include <string.h>

#include "tdxr/src.h"
#include "tdxr/tdx.h"

struct conv {
	char kind;  /* 'd' signed, 'u' unsigned, 'x' hex, 'p' pointer, 's', 'r', 'c' */
	bool alt;   /* '#' flag: the value prints its own 0x */
	size_t len; /* length of the conversion spec in the format */
};

static size_t parse_conv(const char *f, struct conv *c)
{
	const char *p = f + 1;

	c->alt = false;
	while (*p == '#' || *p == '0' || *p == '-' || *p == ' ' || *p == '+') {
		if (*p == '#') {
			c->alt = true;
		}
		p++;
	}
	while (*p >= '0' && *p <= '9') {
		p++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
		}
	}
	while (*p == 'l' || *p == 'h' || *p == 'z' || *p == 'j' || *p == 't') {
		p++;
	}
	switch (*p) {
	case 'd':
	case 'i':
		c->kind = 'd';
		break;
	case 'u':
		c->kind = 'u';
		break;
	case 'x':
	case 'X':
		c->kind = 'x';
		break;
	case 'p':
		c->kind = 'p';
		/* %pS and friends: a symbol, read as a string. */
		if (p[1] >= 'A' && p[1] <= 'Z') {
			c->kind = 's';
			p++;
		}
		break;
	case 's':
		c->kind = 's';
		break;
	case 'r':
		c->kind = 'r';
		break;
	case 'c':
		c->kind = 'c';
		break;
	default:
		c->kind = '?';
		break;
	}
	c->len = (size_t)(p - f) + 1;
	return c->len;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c |= 0x20;
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return -1;
}

/* Reads a number at *pp (bounded by end); 0 ok, -1 with *why. */
static int scan_number(const char **pp, const char *end, char kind, bool alt, uint64_t *out,
		       const char **why)
{
	const char *p = *pp;
	uint64_t v = 0;
	bool neg = false;
	int ndig = 0;

	if (kind == 'd' && p < end && *p == '-') {
		neg = true;
		p++;
	}
	if ((kind == 'x' || kind == 'p') && (alt || kind == 'p') && end - p >= 2 && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
	}
	if (kind == 'x' || kind == 'p') {
		int d;

		while (p < end && (d = hexval((unsigned char)*p)) >= 0) {
			if (ndig >= 16 && v >> 60) {
				*why = "hex value overflows 64 bits";
				return -1;
			}
			v = (v << 4) | (uint64_t)d;
			p++;
			ndig++;
		}
		/* %p may print a hashed or "(null)"-like token: take it as 0. */
		if (ndig == 0 && kind == 'p') {
			while (p < end && !is_blank(*p)) {
				p++;
			}
			*pp = p;
			*out = 0;
			return 0;
		}
	} else {
		while (p < end && *p >= '0' && *p <= '9') {
			uint64_t d = (uint64_t)(*p - '0');

			if (v > (UINT64_MAX - d) / 10) {
				*why = "decimal value overflows 64 bits";
				return -1;
			}
			v = v * 10 + d;
			p++;
			ndig++;
		}
	}
	if (ndig == 0) {
		*why = kind == 'x' || kind == 'p' ? "expected a hex number" : "expected a number";
		return -1;
	}
	if (neg) {
		v = (uint64_t)(-(int64_t)v);
	}
	*pp = p;
	*out = v;
	return 0;
}

/* Length of the literal text starting at @f (up to the next conversion). */
static size_t literal_len(const char *f)
{
	size_t n = 0;

	while (f[n] && !(f[n] == '%' && f[n + 1] != '%')) {
		n += f[n] == '%' ? 2 : 1;
	}
	return n;
}

/* Finds literal @lit (length @n) in [p, end); blanks match loosely only at
 * the ends, which is what trace-cmd's padding needs. */
static const char *find_literal(const char *p, const char *end, const char *lit, size_t n)
{
	if (n == 0) {
		return end;
	}
	return memmem(p, (size_t)(end - p), lit, n);
}

int tdxr_decode_payload(unsigned int type, const char *payload, size_t len, struct tdxr_event *ev,
			struct tdxr_strtab *st, const char **why)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(type);
	const char *f = d->scan_fmt;
	const char *p = payload;
	const char *end = payload + len;
	unsigned int k = 0;

	ev->fmask = 0;
	memset(ev->f, 0, sizeof(ev->f));
	/* Trailing blanks and a CR never matter. */
	while (end > p && (is_blank(end[-1]) || end[-1] == '\r')) {
		end--;
	}
	while (*f) {
		if (d->opt_from >= 0 && k >= (unsigned int)d->opt_from && p >= end) {
			break;
		}
		if (*f != '%' || f[1] == '%') {
			char want = *f;

			if (is_blank(want)) {
				if (p >= end || !is_blank(*p)) {
					/* A blank before an empty trailing %s may be trimmed. */
					if (p >= end) {
						f++;
						continue;
					}
					*why = "expected a blank";
					return -1;
				}
				while (p < end && is_blank(*p)) {
					p++;
				}
				while (is_blank(*f)) {
					f++;
				}
				continue;
			}
			if (p >= end || *p != want) {
				*why = p >= end ? "payload ends early"
						: "payload differs from the format";
				return -1;
			}
			p++;
			f += want == '%' ? 2 : 1;
			continue;
		}

		struct conv c;
		uint64_t v = 0;

		f += parse_conv(f, &c);
		if (c.kind == '?') {
			*why = "unsupported conversion in the schema";
			return -1;
		}
		if (c.kind == 's') {
			const char *stop;
			size_t n;

			/* Adjacent %s conversions read as one string. */
			while (f[0] == '%' && f[1] == 's') {
				f += 2;
			}
			n = literal_len(f);
			stop = find_literal(p, end, f, n);
			if (!stop) {
				if (d->opt_from >= 0 && k + 1 >= (unsigned int)d->opt_from) {
					stop = end;
				} else {
					*why = "string field not terminated";
					return -1;
				}
			}
			/* A literal that is only blanks then end: the string runs to the end. */
			v = tdxr_strtab_intern(st, p, (size_t)(stop - p));
			p = stop;
		} else if (c.kind == 'r') {
			v = tdxr_strtab_intern(st, p, (size_t)(end - p));
			p = end;
		} else if (c.kind == 'c') {
			if (p < end) {
				v = (unsigned char)*p++;
			}
		} else if (scan_number(&p, end, c.kind, c.alt, &v, why) < 0) {
			return -1;
		}
		if (k < d->nr_scanned) {
			ev->f[k] = v;
			ev->fmask |= (uint16_t)(1u << k);
		}
		k++;
	}
	if (p < end) {
		*why = "trailing text after the last field";
		return -1;
	}
	tdxr_derive_fields(type, ev, st);
	return 0;
}

/* ---- derived fields ---------------------------------------------------- */

/*
 * The derived fields (TDXR_FF_DERIVED) from the fields they come from.
 * Every reader calls this, so text, trace.dat and CTF agree.
 */
void tdxr_derive_fields(unsigned int type, struct tdxr_event *ev, struct tdxr_strtab *st)
{
	const char *s;

	switch (type) {
	case TDXR_EV_KVM_EXIT:
		if (!EVF_HAS(ev, KVM_EXIT, reason)) {
			break;
		}
		s = tdxr_strtab_get(st, (uint32_t)EVF(ev, KVM_EXIT, reason));
		EVF(ev, KVM_EXIT, exit_reason) = tdxr_vmx_exit_reason(s);
		ev->fmask |= 1u << TDXR_F_KVM_EXIT_exit_reason;
		break;
	case TDXR_EV_KVM_MMIO:
		if (!EVF_HAS(ev, KVM_MMIO, type_name)) {
			break;
		}
		s = tdxr_strtab_get(st, (uint32_t)EVF(ev, KVM_MMIO, type_name));
		EVF(ev, KVM_MMIO, type) = strcmp(s, "write") == 0  ? 2
					  : strcmp(s, "read") == 0 ? 1
								   : 0;
		ev->fmask |= 1u << TDXR_F_KVM_MMIO_type;
		break;
	case TDXR_EV_KVM_PIO:
		if (!EVF_HAS(ev, KVM_PIO, rw_name)) {
			break;
		}
		s = tdxr_strtab_get(st, (uint32_t)EVF(ev, KVM_PIO, rw_name));
		EVF(ev, KVM_PIO, rw) = strcmp(s, "write") == 0;
		ev->fmask |= 1u << TDXR_F_KVM_PIO_rw;
		break;
	case TDXR_EV_KVM_MMU_PREPARE_ZAP_PAGE: {
		const char *root;

		if (!EVF_HAS(ev, KVM_MMU_PREPARE_ZAP_PAGE, role)) {
			break;
		}
		s = tdxr_strtab_get(st, (uint32_t)EVF(ev, KVM_MMU_PREPARE_ZAP_PAGE, role));
		EVF(ev, KVM_MMU_PREPARE_ZAP_PAGE, direct) = strstr(s, " direct") != NULL;
		root = strstr(s, "root ");
		EVF(ev, KVM_MMU_PREPARE_ZAP_PAGE, root_count) =
			root ? strtoul(root + 5, NULL, 10) : 0;
		ev->fmask |= (1u << TDXR_F_KVM_MMU_PREPARE_ZAP_PAGE_direct) |
			     (1u << TDXR_F_KVM_MMU_PREPARE_ZAP_PAGE_root_count);
		break;
	}
	default:
		break;
	}
}
