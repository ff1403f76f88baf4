/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/finding.h - what the model reports (docs/design.md §4).
 *
 * A finding is a value handed to a sink (tdxr/model.h) at the event that
 * reveals the problem. The sink copies what it keeps: the struct lives on
 * the model's stack only for the duration of the call.
 */
#ifndef TDXR_FINDING_H
#define TDXR_FINDING_H

#include <stdbool.h>
#include <stdint.h>

enum mdl_severity {
	MDL_SEV_WARNING,
	MDL_SEV_ERROR,
};

enum mdl_finding_kind {
#define MDL_FINDING(id, name, sev, summary) MDL_FK_##id,
#include "tdxr/finding.def"
#undef MDL_FINDING
	MDL_FK__COUNT,
};

#define MDL_CHAIN_MAX 32

struct mdl_finding {
	uint64_t seq;	  /* the event that reveals the problem */
	uint64_t ts;	  /* its timestamp, ns */
	uint32_t line;	  /* its line in text input, 0 otherwise */
	uint16_t input;	  /* its input index */
	uint16_t kind;	  /* enum mdl_finding_kind */
	uint8_t severity; /* enum mdl_severity */
	int32_t vm;	  /* VMM tgid, -1 unknown */
	int32_t vcpu;	  /* -1 unknown / not vCPU-specific */
	bool has_gfn;
	uint64_t gfn; /* without the shared bit */
	char expected[64];
	char actual[64];
	char message[256];
	uint64_t cause_seq; /* the first cause (== seq when it is its own) */
	uint32_t nr_chain;
	/* seqs, oldest first, ending with this finding's own seq */
	uint64_t chain[MDL_CHAIN_MAX];
};

/* "status-mismatch", ...; "?" for an unknown kind. */
const char *mdl_finding_kind_name(unsigned int kind);
/* Default severity of @kind (busy-retry is raised to error per finding). */
enum mdl_severity mdl_finding_kind_severity(unsigned int kind);
const char *mdl_finding_kind_summary(unsigned int kind);
/* Kind of @name, -1 if none. */
int mdl_finding_kind_lookup(const char *name);
/* "warning" / "error". */
const char *mdl_severity_name(unsigned int sev);

#endif /* TDXR_FINDING_H */
