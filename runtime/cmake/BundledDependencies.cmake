# Dependencies for machines without a package registry (the GPU machine):
# SPIKE_DEPS_DIR names a folder made by scripts/prepare-gpu-deps.sh from
# Debian's packages, which travels with the working tree:
#   include/, share/cmake/   header-only libraries with their CMake configs
#   src/googletest           GoogleTest's sources (Debian: googletest)
#   src/zlib, src/bzip2      the sources of zlib and bzip2 (Debian sources)
# Each library is taken from the system when CMake finds it there and built
# from the folder's sources otherwise; GoogleTest is always built from
# sources when they are given, since a system GoogleTest may have the other
# C++ string ABI than the libtorch at hand.

set(SPIKE_DEPS_DIR "" CACHE PATH
    "Folder of carried dependencies (scripts/prepare-gpu-deps.sh)")
if(SPIKE_DEPS_DIR)
  if(NOT EXISTS ${SPIKE_DEPS_DIR}/src)
    message(FATAL_ERROR "SPIKE_DEPS_DIR=${SPIKE_DEPS_DIR} holds no src/: "
                        "make it with scripts/prepare-gpu-deps.sh")
  endif()
  list(APPEND CMAKE_PREFIX_PATH ${SPIKE_DEPS_DIR})
endif()

# A static library from the C files of a carried source tree, under the
# imported-style name `alias` that find_package would have given.
function(spike_bundled_c_library name alias dir)
  set(sources ${ARGN})
  list(TRANSFORM sources PREPEND ${dir}/)
  add_library(${name} STATIC EXCLUDE_FROM_ALL ${sources})
  target_include_directories(${name} SYSTEM PUBLIC ${dir})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON
                                           C_VISIBILITY_PRESET hidden)
  # Third-party C: its warnings are not ours to fix.
  target_compile_options(${name} PRIVATE -w)
  add_library(${alias} ALIAS ${name})
  message(STATUS "spike: ${alias} built from ${dir}")
endfunction()

find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND AND SPIKE_DEPS_DIR AND EXISTS ${SPIKE_DEPS_DIR}/src/zlib)
  spike_bundled_c_library(spike_zlib ZLIB::ZLIB ${SPIKE_DEPS_DIR}/src/zlib
    adler32.c compress.c crc32.c deflate.c gzclose.c gzlib.c gzread.c
    gzwrite.c infback.c inffast.c inflate.c inftrees.c trees.c uncompr.c
    zutil.c)
endif()

find_package(BZip2 QUIET)
if(NOT BZIP2_FOUND AND SPIKE_DEPS_DIR AND EXISTS ${SPIKE_DEPS_DIR}/src/bzip2)
  spike_bundled_c_library(spike_bzip2 BZip2::BZip2 ${SPIKE_DEPS_DIR}/src/bzip2
    blocksort.c bzlib.c compress.c crctable.c decompress.c huffman.c
    randtable.c)
endif()

# GoogleTest: from sources when SPIKE_DEPS_DIR has them, or when libtorch
# uses the old string ABI (Debian's libgtest has the new one).
set(spike_gtest_default "")
if(SPIKE_DEPS_DIR AND EXISTS ${SPIKE_DEPS_DIR}/src/googletest)
  set(spike_gtest_default ${SPIKE_DEPS_DIR}/src/googletest)
elseif(SPIKE_OLD_CXX_ABI)
  set(spike_gtest_default /usr/src/googletest)
endif()
set(SPIKE_GTEST_SOURCE "${spike_gtest_default}" CACHE PATH
    "GoogleTest sources to build the unit tests with (empty: the system's)")
if(SPIKE_GTEST_SOURCE)
  if(EXISTS ${SPIKE_GTEST_SOURCE}/CMakeLists.txt)
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
    add_subdirectory(${SPIKE_GTEST_SOURCE} ${CMAKE_BINARY_DIR}/googletest
                     EXCLUDE_FROM_ALL)
    if(NOT TARGET GTest::gtest_main) # GoogleTest >= 1.11 defines them
      add_library(GTest::gtest ALIAS gtest)
      add_library(GTest::gtest_main ALIAS gtest_main)
    endif()
    message(STATUS "spike: GoogleTest built from ${SPIKE_GTEST_SOURCE}")
  else()
    message(STATUS "spike: no GoogleTest sources in ${SPIKE_GTEST_SOURCE}")
  endif()
endif()
if(SPIKE_OLD_CXX_ABI AND NOT TARGET GTest::gtest_main)
  # The system's GoogleTest has the other ABI: never link it.
  set(CMAKE_DISABLE_FIND_PACKAGE_GTest ON)
elseif(NOT TARGET GTest::gtest_main)
  find_package(GTest)
endif()

# The GPU check must not pass by building no tests.
option(SPIKE_REQUIRE_TESTS "Fail the configure step without GoogleTest" OFF)
if(NOT TARGET GTest::gtest_main)
  if(SPIKE_REQUIRE_TESTS)
    message(FATAL_ERROR "spike: SPIKE_REQUIRE_TESTS is on but no GoogleTest "
                        "was found (give SPIKE_DEPS_DIR or SPIKE_GTEST_SOURCE)")
  endif()
  message(WARNING "spike: no GoogleTest: the unit tests, the CUDA kernel "
                  "tests among them, are not built")
endif()
