// SPDX-License-Identifier: GPL-2.0
/*
 * tests/kernelpatch/kp_sites.c - call sites of the series' events, checked in
 * the patch text. See kp_sites.h.
 */
#include "kp_sites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_parse.h"

/* One line of a hunk's new side: context or added. */
struct kp_pline {
	const char *b; /* after the ' ' or '+' prefix */
	size_t len;
	bool added;
};

struct kp_hunk {
	char file[256];
	struct kp_pline *lines;
	size_t nlines;
};

struct kp_hunks {
	struct kp_hunk *h;
	size_t n;
	size_t cap;
	unsigned int malformed;
};

static void kp_hunks_free(struct kp_hunks *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		free(hs->h[i].lines);
	}
	free(hs->h);
}

static const char *kp_eol(const char *p)
{
	const char *e = strchr(p, '\n');

	return e ? e : p + strlen(p);
}

/* "@@ -a[,b] +c[,d] @@": b and d (1 when omitted). 0, or -1. */
static int kp_counts(const char *l, long *old_n, long *new_n)
{
	long a;
	long c;

	*old_n = 1;
	*new_n = 1;
	if (sscanf(l, "@@ -%ld,%ld +%ld,%ld @@", &a, old_n, &c, new_n) == 4) {
		return 0;
	}
	*old_n = 1;
	*new_n = 1;
	if (sscanf(l, "@@ -%ld +%ld,%ld @@", &a, &c, new_n) == 3) {
		return 0;
	}
	*new_n = 1;
	if (sscanf(l, "@@ -%ld,%ld +%ld @@", &a, old_n, &c) == 3) {
		return 0;
	}
	*old_n = 1;
	return sscanf(l, "@@ -%ld +%ld @@", &a, &c) == 2 ? 0 : -1;
}

/* Appends the hunks of one patch. 0, or -1 on allocation failure. */
static int kp_read_hunks(struct kp_hunks *hs, const char *text)
{
	char file[256] = "";
	const char *p = text;

	while (*p) {
		const char *e = kp_eol(p);
		long old_n;
		long new_n;

		if (strncmp(p, "+++ b/", 6) == 0) {
			size_t n = (size_t)(e - p - 6);

			if (n >= sizeof(file)) {
				n = sizeof(file) - 1;
			}
			memcpy(file, p + 6, n);
			file[n] = '\0';
		} else if (strncmp(p, "@@ ", 3) == 0 && kp_counts(p, &old_n, &new_n) == 0) {
			struct kp_hunk *h;

			if (hs->n == hs->cap) {
				size_t cap = hs->cap ? hs->cap * 2 : 64;
				struct kp_hunk *nh = realloc(hs->h, cap * sizeof(*nh));

				if (!nh) {
					return -1;
				}
				hs->h = nh;
				hs->cap = cap;
			}
			h = &hs->h[hs->n++];
			memset(h, 0, sizeof(*h));
			snprintf(h->file, sizeof(h->file), "%s", file);
			h->lines = calloc((size_t)(new_n > 0 ? new_n : 1), sizeof(*h->lines));
			if (!h->lines) {
				return -1;
			}
			p = *e ? e + 1 : e;
			while ((old_n > 0 || new_n > 0) && *p) {
				e = kp_eol(p);
				if (*p == ' ' || *p == '+') {
					if (new_n <= 0 || (*p == ' ' && old_n <= 0)) {
						break;
					}
					h->lines[h->nlines].b = p + 1;
					h->lines[h->nlines].len = (size_t)(e - p - 1);
					h->lines[h->nlines].added = *p == '+';
					h->nlines++;
					new_n--;
					old_n -= *p == ' ';
				} else if (*p == '-') {
					if (old_n <= 0) {
						break;
					}
					old_n--;
				} else if (*p != '\\') {
					break;
				}
				p = *e ? e + 1 : e;
			}
			if (old_n > 0 || new_n > 0) {
				hs->malformed++;
			}
			continue;
		}
		p = *e ? e + 1 : e;
	}
	return 0;
}

/* @needle in the line [b, b + len)? */
static bool kp_has(const struct kp_pline *l, const char *needle)
{
	size_t n = strlen(needle);

	if (n > l->len) {
		return false;
	}
	for (size_t i = 0; i + n <= l->len; i++) {
		if (memcmp(l->b + i, needle, n) == 0) {
			return true;
		}
	}
	return false;
}

static bool kp_file_is(const struct kp_hunk *h, const char *file)
{
	return !file || strcmp(h->file, file) == 0;
}

/* A position in the hunks: hunk @i, line @k. */
struct kp_pos {
	size_t i;
	size_t k;
};

/*
 * Advances @p to the next added line of @r's file that contains @r->what
 * (start with {0, 0}; each call moves past the line it returns). The hunk,
 * or NULL when there is no further such line.
 */
