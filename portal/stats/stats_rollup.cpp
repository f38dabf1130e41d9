#include "portal/stats/stats_rollup.hpp"

#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::stats {
namespace {

// The rows of one rollup step, and of the recount check, are the same expression: a Japan
// day (UTC+9, no daylight saving, so no time zone database is needed), the category, both
// facilities and the patient.
#define HY_STATS_DAY "((at AT TIME ZONE 'UTC') + interval '9 hours')::date"
#define HY_STATS_PATIENT                      \
  "CASE WHEN person_id <> '' THEN person_id " \
  "ELSE patient_authority || '^' || patient_local_id END"
// An XCPD discovery is recorded as a view attempt of the category asked for; only the
// query that follows it (cross_community_view) counts. A read of a care team's shared record
// (category care_team, portal/care) is no disclosure of a facility's records: not counted.
#define HY_STATS_VIEWS                                                                     \
  "event_type = 'view' AND outcome = 'success' AND reason <> 'cross_community_discovery' " \
  "AND category <> 'care_team'"
// The peer community of a view across networks (sql/0003_communities.sql), '' for a view
// inside this network.
#define HY_STATS_COMMUNITY                                        \
  "CASE WHEN actor_profession = 'community' THEN actor_facility " \
  "WHEN reason = 'cross_community_view' THEN source_facility ELSE '' END"
// The report cells one row adds to, for the month cells and their check: by category (every
// view); by this network's viewing facility (kind, municipality; not a peer reading ours);
// by this network's disclosing facility (not a peer's records read by our user); by peer
// community and direction. `f` is the viewer's facilities row; keep rows WHERE s.section IS
// NOT NULL.
#define HY_STATS_SECTIONS(cat, viewer, source, community)                                     \
  "LATERAL (VALUES ('category', " cat                                                         \
  ", ''), "                                                                                   \
  "  (CASE WHEN " community " = '' OR " community " <> " viewer                               \
  " THEN 'viewer' END, coalesce(f.kind, ''), coalesce(f.municipality_code, '')), "            \
  "  (CASE WHEN " community " = '' OR " community " <> " source " THEN 'source' END, " source \
  ", ''), "                                                                                   \
  "  (CASE WHEN " community                                                                   \
  " <> '' THEN 'community' END, "                                                             \
  "   CASE WHEN " community " = " viewer " THEN 'in' ELSE 'out' END, " community              \
  ")) AS s(section, k1, k2) "

constexpr pg::Statement kLockCursor{
    "stats_lock_cursor", "SELECT last_seq FROM stats_rollup_cursor WHERE id = 1 FOR UPDATE"};
constexpr pg::Statement kReadCursor{"stats_read_cursor",
                                    "SELECT last_seq FROM stats_rollup_cursor WHERE id = 1"};
// Records up to the committed head exist (the head moves in the appending transaction).
constexpr pg::Statement kHead{"stats_chain_head", "SELECT seq FROM audit_chain_head WHERE id = 1"};
constexpr pg::Statement kAddBatch{
    "stats_add_batch",
    "INSERT INTO stats_view_day (day, category, viewer_facility, source_facility, patient, "
    "community, views) "
    "SELECT " HY_STATS_DAY ", category, actor_facility, source_facility, " HY_STATS_PATIENT
    ", " HY_STATS_COMMUNITY
    ", count(*) FROM audit_log WHERE seq > $1 AND seq <= $2 AND " HY_STATS_VIEWS
    " GROUP BY 1, 2, 3, 4, 5, 6 "
    "ON CONFLICT (day, category, viewer_facility, source_facility, patient) "
    "DO UPDATE SET views = stats_view_day.views + EXCLUDED.views"};
// The batch's month cells (sql/0002_month_cells.sql): membership first, so a patient new to
// a month and cell adds one to its patients, and the views always add.
constexpr pg::Statement kAddCells{
    "stats_add_month_cells",
    "WITH b AS (SELECT date_trunc('month', " HY_STATS_DAY
    ")::date AS month, category, "
    "    actor_facility AS viewer, source_facility AS source, " HY_STATS_PATIENT
    " AS patient, " HY_STATS_COMMUNITY
    " AS community, "
    "    count(*) AS views "
    "  FROM audit_log WHERE seq > $1 AND seq <= $2 AND " HY_STATS_VIEWS
    " GROUP BY 1, 2, 3, 4, 5, 6), "
    "k AS (SELECT b.month, s.section, s.k1, s.k2, b.patient, sum(b.views) AS views "
    "  FROM b LEFT JOIN facilities f ON f.oid = b.viewer, " HY_STATS_SECTIONS(
        "b.category", "b.viewer", "b.source", "b.community")
    "  WHERE s.section IS NOT NULL GROUP BY 1, 2, 3, 4, 5), "
    "fresh AS (INSERT INTO stats_month_patient (month, section, k1, k2, patient) "
    "  SELECT month, section, k1, k2, patient FROM k ON CONFLICT DO NOTHING "
    "  RETURNING month, section, k1, k2), "
    "n AS (SELECT month, section, k1, k2, count(*) AS patients FROM fresh GROUP BY 1, 2, 3, 4), "
    "c AS (SELECT month, section, k1, k2, sum(views) AS views FROM k GROUP BY 1, 2, 3, 4) "
    "INSERT INTO stats_month_cell (month, section, k1, k2, views, patients) "
    "SELECT c.month, c.section, c.k1, c.k2, c.views, coalesce(n.patients, 0) "
    "FROM c LEFT JOIN n USING (month, section, k1, k2) "
    "ON CONFLICT (month, section, k1, k2) DO UPDATE SET "
    "  views = stats_month_cell.views + EXCLUDED.views, "
    "  patients = stats_month_cell.patients + EXCLUDED.patients"};
constexpr pg::Statement kAddPatientLast{
    "stats_add_patient_last",
    "INSERT INTO stats_patient_last (patient, last_day) "
    "SELECT " HY_STATS_PATIENT ", max(" HY_STATS_DAY
    ") FROM audit_log "
    "WHERE seq > $1 AND seq <= $2 AND " HY_STATS_VIEWS
    " GROUP BY 1 "
    "ON CONFLICT (patient) DO UPDATE SET "
    "  last_day = greatest(stats_patient_last.last_day, EXCLUDED.last_day)"};
// Month cells that differ from a recount of the daily rows (same keys, same facilities).
constexpr pg::Statement kCheckCells{
    "stats_check_month_cells",
    "WITH r AS (SELECT date_trunc('month', v.day)::date AS month, s.section, s.k1, s.k2, "
    "    sum(v.views) AS views, count(DISTINCT v.patient) AS patients "
    "  FROM stats_view_day v LEFT JOIN facilities f ON f.oid = v.viewer_facility, "
    HY_STATS_SECTIONS("v.category", "v.viewer_facility", "v.source_facility", "v.community")
    "  WHERE s.section IS NOT NULL GROUP BY 1, 2, 3, 4) "
    "SELECT count(*) FROM r FULL JOIN stats_month_cell c USING (month, section, k1, k2) "
    "WHERE r.views IS DISTINCT FROM c.views OR r.patients IS DISTINCT FROM c.patients"};
constexpr pg::Statement kClearCells{"stats_clear_month_cells", "DELETE FROM stats_month_cell"};
constexpr pg::Statement kClearMembers{"stats_clear_month_patients",
                                      "DELETE FROM stats_month_patient"};
constexpr pg::Statement kClearLast{"stats_clear_patient_last", "DELETE FROM stats_patient_last"};
constexpr pg::Statement kAddTotals{
    "stats_add_totals",
    "INSERT INTO stats_view_totals (category, views) "
    "SELECT category, count(*) FROM audit_log WHERE seq > $1 AND seq <= $2 AND " HY_STATS_VIEWS
    " GROUP BY 1 ON CONFLICT (category) DO UPDATE SET views = stats_view_totals.views + "
    "EXCLUDED.views"};
constexpr pg::Statement kMoveCursor{
    "stats_move_cursor",
    "UPDATE stats_rollup_cursor SET last_seq = $1, updated_at = now() "
    "WHERE id = 1"};
constexpr pg::Statement kClear{"stats_clear", "DELETE FROM stats_view_day"};
constexpr pg::Statement kClearTotals{"stats_clear_totals", "DELETE FROM stats_view_totals"};
// Categories whose running total differs from the sum of their daily rows.
constexpr pg::Statement kCheckTotals{
    "stats_check_totals",
    "SELECT count(*) FROM stats_view_totals t FULL JOIN "
    "  (SELECT category, sum(views) AS views FROM stats_view_day GROUP BY 1) d USING (category) "
    "WHERE t.views IS DISTINCT FROM d.views"};
constexpr pg::Statement kTotals{"stats_totals",
                                "SELECT category, views FROM stats_view_totals ORDER BY 1"};
constexpr pg::Statement kConsentStates{
    "stats_consent_states",
    "SELECT count(*) FILTER (WHERE withdrawn_at IS NULL AND starts_at <= now() AND "
    "         (expires_at IS NULL OR expires_at > now())), "
    "       count(*) FILTER (WHERE withdrawn_at IS NULL AND starts_at > now()), "
    "       count(*) FILTER (WHERE withdrawn_at IS NOT NULL), "
    "       count(*) FILTER (WHERE withdrawn_at IS NULL AND expires_at <= now()) "
    "FROM consents"};
constexpr pg::Statement kCheck{
    "stats_check",
    "WITH recount AS ("
    "  SELECT " HY_STATS_DAY
    " AS day, category, actor_facility AS viewer_facility, "
    "         source_facility, " HY_STATS_PATIENT " AS patient, " HY_STATS_COMMUNITY
    " AS community, count(*) AS views "
    "  FROM audit_log WHERE seq <= $1 AND " HY_STATS_VIEWS
    " GROUP BY 1, 2, 3, 4, 5, 6) "
    "SELECT (SELECT count(*) FROM stats_view_day), count(*) FILTER ("
    "         WHERE r.views IS DISTINCT FROM s.views "
    "            OR r.community IS DISTINCT FROM s.community) "
    "FROM recount r FULL JOIN stats_view_day s "
    "  USING (day, category, viewer_facility, source_facility, patient)"};

// sql/0004_active_days.sql: a batch's views dated at or before a kept day void it.
constexpr pg::Statement kVoidActive{
    "stats_void_active_days",
    "DELETE FROM stats_active_day WHERE day >= (SELECT min(" HY_STATS_DAY
    ") FROM audit_log WHERE seq > $1 AND seq <= $2 AND " HY_STATS_VIEWS ")"};
// Yesterday (Japan) and the last day of each of the twelve months before, where missing.
constexpr pg::Statement kFillActive{
    "stats_fill_active_days",
    "INSERT INTO stats_active_day (day, patients) "
    "SELECT d, (SELECT count(DISTINCT patient) FROM stats_view_day WHERE day > d - 90 "
    "  AND day <= d) "
    "FROM (SELECT DISTINCT d FROM (SELECT ((now() AT TIME ZONE 'UTC') + interval '9 hours')::date "
    "  AS today) t, LATERAL (SELECT t.today - 1 AS d UNION ALL "
    "  SELECT (date_trunc('month', t.today) - make_interval(months => m))::date - 1 "
    "  FROM generate_series(0, 11) m) s) days "
    "WHERE NOT EXISTS (SELECT 1 FROM stats_active_day a WHERE a.day = days.d) "
    "ON CONFLICT (day) DO NOTHING"};
constexpr pg::Statement kClearActive{"stats_clear_active_days", "DELETE FROM stats_active_day"};

#undef HY_STATS_DAY
#undef HY_STATS_PATIENT
#undef HY_STATS_VIEWS
#undef HY_STATS_COMMUNITY
#undef HY_STATS_SECTIONS

// Rolls up from the locked cursor to the head inside tx; returns the records passed.
std::int64_t roll_up_to_head(pg::Tx& tx, std::int64_t from, std::int64_t batch) {
  const std::int64_t head = tx.exec(kHead)[0][0].as<std::int64_t>();
  if (head <= from)
    return 0;
  const std::int64_t to = std::min(head, from + batch);
  tx.exec(kAddBatch, from, to);
  tx.exec(kAddCells, from, to);
  tx.exec(kAddPatientLast, from, to);
  tx.exec(kAddTotals, from, to);
  tx.exec(kVoidActive, from, to);
  tx.exec(kMoveCursor, to);
  return to - from;
}

}  // namespace

