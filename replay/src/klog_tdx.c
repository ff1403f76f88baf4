// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/klog_tdx.c - KVM's and the TDX host's console messages of
 * every kernel era, as log:* events (docs/design.md §5.1, docs/tdx.md §2.3).
 *
 * SEAMCALL failures, by era:
 *   upstream 6.16+   "SEAMCALL TDH_MEM_PAGE_AUG failed: 0x..., entry 0x..., level_state 0x..."
 *                    (and ", rcx 0x..., rdx 0x...", ", rcx 0x..., rdx, 0x..., r8 0x...")
 *                    "TDH_VP_RD[TD_VMCS.0x..] failed 0x...", "TDH_VP_WR[...]...0x... failed: 0x..."
 *   6.8 intel        "SEAMCALL (0x000000000000001c) failed: 0x... RCX 0x... RDX 0x... R8 ..."
 *   6.2-6.5          "tdx: SEAMCALL failed: CPU 94: leaf 33, error 0x...."
 *                    + "tdx: additional output: rcx 0x..., rdx 0x..., ..."
 *   5.x prototypes   "SEAMCALL[TDH_MEM_SEPT_ADD(3)] failed: 0x...", "SEAMCALL[0x1c] failed: 0x...",
 *                    "SEAMCALL[28] failed: 0x... RCX 0x..., RDX 0x..., ..."
 * and: "Guest access before accepting 0x... on vCPU N", "HKID N is leaked",
 * "FN: N callbacks suppressed", "virt/tdx:"/"tdx:" platform lines, "Linux
 * version", BOOT_IMAGE=, "TD exit 0x... hkid 0x...", "TD vp_enter_ret 0x...",
 * "Memory failure: 0x<pfn>: ...", "Uncorrected hardware memory error ... at <pa>".
 * A status or register that is not printed stays absent (fmask).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog_int.h"
#include "tdxr/tdx.h"

void tdxr_klog_event_init(struct tdxr_event *ev, unsigned int type, uint64_t ts)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)type;
	ev->ts = ts;
	ev->cpu = -1;
	ev->tid = -1;
	ev->tgid = -1;
	ev->vm = -1;
	ev->vcpu = -1;
	ev->fmask = (uint16_t)((1u << tdxr_event_desc(type)->nr_fields) - 1);
}

static bool hex_at(const char *p, uint64_t *v, const char **end)
{
	char *q;

	if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X')) {
		return false;
	}
	*v = strtoull(p + 2, &q, 16);
	if (q == p + 2) {
		return false;
	}
	if (end) {
		*end = q;
	}
	return true;
}

static uint32_t intern(struct tdxr_src *s, const char *p, size_t n)
{
	return tdxr_strtab_intern(s->st, p, n);
}

static void set_leaf(struct tdxr_src *s, struct tdxr_event *ev, long long leaf)
{
	const char *nm =
		leaf >= 0 && leaf <= 0xffff ? tdxr_seamcall_name((unsigned int)leaf) : NULL;

	EVF(ev, LOG_SEAMCALL_FAILED, leaf) = leaf < 0 ? UINT64_MAX : (uint64_t)leaf;
	EVF(ev, LOG_SEAMCALL_FAILED, fn) = nm ? intern(s, nm, strlen(nm)) : 0;
}

/*
 * Up to two more values after the status: upstream's ", entry 0x..,
 * level_state 0x..", 6.8's " RCX 0x.. RDX 0x..", 5.x's " RCX 0x.., RDX ..".
 */
static void more_values(struct tdxr_event *ev, const char *q)
{
	unsigned int n = 0;

	ev->fmask &= (uint16_t) ~((1u << TDXR_F_LOG_SEAMCALL_FAILED_a1) |
				  (1u << TDXR_F_LOG_SEAMCALL_FAILED_a2));
	while (q && *q && n < 2) {
		const char *x = strstr(q, "0x");
		uint64_t v;

		if (!x || !hex_at(x, &v, &q)) {
			break;
		}
		ev->f[TDXR_F_LOG_SEAMCALL_FAILED_a1 + n] = v;
		ev->fmask |= (uint16_t)(1u << (TDXR_F_LOG_SEAMCALL_FAILED_a1 + n));
		n++;
	}
}

