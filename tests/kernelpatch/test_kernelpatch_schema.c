// SPDX-License-Identifier: GPL-2.0
/*
 * tests/kernelpatch/test_kernelpatch_schema.c - the kernel-patch/ series and
 * schema/events.def cannot drift apart silently.
 *
 * Reads only the repository's patch files (no Linux tree, no network):
 *  1. the series is well formed (numbered, hunks complete, no sign-off:
 *     the sender adds theirs);
 *  2. every new kernel event of docs/design.md §2.1 is defined by it, and every
 *     event it defines matches the schema: system, TP_printk format byte
 *     for byte, and argument by argument the schema field, the C type and
 *     the conversion;
 *  3. kvm_tdp_mmu_spte_changed is the upstream event with " mirror %d vm %d"
 *     appended;
 *  4. lines printed by the patch's formats for sample values (each
 *     conversion through printf, symbols as __print_symbolic does) decode
 *     with tdxr_decode_payload() back to those values, and so does a line
 *     of the unpatched upstream kvm_tdp_mmu_spte_changed;
 *  5. the LTTng probe (lttng-modules/tdxr.h) has the schema's fields and
 *     the patch's name tables;
 *  6. the checks themselves fail on a mutated patch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kp_lttng.h"
#include "kp_parse.h"
#include "tdxr/event.h"
#include "tdxr/src.h"
#include "tdxr/strtab.h"

#ifndef KP_PATCH_DIR
#define KP_PATCH_DIR TDXR_SOURCE_DIR "/kernel-patch"
#endif

/* The new kernel events of docs/design.md §2.1: the series must define them. */
static const unsigned int kp_new_events[] = {
	TDXR_EV_TDX_SEAMCALL,	       TDXR_EV_KVM_TDX_SEPT,  TDXR_EV_KVM_TDX_TDVMCALL,
	TDXR_EV_KVM_TDX_TDVMCALL_DONE, TDXR_EV_KVM_VM_BUGGED, TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED,
};

#define KP_NR_NEW (sizeof(kp_new_events) / sizeof(kp_new_events[0]))

static struct kp_series *series; /* owned: the real series, loaded once */
static struct tdxr_strtab *st;	 /* owned */

