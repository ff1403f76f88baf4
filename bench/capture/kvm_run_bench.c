// SPDX-License-Identifier: GPL-2.0
/*
 * bench/capture/kvm_run_bench.c - time per KVM_RUN ioctl of a real-mode
 * guest that does nothing but HLT (every KVM_RUN is one HLT exit), so the
 * shim's cost per KVM_RUN shows as the difference between runs with and
 * without LD_PRELOAD=libtdxr-vmm.so (and with and without a session).
 *
 *   kvm_run_bench N          prints "NS ns per KVM_RUN (N runs)"; exit 77: no KVM
 *   kvm_run_bench --ioctl N  ns per ioctl(FIONREAD) on a pipe: the shim's
 *                            cost on an ioctl it does not trace
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int bench_ioctl(unsigned long n)
{
	struct timespec t0, t1;
	int p[2], avail;

	if (pipe(p) < 0) {
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < n; i++) {
		ioctl(p[0], FIONREAD, &avail);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f ns per ioctl(FIONREAD) (%lu calls)\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
		       (double)n,
	       n);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n;

	if (argc > 2 && strcmp(argv[1], "--ioctl") == 0) {
		return bench_ioctl(strtoul(argv[2], NULL, 0));
	}
	n = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	static const uint8_t code[] = {0xf4, 0xeb, 0xfd}; /* hlt; jmp hlt */
	struct kvm_userspace_memory_region mr = {0};
	struct kvm_sregs sr;
	struct kvm_regs r = {0};
	struct kvm_run *run;
	struct timespec t0, t1;
	int kvm, vm, vcpu, sz;
	uint8_t *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "kvm_run_bench: /dev/kvm: %s\n", strerror(errno));
		return 77;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED) {
		return 77;
	}
	memcpy(mem + 0x1000, code, sizeof(code));
	mr.memory_size = 0x10000;
	mr.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0) {
		return 77;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (vcpu < 0 || run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sr) < 0) {
		return 77;
	}
	sr.cs.base = 0;
	sr.cs.selector = 0;
	ioctl(vcpu, KVM_SET_SREGS, &sr);
	r.rip = 0x1000;
	r.rflags = 2;
	ioctl(vcpu, KVM_SET_REGS, &r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < n; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_HLT) {
			fprintf(stderr, "kvm_run_bench: run %lu: exit %u (%s)\n", i,
				run->exit_reason, strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f ns per KVM_RUN (%lu runs)\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
		       (double)n,
	       n);
	return 0;
}