static const struct kp_hunk *kp_next(const struct kp_hunks *hs, const struct kp_site_rule *r,
				     struct kp_pos *p, const struct kp_pline **line)
{
	for (; p->i < hs->n; p->i++, p->k = 0) {
		const struct kp_hunk *h = &hs->h[p->i];

		if (!kp_file_is(h, r->file)) {
			continue;
		}
		while (p->k < h->nlines) {
			const struct kp_pline *l = &h->lines[p->k++];

			if (l->added && kp_has(l, r->what)) {
				*line = l;
				return h;
			}
		}
	}
	return NULL;
}

static int kp_rule_added(const struct kp_hunks *hs, const struct kp_site_rule *r)
{
	struct kp_pos p = {0, 0};
	const struct kp_pline *l;
	int found = 0;

	while (kp_next(hs, r, &p, &l)) {
		found++;
	}
	return found;
}

static int kp_rule_near(const struct kp_hunks *hs, const struct kp_site_rule *r)
{
	struct kp_pos p = {0, 0};
	const struct kp_pline *l;
	const struct kp_hunk *h;
	int found = 0;

	while ((h = kp_next(hs, r, &p, &l)) != NULL) {
		size_t k = p.k - 1;
		bool ok = false;

		for (int d = 1; d <= abs(r->window) && !ok; d++) {
			long j = r->window > 0 ? (long)k - d : (long)k + d;

			ok = j >= 0 && j < (long)h->nlines && kp_has(&h->lines[j], r->anchor);
		}
		found += ok;
	}
	return found;
}

/* The text of a call that starts at line @k of @h, joined across the added
 * lines that follow, from the "(" after @fn to its ")". */
static int kp_call_text(const struct kp_hunk *h, size_t k, const char *fn, char *buf, size_t n)
{
	size_t used = 0;

	for (size_t j = k; j < h->nlines && used + 1 < n; j++) {
		size_t len = h->lines[j].len;

		if (j > k && !h->lines[j].added) {
			break;
		}
		if (len > n - used - 2) {
			len = n - used - 2;
		}
		memcpy(buf + used, h->lines[j].b, len);
		used += len;
		buf[used++] = ' ';
		buf[used] = '\0';
		{
			const char *open = strstr(buf, fn);
			const char *close;

			if (open && (close = kp_match(open + strlen(fn) - 1, buf + used))) {
				(void)close;
				return 0;
			}
		}
	}
	return -1;
}

static int kp_rule_callarg(const struct kp_hunks *hs, const struct kp_site_rule *r, char *msg,
			   size_t msglen)
{
	struct kp_pos p = {0, 0};
	const struct kp_pline *l;
	const struct kp_hunk *h;
	int found = 0;

	while ((h = kp_next(hs, r, &p, &l)) != NULL) {
		char call[2048];
		struct kp_range args[16];
		const char *open;
		const char *close;
		char a[256];
		int nargs;

		if (kp_call_text(h, p.k - 1, r->what, call, sizeof(call)) < 0) {
			kp_note(msg, msglen, "%s: %s: a call of %s is not whole in its hunk",
				r->event, h->file, r->what);
			return -1;
		}
		open = strstr(call, r->what) + strlen(r->what) - 1;
		close = kp_match(open, call + strlen(call));
		nargs = kp_split(open + 1, close, args, 16);
		if (nargs <= r->arg) {
			kp_note(msg, msglen, "%s: %s: %.*s has no argument %d", r->event, h->file,
				(int)(close - call + 1), call, r->arg);
			return -1;
		}
		snprintf(a, sizeof(a), "%.*s", (int)(args[r->arg].e - args[r->arg].b),
			 args[r->arg].b);
		if (!strstr(a, r->anchor)) {
			kp_note(msg, msglen, "%s: %s: argument %d of %.*s is \"%s\", not the %s",
				r->event, h->file, r->arg, (int)(close - call + 1), call, a,
				r->anchor);
			return -1;
		}
		found++;
	}
	return found;
}

static int kp_rule_every(const struct kp_hunks *hs, const struct kp_site_rule *r, char *msg,
			 size_t msglen, bool none)
{
	struct kp_pos p = {0, 0};
	const struct kp_pline *l;
	const struct kp_hunk *h;
	int bad = 0;

	while ((h = kp_next(hs, r, &p, &l)) != NULL) {
		if (!none && kp_has(l, r->anchor)) {
			continue;
		}
		kp_note(msg, msglen, "%s: %s: \"%.*s\" %s", r->event, h->file, (int)l->len, l->b,
			none ? "is added" : "does not use the expected identity");
		bad++;
	}
	return bad;
}

