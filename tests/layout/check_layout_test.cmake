# cmake -DCHECK_LAYOUT=cmake/CheckLayout.cmake -DWORK_DIR=DIR -P check_layout_test.cmake
# Proves that the `check_layout` build step fires (ctest `layout`): in a
# scratch tree, a file of each pure module (and of app/) that includes pqxx or
# libpq, or names a pqxx type, must fail the check and be named in its
# message; the same include in db/, matcher/ or crawler/frontier.cpp must pass.

# check(FILE TEXT EXPECT): writes TEXT to FILE in a fresh scratch tree and
# runs the check on it; EXPECT is "fail" or "pass".
function(check file text expect)
  file(REMOVE_RECURSE ${WORK_DIR})
  get_filename_component(dir ${WORK_DIR}/${file} DIRECTORY)
  file(MAKE_DIRECTORY ${dir})
  file(WRITE ${WORK_DIR}/${file} "${text}\n")
  execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${WORK_DIR} -P ${CHECK_LAYOUT}
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(expect STREQUAL "fail")
    if(result EQUAL 0)
      message(FATAL_ERROR "check_layout accepted ${file}: ${text}")
    endif()
    string(FIND "${err}" "${file}" named)
    if(named EQUAL -1)
      message(FATAL_ERROR "check_layout refused ${file} without naming it:\n${err}")
    endif()
  elseif(NOT result EQUAL 0)
    message(FATAL_ERROR "check_layout refused ${file}, which may include PostgreSQL:\n${err}")
  endif()
  message(STATUS "${expect}: ${file}: ${text}")
endfunction()

foreach(file core/a.h identity/identity.cpp extract/extractor.cpp report/report_json.cpp
             crawler/parse/page_parser.cpp crawler/crawl.cpp app/cmd_run.cpp fuzz/extractor_fuzz.cpp
             tests/unit/extractor_test.cpp)
  check(${file} "#include <pqxx/pqxx>" fail)
endforeach()
check(extract/x.cpp "  #  include \"pqxx/except\"" fail)
check(report/x.cpp "#include <libpq-fe.h>" fail)
check(identity/x.h "void f(pqxx::connection& c);" fail)
foreach(file db/x.cpp matcher/x.cpp crawler/frontier.cpp crawler/param_rule_store.h tests/integration/x.cpp)
  check(${file} "#include <pqxx/pqxx>" pass)
endforeach()
check(extract/y.cpp "#include <string>  // not a database header" pass)
file(REMOVE_RECURSE ${WORK_DIR})
