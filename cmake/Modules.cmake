# How a module shows its headers, and what the build refuses.
#
# Every header is included as "folder/header.h". Instead of one include root
# for the whole tree, each module gets a root of its own under the build
# tree that holds only its folder (a symlink), exported with the library. A
# target therefore sees a module's headers only if it links that module, and
# an include against ARCHITECTURE.md's arrows fails to compile.

# leakwatch_include_root(TARGET FOLDER): TARGET's headers are FOLDER/*.h,
# visible to whoever links TARGET (to TARGET alone for an executable).
function(leakwatch_include_root target folder)
  set(root ${PROJECT_BINARY_DIR}/include/${folder})
  if(NOT EXISTS ${root}/${folder})
    get_filename_component(parent ${root}/${folder} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${root}/${folder} SYMBOLIC)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  elseif(type STREQUAL "EXECUTABLE")
    target_include_directories(${target} PRIVATE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()

# libpq's headers sit in /usr/include, where every target finds them, so the
# include roots cannot keep PostgreSQL out of the pure modules. The
# `check_layout` target (built with everything; cmake/CheckLayout.cmake) fails
# the build when a file outside db/ and the stores includes pqxx or libpq.
add_custom_target(check_layout ALL
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/CheckLayout.cmake
  COMMENT "Checking that only db/ and the stores include PostgreSQL headers"
  VERBATIM)