static int setup(void **state)
{
	char err[512] = "";
	int n;

	(void)state;
	series = kp_series_new();
	st = tdxr_strtab_new();
	if (!series || !st) {
		return -1;
	}
	n = kp_series_load(series, KP_PATCH_DIR, err, sizeof(err));
	if (n <= 0) {
		fprintf(stderr, "cannot read the series in %s: %s\n", KP_PATCH_DIR,
			n < 0 ? err : "no NNNN-*.patch files");
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kp_series_free(series);
	tdxr_strtab_free(st);
	return 0;
}

static unsigned int schema_type(const struct kp_event *pe)
{
	return tdxr_event_lookup(pe->system, pe->name, strlen(pe->name));
}

/* ---- 1. the series ------------------------------------------------------ */

static void test_patches_are_numbered_complete_and_not_signed_off(void **state)
{
	unsigned int ndiff = 0;

	(void)state;
	for (unsigned int i = 0; i < series->npatches; i++) {
		ndiff += series->patches[i].nfiles > 0;
	}
	assert_true(ndiff > 0);
	for (unsigned int i = 0; i < series->npatches; i++) {
		const struct kp_patch *p = &series->patches[i];

		if (p->nfiles == 0) {
			/* A cover letter: [PATCH 0/n], no diff. */
			assert_int_equal(p->number, 0);
			continue;
		}
		/* No Signed-off-by: whoever posts the series adds theirs. */
		if (p->signed_off || p->malformed || p->nhunks == 0 || p->total != ndiff) {
			fail_msg("%s: signed_off %d malformed %d hunks %u, [PATCH %u/%u] of %u",
				 p->file, p->signed_off, p->malformed, p->nhunks, p->number,
				 p->total, ndiff);
		}
		assert_int_equal(p->number, i + (series->patches[0].nfiles == 0 ? 0 : 1));
	}
}

/* ---- 2. events against the schema ------------------------------------- */

static void test_every_new_kernel_event_is_defined_by_the_series(void **state)
{
	(void)state;
	for (size_t i = 0; i < KP_NR_NEW; i++) {
		const struct tdxr_event_desc *d = tdxr_event_desc(kp_new_events[i]);
		const struct kp_event *pe = kp_series_event(series, d->name, false);

		if (!pe) {
			fail_msg("%s:%s is not defined (completely, in one hunk) by any patch",
				 d->system, d->name);
		}
		assert_int_equal(schema_type(pe), kp_new_events[i]);
	}
}

static void check_series_events(const struct kp_series *s)
{
	assert_true(s->nevents >= KP_NR_NEW);
	for (unsigned int i = 0; i < s->nevents; i++) {
		const struct kp_event *pe = &s->events[i];
		unsigned int type = schema_type(pe);
		char msg[4096] = "";

		if (type == TDXR_EV_UNMODELLED) {
			fail_msg("%s (%s, %s) is defined by the series but missing from "
				 "schema/events.def",
				 pe->name, pe->system, pe->file);
		}
		if (kp_check_event(s, pe, type, msg, sizeof(msg)) != 0) {
			fail_msg("%s (%s):\n%s", pe->name, s->patches[pe->patch].file, msg);
		}
	}
}

static void test_patch_events_match_the_schema_format_fields_and_types(void **state)
{
	(void)state;
	check_series_events(series);
}

/* The port to Linux 7.1 (kernel-patch/v7.1/) defines the same events. */
static void test_the_7_1_series_events_match_the_schema_too(void **state)
{
	struct kp_series *s = kp_series_new();
	char err[256] = "";

	(void)state;
	assert_non_null(s);
	if (kp_series_load(s, KP_PATCH_DIR "/v7.1", err, sizeof(err)) <= 0) {
		fail_msg("%s/v7.1: %s", KP_PATCH_DIR, err[0] ? err : "no patches");
	}
	for (size_t i = 0; i < KP_NR_NEW; i++) {
		const struct tdxr_event_desc *d = tdxr_event_desc(kp_new_events[i]);

		if (!kp_series_event(s, d->name, false)) {
			fail_msg("v7.1: %s is not defined", d->name);
		}
	}
	check_series_events(s);
	kp_series_free(s);
}

static void test_sept_ops_are_the_four_design_names(void **state)
{
	static const char *const want[] = {"link_spt", "set_spte", "remove_spte", "free_spt"};
	const struct kp_event *pe = kp_series_event(series, "kvm_tdx_sept", false);
	int op = tdxr_event_field(TDXR_EV_KVM_TDX_SEPT, "op");

	(void)state;
	assert_non_null(pe);
	assert_true(op >= 0 && (unsigned int)op < pe->nargs);
	assert_int_equal(pe->args[op].kind, KP_ARG_SYMBOLIC);
	assert_int_equal(pe->args[op].nsyms, 4);
	for (unsigned int k = 0; k < 4; k++) {
		bool found = false;

		for (unsigned int j = 0; j < pe->args[op].nsyms; j++) {
			found |= strcmp(pe->args[op].syms[j].name, want[k]) == 0;
		}
		if (!found) {
			fail_msg("kvm_tdx_sept: op \"%s\" missing from the symbol table", want[k]);
		}
	}
}

/* ---- 3. kvm_tdp_mmu_spte_changed extends the upstream event ------------ */

static void test_spte_changed_appends_mirror_and_vm_to_the_upstream_event(void **state)
{
	const struct kp_event *now = kp_series_event(series, "kvm_tdp_mmu_spte_changed", false);
	const struct kp_event *up = kp_series_event(series, "kvm_tdp_mmu_spte_changed", true);
	char want[KP_FMT_LEN + 32];

	(void)state;
	assert_non_null(now);
	if (!up) {
		fail_msg("the upstream kvm_tdp_mmu_spte_changed is not in the removed lines of a "
			 "hunk");
	}
	snprintf(want, sizeof(want), "%s mirror %%d vm %%d", up->fmt);
	assert_string_equal(now->fmt, want);
	assert_int_equal(now->nargs, up->nargs + 2);
	for (unsigned int i = 0; i < up->nargs; i++) {
		assert_string_equal(now->args[i].text, up->args[i].text);
	}
	for (unsigned int i = 0; i < up->nfields; i++) {
		int j = kp_field_index(now, up->fields[i].name);

		assert_true(j >= 0);
		assert_string_equal(now->fields[j].type, up->fields[i].type);
	}
	assert_string_equal(now->args[up->nargs].field, "mirror");
	assert_string_equal(now->args[up->nargs + 1].field, "vm");
}

/* ---- 4. printed lines decode ------------------------------------------- */

/* Renders @pe for @smp, decodes the line and compares every field. */
static void render_and_decode(const struct kp_event *pe, const struct kp_sample *smp)
{
	unsigned int type = schema_type(pe);
	const struct tdxr_event_desc *d = tdxr_event_desc(type);
	struct tdxr_event ev;
	const char *why = NULL;
	char line[1024];
	char err[256] = "";
	int len;

	len = kp_render(series, pe, smp, line, sizeof(line), err, sizeof(err));
	if (len < 0) {
		fail_msg("%s: cannot render: %s", pe->name, err);
	}
	memset(&ev, 0, sizeof(ev));
	if (tdxr_decode_payload(type, line, (size_t)len, &ev, st, &why) != 0) {
		fail_msg("%s: the reader rejects \"%s\": %s", pe->name, line, why ? why : "?");
	}
	for (unsigned int i = 0; i < pe->nargs; i++) {
		const struct tdxr_field_desc *fd = &d->fields[i];

		if (!((ev.fmask >> i) & 1)) {
			fail_msg("%s: field %s missing after decoding \"%s\"", pe->name, fd->name,
				 line);
		}
		if (fd->type == TDXR_FT_STR) {
			char buf[64];
			const char *want = kp_render_string(series, pe, i, smp, buf, sizeof(buf));
			const char *got = tdxr_strtab_get(st, (uint32_t)ev.f[i]);

			assert_non_null(want);
			if (strcmp(want, got) != 0) {
				fail_msg("%s: %s decoded as \"%s\", printed \"%s\" in \"%s\"",
					 pe->name, fd->name, got, want, line);
			}
		} else {
			int fi = kp_field_index(pe, pe->args[i].field);
			uint64_t want;
			uint64_t got = ev.f[i];

			assert_true(fi >= 0);
			want = kp_field_value(&pe->fields[fi], smp->val[fi]);
			if (fd->type == TDXR_FT_S32) {
				want = (uint64_t)(int64_t)(int32_t)want;
			} else if (fd->type == TDXR_FT_U32) {
				want = (uint32_t)want;
				got = (uint32_t)got;
			}
			if (want != got) {
				fail_msg("%s: %s decoded as 0x%llx, printed 0x%llx in \"%s\"",
					 pe->name, fd->name, (unsigned long long)got,
					 (unsigned long long)want, line);
			}
		}
	}
}

static void test_lines_printed_by_the_patch_decode_to_the_printed_values(void **state)
{
	unsigned int lines = 0;

	(void)state;
	for (unsigned int i = 0; i < series->nevents; i++) {
		const struct kp_event *pe = &series->events[i];
		struct kp_sample smp;

		if (schema_type(pe) == TDXR_EV_UNMODELLED) {
			continue;
		}
		for (int v = KP_TYPICAL; v <= KP_MAX; v++) {
			kp_sample_fill(pe, (enum kp_variant)v, &smp);
			for (unsigned int a = 0; a < pe->nargs; a++) {
				if (pe->args[a].kind == KP_ARG_SYMBOLIC) {
					assert_int_equal(
						kp_sample_symbol(series, pe, &pe->args[a], 0, &smp),
						0);
				}
			}
			render_and_decode(pe, &smp);
			lines++;
		}
		/* Every name of every symbol table, and a value none names. */
		for (unsigned int a = 0; a < pe->nargs; a++) {
			const struct kp_arg *arg = &pe->args[a];

			if (arg->kind != KP_ARG_SYMBOLIC) {
				continue;
			}
			for (unsigned int k = 0; k <= arg->nsyms; k++) {
				kp_sample_fill(pe, KP_TYPICAL, &smp);
				assert_int_equal(kp_sample_symbol(series, pe, arg, k, &smp), 0);
				render_and_decode(pe, &smp);
				lines++;
			}
			if (arg->cond[0]) {
				kp_sample_fill(pe, KP_TYPICAL, &smp);
				smp.val[kp_field_index(pe, arg->cond)] = 1;
				render_and_decode(pe, &smp);
				lines++;
			}
		}
	}
	assert_true(lines > 3 * KP_NR_NEW);
}

static void test_seamcall_prints_the_leaf_name_and_the_whole_rax(void **state)
{
	const struct kp_event *pe = kp_series_event(series, "tdx_seamcall", false);
	struct kp_sample smp;
	char line[1024];
	char err[256];
	int leaf;

	(void)state;
	assert_non_null(pe);
	leaf = kp_field_index(pe, "leaf");
	assert_true(leaf >= 0);
	kp_sample_fill(pe, KP_ZERO, &smp);
	/* TDH.VP.INIT version 1: docs/design.md's example. */
	smp.val[leaf] = 22 | (1ull << 16);
	assert_true(kp_render(series, pe, &smp, line, sizeof(line), err, sizeof(err)) > 0);
	assert_string_equal(line,
			    "leaf TDH_VP_INIT (65558) rcx 0x0 rdx 0x0 r8 0x0 r9 0x0 status "
			    "0x0000000000000000 out_rcx 0x0 out_rdx 0x0 out_r8 0x0 out_r9 0x0");
}

static void test_tdvmcall_names_a_kvm_hypercall_when_r10_is_not_zero(void **state)
{
	const struct kp_event *pe = kp_series_event(series, "kvm_tdx_tdvmcall", false);
	struct kp_sample smp;
	char line[1024];
	char err[256];

	(void)state;
	assert_non_null(pe);
	kp_sample_fill(pe, KP_ZERO, &smp);
	smp.val[kp_field_index(pe, "r10")] = 12;
	smp.val[kp_field_index(pe, "r11")] = 0x10001;
	assert_true(kp_render(series, pe, &smp, line, sizeof(line), err, sizeof(err)) > 0);
	assert_non_null(strstr(line, "r10 0xc r11 0x10001 (KVM_HYPERCALL) "));
	smp.val[kp_field_index(pe, "r10")] = 0;
	assert_true(kp_render(series, pe, &smp, line, sizeof(line), err, sizeof(err)) > 0);
	assert_non_null(strstr(line, "r10 0x0 r11 0x10001 (MapGPA) "));
}

static void test_unpatched_spte_changed_line_decodes_without_mirror_and_vm(void **state)
{
	const struct kp_event *up = kp_series_event(series, "kvm_tdp_mmu_spte_changed", true);
	const struct tdxr_event_desc *d = tdxr_event_desc(TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED);
	struct tdxr_event ev;
	struct kp_sample smp;
	const char *why = NULL;
	char line[1024];
	char err[256];
	int len;

	(void)state;
	assert_non_null(up);
	kp_sample_fill(up, KP_TYPICAL, &smp);
	len = kp_render(series, up, &smp, line, sizeof(line), err, sizeof(err));
	assert_true(len > 0);
	memset(&ev, 0, sizeof(ev));
	if (tdxr_decode_payload(TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED, line, (size_t)len, &ev, st,
				&why) != 0) {
		fail_msg("the reader rejects the unpatched line \"%s\": %s", line, why);
	}
	for (unsigned int i = 0; i < up->nargs; i++) {
		int fi = kp_field_index(up, up->args[i].field);

		assert_true((ev.fmask >> i) & 1);
		assert_string_equal(d->fields[i].name, up->args[i].field);
		assert_int_equal((uint32_t)ev.f[i],
				 (uint32_t)kp_field_value(&up->fields[fi], smp.val[fi]));
	}
	assert_false(EVF_HAS(&ev, KVM_TDP_MMU_SPTE_CHANGED, mirror));
	assert_false(EVF_HAS(&ev, KVM_TDP_MMU_SPTE_CHANGED, vm));
}

/* ---- 5. the LTTng probe agrees ----------------------------------------- */

/* Every entry of the patch's symbol table @a has the same name in @tab, and
 * @tab has nothing else. */
static void same_names(const char *what, const struct kp_arg *a, const struct kp_lttng_name *tab,
		       unsigned int n)
{
	assert_int_equal(a->kind, KP_ARG_SYMBOLIC);
	if (a->nsyms != n) {
		fail_msg("%s: %u names in the patch, %u in the LTTng probe", what, a->nsyms, n);
	}
	for (unsigned int k = 0; k < a->nsyms; k++) {
		uint64_t v;
		bool found = false;

		assert_int_equal(kp_resolve(series, a->syms[k].value, &v), 0);
		for (unsigned int j = 0; j < n; j++) {
			uint64_t w;

			if (kp_resolve(series, tab[j].value, &w) == 0 && w == v) {
				found = true;
				if (strcmp(tab[j].name, a->syms[k].name) != 0) {
					fail_msg("%s: %s is \"%s\" in the patch, \"%s\" in the "
						 "probe",
						 what, a->syms[k].value, a->syms[k].name,
						 tab[j].name);
				}
			}
		}
		if (!found) {
			fail_msg("%s: %s (\"%s\") missing from the LTTng probe", what,
				 a->syms[k].value, a->syms[k].name);
		}
	}
}

static void test_lttng_probe_has_the_schema_fields_and_the_patch_names(void **state)
{
	struct kp_lttng *l = calloc(1, sizeof(*l));
	const struct kp_event *pe;
	char path[1024];
	char err[256] = "";
	char *text;
	size_t n;
	FILE *f;

	(void)state;
	assert_non_null(l);
	snprintf(path, sizeof(path), "%s/lttng-modules/tdxr.h", KP_PATCH_DIR);
	f = fopen(path, "rb");
	if (!f) {
		fail_msg("%s: cannot open", path);
	}
	text = calloc(1, 1 << 20);
	assert_non_null(text);
	n = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[n] = '\0';
	if (kp_lttng_parse(text, l, err, sizeof(err)) < 0) {
		fail_msg("%s: %s", path, err);
	}
	for (size_t i = 0; i < KP_NR_NEW; i++) {
		const struct tdxr_event_desc *d = tdxr_event_desc(kp_new_events[i]);
		const struct kp_lttng_event *le = kp_lttng_event(l, d->name);

		if (!le) {
			fail_msg("%s: no LTTng event %s", path, d->name);
		}
		if (le->nfields != d->nr_scanned) {
			fail_msg("%s: %u CTF fields, the schema reads %u", d->name, le->nfields,
				 d->nr_scanned);
		}
		pe = kp_series_event(series, d->name, false);
		assert_non_null(pe);
		for (unsigned int k = 0; k < le->nfields; k++) {
			const struct tdxr_field_desc *fd = &d->fields[k];
			bool str = fd->type == TDXR_FT_STR;
			/* %pS prints a symbol; CTF keeps the address. */
			bool addr = str && pe->args[k].kind == KP_ARG_SYMPTR;

			if (strcmp(le->fields[k].name, fd->name) != 0) {
				fail_msg("%s: CTF field %u is %s, the schema field is %s", d->name,
					 k, le->fields[k].name, fd->name);
			}
			if ((le->fields[k].kind == 's') != (str && !addr)) {
				fail_msg("%s: CTF field %s is %s, the schema type is %s", d->name,
					 fd->name,
					 le->fields[k].kind == 's' ? "a string" : "an integer",
					 str ? "STR" : "numeric");
			}
		}
	}
	pe = kp_series_event(series, "tdx_seamcall", false);
	same_names("SEAMCALL leaves",
		   &pe->args[tdxr_event_field(TDXR_EV_TDX_SEAMCALL, "leaf_name")], l->leaves,
		   l->nleaves);
	pe = kp_series_event(series, "kvm_tdx_sept", false);
	same_names("S-EPT ops", &pe->args[tdxr_event_field(TDXR_EV_KVM_TDX_SEPT, "op")], l->ops,
		   l->nops);
	pe = kp_series_event(series, "kvm_tdx_tdvmcall", false);
	same_names("TDVMCALLs", &pe->args[tdxr_event_field(TDXR_EV_KVM_TDX_TDVMCALL, "name")],
		   l->calls, l->ncalls);
	assert_string_equal(l->hypercall,
			    pe->args[tdxr_event_field(TDXR_EV_KVM_TDX_TDVMCALL, "name")].cond_lit);
	free(text);
	free(l);
}

/* ---- 6. the checks fail on drift --------------------------------------- */

/* Reads the text of patch file @name; the caller frees it. */
static char *read_patch(const char *name, size_t *len)
{
	char path[1024];
	char *text;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", KP_PATCH_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	text = calloc(1, 1 << 20);
	assert_non_null(text);
	*len = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[*len] = '\0';
	return text;
}

/* Reads the patch that defines @event with @from (which must occur)
 * replaced by @to, and returns the problems kp_check_event() finds in it. */
static int check_mutated(const char *event, const char *from, const char *to, char *msg,
			 size_t msglen)
{
	const struct kp_event *pe = kp_series_event(series, event, false);
	struct kp_series *m = kp_series_new();
	char err[256];
	char *text;
	char *hit;
	char *out;
	size_t n;
	int bad;

	assert_non_null(pe);
	assert_non_null(m);
	text = read_patch(series->patches[pe->patch].file, &n);
	hit = strstr(text, from);
	if (!hit) {
		fail_msg("%s does not contain \"%s\"", series->patches[pe->patch].file, from);
	}
	out = calloc(1, n + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(hit - text));
	strcpy(out + (hit - text), to);
	strcat(out, hit + strlen(from));
	assert_int_equal(kp_series_add(m, "mutated.patch", out, err, sizeof(err)), 0);
	pe = kp_series_event(m, event, false);
	if (!pe) {
		bad = 1000;
	} else {
		bad = kp_check_event(m, pe,
				     tdxr_event_lookup(pe->system, pe->name, strlen(pe->name)), msg,
				     msglen);
	}
	free(out);
	free(text);
	kp_series_free(m);
	return bad;
}

static void test_a_changed_conversion_in_the_patch_is_reported(void **state)
{
	char msg[4096] = "";

	(void)state;
	assert_true(check_mutated("kvm_tdx_sept", "pfn %llx ret %d\"", "pfn %lx ret %d\"", msg,
				  sizeof(msg)) >= 2);
	assert_non_null(strstr(msg, "format differs"));
	assert_non_null(strstr(msg, "pfn"));
}

static void test_swapped_printk_arguments_are_reported(void **state)
{
	char msg[4096] = "";

	(void)state;
	assert_true(check_mutated("kvm_tdx_tdvmcall_done", "__entry->status, __entry->val)",
				  "__entry->val, __entry->status)", msg, sizeof(msg)) >= 2);
	assert_non_null(strstr(msg, "prints __entry->val, the schema field there is status"));
}

static void test_a_field_type_that_no_longer_fits_is_reported(void **state)
{
	char msg[4096] = "";

	(void)state;
	assert_true(check_mutated("kvm_tdp_mmu_spte_changed", "__field(int, vm)",
				  "__field(u64, vm)", msg, sizeof(msg)) >= 1);
	assert_non_null(strstr(msg, "field vm is u64"));
}

static void test_a_symbol_name_with_a_blank_is_reported(void **state)
{
	char msg[4096] = "";

	(void)state;
	assert_true(check_mutated("kvm_tdx_sept", "\"remove_spte\"", "\"remove spte\"", msg,
				  sizeof(msg)) >= 1);
	assert_non_null(strstr(msg, "has blanks"));
}

/* Parses, checks and renders whatever @text yields; must not crash. */
static void exercise(const char *text)
{
	struct kp_series *m = kp_series_new();
	char err[256];
	char msg[2048];

	assert_non_null(m);
	if (kp_series_add(m, "damaged.patch", text, err, sizeof(err)) == 0) {
		for (unsigned int i = 0; i < m->nevents; i++) {
			const struct kp_event *pe = &m->events[i];
			struct kp_sample smp;
			char line[1024];

			msg[0] = '\0';
			kp_check_event(m, pe,
				       tdxr_event_lookup(pe->system, pe->name, strlen(pe->name)),
				       msg, sizeof(msg));
			kp_sample_fill(pe, KP_TYPICAL, &smp);
			kp_render(m, pe, &smp, line, sizeof(line), err, sizeof(err));
		}
	}
	kp_series_free(m);
}

static void test_truncated_and_damaged_patches_are_read_without_crashing(void **state)
{
	unsigned int seed = 12345;

	(void)state;
	for (unsigned int i = 0; i < series->npatches; i++) {
		size_t len;
		char *text = read_patch(series->patches[i].file, &len);
		char *copy = malloc(len + 1);

		assert_non_null(copy);
		/* Every prefix at a 97-byte stride: hunks and events cut short. */
		for (size_t cut = 0; cut < len; cut += 97) {
			memcpy(copy, text, cut);
			copy[cut] = '\0';
			exercise(copy);
		}
		/* Bytes replaced by brackets, quotes and hunk markers. */
		for (int round = 0; round < 120; round++) {
			static const char junk[] = "(){}\"\\,@+- \n%";

			memcpy(copy, text, len + 1);
			for (int k = 0; k < 8 && len > 0; k++) {
				seed = seed * 1103515245u + 12345u;
				copy[(seed >> 8) % len] = junk[(seed >> 20) % (sizeof(junk) - 1)];
			}
			exercise(copy);
		}
		free(copy);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patches_are_numbered_complete_and_not_signed_off),
		cmocka_unit_test(test_every_new_kernel_event_is_defined_by_the_series),
		cmocka_unit_test(test_patch_events_match_the_schema_format_fields_and_types),
		cmocka_unit_test(test_the_7_1_series_events_match_the_schema_too),
		cmocka_unit_test(test_sept_ops_are_the_four_design_names),
		cmocka_unit_test(test_spte_changed_appends_mirror_and_vm_to_the_upstream_event),
		cmocka_unit_test(test_lines_printed_by_the_patch_decode_to_the_printed_values),
		cmocka_unit_test(test_seamcall_prints_the_leaf_name_and_the_whole_rax),
		cmocka_unit_test(test_tdvmcall_names_a_kvm_hypercall_when_r10_is_not_zero),
		cmocka_unit_test(test_unpatched_spte_changed_line_decodes_without_mirror_and_vm),
		cmocka_unit_test(test_lttng_probe_has_the_schema_fields_and_the_patch_names),
		cmocka_unit_test(test_a_changed_conversion_in_the_patch_is_reported),
		cmocka_unit_test(test_swapped_printk_arguments_are_reported),
		cmocka_unit_test(test_a_field_type_that_no_longer_fits_is_reported),
		cmocka_unit_test(test_a_symbol_name_with_a_blank_is_reported),
		cmocka_unit_test(test_truncated_and_damaged_patches_are_read_without_crashing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
