// Generates months of view activity for the usage statistics (tests and benchmark).
//
//   hareyaka-stats-gen --db 'conninfo' | --db-file FILE  [--months 6] [--per-day 200]
//                      [--end YYYY-MM] [--patients 2000] [--seed 1] [--mode append|copy]
//                      [--days N (only the first N days)]
//
// Viewing and disclosing facilities are the database's own (facilities.views/discloses).
// Each Japan day gets --per-day view records over the common categories, 10 % of them
// refused, and imaging views for only 6 patients (a cell the open data must suppress).
// append: through AuditLog::append_all, one transaction per day (a real, verified chain).
// copy: the same records as COPY text on stdout continuing the chain from its head
// (seq, hashes), for tests/bench/stats_bench.sh to load 10 million rows quickly; the
// script then moves audit_chain_head itself.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "portal/audit/audit_log.hpp"

namespace {

using namespace hareyaka;

constexpr pg::Statement kViewers{"gen_viewers",
                                 "SELECT oid FROM facilities WHERE views ORDER BY oid"};
constexpr pg::Statement kSources{"gen_sources",
                                 "SELECT oid FROM facilities WHERE discloses ORDER BY oid"};
constexpr pg::Statement kHead{"gen_head", "SELECT seq, hash FROM audit_chain_head WHERE id = 1"};

struct Options {
  std::string conninfo;
  int months = 6;
  int per_day = 200;
  int patients = 2000;
  int end_year = 0, end_month = 0;  // 0: this month
  unsigned seed = 1;
  bool copy = false;
  int days = 0;  // 0: every day of the months; else only the first N days
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "hareyaka-stats-gen: " << why
            << "\nusage: hareyaka-stats-gen --db CONNINFO|--db-file FILE [--months N] "
               "[--per-day N] [--end YYYY-MM] [--patients N] [--seed N] [--mode append|copy]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc)
      usage(a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--db") {
      o.conninfo = v;
    } else if (a == "--db-file") {
      std::ifstream in(v);
      if (!std::getline(in, o.conninfo))
        usage("cannot read " + v);
    } else if (a == "--months") {
      o.months = std::stoi(v);
    } else if (a == "--per-day") {
      o.per_day = std::stoi(v);
    } else if (a == "--patients") {
      o.patients = std::stoi(v);
    } else if (a == "--days") {
      o.days = std::stoi(v);
    } else if (a == "--seed") {
      o.seed = static_cast<unsigned>(std::stoul(v));
    } else if (a == "--end") {
      if (std::sscanf(v.c_str(), "%d-%d", &o.end_year, &o.end_month) != 2)
        usage("--end is YYYY-MM");
    } else if (a == "--mode") {
      if (v != "append" && v != "copy")
        usage("--mode is append or copy");
      o.copy = v == "copy";
    } else {
      usage("unknown option " + a);
    }
  }
  if (o.conninfo.empty())
    usage("--db or --db-file is required");
  if (o.patients < 20 || o.per_day < 1 || o.months < 1)
    usage("sizes too small");
  return o;
}

std::vector<std::string> column(pg::Pool& pool, const pg::Statement& s) {
  return pg::transact(pool, [&](pg::Tx& tx) {
    std::vector<std::string> out;
    for (const auto& r : tx.exec(s))
      out.push_back(r[0].as<std::string>());
    return out;
  });
}

// COPY text escaping (tab-separated; backslash, tab and newlines escaped).
std::string copy_field(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
      out += '\\';
      out += c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
    } else {
      out += c;
    }
  }
  return out;
}

