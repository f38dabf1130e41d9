#include "pix/hl7_mapping.hpp"

#include "pix/japanese_name.hpp"

namespace hareyaka::pix {
namespace {

// "山田 太郎" / "ヤマダ　タロウ" given as free text: family and given split at the first space.
std::pair<std::string, std::string> split_text(const std::string& text) {
  static const std::string kIdeographicSpace = "\xE3\x80\x80";
  auto pos = text.find(' ');
  auto ipos = text.find(kIdeographicSpace);
  if (ipos != std::string::npos && (pos == std::string::npos || ipos < pos)) {
    return {text.substr(0, ipos), text.substr(ipos + kIdeographicSpace.size())};
  }
  if (pos != std::string::npos)
    return {text.substr(0, pos), text.substr(pos + 1)};
  return {text, ""};
}

}  // namespace

Demographics demographics_from(const hl7v3::Patient& p) {
  Demographics d;
  for (const hl7v3::PersonName& n : p.names) {
    std::string family = n.family, given = n.given;
    if (family.empty() && given.empty())
      std::tie(family, given) = split_text(n.text);
    bool kana = n.use == hl7v3::NameUse::kSyllabic;
    if (n.use != hl7v3::NameUse::kSyllabic && n.use != hl7v3::NameUse::kIdeographic) {
      kana = is_kana_text(family + given);
    }
    if (kana) {
      if (d.family_kana.empty() && d.given_kana.empty())
        d.family_kana = family, d.given_kana = given;
    } else if (d.family_kanji.empty() && d.given_kanji.empty()) {
      d.family_kanji = family, d.given_kanji = given;
    }
  }
  d.birth_date = p.birth_date.size() >= 8 ? p.birth_date.substr(0, 8) : std::string();
  d.sex = p.sex == hl7v3::Sex::kMale     ? 'M'
          : p.sex == hl7v3::Sex::kFemale ? 'F'
          : p.sex == hl7v3::Sex::kOther  ? 'O'
                                         : 'U';
  if (!p.addresses.empty()) {
    const hl7v3::Address& a = p.addresses.front();
    std::string addr = a.state;
    for (const std::string* part : {&a.city, &a.street}) {
      if (part->empty())
        continue;
      if (!addr.empty())
        addr += ' ';
      addr += *part;
    }
    d.address = addr;
    d.postal_code = a.postal_code;
  }
  for (const std::string& t : p.telecoms) {
    if (t.rfind("tel:", 0) == 0) {
      d.phone = t.substr(4);
      break;
    }
  }
  return d;
}

std::vector<IdentityKey> identity_keys(const std::vector<hl7v3::Ii>& ids) {
  std::vector<IdentityKey> out;
  for (const hl7v3::Ii& id : ids) {
    if (!id.root.empty() && !id.extension.empty())
      out.push_back({id.root, id.extension});
  }
  return out;
}

hl7v3::Patient patient_from(const Demographics& d, const std::vector<IdentityKey>& ids) {
  hl7v3::Patient p;
  for (const IdentityKey& k : ids)
    p.ids.push_back({k.authority, k.local_id, ""});
  if (!d.family_kanji.empty() || !d.given_kanji.empty()) {
    p.names.push_back({hl7v3::NameUse::kIdeographic, d.family_kanji, d.given_kanji, ""});
  }
  if (!d.family_kana.empty() || !d.given_kana.empty()) {
    p.names.push_back({hl7v3::NameUse::kSyllabic, d.family_kana, d.given_kana, ""});
  }
  p.sex = d.sex == 'M'   ? hl7v3::Sex::kMale
          : d.sex == 'F' ? hl7v3::Sex::kFemale
          : d.sex == 'O' ? hl7v3::Sex::kOther
                         : hl7v3::Sex::kUnknown;
  p.birth_date = d.birth_date;
  if (!d.address.empty() || !d.postal_code.empty()) {
    hl7v3::Address a;
    a.street = d.address;
    a.postal_code = d.postal_code;
    a.country = "JP";
    p.addresses.push_back(a);
  }
  if (!d.phone.empty())
    p.telecoms.push_back("tel:" + d.phone);
  return p;
}

}  // namespace hareyaka::pix
