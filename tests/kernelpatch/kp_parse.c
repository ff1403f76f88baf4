// SPDX-License-Identifier: GPL-2.0
/*
 * tests/kernelpatch/kp_parse.c - the kernel-patch/ series as data: hunks,
 * the TRACE_EVENT()s in them, their check against the schema, and their
 * TP_printk rendered for sample values. See kp_parse.h.
 */
#include "kp_parse.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdxr/event.h"

/* ---- small text helpers ------------------------------------------------- */

void kp_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Appends one formatted line to @msg (truncating, never overflowing). */
void kp_note(char *msg, size_t msglen, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!msg || msglen == 0) {
		return;
	}
	used = strnlen(msg, msglen);
	if (used + 1 >= msglen) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg + used, msglen - used, fmt, ap);
	va_end(ap);
	used = strnlen(msg, msglen);
	if (used + 1 < msglen) {
		msg[used] = '\n';
		msg[used + 1] = '\0';
	}
}

/* Copies [b, e) into @dst with runs of blanks/newlines collapsed to one
 * space and both ends trimmed. */
static void kp_collapse(char *dst, size_t n, const char *b, const char *e)
{
	size_t k = 0;
	bool blank = false;

	while (b < e && isspace((unsigned char)*b)) {
		b++;
	}
	while (e > b && isspace((unsigned char)e[-1])) {
		e--;
	}
	for (; b < e && k + 1 < n; b++) {
		if (isspace((unsigned char)*b)) {
			blank = true;
			continue;
		}
		if (blank) {
			dst[k++] = ' ';
			blank = false;
			if (k + 1 >= n) {
				break;
			}
		}
		dst[k++] = *b;
	}
	dst[k] = '\0';
}

/* Same, with every blank removed: "( void * ) x" -> "(void*)x". */
static void kp_squeeze(char *dst, size_t n, const char *src)
{
	size_t k = 0;

	for (; *src && k + 1 < n; src++) {
		if (!isspace((unsigned char)*src)) {
			dst[k++] = *src;
		}
	}
	dst[k] = '\0';
}

static bool kp_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Skips a string or character literal starting at @p (quote char *p). */
static const char *kp_skip_literal(const char *p, const char *e)
{
	char q = *p++;

	while (p < e && *p != q) {
		if (*p == '\\' && p + 1 < e) {
			p++;
		}
		p++;
	}
	return p < e ? p + 1 : e;
}

/* Skips a comment at @p if there is one; returns @p otherwise. */
static const char *kp_skip_comment(const char *p, const char *e)
{
	if (e - p >= 2 && p[0] == '/' && p[1] == '*') {
		const char *c = p + 2;

		while (e - c >= 2 && !(c[0] == '*' && c[1] == '/')) {
			c++;
		}
		return e - c >= 2 ? c + 2 : e;
	}
	if (e - p >= 2 && p[0] == '/' && p[1] == '/') {
		while (p < e && *p != '\n') {
			p++;
		}
	}
	return p;
}

/* The bracket that closes the one at @open, or NULL. */
const char *kp_match(const char *open, const char *e)
{
	char stack[64];
	int depth = 0;
	const char *p = open;

	while (p < e) {
		const char *c = kp_skip_comment(p, e);

		if (c != p) {
			p = c;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			p = kp_skip_literal(p, e);
			continue;
		}
		if (*p == '(' || *p == '{' || *p == '[') {
			if (depth == (int)sizeof(stack)) {
				return NULL;
			}
			stack[depth++] = *p == '(' ? ')' : *p == '{' ? '}' : ']';
		} else if (*p == ')' || *p == '}' || *p == ']') {
			if (depth == 0 || stack[depth - 1] != *p) {
				return NULL;
			}
			if (--depth == 0) {
				return p;
			}
		}
		p++;
	}
	return NULL;
}

