// Shared helpers for the libFuzzer targets: an always-on check that aborts with a message.
#pragma once

#include <cstdio>
#include <cstdlib>

// assert() vanishes under NDEBUG; a fuzz invariant must never vanish.
#define TH_FUZZ_CHECK(cond)                                                          \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                           \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
