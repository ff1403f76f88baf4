// SPDX-License-Identifier: GPL-2.0
/*
 * tests/kernelpatch/kp_lttng.c - the LTTng probe header as data. See
 * kp_lttng.h.
 */
#include "kp_lttng.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Copies the identifier or literal [b, e) trimmed into @dst. */
static void kp_lttng_copy(char *dst, size_t n, const char *b, const char *e)
{
	size_t k = 0;

	while (b < e && isspace((unsigned char)*b)) {
		b++;
	}
	while (e > b && isspace((unsigned char)e[-1])) {
		e--;
	}
	while (b < e && k + 1 < n) {
		dst[k++] = *b++;
	}
	dst[k] = '\0';
}

/* Reads the string literal at or after @p (before @e) into @dst. */
static const char *kp_lttng_string(const char *p, const char *e, char *dst, size_t n)
{
	const char *q;

	while (p < e && *p != '"') {
		p++;
	}
	if (p >= e) {
		return NULL;
	}
	q = memchr(p + 1, '"', (size_t)(e - p - 1));
	if (!q) {
		return NULL;
	}
	kp_lttng_copy(dst, n, p + 1, q);
	return q + 1;
}

/* The body ("{...}") of the function named @fn in [text, e), or {NULL}. */
static struct kp_range kp_lttng_body(const char *text, const char *e, const char *fn)
{
	struct kp_range r = {NULL, NULL};
	const char *p = strstr(text, fn);
	const char *open;
	const char *close;

	if (!p || p >= e) {
		return r;
	}
	open = memchr(p, '{', (size_t)(e - p));
	close = open ? kp_match(open, e) : NULL;
	if (!close) {
		return r;
	}
	r.b = open + 1;
	r.e = close;
	return r;
}

static int kp_lttng_fields(struct kp_lttng_event *ev, struct kp_range in)
{
	static const struct {
		const char *macro;
		char kind;
		int name_arg;
	} ctf[] = {
		{"ctf_integer_hex(", 'x', 1},
		{"ctf_integer(", 'i', 1},
		{"ctf_string(", 's', 0},
	};
	const char *p = in.b;

	while (p < in.e) {
		const char *best = NULL;
		size_t which = 0;

		for (size_t i = 0; i < sizeof(ctf) / sizeof(ctf[0]); i++) {
			const char *q = strstr(p, ctf[i].macro);

			if (q && q < in.e && (!best || q < best)) {
				best = q;
				which = i;
			}
		}
		if (!best) {
			break;
		}
		{
			const char *open = best + strlen(ctf[which].macro) - 1;
			const char *close = kp_match(open, in.e);
			struct kp_range args[3];
			int n;

			if (!close || ev->nfields == KP_MAX_FIELDS) {
				return -1;
			}
			n = kp_split(open + 1, close, args, 3);
			if (n <= ctf[which].name_arg) {
				return -1;
			}
			ev->fields[ev->nfields].kind = ctf[which].kind;
			kp_lttng_copy(ev->fields[ev->nfields].name, KP_NAME_LEN,
				      args[ctf[which].name_arg].b, args[ctf[which].name_arg].e);
			ev->nfields++;
			p = close + 1;
		}
	}
	return 0;
}

static int kp_lttng_events(const char *text, const char *e, struct kp_lttng *out)
{
	const char *p = text;

	while ((p = strstr(p, "LTTNG_TRACEPOINT_EVENT(")) != NULL) {
		const char *open = p + strlen("LTTNG_TRACEPOINT_EVENT");
		const char *close = kp_match(open, e);
		struct kp_range parts[4];
		struct kp_lttng_event *ev;
		const char *f;

		if (!close || out->nevents == KP_LTTNG_MAX_EVENTS) {
			return -1;
		}
		if (kp_split(open + 1, close, parts, 4) != 4) {
			return -1;
		}
		ev = &out->events[out->nevents++];
		memset(ev, 0, sizeof(*ev));
		kp_lttng_copy(ev->name, sizeof(ev->name), parts[0].b, parts[0].e);
		f = strstr(parts[3].b, "TP_FIELDS(");
		if (f && f < parts[3].e) {
			struct kp_range in;
			const char *fo = f + strlen("TP_FIELDS");
			const char *fc = kp_match(fo, parts[3].e + 1);

			if (!fc) {
				return -1;
			}
			in.b = fo + 1;
			in.e = fc;
			if (kp_lttng_fields(ev, in) < 0) {
				return -1;
			}
		}
		p = close;
	}
	return 0;
}

