/*
 * What every libFuzzer target of pocd shares (built and run by `make
 * fuzz`; seed corpora in fuzz/corpus/TARGET/).  Each target feeds hostile
 * bytes to one parser that the network or an operator's file reaches, and
 * checks properties that must hold for any input, so that a wrong answer,
 * not only a crash seen by ASan/UBSan, is a finding too.
 */
#ifndef POC_FUZZ_H
#define POC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding) with the property that failed. */
#define FUZZ_ASSERT(c)	do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: property failed: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

#endif