StatsRollup::StatsRollup(pg::Pool& pool, RollupSettings settings)
    : pool_(pool), settings_(settings) {}

StatsRollup::~StatsRollup() {
  stop();
}

std::int64_t StatsRollup::run_once() {
  std::int64_t total = 0;
  for (;;) {
    // One batch per transaction: the cursor row is held only while its batch is added.
    const std::int64_t n = pg::transact(pool_, [&](pg::Tx& tx) {
      const std::int64_t from = tx.exec(kLockCursor)[0][0].as<std::int64_t>();
      return roll_up_to_head(tx, from, settings_.batch);
    });
    if (n == 0)
      break;
    total += n;
  }
  // At the head: the days reports end on are counted now, not on each read.
  pg::transact(pool_, [&](pg::Tx& tx) { tx.exec(kFillActive); });
  if (settings_.metrics)
    settings_.metrics->set_section("stats", exposition());
  return total;
}

std::string StatsRollup::exposition() {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::string out =
        "# HELP hareyaka_stats_views_total Successful views of patient records by data category, "
        "from the audit chain (network-wide: every portal reports the same figure).\n"
        "# TYPE hareyaka_stats_views_total counter\n";
    for (const auto& r : tx.exec(kTotals)) {
      out += "hareyaka_stats_views_total{category=\"" + r[0].as<std::string>() + "\"} " +
             r[1].as<std::string>() + "\n";
    }
    auto c = tx.exec(kConsentStates)[0];
    out +=
        "# HELP hareyaka_consents Consents by state now (network-wide).\n"
        "# TYPE hareyaka_consents gauge\n";
    const char* const states[] = {"active", "pending", "withdrawn", "expired"};
    for (int i = 0; i < 4; ++i) {
      out += std::string("hareyaka_consents{state=\"") + states[i] + "\"} " +
             c[i].as<std::string>() + "\n";
    }
    const auto head = tx.exec(kHead)[0][0].as<std::int64_t>();
    const auto last = tx.exec(kReadCursor)[0][0].as<std::int64_t>();
    out +=
        "# HELP hareyaka_stats_rollup_lag_records Audit records the statistics rollup has not "
        "read yet.\n"
        "# TYPE hareyaka_stats_rollup_lag_records gauge\n"
        "hareyaka_stats_rollup_lag_records " +
        std::to_string(head - last) + "\n";
    return out;
  });
}

