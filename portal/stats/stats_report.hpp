// The usage figures for one period, from the daily rollup (stats_view_day), the directory
// (facilities) and the consent register: facilities by kind and municipality, consents
// given / withdrawn / expired, consented and actively shared patients, and views per month
// by category, by the viewing facility's kind and municipality and by disclosing facility.
//
// Small-cell suppression: with `suppress`, every cell counting fewer than kMinCellPatients
// distinct patients has its counts replaced by null and "suppressed": true. Which outputs
// are suppressed is decided by the routes (docs/api.md "Statistics").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/pg.hpp"

namespace hareyaka::stats {

inline constexpr int kMinCellPatients = 10;
// A patient is "actively shared" when some facility viewed their records this many days
// before the period's end or fewer.
inline constexpr int kActiveDays = 90;

struct Period {
  std::string from;  // YYYY-MM-DD, a Japan day, inclusive
  std::string to;    // YYYY-MM-DD, inclusive
  // From the first of a month to the last of one, or to today: the report reads the month
  // cells (exact, a few hundred rows) instead of the daily rows.
  bool whole_months = false;
  // `to` is today (or later): "actively shared" is the patients' last-view index.
  bool to_today = false;
};

// Checks YYYY-MM-DD (kBadRequest naming `field`). Empty `to` is today in Japan; empty
// `from` is the first day of the 11th month before `to`'s (twelve months in all).
Period resolve_period(pg::Pool& pool, const std::string& from, const std::string& to);

nlohmann::json build_report(pg::Pool& pool, const Period& period, bool suppress);

// The report's cells as CSV (RFC 4180, UTF-8, header row):
// section,month,category,kind,municipality,facility_oid,facility_name,count,views,patients,
// suppressed
std::string report_csv(const nlohmann::json& report);

}  // namespace hareyaka::stats
