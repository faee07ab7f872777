# Installation to standard paths and the Debian package (cpack -G DEB).
#   cmake -S . -B build -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=OFF
#   cmake --build build && cmake --install build            # or: (cd build && cpack -G DEB)
# The binary finds its rules under CMAKE_INSTALL_PREFIX/share/smogd, so build with the
# prefix the package installs to (the .deb uses the same prefix).
include(GNUInstallDirs)

set(SM_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/smogd)
set(SM_DATA_DIR ${CMAKE_INSTALL_DATADIR}/smogd)

# Templates for notices, when the notifiers provide them.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/notifiers/templates/ DESTINATION ${SM_DATA_DIR}/templates
        OPTIONAL)
# The example configuration: under doc/ for people, under share/smogd/ for postinst
# (minimal systems drop /usr/share/doc).
install(FILES deploy/smogd.conf DESTINATION ${SM_DOC_DIR})
install(FILES deploy/smogd.conf DESTINATION ${SM_DATA_DIR} RENAME smogd.conf.example)
install(FILES README.md DESTINATION ${SM_DOC_DIR})
install(FILES deploy/README.md DESTINATION ${SM_DOC_DIR} RENAME operations.md)
install(FILES deploy/nginx-smogd.conf deploy/prometheus-alerts.yml DESTINATION ${SM_DOC_DIR})

# systemd units, pointing at the installed binary.
foreach(unit smogd.service smogd-backup.service smogd-backup.timer)
  file(READ ${PROJECT_SOURCE_DIR}/deploy/${unit} text)
  string(REPLACE "/usr/bin/smogd" "${CMAKE_INSTALL_FULL_BINDIR}/smogd" text "${text}")
  string(REPLACE "/usr/share/doc/smogd" "${CMAKE_INSTALL_FULL_DATADIR}/doc/smogd" text "${text}")
  file(WRITE ${PROJECT_BINARY_DIR}/deploy/${unit} "${text}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/deploy/${unit})
  install(FILES ${PROJECT_BINARY_DIR}/deploy/${unit} DESTINATION lib/systemd/system)
endforeach()

# share/doc/smogd/commands.txt: `smogd --help` and every `smogd CMD --help`.
set(SM_COMMANDS_TXT ${PROJECT_BINARY_DIR}/deploy/commands.txt)
add_custom_command(OUTPUT ${SM_COMMANDS_TXT}
  COMMAND ${CMAKE_COMMAND} -DSMOGD=$<TARGET_FILE:smogd> -DOUT=${SM_COMMANDS_TXT}
          -P ${PROJECT_SOURCE_DIR}/cmake/commands_doc.cmake
  DEPENDS smogd ${PROJECT_SOURCE_DIR}/cmake/commands_doc.cmake
  COMMENT "Writing commands.txt from smogd --help" VERBATIM)
add_custom_target(smogd_commands_doc ALL DEPENDS ${SM_COMMANDS_TXT})
install(FILES ${SM_COMMANDS_TXT} DESTINATION ${SM_DOC_DIR})

# Maintainer scripts: the smogd system user, /var/lib/smogd, /etc/smogd/smogd.conf.
foreach(script postinst prerm postrm)
  configure_file(deploy/debian/${script}.in ${PROJECT_BINARY_DIR}/deploy/debian/${script} @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                  WORLD_READ WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME smogd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "heavy-pollution-day emergency response engine for a county")
set(CPACK_PACKAGE_DESCRIPTION
    "smogd reads municipal heavy-pollution warnings, decides the county's response level, orders every enterprise on the emission-reduction list to curtail, and tracks acknowledgements and compliance.")
set(CPACK_PACKAGE_CONTACT "smogd maintainers <smogd@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Debian 12 runtime libraries (what the -dev packages in deploy/install-deps.sh link to).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libevent-2.1-7, libevent-extra-2.1-7, libevent-pthreads-2.1-7, libsqlite3-0, libxml2, libjansson4, libssl3, libcurl4, libzip4, passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx, sqlite3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/deploy/debian/postinst
    ${PROJECT_BINARY_DIR}/deploy/debian/prerm
    ${PROJECT_BINARY_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
