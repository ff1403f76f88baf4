/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/strtab.h - interned strings (comms, symbolic field values, event
 * names of unmodelled events).
 *
 * Memory grows with the number of *distinct* strings, not with the trace.
 * Id 0 is always the empty string. Single-threaded; the table owns every
 * string it returns.
 */
#ifndef TDXR_STRTAB_H
#define TDXR_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct tdxr_strtab;

struct tdxr_strtab *tdxr_strtab_new(void);
void tdxr_strtab_free(struct tdxr_strtab *st);

/* Id of @s[0..len), interning it if new. Returns 0 (the empty string) when
 * the table is full (TDXR_STRTAB_MAX_BYTES): callers never fail on it. */
uint32_t tdxr_strtab_intern(struct tdxr_strtab *st, const char *s, size_t len);

/* The string of @id; "" for an unknown id. Valid as long as @st lives. */
const char *tdxr_strtab_get(const struct tdxr_strtab *st, uint32_t id);

uint32_t tdxr_strtab_count(const struct tdxr_strtab *st);

#define TDXR_STRTAB_MAX_BYTES (256u << 20)

#endif /* TDXR_STRTAB_H */
