// SPDX-License-Identifier: GPL-2.0
/*
 * tests/kernelpatch/test_kernelpatch_sites.c - the kernel-patch/ series fires
 * each event where docs/design.md §2.1 says, for each hook and return path, with
 * the VM identity and the page table it claims; and this check fails when a
 * call site is gone (each mutation of the v1 review: every
 * trace_kvm_tdx_sept() call removed, the TDVMCALL tracepoint call removed,
 * mirror forced to 0, the thread id back as the VM). Reads only patch text;
 * whether the patches apply and build is tests/kernelpatch/kp_tree.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "kp_parse.h"
#include "kp_sites.h"

#ifndef KP_PATCH_DIR
#define KP_PATCH_DIR TDXR_SOURCE_DIR "/kernel-patch"
#endif

#define TDP "arch/x86/kvm/mmu/tdp_mmu.c"
#define KTDX "arch/x86/kvm/vmx/tdx.c"
#define VTDX "arch/x86/virt/vmx/tdx/tdx.c"
#define ATDX "arch/x86/include/asm/tdx.h"

/* What both series (6.16.1 and 7.1) must do, hook by hook. */
static const struct kp_site_rule rules_common[] = {
	/* The VM is the tgid of the process that created it, for every event. */
	{KP_SITE_ADDED, "vm", "virt/kvm/kvm_main.c", "kvm->creator_tgid = task_tgid_nr(current);",
	 NULL, 0, 0, 0},
	{KP_SITE_EVERY, "vm", NULL, "__entry->vm =", "creator_tgid", 0, 0, 0},
	{KP_SITE_NONE, "vm", NULL, "userspace_pid", NULL, 0, 0, 0},
	/* tdx_seamcall: a static branch in sc_retry(), an event per SEAMCALL made. */
	{KP_SITE_NEAR, "tdx_seamcall", ATDX, "return sc_retry_traced(func, fn, args);",
	 "if (tracepoint_enabled(tdx_seamcall))", 1, 0, 1},
	{KP_SITE_NEAR, "tdx_seamcall", VTDX, "trace_tdx_seamcall(fn, &in,", "fn, args);", 3, 0, 1},
	{KP_SITE_NEAR, "tdx_seamcall", VTDX, "trace_tdx_seamcall(fn, &in,",
	 "} while (ret == TDX_RND_NO_ENTROPY", -3, 0, 1},
	/* TDH.VP.ENTER: inputs saved before the entry, only while traced ... */
	{KP_SITE_NEAR, "tdx_seamcall", KTDX, "tdx_vp_enter_trace_start(tdx);",
	 "if (trace_tdx_seamcall_enabled())", 1, 0, 1},
	{KP_SITE_NEAR, "tdx_seamcall", KTDX, "tdx_vp_enter_trace_start(tdx);",
	 "tdx_vcpu_enter_exit(vcpu);", -3, 0, 1},
	{KP_SITE_ADDED, "tdx_seamcall", KTDX, "trace_tdx_seamcall(TDH_VP_ENTER,", NULL, 0, 0, 0},
	/* ... and the event on each return path: the two early ones, and the
	 * one before kvm_exit. */
	{KP_SITE_NEAR, "tdx_seamcall", KTDX, "tdx_vp_enter_trace(tdx);",
	 "return EXIT_FASTPATH_NONE;", -1, 0, 2},
	{KP_SITE_NEAR, "tdx_seamcall", KTDX, "tdx_vp_enter_trace(tdx);",
	 "trace_kvm_exit(vcpu, KVM_ISA_VMX);", -1, 0, 1},
	/* kvm_tdx_sept: after each hook's kvm_x86_call(), with its own op. */
	{KP_SITE_NEAR, "kvm_tdx_sept", TDP, "trace_kvm_tdx_sept(kvm, KVM_TDX_SEPT_SET_SPTE,",
	 "kvm_x86_call(set_external_spte)", 2, 0, 1},
	{KP_SITE_NEAR, "kvm_tdx_sept", TDP, "trace_kvm_tdx_sept(kvm, KVM_TDX_SEPT_LINK_SPT,",
	 "kvm_x86_call(link_external_spt)", 2, 0, 1},
	{KP_SITE_NEAR, "kvm_tdx_sept", TDP, "trace_kvm_tdx_sept(kvm, KVM_TDX_SEPT_REMOVE_SPTE,",
	 "kvm_x86_call(remove_external_spte)", 2, 0, 1},
	{KP_SITE_NEAR, "kvm_tdx_sept", TDP, "trace_kvm_tdx_sept(kvm, KVM_TDX_SEPT_FREE_SPT,",
	 "kvm_x86_call(free_external_spt)", 5, 0, 1},
	/* kvm_tdx_tdvmcall: every TDVMCALL exit, behind a static branch. */
	{KP_SITE_NEAR, "kvm_tdx_tdvmcall", KTDX, "tdx_tdvmcall_trace(tdx);",
	 "vp_enter_ret == EXIT_REASON_TDCALL)", 1, 0, 1},
	{KP_SITE_NEAR, "kvm_tdx_tdvmcall", KTDX, "vp_enter_ret == EXIT_REASON_TDCALL)",
	 "if (trace_kvm_tdx_tdvmcall_enabled() &&", 1, 0, 1},
	{KP_SITE_ADDED, "kvm_tdx_tdvmcall", KTDX,
	 "trace_kvm_tdx_tdvmcall(&tdx->vcpu, &tdx->vp_enter_args);", NULL, 0, 0, 0},
	/* kvm_tdx_tdvmcall_done: at the entry that hands the result over. */
	{KP_SITE_ADDED, "kvm_tdx_tdvmcall_done", KTDX, "trace_kvm_tdx_tdvmcall_done(&tdx->vcpu,",
	 NULL, 0, 0, 0},
	{KP_SITE_NEAR, "kvm_tdx_tdvmcall_done", KTDX, "tdx_tdvmcall_trace_done(tdx);",
	 "trace_kvm_entry(vcpu", -3, 0, 1},
	/* kvm_vm_bugged: from the always-inline kvm_vm_bugged(), _THIS_IP_. */
	{KP_SITE_NEAR, "kvm_vm_bugged", "include/linux/kvm_host.h",
	 "kvm_trace_vm_bugged(kvm, _THIS_IP_);",
	 "static __always_inline void kvm_vm_bugged(struct kvm *kvm)", 2, 0, 1},
	{KP_SITE_ADDED, "kvm_vm_bugged", "virt/kvm/kvm_main.c", "trace_kvm_vm_bugged(kvm, ip);",
	 NULL, 0, 0, 0},
	{KP_SITE_NONE, "kvm_vm_bugged", "include/linux/kvm_host.h", "WARN_ON_ONCE(1)", NULL, 0, 0,
	 0},
	/* kvm_tdp_mmu_spte_changed: the table each caller works on. */
	{KP_SITE_ADDED, "kvm_tdp_mmu_spte_changed", "arch/x86/kvm/mmu/mmutrace.h",
	 "__entry->mirror = mirror;", NULL, 0, 0, 0},
	{KP_SITE_CALLARG, "kvm_tdp_mmu_spte_changed", TDP, "trace_kvm_tdp_mmu_spte_changed(",
	 "mirror", 0, 6, 3},
};

