// The statistics rollup over six generated months of audit records: incremental rollups
// (in small batches, by two rollers at once, interleaved with appends) equal a recount
// from scratch, the figures equal what the generator knows it wrote, and small cells are
// suppressed when asked. Views across networks (IHE XCA, both directions) count apart, and
// facilities carry their municipality's name and secondary medical area.
#include "portal/stats/stats_rollup.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "consent/pg_consent_store.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/schema.hpp"
#include "portal/stats/stats_report.hpp"
#include "tests/hpd/directory_fixture.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::stats {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// A Japan-time instant (UTC+9) as a TimePoint.
hpd::TimePoint jst(int y, int m, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return hpd::Clock::from_time_t(timegm(&tm)) - hours(9);
}

// "YYYY-MM" of the Japan day an instant falls on.
std::string jst_month(hpd::TimePoint t) {
  std::time_t tt = hpd::Clock::to_time_t(t + hours(9));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[8];
  std::strftime(buf, sizeof buf, "%Y-%m", &tm);
  return buf;
}

struct Cell {
  std::int64_t views = 0;
  std::set<std::string> patients;
};

class StatsRollupTest : public ::testing::Test {
 protected:
  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool(portal::all_migrations(), 6);
  hpd::PgDirectoryStore directory_{*pool_};
  audit::AuditLog log_{*pool_};
  std::vector<std::string> sources_, viewers_;
  std::map<std::string, std::string> viewer_kind_, viewer_town_;
  // What the generator wrote: (month, category) and (month, source facility).
  std::map<std::pair<std::string, std::string>, Cell> by_category_, by_source_;
  std::map<std::tuple<std::string, std::string, std::string>, Cell> by_viewer_;
  // (month, "in" or "out", the peer's homeCommunityId)
  std::map<std::tuple<std::string, std::string, std::string>, Cell> by_community_;
  static constexpr const char* kPeer = "1.2.392.200119.6.9.34";
  std::vector<std::pair<hpd::TimePoint, std::string>> viewed_;  // (when, patient)
  std::mt19937 rng_{20260101};

  void SetUp() override {
    auto add = [&](int code, hpd::FacilityKind kind, bool discloses, const char* town) {
      auto f = testing::make_facility(code, kind, discloses, !discloses);
      f.municipality_code = town;
      directory_.create_facility(f);
      (discloses ? sources_ : viewers_).push_back(f.oid);
      viewer_kind_[f.oid] = std::string(hpd::to_string(kind));
      viewer_town_[f.oid] = town;
    };
    add(100, hpd::FacilityKind::kHospital, true, "331007");
    add(101, hpd::FacilityKind::kHospital, true, "332020");
    add(201, hpd::FacilityKind::kClinic, false, "331007");
    add(202, hpd::FacilityKind::kPharmacy, false, "332020");
    add(203, hpd::FacilityKind::kHomeVisitNursing, false, "331007");
  }

  audit::AuditEvent view(const std::string& viewer, const std::string& source,
                         const std::string& category, int patient, audit::Outcome o) {
    audit::AuditEvent e;
    e.type = audit::EventType::kView;
    e.outcome = o;
    e.actor_user = "user" + std::to_string(patient % 7);
    e.actor_profession = "doctor";
    e.actor_facility = viewer;
    e.patient_authority = hpd::patient_id_domain(source);
    e.patient_local_id = "L" + std::to_string(patient);
    // Most views carry the PIX person; some (a person not linked yet) only the local id.
    if (patient % 5 != 0)
      e.person_id = std::to_string(1000 + patient);
    e.source_facility = source;
    e.category = category;
    return e;
  }

  static std::string patient_key(const audit::AuditEvent& e) {
    return e.person_id.empty() ? e.patient_authority + "^" + e.patient_local_id : e.person_id;
  }

  // A peer network reading this network's records (portal/xca_responder.cpp).
  audit::AuditEvent view_from_peer(const std::string& source, int patient) {
    audit::AuditEvent e = view(kPeer, source, "diagnoses", patient, audit::Outcome::kSuccess);
    e.actor_user = "community:hm-net";
    e.actor_profession = "community";
    e.reason = "cross_community_retrieve";
    return e;
  }
  // This network's user reading the peer's records, and the discovery before it
  // (portal/xca_initiator.cpp): only the first is a view.
  audit::AuditEvent view_of_peer(const std::string& viewer, int patient, const char* reason) {
    audit::AuditEvent e = view(viewer, kPeer, "prescriptions", patient, audit::Outcome::kSuccess);
    e.reason = reason;
    return e;
  }

