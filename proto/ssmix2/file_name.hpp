// SS-MIX2 standard storage file names:
//   <patient id>_<date or ->_<data type>_<order no>_<timestamp yyyyMMddHHmmssfff>_<dept or
//   ->_<flag>
// and the condition flag: 1 current, 2 superseded by a newer file, 0 deleted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/ssmix2/data_type.hpp"

namespace hareyaka::ssmix2 {

enum class Condition : std::uint8_t { kDeleted = 0, kCurrent = 1, kSuperseded = 2 };

struct FileName {
  std::string patient_id;
  std::uint32_t date = 0;        // yyyymmdd; 0 for "-"
  std::string data_type_code;    // as written ("OMP-01"); may be unknown to us
  std::optional<DataType> type;  // empty when the code is not a standard data type
  std::string order_no;
  std::uint64_t timestamp = 0;  // yyyyMMddHHmmssfff as a number (orders like the text)
  std::string department;       // "-" when none
  Condition condition = Condition::kCurrent;

  std::string to_string() const;
};

struct FileNameError {
  std::string message;
};

// Parses a file name; on failure says which part is wrong.
std::optional<FileName> parse_file_name(std::string_view name, FileNameError* error = nullptr);

// "20111220" -> 20111220, "-" -> 0; nullopt when not a valid calendar date.
std::optional<std::uint32_t> parse_date_folder(std::string_view text);
std::string format_date_folder(std::uint32_t date);
bool valid_calendar_date(std::uint32_t yyyymmdd);
// Patient ids are letters and digits (they become folder names).
bool valid_patient_id(std::string_view id);

}  // namespace hareyaka::ssmix2
