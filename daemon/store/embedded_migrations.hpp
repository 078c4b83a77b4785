#pragma once

#include <span>
#include <string_view>

namespace codeguru::store {

// One schema/NNN_name.sql file, compiled into the daemon.
struct EmbeddedMigration {
    int version;
    std::string_view name;
    std::string_view sql;
};

// Every migration, in strictly increasing version order. Generated at build time
// (daemon/store/embed_migrations.cmake), so the installed daemon needs no schema files.
std::span<const EmbeddedMigration> embedded_migrations();

}  // namespace codeguru::store
