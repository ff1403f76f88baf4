// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/klog_prefix.c - a kernel log line's prefixes, stripped one by
 * one (docs/design.md §5.1). Each line is judged on its own: a file may mix
 * shapes (a journal excerpt pasted under a dmesg one).
 *
 * Shapes, in the order they can nest:
 *   mail quoting and indentation   "> > ", "\t", "    "
 *   rsyslog ISO                    "2025-05-15T00:08:39.497451+08:00 HOST kernel: "
 *   journal short                  "Jun 24 11:07:17 HOST kernel: " (any case)
 *   syslog level                   "<4>"
 *   printk time                    "[  123.456789] "
 *   dmesg -T                       "[Mon Jun 24 11:07:17 2024] " (or "... 2024 UTC]")
 *   journal short-monotonic        "[  123.456789] HOST kernel: "
 *   printk caller id               "[T1234] ", "[ C12] "
 * and at the end: CR, trailing blanks, a pager's cut ">".
 */
#include <string.h>

#include "klog_int.h"

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p, const char *e)
{
	while (p < e && blank(*p)) {
		p++;
	}
	return p;
}

static bool lower_eq(const char *p, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
		}
		if (c != lit[i]) {
			return false;
		}
	}
	return true;
}

/* "HOST kernel: " (or any "HOST ident[pid]: ") after a journal time. */
static const char *host_ident(const char *p, const char *e)
{
	const char *q = p;

	while (q < e && !blank(*q)) { /* host */
		q++;
	}
	if (q == p || q >= e) {
		return NULL;
	}
	q = skip_blanks(q, e);
	const char *id = q;

	while (q < e && !blank(*q) && *q != ':') {
		q++;
	}
	if (q == id || q >= e || *q != ':') {
		return NULL;
	}
	return skip_blanks(q + 1, e);
}

/* "HH:MM:SS" at p; returns its end or NULL. */
static const char *clock_time(const char *p, const char *e)
{
	if (e - p < 8 || !digit(p[0]) || !digit(p[1]) || p[2] != ':' || !digit(p[3]) ||
	    !digit(p[4]) || p[5] != ':' || !digit(p[6]) || !digit(p[7])) {
		return NULL;
	}
	p += 8;
	/* journal -o short-precise: ".123456" */
	if (p < e && *p == '.') {
		p++;
		while (p < e && digit(*p)) {
			p++;
		}
	}
	return p;
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
				     "jul", "aug", "sep", "oct", "nov", "dec"};

static bool month(const char *p, const char *e)
{
	if (e - p < 4 || !blank(p[3])) {
		return false;
	}
	for (int i = 0; i < 12; i++) {
		if (lower_eq(p, months[i], 3)) {
			return true;
		}
	}
	return false;
}

/* "Jun 24 11:07:17 HOST kernel: " */
static const char *journal_short(const char *p, const char *e)
{
	const char *q;

	if (!month(p, e)) {
		return NULL;
	}
	q = skip_blanks(p + 4, e);
	if (q >= e || !digit(*q)) {
		return NULL;
	}
	while (q < e && digit(*q)) {
		q++;
	}
	q = clock_time(skip_blanks(q, e), e);
	if (!q || q >= e || !blank(*q)) {
		return NULL;
	}
	return host_ident(skip_blanks(q, e), e);
}

/* "2025-05-15T00:08:39.497451+08:00 HOST kernel: " (also dmesg --time-format iso
 * "2024-06-24T11:07:17,123456+0200 ", with no host). */
static const char *iso_time(const char *p, const char *e)
{
	const char *q = p;

	if (e - p < 20 || !digit(p[0]) || !digit(p[3]) || p[4] != '-' || p[7] != '-' ||
	    (p[10] != 'T' && p[10] != ' ')) {
		return NULL;
	}
	q = clock_time(p + 11, e);
	if (!q) {
		return NULL;
	}
	if (q < e && *q == ',') {
		q++;
		while (q < e && digit(*q)) {
			q++;
		}
	}
	while (q < e && (*q == '+' || *q == '-' || *q == ':' || *q == 'Z' || digit(*q))) {
		q++;
	}
	if (q >= e || !blank(*q)) {
		return NULL;
	}
	q = skip_blanks(q, e);
	const char *h = host_ident(q, e);

	/* dmesg --time-format iso has no host: the message follows. */
	return h ? h : q;
}

/* "[ 123.456789]" -> ns; returns the end or NULL. */
static const char *printk_time(const char *p, const char *e, uint64_t *ns)
{
	uint64_t secs = 0, frac = 0;
	int nfrac = 0;
	const char *q = skip_blanks(p + 1, e);

	if (*p != '[' || q >= e || !digit(*q)) {
		return NULL;
	}
	while (q < e && digit(*q)) {
		if (secs > 100000000000ull) {
			return NULL;
		}
		secs = secs * 10 + (uint64_t)(*q++ - '0');
	}
	if (q >= e || *q != '.') {
		return NULL;
	}
	q++;
	while (q < e && digit(*q)) {
		if (nfrac < 9) {
			frac = frac * 10 + (uint64_t)(*q - '0');
			nfrac++;
		}
		q++;
	}
	if (nfrac == 0 || q >= e || *q != ']') {
		return NULL;
	}
	while (nfrac < 9) {
		frac *= 10;
		nfrac++;
	}
	*ns = secs * 1000000000ull + frac;
	return q + 1;
}

