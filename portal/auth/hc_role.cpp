#include "portal/auth/hc_role.hpp"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

namespace hareyaka::auth {
namespace {

// One DER element inside [p, end).
struct Tlv {
  int tag = 0;
  int cls = 0;
  bool constructed = false;
  const unsigned char* begin = nullptr;    // start of the whole element
  const unsigned char* content = nullptr;  // start of the contents
  long length = 0;                         // contents length
  const unsigned char* end() const { return content + length; }
};

// Reads the next element; false on malformed or indefinite-length encoding.
bool next(const unsigned char*& p, const unsigned char* end, Tlv& out) {
  if (p >= end)
    return false;
  const unsigned char* q = p;
  long len = 0;
  int tag = 0, cls = 0;
  const int rc = ASN1_get_object(&q, &len, &tag, &cls, end - p);
  if (rc & 0x80)
    return false;  // error
  if (rc == 0x21)
    return false;  // indefinite length: not DER
  if (len < 0 || len > end - q)
    return false;
  out = {tag, cls, (rc & V_ASN1_CONSTRUCTED) != 0, p, q, len};
  p = q + len;
  return true;
}

std::optional<std::string> oid_text(const Tlv& t) {
  if (t.cls != V_ASN1_UNIVERSAL || t.tag != V_ASN1_OBJECT || t.constructed)
    return std::nullopt;
  const unsigned char* q = t.begin;
  ASN1_OBJECT* obj = d2i_ASN1_OBJECT(nullptr, &q, t.end() - t.begin);
  if (!obj)
    return std::nullopt;
  char buf[128];
  const int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  ASN1_OBJECT_free(obj);
  if (n <= 0 || n >= static_cast<int>(sizeof buf))
    return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

// DirectoryString and friends as UTF-8.
std::optional<std::string> string_text(const Tlv& t) {
  if (t.cls != V_ASN1_UNIVERSAL || t.constructed)
    return std::nullopt;
  const char* c = reinterpret_cast<const char*>(t.content);
  switch (t.tag) {
    case V_ASN1_UTF8STRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_T61STRING:
      return std::string(c, static_cast<std::size_t>(t.length));
    case V_ASN1_BMPSTRING: {
      ASN1_STRING* s = ASN1_STRING_type_new(V_ASN1_BMPSTRING);
      if (!s)
        return std::nullopt;
      ASN1_STRING_set(s, t.content, static_cast<int>(t.length));
      unsigned char* utf8 = nullptr;
      const int n = ASN1_STRING_to_UTF8(&utf8, s);
      ASN1_STRING_free(s);
      if (n < 0)
        return std::nullopt;
      std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
      OPENSSL_free(utf8);
      return out;
    }
    default:
      return std::nullopt;
  }
}

// The single element inside an EXPLICIT [n] wrapper.
bool unwrap_explicit(const Tlv& wrapper, Tlv& inner) {
  if (!wrapper.constructed)
    return false;
  const unsigned char* p = wrapper.content;
  return next(p, wrapper.end(), inner) && p == wrapper.end();
}

bool is(const Tlv& t, int cls, int tag) {
  return t.cls == cls && t.tag == tag && t.constructed;
}

// CodedData: returns the role if the scheme is the HPKI one.
bool read_coded_data(const Tlv& set, HcRoleResult& result) {
  const unsigned char* p = set.content;
  std::optional<std::string> scheme, role;
  Tlv field, inner;
  while (p < set.end()) {
    if (!next(p, set.end(), field))
      return false;
    if (field.cls != V_ASN1_CONTEXT_SPECIFIC)
      continue;  // tolerate unknown fields
    if (!unwrap_explicit(field, inner))
      return false;
    if (field.tag == 0) {
      scheme = oid_text(inner);
      if (!scheme)
        return false;
    } else if (field.tag == 2) {
      role = string_text(inner);
      if (!role)
        return false;
    }
    // [1] codeDataValue (numeric or coded value): optional, not used
  }
  if (!scheme)
    return false;
  if (*scheme == kHpkiRoleScheme && role)
    result.roles.push_back(*role);
  return true;
}

bool read_hc_actor(const Tlv& actor, HcRoleResult& result) {
  if (!is(actor, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE))
    return false;
  const unsigned char* p = actor.content;
  Tlv field, inner;
  while (p < actor.end()) {
    if (!next(p, actor.end(), field))
      return false;
    if (field.cls == V_ASN1_CONTEXT_SPECIFIC && field.tag == 0) {
      if (!unwrap_explicit(field, inner) || !is(inner, V_ASN1_UNIVERSAL, V_ASN1_SET))
        return false;
      if (!read_coded_data(inner, result))
        return false;
    }
    // [1] regionalHCActorData: optional, skipped
  }
  return true;
}

std::string trim_lower(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

HcRoleResult parse_subject_directory_attributes(std::string_view der) {
  HcRoleResult result;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  Tlv outer;
  if (!next(p, end, outer) || p != end || !is(outer, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE)) {
    result.error = "subjectDirectoryAttributes is not a DER SEQUENCE";
    return result;
  }
  bool found = false;
  const unsigned char* q = outer.content;
  while (q < outer.end()) {
    Tlv attr, type, values;
    if (!next(q, outer.end(), attr) || !is(attr, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE)) {
      result.error = "malformed Attribute in subjectDirectoryAttributes";
      return result;
    }
    const unsigned char* a = attr.content;
    if (!next(a, attr.end(), type) || !next(a, attr.end(), values) ||
        !is(values, V_ASN1_UNIVERSAL, V_ASN1_SET)) {
      result.error = "malformed Attribute in subjectDirectoryAttributes";
      return result;
    }
    auto oid = oid_text(type);
    if (!oid) {
      result.error = "malformed attribute type in subjectDirectoryAttributes";
      return result;
    }
    if (*oid != kHcRoleOid)
      continue;
    found = true;
    const unsigned char* v = values.content;
    while (v < values.end()) {
      Tlv actor;
      if (!next(v, values.end(), actor) || !read_hc_actor(actor, result)) {
        result.error = "malformed hcRole (HCActor) value";
        return result;
      }
    }
  }
  if (!found) {
    result.error = "no hcRole attribute (1.0.17090.0.1) in subjectDirectoryAttributes";
  } else if (result.roles.empty()) {
    result.error = "hcRole has no role under the HPKI coding scheme 1.2.392.100495.1.6.1.1";
  }
  return result;
}

HcRoleResult read_hc_roles(x509_st* cert) {
  const int idx = X509_get_ext_by_NID(cert, NID_subject_directory_attributes, -1);
  if (idx < 0)
    return {{}, "no subjectDirectoryAttributes extension (no hcRole)"};
  X509_EXTENSION* ext = X509_get_ext(cert, idx);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  return parse_subject_directory_attributes(
      std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                       static_cast<std::size_t>(ASN1_STRING_length(data))));
}

std::optional<hpd::Profession> profession_for_role(std::string_view role) {
  using P = hpd::Profession;
  static const std::pair<const char*, P> kMap[] = {
      {"medical doctor", P::kDoctor},
      {"dentist", P::kDentist},
      {"pharmacist", P::kPharmacist},
      {"nurse", P::kNurse},
      {"public health nurse", P::kPublicHealthNurse},
      {"midwife", P::kMidwife},
      {"physical therapist", P::kTherapist},
      {"occupational therapist", P::kTherapist},
      {"speech-language-hearing therapist", P::kTherapist},
      {"speech therapist", P::kTherapist},
      {"orthoptist", P::kTherapist},
      {"care manager", P::kCareManager},
  };
  const std::string key = trim_lower(role);
  for (const auto& [name, p] : kMap) {
    if (key == name)
      return p;
  }
  return std::nullopt;
}

}  // namespace hareyaka::auth
