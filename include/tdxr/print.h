/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/print.h - events as text, the one way every tool shows them.
 */
#ifndef TDXR_PRINT_H
#define TDXR_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include "tdxr/event.h"
#include "tdxr/strtab.h"

/* "system:event" (unmodelled: "*:name"). Returns @buf. */
const char *tdxr_event_fullname(const struct tdxr_event *ev, const struct tdxr_strtab *st,
				char *buf, size_t len);

/*
 * The fields as "name=value ..." (unsigned in hex, signed in decimal,
 * strings quoted when they hold blanks; unmodelled: raw="payload").
 * Absent optional fields are left out. Returns the length written
 * (truncated to fit, always NUL-terminated).
 */
size_t tdxr_event_fields(const struct tdxr_event *ev, const struct tdxr_strtab *st, char *buf,
			 size_t len);

/* "SECS.NNNNNNNNN" (9 decimals). Returns @buf. */
const char *tdxr_ts_str(uint64_t ts, char *buf, size_t len);

/* @s as a JSON string, quoted and escaped ("null" for NULL). */
void tdxr_json_str(FILE *f, const char *s);

#endif /* TDXR_PRINT_H */