static const struct kp_site_rule rules_616[] = {
	/* 6.16 handles a machine check during VM-entry here: trace after it. */
	{KP_SITE_NEAR, "tdx_seamcall", KTDX, "tdx_vp_enter_trace(tdx);", "kvm_machine_check();", 3,
	 0, 1},
	{KP_SITE_CALLARG, "kvm_tdp_mmu_spte_changed", TDP, "handle_changed_spte(", "mirror", 0, 2,
	 5},
};

/* 7.1 handles it in the noinstr entry path already. */
static const struct kp_site_rule rules_71[] = {
	{KP_SITE_CALLARG, "kvm_tdp_mmu_spte_changed", TDP, "handle_changed_spte(", "mirror", 0, 2,
	 5},
};

struct kp_texts {
	char *text[32];
	char name[32][128];
	size_t n;
};

static struct kp_texts series; /* the real series, read once */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every NNNN-*.patch of @dir in name order. */
static int load(struct kp_texts *t, const char *dir)
{
	char *names[32];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < 32) {
		size_t len = strlen(de->d_name);

		if (len > 10 && de->d_name[0] >= '0' && de->d_name[0] <= '9' &&
		    strcmp(de->d_name + len - 6, ".patch") == 0 &&
		    strncmp(de->d_name, "0000", 4) != 0) {
			names[n++] = strdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		FILE *f;
		long len;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(t->name[i], sizeof(t->name[i]), "%s", names[i]);
		free(names[i]);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0) {
			if (f) {
				fclose(f);
			}
			return -1;
		}
		t->text[i] = calloc(1, (size_t)len + 1);
		if (!t->text[i] || fread(t->text[i], 1, (size_t)len, f) != (size_t)len) {
			fclose(f);
			return -1;
		}
		fclose(f);
		t->n = i + 1;
	}
	return (int)n;
}

static int setup(void **state)
{
	(void)state;
	if (load(&series, KP_PATCH_DIR) <= 0) {
		fprintf(stderr, "cannot read the series in %s\n", KP_PATCH_DIR);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < series.n; i++) {
		free(series.text[i]);
	}
	return 0;
}

