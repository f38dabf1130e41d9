#include "portal/hpd_feed/directory_import.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "portal/hpd_feed/csv_table.hpp"

namespace hareyaka::hpd_feed {
namespace {

const std::vector<std::string> kFacilityColumns = {
    "oid",          "prefecture", "code",  "name",        "name_kana",           "name_en", "kind",
    "municipality", "discloses",  "views", "gateway_url", "gateway_cert_sha256", "status"};
const std::vector<std::string> kUserColumns = {"login_id",    "display_name", "facility_oid",
                                               "profession",  "status",       "password",
                                               "hpki_issuer", "hpki_serial",  "hpki_subject"};

}  // namespace

std::string RowReader::get(std::string_view column) const {
  for (std::size_t i = 0; i < header->size(); ++i) {
    if ((*header)[i] == column)
      return i < cells->size() ? (*cells)[i] : std::string();
  }
  return {};
}

bool RowReader::has_column(std::string_view column) const {
  return std::find(header->begin(), header->end(), column) != header->end();
}

void RowReader::error(std::string column, std::string reason) const {
  errors->push_back({row, std::move(column), std::move(reason)});
}

std::optional<bool> read_bool(const RowReader& r, std::string_view column) {
  const std::string v = r.get(column);
  if (v.empty())
    return std::nullopt;
  std::string l = v;
  std::transform(l.begin(), l.end(), l.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (l == "true" || l == "1" || l == "yes" || v == "はい" || v == "○")
    return true;
  if (l == "false" || l == "0" || l == "no" || v == "いいえ" || v == "×")
    return false;
  r.error(std::string(column), "'" + v + "' is not true/false (1/0, yes/no, はい/いいえ)");
  return std::nullopt;
}

ImportReport import_csv(pg::Pool& pool, ImportKind kind, std::string_view bytes, bool apply,
                        const ImportSettings& settings) {
  const CsvTable table = parse_csv(bytes);
  const auto& known = kind == ImportKind::kFacilities ? kFacilityColumns : kUserColumns;
  std::vector<std::pair<int, std::vector<std::string>>> rows;
  for (const auto& r : table.rows)
    rows.emplace_back(r.number, r.cells);

  // Planning and writing share one transaction: what the dry run reads is what apply writes
  // over, and a failure anywhere rolls every row back.
  return pg::transact(pool, [&](pg::Tx& tx) {
    ImportReport report;
    report.encoding = table.encoding;
    for (const auto& h : table.header) {
      if (std::find(known.begin(), known.end(), h) == known.end())
        report.errors.push_back({1, h, "unknown column"});
    }
    for (const auto& r : table.rows) {
      if (r.cells.size() > table.header.size()) {
        report.errors.push_back({r.number, "",
                                 "has " + std::to_string(r.cells.size()) +
                                     " cells but the header has " +
                                     std::to_string(table.header.size()) + " columns"});
      }
    }
    // The planners write only when apply is asked and no row has an error.
    if (kind == ImportKind::kFacilities) {
      plan_facilities(tx, table.header, rows, apply, settings, report);
    } else {
      plan_users(tx, table.header, rows, apply, settings, report);
    }
    return report;
  });  // retried on a deadlock (the directory triggers serialise writers): no effects
       // outside the transaction
}

}  // namespace hareyaka::hpd_feed
