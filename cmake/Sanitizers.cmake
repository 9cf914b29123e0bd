# TELEMETRY_SANITIZE=address builds with ASan + UBSan, =thread with TSan.
# TELEMETRY_BUILD_FUZZ builds everything with libFuzzer's coverage and ASan + UBSan; the fuzz
# targets add -fsanitize=fuzzer (libFuzzer's main) when they link.
if(TELEMETRY_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TELEMETRY_BUILD_FUZZ needs clang (CMAKE_CXX_COMPILER=clang++)")
  endif()
  if(NOT TELEMETRY_SANITIZE STREQUAL "")
    message(FATAL_ERROR "TELEMETRY_BUILD_FUZZ brings its own sanitizers: leave TELEMETRY_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(TELEMETRY_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(TELEMETRY_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  # GCC warns (-Wtsan, an error under -Werror) that TSan does not model the
  # std::atomic_thread_fence in Boost.Asio's fenced blocks around handler calls. Asio hands
  # handlers between threads through mutexes, which TSan does see; the fences add nothing to
  # what it can check.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
  endif()
elseif(NOT TELEMETRY_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TELEMETRY_SANITIZE must be '', 'address' or 'thread', not '${TELEMETRY_SANITIZE}'")
endif()