#define KP_N(a) (sizeof(a) / sizeof((a)[0]))

/* The rules both series follow, and @extra, those of one series. */
static int check_rules(const struct kp_texts *t, const struct kp_site_rule *extra, size_t nextra,
		       char *msg, size_t msglen)
{
	const char *const *texts = (const char *const *)t->text;

	return kp_sites_check(texts, t->n, rules_common, KP_N(rules_common), msg, msglen) +
	       kp_sites_check(texts, t->n, extra, nextra, msg, msglen);
}

static int check(const struct kp_texts *t, char *msg, size_t msglen)
{
	return check_rules(t, rules_616, KP_N(rules_616), msg, msglen);
}

static void test_every_event_fires_at_its_call_sites(void **state)
{
	char msg[8192] = "";
	int bad;

	(void)state;
	bad = check(&series, msg, sizeof(msg));
	if (bad) {
		fail_msg("%d rule(s) do not hold:\n%s", bad, msg);
	}
}

static void test_the_7_1_series_fires_at_its_call_sites(void **state)
{
	struct kp_texts t = {0};
	char msg[8192] = "";
	int bad;

	(void)state;
	assert_true(load(&t, KP_PATCH_DIR "/v7.1") > 0);
	bad = check_rules(&t, rules_71, KP_N(rules_71), msg, sizeof(msg));
	for (size_t i = 0; i < t.n; i++) {
		free(t.text[i]);
	}
	if (bad) {
		fail_msg("v7.1: %d rule(s) do not hold:\n%s", bad, msg);
	}
}

/*
 * The series with @mutate applied to every patch that it changes (it returns
 * NULL for the others); the problems the check finds are in @msg. At least
 * one patch must change.
 */
typedef char *(*kp_mutation)(const char *text, const void *arg);

static int check_mutated(kp_mutation mutate, const void *arg, char *msg, size_t msglen)
{
	struct kp_texts m = series;
	char *owned[32] = {0};
	unsigned int changed = 0;
	int bad;

	for (size_t i = 0; i < m.n; i++) {
		owned[i] = mutate(series.text[i], arg);
		if (owned[i]) {
			m.text[i] = owned[i];
			changed++;
		}
	}
	assert_true(changed > 0);
	bad = check(&m, msg, msglen);
	for (size_t i = 0; i < m.n; i++) {
		free(owned[i]);
	}
	return bad;
}

static char *drop_all(const char *text, const void *needle)
{
	return kp_drop_added(text, needle, true);
}

struct kp_subst {
	const char *from;
	const char *to;
};

static char *subst(const char *text, const void *arg)
{
	const struct kp_subst *s = arg;

	return strstr(text, s->from) ? kp_replace(text, s->from, s->to) : NULL;
}

static void expect(int bad, const char *msg, const char *what)
{
	if (bad == 0) {
		fail_msg("the check passes with %s", what);
	}
	print_message("%s -> %d problem(s):\n%s", what, bad, msg);
}

/* Each substitution of @muts, on its own, must fail the check. */
static void expect_each(const struct kp_subst *muts, size_t n)
{
	char msg[8192];

	for (size_t i = 0; i < n; i++) {
		msg[0] = '\0';
		expect(check_mutated(subst, &muts[i], msg, sizeof(msg)), msg, muts[i].from);
	}
}

static void test_removed_sept_calls_fail_the_check(void **state)
{
	static const char *const ops[] = {"KVM_TDX_SEPT_SET_SPTE", "KVM_TDX_SEPT_LINK_SPT",
					  "KVM_TDX_SEPT_REMOVE_SPTE", "KVM_TDX_SEPT_FREE_SPT"};
	char msg[8192] = "";

	(void)state;
	expect(check_mutated(drop_all, "trace_kvm_tdx_sept(", msg, sizeof(msg)), msg,
	       "every trace_kvm_tdx_sept() call removed");
	/* Each hook on its own. */
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char needle[96];

		msg[0] = '\0';
		snprintf(needle, sizeof(needle), "trace_kvm_tdx_sept(kvm, %s,", ops[i]);
		expect(check_mutated(drop_all, needle, msg, sizeof(msg)), msg, needle);
		assert_non_null(strstr(msg, ops[i]));
	}
}

static void test_a_removed_tdvmcall_tracepoint_fails_the_check(void **state)
{
	static const char *const calls[] = {
		"trace_kvm_tdx_tdvmcall(",
		"tdx_tdvmcall_trace(tdx);",
		"trace_kvm_tdx_tdvmcall_done(",
		"tdx_tdvmcall_trace_done(tdx);",
		"tdx_vp_enter_trace(tdx);",
		"trace_tdx_seamcall(fn, &in,",
		"kvm_trace_vm_bugged(kvm, _THIS_IP_);",
	};
	char msg[8192];

	(void)state;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		msg[0] = '\0';
		expect(check_mutated(drop_all, calls[i], msg, sizeof(msg)), msg, calls[i]);
	}
}