int kp_lttng_parse(const char *text, struct kp_lttng *out, char *err, size_t errlen)
{
	const char *e = text + strlen(text);
	struct kp_range body;
	const char *p;

	memset(out, 0, sizeof(*out));
	if (kp_lttng_events(text, e, out) < 0) {
		kp_err(err, errlen, "an LTTNG_TRACEPOINT_EVENT is not understood");
		return -1;
	}

	/* [N] = "NAME" entries of the leaf table. */
	body = kp_lttng_body(text, e, "tdxr_lttng_leaf_name(u64");
	for (p = body.b; p && p < body.e && out->nleaves < KP_LTTNG_MAX_NAMES;) {
		const char *lb = memchr(p, '[', (size_t)(body.e - p));
		const char *rb = lb ? memchr(lb, ']', (size_t)(body.e - lb)) : NULL;
		struct kp_lttng_name *nm = &out->leaves[out->nleaves];

		if (!rb) {
			break;
		}
		if (!isdigit((unsigned char)lb[1])) {
			p = rb + 1; /* "names[]" */
			continue;
		}
		kp_lttng_copy(nm->value, sizeof(nm->value), lb + 1, rb);
		p = kp_lttng_string(rb, body.e, nm->name, sizeof(nm->name));
		if (!p) {
			break;
		}
		out->nleaves++;
	}

	/* The names[] of the S-EPT op table, in index order. */
	body = kp_lttng_body(text, e, "tdxr_lttng_sept_op(int");
	if (body.b) {
		const char *tb = strstr(body.b, "names[] = {");
		const char *te = tb ? strstr(tb, "};") : NULL;

		for (p = tb; p && te && p < te && out->nops < KP_LTTNG_MAX_NAMES;) {
			struct kp_lttng_name *nm = &out->ops[out->nops];

			p = kp_lttng_string(p, te, nm->name, sizeof(nm->name));
			if (!p) {
				break;
			}
			snprintf(nm->value, sizeof(nm->value), "%u", out->nops);
			out->nops++;
		}
	}

	/* "if (r10) return "X";" then "case V: return "NAME";". */
	body = kp_lttng_body(text, e, "tdxr_lttng_tdvmcall_name(u64");
	if (body.b) {
		const char *sw = strstr(body.b, "switch");
		const char *r10 = strstr(body.b, "if (r10)");

		if (r10 && sw && r10 < sw) {
			kp_lttng_string(r10, sw, out->hypercall, sizeof(out->hypercall));
		}
		for (p = sw; p && (p = strstr(p, "case ")) != NULL && p < body.e &&
			     out->ncalls < KP_LTTNG_MAX_NAMES;) {
			const char *colon = strchr(p, ':');
			struct kp_lttng_name *nm = &out->calls[out->ncalls];

			if (!colon || colon >= body.e) {
				break;
			}
			kp_lttng_copy(nm->value, sizeof(nm->value), p + 5, colon);
			p = kp_lttng_string(colon, body.e, nm->name, sizeof(nm->name));
			if (!p) {
				break;
			}
			out->ncalls++;
		}
	}
	return 0;
}

const struct kp_lttng_event *kp_lttng_event(const struct kp_lttng *l, const char *name)
{
	for (unsigned int i = 0; i < l->nevents; i++) {
		if (strcmp(l->events[i].name, name) == 0) {
			return &l->events[i];
		}
	}
	return NULL;
}
