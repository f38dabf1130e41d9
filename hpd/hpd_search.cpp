// ITI-58: HpdService::search. Candidates come from the hpd_entries table by DIT position (and
// by the indexed equality pre-filter when the filter has one), in DN order and in batches,
// then, under the portal's own base DN, from the facilities and users no entry is bound to
// (hpd_directory_view); the whole filter is evaluated here. The result stops at the size limit (the
// client's, bounded by the server's), answered with sizeLimitExceeded when more entries matched,
// and at the time limit (likewise), answered with timeLimitExceeded and the entries found so far.
#include "common/error.hpp"
#include "common/log.hpp"
#include "hpd/hpd_base_entry.hpp"
#include "hpd/hpd_directory_view.hpp"
#include "hpd/hpd_filter.hpp"
#include "hpd/hpd_service.hpp"
#include "hpd/pg_hpd_entries.hpp"

namespace hareyaka::hpd {
namespace {

constexpr int kBatch = 500;

dsml::SearchResponse done(const dsml::SearchRequest& r, dsml::ResultCode code,
                          std::string message = {}) {
  dsml::SearchResponse s;
  s.request_id = r.request_id;
  s.done.request_id = r.request_id;
  s.done.code = code;
  s.done.error_message = std::move(message);
  return s;
}

}  // namespace

dsml::SearchResponse HpdService::search(const dsml::SearchRequest& r) {
  std::string why;
  const auto base = dsml::parse_dn(r.dn, &why);
  if (!base)
    return done(r, dsml::ResultCode::kInvalidDnSyntax, why);
  const auto p = place(*base, suffixes_);
  std::vector<std::string> parents;  // containers to scan
  // The portal's own facilities and users appear under its own base DN (hpd_directory_view).
  const bool own =
      p.level != Placement::Level::kOutside && p.suffix_norm == suffixes_.front().normalized();
  std::vector<EntryKind> view_kinds;
  bool base_must_exist = false;
  switch (p.level) {
    case Placement::Level::kOutside:
    case Placement::Level::kBelowEntry:
      return done(r, dsml::ResultCode::kNoSuchObject,
                  "no entry " + r.dn + " in this directory (base DNs: " +
                      suffixes_.front().to_string() + (suffixes_.size() > 1 ? ", ..." : "") + ")");
    case Placement::Level::kSuffix:
      // The suffix and its containers are not entries themselves.
      if (r.scope == dsml::Scope::kWholeSubtree) {
        for (auto k :
             {EntryKind::kProfessional, EntryKind::kOrganization, EntryKind::kRelationship}) {
          parents.push_back("ou=" + dsml::lower_ascii(container_of(k)) + "," + p.suffix_norm);
          if (own)
            view_kinds.push_back(k);
        }
      }
      break;
    case Placement::Level::kContainer:
      if (r.scope != dsml::Scope::kBaseObject) {
        parents.push_back(base->normalized());
        if (own)
          view_kinds.push_back(*p.container);
      }
      break;
    case Placement::Level::kEntry:
      base_must_exist = true;
      break;
  }
  const std::uint32_t limit =
      r.size_limit == 0 ? settings_.max_results : std::min(r.size_limit, settings_.max_results);
  // The time limit: the client's (seconds), bounded by the server's. It is checked before each
  // candidate, and each statement runs under the time that remains (statement_timeout).
  const auto now = [this] {
    return settings_.clock ? settings_.clock() : std::chrono::steady_clock::now();
  };
  auto budget = settings_.max_time;
  if (r.time_limit != 0)
    budget = std::min<std::chrono::milliseconds>(budget, std::chrono::seconds(r.time_limit));
  const auto deadline = now() + budget;
  dsml::SearchResponse out;
  // Stops the search with what it has found; always false, for `return time_up()`.
  auto time_up = [&] {
    out.done.code = dsml::ResultCode::kTimeLimitExceeded;
    out.done.error_message =
        "the time limit (" +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(budget).count()) +
        " s) passed; " + std::to_string(out.entries.size()) +
        " entries found so far; refine the filter";
    return false;
  };
  // Bounds the next statement by the time left; false when none is.
  auto bound_statement = [&](pg::Tx& tx) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now());
    if (left.count() <= 0)
      return time_up();
    pg::set_statement_timeout(tx, left);
    return true;
  };
  try {
    pg::transact(pool_,
                 [&](pg::Tx& tx) {
                   out = done(r, dsml::ResultCode::kSuccess);
                   // Adds a candidate that matches; false once the size or time limit is exceeded.
                   auto emit = [&](const dsml::Entry& e) {
                     if (now() >= deadline)
                       return time_up();
                     if (evaluate(r.filter, e) != Truth::kTrue)
                       return true;
                     if (out.entries.size() >= limit) {
                       out.done.code = dsml::ResultCode::kSizeLimitExceeded;
                       out.done.error_message = "more than " + std::to_string(limit) +
                                                " entries match; refine the filter";
                       return false;
                     }
                     out.entries.push_back(select_attributes(e, r.attributes, r.types_only));
                     return true;
                   };
                   if (base_must_exist) {
                     if (!bound_statement(tx))
                       return;
                     const auto found = find_base_entry(tx, settings_.dit, suffixes_, *base);
                     if (!found) {
                       out = done(r, dsml::ResultCode::kNoSuchObject, "no entry " + r.dn);
                       return;
                     }
                     if (r.scope != dsml::Scope::kSingleLevel && !emit(*found))  // no children
                       return;
                   }
                   for (const auto& parent : parents) {
                     // One round trip when the whole answer fits: the size limit plus the one entry
                     // that tells sizeLimitExceeded.
                     ScanQuery page{.parent = parent,
                                    .equality = required_equality(r.filter),
                                    .limit = std::max(kBatch, static_cast<int>(limit) + 1)};
                     if (!page.equality)
                       page.substring = required_substring_pattern(r.filter);
                     while (true) {
                       if (!bound_statement(tx))
                         return;
                       const auto rows = entries::scan(tx, page);
                       for (const auto& row : rows) {
                         if (!emit(row.entry))
                           return;
                       }
                       if (rows.size() < static_cast<std::size_t>(page.limit))
                         break;
                       page.after = rows.back().dn_norm;
                     }
                   }
                   for (auto kind : view_kinds) {
                     std::string after;
                     do {
                       if (!bound_statement(tx))
                         return;
                       auto page = view::scan(tx, settings_.dit, kind, after, kBatch);
                       for (const auto& e : page.entries) {
                         if (!emit(e))
                           return;
                       }
                       after = page.next;
                     } while (!after.empty());
                   }
                 },
                 {.isolation = pg::Isolation::kRepeatableRead});
    return out;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kTimeout) {  // a statement ran past the deadline
      time_up();
      return out;
    }
    log::warn("HPD search failed", {.component = "hpd"});
    return done(r,
                e.code() == ErrorCode::kUnavailable ? dsml::ResultCode::kUnavailable
                                                    : dsml::ResultCode::kOther,
                "the directory could not be searched");
  }
}

}  // namespace hareyaka::hpd
