#include "gateway/hosted/registration.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "common/error.hpp"
#include "gateway/storage/scanner.hpp"
#include "proto/hl7v2/charset.hpp"
#include "proto/hl7v2/escape.hpp"
#include "proto/ssmix2/file_name.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::hosted {
namespace {

std::string esc(const std::string& v) {
  return hl7v2::escape(v, hl7v2::Separators{});
}

std::string compact(const std::string& iso) {
  std::string out;
  for (char c : iso) {
    if (c != '-')
      out += c;
  }
  return out;
}

}  // namespace

void split_name(const std::string& full, std::string& family, std::string& given) {
  static const std::string kIdeographicSpace = "\xE3\x80\x80";
  std::size_t at = full.find(' ');
  std::size_t width = 1;
  const std::size_t wide = full.find(kIdeographicSpace);
  if (wide != std::string::npos && (at == std::string::npos || wide < at)) {
    at = wide;
    width = kIdeographicSpace.size();
  }
  family = at == std::string::npos ? full : full.substr(0, at);
  given = at == std::string::npos ? "" : full.substr(at + width);
}

std::uint64_t ssmix2_timestamp_now() {
  const auto now = std::chrono::system_clock::now() + std::chrono::hours(9);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return std::stoull(buf);
}

StandardFile demographics_file(const Registration& r, const std::string& facility_oid,
                               std::uint64_t timestamp) {
  if (!ssmix2::valid_patient_id(r.patient_id))
    throw Error(ErrorCode::kUnprocessable, "the patient id must be letters and digits");
  if (r.family.empty())
    throw Error(ErrorCode::kUnprocessable, "the patient's name is missing");
  const std::string birth = compact(r.birth_date);
  if (!birth.empty() && (birth.size() != 8 || !ssmix2::valid_calendar_date(std::stoul(birth))))
    throw Error(ErrorCode::kUnprocessable, "the birth date must be a date (YYYY-MM-DD)");
  const std::string ts = std::to_string(timestamp).substr(0, 14);
  const char sex = r.sex == 'M' || r.sex == 'F' ? r.sex : 'U';
  std::string pid = "PID|0001||" + esc(r.patient_id) + "^^^^PI||" + esc(r.family) + "^" +
                    esc(r.given) + "^^^^^L^I";
  if (!r.family_kana.empty())
    pid += "~" + esc(r.family_kana) + "^" + esc(r.given_kana) + "^^^^^L^P";
  pid += "||" + birth + "|" + std::string(1, sex) + "|||";
  if (!r.postal_code.empty() || !r.address.empty())
    pid += "^^^^" + esc(r.postal_code) + "^JPN^H^" + esc(r.address);
  pid += "||";
  if (!r.phone.empty())
    pid += "^PRN^PH^^^^^^^^^" + esc(r.phone);
  const std::string message = "MSH|^~\\&|HAREYAKA-HOSTED|" + esc(facility_oid) + "|GW|RCV|" + ts +
                              "||ADT^A08^ADT_A01|" + std::to_string(timestamp) +
                              "|P|2.5||||||~ISO IR87||ISO 2022-1994|"
                              "SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO\r"
                              "EVN||" +
                              ts + "\r" + pid + "\rPV1|0001|O\r";
  auto jis = hl7v2::utf8_to_iso2022jp(message);
  if (!jis)
    throw Error(ErrorCode::kUnprocessable,
                "the demographics hold characters that ISO-2022-JP cannot write");
  ssmix2::FileName name;
  name.patient_id = r.patient_id;
  name.data_type_code = "ADT-00";
  name.type = ssmix2::DataType::kAdt00;
  name.order_no = "999999999999999";
  name.timestamp = timestamp;
  name.department = "-";
  StandardFile f{ssmix2::standard_relative_path(name), *jis};
  const auto verdict = storage::judge_standard(f.path, f.bytes, true);
  if (!verdict.usable)
    throw Error(ErrorCode::kInternal, "cannot register the patient",
                "the ADT-00 written for a registration is refused: " + verdict.reason);
  return f;
}

}  // namespace hareyaka::gateway::hosted
