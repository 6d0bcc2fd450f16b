# What `cmake --install` puts where, and the .deb CPack makes of it
# (`cpack --config build/CPackConfig.cmake`, or scripts/package). The prefix
# is /usr unless given (-DCMAKE_INSTALL_PREFIX), so an install from a clone
# lands where the .deb's files do and where the systemd units look:
#   /usr/bin/leakwatch
#   /etc/leakwatch/leakwatch.toml          commented example; never overwritten
#   /lib/systemd/system/leakwatch.{service,timer}, leakwatch-crawl@.service
#   /usr/share/man/man1/leakwatch.1.gz     written by the binary (app/CMakeLists.txt)
include(GNUInstallDirs)
# `make install` and cpack install what is built; they do not build every
# target (benchmarks, tests) first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(LEAKWATCH_SYSTEMD_DIR "/lib/systemd/system" CACHE PATH "where the systemd units are installed")
else()
  set(LEAKWATCH_SYSTEMD_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
      CACHE PATH "where the systemd units are installed")
endif()
set(LEAKWATCH_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/leakwatch")

install(TARGETS leakwatch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_BINARY_DIR}/app/leakwatch.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/scripts/cron/leakwatch.service ${PROJECT_SOURCE_DIR}/scripts/cron/leakwatch.timer
              "${PROJECT_SOURCE_DIR}/scripts/cron/leakwatch-crawl@.service"
        DESTINATION ${LEAKWATCH_SYSTEMD_DIR})
# The example config only where there is none yet: a second `cmake --install`
# must not overwrite the one the user edited (the .deb marks it a conffile).
install(CODE "
  set(config \"\$ENV{DESTDIR}${LEAKWATCH_CONFIG_DIR}/leakwatch.toml\")
  if(EXISTS \"\${config}\")
    message(STATUS \"Keeping: \${config} (the example is ${PROJECT_SOURCE_DIR}/packaging/leakwatch.toml)\")
  else()
    file(INSTALL DESTINATION \"${LEAKWATCH_CONFIG_DIR}\" TYPE FILE
         FILES \"${PROJECT_SOURCE_DIR}/packaging/leakwatch.toml\")
  endif()")

# The .deb: its Depends are the shared libraries the binary links, as
# dpkg-shlibdeps finds them; PostgreSQL and Tor may run on other machines.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME leakwatch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "leakwatch maintainers <leakwatch@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "finds customers whose data is sold on black markets")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "leakwatch crawls dark-web markets, breach forums and paste sites through Tor, pulls leaked Apple IDs "
  "and phone numbers out of the listings, and matches keyed hashes of them against the customer set, "
  "which PostgreSQL holds as hashes only.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql-15, tor")
file(WRITE ${PROJECT_BINARY_DIR}/debian/conffiles "${LEAKWATCH_CONFIG_DIR}/leakwatch.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/debian/conffiles)
include(CPack)
