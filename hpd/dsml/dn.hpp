// LDAP distinguished names (RFC 4514 string form): parsing into RDNs, a normalized form for
// comparison and storage keys, and the ancestor relations searches need.
//
// Normalization follows what the HPD attributes' matching rules need (caseIgnoreMatch for
// uid, cn, o, ou, dc, c): attribute types lower-cased, values trimmed, inner white-space runs
// collapsed to one space and lower-cased, then re-escaped per RFC 4514. So
// "uid=HPDtest:O1, ou=HCRegulatedOrganization,O=HPDTEST" and
// "UID=hpdtest:o1,ou=hcregulatedorganization,o=hpdtest" are the same entry.
// Multi-valued RDNs ("cn=a+sn=b") are refused (no HPD entry uses them).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::hpd::dsml {

struct Rdn {
  std::string type;   // as written
  std::string value;  // unescaped
};

struct Dn {
  std::vector<Rdn> rdns;  // leaf first, as written

  bool empty() const { return rdns.empty(); }
  std::string to_string() const;   // RFC 4514, types and values as written
  std::string normalized() const;  // see above
  Dn parent() const;               // without the leaf RDN
  // True when `ancestor` is this DN or above it (normalized comparison).
  bool is_under(const Dn& ancestor) const;
};

// Parses a DN; std::nullopt with *error naming the problem on bad syntax (empty RDN, missing
// '=', bad attribute type, bad escape, multi-valued RDN). The empty string is the root DN.
std::optional<Dn> parse_dn(std::string_view text, std::string* error = nullptr);
std::optional<Rdn> parse_rdn(std::string_view text, std::string* error = nullptr);

// The caseIgnoreMatch normalization of one value (trim, collapse white space, lower-case
// ASCII; other bytes kept, so Japanese text compares exactly).
std::string normalize_value(std::string_view v);
std::string lower_ascii(std::string_view s);
// RFC 4514 escaping of an attribute value.
std::string escape_value(std::string_view v);

}  // namespace hareyaka::hpd::dsml
