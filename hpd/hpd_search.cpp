// ITI-58: HpdService::search. Candidates come from the hpd_entries table by DIT position (and
// by the indexed equality pre-filter when the filter has one), in DN order and in batches,
// then, under the portal's own base DN, from the facilities and users no entry is bound to
// (hpd_directory_view); the whole filter is evaluated here. The result stops at the size limit (the
// client's, bounded by the server's), answered with sizeLimitExceeded when more entries matched,
// and at the time limit (likewise), answered with timeLimitExceeded and the entries found so far.
#include <algorithm>
#include <chrono>
#include <optional>

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

using Clock = std::chrono::steady_clock;

// Where a search looks: the base entry itself, containers of hpd_entries, and kinds of the
// console-registered directory (hpd_directory_view).
struct SearchPlan {
  bool base_must_exist = false;
  std::vector<std::string> parents;  // containers to scan
  std::vector<EntryKind> view_kinds;
};

// One search's candidates, limits and answer. run() may be called again by pg::transact (a
// retried transaction) and starts over.
class SearchRun {
 public:
  SearchRun(const dsml::SearchRequest& r, const HpdSettings& settings,
            const std::vector<dsml::Dn>& suffixes, const dsml::Dn& base, SearchPlan plan)
      : r_(r), settings_(settings), suffixes_(suffixes), base_(base), plan_(std::move(plan)) {
    limit_ =
        r.size_limit == 0 ? settings.max_results : std::min(r.size_limit, settings.max_results);
    // The client's time limit (seconds), bounded by the server's.
    budget_ = settings.max_time;
    if (r.time_limit != 0)
      budget_ = std::min<std::chrono::milliseconds>(budget_, std::chrono::seconds(r.time_limit));
    deadline_ = now() + budget_;
  }

  void run(pg::Tx& tx) {
    out_ = done(r_, dsml::ResultCode::kSuccess);
    timeout_set_at_.reset();
    custom_plans_ = false;
    if (plan_.base_must_exist) {
      if (!bound_statement(tx))
        return;
      const auto found = find_base_entry(tx, settings_.dit, suffixes_, base_);
      if (!found) {
        out_ = done(r_, dsml::ResultCode::kNoSuchObject, "no entry " + r_.dn);
        return;
      }
      if (r_.scope != dsml::Scope::kSingleLevel && !emit(*found))  // no children
        return;
    }
    for (const auto& parent : plan_.parents) {
      if (!scan_container(tx, parent))
        return;
    }
    for (auto kind : plan_.view_kinds) {
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
  }

  // A statement ran past the deadline (statement_timeout): the answer so far.
  dsml::SearchResponse timed_out() {
    time_up();
    return std::move(out_);
  }
  dsml::SearchResponse answer() { return std::move(out_); }

 private:
  Clock::time_point now() const { return settings_.clock ? settings_.clock() : Clock::now(); }

  // Candidates under one container, in DN order; false once a limit stops the search.
  bool scan_container(pg::Tx& tx, const std::string& parent) {
    // One round trip when the whole answer fits: the size limit plus the one entry that tells
    // sizeLimitExceeded.
    ScanQuery page{.parent = parent,
                   .equality = required_equality(r_.filter),
                   .limit = std::max(kBatch, static_cast<int>(limit_) + 1)};
    if (!page.equality)
      page.substring = required_substring_pattern(r_.filter);
    if (page.substring)
      return scan_substring(tx, std::move(page));
    return page_through(tx, page, entries::scan);
  }

  // The keyset pages of `page` from page.after on, each bounded by the time left, fetched by
  // `scan` and emitted; false once a limit stops the search, true at the container's end.
  template <typename Scan>
  bool page_through(pg::Tx& tx, ScanQuery& page, Scan scan) {
    while (true) {
      if (!bound_statement(tx))
        return false;
      const auto rows = scan(tx, page);
      for (const auto& row : rows) {
        if (!emit(row.entry))
          return false;
      }
      if (rows.size() < static_cast<std::size_t>(page.limit))
        return true;
      page.after = rows.back().dn_norm;
    }
  }

  // The walk first (HpdSettings::substring_walk): its windows grow to what the rest of the
  // answer needs at the density seen so far. Below that density, the rest of the container
  // through the trigram index.
  bool scan_substring(pg::Tx& tx, ScanQuery page) {
    const auto& walk = settings_.substring_walk;
    int window = walk.first_window;
    while (true) {
      if (!bound_statement(tx))
        return false;
      const auto w = entries::walk_window(tx, page, window, page.limit);
      for (const auto& row : w.hits) {
        if (!emit(row.entry))
          return false;
      }
      if (w.hits.size() == static_cast<std::size_t>(page.limit)) {  // cut inside the window
        page.after = w.hits.back().dn_norm;
        continue;
      }
      if (w.rows < window)  // the container ends in this window
        return true;
      page.after = w.end;
      const double density = static_cast<double>(w.hits.size()) / static_cast<double>(w.rows);
      if (density < walk.density)
        break;
      const double wanted =
          static_cast<double>(limit_ + 1 - std::min<std::size_t>(limit_, out_.entries.size())) /
          density * 1.25;
      window = static_cast<int>(std::clamp(wanted, static_cast<double>(walk.first_window),
                                           static_cast<double>(walk.max_window)));
    }
    if (!custom_plans_) {
      // The plan of the trigram scan depends on the pattern: a generic plan (PostgreSQL's
      // choice after five executions) would not see it.
      pg::force_custom_plans(tx);
      custom_plans_ = true;
    }
    // The trigram index alone for the rest of the container, set once for its pages; the
    // planner's usual plans back for what the search does next in this transaction (the walk
    // of the next container, the directory view). A search stopped by a limit does nothing
    // more, and the setting ends with its transaction.
    entries::index_only_plans(tx, true);
    if (!page_through(tx, page, entries::scan))
      return false;
    entries::index_only_plans(tx, false);
    return true;
  }

  // Adds a candidate that matches; false once the size or time limit is exceeded.
  bool emit(const dsml::Entry& e) {
    if (now() >= deadline_)
      return time_up();
    if (evaluate(r_.filter, e) != Truth::kTrue)
      return true;
    if (out_.entries.size() >= limit_) {
      out_.done.code = dsml::ResultCode::kSizeLimitExceeded;
      out_.done.error_message =
          "more than " + std::to_string(limit_) + " entries match; refine the filter";
      return false;
    }
    out_.entries.push_back(select_attributes(e, r_.attributes, r_.types_only));
    return true;
  }

  // Bounds the next statement by the time left; false when none is. statement_timeout counts
  // from each statement's start, so it is set again once 100 ms have passed since it was last
  // set: a statement ends at most that much after the deadline, and round trips are saved.
  bool bound_statement(pg::Tx& tx) {
    const auto t = now();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - t);
    if (left.count() <= 0)
      return time_up();
    if (!timeout_set_at_ || t - *timeout_set_at_ >= std::chrono::milliseconds(100)) {
      pg::set_statement_timeout(tx, left);
      timeout_set_at_ = t;
    }
    return true;
  }

