// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/ust/shim.c - libtdxr-vmm.so, the VMM shim (docs/design.md §2.3):
 *
 *   LD_PRELOAD=libtdxr-vmm.so qemu-system-x86_64 ...
 *
 * Wraps ioctl() and fallocate() of any VMM, unmodified, and emits the
 * tdxr_vmm LTTng-UST events:
 *  - KVM_CREATE_VCPU (on a VM fd) teaches us vCPU fds and their ids, and
 *    mmap() of a vCPU fd at offset 0 their kvm_run page;
 *  - KVM_RUN: kvm_run_enter before (what the VMM answered to the previous
 *    exit), kvm_run_exit after (the exit, flattened into a0..a5);
 *  - KVM_SET_MEMORY_ATTRIBUTES, KVM_MEMORY_ENCRYPT_OP (struct kvm_tdx_cmd);
 *  - KVM_CREATE_GUEST_MEMFD teaches us guest_memfd fds, whose fallocate()
 *    calls become gmem_fallocate.
 * The VMM sees exactly what it would without us: same return values, same
 * errno. With no tracing session the cost is a table lookup and LTTng's
 * "enabled" test per ioctl. The fd tables are written with atomic stores,
 * so vCPU threads may run while others create vCPUs.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "tdxr_vmm_tp.h"

/* KVM ABI, spelled out: the build host's linux/kvm.h may predate TDX. */
#define SHIM_KVMIO 0xAE
#define SHIM_KVM_CREATE_VCPU _IO(SHIM_KVMIO, 0x41)
#define SHIM_KVM_RUN _IO(SHIM_KVMIO, 0x80)
#define SHIM_KVM_MEMORY_ENCRYPT_OP _IOWR(SHIM_KVMIO, 0xba, unsigned long)
#define SHIM_KVM_SET_MEMORY_ATTRIBUTES _IOW(SHIM_KVMIO, 0xd2, struct shim_mem_attrs)
#define SHIM_KVM_CREATE_GUEST_MEMFD _IOWR(SHIM_KVMIO, 0xd4, struct shim_gmem)

struct shim_mem_attrs {
	uint64_t address, size, attributes, flags;
};

struct shim_gmem {
	uint64_t size, flags, reserved[6];
};

struct shim_tdx_cmd {
	uint32_t id, flags;
	uint64_t data, hw_error;
};

/* kvm_run: the exit reason at 8, the exit union at 32 (stable ABI). */
#define RUN_EXIT_REASON 8
#define RUN_UNION 32

enum {
	EXIT_IO = 2,
	EXIT_HYPERCALL = 3,
	EXIT_MMIO = 6,
	EXIT_SYSTEM_EVENT = 24,
	EXIT_MEMORY_FAULT = 39,
	EXIT_TDX = 50,
};

#define SHIM_MAX_FD 65536

enum { FD_NONE, FD_VCPU, FD_GMEM };

struct fd_slot {
	_Atomic(uint8_t *) run; /* the vCPU's kvm_run page, once mapped */
	_Atomic size_t run_len; /* the mapping's length (I/O data follows kvm_run) */
	_Atomic int32_t vcpu;	/* vcpu id */
	_Atomic uint8_t kind;
};

static struct fd_slot fds[SHIM_MAX_FD];

typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
typedef int (*fallocate_fn)(int, int, off_t, off_t);

static ioctl_fn real_ioctl;
static mmap_fn real_mmap;
static fallocate_fn real_fallocate, real_fallocate64;
static int (*real_close)(int);
static _Atomic int32_t my_pid;

static void after_fork(void)
{
	atomic_store_explicit(&my_pid, (int32_t)syscall(SYS_getpid), memory_order_relaxed);
}

__attribute__((constructor)) static void shim_init(void)
{
	real_ioctl = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	real_mmap = (mmap_fn)dlsym(RTLD_NEXT, "mmap");
	real_fallocate = (fallocate_fn)dlsym(RTLD_NEXT, "fallocate");
	real_fallocate64 = (fallocate_fn)dlsym(RTLD_NEXT, "fallocate64");
	real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	after_fork();
	pthread_atfork(NULL, NULL, after_fork);
}

static inline int32_t vm_pid(void)
{
	return atomic_load_explicit(&my_pid, memory_order_relaxed);
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Up to 8 bytes at @p, little-endian, zero-extended. */
static inline uint64_t rdn(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p, n > 8 ? 8 : n);
	return v;
}

