# cmake -DSOURCE_DIR=... -P CheckLayout.cmake
# Fails when a C++ file that is not a store includes PostgreSQL's client
# headers (pqxx, libpq) or names a pqxx type. The pure modules (core, identity, extract, report,
# the crawler's page parser) and the command line stay free of the database;
# ARCHITECTURE.md names the stores. Run by the `check_layout` build target.
set(may_include_postgres
  "^db/"
  "^matcher/"
  "^crawler/(frontier|param_rule_store|worker_registry)\\.(h|cpp)$"
  "^tests/integration/"
  "^tests/unit/store_error_test\\.cpp$")  # throws pqxx's exceptions at db::store_call

set(sources "")
foreach(folder app core db identity extract report matcher crawler tests fuzz scripts)
  file(GLOB_RECURSE found RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/${folder}/*.h ${SOURCE_DIR}/${folder}/*.cpp)
  list(APPEND sources ${found})
endforeach()
set(offenders "")
foreach(file IN LISTS sources)
  set(allowed FALSE)
  foreach(pattern IN LISTS may_include_postgres)
    if(file MATCHES "${pattern}")
      set(allowed TRUE)
    endif()
  endforeach()
  if(allowed)
    continue()
  endif()
  file(STRINGS ${SOURCE_DIR}/${file} hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](pqxx/|libpq-fe\\.h|libpq/)|pqxx::")
  if(hits)
    list(APPEND offenders "${file}: ${hits}")
  endif()
endforeach()
if(offenders)
  list(JOIN offenders "\n  " text)
  message(FATAL_ERROR "PostgreSQL headers included outside db/ and the stores "
                      "(ARCHITECTURE.md):\n  ${text}")
endif()