  // Stops the search with what it has found; false, for `return time_up()`.
  bool time_up() {
    out_.done.code = dsml::ResultCode::kTimeLimitExceeded;
    out_.done.error_message =
        "the time limit (" +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(budget_).count()) +
        " s) passed; " + std::to_string(out_.entries.size()) +
        " entries found so far; refine the filter";
    return false;
  }

  const dsml::SearchRequest& r_;
  const HpdSettings& settings_;
  const std::vector<dsml::Dn>& suffixes_;
  const dsml::Dn& base_;
  SearchPlan plan_;
  std::uint32_t limit_ = 0;
  std::chrono::milliseconds budget_{0};
  Clock::time_point deadline_;
  dsml::SearchResponse out_;
  std::optional<Clock::time_point> timeout_set_at_;
  bool custom_plans_ = false;
};

}  // namespace

dsml::SearchResponse HpdService::search(const dsml::SearchRequest& r) {
  std::string why;
  const auto base = dsml::parse_dn(r.dn, &why);
  if (!base)
    return done(r, dsml::ResultCode::kInvalidDnSyntax, why);
  const auto p = place(*base, suffixes_);
  SearchPlan plan;
  // The portal's own facilities and users appear under its own base DN (hpd_directory_view).
  const bool own =
      p.level != Placement::Level::kOutside && p.suffix_norm == suffixes_.front().normalized();
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
          plan.parents.push_back("ou=" + dsml::lower_ascii(container_of(k)) + "," + p.suffix_norm);
          if (own)
            plan.view_kinds.push_back(k);
        }
      }
      break;
    case Placement::Level::kContainer:
      if (r.scope != dsml::Scope::kBaseObject) {
        plan.parents.push_back(base->normalized());
        if (own)
          plan.view_kinds.push_back(*p.container);
      }
      break;
    case Placement::Level::kEntry:
      plan.base_must_exist = true;
      break;
  }
  SearchRun run(r, settings_, suffixes_, *base, std::move(plan));
  try {
    pg::transact(pool_, [&](pg::Tx& tx) { run.run(tx); },
                 {.isolation = pg::Isolation::kRepeatableRead});
    return run.answer();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kTimeout)  // a statement ran past the deadline
      return run.timed_out();
    log::warn("HPD search failed", {.component = "hpd"});
    return done(r,
                e.code() == ErrorCode::kUnavailable ? dsml::ResultCode::kUnavailable
                                                    : dsml::ResultCode::kOther,
                "the directory could not be searched");
  }
}

}  // namespace hareyaka::hpd
