// SPDX-License-Identifier: GPL-2.0
/*
 * cli/report.c - findings as text, JSON and JUnit (docs/design.md §5).
 */
#include <inttypes.h>
#include <string.h>

#include "report.h"
#include "tdxr/explain.h"
#include "tdxr/print.h"

void json_str(FILE *f, const char *s)
{
	tdxr_json_str(f, s);
}

void report_markup_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t') {
				fputc(*s, f);
			}
		}
	}
}

void report_coverage(char *buf, size_t len, const struct rpl_result *res)
{
	struct mdl_coverage c;
	char yes[256] = "", no[512] = "";

#define ADD(dst, s)                                                        \
	do {                                                               \
		if (*(dst)) {                                              \
			strncat(dst, ", ", sizeof(dst) - strlen(dst) - 1); \
		}                                                          \
		strncat(dst, s, sizeof(dst) - strlen(dst) - 1);            \
	} while (0)

	mdl_coverage(res->model, &c);
	if (c.spte_checks) {
		ADD(yes, "spte");
	}
	if (c.sept_state) {
		ADD(yes, "sept-state");
	}
	if (c.tlb_tracking) {
		ADD(yes, "tlb-tracking");
	}
	if (c.mmio_flow) {
		ADD(yes, "mmio-flow");
	}
	if (c.mirror_tree_patched) {
		ADD(yes, "mirror-tree");
	}
	if (!c.seamcalls_seen) {
		ADD(no,
		    c.tdx_vm
			    ? "S-EPT state, TLB tracking, SEAMCALL status (no tdx_seamcall events: "
			      "kernel without kernel-patch/?)"
			    : "any S-EPT check (no TDX events: a stock kernel, or not a TD)");
	} else {
		if (!c.sept_state) {
			ADD(no, "sept-state (no S-EPT SEAMCALLs)");
		}
		if (!c.tlb_tracking) {
			ADD(no, "tlb-tracking (no BLOCK/TRACK/REMOVE)");
		}
	}
	if (c.mirror_tree_inferred && !c.mirror_tree_patched) {
		ADD(no, "mirror tree (unpatched kernel, inferred)");
	} else if (!c.spte_checks) {
		ADD(no, "spte (no kvm_tdp_mmu_spte_changed events)");
	}
	if (c.lost_markers) {
		ADD(no, "full history (events were lost)");
	}
	snprintf(buf, len, "checks: %s%s%s", *yes ? yes : "none", *no ? "; not possible: " : "",
		 no);
#undef ADD
}

void report_text(FILE *f, const struct rpl_result *res)
{
	report_text_from(f, res, 0);
}

void report_text_from(FILE *f, const struct rpl_result *res, size_t first)
{
	char line[512], cov[1024];
	unsigned int nvm = mdl_nr_vms(res->model);

	for (size_t i = first; i < res->nr_findings; i++) {
		rpl_finding_line(line, sizeof(line), &res->findings[i], res->nr_inputs);
		fprintf(f, "%s\n", line);
	}
	if (res->dropped_findings) {
		fprintf(f, "(%" PRIu64 " more findings not kept)\n", res->dropped_findings);
	}
	report_coverage(cov, sizeof(cov), res);
	fprintf(f, "%s\n", cov);
	fprintf(f, "kernel profile: %s\n", mdl_profile_name(res->model));
	if (nvm > 1) {
		for (unsigned int i = 0; i < nvm; i++) {
			struct mdl_vm_info vi;

			if (mdl_vm_info(res->model, i, &vi) < 0) {
				continue;
			}
			fprintf(f,
				"vm %d (%s): %" PRIu64 " events, %" PRIu64 " errors, %" PRIu64
				" warnings\n",
				vi.vm, vi.is_tdx ? "TD" : "non-TD", vi.events, vi.errors,
				vi.warnings);
		}
	}
	fprintf(f, "%" PRIu64 " events, %" PRIu64 " errors, %" PRIu64 " warnings\n", res->events,
		res->errors, res->warnings);
}

