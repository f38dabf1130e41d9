#include "hpd/oid.hpp"

#include <vector>

namespace hareyaka::hpd {
namespace {

constexpr std::size_t kMaxOidLength = 256;
constexpr std::size_t kMaxArcs = 64;
constexpr std::size_t kMaxArcDigits = 18;  // fits in a signed 64-bit integer

bool is_arc(std::string_view a) {
  if (a.empty() || a.size() > kMaxArcDigits)
    return false;
  for (char c : a) {
    if (c < '0' || c > '9')
      return false;
  }
  return a.size() == 1 || a[0] != '0';
}

std::vector<std::string_view> split_arcs(std::string_view oid) {
  std::vector<std::string_view> arcs;
  std::size_t start = 0;
  while (true) {
    auto dot = oid.find('.', start);
    arcs.push_back(oid.substr(start, dot == std::string_view::npos ? oid.npos : dot - start));
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  return arcs;
}

void set(std::string* error, std::string msg) {
  if (error)
    *error = std::move(msg);
}

}  // namespace

bool is_valid_oid(std::string_view oid) {
  if (oid.empty() || oid.size() > kMaxOidLength)
    return false;
  auto arcs = split_arcs(oid);
  if (arcs.size() < 2 || arcs.size() > kMaxArcs)
    return false;
  for (auto a : arcs) {
    if (!is_arc(a))
      return false;
  }
  return arcs[0] == "0" || arcs[0] == "1" || arcs[0] == "2";
}

std::string FacilityOid::to_string() const {
  // prefecture "01".."47" -> arc without the leading zero
  std::string_view pref = prefecture;
  if (pref.size() == 2 && pref[0] == '0')
    pref.remove_prefix(1);
  return root + "." + std::string(pref) + "." + facility_code;
}

std::optional<FacilityOid> make_facility_oid(std::string_view root, std::string_view prefecture,
                                             std::string_view facility_code, std::string* error) {
  if (!is_valid_oid(root)) {
    set(error, "network root is not a valid OID");
    return std::nullopt;
  }
  if (prefecture.size() != 2 || prefecture[0] < '0' || prefecture[0] > '9' || prefecture[1] < '0' ||
      prefecture[1] > '9') {
    set(error, "prefecture code must be two digits 01..47");
    return std::nullopt;
  }
  int p = (prefecture[0] - '0') * 10 + (prefecture[1] - '0');
  if (p < 1 || p > 47) {
    set(error, "prefecture code must be 01..47");
    return std::nullopt;
  }
  if (!is_arc(facility_code) || facility_code == "0") {
    set(error, "facility code must be a positive decimal number without leading zeros");
    return std::nullopt;
  }
  FacilityOid out{std::string(root), std::string(prefecture), std::string(facility_code)};
  if (out.to_string().size() > kMaxOidLength - 2) {  // room for the ".1" patient domain
    set(error, "facility OID too long");
    return std::nullopt;
  }
  return out;
}

std::optional<FacilityOid> parse_facility_oid(std::string_view oid, std::string_view root,
                                              std::string* error) {
  if (!is_valid_oid(oid)) {
    set(error, "not a valid OID");
    return std::nullopt;
  }
  if (oid.size() <= root.size() + 1 || oid.substr(0, root.size()) != root ||
      oid[root.size()] != '.') {
    set(error, "OID is not under the network root " + std::string(root));
    return std::nullopt;
  }
  auto arcs = split_arcs(oid.substr(root.size() + 1));
  if (arcs.size() != 2) {
    set(error, "facility OID must be root.prefecture.facility (found " +
                   std::to_string(arcs.size()) + " arcs after the root)");
    return std::nullopt;
  }
  std::string pref(arcs[0]);
  if (pref.size() == 1)
    pref = "0" + pref;
  return make_facility_oid(root, pref, arcs[1], error);
}

std::string patient_id_domain(std::string_view facility_oid) {
  return std::string(facility_oid) + "." + std::string(kPatientDomainArc);
}

std::optional<std::string> facility_of_patient_domain(std::string_view authority,
                                                      std::string_view root) {
  std::string suffix = "." + std::string(kPatientDomainArc);
  if (authority.size() <= suffix.size() ||
      authority.substr(authority.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  std::string_view facility = authority.substr(0, authority.size() - suffix.size());
  if (!parse_facility_oid(facility, root))
    return std::nullopt;
  return std::string(facility);
}

}  // namespace hareyaka::hpd
