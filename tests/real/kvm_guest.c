// SPDX-License-Identifier: GPL-2.0
/*
 * tests/real/kvm_guest.c - the smallest real KVM guest that makes the
 * kernel emit kvm_pio, kvm_mmio and kvm_userspace_exit events.
 *
 * One VM, one 64 KiB memslot at GPA 0, one vCPU in real mode at 0:0x1000
 * running hand-assembled 16-bit code (below). Every port I/O and every
 * access to GPA 0x20000 (outside the memslot: MMIO) exits to us; we count
 * them and print the counts, so the capture test knows what the trace
 * must hold.
 *
 *   usage: kvm_guest [LOOPS]      (1..1000, default 3)
 *   exit:  0 ok, 1 unexpected exit or wrong value, 77 no usable /dev/kvm
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
#include <unistd.h>

#define GUEST_MEM_SIZE 0x10000u /* the memslot: GPA 0 .. 64 KiB */
#define GUEST_CODE 0x1000u
#define MMIO_SEG 0x2000u /* DS: GPA 0x20000, no memslot there */
#define PORT_A 0x3f8u
#define PORT_B 0x80u
#define MMIO_READ_BYTE 0xa5u   /* what we answer to 1-byte MMIO reads */
#define MMIO_READ_WORD 0xbeefu /* ... and to 2-byte ones */

/*
 * The guest, 16-bit real mode. Per loop iteration: 2 OUT, 1 IN, 2 MMIO
 * writes, 1 MMIO read; after the loop one more MMIO read, then HLT.
 */
static const uint8_t guest_code[] = {
	0xb8, 0x00, 0x20, /*  0: mov ax, MMIO_SEG                   */
	0x8e, 0xd8,	  /*  3: mov ds, ax                         */
	0xb9, 0x00, 0x00, /*  5: mov cx, LOOPS (patched at +6)      */
	0xba, 0xf8, 0x03, /*  8: mov dx, PORT_A                     */
	/* body: */
	0x88, 0xc8,		/* 11: mov al, cl                         */
	0xee,			/* 13: out dx, al            (pio out)    */
	0xe6, 0x80,		/* 14: out PORT_B, al        (pio out)    */
	0xec,			/* 16: in al, dx             (pio in)     */
	0xa2, 0x10, 0x00,	/* 17: mov [0x10], al        (mmio write) */
	0x89, 0x0e, 0x14, 0x00, /* 20: mov [0x14], cx        (mmio write) */
	0xa0, 0x10, 0x00,	/* 24: mov al, [0x10]        (mmio read)  */
	0xe2, 0xee,		/* 27: loop body (-18)                    */
	0xa1, 0x14, 0x00,	/* 29: mov ax, [0x14]        (mmio read)  */
	0xf4,			/* 32: hlt                                */
};
#define LOOPS_AT 6

struct counts {
	unsigned int pio_out, pio_in, mmio_write, mmio_read, hlt, runs;
};

static int die(const char *what)
{
	fprintf(stderr, "kvm_guest: %s: %s\n", what, strerror(errno));
	return 1;
}

static int handle_io(struct kvm_run *run, struct counts *c)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	if (run->io.port != PORT_A && run->io.port != PORT_B) {
		fprintf(stderr, "kvm_guest: I/O on unexpected port 0x%x\n", run->io.port);
		return -1;
	}
	if (run->io.direction == KVM_EXIT_IO_OUT) {
		c->pio_out += run->io.count;
	} else {
		memset(data, 0x42, (size_t)run->io.size * run->io.count);
		c->pio_in += run->io.count;
	}
	return 0;
}