static void json_finding(FILE *f, const struct mdl_finding *fd)
{
	char ts[32];

	fprintf(f, "{\"seq\":%" PRIu64 ",\"input\":%u,\"line\":", fd->seq, fd->input);
	if (fd->line) {
		fprintf(f, "%u", fd->line);
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"ts\":\"%s\",\"kind\":\"%s\",\"severity\":\"%s\",\"vm\":",
		tdxr_ts_str(fd->ts, ts, sizeof(ts)), mdl_finding_kind_name(fd->kind),
		mdl_severity_name(fd->severity));
	if (fd->vm >= 0) {
		fprintf(f, "%d", fd->vm);
	} else {
		fputs("null", f);
	}
	if (fd->has_gfn) {
		fprintf(f, ",\"gfn\":\"0x%" PRIx64 "\"", fd->gfn);
	} else {
		fputs(",\"gfn\":null", f);
	}
	fprintf(f, ",\"vcpu\":");
	if (fd->vcpu >= 0) {
		fprintf(f, "%d", fd->vcpu);
	} else {
		fputs("null", f);
	}
	fputs(",\"expected\":", f);
	json_str(f, fd->expected);
	fputs(",\"actual\":", f);
	json_str(f, fd->actual);
	fputs(",\"message\":", f);
	json_str(f, fd->message);
	fprintf(f, ",\"cause_seq\":%" PRIu64 ",\"chain\":[", fd->cause_seq);
	for (uint32_t i = 0; i < fd->nr_chain && i < MDL_CHAIN_MAX; i++) {
		fprintf(f, "%s%" PRIu64, i ? "," : "", fd->chain[i]);
	}
	fputs("]}", f);
}

void report_json(FILE *f, const struct rpl_result *res)
{
	struct mdl_coverage c;
	char cov[1024];
	unsigned int nvm = mdl_nr_vms(res->model);

	mdl_coverage(res->model, &c);
	report_coverage(cov, sizeof(cov), res);
	fputs("{\"schema\":1,\"inputs\":[", f);
	for (unsigned int i = 0; i < res->nr_inputs; i++) {
		if (i) {
			fputc(',', f);
		}
		json_str(f, res->inputs[i]);
	}
	fprintf(f,
		"],\"kernel_profile\":\"%s\",\"events\":%" PRIu64 ",\"errors\":%" PRIu64
		",\"warnings\":%" PRIu64,
		mdl_profile_name(res->model), res->events, res->errors, res->warnings);
	fprintf(f,
		",\"coverage\":{\"spte\":%s,\"sept_state\":%s,\"tlb_tracking\":%s,\"mmio_flow\":%s,"
		"\"mirror_tree\":\"%s\",\"seamcalls\":%" PRIu64 ",\"spte_changes\":%" PRIu64
		",\"lost_markers\":%" PRIu64 ",\"tdx\":%s,\"summary\":",
		c.spte_checks ? "true" : "false", c.sept_state ? "true" : "false",
		c.tlb_tracking ? "true" : "false", c.mmio_flow ? "true" : "false",
		c.mirror_tree_patched	 ? "patched"
		: c.mirror_tree_inferred ? "inferred"
					 : "none",
		c.seamcalls, c.spte_changes, c.lost_markers, c.tdx_vm ? "true" : "false");
	json_str(f, cov);
	fputs("},\"vms\":[", f);
	for (unsigned int i = 0; i < nvm; i++) {
		struct mdl_vm_info vi;

		if (mdl_vm_info(res->model, i, &vi) < 0) {
			continue;
		}
		fprintf(f,
			"%s{\"vm\":%d,\"tdx\":%s,\"events\":%" PRIu64 ",\"errors\":%" PRIu64
			",\"warnings\":%" PRIu64 "}",
			i ? "," : "", vi.vm, vi.is_tdx ? "true" : "false", vi.events, vi.errors,
			vi.warnings);
	}
	fputs("],\"findings\":[", f);
	for (size_t i = 0; i < res->nr_findings; i++) {
		if (i) {
			fputc(',', f);
		}
		json_finding(f, &res->findings[i]);
	}
	fputs("]", f);
	if (res->klog && res->klog->records) {
		fputs(",\"log\":", f);
		report_log_json(f, res->klog, res->st);
	}
	fputs("}\n", f);
}