/* Splits [b, e) at top-level commas. Returns the count, -1 if > @max. */
int kp_split(const char *b, const char *e, struct kp_range *out, int max)
{
	int n = 0;
	int depth = 0;
	const char *start = b;
	const char *p = b;

	while (p < e) {
		const char *c = kp_skip_comment(p, e);

		if (c != p) {
			p = c;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			p = kp_skip_literal(p, e);
			continue;
		}
		if (*p == '(' || *p == '{' || *p == '[') {
			depth++;
		} else if (*p == ')' || *p == '}' || *p == ']') {
			depth--;
		} else if (*p == ',' && depth == 0) {
			if (n == max) {
				return -1;
			}
			out[n].b = start;
			out[n].e = p;
			n++;
			start = p + 1;
		}
		p++;
	}
	if (n == max) {
		return -1;
	}
	out[n].b = start;
	out[n].e = e;
	return n + 1;
}

/* Trims blanks around a range. */
static struct kp_range kp_trim(struct kp_range r)
{
	while (r.b < r.e && isspace((unsigned char)*r.b)) {
		r.b++;
	}
	while (r.e > r.b && isspace((unsigned char)r.e[-1])) {
		r.e--;
	}
	return r;
}

/* If @r is "KEYWORD( ... )", returns the inside; else an empty range. */
static struct kp_range kp_call(struct kp_range r, const char *kw)
{
	struct kp_range in = {NULL, NULL};
	size_t n = strlen(kw);
	const char *close;

	r = kp_trim(r);
	if ((size_t)(r.e - r.b) < n + 2 || strncmp(r.b, kw, n) != 0) {
		return in;
	}
	if (r.b[n] != '(') {
		return in;
	}
	close = kp_match(r.b + n, r.e);
	if (!close) {
		return in;
	}
	in.b = r.b + n + 1;
	in.e = close;
	return in;
}

/*
 * Reads the concatenated C string literals of @r into @dst, resolving the
 * escapes TP_printk formats use. -1 if @r is not only string literals.
 */
static int kp_cstring(struct kp_range r, char *dst, size_t n)
{
	size_t k = 0;
	const char *p;

	r = kp_trim(r);
	p = r.b;
	if (p >= r.e || *p != '"') {
		return -1;
	}
	while (p < r.e) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p != '"') {
			return -1;
		}
		p++;
		while (p < r.e && *p != '"') {
			char c = *p++;

			if (c == '\\' && p < r.e) {
				char x = *p++;

				c = x == 'n' ? '\n' : x == 't' ? '\t' : x;
			}
			if (k + 1 >= n) {
				return -1;
			}
			dst[k++] = c;
		}
		if (p >= r.e) {
			return -1;
		}
		p++;
	}
	dst[k] = '\0';
	return 0;
}

/* ---- TRACE_EVENT() ------------------------------------------------------ */

/* Parses "__entry->name" (optionally "& const") at @t; 0 or -1. */
static int kp_entry_ref(const char *t, char *field, size_t n, uint64_t *mask)
{
	const char *p;
	size_t k = 0;

	if (strncmp(t, "__entry->", 9) != 0) {
		return -1;
	}
	p = t + 9;
	while (kp_ident_char(*p) && k + 1 < n) {
		field[k++] = *p++;
	}
	field[k] = '\0';
	if (k == 0) {
		return -1;
	}
	*mask = UINT64_MAX;
	if (*p == '&') {
		char *end;

		errno = 0;
		*mask = strtoull(p + 1, &end, 0);
		if (errno || end == p + 1) {
			return -1;
		}
		p = end;
	}
	return *p == '\0' ? 0 : -1;
}

/* Strips leading casts "(type)" from a squeezed argument. */
static const char *kp_uncast(const char *t, bool *pointer_cast)
{
	*pointer_cast = false;
	while (*t == '(') {
		const char *c = strchr(t, ')');
		const char *q;

		if (!c || c[1] == '\0') {
			break;
		}
		for (q = t + 1; q < c; q++) {
			if (!kp_ident_char(*q) && *q != '*') {
				return t;
			}
		}
		if (memchr(t, '*', (size_t)(c - t))) {
			*pointer_cast = true;
		}
		t = c + 1;
	}
	return t;
}