  // What the report must count, by the rules of HY_STATS_SECTIONS (stats_rollup.cpp).
  void expect(const audit::AuditEvent& e, hpd::TimePoint at) {
    if (e.type != audit::EventType::kView || e.outcome != audit::Outcome::kSuccess ||
        e.reason == "cross_community_discovery")
      return;
    const std::string month = jst_month(at);
    const std::string p = patient_key(e);
    const std::string community = e.actor_profession == "community"    ? e.actor_facility
                                  : e.reason == "cross_community_view" ? e.source_facility
                                                                       : "";
    std::vector<Cell*> cells{&by_category_[{month, e.category}]};
    if (community.empty() || community != e.actor_facility)
      cells.push_back(
          &by_viewer_[{month, viewer_kind_[e.actor_facility], viewer_town_[e.actor_facility]}]);
    if (community.empty() || community != e.source_facility)
      cells.push_back(&by_source_[{month, e.source_facility}]);
    if (!community.empty())
      cells.push_back(
          &by_community_[{month, community == e.actor_facility ? "in" : "out", community}]);
    for (Cell* c : cells) {
      ++c->views;
      c->patients.insert(p);
    }
    viewed_.emplace_back(at, p);
  }

  // One Japan day of activity: views of common categories by many patients, imaging by
  // only five (a small cell every month), refused views and other events that do not count.
  void day(int y, int m, int d) {
    std::vector<audit::AuditEvent> events;
    const auto at = jst(y, m, d, 10, 0);
    static const char* const kCategories[] = {"diagnoses", "prescriptions", "lab_results"};
    for (int i = 0; i < 12; ++i) {
      const auto& viewer = viewers_[rng_() % viewers_.size()];
      const auto& source = sources_[rng_() % sources_.size()];
      events.push_back(view(viewer, source, kCategories[rng_() % 3], static_cast<int>(rng_() % 40),
                            rng_() % 10 == 0 ? audit::Outcome::kDenied : audit::Outcome::kSuccess));
    }
    if (d % 3 == 0)
      events.push_back(view(viewers_[0], sources_[0], "imaging", static_cast<int>(rng_() % 5),
                            audit::Outcome::kSuccess));
    // Across networks: a peer reads ours every fourth day, and our users read the peer's
    // every third, each after a discovery that is not a view.
    if (d % 4 == 0)
      events.push_back(view_from_peer(sources_[d % 2], static_cast<int>(rng_() % 30)));
    if (d % 3 == 1) {
      const int patient = static_cast<int>(rng_() % 12);
      events.push_back(view_of_peer(viewers_[0], patient, "cross_community_discovery"));
      events.push_back(view_of_peer(viewers_[0], patient, "cross_community_view"));
    }
    audit::AuditEvent search;
    search.type = audit::EventType::kSearch;
    search.actor_user = "user1";
    search.actor_facility = viewers_[1];
    events.push_back(search);
    log_.append_all(events, at);
    for (const auto& e : events)
      expect(e, at);
  }