static void test_one_vp_enter_return_path_untraced_fails_the_check(void **state)
{
	char msg[8192] = "";
	int bad;
	size_t i;

	(void)state;
	/* Only the first tdx_vp_enter_trace() (the EPT misconfig return). */
	for (i = 0; i < series.n && !strstr(series.text[i], "+\t\ttdx_vp_enter_trace(tdx);"); i++) {
	}
	assert_true(i < series.n);
	{
		struct kp_texts m = series;
		char *t = kp_drop_added(series.text[i], "tdx_vp_enter_trace(tdx);", false);

		assert_non_null(t);
		m.text[i] = t;
		bad = check(&m, msg, sizeof(msg));
		free(t);
	}
	expect(bad, msg, "one early return of tdx_vcpu_run() untraced");
	assert_non_null(strstr(msg, "return EXIT_FASTPATH_NONE;"));
}

static void test_mirror_forced_to_zero_fails_the_check(void **state)
{
	static const struct kp_subst muts[] = {
		{"__entry->mirror = mirror;", "__entry->mirror = 0;"},
		{"is_mirror_sptep(iter->sptep));", "false);"},
		{"is_mirror_sp(sp), gfn, old_spte,", "false, gfn, old_spte,"},
		{"handle_changed_spte(kvm, as_id, mirror, gfn,",
		 "handle_changed_spte(kvm, as_id, 0, gfn,"},
	};

	(void)state;
	expect_each(muts, KP_N(muts));
}

static void test_the_thread_id_as_the_vm_fails_the_check(void **state)
{
	static const struct kp_subst muts[] = {
		{"kvm->creator_tgid;", "kvm->userspace_pid;"},
		{"task_tgid_nr(current);", "task_pid_nr(current);"},
	};

	(void)state;
	expect_each(muts, KP_N(muts));
}

static void test_an_unconditional_trace_path_fails_the_check(void **state)
{
	static const struct kp_subst muts[] = {
		{"	if (tracepoint_enabled(tdx_seamcall))\n", "	if (1)\n"},
		{"if (trace_kvm_tdx_tdvmcall_enabled() &&", "if ("},
	};

	(void)state;
	expect_each(muts, KP_N(muts));
}

static void test_a_dropped_statement_leaves_a_well_formed_hunk(void **state)
{
	const char *p = "diff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n"
			"@@ -1,2 +1,5 @@\n a();\n+x(1,\n+  2);\n+y();\n b();\n"
			"@@ -9,1 +12,2 @@\n c();\n+x(3);\n";
	static const struct kp_site_rule r[] = {
		{KP_SITE_ADDED, "t", "f.c", "y();", NULL, 0, 0, 0},
	};
	const char *one[1];
	char msg[512] = "";
	char *t = kp_drop_added(p, "x(", true);

	(void)state;
	assert_non_null(t);
	assert_string_equal(t, "diff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n"
			       "@@ -1,2 +1,3 @@\n a();\n+y();\n b();\n"
			       "@@ -9,1 +12,1 @@\n c();\n");
	one[0] = t;
	assert_int_equal(kp_sites_check(one, 1, r, 1, msg, sizeof(msg)), 0);
	free(t);
	assert_null(kp_drop_added(p, "nothing", true));
	/* A hunk shorter than its header is a problem by itself. */
	one[0] = "+++ b/f.c\n@@ -1,1 +1,3 @@\n a();\n+y();\n";
	msg[0] = '\0';
	assert_true(kp_sites_check(one, 1, r, 1, msg, sizeof(msg)) >= 1);
	assert_non_null(strstr(msg, "header"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_event_fires_at_its_call_sites),
		cmocka_unit_test(test_the_7_1_series_fires_at_its_call_sites),
		cmocka_unit_test(test_removed_sept_calls_fail_the_check),
		cmocka_unit_test(test_a_removed_tdvmcall_tracepoint_fails_the_check),
		cmocka_unit_test(test_one_vp_enter_return_path_untraced_fails_the_check),
		cmocka_unit_test(test_mirror_forced_to_zero_fails_the_check),
		cmocka_unit_test(test_the_thread_id_as_the_vm_fails_the_check),
		cmocka_unit_test(test_an_unconditional_trace_path_fails_the_check),
		cmocka_unit_test(test_a_dropped_statement_leaves_a_well_formed_hunk),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