static void kp_parse_symbolic(struct kp_arg *a, struct kp_range r)
{
	struct kp_range parts[KP_MAX_SYMS + 1];
	struct kp_range in = kp_call(r, "__print_symbolic");
	char key[KP_FMT_LEN];
	int n;

	if (!in.b) {
		return;
	}
	n = kp_split(in.b, in.e, parts, KP_MAX_SYMS + 1);
	if (n < 2) {
		return;
	}
	kp_collapse(key, sizeof(key), parts[0].b, parts[0].e);
	kp_squeeze(key, sizeof(key), key);
	if (kp_entry_ref(key, a->field, sizeof(a->field), &a->mask) < 0) {
		return;
	}
	for (int i = 1; i < n; i++) {
		struct kp_range ent = kp_trim(parts[i]);
		struct kp_range kv[2];
		struct kp_sym *sym = &a->syms[a->nsyms];

		if (ent.e - ent.b < 2 || *ent.b != '{' || ent.e[-1] != '}') {
			return;
		}
		if (kp_split(ent.b + 1, ent.e - 1, kv, 2) != 2) {
			return;
		}
		kp_collapse(sym->value, sizeof(sym->value), kv[0].b, kv[0].e);
		if (kp_cstring(kv[1], sym->name, sizeof(sym->name)) < 0) {
			return;
		}
		a->nsyms++;
	}
	a->kind = KP_ARG_SYMBOLIC;
}

/* Classifies one TP_printk argument. */
static void kp_parse_arg(struct kp_arg *a, struct kp_range r)
{
	char sq[KP_TEXT_LEN];
	const char *t;
	const char *qm;
	bool ptr;

	memset(a, 0, sizeof(*a));
	kp_collapse(a->text, sizeof(a->text), r.b, r.e);
	kp_squeeze(sq, sizeof(sq), a->text);
	a->kind = KP_ARG_OTHER;

	if (strstr(sq, "__print_symbolic(")) {
		/* Optional "__entry->c ? "lit" : " before the table. */
		qm = strchr(a->text, '?');
		if (qm && qm < strstr(a->text, "__print_symbolic(")) {
			const char *colon;
			char cond[KP_TEXT_LEN];
			struct kp_range lit;
			uint64_t m;

			kp_collapse(cond, sizeof(cond), a->text, qm);
			kp_squeeze(cond, sizeof(cond), cond);
			if (kp_entry_ref(cond, a->cond, sizeof(a->cond), &m) < 0 ||
			    m != UINT64_MAX) {
				return;
			}
			colon = strchr(qm, ':');
			if (!colon) {
				return;
			}
			lit.b = qm + 1;
			lit.e = colon;
			if (kp_cstring(lit, a->cond_lit, sizeof(a->cond_lit)) < 0) {
				return;
			}
			r.b = colon + 1;
			r.e = a->text + strlen(a->text);
		} else {
			r.b = a->text;
			r.e = a->text + strlen(a->text);
		}
		kp_parse_symbolic(a, r);
		return;
	}
	t = kp_uncast(sq, &ptr);
	if (kp_entry_ref(t, a->field, sizeof(a->field), &a->mask) == 0 && a->mask == UINT64_MAX) {
		a->kind = ptr ? KP_ARG_SYMPTR : KP_ARG_FIELD;
	}
}

static int kp_parse_fields(struct kp_event *ev, struct kp_range in)
{
	const char *p = in.b;

	while (p < in.e) {
		struct kp_range r = {p, in.e};
		struct kp_range body;
		struct kp_range kv[3];
		const char *mac = NULL;
		int n;

		/* Find the next __field / __array member. */
		while (p < in.e &&
		       !(strncmp(p, "__field(", 8) == 0 || strncmp(p, "__array(", 8) == 0)) {
			p++;
		}
		if (p >= in.e) {
			break;
		}
		mac = strncmp(p, "__field(", 8) == 0 ? "__field" : "__array";
		r.b = p;
		body = kp_call(r, mac);
		if (!body.b) {
			return -1;
		}
		n = kp_split(body.b, body.e, kv, 3);
		if (n < 2 || ev->nfields == KP_MAX_FIELDS) {
			return -1;
		}
		kp_collapse(ev->fields[ev->nfields].type, KP_NAME_LEN, kv[0].b, kv[0].e);
		kp_collapse(ev->fields[ev->nfields].name, KP_NAME_LEN, kv[1].b, kv[1].e);
		ev->nfields++;
		p = body.e + 1;
	}
	return 0;
}

