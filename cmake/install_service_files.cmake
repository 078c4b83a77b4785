# Runs at install time (cmake --install, CPack): installs the example config and the systemd
# unit for the prefix of this install, which `cmake --install --prefix` and CPack may set to
# something other than the configure-time CMAKE_INSTALL_PREFIX.
#
# Expects CODEGURU_SOURCE_DIR, CODEGURU_WORK_DIR (a scratch directory), CODEGURU_SYSCONFDIR,
# CODEGURU_BINDIR and CODEGURU_UNITDIR (each relative to the prefix, or absolute).

# GNUInstallDirs' rule for the full sysconfdir: /usr and / use /etc, /opt/PKG uses
# /etc/opt/PKG, any other prefix PREFIX/etc.
if(IS_ABSOLUTE "${CODEGURU_SYSCONFDIR}")
  set(etc_dir "${CODEGURU_SYSCONFDIR}")
elseif(CMAKE_INSTALL_PREFIX MATCHES "^/usr/?$" OR CMAKE_INSTALL_PREFIX STREQUAL "/")
  set(etc_dir "/${CODEGURU_SYSCONFDIR}")
elseif(CMAKE_INSTALL_PREFIX MATCHES "^/opt/(.+)$")
  set(etc_dir "/${CODEGURU_SYSCONFDIR}/opt/${CMAKE_MATCH_1}")
else()
  set(etc_dir "${CMAKE_INSTALL_PREFIX}/${CODEGURU_SYSCONFDIR}")
endif()
string(REGEX REPLACE "/+$" "" etc_dir "${etc_dir}")
string(REGEX REPLACE "/+$" "" prefix "${CMAKE_INSTALL_PREFIX}")
# A directory relative to the prefix, or absolute as configured.
function(full_path relative out)
  if(IS_ABSOLUTE "${relative}")
    set(${out} "${relative}" PARENT_SCOPE)
  else()
    set(${out} "${prefix}/${relative}" PARENT_SCOPE)
  endif()
endfunction()
full_path("${CODEGURU_BINDIR}" bin_dir)
full_path("${CODEGURU_UNITDIR}" unit_dir)

file(INSTALL DESTINATION "${etc_dir}/codeguru-syncd" TYPE FILE
     FILES "${CODEGURU_SOURCE_DIR}/config/codeguru-syncd.conf")

# The unit as shipped names the Debian paths; this install's paths replace them.
file(READ "${CODEGURU_SOURCE_DIR}/systemd/codeguru-syncd.service" unit)
string(REPLACE "ExecStart=/usr/bin/codeguru-syncd --config /etc/codeguru-syncd/"
               "ExecStart=${bin_dir}/codeguru-syncd --config ${etc_dir}/codeguru-syncd/" unit
               "${unit}")
string(REPLACE "EnvironmentFile=-/etc/codeguru-syncd/" "EnvironmentFile=-${etc_dir}/codeguru-syncd/"
               unit "${unit}")
set(generated "${CODEGURU_WORK_DIR}/install/codeguru-syncd.service")
file(WRITE "${generated}" "${unit}")
file(INSTALL DESTINATION "${unit_dir}" TYPE FILE FILES "${generated}")
