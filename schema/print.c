// SPDX-License-Identifier: GPL-2.0
/*
 * schema/print.c - events as text, expanded from the schema.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tdxr/print.h"

const char *tdxr_event_fullname(const struct tdxr_event *ev, const struct tdxr_strtab *st,
				char *buf, size_t len)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(ev->type);

	if (ev->type == TDXR_EV_UNMODELLED) {
		snprintf(buf, len, "*:%s", tdxr_strtab_get(st, ev->name));
	} else {
		snprintf(buf, len, "%s:%s", d->system, d->name);
	}
	return buf;
}

const char *tdxr_ts_str(uint64_t ts, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, ts / 1000000000u, ts % 1000000000u);
	return buf;
}

/* Appends to buf at *pos, keeping it NUL-terminated and within len. */
static void put(char *buf, size_t len, size_t *pos, const char *s, size_t n)
{
	if (*pos + 1 >= len) {
		return;
	}
	if (n > len - 1 - *pos) {
		n = len - 1 - *pos;
	}
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
}

static void put_str(char *buf, size_t len, size_t *pos, const char *s)
{
	bool quote = *s == '\0' || strpbrk(s, " \t\"") != NULL;

	if (!quote) {
		put(buf, len, pos, s, strlen(s));
		return;
	}
	put(buf, len, pos, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			put(buf, len, pos, "\\", 1);
		}
		put(buf, len, pos, s, 1);
	}
	put(buf, len, pos, "\"", 1);
}

size_t tdxr_event_fields(const struct tdxr_event *ev, const struct tdxr_strtab *st, char *buf,
			 size_t len)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(ev->type);
	size_t pos = 0;
	char num[32];

	if (len == 0) {
		return 0;
	}
	buf[0] = '\0';
	if (ev->type == TDXR_EV_UNMODELLED) {
		put(buf, len, &pos, "raw=", 4);
		put_str(buf, len, &pos, ev->raw ? ev->raw : "");
		return pos;
	}
	for (unsigned int i = 0; i < d->nr_fields; i++) {
		const struct tdxr_field_desc *fd = &d->fields[i];
		uint64_t v = ev->f[i];
		int n;

		if (!((ev->fmask >> i) & 1)) {
			continue;
		}
		if (pos) {
			put(buf, len, &pos, " ", 1);
		}
		put(buf, len, &pos, fd->name, strlen(fd->name));
		put(buf, len, &pos, "=", 1);
		switch (fd->type) {
		case TDXR_FT_STR:
			put_str(buf, len, &pos, tdxr_strtab_get(st, (uint32_t)v));
			continue;
		case TDXR_FT_S32:
			n = snprintf(num, sizeof(num), "%d", (int32_t)v);
			break;
		case TDXR_FT_U32:
			if (fd->role == TDXR_FR_VCPU || fd->role == TDXR_FR_NONE) {
				/* ids and counts read best in decimal; registers stay hex */
				n = fd->role == TDXR_FR_VCPU || strcmp(fd->name, "len") == 0 ||
						    strcmp(fd->name, "reason") == 0
					    ? snprintf(num, sizeof(num), "%u", (uint32_t)v)
					    : snprintf(num, sizeof(num), "0x%x", (uint32_t)v);
				break;
			}
			n = snprintf(num, sizeof(num), "%u", (uint32_t)v);
			break;
		case TDXR_FT_S64:
			n = snprintf(num, sizeof(num), "%" PRId64, (int64_t)v);
			break;
		default:
			n = snprintf(num, sizeof(num), "0x%" PRIx64, v);
			break;
		}
		put(buf, len, &pos, num, (size_t)n);
	}
	return pos;
}

void tdxr_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}