/*
 * Parses the TRACE_EVENT whose "(" is at @open. 0 ok, -1 if it is not
 * complete in this text or not understood.
 */
static int kp_parse_event(struct kp_event *ev, const char *open, const char *e)
{
	struct kp_range parts[8];
	const char *close = kp_match(open, e);
	int n;

	if (!close) {
		return -1;
	}
	n = kp_split(open + 1, close, parts, 8);
	if (n != 6) {
		return -1;
	}
	kp_collapse(ev->name, sizeof(ev->name), parts[0].b, parts[0].e);
	for (int i = 1; i < n; i++) {
		struct kp_range in;

		if ((in = kp_call(parts[i], "TP_STRUCT__entry")).b) {
			if (kp_parse_fields(ev, in) < 0) {
				return -1;
			}
		} else if ((in = kp_call(parts[i], "TP_printk")).b) {
			struct kp_range args[KP_MAX_ARGS + 1];
			int na = kp_split(in.b, in.e, args, KP_MAX_ARGS + 1);

			if (na < 1 || kp_cstring(args[0], ev->fmt, sizeof(ev->fmt)) < 0) {
				return -1;
			}
			for (int k = 1; k < na; k++) {
				kp_parse_arg(&ev->args[ev->nargs++], args[k]);
			}
		}
	}
	return ev->fmt[0] ? 0 : -1;
}

/* TRACE_SYSTEM of the upstream headers the series changes (their define
 * is outside the hunks). */
static const struct {
	const char *file;
	const char *system;
} kp_known_systems[] = {
	{"arch/x86/kvm/trace.h", "kvm"},
	{"arch/x86/kvm/mmu/mmutrace.h", "kvmmmu"},
	{"include/trace/events/kvm.h", "kvm"},
};

/* The last "#define TRACE_SYSTEM x" in [b, at), else the known system. */
static void kp_system(char *dst, size_t n, const char *file, const char *b, const char *at)
{
	const char *found = NULL;
	const char *p = b;

	while ((p = strstr(p, "#define TRACE_SYSTEM")) && p < at) {
		found = p + strlen("#define TRACE_SYSTEM");
		p = found;
	}
	dst[0] = '\0';
	if (found) {
		const char *q = found;

		while (*q == ' ' || *q == '\t') {
			q++;
		}
		found = q;
		while (kp_ident_char(*q)) {
			q++;
		}
		kp_collapse(dst, n, found, q);
		return;
	}
	for (size_t i = 0; i < sizeof(kp_known_systems) / sizeof(kp_known_systems[0]); i++) {
		if (strcmp(file, kp_known_systems[i].file) == 0) {
			snprintf(dst, n, "%s", kp_known_systems[i].system);
		}
	}
}

/* Stores @ev in @tab (replacing one of the same name). */
static void kp_store(struct kp_event *tab, unsigned int *count, const struct kp_event *ev)
{
	for (unsigned int i = 0; i < *count; i++) {
		if (strcmp(tab[i].name, ev->name) == 0) {
			tab[i] = *ev;
			return;
		}
	}
	if (*count < KP_MAX_EVENTS) {
		tab[(*count)++] = *ev;
	}
}

