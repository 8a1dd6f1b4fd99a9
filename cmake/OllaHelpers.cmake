# olla_library(name SOURCES ... DEPS ... [PUBLIC_DEPS ...])
#   One static library per src/ folder, exported as olla::<name>. Include paths are rooted at src/,
#   so code includes "base/status.h", "gguf/reader.h", ...
# olla_test(name SOURCES ... DEPS ... [LABELS ...])
#   A GoogleTest binary registered with ctest; tests get OLLA_TESTDATA pointing at ../shared/testdata.

set(OLLA_WARNING_FLAGS -Wall -Wextra -Wshadow -Wno-missing-field-initializers)
if(OLLA_WERROR)
  list(APPEND OLLA_WARNING_FLAGS -Werror)
endif()
if(OLLA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Highway targets (DESIGN.md C7): every SIMD translation unit is compiled once per enabled
# target, so the list stays short: AVX2 and AVX-512 (AVX3) on x86, NEON on Arm, plus Highway's
# portable baseline (EMU128). SSSE3/SSE4 machines take the baseline; SVE is not worth its
# compile time yet. AVX-512 VNNI and AMX have their own run-time-chosen TUs (src/kernels/).
set(OLLA_HWY_DISABLED_TARGETS "(HWY_SSSE3|HWY_SSE4|HWY_AVX3_DL|HWY_SVE|HWY_SVE2|HWY_SVE_256|HWY_SVE2_128)")

function(olla_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(olla_${name} STATIC ${ARG_SOURCES})
  add_library(olla::${name} ALIAS olla_${name})
  target_include_directories(olla_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(olla_${name} PRIVATE ${OLLA_WARNING_FLAGS})
  target_link_libraries(olla_${name} PUBLIC ${ARG_DEPS})
endfunction()

function(olla_test name)
  if(NOT OLLA_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${OLLA_WARNING_FLAGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} olla::testing GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "OLLA_TESTDATA_DEFAULT=${OLLA_TESTDATA_DIR};OLLA_BINARY=$<TARGET_FILE:olla>"
    TIMEOUT 600)
endfunction()
