# telemetry_generate_probes(TARGET t SCALARS file EVENTS file NAME n [NAMESPACE ns])
#
# Runs telemetry-codegen over the probe files at build time and builds the result into the
# static library `t`, linked to telemetry::recorder: <n>.h (typed handles, included as
# "telemetry/<n>.h") and <n>.cc (the compiled-in registry table). The handles live in C++
# namespace `ns` (default telemetry::probes). The files are regenerated when the YAML or the
# generator changes; a file with an error fails the build with the generator's
# file:line:column messages.
#
# The same function serves this tree (the telemetry-codegen target) and an installed package
# (the imported telemetry::codegen), so in-tree and installed use read alike.
function(telemetry_generate_probes)
  cmake_parse_arguments(ARG "" "TARGET;SCALARS;EVENTS;NAME;NAMESPACE" "" ${ARGN})
  foreach(required TARGET SCALARS EVENTS NAME)
    if(NOT ARG_${required})
      message(FATAL_ERROR "telemetry_generate_probes: ${required} is required")
    endif()
  endforeach()
  if(NOT ARG_NAMESPACE)
    set(ARG_NAMESPACE "telemetry::probes")
  endif()
  get_filename_component(scalars "${ARG_SCALARS}" ABSOLUTE)
  get_filename_component(events "${ARG_EVENTS}" ABSOLUTE)
  set(root "${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}_generated")
  set(header "${root}/telemetry/${ARG_NAME}.h")
  set(source "${root}/telemetry/${ARG_NAME}.cc")
  file(MAKE_DIRECTORY "${root}/telemetry")
  # In this tree: depend on the generator target, so it is built first.
  get_target_property(codegen_target telemetry::codegen ALIASED_TARGET)
  if(NOT codegen_target)
    set(codegen_target "$<TARGET_FILE:telemetry::codegen>")
  endif()
  add_custom_command(
    OUTPUT "${header}" "${source}"
    COMMAND telemetry::codegen
            --scalars "${scalars}" --events "${events}"
            --header "${header}" --source "${source}"
            --include "telemetry/${ARG_NAME}.h" --namespace "${ARG_NAMESPACE}"
    DEPENDS "${codegen_target}" "${scalars}" "${events}"
    COMMENT "Generating typed probes from ${ARG_SCALARS} and ${ARG_EVENTS}"
    VERBATIM)
  add_library(${ARG_TARGET} STATIC "${source}" "${header}")
  target_include_directories(${ARG_TARGET} PUBLIC "${root}")
  target_link_libraries(${ARG_TARGET} PUBLIC telemetry::recorder)
  if(COMMAND telemetry_warnings)
    telemetry_warnings(${ARG_TARGET})
  endif()
endfunction()
