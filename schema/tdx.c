// SPDX-License-Identifier: GPL-2.0
/*
 * schema/tdx.c - the words for TDX and KVM values, expanded from
 * schema/tdx.def (facts: docs/tdx.md). The CLI, the TUI, JSON and the
 * readers all print and parse through these functions.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdxr/tdx.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Indexed by leaf number: the event stream asks for every SEAMCALL. */
static const struct {
	unsigned int flags;
	const char *name; /* NULL: no such leaf */
	const char *dotted;
} leaves[] = {
#define TDXR_LEAF(id, name, dotted, flags) [id] = {flags, #name, dotted},
#include "tdx.def"
};

static const struct {
	uint32_t cls;
	const char *name;
} statuses[] = {
#define TDXR_STATUS(name, cls) {cls, #name},
#define TDXR_STATUS_ALIAS(name, cls) {cls, #name},
#include "tdx.def"
};

static const struct {
	uint32_t id;
	const char *name;
} operands[] = {
#define TDXR_OPERAND(name, id) {id, #name},
#include "tdx.def"
};

static const struct {
	uint32_t nr;
	const char *name;
} exit_reasons[] = {
#define TDXR_EXIT_REASON(name, nr) {nr, #name},
#include "tdx.def"
};

static const struct {
	unsigned int state;
	const char *name;
} sept_states[] = {
#define TDXR_SEPT_STATE(name, value) {value, #name},
#include "tdx.def"
};

static const char *const memtypes[8] = {
#define TDXR_EPT_MEMTYPE(name, value) [value] = #name,
#include "tdx.def"
};

static const struct {
	uint64_t bit;
	const char *word;
} spte_words[] = {
#define TDXR_SPTE_BIT(name, bit, word) {1ull << (bit), word},
#include "tdx.def"
};

static int leaf_index(uint64_t leaf)
{
	uint64_t l = leaf & 0xffff;

	return l < ARRAY_SIZE(leaves) && leaves[l].name ? (int)l : -1;
}

const char *tdxr_seamcall_name(uint64_t leaf)
{
	int i = leaf_index(leaf);

	return i < 0 ? NULL : leaves[i].name;
}

const char *tdxr_seamcall_dotted_name(uint64_t leaf)
{
	int i = leaf_index(leaf);

	return i < 0 ? NULL : leaves[i].dotted;
}

unsigned int tdxr_seamcall_flags(uint64_t leaf)
{
	int i = leaf_index(leaf);

	return i < 0 ? 0 : leaves[i].flags;
}

int tdxr_seamcall_leaf(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(leaves); i++) {
		if (!leaves[i].name) {
			continue;
		}
		if ((strlen(leaves[i].name) == len && memcmp(leaves[i].name, name, len) == 0) ||
		    (strlen(leaves[i].dotted) == len && memcmp(leaves[i].dotted, name, len) == 0)) {
			return (int)i;
		}
	}
	return -1;
}

const char *tdxr_tdx_status_name(uint64_t status)
{
	uint32_t cls = (uint32_t)(status >> 32);

	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++) {
		if (statuses[i].cls == cls) {
			return statuses[i].name;
		}
	}
	return NULL;
}

const char *tdxr_tdx_operand_name(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(operands); i++) {
		if (operands[i].id == id) {
			return operands[i].name;
		}
	}
	return NULL;
}

const char *tdxr_tdx_status_str(uint64_t status, char *buf, size_t len)
{
	uint32_t op = (uint32_t)status;
	const char *name, *opn;

	/* TDX_SW_ERROR is a mask (bits 47:40): its low 40 bits say which. */
	if ((status & 0xFFFFFF0000000000ull) == TDX_SW_ERROR && status != TDX_SW_ERROR) {
		snprintf(buf, len, "TDX_SW_ERROR|0x%" PRIx64, (uint64_t)(status & 0xFFFFFFFFFFull));
		return buf;
	}
	name = tdxr_tdx_status_name(status);
	if (!name) {
		snprintf(buf, len, "0x%016" PRIx64, status);
	} else if (op == 0) {
		snprintf(buf, len, "%s", name);
	} else if ((opn = tdxr_tdx_operand_name(op)) != NULL) {
		snprintf(buf, len, "%s|%s", name, opn);
	} else {
		snprintf(buf, len, "%s|0x%x", name, op);
	}
	return buf;
}

const char *tdxr_seamcall_status_str(uint64_t leaf, uint64_t status, char *buf, size_t len)
{
	if ((leaf & 0xffff) == TDH_VP_ENTER && (status & TDX_STATUS_MASK) == 0) {
		const char *r = tdxr_vmx_exit_reason_name((uint32_t)status & 0xffff);

		snprintf(buf, len, "exit %u %s", (unsigned int)(status & 0xffff), r ? r : "?");
		return buf;
	}
	return tdxr_tdx_status_str(status, buf, len);
}