/* Scans one hunk side for TRACE_EVENTs and #defines. */
static void kp_scan_text(struct kp_series *s, const char *text, const char *file,
			 unsigned int patch, bool old)
{
	const char *e = text + strlen(text);
	const char *p = text;
	struct kp_event *ev = calloc(1, sizeof(*ev));

	if (!ev) {
		return;
	}
	while ((p = strstr(p, "TRACE_EVENT(")) != NULL) {
		if (p > text && kp_ident_char(p[-1])) {
			p++;
			continue;
		}
		memset(ev, 0, sizeof(*ev));
		snprintf(ev->file, sizeof(ev->file), "%s", file);
		ev->patch = patch;
		kp_system(ev->system, sizeof(ev->system), file, text, p);
		if (kp_parse_event(ev, p + strlen("TRACE_EVENT"), e) == 0) {
			if (old) {
				kp_store(s->old, &s->nold, ev);
			} else {
				kp_store(s->events, &s->nevents, ev);
			}
		}
		p++;
	}
	free(ev);
	if (old) {
		return;
	}
	for (p = text; (p = strstr(p, "#define ")) != NULL; p++) {
		struct kp_define *d;
		const char *nb = p + 8;
		const char *ne = nb;
		const char *vb;
		const char *ve;

		while (kp_ident_char(*ne)) {
			ne++;
		}
		vb = ne;
		while (*vb == ' ' || *vb == '\t') {
			vb++;
		}
		ve = vb;
		while (*ve && *ve != '\n' && *ve != '\\') {
			ve++;
		}
		if (ne == nb || ve == vb || *ne == '(' || s->ndefines == KP_MAX_DEFINES) {
			continue;
		}
		d = &s->defines[s->ndefines++];
		kp_collapse(d->name, sizeof(d->name), nb, ne);
		kp_collapse(d->value, sizeof(d->value), vb, ve);
	}
}

/* ---- the patch files ---------------------------------------------------- */

struct kp_buf {
	char *p;
	size_t len;
	size_t cap;
};