static void emit_exit(int32_t vcpu, const uint8_t *run, size_t len)
{
	struct tdxr_vmm_kvm_run_exit e = {.vm = vm_pid(), .vcpu = vcpu};
	const uint8_t *u = run + RUN_UNION;

	e.reason = rd32(run + RUN_EXIT_REASON);
	switch (e.reason) {
	case EXIT_IO: {
		/* direction u8, size u8, port u16, count u32, data_offset u64 */
		uint64_t off = rd64(u + 8);
		size_t n = (size_t)u[1] * rd32(u + 4);

		e.a0 = u[0];
		e.a1 = u[1];
		e.a2 = (uint16_t)(u[2] | u[3] << 8);
		e.a3 = rd32(u + 4);
		e.a4 = off < len && len - off >= 8 ? rdn(run + off, n) : 0;
		break;
	}
	case EXIT_MMIO:
		/* phys_addr u64, data[8], len u32, is_write u8 */
		e.a0 = rd64(u);
		e.a1 = rd32(u + 16);
		e.a2 = u[20];
		e.a3 = rdn(u + 8, e.a1);
		break;
	case EXIT_HYPERCALL:
		/* nr, args[6], ret, flags */
		e.a0 = rd64(u);
		e.a1 = rd64(u + 8);
		e.a2 = rd64(u + 16);
		e.a3 = rd64(u + 24);
		e.a4 = rd64(u + 64);
		e.a5 = rd64(u + 56);
		break;
	case EXIT_SYSTEM_EVENT:
		/* type u32, ndata u32, data[16] */
		e.a0 = rd32(u);
		e.a1 = rd32(u + 4);
		e.a2 = rd64(u + 8);
		e.a3 = rd64(u + 16);
		e.a4 = rd64(u + 24);
		e.a5 = rd64(u + 32);
		break;
	case EXIT_TDX:
		/* flags, nr, then the call's registers */
		e.a0 = rd64(u + 8);
		e.a1 = rd64(u + 16);
		e.a2 = rd64(u + 24);
		e.a3 = rd64(u + 32);
		e.a4 = rd64(u + 40);
		e.a5 = rd64(u + 48);
		break;
	default:
		/* MEMORY_FAULT (flags, gpa, size) and the rest: the first words. */
		e.a0 = rd64(u);
		e.a1 = rd64(u + 8);
		e.a2 = rd64(u + 16);
		e.a3 = rd64(u + 24);
		e.a4 = rd64(u + 32);
		e.a5 = rd64(u + 40);
		break;
	}
	lttng_ust_tracepoint(tdxr_vmm, kvm_run_exit, &e);
}

/* What the VMM answers to the exit it handled, as KVM_RUN takes it back. */
static void emit_enter(int32_t vcpu, const uint8_t *run, size_t len)
{
	struct tdxr_vmm_kvm_run_enter e = {.vm = vm_pid(), .vcpu = vcpu};
	const uint8_t *u = run + RUN_UNION;

	e.reason = rd32(run + RUN_EXIT_REASON);
	switch (e.reason) {
	case EXIT_IO: {
		uint64_t off = rd64(u + 8);

		e.a0 = u[0];
		e.a1 = off < len && len - off >= 8 ? rdn(run + off, (size_t)u[1] * rd32(u + 4)) : 0;
		break;
	}
	case EXIT_MMIO:
		e.a0 = rd64(u);
		e.a1 = rdn(u + 8, rd32(u + 16));
		break;
	case EXIT_HYPERCALL:
		e.a0 = rd64(u);
		e.a1 = rd64(u + 56);
		break;
	case EXIT_TDX:
		e.a0 = rd64(u + 8);
		e.a1 = rd64(u + 16);
		break;
	default:
		break;
	}
	lttng_ust_tracepoint(tdxr_vmm, kvm_run_enter, &e);
}

static inline struct fd_slot *slot(int fd)
{
	return fd >= 0 && fd < SHIM_MAX_FD ? &fds[fd] : NULL;
}

static int call_ioctl(int fd, unsigned long req, void *arg)
{
	if (!real_ioctl) {
		return (int)syscall(SYS_ioctl, fd, req, arg);
	}
	return real_ioctl(fd, req, arg);
}