static bool seamcall_failed(struct tdxr_src *s, const char *m, uint64_t ts, struct tdxr_event *ev)
{
	const char *fail = strstr(m, " failed");
	const char *q;
	uint64_t st;

	if (!fail) {
		return false;
	}
	tdxr_klog_event_init(ev, TDXR_EV_LOG_SEAMCALL_FAILED, ts);
	q = fail + 7;
	if (*q == ':') {
		q++;
	}
	while (*q == ' ') {
		q++;
	}
	if (m[8] == ' ' && m[9] != '(' && fail > m + 9) {
		/* upstream: "SEAMCALL NAME failed: 0x..." */
		const char *fn = m + 9;
		int leaf = tdxr_seamcall_leaf(fn, (size_t)(fail - fn));

		EVF(ev, LOG_SEAMCALL_FAILED, fn) = intern(s, fn, (size_t)(fail - fn));
		EVF(ev, LOG_SEAMCALL_FAILED, leaf) = leaf < 0 ? UINT64_MAX : (uint64_t)leaf;
	} else if (m[8] == ' ' && m[9] == '(') {
		/* 6.8 intel: "SEAMCALL (0x...) failed: 0x..." */
		uint64_t leaf;

		if (!hex_at(m + 10, &leaf, NULL)) {
			return false;
		}
		set_leaf(s, ev, (long long)(leaf & 0xffff));
	} else if (m[8] == '[') {
		/* 5.x: "SEAMCALL[NAME(N)]", "SEAMCALL[NAME]", "SEAMCALL[0x1c]", "SEAMCALL[28]" */
		const char *b = m + 9, *rb = strchr(b, ']');
		const char *par = rb ? memchr(b, '(', (size_t)(rb - b)) : NULL;
		uint64_t leaf;

		if (!rb || rb > fail) {
			return false;
		}
		if (par) {
			set_leaf(s, ev, strtoll(par + 1, NULL, 0));
			EVF(ev, LOG_SEAMCALL_FAILED, fn) = intern(s, b, (size_t)(par - b));
		} else if (hex_at(b, &leaf, NULL)) {
			set_leaf(s, ev, (long long)(leaf & 0xffff));
		} else if (*b >= '0' && *b <= '9') {
			set_leaf(s, ev, strtoll(b, NULL, 10));
		} else {
			int leaf2 = tdxr_seamcall_leaf(b, (size_t)(rb - b));

			EVF(ev, LOG_SEAMCALL_FAILED, fn) = intern(s, b, (size_t)(rb - b));
			EVF(ev, LOG_SEAMCALL_FAILED, leaf) =
				leaf2 < 0 ? UINT64_MAX : (uint64_t)leaf2;
		}
	} else if (strncmp(m + 8, " failed: CPU ", 13) == 0) {
		/* 6.2-6.5: "SEAMCALL failed: CPU 94: leaf 33, error 0x...." */
		const char *lp = strstr(q, "leaf "), *xp = strstr(q, "error 0x");
		char *le;

		set_leaf(s, ev, -1);
		if (lp) {
			unsigned long long v = strtoull(lp + 5, &le, 10);

			if (le != lp + 5) {
				set_leaf(s, ev,
					 v <= 0xffff ? (long long)v : (long long)(v & 0xffff));
			}
		}
		if (xp && hex_at(xp + 6, &st, NULL)) {
			EVF(ev, LOG_SEAMCALL_FAILED, status) = st;
		} else {
			ev->fmask &= (uint16_t) ~(1u << TDXR_F_LOG_SEAMCALL_FAILED_status);
		}
		ev->fmask &= (uint16_t) ~((1u << TDXR_F_LOG_SEAMCALL_FAILED_a1) |
					  (1u << TDXR_F_LOG_SEAMCALL_FAILED_a2));
		return true;
	} else {
		return false;
	}
	if (hex_at(q, &st, &q)) {
		EVF(ev, LOG_SEAMCALL_FAILED, status) = st;
		more_values(ev, q);
	} else {
		/* cut before the status: nothing is guessed */
		ev->fmask &= (uint16_t) ~((1u << TDXR_F_LOG_SEAMCALL_FAILED_status) |
					  (1u << TDXR_F_LOG_SEAMCALL_FAILED_a1) |
					  (1u << TDXR_F_LOG_SEAMCALL_FAILED_a2));
	}
	return true;
}

/* "TDH_VP_RD[TD_VMCS.0x4402] failed 0x...", "TDH_VP_WR[...]<sep>0x... failed: 0x..." */
static bool vp_rd_wr(struct tdxr_src *s, const char *m, uint64_t ts, struct tdxr_event *ev)
{
	const char *f = strstr(m, " failed"), *x;
	uint64_t st;

	if (!f) {
		return false;
	}
	x = strstr(f, "0x");
	tdxr_klog_event_init(ev, TDXR_EV_LOG_SEAMCALL_FAILED, ts);
	EVF(ev, LOG_SEAMCALL_FAILED, fn) = intern(s, m, 9);
	EVF(ev, LOG_SEAMCALL_FAILED, leaf) = (uint64_t)tdxr_seamcall_leaf(m, 9);
	ev->fmask &= (uint16_t) ~((1u << TDXR_F_LOG_SEAMCALL_FAILED_a1) |
				  (1u << TDXR_F_LOG_SEAMCALL_FAILED_a2));
	if (x && hex_at(x, &st, NULL)) {
		EVF(ev, LOG_SEAMCALL_FAILED, status) = st;
	} else {
		ev->fmask &= (uint16_t) ~(1u << TDXR_F_LOG_SEAMCALL_FAILED_status);
	}
	return true;
}

