#include "hpd/hpd_base_entry.hpp"

#include "hpd/hpd_directory_view.hpp"
#include "hpd/hpd_schema.hpp"
#include "hpd/pg_hpd_entries.hpp"

namespace hareyaka::hpd {

std::optional<dsml::Entry> find_base_entry(pg::Tx& tx, const DitSettings& dit,
                                           const std::vector<dsml::Dn>& suffixes,
                                           const dsml::Dn& dn) {
  const auto p = place(dn, suffixes);
  if (p.level != Placement::Level::kEntry)
    return std::nullopt;
  // The view names facilities and users by uid, facility groups by cn.
  const bool own = p.suffix_norm == suffixes.front().normalized();
  if (own && dsml::lower_ascii(dn.rdns.front().type) ==
                 (*p.container == EntryKind::kRelationship ? "cn" : "uid")) {
    if (auto e = view::find(tx, dit, *p.container, dn.rdns.front().value))
      return e;
  }
  if (auto stored = entries::load(tx, dn.normalized(), false))
    return std::move(stored->entry);
  return std::nullopt;
}

}  // namespace hareyaka::hpd
