// Bulk import of facilities and users from the secretariat's CSV files (docs/operations.md
// "Bulk import from CSV" lists the columns). A dry run reports, row by row, what would be
// created, updated or left unchanged, and every error with its row, column and reason; it
// changes nothing. Apply does the same checks and, only when there is no error at all, writes
// every row in one transaction (all or nothing); the directory's triggers queue the HPD feeds
// of the changes in that same transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/pg.hpp"
#include "portal/auth/password.hpp"

namespace hareyaka::hpd_feed {

enum class ImportKind { kFacilities, kUsers };

struct ImportError {
  int row = 0;         // spreadsheet row (header = 1)
  std::string column;  // the column at fault ("" when the whole row is)
  std::string reason;
};

struct ImportRow {
  int row = 0;
  std::string key;                   // facility OID or login id ("" when it could not be read)
  std::string action;                // "create", "update", "unchanged" or "error"
  std::vector<std::string> changed;  // for updates: the columns that change
};

struct ImportReport {
  std::string encoding;
  bool applied = false;
  std::vector<ImportRow> rows;
  std::vector<ImportError> errors;
  int create = 0, update = 0, unchanged = 0;
};

struct ImportSettings {
  std::string network_root;
  auth::PasswordHashing hashing = auth::PasswordHashing::interactive();
};

// Throws Error(kUnprocessable) only for a file that cannot be read as CSV at all; everything
// else is in the report. With apply and errors, nothing is written (applied stays false).
ImportReport import_csv(pg::Pool& pool, ImportKind kind, std::string_view bytes, bool apply,
                        const ImportSettings& settings);

// --- parts shared by the facility and user importers (directory_import_*.cpp) ---

// Reads a row; collects the errors of its cells.
struct RowReader {
  const std::vector<std::string>* header;
  const std::vector<std::string>* cells;
  int row;
  std::vector<ImportError>* errors;

  // The cell of a column ("" when the column is absent or the cell empty).
  std::string get(std::string_view column) const;
  bool has_column(std::string_view column) const;
  void error(std::string column, std::string reason) const;
};

// "true"/"false", "1"/"0", "yes"/"no", "はい"/"いいえ"; std::nullopt for an empty cell; an error
// (and std::nullopt) for anything else.
std::optional<bool> read_bool(const RowReader& r, std::string_view column);

// Each checks every row, fills the report, and when `apply` is set and the report has no
// error, writes every row and sets report.applied.
void plan_facilities(pg::Tx& tx, const std::vector<std::string>& header,
                     const std::vector<std::pair<int, std::vector<std::string>>>& rows, bool apply,
                     const ImportSettings& settings, ImportReport& report);
void plan_users(pg::Tx& tx, const std::vector<std::string>& header,
                const std::vector<std::pair<int, std::vector<std::string>>>& rows, bool apply,
                const ImportSettings& settings, ImportReport& report);

}  // namespace hareyaka::hpd_feed