  void months(int from, int to) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = from; m <= to; ++m) {
      for (int d = 1; d <= kDays[m - 1]; ++d)
        day(2026, m, d);
    }
  }

  void append_one(const audit::AuditEvent& e, hpd::TimePoint at) {
    log_.append(e, at);
    expect(e, at);
  }

  // Compares one report section with what was generated.
  template <typename Map, typename KeyOf>
  void compare(const json& section, const Map& expected, KeyOf key_of, bool suppressed) {
    std::size_t seen = 0;
    for (const auto& cell : section) {
      auto it = expected.find(key_of(cell));
      ASSERT_NE(it, expected.end()) << cell.dump();
      ++seen;
      const auto patients = static_cast<std::int64_t>(it->second.patients.size());
      if (suppressed && patients < kMinCellPatients) {
        EXPECT_TRUE(cell["views"].is_null()) << cell.dump();
        EXPECT_TRUE(cell["patients"].is_null()) << cell.dump();
        EXPECT_EQ(cell.value("suppressed", false), true) << cell.dump();
      } else {
        EXPECT_EQ(cell["views"], it->second.views) << cell.dump();
        EXPECT_EQ(cell["patients"], patients) << cell.dump();
        EXPECT_FALSE(cell.contains("suppressed")) << cell.dump();
      }
    }
    EXPECT_EQ(seen, expected.size());
  }

  void compare_all(const json& report, bool suppressed) {
    compare(
        report["views_by_category"], by_category_,
        [](const json& c) {
          return std::pair{c["month"].get<std::string>(), c["category"].get<std::string>()};
        },
        suppressed);
    compare(
        report["views_by_source"], by_source_,
        [](const json& c) {
          return std::pair{c["month"].get<std::string>(), c["facility_oid"].get<std::string>()};
        },
        suppressed);
    compare(
        report["views_by_viewer"], by_viewer_,
        [](const json& c) {
          return std::tuple{c["month"].get<std::string>(), c["kind"].get<std::string>(),
                            c["municipality"].get<std::string>()};
        },
        suppressed);
    compare(
        report["views_by_community"], by_community_,
        [](const json& c) {
          return std::tuple{c["month"].get<std::string>(), c["direction"].get<std::string>(),
                            c["community"].get<std::string>()};
        },
        suppressed);
  }
};

TEST_F(StatsRollupTest, IncrementalRollupsEqualARecountAndTheGeneratedFigures) {
  StatsRollup first(*pool_, {.batch = 97});
  StatsRollup second(*pool_, {.batch = 131});
  months(1, 3);
  // Two rollers at once (two portals on one database) while more is appended.
  std::thread other([&] { second.run_once(); });
  first.run_once();
  other.join();
  months(4, 6);
  // Either side of midnight in Japan at a month's end: January and February.
  append_one(view(viewers_[1], sources_[1], "diagnoses", 3, audit::Outcome::kSuccess),
             jst(2026, 1, 31, 23, 59));
  append_one(view(viewers_[1], sources_[1], "diagnoses", 3, audit::Outcome::kSuccess),
             jst(2026, 2, 1, 0, 1));
  std::thread again([&] { second.run_once(); });
  first.run_once();
  again.join();
  first.run_once();

  auto head = pg::transact(*pool_, [](pg::Tx& tx) {
    return tx.exec_trusted("SELECT seq FROM audit_chain_head")[0][0].as<std::int64_t>();
  });
  EXPECT_EQ(first.cursor(), head);
  auto c = first.check();
  EXPECT_TRUE(c.ok) << c.mismatched_cells << " of " << c.cells;
  EXPECT_EQ(c.last_seq, head);
  EXPECT_GT(c.cells, 1000);

  const Period all{"2026-01-01", "2026-06-30"};
  json report = build_report(*pool_, all, false);
  compare_all(report, false);
  // "Actively shared" at the period's end comes from the day counts the rollup keeps
  // (sql/0004_active_days.sql): the first rollup counted 2026-06-30 before months 4 to 6
  // were appended (dated in the past), and those appends voided and recounted it.
  std::set<std::string> active;
  for (const auto& [at, patient] : viewed_) {
    if (at >= jst(2026, 4, 2, 0, 0) && at < jst(2026, 7, 1, 0, 0))
      active.insert(patient);
  }
  EXPECT_EQ(report["patients"]["actively_shared_patients"],
            static_cast<std::int64_t>(active.size()));
  EXPECT_EQ(pg::transact(*pool_,
                         [](pg::Tx& tx) {
                           return tx
                               .exec_trusted(
                                   "SELECT count(*) FROM stats_active_day WHERE day = "
                                   "'2026-06-30'")[0][0]
                               .as<int>();
                         }),
            1);
  EXPECT_EQ(report["rollup"]["last_seq"], head);
  // The month cells, kept incrementally by two rollers in batches that cross month ends,
  // give the report the daily rows give (exact distinct patients per month and cell).
  EXPECT_EQ(c.mismatched_month_cells, 0);
  Period by_cells = all;
  by_cells.whole_months = true;
  const json from_cells = build_report(*pool_, by_cells, false);
  for (const char* section :
       {"views_by_category", "views_by_viewer", "views_by_source", "views_by_community"})
    EXPECT_EQ(from_cells[section], report[section]) << section;
  // Both directions, every month; the peer is never a viewer or source of our own sections.
  EXPECT_EQ(report["views_by_community"].size(), 12u);
  for (const auto& cell : report["views_by_viewer"])
    EXPECT_NE(cell["kind"], "") << cell.dump();
  for (const auto& cell : report["views_by_source"])
    EXPECT_NE(cell["facility_oid"], kPeer) << cell.dump();
  // The viewing facility's municipality by name, with its secondary medical area.
  for (const auto& cell : report["views_by_viewer"]) {
    const bool okayama = cell["municipality"] == "331007";
    EXPECT_EQ(cell["municipality_name"], okayama ? "岡山市" : "倉敷市") << cell.dump();
    EXPECT_EQ(cell["area_code"], okayama ? "3301" : "3302") << cell.dump();
    EXPECT_EQ(cell["area_name"], okayama ? "県南東部" : "県南西部") << cell.dump();
  }
  EXPECT_TRUE(resolve_period(*pool_, "2026-01-01", "2026-06-30").whole_months);
  EXPECT_FALSE(resolve_period(*pool_, "2026-01-05", "2026-06-30").whole_months);
  EXPECT_FALSE(resolve_period(*pool_, "2026-01-01", "2026-06-29").whole_months);

  // A from-scratch rebuild gives the same figures.
  EXPECT_EQ(first.rebuild(), head);
  EXPECT_TRUE(first.check().ok);
  EXPECT_EQ(build_report(*pool_, all, false)["views_by_category"], report["views_by_category"]);
  EXPECT_EQ(build_report(*pool_, by_cells, false)["views_by_source"], report["views_by_source"]);

  // The Prometheus counters a rollup publishes: views by category since the first record.
  http::Metrics metrics;
  StatsRollup published(*pool_, {.metrics = &metrics});
  published.run_once();
  const std::string text = metrics.render();
  std::map<std::string, std::int64_t> totals;
  for (const auto& [key, cell] : by_category_)
    totals[key.second] += cell.views;
  ASSERT_EQ(totals.size(), 4u);
  for (const auto& [category, n] : totals) {
    EXPECT_NE(text.find("hareyaka_stats_views_total{category=\"" + category + "\"} " +
                        std::to_string(n) + "\n"),
              std::string::npos)
        << text;
  }
  EXPECT_NE(text.find("hareyaka_stats_rollup_lag_records 0\n"), std::string::npos) << text;
}

