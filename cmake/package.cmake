# Debian packages hareyaka-portal and hareyaka-gateway, made by CPack's DEB generator from
# the normal build (deploy/package). CPack rather than debhelper: the install() rules below
# are the one description of what is installed, from the build tree that the tests use, and
# there is no second build or debian/ tree to keep in step. Layout as Debian's own daemons
# (Orthanc, PostgreSQL): binaries in /usr/bin, configuration in /etc/hareyaka as conffiles,
# units in /lib/systemd/system, state in /var/lib/<package> (made by postinst), logs to the
# journal.

# `cpack` must not build the whole tree (tests included) first: deploy/package builds the
# packaged targets itself.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(HAREYAKA_DEB_DIR ${PROJECT_SOURCE_DIR}/deploy/debian)

if(TARGET hareyaka-portal)
  install(TARGETS hareyaka-portal hareyaka-audit-verify RUNTIME DESTINATION bin COMPONENT portal)
  # The web UI is read from disk at run time (web_root); SQL migrations are compiled in.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/portal/web/ DESTINATION share/hareyaka-portal/web
          COMPONENT portal PATTERN update.sh EXCLUDE)
endif()
if(TARGET hareyaka-gateway)
  install(TARGETS hareyaka-gateway RUNTIME DESTINATION bin COMPONENT gateway)
endif()
if(TARGET hareyaka-preserve)
  install(TARGETS hareyaka-preserve RUNTIME DESTINATION bin COMPONENT preserve)
endif()

# Per package: its configuration, unit, documentation and maintainer scripts.
foreach(role portal gateway preserve)
  set(PKG hareyaka-${role})
  set(ROLE ${role})
  install(FILES ${PROJECT_SOURCE_DIR}/deploy/config/${role}.example.json DESTINATION /etc/hareyaka
          RENAME ${role}.json COMPONENT ${role})
  install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/${PKG}.service
          DESTINATION /lib/systemd/system COMPONENT ${role})
  install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/docs/security-model.md
          DESTINATION share/doc/${PKG} COMPONENT ${role})
  set(control_dir ${PROJECT_BINARY_DIR}/debian/${role})
  foreach(script postinst prerm postrm)
    configure_file(${HAREYAKA_DEB_DIR}/${script}.in ${control_dir}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  # Edited configuration survives upgrades; purge removes it.
  file(WRITE ${control_dir}/conffiles "/etc/hareyaka/${role}.json\n")
  string(TOUPPER ${role} ROLE_UPPER)
  set(CPACK_DEBIAN_${ROLE_UPPER}_PACKAGE_NAME ${PKG})
  set(CPACK_DEBIAN_${ROLE_UPPER}_PACKAGE_CONTROL_EXTRA
      "${control_dir}/postinst;${control_dir}/prerm;${control_dir}/postrm;${control_dir}/conffiles")
endforeach()

# Manual pages, compressed as Debian wants them (gzip -n: no timestamp, reproducible).
set(HAREYAKA_MAN_portal hareyaka-portal hareyaka-audit-verify)
set(HAREYAKA_MAN_gateway hareyaka-gateway)
set(HAREYAKA_MAN_preserve hareyaka-preserve)
foreach(role portal gateway preserve)
  foreach(page ${HAREYAKA_MAN_${role}})
    set(man_src ${PROJECT_SOURCE_DIR}/deploy/man/${page}.8)
    set(man_gz ${PROJECT_BINARY_DIR}/man/${page}.8.gz)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${man_src})
    file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/man)
    execute_process(COMMAND gzip -9nc ${man_src} OUTPUT_FILE ${man_gz} COMMAND_ERROR_IS_FATAL ANY)
    install(FILES ${man_gz} DESTINATION share/man/man8 COMPONENT ${role})
  endforeach()
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hareyaka)
set(CPACK_PACKAGE_VENDOR "Hareyaka project")
set(CPACK_PACKAGE_CONTACT "Hareyaka project <hareyaka@invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL portal gateway preserve)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies from the binaries (dpkg-shlibdeps, from dpkg-dev); adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
string(CONCAT CPACK_DEBIAN_PORTAL_DESCRIPTION
    "Hareyaka regional EHR exchange: the portal\n"
    "The hub of a Hareyaka network: identity cross-reference (PIX/PDQ), consent, the\n"
    "provider directory (IHE HPD), the hash-chained audit and the clinicians' web viewer.\n"
    "Needs a PostgreSQL database (any host).")
string(CONCAT CPACK_DEBIAN_GATEWAY_DESCRIPTION
    "Hareyaka regional EHR exchange: the gateway\n"
    "Runs beside a hospital's EMR: reads its SS-MIX2 storage and DICOM studies and serves\n"
    "them to the Hareyaka portal over mutual TLS.")
string(CONCAT CPACK_DEBIAN_PRESERVE_DESCRIPTION
    "Hareyaka regional EHR exchange: a preservation node\n"
    "Keeps, far from the hospitals, each hospital's SS-MIX2 minimum data set as its gateway\n"
    "sends it: sealed with the hospital's key (the node holds none), signed, in generations\n"
    "that are never rewritten.")
set(CPACK_DEBIAN_PORTAL_PACKAGE_SUGGESTS "postgresql")
include(CPack)