int report_fail_on_parse(const char *s, struct report_fail_on *out)
{
	out->sev = MDL_SEV_ERROR;
	out->kinds = 0;
	if (strcmp(s, "error") == 0) {
		return 0;
	}
	if (strcmp(s, "warning") == 0) {
		out->sev = MDL_SEV_WARNING;
		return 0;
	}
	while (*s) {
		size_t len = strcspn(s, ",");
		char name[40];
		int k;

		if (len == 0 || len >= sizeof(name)) {
			return -1;
		}
		memcpy(name, s, len);
		name[len] = '\0';
		k = mdl_finding_kind_lookup(name);
		if (k < 0 || k >= 32) {
			return -1;
		}
		out->kinds |= 1u << k;
		s += len + (s[len] == ',');
	}
	return out->kinds ? 0 : -1;
}

bool report_fails(const struct report_fail_on *fo, const struct mdl_finding *f)
{
	if (fo->kinds) {
		return f->kind < 32 && (fo->kinds & (1u << f->kind));
	}
	return f->severity >= fo->sev;
}

uint64_t report_count_failing(const struct rpl_result *res, const struct report_fail_on *fo)
{
	uint64_t n = 0;

	if (!fo->kinds) {
		return rpl_count_at_least(res, fo->sev);
	}
	for (size_t i = 0; i < res->nr_findings; i++) {
		n += report_fails(fo, &res->findings[i]);
	}
	return n;
}

int report_junit(const char *path, const struct rpl_result *res, const struct report_fail_on *fo)
{
	FILE *f = fopen(path, "w");
	uint64_t total_fail = 0;

	if (!f) {
		fprintf(stderr, "tdxr replay: --junit %s: cannot write: %m\n", path);
		return -1;
	}
	for (size_t i = 0; i < res->nr_findings; i++) {
		total_fail += report_fails(fo, &res->findings[i]);
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"tdxr replay\" tests=\"%u\" failures=\"%" PRIu64 "\">\n",
		res->nr_inputs, total_fail ? (uint64_t)1 : 0);
	fprintf(f, "  <testsuite name=\"tdxr replay\" tests=\"%u\">\n", res->nr_inputs);
	for (unsigned int in = 0; in < res->nr_inputs; in++) {
		uint64_t nfail = 0;
		char line[512];

		for (size_t i = 0; i < res->nr_findings; i++) {
			nfail +=
				res->findings[i].input == in && report_fails(fo, &res->findings[i]);
		}
		fputs("    <testcase classname=\"tdxr.replay\" name=\"", f);
		report_markup_str(f, res->inputs[in]);
		fputs("\">\n", f);
		if (nfail) {
			fprintf(f,
				"      <failure message=\"%" PRIu64 " finding(s)\" type=\"tdxr\">",
				nfail);
			for (size_t i = 0; i < res->nr_findings; i++) {
				const struct mdl_finding *fd = &res->findings[i];

				if (fd->input != in || !report_fails(fo, fd)) {
					continue;
				}
				rpl_finding_line(line, sizeof(line), fd, res->nr_inputs);
				report_markup_str(f, line);
				fputc('\n', f);
			}
			fputs("</failure>\n", f);
		}
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fclose(f) != 0) {
		fprintf(stderr, "tdxr replay: --junit %s: write error\n", path);
		return -1;
	}
	return 0;
}
