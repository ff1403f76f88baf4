// SPDX-License-Identifier: GPL-2.0
/*
 * tests/capture/ust_emit.c - emits events through the tdxr_kernel and
 * tdxr_vmm LTTng-UST providers, and writes the kernel events' ftrace-text
 * twin (docs/design.md §2.1 formats, ts/cpu/tid = k_ts/k_cpu/k_tid), so the CTF
 * reader can be checked against the text reader event by event.
 *
 *   ust_emit TWIN.trace NKERNEL NVMM [SEED]
 *
 * VMM events are kvm_run_exit with vcpu = i % 4, reason = 2 and
 * a0..a5 = i, i+1, ..., i+5 (i = 0..NVMM-1): the test checks those values.
 * Also `ust_emit --bench N` times N kvm_run_exit tracepoints (see
 * bench/capture/run.sh) and prints ns per event.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tdxr_kernel_tp.h"
#include "tdxr_vmm_tp.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const leaves[] = {"TDH_MEM_PAGE_AUG", "TDH_MEM_SEPT_ADD", "TDH_MEM_RANGE_BLOCK",
				     "TDH_MEM_TRACK", "TDH_MEM_PAGE_REMOVE"};
static const unsigned int leaf_nr[] = {6, 3, 7, 38, 29};
static const char *const ops[] = {"link_spt", "set_spte", "remove_spte", "free_spt"};
static const char *const calls[] = {"MapGPA", "ReportFatalError", "Instruction.IO",
				    "#VE.RequestMMIO"};

static void line(FILE *t, uint64_t ts, int cpu, int tid, const char *name)
{
	fprintf(t, "%16s-%-7d [%03d] ..... %5llu.%06llu: %s: ", "CPU 0/KVM", tid, cpu,
		(unsigned long long)(ts / 1000000000ull),
		(unsigned long long)(ts % 1000000000ull / 1000), name);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int bench(unsigned long n)
{
	struct tdxr_vmm_kvm_run_exit e = {.vm = 1, .vcpu = 0, .reason = 2};
	double t0 = now();

	for (unsigned long i = 0; i < n; i++) {
		e.a0 = i;
		lttng_ust_tracepoint(tdxr_vmm, kvm_run_exit, &e);
	}
	printf("tdxr_vmm:kvm_run_exit %.1f ns/event (%lu events)\n", (now() - t0) / (double)n, n);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long nk, nv;
	uint64_t ts = 5000000000ull;
	FILE *t;

	if (argc == 3 && strcmp(argv[1], "--bench") == 0) {
		return bench(strtoul(argv[2], NULL, 0));
	}
	if (argc < 4) {
		fprintf(stderr, "usage: ust_emit TWIN.trace NKERNEL NVMM [SEED] | --bench N\n");
		return 2;
	}
	nk = strtoul(argv[2], NULL, 0);
	nv = strtoul(argv[3], NULL, 0);
	if (argc > 4) {
		rng = strtoull(argv[4], NULL, 0) | 1;
	}
	t = fopen(argv[1], "w");
	if (!t) {
		perror(argv[1]);
		return 1;
	}
	fprintf(t, "# tracer: nop\n#\n");
	for (unsigned long i = 0; i < nk; i++) {
		int cpu = (int)(rnd() % 4), tid = 2000 + cpu;
		unsigned int k = (unsigned int)(rnd() % 6);

		ts += 1000 * (1 + rnd() % 20);
		switch (k) {
		case 0: {
			unsigned int l = (unsigned int)(rnd() % 5);
			struct tdxr_kernel_tdx_seamcall e = {
				ts,    cpu,   tid,   leaves[l], leaf_nr[l],
				rnd(), rnd(), rnd(), rnd(),	rnd() & 0x8000000000000000ull,
				rnd(), rnd(), rnd(), rnd(),
			};

			lttng_ust_tracepoint(tdxr_kernel, tdx_seamcall, &e);
			line(t, ts, cpu, tid, "tdx_seamcall");
			fprintf(t,
				"leaf %s (%llu) rcx 0x%llx rdx 0x%llx r8 0x%llx r9 0x%llx status "
				"0x%016llx out_rcx 0x%llx out_rdx 0x%llx out_r8 0x%llx out_r9 "
				"0x%llx\n",
				e.leaf_name, (unsigned long long)e.leaf, (unsigned long long)e.rcx,
				(unsigned long long)e.rdx, (unsigned long long)e.r8,
				(unsigned long long)e.r9, (unsigned long long)e.status,
				(unsigned long long)e.out_rcx, (unsigned long long)e.out_rdx,
				(unsigned long long)e.out_r8, (unsigned long long)e.out_r9);
			break;
		}
		case 1: {
			struct tdxr_kernel_kvm_tdx_sept e = {ts,
							     cpu,
							     tid,
							     7099,
							     ops[rnd() % 4],
							     rnd() & 0xfffffff,
							     (int32_t)(1 + rnd() % 3),
							     rnd() & 0xffffffff,
							     -(int32_t)(rnd() % 2)};

			lttng_ust_tracepoint(tdxr_kernel, kvm_tdx_sept, &e);
			line(t, ts, cpu, tid, "kvm_tdx_sept");
			fprintf(t, "vm %d op %s gfn %llx level %d pfn %llx ret %d\n", e.vm, e.op,
				(unsigned long long)e.gfn, e.level, (unsigned long long)e.pfn,
				e.ret);
			break;
		}
		case 2: {
			struct tdxr_kernel_kvm_tdx_tdvmcall e = {ts,
								 cpu,
								 tid,
								 7099,
								 (uint32_t)cpu,
								 0,
								 rnd() & 0xffff,
								 calls[rnd() % 4],
								 rnd(),
								 rnd(),
								 rnd(),
								 rnd()};

			lttng_ust_tracepoint(tdxr_kernel, kvm_tdx_tdvmcall, &e);
			line(t, ts, cpu, tid, "kvm_tdx_tdvmcall");
			fprintf(t,
				"vm %d vcpu %u r10 0x%llx r11 0x%llx (%s) r12 0x%llx r13 0x%llx "
				"r14 "
				"0x%llx r15 0x%llx\n",
				e.vm, e.vcpu, (unsigned long long)e.r10, (unsigned long long)e.r11,
				e.name, (unsigned long long)e.r12, (unsigned long long)e.r13,
				(unsigned long long)e.r14, (unsigned long long)e.r15);
			break;
		}
		case 3: {
			struct tdxr_kernel_kvm_tdx_tdvmcall_done e = {
				ts, cpu, tid, 7099, (uint32_t)cpu, rnd(), rnd(), rnd()};

			lttng_ust_tracepoint(tdxr_kernel, kvm_tdx_tdvmcall_done, &e);
			line(t, ts, cpu, tid, "kvm_tdx_tdvmcall_done");
			fprintf(t, "vm %d vcpu %u r11 0x%llx status 0x%llx val 0x%llx\n", e.vm,
				e.vcpu, (unsigned long long)e.r11, (unsigned long long)e.status,
				(unsigned long long)e.val);
			break;
		}
		case 4: {
			struct tdxr_kernel_kvm_vm_bugged e = {ts, cpu, tid, 7099,
							      "tdx_track+0x7e/0x120 [kvm_intel]"};

			lttng_ust_tracepoint(tdxr_kernel, kvm_vm_bugged, &e);
			line(t, ts, cpu, tid, "kvm_vm_bugged");
			fprintf(t, "vm %d caller %s\n", e.vm, e.caller);
			break;
		}
		default: {
			struct tdxr_kernel_kvm_tdp_mmu_spte_changed e = {
				ts,
				cpu,
				tid,
				0,
				rnd() & 0xfffffff,
				(int32_t)(1 + rnd() % 3),
				rnd(),
				rnd(),
				(int32_t)(rnd() % 2),
				7099,
			};

			lttng_ust_tracepoint(tdxr_kernel, kvm_tdp_mmu_spte_changed, &e);
			line(t, ts, cpu, tid, "kvm_tdp_mmu_spte_changed");
			fprintf(t,
				"as id %d gfn %llx level %d old_spte %llx new_spte %llx mirror %d "
				"vm %d\n",
				e.as_id, (unsigned long long)e.gfn, e.level,
				(unsigned long long)e.old_spte, (unsigned long long)e.new_spte,
				e.mirror, e.vm);
			break;
		}
		}
	}
	if (fclose(t) != 0) {
		perror(argv[1]);
		return 1;
	}
	for (unsigned long i = 0; i < nv; i++) {
		struct tdxr_vmm_kvm_run_exit e = {
			4242, (int32_t)(i % 4), 2, i, i + 1, i + 2, i + 3, i + 4, i + 5};

		lttng_ust_tracepoint(tdxr_vmm, kvm_run_exit, &e);
	}
	return 0;
}