int ioctl(int fd, unsigned long req, ...)
{
	struct fd_slot *sl;
	uint8_t *run;
	va_list ap;
	void *arg;
	int ret, err;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	switch (req) {
	case SHIM_KVM_RUN:
		sl = slot(fd);
		run = sl ? atomic_load_explicit(&sl->run, memory_order_acquire) : NULL;
		if (!run) {
			return call_ioctl(fd, req, arg);
		}
		if (lttng_ust_tracepoint_enabled(tdxr_vmm, kvm_run_enter)) {
			emit_enter(atomic_load_explicit(&sl->vcpu, memory_order_relaxed), run,
				   atomic_load_explicit(&sl->run_len, memory_order_relaxed));
		}
		ret = call_ioctl(fd, req, arg);
		if (lttng_ust_tracepoint_enabled(tdxr_vmm, kvm_run_exit)) {
			err = errno;
			emit_exit(atomic_load_explicit(&sl->vcpu, memory_order_relaxed), run,
				  atomic_load_explicit(&sl->run_len, memory_order_relaxed));
			errno = err;
		}
		return ret;
	case SHIM_KVM_CREATE_VCPU:
		ret = call_ioctl(fd, req, arg);
		if (ret >= 0 && (sl = slot(ret))) {
			err = errno;
			atomic_store_explicit(&sl->run, NULL, memory_order_relaxed);
			atomic_store_explicit(&sl->vcpu, (int32_t)(uintptr_t)arg,
					      memory_order_relaxed);
			atomic_store_explicit(&sl->kind, FD_VCPU, memory_order_release);
			errno = err;
		}
		return ret;
	case SHIM_KVM_CREATE_GUEST_MEMFD:
		ret = call_ioctl(fd, req, arg);
		if (ret >= 0 && (sl = slot(ret))) {
			atomic_store_explicit(&sl->run, NULL, memory_order_relaxed);
			atomic_store_explicit(&sl->kind, FD_GMEM, memory_order_release);
		}
		return ret;
	case SHIM_KVM_SET_MEMORY_ATTRIBUTES:
		ret = call_ioctl(fd, req, arg);
		if (lttng_ust_tracepoint_enabled(tdxr_vmm, set_memory_attributes) && arg) {
			struct tdxr_vmm_set_memory_attributes e = {.vm = vm_pid()};
			struct shim_mem_attrs a;

			err = errno;
			memcpy(&a, arg, sizeof(a));
			e.address = a.address;
			e.size = a.size;
			e.attributes = a.attributes;
			e.ret = ret < 0 ? -err : ret;
			lttng_ust_tracepoint(tdxr_vmm, set_memory_attributes, &e);
			errno = err;
		}
		return ret;
	case SHIM_KVM_MEMORY_ENCRYPT_OP:
		ret = call_ioctl(fd, req, arg);
		if (lttng_ust_tracepoint_enabled(tdxr_vmm, memory_encrypt_op) && arg) {
			struct tdxr_vmm_memory_encrypt_op e = {.vm = vm_pid()};
			struct shim_tdx_cmd c;

			err = errno;
			memcpy(&c, arg, sizeof(c));
			e.cmd_id = c.id;
			e.flags = c.flags;
			e.data = c.data;
			e.hw_error = c.hw_error;
			e.ret = ret < 0 ? -err : ret;
			lttng_ust_tracepoint(tdxr_vmm, memory_encrypt_op, &e);
			errno = err;
		}
		return ret;
	default:
		return call_ioctl(fd, req, arg);
	}
}

static void learn_run(void *p, size_t len, int fd, off_t off)
{
	struct fd_slot *sl = slot(fd);

	if (p != MAP_FAILED && off == 0 && sl &&
	    atomic_load_explicit(&sl->kind, memory_order_acquire) == FD_VCPU) {
		atomic_store_explicit(&sl->run_len, len, memory_order_relaxed);
		atomic_store_explicit(&sl->run, (uint8_t *)p, memory_order_release);
	}
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;

	if (!real_mmap) {
		p = (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
		if ((uintptr_t)p > (uintptr_t)-4096) {
			errno = -(int)(intptr_t)p;
			return MAP_FAILED;
		}
	} else {
		p = real_mmap(addr, len, prot, flags, fd, off);
	}
	if (fd >= 0) {
		int err = errno;

		learn_run(p, len, fd, off);
		errno = err;
	}
	return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

static int do_fallocate(fallocate_fn fn, int fd, int mode, off_t off, off_t len)
{
	struct fd_slot *sl = slot(fd);
	int ret = fn ? fn(fd, mode, off, len) : (int)syscall(SYS_fallocate, fd, mode, off, len);

	if (sl && atomic_load_explicit(&sl->kind, memory_order_acquire) == FD_GMEM &&
	    lttng_ust_tracepoint_enabled(tdxr_vmm, gmem_fallocate)) {
		struct tdxr_vmm_gmem_fallocate e = {
			.vm = vm_pid(), .fd = fd, .mode = (uint32_t)mode};
		int err = errno;

		e.offset = (uint64_t)off;
		e.len = (uint64_t)len;
		e.ret = ret < 0 ? -err : ret;
		lttng_ust_tracepoint(tdxr_vmm, gmem_fallocate, &e);
		errno = err;
	}
	return ret;
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
	return do_fallocate(real_fallocate, fd, mode, off, len);
}

int fallocate64(int fd, int mode, off_t off, off_t len)
{
	return do_fallocate(real_fallocate64 ? real_fallocate64 : real_fallocate, fd, mode, off,
			    len);
}

/* A closed fd is no longer a vCPU or a guest_memfd. */
int close(int fd)
{
	struct fd_slot *sl = slot(fd);

	if (sl && atomic_load_explicit(&sl->kind, memory_order_relaxed) != FD_NONE) {
		atomic_store_explicit(&sl->kind, FD_NONE, memory_order_relaxed);
		atomic_store_explicit(&sl->run, NULL, memory_order_release);
	}
	return real_close ? real_close(fd) : (int)syscall(SYS_close, fd);
}