int kp_sites_check(const char *const *texts, size_t n, const struct kp_site_rule *rules,
		   size_t nrules, char *msg, size_t msglen)
{
	struct kp_hunks hs = {0};
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (kp_read_hunks(&hs, texts[i]) < 0) {
			kp_note(msg, msglen, "out of memory");
			kp_hunks_free(&hs);
			return 1;
		}
	}
	if (hs.malformed) {
		kp_note(msg, msglen, "%u hunk(s) end before their header's line counts",
			hs.malformed);
		bad++;
	}
	for (size_t i = 0; i < nrules; i++) {
		const struct kp_site_rule *r = &rules[i];
		int got;

		switch (r->kind) {
		case KP_SITE_ADDED:
			if (kp_rule_added(&hs, r) == 0) {
				kp_note(msg, msglen, "%s: %s adds no \"%s\"", r->event, r->file,
					r->what);
				bad++;
			}
			break;
		case KP_SITE_NEAR:
			got = kp_rule_near(&hs, r);
			if (got < (r->min > 0 ? r->min : 1)) {
				kp_note(msg, msglen,
					"%s: %s: %d added \"%s\" within %d line(s) %s \"%s\", "
					"%d wanted",
					r->event, r->file, got, r->what, abs(r->window),
					r->window > 0 ? "after" : "before", r->anchor,
					r->min > 0 ? r->min : 1);
				bad++;
			}
			break;
		case KP_SITE_CALLARG:
			got = kp_rule_callarg(&hs, r, msg, msglen);
			if (got < 0) {
				bad++;
			} else if (got < r->min) {
				kp_note(msg, msglen, "%s: %s: %d added calls of %s, %d wanted",
					r->event, r->file, got, r->what, r->min);
				bad++;
			}
			break;
		case KP_SITE_EVERY:
			bad += kp_rule_every(&hs, r, msg, msglen, false) > 0;
			break;
		case KP_SITE_NONE:
			bad += kp_rule_every(&hs, r, msg, msglen, true) > 0;
			break;
		}
	}
	kp_hunks_free(&hs);
	return bad;
}

/* ---- mutations ----------------------------------------------------------- */

char *kp_replace(const char *text, const char *from, const char *to)
{
	size_t nf = strlen(from);
	size_t nt = strlen(to);
	size_t count = 0;
	char *out;
	char *o;

	for (const char *p = text; (p = strstr(p, from)) != NULL; p += nf) {
		count++;
	}
	out = malloc(strlen(text) + count * (nt > nf ? nt - nf : 0) + 1);
	if (!out) {
		return NULL;
	}
	o = out;
	for (const char *p = text;;) {
		const char *q = strstr(p, from);

		if (!q) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, nt);
		o += nt;
		p = q + nf;
	}
	return out;
}

/* Whether the line [b, e) ends a C statement (last non-blank is ';'). */
static bool kp_ends_statement(const char *b, const char *e)
{
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) {
		e--;
	}
	return e > b && e[-1] == ';';
}

/*
 * Lowers the new-side count of the hunk header at @hdr by @dropped; @end is
 * the end of the text written so far, which moves back if the header got
 * shorter. Returns the new end.
 */
static char *kp_fix_header(char *hdr, char *end, long dropped)
{
	long a, b, c, d;
	char fixed[128];
	char *rest;
	int fl;

	if (!hdr || !dropped || sscanf(hdr, "@@ -%ld,%ld +%ld,%ld @@", &a, &b, &c, &d) != 4) {
		return end;
	}
	rest = strstr(hdr + 3, "@@");
	fl = snprintf(fixed, sizeof(fixed), "@@ -%ld,%ld +%ld,%ld ", a, b, c, d - dropped);
	if (!rest || fl <= 0 || (size_t)fl > (size_t)(rest - hdr)) {
		return end;
	}
	memcpy(hdr, fixed, (size_t)fl);
	memmove(hdr + fl, rest, (size_t)(end - rest));
	return end - ((rest - hdr) - fl);
}

char *kp_drop_added(const char *text, const char *needle, bool all)
{
	char *out = malloc(strlen(text) + 1);
	char *o = out;
	char *hdr = NULL; /* the current hunk header in @out */
	long dropped = 0; /* lines dropped from the current hunk */
	bool done = false;
	bool any = false;

	if (!out) {
		return NULL;
	}
	for (const char *p = text; *p;) {
		const char *e = kp_eol(p);
		const char *next = *e ? e + 1 : e;
		const char *q;

		if (strncmp(p, "@@ ", 3) == 0 || strncmp(p, "diff --git ", 11) == 0) {
			o = kp_fix_header(hdr, o, dropped);
			hdr = strncmp(p, "@@ ", 3) == 0 ? o : NULL;
			dropped = 0;
		}
		if (*p == '+' && !done && strncmp(p, "+++ ", 4) != 0 &&
		    (q = strstr(p, needle)) != NULL && q < e) {
			/* Drop the line and the rest of its statement. */
			for (const char *s = p;;) {
				const char *se = kp_eol(s);

				dropped++;
				if (kp_ends_statement(s, se) || !*se || se[1] != '+') {
					next = *se ? se + 1 : se;
					break;
				}
				s = se + 1;
			}
			any = true;
			done = !all;
			p = next;
			continue;
		}
		memcpy(o, p, (size_t)(next - p));
		o += next - p;
		p = next;
	}
	o = kp_fix_header(hdr, o, dropped);
	*o = '\0';
	if (!any) {
		free(out);
		return NULL;
	}
	return out;
}