TEST_F(StatsRollupTest, CheckFindsATamperedRollupAndRebuildRepairsIt) {
  StatsRollup rollup(*pool_);
  months(1, 2);
  rollup.run_once();
  ASSERT_TRUE(rollup.check().ok);
  pg::transact(*pool_, [](pg::Tx& tx) {
    tx.exec_trusted(
        "UPDATE stats_view_day SET views = views + 1 WHERE ctid = "
        "(SELECT ctid FROM stats_view_day LIMIT 1)");
  });
  auto broken = rollup.check();
  EXPECT_FALSE(broken.ok);
  EXPECT_EQ(broken.mismatched_cells, 1);
  EXPECT_EQ(broken.mismatched_totals, 1);
  rollup.rebuild();
  EXPECT_TRUE(rollup.check().ok);
  compare_all(build_report(*pool_, {"2026-01-01", "2026-02-28"}, false), false);
}

TEST_F(StatsRollupTest, SuppressesCellsOfFewerThanTenPatients) {
  StatsRollup rollup(*pool_);
  months(1, 6);
  rollup.run_once();
  json open = build_report(*pool_, {"2026-01-01", "2026-06-30"}, true);
  EXPECT_EQ(open["suppressed"], true);
  compare_all(open, true);
  // Imaging was viewed for five patients only: every imaging cell is suppressed, and the
  // common categories (40 patients) are not.
  int imaging = 0, shown = 0;
  for (const auto& cell : open["views_by_category"]) {
    if (cell["category"] == "imaging") {
      ++imaging;
      EXPECT_TRUE(cell["views"].is_null());
    } else if (!cell["views"].is_null()) {
      ++shown;
    }
  }
  EXPECT_EQ(imaging, 6);
  EXPECT_EQ(shown, 18);
  // The CSV carries the same suppression: no imaging row has a count.
  const std::string csv = report_csv(open);
  std::size_t rows = 0;
  for (std::size_t at = csv.find("views_by_category,"); at != std::string::npos;
       at = csv.find("views_by_category,", at + 1)) {
    const std::string row = csv.substr(at, csv.find("\r\n", at) - at);
    if (row.find(",imaging,") != std::string::npos) {
      // count, views, patients empty, suppressed, then the six later columns empty
      EXPECT_EQ(row.substr(row.size() - 13), ",,,true,,,,,,") << row;
      ++rows;
    }
  }
  EXPECT_EQ(rows, 6u);
}

