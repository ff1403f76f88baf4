// SPDX-License-Identifier: GPL-2.0
/*
 * cli/report_log.c - a kernel log's account as the JSON "log" object of
 * docs/design.md §5.1 and as the text `explain` prints (docs/postmortem.md).
 */
#include <inttypes.h>
#include <string.h>

#include "report.h"
#include "tdxr/print.h"
#include "tdxr/tdx.h"

static const char *S(const struct tdxr_strtab *st, uint64_t id)
{
	return tdxr_strtab_get(st, (uint32_t)id);
}

static void json_str_or_null(FILE *f, const char *s)
{
	if (s && *s) {
		json_str(f, s);
	} else {
		fputs("null", f);
	}
}

/* "VKEY":"0x...","NKEY":name|null,"operand":operand|null */
static void json_status(FILE *f, uint64_t v, const char *vkey, const char *nkey)
{
	char name[64], op[32];
	bool known = tdxr_klog_status(v, name, sizeof(name), op, sizeof(op));

	fprintf(f, "\"%s\":\"0x%016" PRIx64 "\",\"%s\":", vkey, v, nkey);
	json_str_or_null(f, known ? name : NULL);
	fputs(",\"operand\":", f);
	json_str_or_null(f, known ? op : NULL);
}

static void json_failure(FILE *f, const struct tdxr_klog_failure *x, const struct tdxr_strtab *st)
{
	const struct tdxr_event *ev = &x->ev;
	uint64_t leaf = EVF(ev, LOG_SEAMCALL_FAILED, leaf);
	const char *fn = S(st, EVF(ev, LOG_SEAMCALL_FAILED, fn));

	fprintf(f, "{\"line\":%u,\"leaf\":", ev->line);
	json_str_or_null(f, fn);
	if (leaf == UINT64_MAX) {
		fputs(",\"leaf_id\":null,", f);
	} else {
		fprintf(f, ",\"leaf_id\":%" PRIu64 ",", leaf);
	}
	if (EVF_HAS(ev, LOG_SEAMCALL_FAILED, status)) {
		json_status(f, EVF(ev, LOG_SEAMCALL_FAILED, status), "status", "status_name");
	} else {
		fputs("\"status\":null,\"status_name\":null,\"operand\":null", f);
	}
	fprintf(f, ",\"count\":%" PRIu64 "}", x->count);
}

static void json_ctx(FILE *f, const char *key, const char *ctx, const char *name)
{
	char v[256];

	fprintf(f, ",\"%s\":", key);
	json_str_or_null(f, tdxr_klog_ctx_get(ctx, name, v, sizeof(v)) ? v : NULL);
}