static int handle_mmio(struct kvm_run *run, struct counts *c)
{
	uint64_t gpa = run->mmio.phys_addr;

	if (gpa < MMIO_SEG * 16u || gpa >= MMIO_SEG * 16u + 0x100u) {
		fprintf(stderr, "kvm_guest: MMIO at unexpected GPA 0x%llx\n",
			(unsigned long long)gpa);
		return -1;
	}
	if (run->mmio.is_write) {
		c->mmio_write++;
	} else {
		uint16_t w = run->mmio.len == 1 ? MMIO_READ_BYTE : MMIO_READ_WORD;

		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		memcpy(run->mmio.data, &w, run->mmio.len < 2 ? run->mmio.len : 2);
		c->mmio_read++;
	}
	return 0;
}

static int run_guest(int vcpu, struct kvm_run *run, struct counts *c)
{
	for (;;) {
		int r = ioctl(vcpu, KVM_RUN, 0);

		c->runs++;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				continue;
			}
			return die("KVM_RUN");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (handle_io(run, c) < 0) {
				return 1;
			}
			break;
		case KVM_EXIT_MMIO:
			if (handle_mmio(run, c) < 0) {
				return 1;
			}
			break;
		case KVM_EXIT_HLT:
			c->hlt++;
			return 0;
		default:
			fprintf(stderr, "kvm_guest: unexpected exit reason %u\n", run->exit_reason);
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region region = {0};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct counts c = {0};
	struct kvm_run *run;
	long loops = argc > 1 ? strtol(argv[1], NULL, 10) : 3;
	int kvm, vm, vcpu, mmap_size, rc;
	uint8_t *mem;

	if (loops < 1 || loops > 1000) {
		fprintf(stderr, "usage: kvm_guest [LOOPS 1..1000]\n");
		return 2;
	}
	alarm(20); /* a guest that runs away must not hang the test */
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "kvm_guest: /dev/kvm: %s\n", strerror(errno));
		return 77;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "kvm_guest: unexpected KVM API version\n");
		return 77;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "kvm_guest: KVM_CREATE_VM: %s\n", strerror(errno));
		return 77;
	}

	mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		return die("mmap guest memory");
	}
	memcpy(mem + GUEST_CODE, guest_code, sizeof(guest_code));
	mem[GUEST_CODE + LOOPS_AT] = (uint8_t)(loops & 0xff);
	mem[GUEST_CODE + LOOPS_AT + 1] = (uint8_t)(loops >> 8);
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = GUEST_MEM_SIZE;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		return die("KVM_SET_USER_MEMORY_REGION");
	}

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		return die("KVM_CREATE_VCPU");
	}
	mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(*run)) {
		return die("KVM_GET_VCPU_MMAP_SIZE");
	}
	run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		return die("mmap kvm_run");
	}

	/* Real mode, CS:IP = 0:GUEST_CODE. */
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
		return die("KVM_GET_SREGS");
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) {
		return die("KVM_SET_SREGS");
	}
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
		return die("KVM_SET_REGS");
	}

	rc = run_guest(vcpu, run, &c);
	if (rc) {
		return rc;
	}

	/* The last MMIO read's answer must have reached AX. */
	if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0) {
		return die("KVM_GET_REGS");
	}
	if ((regs.rax & 0xffff) != MMIO_READ_WORD) {
		fprintf(stderr, "kvm_guest: AX is 0x%llx after the MMIO read, want 0x%x\n",
			(unsigned long long)(regs.rax & 0xffff), MMIO_READ_WORD);
		return 1;
	}
	if (c.pio_out != 2 * loops || c.pio_in != (unsigned long)loops ||
	    c.mmio_write != 2 * loops || c.mmio_read != (unsigned long)loops + 1) {
		fprintf(stderr, "kvm_guest: exit counts do not match the guest code\n");
		rc = 1;
	}
	printf("pid=%d pio_out=%u pio_in=%u mmio_write=%u mmio_read=%u hlt=%u runs=%u\n",
	       (int)getpid(), c.pio_out, c.pio_in, c.mmio_write, c.mmio_read, c.hlt, c.runs);
	fflush(stdout);
	munmap(run, (size_t)mmap_size);
	munmap(mem, GUEST_MEM_SIZE);
	close(vcpu);
	close(vm);
	close(kvm);
	return rc;
}
