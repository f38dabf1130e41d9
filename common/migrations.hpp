// Numbered schema migrations. Each component (pix, consent, hpd, portal, ...) keeps its
// migrations as NNNN_name.sql files in its own folder; hareyaka_embed_sql() compiles them
// into the binary as <component>::migrations(). apply_migrations() runs the missing ones
// under a PostgreSQL advisory lock, so two portals starting together cannot race.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::pg {

class Pool;

struct Migration {
  std::string_view component;
  int version;
  std::string_view name;
  std::string_view sql;
};

using MigrationSet = std::vector<Migration>;

struct MigrationReport {
  int applied = 0;          // migrations applied by this call
  int already_present = 0;  // migrations found applied before
};

// Applies, in order, every migration of every set not yet recorded in schema_migrations.
// A migration whose recorded checksum differs from the embedded SQL stops the start: an
// applied migration was edited, which is always a mistake.
MigrationReport apply_migrations(Pool& pool, const std::vector<const MigrationSet*>& sets);

}  // namespace hareyaka::pg
