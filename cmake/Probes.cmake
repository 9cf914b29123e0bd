# telemetry_generate_probes(TARGET t SCALARS file EVENTS file NAME n [NAMESPACE ns])
#
# Runs telemetry-codegen over the probe files at build time and builds the result into the
# static library `t`: <n>.h (typed handles) and <n>.cc (the compiled-in registry table).
# The handles live in C++ namespace `ns` (default telemetry::probes). The files are regenerated when the YAML or the generator changes; a file with an error fails
# the build with the generator's file:line:column messages.
function(telemetry_generate_probes)
  cmake_parse_arguments(ARG "" "TARGET;SCALARS;EVENTS;NAME;NAMESPACE" "" ${ARGN})
  if(NOT ARG_NAMESPACE)
    set(ARG_NAMESPACE "telemetry::probes")
  endif()
  set(out_dir "${CMAKE_BINARY_DIR}/generated/telemetry")
  set(header "${out_dir}/${ARG_NAME}.h")
  set(source "${out_dir}/${ARG_NAME}.cc")
  add_custom_command(
    OUTPUT "${header}" "${source}"
    COMMAND telemetry-codegen
            --scalars "${ARG_SCALARS}" --events "${ARG_EVENTS}"
            --header "${header}" --source "${source}"
            --include "telemetry/${ARG_NAME}.h" --namespace "${ARG_NAMESPACE}"
    DEPENDS telemetry-codegen "${ARG_SCALARS}" "${ARG_EVENTS}"
    COMMENT "Generating typed probes from ${ARG_SCALARS} and ${ARG_EVENTS}"
    VERBATIM)
  add_library(${ARG_TARGET} STATIC "${source}" "${header}")
  target_include_directories(${ARG_TARGET} PUBLIC "${CMAKE_BINARY_DIR}/generated")
  target_link_libraries(${ARG_TARGET} PUBLIC telemetry)
  telemetry_warnings(${ARG_TARGET})
endfunction()
