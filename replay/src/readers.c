// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/readers.c - the readers built into libtdxr (readers.h). Each
 * TDXR_WITH_* is defined by CMakeLists.txt when its option is on.
 */
#include "readers.h"

extern const struct tdxr_reader tdxr_reader_text;
#ifdef TDXR_WITH_DAT
extern const struct tdxr_reader tdxr_reader_dat;
#endif
#ifdef TDXR_WITH_CTF
extern const struct tdxr_reader tdxr_reader_ctf;
#endif
#ifdef TDXR_WITH_INDEX
extern const struct tdxr_reader tdxr_reader_index;
#endif

const struct tdxr_reader *const tdxr_readers[] = {
#ifdef TDXR_WITH_DAT
	&tdxr_reader_dat,
#endif
#ifdef TDXR_WITH_INDEX
	&tdxr_reader_index,
#endif
#ifdef TDXR_WITH_CTF
	&tdxr_reader_ctf,
#endif
	&tdxr_reader_text,
};

const unsigned int tdxr_nr_readers = sizeof(tdxr_readers) / sizeof(tdxr_readers[0]);