const char *tdxr_vmx_exit_reason_name(uint32_t nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(exit_reasons); i++) {
		if (exit_reasons[i].nr == nr) {
			return exit_reasons[i].name;
		}
	}
	return NULL;
}

uint32_t tdxr_vmx_exit_reason(const char *s)
{
	size_t n = strcspn(s, " (");

	for (size_t i = 0; i < ARRAY_SIZE(exit_reasons); i++) {
		if (strlen(exit_reasons[i].name) == n && memcmp(exit_reasons[i].name, s, n) == 0) {
			return exit_reasons[i].nr;
		}
	}
	/* __print_symbolic prints an unknown value as 0x...; SVM names stay unknown. */
	if (s[0] == '0' && s[1] == 'x') {
		return (uint32_t)strtoul(s, NULL, 16);
	}
	return UINT32_MAX;
}

const char *tdxr_sept_state_name(unsigned int state)
{
	for (size_t i = 0; i < ARRAY_SIZE(sept_states); i++) {
		if (sept_states[i].state == state) {
			return sept_states[i].name;
		}
	}
	return NULL;
}

const char *tdxr_level_name(int level)
{
	static const char *const n[] = {"L?", "4K", "2M", "1G", "512G", "256T"};

	if (level < 1 || level > 5) {
		return n[0];
	}
	return n[level];
}

const char *tdxr_sept_level_state_str(uint64_t rdx, char *buf, size_t len)
{
	unsigned int level = rdx & 7, state = (rdx >> 8) & 0xff;
	const char *sn = tdxr_sept_state_name(state);

	/* tdx level = KVM page level - 1 */
	snprintf(buf, len, "level %u (%s) state %s (%u)", level,
		 level < 5 ? tdxr_level_name((int)level + 1) : "?", sn ? sn : "?", state);
	return buf;
}

/* Appends printf-style text at *pos, never past @len (always terminated). */
static void cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0) {
		*pos += (size_t)n;
		if (*pos >= len) {
			*pos = len - 1;
		}
	}
}

unsigned int tdxr_spte_mmio_gen(uint64_t spte)
{
	unsigned int lo = (unsigned int)((spte >> 3) & 0xff);
	unsigned int hi = (unsigned int)((spte >> 52) & 0x7ff);

	return lo | (hi << 8);
}

const char *tdxr_spte_str(uint64_t spte, char *buf, size_t len)
{
	bool vmx_mmio = (spte & MMIO_SPTE_MASK) == MMIO_VALUE_VMX;
	bool td_mmio = (spte & MMIO_SPTE_MASK) == 0 && spte != 0;
	unsigned int mt = (unsigned int)((spte >> SPTE_MT_SHIFT) & 7);
	uint64_t pfn = (spte & SPTE_PFN_MASK) >> 12;
	size_t pos = 0;

	buf[0] = '\0';
	if (spte == FROZEN_SPTE) {
		cat(buf, len, &pos, "FROZEN");
		return buf;
	}
	if (!(spte & SPTE_PRESENT)) {
		if (spte == SHADOW_NONPRESENT_VALUE || spte == 0) {
			cat(buf, len, &pos, "non-present%s", (spte & SPTE_SVE) ? " SVE" : "");
			return buf;
		}
		if (td_mmio || vmx_mmio) {
			cat(buf, len, &pos, "MMIO%s gen=0x%x gfn=0x%" PRIx64 " SVE=%d",
			    td_mmio ? " (TD)" : "", tdxr_spte_mmio_gen(spte), pfn,
			    (spte & SPTE_SVE) ? 1 : 0);
			return buf;
		}
		cat(buf, len, &pos, "non-present");
	}
	cat(buf, len, &pos, "%s%s%s", (spte & SPTE_R) ? "R" : "-", (spte & SPTE_W) ? "W" : "-",
	    (spte & SPTE_X) ? "X" : "-");
	if (memtypes[mt]) {
		cat(buf, len, &pos, " mt=%s", memtypes[mt]);
	} else {
		cat(buf, len, &pos, " mt=mt%u", mt);
	}
	for (size_t i = 0; i < ARRAY_SIZE(spte_words); i++) {
		if (spte_words[i].word && (spte & spte_words[i].bit)) {
			cat(buf, len, &pos, " %s", spte_words[i].word);
		}
	}
	cat(buf, len, &pos, " SVE=%d pfn=0x%" PRIx64, (spte & SPTE_SVE) ? 1 : 0, pfn);
	return buf;
}
