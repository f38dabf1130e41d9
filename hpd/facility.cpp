#include "hpd/facility.hpp"

#include "hpd/oid.hpp"

namespace hareyaka::hpd {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
  }
  return !s.empty();
}

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(FacilityKind k) {
  switch (k) {
    case FacilityKind::kHospital:
      return "hospital";
    case FacilityKind::kClinic:
      return "clinic";
    case FacilityKind::kDentalClinic:
      return "dental_clinic";
    case FacilityKind::kPharmacy:
      return "pharmacy";
    case FacilityKind::kHomeVisitNursing:
      return "home_visit_nursing";
    case FacilityKind::kCareFacility:
      return "care_facility";
  }
  return "unknown";
}

std::optional<FacilityKind> parse_facility_kind(std::string_view s) {
  for (auto k : kAllFacilityKinds) {
    if (to_string(k) == s)
      return k;
  }
  return std::nullopt;
}

std::string_view to_string(FacilityStatus s) {
  switch (s) {
    case FacilityStatus::kActive:
      return "active";
    case FacilityStatus::kSuspended:
      return "suspended";
    case FacilityStatus::kRetired:
      return "retired";
  }
  return "unknown";
}

std::optional<FacilityStatus> parse_facility_status(std::string_view s) {
  for (auto v : {FacilityStatus::kActive, FacilityStatus::kSuspended, FacilityStatus::kRetired}) {
    if (to_string(v) == s)
      return v;
  }
  return std::nullopt;
}

std::optional<std::string> validate(const Facility& f, std::string_view network_root) {
  std::string err;
  if (!parse_facility_oid(f.oid, network_root, &err))
    return "oid: " + err;
  if (f.name_kanji.empty() && f.name_en.empty())
    return "name: kanji or English name required";
  if (f.name_kanji.size() > 200 || f.name_kana.size() > 200 || f.name_en.size() > 200) {
    return "name: longer than 200 bytes";
  }
  if (!f.municipality_code.empty() &&
      (!all_digits(f.municipality_code) ||
       (f.municipality_code.size() != 5 && f.municipality_code.size() != 6))) {
    return "municipality_code: 5 or 6 digits (JIS X 0402)";
  }
  if (!f.postal_code.empty()) {
    const auto& p = f.postal_code;
    const bool seven = p.size() == 7 && all_digits(p);
    const bool dashed =
        p.size() == 8 && p[3] == '-' && all_digits(p.substr(0, 3)) && all_digits(p.substr(4));
    if (!seven && !dashed)
      return "postal_code: NNN-NNNN";
  }
  if (f.address.size() > 200)
    return "address: longer than 200 bytes";
  if (!f.phone.empty()) {
    int digits = 0;
    for (std::size_t i = 0; i < f.phone.size(); ++i) {
      const char c = f.phone[i];
      if (c >= '0' && c <= '9')
        ++digits;
      else if (!(c == '-' || c == '(' || c == ')' || c == ' ' || (c == '+' && i == 0)))
        return "phone: digits, '-', '(', ')' or spaces, a leading '+' for an international number";
    }
    if (digits < 6 || f.phone.size() > 20)
      return "phone: 6 to 20 characters with at least 6 digits";
  }
  if (!f.discloses && !f.views)
    return "discloses/views: a facility must do at least one";
  if (f.discloses && f.gateway_url.rfind("https://", 0) != 0) {
    return "gateway_url: a disclosing facility needs an https:// gateway URL";
  }
  if (f.gateway_url.size() > 2048)
    return "gateway_url: too long";
  if (!f.gateway_cert_sha256.empty() &&
      (f.gateway_cert_sha256.size() != 64 || !is_lower_hex(f.gateway_cert_sha256))) {
    return "gateway_cert_sha256: 64 lower-case hex digits";
  }
  if (f.discloses && f.gateway_cert_sha256.empty()) {
    return "gateway_cert_sha256: required for a disclosing facility";
  }
  return std::nullopt;
}

}  // namespace hareyaka::hpd