TEST_F(StatsRollupTest, CountsConsentsAndActivelySharedPatients) {
  consent::PgConsentStore consents(*pool_);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 14; ++i) {
    consent::NewConsent c;
    c.patient = {hpd::patient_id_domain(sources_[0]), "L" + std::to_string(i)};
    c.person_id = std::to_string(1000 + i);
    c.source_facility = sources_[0];
    c.starts_at = jst(2026, 1, 5, 9, 0);
    if (i == 13)
      c.expires_at = jst(2026, 4, 1, 0, 0);
    c.registered_by = "secretariat1";
    ids.push_back(consents.give(c, jst(2026, 1, 5, 9, 0)).id);
  }
  consents.withdraw(ids[0], "secretariat1", "patient asked", jst(2026, 3, 10, 9, 0));
  consents.withdraw(ids[1], "secretariat1", "patient asked", jst(2026, 3, 11, 9, 0));
  StatsRollup rollup(*pool_);
  months(1, 6);
  rollup.run_once();

  json r = build_report(*pool_, {"2026-01-01", "2026-06-30"}, false);
  const json& p = r["patients"];
  EXPECT_EQ(p["consents_given"], 14);
  EXPECT_EQ(p["consents_withdrawn"], 2);
  EXPECT_EQ(p["consents_expired"], 1);
  EXPECT_EQ(p["consented_patients"], 11);
  // Viewed on a Japan day after 2026-06-30 minus 90 days.
  std::set<std::string> active;
  for (const auto& [at, patient] : viewed_) {
    if (at >= jst(2026, 4, 2, 0, 0))
      active.insert(patient);
  }
  EXPECT_EQ(p["actively_shared_patients"], static_cast<std::int64_t>(active.size()));
  // Ending on the day of the last view ("today"), the last-view index gives the same count.
  Period to_today{"2026-01-01", "2026-06-30"};
  to_today.to_today = true;
  EXPECT_EQ(build_report(*pool_, to_today, false)["patients"]["actively_shared_patients"],
            static_cast<std::int64_t>(active.size()));
  EXPECT_DOUBLE_EQ(p["actively_shared_share"].get<double>(), active.size() / 11.0);

  // Only the given consents (14) and the consented patients (11) stay in the open figures.
  json open = build_report(*pool_, {"2026-01-01", "2026-06-30"}, true);
  EXPECT_EQ(open["patients"]["consents_given"], 14);
  EXPECT_TRUE(open["patients"]["consents_withdrawn"].is_null());
  EXPECT_TRUE(open["patients"]["consents_expired"].is_null());
  EXPECT_EQ(open["patients"]["consented_patients"], 11);

  const std::string text = rollup.exposition();
  EXPECT_NE(text.find("hareyaka_consents{state=\"active\"} 11\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hareyaka_consents{state=\"withdrawn\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("hareyaka_consents{state=\"expired\"} 1\n"), std::string::npos);

  int hospitals = 0;
  for (const auto& f : r["facilities"]) {
    if (f["kind"] == "hospital")
      hospitals += f["count"].get<int>();
    EXPECT_EQ(f["area_name"], f["municipality"] == "331007" ? "県南東部" : "県南西部") << f.dump();
  }
  EXPECT_EQ(hospitals, 2);
}

}  // namespace
}  // namespace hareyaka::stats
