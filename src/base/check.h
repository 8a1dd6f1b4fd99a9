#pragma once
// OLLA_CHECK: aborts on a programmer bug, never on user input (CONVENTIONS.md C2).

#include <cstdio>
#include <cstdlib>

#define OLLA_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)