static int kp_buf_add(struct kp_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *np = realloc(b->p, cap);

		if (!np) {
			return -1;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* Reads "@@ -a[,b] +c[,d] @@": the line counts of both sides. */
static int kp_hunk_header(const char *l, long *old_n, long *new_n)
{
	long a, c;
	const char *p = l + 3;
	char *end;

	*old_n = 1;
	*new_n = 1;
	if (*p != '-') {
		return -1;
	}
	a = strtol(p + 1, &end, 10);
	p = end;
	if (*p == ',') {
		*old_n = strtol(p + 1, &end, 10);
		p = end;
	}
	if (*p != ' ' || p[1] != '+') {
		return -1;
	}
	c = strtol(p + 2, &end, 10);
	p = end;
	if (*p == ',') {
		*new_n = strtol(p + 1, &end, 10);
		p = end;
	}
	(void)a;
	(void)c;
	return (*old_n < 0 || *new_n < 0 || strncmp(p, " @@", 3) != 0) ? -1 : 0;
}

int kp_series_add(struct kp_series *s, const char *name, const char *text, char *err, size_t errlen)
{
	struct kp_patch *pt;
	struct kp_buf before = {0};
	struct kp_buf after = {0};
	char file[256] = "";
	const char *p = text;
	bool in_diff = false;
	long old_left = 0;
	long new_left = 0;
	int ret = 0;

	if (s->npatches == KP_MAX_PATCHES) {
		kp_err(err, errlen, "%s: more than %d patches", name, KP_MAX_PATCHES);
		return -1;
	}
	pt = &s->patches[s->npatches];
	memset(pt, 0, sizeof(*pt));
	snprintf(pt->file, sizeof(pt->file), "%s", name);

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *next = nl ? nl + 1 : p + len;

		if (old_left > 0 || new_left > 0) {
			/* Inside a hunk: ' ' both sides, '-' before, '+' after. */
			char c = len ? p[0] : ' ';

			if (c == '\\') {
				p = next;
				continue;
			}
			if ((c == ' ' || c == '-') && old_left > 0) {
				old_left--;
				if (kp_buf_add(&before, p + (len ? 1 : 0), len ? len - 1 : 0) ||
				    kp_buf_add(&before, "\n", 1)) {
					ret = -1;
				}
			} else if (c == '-') {
				pt->malformed = true;
			}
			if ((c == ' ' || c == '+') && new_left > 0) {
				new_left--;
				if (kp_buf_add(&after, p + (len ? 1 : 0), len ? len - 1 : 0) ||
				    kp_buf_add(&after, "\n", 1)) {
					ret = -1;
				}
			} else if (c == '+') {
				pt->malformed = true;
			}
			if (c != ' ' && c != '-' && c != '+') {
				pt->malformed = true;
				old_left = new_left = 0;
			}
			if (old_left == 0 && new_left == 0) {
				kp_scan_text(s, before.p ? before.p : "", file, s->npatches, true);
				kp_scan_text(s, after.p ? after.p : "", file, s->npatches, false);
			}
			p = next;
			continue;
		}
		if (!in_diff && len > 9 && strncmp(p, "Subject: ", 9) == 0) {
			const char *b = strstr(p, "[PATCH");
			const char *sub = p + 9;

			snprintf(pt->subject, sizeof(pt->subject), "%.*s", (int)(len - 9), sub);
			if (b && b < p + len) {
				unsigned int n = 0, m = 0;

				if (sscanf(b, "[PATCH %u/%u]", &n, &m) == 2) {
					pt->number = n;
					pt->total = m;
				}
			}
		} else if (!in_diff && strncmp(p, "Signed-off-by: ", 15) == 0) {
			pt->signed_off = true;
		} else if (strncmp(p, "diff --git a/", 13) == 0) {
			const char *b = memmem(p, len, " b/", 3);

			in_diff = true;
			pt->nfiles++;
			if (b) {
				snprintf(file, sizeof(file), "%.*s", (int)(p + len - b - 3), b + 3);
			}
		} else if (in_diff && len > 3 && strncmp(p, "@@ ", 3) == 0) {
			char line[256];

			snprintf(line, sizeof(line), "%.*s", (int)len, p);
			if (kp_hunk_header(line, &old_left, &new_left) < 0) {
				pt->malformed = true;
			} else {
				pt->nhunks++;
				before.len = 0;
				after.len = 0;
				if (before.p) {
					before.p[0] = '\0';
				}
				if (after.p) {
					after.p[0] = '\0';
				}
			}
		}
		p = next;
	}
	if (old_left > 0 || new_left > 0) {
		pt->malformed = true;
	}
	free(before.p);
	free(after.p);
	if (ret < 0) {
		kp_err(err, errlen, "%s: out of memory", name);
		return -1;
	}
	s->npatches++;
	return 0;
}

static int kp_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool kp_is_patch_name(const char *n)
{
	size_t len = strlen(n);

	return len > 11 && isdigit((unsigned char)n[0]) && isdigit((unsigned char)n[1]) &&
	       isdigit((unsigned char)n[2]) && isdigit((unsigned char)n[3]) && n[4] == '-' &&
	       strcmp(n + len - 6, ".patch") == 0;
}

static char *kp_read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct kp_buf b = {0};
	char chunk[8192];
	size_t n;

	if (!f) {
		kp_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (kp_buf_add(&b, chunk, n) < 0) {
			free(b.p);
			fclose(f);
			kp_err(err, errlen, "%s: out of memory", path);
			return NULL;
		}
	}
	if (ferror(f)) {
		kp_err(err, errlen, "%s: read error", path);
		free(b.p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	if (!b.p) {
		b.p = calloc(1, 1);
	}
	return b.p;
}

int kp_series_load(struct kp_series *s, const char *dir, char *err, size_t errlen)
{
	char *names[KP_MAX_PATCHES];
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d) {
		kp_err(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!kp_is_patch_name(de->d_name)) {
			continue;
		}
		if (n == KP_MAX_PATCHES || !(names[n] = strdup(de->d_name))) {
			kp_err(err, errlen, "%s: too many patches", dir);
			ret = -1;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), kp_name_cmp);
	for (unsigned int i = 0; i < n && ret == 0; i++) {
		char path[1024];
		char *text;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		text = kp_read_file(path, err, errlen);
		if (!text || kp_series_add(s, names[i], text, err, errlen) < 0) {
			ret = -1;
		}
		free(text);
	}
	for (unsigned int i = 0; i < n; i++) {
		free(names[i]);
	}
	return ret < 0 ? -1 : (int)n;
}

struct kp_series *kp_series_new(void)
{
	return calloc(1, sizeof(struct kp_series));
}

void kp_series_free(struct kp_series *s)
{
	free(s);
}

const struct kp_event *kp_series_event(const struct kp_series *s, const char *name, bool old)
{
	const struct kp_event *tab = old ? s->old : s->events;
	unsigned int n = old ? s->nold : s->nevents;

	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(tab[i].name, name) == 0) {
			return &tab[i];
		}
	}
	return NULL;
}
