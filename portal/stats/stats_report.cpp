#include "portal/stats/stats_report.hpp"

#include <cctype>

#include "common/error.hpp"

namespace hareyaka::stats {
namespace {

using nlohmann::json;

// $1 and $2 are the period's first and last Japan days (inclusive).
#define HY_STATS_IN_PERIOD "v.day >= $1::date AND v.day <= $2::date"
// The period as instants: a Japan day starts at 15:00 UTC the day before.
#define HY_STATS_FROM_TS "(($1::date - interval '9 hours') AT TIME ZONE 'UTC')"
#define HY_STATS_TO_TS "((($2::date + 1) - interval '9 hours') AT TIME ZONE 'UTC')"

constexpr pg::Statement kResolvePeriod{
    "stats_resolve_period",
    "SELECT to_char(d_from, 'YYYY-MM-DD'), to_char(d_to, 'YYYY-MM-DD'), "
    "  extract(day FROM d_from) = 1 AND (d_to >= today OR "
    "    d_to = (date_trunc('month', d_to) + interval '1 month - 1 day')::date), "
    "  d_to >= today "
    "FROM (SELECT coalesce(nullif($1, '')::date, d_to - "
    "  (extract(day FROM d_to)::int - 1) - interval '11 months')::date AS d_from, d_to, today "
    "  FROM (SELECT coalesce(nullif($2, '')::date, today) AS d_to, today "
    "    FROM (SELECT ((now() AT TIME ZONE 'UTC') + interval '9 hours')::date AS today) t) q) p"};

// A municipality's name and secondary medical area (hpd/sql/0004_municipalities.sql), by a
// 5- or 6-digit code; '' where the table does not know it.
#define HY_STATS_TOWN(code)                                                                  \
  "coalesce((SELECT m.name || '|' || m.area_code || '|' || m.area_name FROM municipalities " \
  "m WHERE m.code5 = left(" code ", 5)), '||')"

constexpr pg::Statement kFacilities{
    "stats_facilities",
    "SELECT kind, municipality_code, discloses, views, count(*), " HY_STATS_TOWN(
        "municipality_code") " FROM facilities "
                             "WHERE status = 'active' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"};

constexpr pg::Statement kConsents{
    "stats_consents",
    "WITH b AS (SELECT " HY_STATS_FROM_TS " AS f, " HY_STATS_TO_TS
    " AS t) "
    "SELECT "
    " (SELECT count(*) FROM consents, b WHERE created_at >= b.f AND created_at < b.t), "
    " (SELECT count(*) FROM consents, b WHERE withdrawn_at >= b.f AND withdrawn_at < b.t), "
    " (SELECT count(*) FROM consents, b WHERE expires_at >= b.f AND expires_at < b.t "
    "    AND (withdrawn_at IS NULL OR withdrawn_at > expires_at)), "
    " (SELECT count(DISTINCT coalesce(person_id, patient_authority || '^' || patient_local_id)) "
    "    FROM consents, b WHERE created_at < b.t AND starts_at < b.t "
    "    AND (expires_at IS NULL OR expires_at >= b.t) "
    "    AND (withdrawn_at IS NULL OR withdrawn_at >= b.t)), "
    " CASE WHEN $3 THEN (SELECT count(*) FROM stats_patient_last "
    "    WHERE last_day > $2::date - 90) "
    "  ELSE coalesce((SELECT patients FROM stats_active_day WHERE day = $2::date), "
    "    (SELECT count(DISTINCT patient) FROM stats_view_day "
    "    WHERE day > $2::date - 90 AND day <= $2::date)) END"};

constexpr pg::Statement kByCategory{
    "stats_views_by_category",
    "SELECT to_char(v.day, 'YYYY-MM'), v.category, sum(v.views), count(DISTINCT v.patient) "
    "FROM stats_view_day v WHERE " HY_STATS_IN_PERIOD " GROUP BY 1, 2 ORDER BY 1, 2"};

constexpr pg::Statement kByViewer{
    "stats_views_by_viewer",
    "SELECT month, kind, town, views, patients, " HY_STATS_TOWN("town") " FROM ("
    "SELECT to_char(v.day, 'YYYY-MM') AS month, coalesce(f.kind, '') AS kind, "
    "  coalesce(f.municipality_code, '') AS town, sum(v.views) AS views, "
    "  count(DISTINCT v.patient) AS patients "
    "FROM stats_view_day v LEFT JOIN facilities f ON f.oid = v.viewer_facility "
    "WHERE " HY_STATS_IN_PERIOD " AND (v.community = '' OR v.community <> v.viewer_facility) "
    "GROUP BY 1, 2, 3) c ORDER BY 1, 2, 3"};

constexpr pg::Statement kBySource{
    "stats_views_by_source",
    "SELECT to_char(v.day, 'YYYY-MM'), v.source_facility, coalesce(f.name_kanji, ''), "
    "  sum(v.views), count(DISTINCT v.patient) "
    "FROM stats_view_day v LEFT JOIN facilities f ON f.oid = v.source_facility "
    "WHERE " HY_STATS_IN_PERIOD
    " AND (v.community = '' OR v.community <> v.source_facility) "
    "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"};

// Views across networks by direction and peer community.
constexpr pg::Statement kByCommunity{
    "stats_views_by_community",
    "SELECT to_char(v.day, 'YYYY-MM'), "
    "  CASE WHEN v.community = v.viewer_facility THEN 'in' ELSE 'out' END, v.community, "
    "  sum(v.views), count(DISTINCT v.patient) "
    "FROM stats_view_day v WHERE " HY_STATS_IN_PERIOD
    " AND v.community <> '' "
    "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"};

// The same three sections from the month cells, for a period of whole months.
constexpr pg::Statement kByCategoryCells{
    "stats_cells_by_category",
    "SELECT to_char(month, 'YYYY-MM'), k1, views, patients FROM stats_month_cell "
    "WHERE section = 'category' AND month >= $1::date AND month <= $2::date ORDER BY 1, 2"};
constexpr pg::Statement kByViewerCells{
    "stats_cells_by_viewer",
    "SELECT to_char(month, 'YYYY-MM'), k1, k2, views, patients, " HY_STATS_TOWN(
        "k2") " FROM stats_month_cell "
              "WHERE section = 'viewer' AND month >= $1::date AND month <= $2::date "
              "ORDER BY 1, 2, 3"};
constexpr pg::Statement kByCommunityCells{
    "stats_cells_by_community",
    "SELECT to_char(month, 'YYYY-MM'), k1, k2, views, patients FROM stats_month_cell "
    "WHERE section = 'community' AND month >= $1::date AND month <= $2::date ORDER BY 1, 2, 3"};
constexpr pg::Statement kBySourceCells{
    "stats_cells_by_source",
    "SELECT to_char(c.month, 'YYYY-MM'), c.k1, coalesce(f.name_kanji, ''), c.views, c.patients "
    "FROM stats_month_cell c LEFT JOIN facilities f ON f.oid = c.k1 "
    "WHERE c.section = 'source' AND c.month >= $1::date AND c.month <= $2::date "
    "ORDER BY 1, 2, 3"};

constexpr pg::Statement kFreshness{
    "stats_freshness",
    "SELECT c.last_seq, h.seq, to_char(c.updated_at AT TIME ZONE 'UTC', "
    "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
    "FROM stats_rollup_cursor c, audit_chain_head h WHERE c.id = 1 AND h.id = 1"};

#undef HY_STATS_IN_PERIOD
#undef HY_STATS_FROM_TS
#undef HY_STATS_TO_TS
#undef HY_STATS_TOWN

bool is_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])))
      return false;
  }
  const int month = std::stoi(s.substr(5, 2));
  const int day = std::stoi(s.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// A count of patients (or of consents, one patient each) as a cell.
void put_count(json& cell, const char* name, std::int64_t n, bool suppress) {
  if (suppress && n < kMinCellPatients) {
    cell[name] = nullptr;
    cell["suppressed"] = true;
  } else {
    cell[name] = n;
  }
}

// views and patients of one cell; both go when the patients are too few.
json view_cell(json keys, std::int64_t views, std::int64_t patients, bool suppress) {
  if (suppress && patients < kMinCellPatients) {
    keys["views"] = nullptr;
    keys["patients"] = nullptr;
    keys["suppressed"] = true;
  } else {
    keys["views"] = views;
    keys["patients"] = patients;
  }
  return keys;
}

// name|area_code|area_name (HY_STATS_TOWN) into the cell.
void put_town(json& cell, const std::string& town) {
  const auto a = town.find('|');
  const auto b = town.find('|', a + 1);
  cell["municipality_name"] = town.substr(0, a);
  cell["area_code"] = town.substr(a + 1, b - a - 1);
  cell["area_name"] = town.substr(b + 1);
}

std::string csv_field(const json& v) {
  if (v.is_null())
    return "";
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\r\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Period resolve_period(pg::Pool& pool, const std::string& from, const std::string& to) {
  if (!from.empty() && !is_date(from))
    throw Error(ErrorCode::kBadRequest, "from must be a date YYYY-MM-DD");
  if (!to.empty() && !is_date(to))
    throw Error(ErrorCode::kBadRequest, "to must be a date YYYY-MM-DD");
  Period p = pg::transact(pool, [&](pg::Tx& tx) {
    auto r = tx.exec(kResolvePeriod, from, to);
    return Period{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<bool>(),
                  r[0][3].as<bool>()};
  });
  // ISO dates compare as strings.
  if (p.from > p.to)
    throw Error(ErrorCode::kBadRequest, "from must not be after to");
  return p;
}

json build_report(pg::Pool& pool, const Period& period, bool suppress) {
  // One snapshot: the sections agree with each other and with the freshness line.
  return pg::transact(
      pool,
      [&](pg::Tx& tx) {
        json out{{"period", {{"from", period.from}, {"to", period.to}}},
                 {"suppressed", suppress},
                 {"min_cell_patients", kMinCellPatients},
                 {"active_days", kActiveDays}};
        auto fresh = tx.exec(kFreshness);
        out["rollup"] = {{"last_seq", fresh[0][0].as<std::int64_t>()},
                         {"head_seq", fresh[0][1].as<std::int64_t>()},
                         {"updated_at", fresh[0][2].as<std::string>()}};

        json facilities = json::array();
        for (const auto& row : tx.exec(kFacilities)) {
          json f{{"kind", row[0].as<std::string>()},
                 {"municipality", row[1].as<std::string>()},
                 {"discloses", row[2].as<bool>()},
                 {"views", row[3].as<bool>()},
                 {"count", row[4].as<std::int64_t>()}};
          put_town(f, row[5].as<std::string>());
          facilities.push_back(std::move(f));
        }
        out["facilities"] = std::move(facilities);

        auto c = tx.exec(kConsents, period.from, period.to, period.to_today)[0];
        json patients = json::object();
        put_count(patients, "consents_given", c[0].as<std::int64_t>(), suppress);
        put_count(patients, "consents_withdrawn", c[1].as<std::int64_t>(), suppress);
        put_count(patients, "consents_expired", c[2].as<std::int64_t>(), suppress);
        const auto consented = c[3].as<std::int64_t>();
        const auto active = c[4].as<std::int64_t>();
        put_count(patients, "consented_patients", consented, suppress);
        put_count(patients, "actively_shared_patients", active, suppress);
        const bool hide_share =
            suppress && (consented < kMinCellPatients || active < kMinCellPatients);
        if (consented > 0 && !hide_share)
          patients["actively_shared_share"] = static_cast<double>(active) / consented;
        else
          patients["actively_shared_share"] = nullptr;
        out["patients"] = std::move(patients);

        json by_category = json::array();
        for (const auto& r : tx.exec(period.whole_months ? kByCategoryCells : kByCategory,
                                     period.from, period.to)) {
          by_category.push_back(
              view_cell({{"month", r[0].as<std::string>()}, {"category", r[1].as<std::string>()}},
                        r[2].as<std::int64_t>(), r[3].as<std::int64_t>(), suppress));
        }
        out["views_by_category"] = std::move(by_category);

        json by_viewer = json::array();
        for (const auto& r :
             tx.exec(period.whole_months ? kByViewerCells : kByViewer, period.from, period.to)) {
          json keys{{"month", r[0].as<std::string>()},
                    {"kind", r[1].as<std::string>()},
                    {"municipality", r[2].as<std::string>()}};
          put_town(keys, r[5].as<std::string>());
          by_viewer.push_back(view_cell(std::move(keys), r[3].as<std::int64_t>(),
                                        r[4].as<std::int64_t>(), suppress));
        }
        out["views_by_viewer"] = std::move(by_viewer);

        json by_source = json::array();
        for (const auto& r :
             tx.exec(period.whole_months ? kBySourceCells : kBySource, period.from, period.to)) {
          by_source.push_back(view_cell({{"month", r[0].as<std::string>()},
                                         {"facility_oid", r[1].as<std::string>()},
                                         {"facility_name", r[2].as<std::string>()}},
                                        r[3].as<std::int64_t>(), r[4].as<std::int64_t>(),
                                        suppress));
        }
        out["views_by_source"] = std::move(by_source);

        json by_community = json::array();
        for (const auto& r : tx.exec(period.whole_months ? kByCommunityCells : kByCommunity,
                                     period.from, period.to)) {
          by_community.push_back(view_cell({{"month", r[0].as<std::string>()},
                                            {"direction", r[1].as<std::string>()},
                                            {"community", r[2].as<std::string>()}},
                                           r[3].as<std::int64_t>(), r[4].as<std::int64_t>(),
                                           suppress));
        }
        out["views_by_community"] = std::move(by_community);
        return out;
      },
      {.isolation = pg::Isolation::kRepeatableRead});
}

std::string report_csv(const json& report) {
  // New columns go at the end: a spreadsheet made from last month's export still lines up.
  static const char* const kColumns[] = {
      "section",       "month",     "category",  "kind",      "municipality",  "facility_oid",
      "facility_name", "count",     "views",     "patients",  "suppressed",    "municipality_name",
      "area_code",     "area_name", "direction", "community", "community_name"};
  std::string out;
  auto line = [&](const std::string& section, const json& cell) {
    out += section;
    for (std::size_t i = 1; i < std::size(kColumns); ++i) {
      out += ',';
      auto it = cell.find(kColumns[i]);
      if (it != cell.end())
        out += csv_field(*it);
    }
    out += "\r\n";
  };
  for (std::size_t i = 0; i < std::size(kColumns); ++i)
    out += std::string(i ? "," : "") + kColumns[i];
  out += "\r\n";
  for (const auto& f : report.at("facilities")) {
    // "views" here is the facility's role, not a count: the CSV names the roles instead.
    json cell{{"kind", f.at("kind")},           {"municipality", f.at("municipality")},
              {"count", f.at("count")},         {"municipality_name", f.at("municipality_name")},
              {"area_code", f.at("area_code")}, {"area_name", f.at("area_name")}};
    std::string role = f.at("discloses").get<bool>() ? "disclosing" : "";
    if (f.at("views").get<bool>())
      role += role.empty() ? "viewing" : "+viewing";
    line("facilities:" + (role.empty() ? std::string("none") : role), cell);
  }
  for (const auto& [name, value] : report.at("patients").items()) {
    if (name == "suppressed")
      continue;
    json cell{{"count", value}};
    if (value.is_null() && name != "actively_shared_share")
      cell["suppressed"] = true;
    line("patients:" + name, cell);
  }
  for (const char* section :
       {"views_by_category", "views_by_viewer", "views_by_source", "views_by_community"}) {
    for (const auto& cell : report.at(section))
      line(section, cell);
  }
  return out;
}

}  // namespace hareyaka::stats