std::string iso_utc_us(hpd::TimePoint t) {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld+00", static_cast<long long>(us % 1'000'000));
  return std::string(buf) + frac;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  pg::Pool pool({.conninfo = o.conninfo, .size = 2});
  const auto viewers = column(pool, kViewers);
  const auto sources = column(pool, kSources);
  if (viewers.empty() || sources.empty()) {
    std::cerr << "hareyaka-stats-gen: the directory needs viewing and disclosing facilities\n";
    return 1;
  }
  int year = o.end_year, month = o.end_month;
  if (year == 0) {
    std::time_t now = std::time(nullptr) + 9 * 3600;
    std::tm tm{};
    gmtime_r(&now, &tm);
    year = tm.tm_year + 1900;
    month = tm.tm_mon + 1;
  }
  int m0 = year * 12 + (month - 1) - (o.months - 1);
  std::mt19937 rng(o.seed);
  static const char* const kCategories[] = {"encounters",  "diagnoses", "prescriptions",
                                            "lab_results", "allergies", "documents"};
  audit::AuditLog log(pool);
  audit::AuditRecord prev;
  if (o.copy) {
    pg::transact(pool, [&](pg::Tx& tx) {
      auto r = tx.exec(kHead);
      prev.seq = r[0][0].as<std::int64_t>();
      prev.hash = r[0][1].as<std::string>();
    });
  }
  std::int64_t written = 0;
  int days_left = o.days > 0 ? o.days : 1 << 30;
  for (int m = m0; m < m0 + o.months && days_left > 0; ++m) {
    const int y = m / 12, mon = m % 12 + 1;
    for (int d = 1; d <= 31 && days_left-- > 0; ++d) {
      std::tm tm{};
      tm.tm_year = y - 1900;
      tm.tm_mon = mon - 1;
      tm.tm_mday = d;
      tm.tm_hour = 1;  // 10:00 in Japan
      const std::time_t tt = timegm(&tm);
      std::tm back{};
      gmtime_r(&tt, &back);
      if (back.tm_mon != mon - 1)
        break;  // past the month's last day
      const auto day_start = hpd::Clock::from_time_t(tt);
      std::vector<audit::AuditEvent> events;
      for (int i = 0; i < o.per_day; ++i) {
        const bool imaging = i % 25 == 0;
        const int patient = static_cast<int>(rng() % (imaging ? 6 : o.patients));
        audit::AuditEvent e;
        e.type = audit::EventType::kView;
        e.outcome = rng() % 10 == 0 ? audit::Outcome::kDenied : audit::Outcome::kSuccess;
        e.actor_user = "gen-user-" + std::to_string(rng() % 50);
        e.actor_profession = "doctor";
        e.actor_facility = viewers[rng() % viewers.size()];
        e.source_facility = sources[rng() % sources.size()];
        e.person_id = "gen-" + std::to_string(patient);
        e.patient_authority = e.source_facility + ".1";
        e.patient_local_id = "G" + std::to_string(patient);
        e.category = imaging ? "imaging" : kCategories[rng() % std::size(kCategories)];
        if (e.outcome == audit::Outcome::kDenied)
          e.reason = "no_consent";
        e.request_id = "gen-" + std::to_string(written + i);
        events.push_back(std::move(e));
      }
      if (!o.copy) {
        log.append_all(events, day_start);
        written += static_cast<std::int64_t>(events.size());
        continue;
      }
      for (std::size_t i = 0; i < events.size(); ++i) {
        audit::AuditRecord r;
        static_cast<audit::AuditEvent&>(r) = events[i];
        r.seq = prev.seq + 1;
        // Spread over ten hours of the day, microsecond precision as the table keeps it.
        r.at = day_start + std::chrono::microseconds(static_cast<std::int64_t>(i) * 36'000'000'000 /
                                                     static_cast<std::int64_t>(events.size()));
        r.prev_hash = prev.hash;
        r.hash = audit::compute_hash(r);
        std::cout << r.seq << '\t' << iso_utc_us(r.at) << '\t' << audit::to_string(r.type) << '\t'
                  << audit::to_string(r.outcome) << '\t' << copy_field(r.actor_user) << '\t'
                  << copy_field(r.actor_profession) << '\t' << copy_field(r.actor_facility) << '\t'
                  << copy_field(r.person_id) << '\t' << copy_field(r.patient_authority) << '\t'
                  << copy_field(r.patient_local_id) << '\t' << copy_field(r.source_facility) << '\t'
                  << copy_field(r.category) << '\t' << copy_field(r.reason) << '\t'
                  << copy_field(r.detail) << '\t' << copy_field(r.request_id) << '\t' << r.prev_hash
                  << '\t' << r.hash << '\n';
        prev.seq = r.seq;
        prev.hash = r.hash;
      }
      written += static_cast<std::int64_t>(events.size());
    }
  }
  std::cerr << "hareyaka-stats-gen: " << written << " view records"
            << (o.copy
                    ? " as COPY text, last seq " + std::to_string(prev.seq) + " hash " + prev.hash
                    : std::string(" appended"))
            << "\n";
  return 0;
}