static void json_splat(FILE *f, const struct tdxr_event *ev, const struct tdxr_strtab *st)
{
	const char *ctx = S(st, EVF(ev, LOG_SPLAT, ctx));
	const char *trace = S(st, EVF(ev, LOG_SPLAT, trace));
	struct tdxr_klog_frame fr;
	char regs[512];
	bool first = true;

	fprintf(f, "{\"line\":%u,\"end_line\":%d,\"type\":", ev->line,
		(int32_t)EVF(ev, LOG_SPLAT, end_line));
	json_str(f, S(st, EVF(ev, LOG_SPLAT, kind)));
	fputs(",\"file\":", f);
	json_str_or_null(f, EVF_HAS(ev, LOG_SPLAT, file) ? S(st, EVF(ev, LOG_SPLAT, file)) : NULL);
	if (EVF_HAS(ev, LOG_SPLAT, srcline)) {
		fprintf(f, ",\"src_line\":%d", (int32_t)EVF(ev, LOG_SPLAT, srcline));
	} else {
		fputs(",\"src_line\":null", f);
	}
	fputs(",\"function\":", f);
	json_str_or_null(f, S(st, EVF(ev, LOG_SPLAT, func)));
	json_ctx(f, "offset", ctx, "offset");
	fputs(",\"module\":", f);
	json_str_or_null(f,
			 EVF_HAS(ev, LOG_SPLAT, module) ? S(st, EVF(ev, LOG_SPLAT, module)) : NULL);
	if (EVF_HAS(ev, LOG_SPLAT, cpu)) {
		fprintf(f, ",\"cpu\":%d", (int32_t)EVF(ev, LOG_SPLAT, cpu));
	} else {
		fputs(",\"cpu\":null", f);
	}
	if (ev->tid >= 0) {
		fprintf(f, ",\"pid\":%d", ev->tid);
	} else {
		fputs(",\"pid\":null", f);
	}
	fputs(",\"comm\":", f);
	json_str_or_null(f, ev->comm ? S(st, ev->comm) : NULL);
	json_ctx(f, "tainted", ctx, "tainted");
	json_ctx(f, "kernel_release", ctx, "release");
	json_ctx(f, "hardware", ctx, "hardware");
	fputs(",\"registers\":{", f);
	if (tdxr_klog_ctx_get(ctx, "regs", regs, sizeof(regs))) {
		for (char *r = strtok(regs, ","); r; r = strtok(NULL, ",")) {
			char *c = strchr(r, ':');

			if (!c) {
				continue;
			}
			*c = '\0';
			fprintf(f, "%s\"%s\":\"%s\"", first ? "" : ",", r, c + 1);
			first = false;
		}
	}
	fputs("},\"trace\":[", f);
	first = true;
	for (const char *p = trace; tdxr_klog_next_frame(&p, &fr);) {
		fprintf(f, "%s{\"function\":", first ? "" : ",");
		json_str(f, fr.func);
		fputs(",\"module\":", f);
		json_str_or_null(f, fr.module);
		fprintf(f, ",\"reliable\":%s}", fr.reliable ? "true" : "false");
		first = false;
	}
	fputs("],\"operation\":", f);
	json_str(f, S(st, EVF(ev, LOG_SPLAT, operation)));
	fputs(",\"tdx_status\":", f);
	if (EVF_HAS(ev, LOG_SPLAT, status)) {
		fputc('{', f);
		json_status(f, EVF(ev, LOG_SPLAT, status), "value", "name");
		fputs(",\"from\":", f);
		json_str(f, S(st, EVF(ev, LOG_SPLAT, from)));
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	fputc('}', f);
}

void report_log_json(FILE *f, const struct tdxr_klog_acct *a, const struct tdxr_strtab *st)
{
	fputs("{\"kernel_release\":", f);
	json_str_or_null(f, a->release);
	fputs(",\"platform\":{", f);
	for (unsigned int i = 0; i < a->nfacts; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_str(f, S(st, EVF(&a->facts[i], LOG_PLATFORM, key)));
		fputc(':', f);
		json_str(f, S(st, EVF(&a->facts[i], LOG_PLATFORM, value)));
	}
	fprintf(f, "},\"suppressed\":%" PRIu64 ",\"truncated\":%s,\"seamcall_failures\":[",
		a->suppressed, a->truncated ? "true" : "false");
	for (unsigned int i = 0; i < a->nfails; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_failure(f, &a->fails[i], st);
	}
	fputs("],\"splats\":[", f);
	for (unsigned int i = 0; i < a->nsplats; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_splat(f, &a->splats[i], st);
	}
	fputs("]}", f);
}

/* ---- the text account ---------------------------------------------------- */

static void status_text(char *buf, size_t len, uint64_t v)
{
	char name[64], op[32];

	if (!tdxr_klog_status(v, name, sizeof(name), op, sizeof(op))) {
		snprintf(buf, len, "0x%016" PRIx64 " (class 0x%08" PRIx64 ", not in tdxr's table)",
			 v, v >> 32);
	} else if (*op) {
		snprintf(buf, len, "0x%016" PRIx64 " = %s on operand %s", v, name, op);
	} else {
		snprintf(buf, len, "0x%016" PRIx64 " = %s", v, name);
	}
}

static void text_failure(FILE *f, const struct tdxr_event *ev, const struct tdxr_strtab *st,
			 const char *lead)
{
	uint64_t leaf = EVF(ev, LOG_SEAMCALL_FAILED, leaf);
	const char *fn = S(st, EVF(ev, LOG_SEAMCALL_FAILED, fn));
	char stx[160];

	if (EVF_HAS(ev, LOG_SEAMCALL_FAILED, status)) {
		status_text(stx, sizeof(stx), EVF(ev, LOG_SEAMCALL_FAILED, status));
	} else {
		snprintf(stx, sizeof(stx), "status not in the log (the line was cut)");
	}
	if (leaf != UINT64_MAX && tdxr_klog_is_sys_leaf(leaf)) {
		fprintf(f,
			"%sline %u: the TDX module failed to initialize: SEAMCALL %s (leaf %" PRIu64
			") returned %s.\n"
			"    This is the host bringing the TDX module up (a BIOS, microcode or "
			"module "
			"problem),\n    not a KVM_BUG_ON: no VM was involved, and no TD can run on "
			"this "
			"boot.\n",
			lead, ev->line, *fn ? fn : "?", leaf, stx);
		return;
	}
	fprintf(f, "%sline %u: SEAMCALL %s", lead, ev->line, *fn ? fn : "(unnamed)");
	if (leaf != UINT64_MAX) {
		fprintf(f, " (leaf %" PRIu64 ")", leaf);
	}
	fprintf(f, " failed: %s", stx);
	if (EVF_HAS(ev, LOG_SEAMCALL_FAILED, a1)) {
		fprintf(f, "; outputs 0x%" PRIx64, EVF(ev, LOG_SEAMCALL_FAILED, a1));
		if (EVF_HAS(ev, LOG_SEAMCALL_FAILED, a2)) {
			fprintf(f, ", 0x%" PRIx64, EVF(ev, LOG_SEAMCALL_FAILED, a2));
		}
	}
	fputs("\n", f);
}

static void text_splat(FILE *f, const struct tdxr_event *ev, const struct tdxr_strtab *st,
		       const char *lead, bool detail)
{
	const char *ctx = S(st, EVF(ev, LOG_SPLAT, ctx));
	const char *trace = S(st, EVF(ev, LOG_SPLAT, trace));
	const char *func = S(st, EVF(ev, LOG_SPLAT, func));
	struct tdxr_klog_frame fr;
	char v[256];
	unsigned int n = 0;

	fprintf(f, "%sline %u: %s splat", lead, ev->line, S(st, EVF(ev, LOG_SPLAT, kind)));
	if (EVF_HAS(ev, LOG_SPLAT, file)) {
		fprintf(f, " at %s:%d", S(st, EVF(ev, LOG_SPLAT, file)),
			(int32_t)EVF(ev, LOG_SPLAT, srcline));
	}
	fprintf(f, " in %s", *func ? func : "(unknown function)");
	if (EVF_HAS(ev, LOG_SPLAT, module)) {
		fprintf(f, " [%s]", S(st, EVF(ev, LOG_SPLAT, module)));
	}
	if (EVF_HAS(ev, LOG_SPLAT, cpu)) {
		fprintf(f, ", CPU %d", (int32_t)EVF(ev, LOG_SPLAT, cpu));
	}
	if (ev->comm) {
		fprintf(f, ", %s/%d", S(st, ev->comm), ev->tid);
	}
	if (tdxr_klog_ctx_get(ctx, "tainted", v, sizeof(v))) {
		fprintf(f, ", tainted %s", v);
	}
	fputs("\n", f);
	if (!detail) {
		return;
	}
	if (tdxr_klog_ctx_get(ctx, "cond", v, sizeof(v))) {
		fprintf(f, "    condition: %s\n", v);
	}
	fprintf(f, "    what KVM was doing: %s", S(st, EVF(ev, LOG_SPLAT, operation)));
	for (const char *p = trace; tdxr_klog_next_frame(&p, &fr);) {
		if (!fr.reliable || !tdxr_klog_fn_lookup(fr.func, strlen(fr.func))) {
			continue;
		}
		fprintf(f, "%s%s", n++ ? " < " : " (call trace: ", fr.func);
		if (n == 5) {
			break;
		}
	}
	fputs(n ? ")\n" : "\n", f);
	if (EVF_HAS(ev, LOG_SPLAT, status)) {
		char stx[160];

		status_text(stx, sizeof(stx), EVF(ev, LOG_SPLAT, status));
		fprintf(f, "    TDX status: %s (from %s)\n", stx,
			strcmp(S(st, EVF(ev, LOG_SPLAT, from)), "message") == 0
				? "KVM's SEAMCALL message"
				: S(st, EVF(ev, LOG_SPLAT, from)));
	}
}

static void capture_advice(FILE *f, const struct tdxr_klog_acct *a, const struct tdxr_event *c,
			   const struct tdxr_strtab *st)
{
	const char *comm = c && c->comm ? S(st, c->comm) : "";

	for (unsigned int i = 0; i < a->nsplats && !*comm; i++) {
		comm = a->splats[i].comm ? S(st, a->splats[i].comm) : "";
	}

	fputs("  to decide it, capture a trace of the same workload (docs/postmortem.md):\n", f);
	fprintf(f, "    sudo tdxr record -o tdxr-capture --kernel --vmm -- %s%s\n",
		*comm ? comm : "<the VMM command line>",
		*comm ? " <its arguments, as run when this log was written>" : "");
	fputs("    then: tdxr explain tdxr-capture\n", f);
}

void report_log_text(FILE *f, const struct tdxr_klog_acct *a, const struct tdxr_strtab *st,
		     const char *input)
{
	const struct tdxr_event *c = tdxr_klog_first_cause(a);
	unsigned int ncons = 0;

	fprintf(f, "kernel log %s:", input);
	if (a->release[0]) {
		fprintf(f, " kernel %s", a->release);
	}
	for (unsigned int i = 0; i < a->nfacts; i++) {
		fprintf(f, "%s %s %s", i || a->release[0] ? ";" : "",
			S(st, EVF(&a->facts[i], LOG_PLATFORM, key)),
			S(st, EVF(&a->facts[i], LOG_PLATFORM, value)));
	}
	fputs("\n", f);
	if (!c) {
		fputs("  no TDX error and no splat in this log: nothing KVM/TDX went wrong in it\n",
		      f);
		return;
	}
	fputs("  first cause:\n", f);
	if (c->type == TDXR_EV_LOG_SEAMCALL_FAILED) {
		text_failure(f, c, st, "    ");
	} else if (c->type == TDXR_EV_LOG_SPLAT) {
		text_splat(f, c, st, "    ", true);
	} else {
		char name[96], fields[256];

		tdxr_event_fields(c, st, fields, sizeof(fields));
		fprintf(f, "    line %u: %s %s\n", c->line,
			tdxr_event_fullname(c, st, name, sizeof(name)), fields);
	}
	/* consequences: everything later, in log order */
	for (unsigned int i = 0; i < a->nsplats; i++) {
		const struct tdxr_event *s = &a->splats[i];

		if (s == c) {
			continue;
		}
		if (!ncons++) {
			fputs("  then (consequences of it, in log order):\n", f);
		}
		text_splat(f, s, st, "    ", false);
	}
	for (unsigned int i = 0; i < a->nfails; i++) {
		const struct tdxr_event *x = &a->fails[i].ev;

		if (x == c) {
			continue;
		}
		if (!ncons++) {
			fputs("  then (consequences of it, in log order):\n", f);
		}
		text_failure(f, x, st, "    ");
		if (a->fails[i].count > 1) {
			fprintf(f, "      (%" PRIu64 " times)\n", a->fails[i].count);
		}
	}
	if (c->type == TDXR_EV_LOG_SEAMCALL_FAILED &&
	    EVF(c, LOG_SEAMCALL_FAILED, leaf) != UINT64_MAX &&
	    tdxr_klog_is_sys_leaf(EVF(c, LOG_SEAMCALL_FAILED, leaf))) {
		fputs("  what would decide it: not a trace of KVM (no VM ran); the BIOS TDX "
		      "settings,\n"
		      "  the TDX module and microcode versions, and the module's status class "
		      "above\n",
		      f);
		return;
	}
	fputs("  what the log cannot tell:\n", f);
	if (c->type == TDXR_EV_LOG_SPLAT && !EVF_HAS(c, LOG_SPLAT, status)) {
		fputs("    - the TDX status: no SEAMCALL message goes with the splat and no "
		      "register "
		      "holds a TDX error\n",
		      f);
	}
	if (c->type == TDXR_EV_LOG_SEAMCALL_FAILED && !EVF_HAS(c, LOG_SEAMCALL_FAILED, status)) {
		fputs("    - the status: the message was cut before it\n", f);
	}
	if (a->suppressed) {
		fprintf(f,
			"    - %" PRIu64 " messages the kernel's ratelimit suppressed (\"callbacks "
			"suppressed\"): failures may be missing between the lines\n",
			a->suppressed);
	}
	if (a->truncated) {
		fputs("    - lines that were cut: a splat's header, end or frames, or a message's "
		      "status\n",
		      f);
	}
	if (a->dropped_splats || a->dropped_fails) {
		fprintf(f,
			"    - %" PRIu64 " more splats and %" PRIu64
			" more failures were counted, not kept\n",
			a->dropped_splats, a->dropped_fails);
	}
	fputs("    - which gfn, S-EPT entry state, TLB epoch and vCPU were involved, and what "
	      "KVM did just before: a log has no trace of them\n",
	      f);
	capture_advice(f, a, c, st);
}