bool tdxr_klog_tdx_more_output(const char *p, const char *e, struct tdxr_event *ev)
{
	char buf[256];
	size_t n = (size_t)(e - p) < sizeof(buf) - 1 ? (size_t)(e - p) : sizeof(buf) - 1;
	const char *m;

	memcpy(buf, p, n);
	buf[n] = '\0';
	m = strstr(buf, "additional output: ");
	if (!m || ev->type != TDXR_EV_LOG_SEAMCALL_FAILED) {
		return false;
	}
	more_values(ev, m);
	return true;
}

static bool platform(struct tdxr_src *s, const char *m, uint64_t ts, struct tdxr_event *ev,
		     const char *key, const char *val, size_t vlen)
{
	(void)m;
	tdxr_klog_event_init(ev, TDXR_EV_LOG_PLATFORM, ts);
	EVF(ev, LOG_PLATFORM, key) = intern(s, key, strlen(key));
	EVF(ev, LOG_PLATFORM, value) = intern(s, val, vlen);
	return true;
}

/* The release in "Linux version 6.8.0-1004-intel (...)" / "vmlinuz-6.8.0-1004-intel". */
static bool release(struct tdxr_src *s, const char *r, uint64_t ts, struct tdxr_event *ev)
{
	size_t n = strcspn(r, " \t(");

	return n > 0 && n < 80 && platform(s, r, ts, ev, "kernel_release", r, n);
}

/* "virt/tdx:" (6.8+) or "tdx:" (6.2-6.5) lines about the platform. */
static bool tdx_platform(struct tdxr_src *s, const char *m, uint64_t ts, struct tdxr_event *ev)
{
	const char *x, *y;
	char v[96];

	if ((x = strstr(m, "major_version ")) && (y = strstr(m, "minor_version "))) {
		const char *bn = strstr(m, "build_num "), *bd = strstr(m, "build_date ");
		int n = snprintf(v, sizeof(v), "%d.%d", atoi(x + 14), atoi(y + 14));

		if (bn) {
			n += snprintf(v + n, sizeof(v) - (size_t)n, " build %d", atoi(bn + 10));
		}
		if (bd) {
			snprintf(v + n, sizeof(v) - (size_t)n, " (%d)", atoi(bd + 11));
		}
		return platform(s, m, ts, ev, "tdx_module", v, strlen(v));
	}
	if ((x = strstr(m, "KeyID range ")) != NULL) {
		x += 12;
		y = strchr(x, ')');
		return y && platform(s, m, ts, ev, "keyids", x, (size_t)(y + 1 - x));
	}
	if ((x = strstr(m, " KB allocated for PAMT")) != NULL) {
		y = x;
		while (y > m && y[-1] >= '0' && y[-1] <= '9') {
			y--;
		}
		snprintf(v, sizeof(v), "%.*s KB", (int)(x - y), y);
		return platform(s, m, ts, ev, "pamt", v, strlen(v));
	}
	if (strstr(m, "module initialized") || strstr(m, "TDX module initialized")) {
		return platform(s, m, ts, ev, "tdx_init", "initialized", 11);
	}
	if ((x = strstr(m, "initialization failed")) != NULL ||
	    (x = strstr(m, "module initialization failed")) != NULL) {
		return platform(s, m, ts, ev, "tdx_init", x, strlen(x));
	}
	if (strstr(m, "not enabled") || strstr(m, "disabled")) {
		const char *t = strchr(m, ':');

		t = t ? t + 2 : m;
		return platform(s, m, ts, ev, "tdx_disabled", t, strlen(t));
	}
	return false;
}

bool tdxr_klog_tdx_message(struct tdxr_src *s, const char *p, const char *e, uint64_t ts,
			   struct tdxr_event *ev)
{
	char buf[512];
	size_t len = (size_t)(e - p) < sizeof(buf) - 1 ? (size_t)(e - p) : sizeof(buf) - 1;
	const char *m;
	uint64_t v;

	memcpy(buf, p, len);
	buf[len] = '\0';