std::int64_t StatsRollup::rebuild() {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    tx.exec(kLockCursor);
    tx.exec(kClear);
    tx.exec(kClearCells);
    tx.exec(kClearMembers);
    tx.exec(kClearLast);
    tx.exec(kClearTotals);
    tx.exec(kClearActive);
    tx.exec(kMoveCursor, std::int64_t{0});
    std::int64_t total = 0;
    while (std::int64_t n = roll_up_to_head(tx, total, settings_.batch))
      total += n;
    tx.exec(kFillActive);
    return total;
  });
}

CheckResult StatsRollup::check() {
  // Repeatable read: the cursor, the rollup and the recount see one snapshot.
  return pg::transact(pool_,
                      [&](pg::Tx& tx) {
                        CheckResult c;
                        c.last_seq = tx.exec(kReadCursor)[0][0].as<std::int64_t>();
                        auto r = tx.exec(kCheck, c.last_seq);
                        c.cells = r[0][0].as<std::int64_t>();
                        c.mismatched_cells = r[0][1].as<std::int64_t>();
                        c.mismatched_totals = tx.exec(kCheckTotals)[0][0].as<std::int64_t>();
                        c.mismatched_month_cells = tx.exec(kCheckCells)[0][0].as<std::int64_t>();
                        c.ok = c.mismatched_cells == 0 && c.mismatched_totals == 0 &&
                               c.mismatched_month_cells == 0;
                        return c;
                      },
                      {.isolation = pg::Isolation::kRepeatableRead});
}

std::int64_t StatsRollup::cursor() {
  return pg::transact(pool_,
                      [&](pg::Tx& tx) { return tx.exec(kReadCursor)[0][0].as<std::int64_t>(); });
}

void StatsRollup::start() {
  thread_ = std::thread([this] {
    for (;;) {
      try {
        if (auto n = run_once(); n > 0) {
          log::info("statistics rolled up", {.component = "stats", .count = n});
        }
      } catch (const Error& e) {
        log::warn("statistics rollup failed; will retry",
                  {.component = "stats", .detail = e.internal()});
      } catch (const std::exception&) {
        log::warn("statistics rollup failed; will retry", {.component = "stats"});
      }
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, settings_.interval, [this] { return stop_; }))
        return;
    }
  });
}

void StatsRollup::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

}  // namespace hareyaka::stats