/* "[Mon Jun 24 11:07:17 2024]" or "[Mon Jun 24 11:07:17 2024 UTC]" */
static const char *dmesg_T(const char *p, const char *e)
{
	const char *q = p + 1;

	if (*p != '[' || e - q < 24 || !blank(q[3]) || !month(q + 4, e)) {
		return NULL;
	}
	q = skip_blanks(q + 8, e);
	while (q < e && digit(*q)) {
		q++;
	}
	q = clock_time(skip_blanks(q, e), e);
	if (!q) {
		return NULL;
	}
	const char *r = memchr(q, ']', (size_t)(e - q));

	return r && r - q <= 12 ? r + 1 : NULL;
}

/* "[T1234]", "[ C12]": the printk caller id. */
static const char *caller_id(const char *p, const char *e, int *caller)
{
	const char *q = skip_blanks(p + 1, e);
	char kind;
	int v = 0;

	if (*p != '[' || q >= e || (*q != 'T' && *q != 'C')) {
		return NULL;
	}
	kind = *q++;
	if (q >= e || !digit(*q)) {
		return NULL;
	}
	while (q < e && digit(*q) && v < 100000000) {
		v = v * 10 + (*q++ - '0');
	}
	if (q >= e || *q != ']') {
		return NULL;
	}
	*caller = kind == 'T' ? v : -2 - v;
	return q + 1;
}

/* A shell prompt pasted with the output: "$ dmesg", "user@host:~$ sudo ...". */
static bool prompt(const char *p, const char *e)
{
	const char *d;

	if (e - p >= 2 && p[0] == '$' && p[1] == ' ') {
		return true;
	}
	d = memchr(p, '$', (size_t)(e - p));
	if (!d || d + 1 >= e || d[1] != ' ' || d - p > 80) {
		return false;
	}
	/* user@host:dir$ or [user@host dir]$ */
	const char *at = memchr(p, '@', (size_t)(d - p));

	return at && memchr(p, ' ', (size_t)(at - p)) == NULL;
}

const char *tdxr_klog_strip(const char *b, const char *e, const char **e_out, struct klog_pfx *pf)
{
	const char *p = b, *q;

	memset(pf, 0, sizeof(*pf));
	pf->caller = -1;
	/* The end: CR, trailing blanks, a pager's cut. */
	while (e > p && (e[-1] == '\r' || blank(e[-1]))) {
		e--;
	}
	if (e - p >= 2 && e[-1] == '>' && !blank(e[-2])) {
		/* "</TASK>", "<IRQ>", "<ffffffff8112>" end in '>' too. */
		const char *t = e - 1;

		while (t > p && !blank(t[-1]) && *t != '<') {
			t--;
		}
		if (*t != '<') {
			e--;
			pf->cut = true;
		}
	}
	for (int round = 0; round < 8; round++) {
		p = skip_blanks(p, e);
		if (p >= e) {
			break;
		}
		/* mail quoting: "> ", ">> ", "> > " */
		if (*p == '>' && (p + 1 == e || p[1] == ' ' || p[1] == '>' || p[1] == '\t')) {
			p++;
			continue;
		}
		if (*p == '<' && p + 2 < e && digit(p[1])) {
			q = p + 1;
			while (q < e && digit(*q)) {
				q++;
			}
			if (q < e && *q == '>' && q - p <= 4) {
				p = q + 1;
				pf->log = true;
				continue;
			}
		}
		if (*p == '[') {
			uint64_t ns;

			if ((q = printk_time(p, e, &ns)) != NULL) {
				p = q;
				pf->log = true;
				if (!pf->has_ts) {
					pf->has_ts = true;
					pf->ts = ns;
				}
				/* short-monotonic: "[ 1.2] HOST kernel: " */
				const char *r = skip_blanks(p, e), *h = host_ident(r, e);

				if (h && h - r > 8 && memmem(r, (size_t)(h - r), "kernel:", 7)) {
					p = h;
				}
				continue;
			}
			if ((q = dmesg_T(p, e)) != NULL || (q = caller_id(p, e, &pf->caller))) {
				p = q;
				pf->log = true;
				continue;
			}
		}
		if (digit(*p) && (q = iso_time(p, e)) != NULL) {
			p = q;
			pf->log = true;
			continue;
		}
		if ((q = journal_short(p, e)) != NULL) {
			p = q;
			pf->log = true;
			continue;
		}
		break;
	}
	if (p < e && prompt(p, e)) {
		pf->log = true;
		p = e; /* nothing of the kernel's on it */
	}
	*e_out = e;
	return p;
}