	if ((m = strstr(buf, "SEAMCALL")) && (m[8] == ' ' || m[8] == '[') &&
	    seamcall_failed(s, m, ts, ev)) {
		return true;
	}
	if (((m = strstr(buf, "TDH_VP_RD[")) || (m = strstr(buf, "TDH_VP_WR["))) &&
	    vp_rd_wr(s, m, ts, ev)) {
		return true;
	}
	if ((m = strstr(buf, "Guest access before accepting 0x"))) {
		const char *q;

		tdxr_klog_event_init(ev, TDXR_EV_LOG_ACCEPT_BEFORE, ts);
		if (!hex_at(m + 30, &v, &q)) {
			return false;
		}
		EVF(ev, LOG_ACCEPT_BEFORE, gpa) = v;
		q = strstr(q, "vCPU ");
		EVF(ev, LOG_ACCEPT_BEFORE, vcpu) =
			q ? (uint64_t)(int64_t)atoi(q + 5) : (uint64_t)-1;
		return true;
	}
	if ((m = strstr(buf, "HKID ")) && strstr(m, " is leaked")) {
		tdxr_klog_event_init(ev, TDXR_EV_LOG_HKID_LEAKED, ts);
		EVF(ev, LOG_HKID_LEAKED, hkid) = (uint64_t)(int64_t)atoi(m + 5);
		return true;
	}
	if ((m = strstr(buf, " callbacks suppressed")) != NULL) {
		const char *n = m, *c;

		while (n > buf && n[-1] >= '0' && n[-1] <= '9') {
			n--;
		}
		if (n == m || n - buf < 3 || n[-1] != ' ' || n[-2] != ':') {
			return false;
		}
		c = n - 2;
		const char *f = c;

		while (f > buf && f[-1] != ' ') {
			f--;
		}
		tdxr_klog_event_init(ev, TDXR_EV_LOG_SUPPRESSED, ts);
		EVF(ev, LOG_SUPPRESSED, fn) = intern(s, f, (size_t)(c - f));
		EVF(ev, LOG_SUPPRESSED, count) = strtoull(n, NULL, 10);
		return true;
	}
	if ((m = strstr(buf, "TD exit 0x")) != NULL && hex_at(m + 8, &v, NULL)) {
		const char *h = strstr(m, "hkid 0x");

		tdxr_klog_event_init(ev, TDXR_EV_LOG_TD_EXIT, ts);
		EVF(ev, LOG_TD_EXIT, status) = v;
		if (h && hex_at(h + 5, &v, NULL)) {
			EVF(ev, LOG_TD_EXIT, hkid) = v;
		} else {
			ev->fmask &= (uint16_t) ~(1u << TDXR_F_LOG_TD_EXIT_hkid);
		}
		return true;
	}
	if ((m = strstr(buf, "TD vp_enter_ret 0x")) != NULL && hex_at(m + 16, &v, NULL)) {
		tdxr_klog_event_init(ev, TDXR_EV_LOG_TD_EXIT, ts);
		EVF(ev, LOG_TD_EXIT, status) = v;
		ev->fmask &= (uint16_t) ~(1u << TDXR_F_LOG_TD_EXIT_hkid);
		return true;
	}
	if ((m = strstr(buf, "Memory failure: 0x")) != NULL && hex_at(m + 16, &v, NULL)) {
		const char *w = strchr(m + 18, ':');

		w = w ? w + 1 : "";
		while (*w == ' ') {
			w++;
		}
		tdxr_klog_event_init(ev, TDXR_EV_LOG_MEMORY_ERROR, ts);
		EVF(ev, LOG_MEMORY_ERROR, pfn) = v;
		EVF(ev, LOG_MEMORY_ERROR, what) = intern(s, w, strlen(w));
		return true;
	}
	if ((m = strstr(buf, "Uncorrected hardware memory error")) != NULL) {
		const char *at = strstr(m, " at ");

		tdxr_klog_event_init(ev, TDXR_EV_LOG_MEMORY_ERROR, ts);
		EVF(ev, LOG_MEMORY_ERROR, what) = intern(s, m, strlen(m));
		if (at) {
			EVF(ev, LOG_MEMORY_ERROR, pfn) = strtoull(at + 4, NULL, 16) >> 12;
		} else {
			ev->fmask &= (uint16_t) ~(1u << TDXR_F_LOG_MEMORY_ERROR_pfn);
		}
		return true;
	}
	if ((m = strstr(buf, "Linux version ")) != NULL && m == buf) {
		return release(s, m + 14, ts, ev);
	}
	if ((m = strstr(buf, "BOOT_IMAGE=")) != NULL && (m = strstr(m, "vmlinuz-")) != NULL) {
		return release(s, m + 8, ts, ev);
	}
	if (strncmp(buf, "virt/tdx: ", 10) == 0 || strncmp(buf, "tdx: ", 5) == 0) {
		return tdx_platform(s, buf, ts, ev);
	}
	return false;
}
