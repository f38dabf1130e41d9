// A patient registered by a hosted tenant that has no EMR to write SS-MIX2 (a pharmacy's
// お薬手帳 upload, a care facility's web form; issue #17): the demographics as the ADT-00 file
// an EMR would write (ADT^A08, HL7 v2.5 in ISO-2022-JP), so the index, the ITI-44 feed and the
// viewer treat the patient as any other. The file passes the strict SS-MIX2 check before it
// is written.
#pragma once

#include <cstdint>
#include <string>

namespace hareyaka::gateway::hosted {

struct Registration {
  std::string patient_id;  // letters and digits: the tenant's own id for the patient
  std::string family, given, family_kana, given_kana;
  char sex = 'U';          // M, F, U
  std::string birth_date;  // ISO YYYY-MM-DD
  std::string postal_code, address, phone;
};

struct StandardFile {
  std::string path;   // standard-storage relative path
  std::string bytes;  // the HL7 message
};

// Splits "晴山 花子" (an ASCII or ideographic space) into family and given names.
void split_name(const std::string& full, std::string& family, std::string& given);
// The ADT-00 file; throws Error(kUnprocessable) when the demographics cannot make one (a
// patient id that is not letters and digits, no name, a birth date that is not a date).
StandardFile demographics_file(const Registration& r, const std::string& facility_oid,
                               std::uint64_t timestamp /* yyyyMMddHHmmssfff */);
// Now, as an SS-MIX2 file-name timestamp (UTC+9, Japan's clock, as EMRs write).
std::uint64_t ssmix2_timestamp_now();

}  // namespace hareyaka::gateway::hosted
