# CPack: a Debian package of the daemon (`cpack -G DEB` in the build directory).
# Its layout is the install layout for the prefix /usr: /usr/bin/codeguru-syncd,
# /usr/lib/systemd/system/codeguru-syncd.service, /etc/codeguru-syncd/codeguru-syncd.conf
# (a conffile) and /usr/share/codeguru-syncd/schema/.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME codeguru-syncd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "codeguru-sync")
set(CPACK_PACKAGE_CONTACT "codeguru-sync maintainers <codeguru-sync@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Replicates Amazon CodeGuru Security findings into PostgreSQL")
set(CPACK_PACKAGE_DESCRIPTION
    "codeguru-syncd runs as a systemd service: on a schedule it pages through the CodeGuru\n\
Security GetFindings API for each configured scan and upserts the findings into\n\
PostgreSQL tables for SQL dashboards and reports, checkpointing after every page.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The install rules derive /etc from the prefix /usr: that needs the real prefix, with the
# staging directory as DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Run-time library dependencies (libcurl4, libpqxx, libspdlog, libsystemd0, ...) come from
# dpkg-shlibdeps, so they match the libraries the binary was linked against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/conffiles ${PROJECT_SOURCE_DIR}/packaging/deb/postinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/prerm ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
