# Every third-party library comes from Debian's packages (scripts/setup).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n data)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
# RapidJSON (header-only): its streaming Writer prints scan's JSON Lines (app/scan_output.cpp).
find_package(RapidJSON REQUIRED)
add_library(rapidjson::rapidjson INTERFACE IMPORTED)
target_include_directories(rapidjson::rapidjson INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
find_package(tl-expected REQUIRED)
find_package(doctest REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
# libpq itself, for PQconninfoParse (db/connection.cpp reads connection strings as libpq does).
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
# The Public Suffix List, compiled into libpsl: which top-level domains exist.
pkg_check_modules(PSL REQUIRED IMPORTED_TARGET libpsl)
# libsodium: secretbox (XChaCha20-Poly1305) seals stored page text (db/listing_privacy.cpp).
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
# Archives and compressed files (scan), and the XML inside .xlsx sheets.
find_package(LibArchive REQUIRED)
find_package(LibXml2 REQUIRED)

# libphonenumber ships neither a CMake config nor a pkg-config file in Debian 12.
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
add_library(phonenumber::phonenumber INTERFACE IMPORTED)
target_include_directories(phonenumber::phonenumber INTERFACE ${PHONENUMBER_INCLUDE_DIR})
# Its metadata and number types are protobuf-lite messages
# (identity/calling_codes.cpp reads the metadata).
pkg_check_modules(PROTOBUF_LITE REQUIRED IMPORTED_TARGET protobuf-lite)
target_link_libraries(phonenumber::phonenumber INTERFACE ${PHONENUMBER_LIBRARY} PkgConfig::PROTOBUF_LITE)

# libcsv: an RFC 4180 streaming parser (C), static library only.
find_path(CSV_INCLUDE_DIR csv.h REQUIRED)
find_library(CSV_LIBRARY NAMES libcsv.a csv REQUIRED)
add_library(csv::csv INTERFACE IMPORTED)
target_include_directories(csv::csv INTERFACE ${CSV_INCLUDE_DIR})
target_link_libraries(csv::csv INTERFACE ${CSV_LIBRARY})
