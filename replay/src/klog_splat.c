// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/klog_splat.c - a splat's lines assembled into one record
 * (docs/design.md §5.1). Shapes, from lib/bug.c, kernel/panic.c (__warn),
 * lib/dump_stack.c, arch/x86/kernel/dumpstack.c and arch/x86/mm/fault.c:
 *
 *   headers   "WARNING: CPU: 3 PID: 77 at FILE:LINE FUNC+0x1a/0x60 [MOD]"   (<= 6.18)
 *             "WARNING: CPU: 3 PID: 77 at FUNC+0x1a/0x60 [MOD]"            (no file)
 *             "WARNING: FILE:LINE at FUNC+0x1a/0x60 [MOD], CPU#3: COMM/77"  (>= 6.19;
 *                 7.0+ prints the WARN's condition on the line before)
 *             "kernel BUG at FILE:LINE!", "BUG: KASAN: KIND in FUNC+OFF/SIZE",
 *             "BUG: kernel NULL pointer dereference, address: ...",
 *             "BUG: unable to handle page fault for address: ..." (and the 4.x
 *             "unable to handle kernel NULL pointer dereference/paging request"),
 *             "general protection fault, ...", "Oops: ..."
 *   context   "CPU: 3 [UID: 0] PID: 77 Comm: qemu Tainted: G W 6.8.0 #4",
 *             "Tainted: [W]=WARN", "Hardware name: ...", "Modules linked in: ...",
 *             "RIP: 0010:FUNC+OFF/SIZE [MOD]", "Code: ...", "RAX: ... RBX: ..."
 *   trace     "Call Trace:", "<TASK>", " ? FUNC+OFF/SIZE [MOD BUILDID]", syzbot's
 *             " FUNC FILE:LINE [inline]", old " [<ffffffff81234567>] FUNC+OFF/SIZE"
 *   end       "---[ end trace 0000000000000000 ]---"
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog_int.h"

static bool starts(const char *p, const char *e, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0;
}

static const char *find(const char *p, const char *e, const char *lit)
{
	return memmem(p, (size_t)(e - p), lit, strlen(lit));
}

static void copy(char *dst, size_t cap, const char *p, const char *e)
{
	size_t n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;

	memcpy(dst, p, n);
	dst[n] = '\0';
	/* " | " separates items of the strings the event carries. */
	for (char *x = dst; (x = strchr(x, '|')) != NULL;) {
		*x = '/';
	}
}

static bool is_sym(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/*
 * "FUNC+0x1a/0x60 [MOD BUILDID]" (or "FUNC" alone with @need_off false) at
 * p into @fr; returns the end or NULL.
 */
static const char *sym_off(const char *p, const char *e, struct tdxr_klog_frame *fr, bool need_off)
{
	const char *f = p, *o;

	while (p < e && is_sym(*p)) {
		p++;
	}
	if (p == f) {
		return NULL;
	}
	copy(fr->func, sizeof(fr->func), f, p);
	fr->offset[0] = '\0';
	fr->module[0] = '\0';
	if (p < e && *p == '+') {
		o = ++p;
		while (p < e && (isxdigit((unsigned char)*p) || *p == 'x' || *p == '/')) {
			p++;
		}
		if (p == o || !memchr(o, '/', (size_t)(p - o))) {
			return NULL;
		}
		copy(fr->offset, sizeof(fr->offset), o, p);
	} else if (need_off) {
		return NULL;
	}
	while (p < e && *p == ' ') {
		p++;
	}
	if (p < e && *p == '[') {
		const char *m = ++p;

		while (p < e && *p != ']' && *p != ' ') {
			p++;
		}
		copy(fr->module, sizeof(fr->module), m, p);
		const char *rb = memchr(p, ']', (size_t)(e - p));

		p = rb ? rb + 1 : e;
	}
	return p;
}

/* One call-trace frame line; false if the line is not one. */
static bool parse_frame(const char *p, const char *e, struct tdxr_klog_frame *fr)
{
	const char *q;

	fr->reliable = true;
	/* old kernels: "[<ffffffff81234567>] ? func+0x../0x.." */
	if (starts(p, e, "[<")) {
		q = memchr(p, '>', (size_t)(e - p));
		if (!q || q + 1 >= e || q[1] != ']') {
			return false;
		}
		p = q + 2;
		while (p < e && *p == ' ') {
			p++;
		}
	}
	if (starts(p, e, "? ")) {
		fr->reliable = false;
		p += 2;
	}
	q = sym_off(p, e, fr, true);
	if (q) {
		return true;
	}
	/* syzbot: "func path/file.c:123 [inline]" */
	q = sym_off(p, e, fr, false);
	if (!q || q >= e || q == p || q[-1] != ' ' || fr->module[0]) {
		return false;
	}
	const char *path = q, *colon = memchr(path, ':', (size_t)(e - path));

	return colon && colon + 1 < e && isdigit((unsigned char)colon[1]) &&
	       memchr(path, '/', (size_t)(colon - path)) &&
	       !memchr(path, ' ', (size_t)(colon - path));
}

/* Frames that report the splat rather than cause it. */
static bool reporting_frame(const char *f)
{
	static const char *const names[] = {
		"show_regs",
		"__warn",
		"warn_slowpath_fmt",
		"__warn_printk",
		"report_bug",
		"handle_bug",
		"exc_invalid_op",
		"asm_exc_invalid_op",
		"do_error_trap",
		"do_trap",
		"die",
		"__die",
		"__die_body",
		"oops_end",
		"page_fault_oops",
		"exc_page_fault",
		"asm_exc_page_fault",
		"do_user_addr_fault",
		"kernelmode_fixup_or_oops",
		"__bad_area_nosemaphore",
		"bad_area_nosemaphore",
		"no_context",
		"exc_general_protection",
		"asm_exc_general_protection",
		"die_addr",
		"dump_stack",
		"dump_stack_lvl",
		"__dump_stack",
		"show_stack",
		"show_trace_log_lvl",
		"kasan_report",
		"print_report",
		"print_address_description",
		"kasan_check_range",
		"__asan_load8",
		"__asan_store8",
		"__kasan_check_read",
		"__kasan_check_write",
		"report_bug_entry",
		"__report_bug",
		"fixup_exception",
		"spurious_kernel_fault",
		"handle_page_fault",
		"__warn_printf",
		"nbcon_cpu_emergency_enter",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(f, names[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* "FILE:LINE" at p; returns the end or NULL. */
static const char *file_line(const char *p, const char *e, char *file, size_t cap, int *line)
{
	const char *c = p;

	while (c < e && *c != ':' && *c != ' ') {
		c++;
	}
	if (c == p || c + 1 >= e || *c != ':' || !isdigit((unsigned char)c[1]) ||
	    !memchr(p, '.', (size_t)(c - p))) {
		return NULL;
	}
	copy(file, cap, p, c);
	*line = atoi(c + 1);
	c++;
	while (c < e && isdigit((unsigned char)*c)) {
		c++;
	}
	return c;
}

static void site_from(struct klog_splat *sp, const struct tdxr_klog_frame *fr)
{
	snprintf(sp->func, sizeof(sp->func), "%s", fr->func);
	snprintf(sp->offset, sizeof(sp->offset), "%s", fr->offset);
	snprintf(sp->module, sizeof(sp->module), "%s", fr->module);
}

static void splat_reset(struct klog_splat *sp, uint32_t line, uint64_t ts, int caller, int type)
{
	memset(sp, 0, sizeof(*sp));
	sp->open = true;
	sp->line = sp->end_line = line;
	sp->ts = ts;
	sp->caller = caller;
	sp->type = type;
	sp->cpu = -1;
	sp->pid = -1;
	sp->srcline = -1;
	sp->nlines = 1;
}

/* "WARNING: ..." in both header forms. */
static bool warn_header(struct klog_splat *sp, const char *p, const char *e)
{
	struct tdxr_klog_frame fr;
	const char *at, *q;

	p += 9; /* "WARNING: " */
	if (starts(p, e, "CPU: ")) {
		/* <= 6.18: "CPU: 3 PID: 77 at [FILE:LINE ]FUNC+OFF/SIZE [MOD]" */
		sp->cpu = atoi(p + 5);
		q = find(p, e, "PID: ");
		sp->pid = q ? atoi(q + 5) : -1;
		at = find(p, e, " at ");
		if (!at) {
			return false;
		}
		at += 4;
		q = file_line(at, e, sp->file, sizeof(sp->file), &sp->srcline);
		if (q) {
			at = q + 1;
		}
		if (at < e && sym_off(at, e, &fr, false)) {
			site_from(sp, &fr);
		}
		return true;
	}
	/* >= 6.19: "[FILE:LINE ]at FUNC+OFF/SIZE [MOD], CPU#3: COMM/77" */
	q = file_line(p, e, sp->file, sizeof(sp->file), &sp->srcline);
	at = q ? q : p;
	while (at < e && *at == ' ') {
		at++;
	}
	if (!starts(at, e, "at ")) {
		return false;
	}
	q = sym_off(at + 3, e, &fr, false);
	if (q) {
		site_from(sp, &fr);
	}
	q = find(at, e, "CPU#");
	if (q) {
		const char *c = memchr(q, ':', (size_t)(e - q)), *sl;

		sp->cpu = atoi(q + 4);
		if (c && c + 2 <= e) {
			c += 2;
			sl = e;
			while (sl > c && sl[-1] != '/') {
				sl--;
			}
			if (sl > c) {
				copy(sp->comm, sizeof(sp->comm), c, sl - 1);
				sp->pid = atoi(sl);
			}
		}
	}
	return true;
}

bool tdxr_klog_splat_start(struct klog_splat *sp, const char *p, const char *e, uint32_t line,
			   uint64_t ts, int caller)
{
	struct tdxr_klog_frame fr;
	const char *q;

	if (starts(p, e, "WARNING: ")) {
		splat_reset(sp, line, ts, caller, TDXR_KLOG_WARN);
		if (warn_header(sp, p, e)) {
			return true;
		}
		sp->open = false;
		return false;
	}
	if (starts(p, e, "kernel BUG at ")) {
		splat_reset(sp, line, ts, caller, TDXR_KLOG_BUG);
		if (!file_line(p + 14, e, sp->file, sizeof(sp->file), &sp->srcline)) {
			/* "kernel BUG at FUNC+OFF/SIZE [verbose debug info unavailable]" */
			if (sym_off(p + 14, e, &fr, false)) {
				site_from(sp, &fr);
			}
		}
		return true;
	}
	if (starts(p, e, "BUG: ")) {
		if (find(p, e, "NULL pointer dereference")) {
			splat_reset(sp, line, ts, caller, TDXR_KLOG_NULL_DEREF);
		} else if (find(p, e, "unable to handle")) {
			splat_reset(sp, line, ts, caller, TDXR_KLOG_PAGE_FAULT);
		} else {
			splat_reset(sp, line, ts, caller, TDXR_KLOG_BUG);
			/* "BUG: KASAN: KIND in FUNC+OFF/SIZE [MOD]" */
			q = find(p, e, " in ");
			if (starts(p, e, "BUG: KASAN: ") && q && sym_off(q + 4, e, &fr, false)) {
				site_from(sp, &fr);
			}
			/* "BUG: sleeping function called from invalid context at FILE:LINE" */
			q = find(p, e, " at ");
			if (q) {
				file_line(q + 4, e, sp->file, sizeof(sp->file), &sp->srcline);
			}
		}
		return true;
	}
	if (starts(p, e, "general protection fault") ||
	    starts(p, e, "Oops: general protection fault")) {
		splat_reset(sp, line, ts, caller, TDXR_KLOG_GPF);
		return true;
	}
	if (starts(p, e, "Oops: ")) {
		splat_reset(sp, line, ts, caller, TDXR_KLOG_OOPS);
		return true;
	}
	return false;
}

static const char *const reg_names[] = {
	"RAX", "RBX", "RCX", "RDX", "RSI",  "RDI",    "RBP",	  "RSP",   "R8",
	"R9",  "R10", "R11", "R12", "R13",  "R14",    "R15",	  "CR2",   "CR0",
	"CR3", "CR4", "FS",  "GS",  "CS",   "DS",     "ES",	  "DR0",   "DR1",
	"DR2", "DR3", "DR6", "DR7", "PKRU", "EFLAGS", "ORIG_RAX", "knlGS",
};

static int reg_index(const char *p, size_t n)
{
	/* x86-64 prints "R08:" and "R09:" */
	if (n == 3 && p[0] == 'R' && p[1] == '0' && (p[2] == '8' || p[2] == '9')) {
		return p[2] == '8' ? 8 : 9;
	}
	for (size_t i = 0; i < sizeof(reg_names) / sizeof(reg_names[0]); i++) {
		if (strlen(reg_names[i]) == n && memcmp(reg_names[i], p, n) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/*
 * A register line: "RAX: ffffffffffffffda RBX: 0000000000000001 ...",
 * "RSP: 0018:ffffc90001234e58 EFLAGS: 00010246"; kept when @keep.
 */
static bool reg_line(struct klog_splat *sp, const char *p, const char *e, bool keep)
{
	unsigned int found = 0;

	while (p < e) {
		const char *n = p, *v;
		int ri;

		while (p < e && *p != ':' && *p != ' ') {
			p++;
		}
		if (p + 1 >= e || *p != ':' || (ri = reg_index(n, (size_t)(p - n))) < 0) {
			return found > 0 && p >= e;
		}
		p++;
		while (p < e && *p == ' ') {
			p++;
		}
		v = p;
		while (p < e && *p != ' ') {
			p++;
		}
		const char *c = memchr(v, ':', (size_t)(p - v));

		if (c) {
			v = c + 1; /* "0018:ffffc9..." segment:offset */
		}
		if (p == v || !isxdigit((unsigned char)*v)) {
			return false;
		}
		if (keep && ri < 16 && sp->nregs < KLOG_MAX_REGS) {
			snprintf(sp->regs[sp->nregs].name, sizeof(sp->regs[0].name), "%s",
				 reg_names[ri]);
			sp->regs[sp->nregs].v = strtoull(v, NULL, 16);
			sp->nregs++;
		}
		found++;
		while (p < e && *p == ' ') {
			p++;
		}
	}
	return found > 0;
}

/* "CPU: 3 [UID: 0] PID: 77 Comm: qemu-system-x86 Tainted: G   W   6.8.0 #4-Ubuntu" */
static bool cpu_line(struct klog_splat *sp, const char *p, const char *e)
{
	const char *q, *t, *nt;

	if (!starts(p, e, "CPU: ") || !find(p, e, "PID: ") || !find(p, e, "Comm: ")) {
		return false;
	}
	if (sp->cpu < 0) {
		sp->cpu = atoi(p + 5);
	}
	q = find(p, e, "PID: ");
	if (sp->pid < 0) {
		sp->pid = atoi(q + 5);
	}
	q = find(p, e, "Comm: ") + 6;
	t = find(q, e, " Tainted: ");
	nt = find(q, e, " Not tainted");
	const char *ce = t ? t : nt ? nt : e;

	if (!sp->comm[0]) {
		copy(sp->comm, sizeof(sp->comm), q, ce);
		/* %.20s pads nothing, but "Kdump: loaded" may follow the comm */
		char *k = strstr(sp->comm, " Kdump:");

		if (k) {
			*k = '\0';
		}
	}
	const char *rel = NULL;

	if (t) {
		/* flag letters, blanks between, then the release */
		char fl[40];
		size_t n = 0;

		q = t + 10;
		while (q < e && (isupper((unsigned char)*q) || *q == ' ')) {
			/* the release starts with a digit; flags are capitals */
			if (*q != ' ' && n < sizeof(fl) - 1) {
				fl[n++] = *q;
			}
			q++;
		}
		fl[n] = '\0';
		snprintf(sp->tainted, sizeof(sp->tainted), "%s", fl);
		rel = q;
	} else if (nt) {
		rel = nt + 12;
		while (rel < e && *rel == ' ') {
			rel++;
		}
	}
	if (rel && rel < e && !sp->release[0]) {
		const char *re = rel;

		while (re < e && *re != ' ') {
			re++;
		}
		copy(sp->release, sizeof(sp->release), rel, re);
	}
	return true;
}

/* "Tainted: [W]=WARN, [O]=OOT_MODULE" (6.10+ verbose): the letters. */
static void taint_verbose(struct klog_splat *sp, const char *p, const char *e)
{
	size_t n = strlen(sp->tainted);

	for (; p + 2 < e; p++) {
		if (p[0] == '[' && isupper((unsigned char)p[1]) && p[2] == ']' &&
		    n < sizeof(sp->tainted) - 1 && !strchr(sp->tainted, p[1])) {
			sp->tainted[n++] = p[1];
			sp->tainted[n] = '\0';
		}
	}
}

static void add_frame(struct klog_splat *sp, const struct tdxr_klog_frame *fr)
{
	if (sp->nframes == KLOG_MAX_FRAMES) {
		sp->frames_cut = true;
		return;
	}
	sp->frames[sp->nframes++] = *fr;
}

bool tdxr_klog_splat_line_shape(const char *p, const char *e)
{
	struct tdxr_klog_frame fr;
	struct klog_splat tmp;

	tmp.nregs = 0;
	return parse_frame(p, e, &fr) || reg_line(&tmp, p, e, false) || starts(p, e, "RIP: ") ||
	       starts(p, e, "Call Trace:") || starts(p, e, "Code: ");
}

enum klog_take tdxr_klog_splat_feed(struct klog_splat *sp, const char *p, const char *e,
				    uint32_t line, int caller)
{
	struct tdxr_klog_frame fr;
	bool ours = false;

	if (sp->caller >= 0 && caller >= 0 && caller != sp->caller && sp->caller != -1) {
		/* printk caller ids tell another task's lines apart exactly */
		return KLOG_NOT_MINE;
	}
	if (starts(p, e, "---[ end trace") || starts(p, e, "---[ end Kernel panic") ||
	    starts(p, e, "Kernel panic - not syncing")) {
		sp->end_line = line;
		sp->trace_done = true;
		return KLOG_ENDS;
	}
	if (starts(p, e, "Call Trace:") || starts(p, e, "Call trace:")) {
		sp->in_trace = true;
		ours = true;
	} else if (*p == '<' &&
		   (starts(p, e, "<TASK>") || starts(p, e, "<IRQ>") || starts(p, e, "</IRQ>") ||
		    starts(p, e, "<NMI>") || starts(p, e, "</NMI>") || starts(p, e, "<SOFTIRQ>") ||
		    starts(p, e, "</SOFTIRQ>") || starts(p, e, "<#DF>") || starts(p, e, "<EOE>"))) {
		ours = true;
	} else if (starts(p, e, "</TASK>")) {
		sp->trace_done = true;
		ours = true;
	} else if (starts(p, e, "RIP: ") || starts(p, e, "IP: ")) {
		const char *r = p + (*p == 'R' ? 5 : 4);
		const char *c = memchr(r, ':', (size_t)(e - r));

		/* "RIP: 0010:func+0x1a/0x60 [mod]"; "IP: [<ffff...>] func+..." */
		if (c && c - r == 4) {
			r = c + 1;
		} else if (starts(r, e, "[<")) {
			const char *gt = memchr(r, ']', (size_t)(e - r));

			r = gt ? gt + 1 : e;
			while (r < e && *r == ' ') {
				r++;
			}
		}
		if (!sp->rip_func[0] && !sp->in_trace && sym_off(r, e, &fr, true)) {
			snprintf(sp->rip_func, sizeof(sp->rip_func), "%s", fr.func);
			snprintf(sp->rip_offset, sizeof(sp->rip_offset), "%s", fr.offset);
			snprintf(sp->rip_module, sizeof(sp->rip_module), "%s", fr.module);
		}
		ours = true;
	} else if (reg_line(sp, p, e, false)) {
		/* the first register set is the splat's; a later one (the
		 * syscall's user registers) is not */
		if (!sp->regs_done && !sp->in_trace) {
			reg_line(sp, p, e, true);
		}
		ours = true;
	} else if (cpu_line(sp, p, e)) {
		ours = true;
	} else if (starts(p, e, "Tainted: [")) {
		taint_verbose(sp, p, e);
		ours = true;
	} else if (starts(p, e, "Hardware name: ")) {
		if (!sp->hardware[0]) {
			copy(sp->hardware, sizeof(sp->hardware), p + 15, e);
		}
		ours = true;
	} else if (starts(p, e, "Modules linked in:") || starts(p, e, "Code: ") ||
		   starts(p, e, "Workqueue: ") || starts(p, e, "#PF: ") || starts(p, e, "PGD ") ||
		   starts(p, e, "Oops: ") || starts(p, e, "invalid opcode: ") ||
		   starts(p, e, "Kernel Offset: ") || starts(p, e, "irq event stamp:") ||
		   starts(p, e, "hardirqs last ") || starts(p, e, "softirqs last ") ||
		   starts(p, e, "Unloaded tainted modules: ") || starts(p, e, "Mem abort info") ||
		   starts(p, e, "FS: ") || starts(p, e, "==========")) {
		ours = true;
	} else if (parse_frame(p, e, &fr)) {
		if (!sp->in_trace && !sp->trace_done) {
			sp->in_trace = true;
		}
		if (!sp->trace_done) {
			add_frame(sp, &fr);
		}
		ours = true;
	}
	if (ours) {
		sp->end_line = line;
		sp->quiet = 0;
		sp->nlines++;
		return KLOG_TAKEN;
	}
	return KLOG_NOT_MINE;
}

bool tdxr_klog_splat_headless(struct klog_splat *sp, const char *p, const char *e, uint32_t line,
			      uint64_t ts, int caller)
{
	struct tdxr_klog_frame fr;

	if (!(starts(p, e, "Call Trace:") || starts(p, e, "Call trace:") ||
	      (starts(p, e, "RIP: 0010:") && sym_off(p + 10, e, &fr, true)) ||
	      (starts(p, e, "CPU: ") && find(p, e, " PID: ") && find(p, e, " Comm: ")))) {
		/* a lone frame line starts one too, but only one with an offset
		 * and a reliability mark or module: plain "name+0x1/0x2" text is
		 * rare outside traces */
		if (!(parse_frame(p, e, &fr) && strstr(p, "+0x") &&
		      (starts(p, e, "? ") || memchr(p, '[', (size_t)(e - p))))) {
			return false;
		}
	}
	splat_reset(sp, line, ts, caller, TDXR_KLOG_OOPS);
	sp->header_cut = true;
	sp->nlines = 0;
	tdxr_klog_splat_feed(sp, p, e, line, caller);
	return true;
}

/* Appends " | "-separated "key=value" to the context string. */
static void ctx_add(char *buf, size_t cap, size_t *n, const char *key, const char *val)
{
	if (!val || !*val || *n + 8 >= cap) {
		return;
	}
	*n += (size_t)snprintf(buf + *n, cap - *n, "%s%s=%s", *n ? TDXR_KLOG_SEP : "", key, val);
	if (*n >= cap) {
		*n = cap - 1;
	}
}

static bool any_frame(const struct klog_splat *sp, const char *name)
{
	for (unsigned int i = 0; i < sp->nframes; i++) {
		if (strcmp(sp->frames[i].func, name) == 0) {
			return true;
		}
	}
	return false;
}

/* The site of a splat whose header was cut: RIP, else the first frame
 * after the reporting ones; the type from what reported it. */
static void headless_site(struct klog_splat *sp)
{
	unsigned int i = 0;

	if (any_frame(sp, "__warn") || any_frame(sp, "warn_slowpath_fmt")) {
		sp->type = TDXR_KLOG_WARN;
	} else if (any_frame(sp, "exc_page_fault") || any_frame(sp, "page_fault_oops")) {
		sp->type = TDXR_KLOG_PAGE_FAULT;
	} else if (any_frame(sp, "exc_general_protection")) {
		sp->type = TDXR_KLOG_GPF;
	} else if (any_frame(sp, "exc_invalid_op") || any_frame(sp, "handle_bug")) {
		sp->type = TDXR_KLOG_BUG;
	}
	if (sp->func[0]) {
		return;
	}
	/* After the last reporting frame; with none, the trace's top is not
	 * known to be the site (the cut may have taken it): none is named. */
	for (unsigned int j = 0; j < sp->nframes; j++) {
		if (reporting_frame(sp->frames[j].func)) {
			i = j + 1;
		}
	}
	/* The exception's RIP echoes there as an unreliable frame; a reliable
	 * one is a caller whose callee's frame was cut. */
	if (i > 0 && i < sp->nframes && !sp->frames[i].reliable) {
		site_from(sp, &sp->frames[i]);
	}
}

void tdxr_klog_splat_event(struct klog_splat *sp, struct tdxr_strtab *st, struct tdxr_event *ev)
{
	static const char *const types[] = {
#define X(id, s) s,
		TDXR_KLOG_SPLAT_TYPES(X)
#undef X
	};
	const char *funcs[KLOG_MAX_FRAMES + 1];
	unsigned int nf = 0, first = 0;
	char trace[4096], ctx[1024], regs[512];
	size_t tn = 0, cn = 0, rn = 0;

	/* The site: the header's, else RIP's, else the trace's. */
	if (!sp->func[0] && sp->rip_func[0] && !sp->header_cut) {
		snprintf(sp->func, sizeof(sp->func), "%s", sp->rip_func);
		snprintf(sp->offset, sizeof(sp->offset), "%s", sp->rip_offset);
		snprintf(sp->module, sizeof(sp->module), "%s", sp->rip_module);
	}
	if (sp->header_cut) {
		if (sp->rip_func[0]) {
			snprintf(sp->func, sizeof(sp->func), "%s", sp->rip_func);
			snprintf(sp->offset, sizeof(sp->offset), "%s", sp->rip_offset);
			snprintf(sp->module, sizeof(sp->module), "%s", sp->rip_module);
		}
		headless_site(sp);
	}
	tdxr_klog_event_init(ev, TDXR_EV_LOG_SPLAT, sp->ts);
	ev->line = sp->line;
	ev->tid = sp->pid;
	if (sp->comm[0]) {
		ev->comm = tdxr_strtab_intern(st, sp->comm, strlen(sp->comm));
	}
	EVF(ev, LOG_SPLAT, kind) = tdxr_strtab_intern(st, types[sp->type], strlen(types[sp->type]));
	EVF(ev, LOG_SPLAT, file) = tdxr_strtab_intern(st, sp->file, strlen(sp->file));
	EVF(ev, LOG_SPLAT, srcline) = (uint64_t)(int64_t)sp->srcline;
	EVF(ev, LOG_SPLAT, func) = tdxr_strtab_intern(st, sp->func, strlen(sp->func));
	EVF(ev, LOG_SPLAT, module) = tdxr_strtab_intern(st, sp->module, strlen(sp->module));
	EVF(ev, LOG_SPLAT, cpu) = (uint64_t)(int64_t)sp->cpu;
	EVF(ev, LOG_SPLAT, end_line) = sp->end_line;
	if (!sp->file[0]) {
		ev->fmask &= (uint16_t) ~(1u << TDXR_F_LOG_SPLAT_file);
	}
	if (sp->srcline < 0) {
		ev->fmask &= (uint16_t) ~(1u << TDXR_F_LOG_SPLAT_srcline);
	}
	if (!sp->module[0]) {
		ev->fmask &= (uint16_t) ~(1u << TDXR_F_LOG_SPLAT_module);
	}
	if (sp->cpu < 0) {
		ev->fmask &= (uint16_t) ~(1u << TDXR_F_LOG_SPLAT_cpu);
	}

	/* The operation: the site, then the frames outward; the reporting
	 * frames and the site's own unreliable echo say nothing. Reliable
	 * frames only, unless the trace has none. */
	bool any_reliable = false;

	for (unsigned int i = 0; i < sp->nframes; i++) {
		any_reliable |= sp->frames[i].reliable && !reporting_frame(sp->frames[i].func);
	}
	if (sp->func[0]) {
		funcs[nf++] = sp->func;
	}
	for (unsigned int i = 0; i < sp->nframes; i++) {
		if (reporting_frame(sp->frames[i].func)) {
			first = i + 1;
		}
	}
	for (unsigned int i = first; i < sp->nframes; i++) {
		if (any_reliable && !sp->frames[i].reliable) {
			continue;
		}
		funcs[nf++] = sp->frames[i].func;
	}
	const char *op = tdxr_klog_op_name(tdxr_klog_operation(funcs, nf));

	EVF(ev, LOG_SPLAT, operation) = tdxr_strtab_intern(st, op, strlen(op));

	/* The TDX status: the message's, else a register's. */
	ev->fmask &= (uint16_t) ~((1u << TDXR_F_LOG_SPLAT_status) | (1u << TDXR_F_LOG_SPLAT_from));
	if (sp->has_msg_status) {
		EVF(ev, LOG_SPLAT, status) = sp->msg_status;
		EVF(ev, LOG_SPLAT, from) = tdxr_strtab_intern(st, "message", 7);
		ev->fmask |=
			(uint16_t)((1u << TDXR_F_LOG_SPLAT_status) | (1u << TDXR_F_LOG_SPLAT_from));
	} else {
		for (unsigned int i = 0; i < sp->nregs; i++) {
			if (tdxr_klog_is_tdx_error(sp->regs[i].v)) {
				char lc[8];
				size_t k;

				for (k = 0; sp->regs[i].name[k] && k < sizeof(lc) - 1; k++) {
					lc[k] = (char)tolower((unsigned char)sp->regs[i].name[k]);
				}
				lc[k] = '\0';
				EVF(ev, LOG_SPLAT, status) = sp->regs[i].v;
				EVF(ev, LOG_SPLAT, from) = tdxr_strtab_intern(st, lc, k);
				ev->fmask |= (uint16_t)((1u << TDXR_F_LOG_SPLAT_status) |
							(1u << TDXR_F_LOG_SPLAT_from));
				break;
			}
		}
	}

	/* The variable parts. */
	trace[0] = '\0';
	for (unsigned int i = 0; i < sp->nframes && tn + 200 < sizeof(trace); i++) {
		const struct tdxr_klog_frame *f = &sp->frames[i];

		tn += (size_t)snprintf(trace + tn, sizeof(trace) - tn, "%s%s%s%s%s%s%s%s",
				       i ? TDXR_KLOG_SEP : "", f->reliable ? "" : "? ", f->func,
				       f->offset[0] ? "+" : "", f->offset, f->module[0] ? " [" : "",
				       f->module, f->module[0] ? "]" : "");
	}
	EVF(ev, LOG_SPLAT, trace) = tdxr_strtab_intern(st, trace, tn);
	regs[0] = '\0';
	for (unsigned int i = 0; i < sp->nregs && rn + 40 < sizeof(regs); i++) {
		char lc[8];
		size_t k;

		for (k = 0; sp->regs[i].name[k] && k < sizeof(lc) - 1; k++) {
			lc[k] = (char)tolower((unsigned char)sp->regs[i].name[k]);
		}
		lc[k] = '\0';
		rn += (size_t)snprintf(regs + rn, sizeof(regs) - rn, "%s%s:0x%llx", i ? "," : "",
				       lc, (unsigned long long)sp->regs[i].v);
	}
	ctx[0] = '\0';
	ctx_add(ctx, sizeof(ctx), &cn, "offset", sp->offset);
	ctx_add(ctx, sizeof(ctx), &cn, "tainted", sp->tainted);
	ctx_add(ctx, sizeof(ctx), &cn, "release", sp->release);
	ctx_add(ctx, sizeof(ctx), &cn, "hardware", sp->hardware);
	ctx_add(ctx, sizeof(ctx), &cn, "regs", regs);
	ctx_add(ctx, sizeof(ctx), &cn, "cond", sp->cond);
	if (sp->header_cut || !sp->trace_done || sp->frames_cut) {
		ctx_add(ctx, sizeof(ctx), &cn, "truncated",
			sp->header_cut	 ? "header"
			: sp->frames_cut ? "frames"
					 : "end");
	}
	EVF(ev, LOG_SPLAT, ctx) = tdxr_strtab_intern(st, ctx, cn);
	sp->open = false;
}
