#include "proto/hl7v3/datatypes.hpp"

namespace hareyaka::hl7v3 {
namespace {

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

void append_part(std::string& to, const std::string& part) {
  if (part.empty())
    return;
  if (!to.empty())
    to += ' ';
  to += part;
}

NameUse name_use(std::string_view use) {
  // EntityNameUse is a set of codes ("L IDE"); the script codes decide the form.
  if (use.find("IDE") != std::string_view::npos)
    return NameUse::kIdeographic;
  if (use.find("SYL") != std::string_view::npos)
    return NameUse::kSyllabic;
  if (use.find("ABC") != std::string_view::npos)
    return NameUse::kAlphabetic;
  if (use == "L")
    return NameUse::kLegal;
  if (use.empty())
    return NameUse::kUnspecified;
  return NameUse::kOther;
}

std::string_view use_code(NameUse u) {
  switch (u) {
    case NameUse::kIdeographic:
      return "IDE";
    case NameUse::kSyllabic:
      return "SYL";
    case NameUse::kAlphabetic:
      return "ABC";
    case NameUse::kLegal:
      return "L";
    default:
      return {};
  }
}

}  // namespace

std::string_view to_code(Sex s) {
  switch (s) {
    case Sex::kMale:
      return "M";
    case Sex::kFemale:
      return "F";
    case Sex::kOther:
      return "O";
    default:
      return "UN";
  }
}

Sex sex_from_code(std::string_view code) {
  if (code == "M")
    return Sex::kMale;
  if (code == "F")
    return Sex::kFemale;
  if (code == "O" || code == "A")
    return Sex::kOther;
  return Sex::kUnknown;
}

std::string location(xml::Node n) {
  xml::Node root = n;
  while (root.parent() && root.parent().ns() == kHl7Ns)
    root = root.parent();
  const std::string full = n.path();
  xml::Node above = root.parent();
  return above ? full.substr(above.path().size()) : full;
}

xml::Node child(xml::Node n, std::string_view local) {
  return n.child(kHl7Ns, local);
}

std::vector<xml::Node> children(xml::Node n, std::string_view local) {
  return n.children(kHl7Ns, local);
}

xml::Node require(xml::Node n, std::string_view local) {
  xml::Node c = child(n, local);
  if (!c) {
    throw MessageError(std::string(kRequiredMissing),
                       "required element " + std::string(local) + " is missing",
                       location(n) + "/" + std::string(local));
  }
  return c;
}

std::optional<std::string> attr_of(xml::Node n, std::string_view child_local,
                                   std::string_view attr) {
  xml::Node c = child(n, child_local);
  if (!c)
    return std::nullopt;
  return c.attr(attr);
}

Ii parse_ii(xml::Node n) {
  Ii id;
  id.root = trim(n.attr("root").value_or(""));
  id.extension = trim(n.attr("extension").value_or(""));
  id.assigning_authority_name = n.attr("assigningAuthorityName").value_or("");
  return id;
}

PersonName parse_name(xml::Node n) {
  PersonName name;
  name.use = name_use(n.attr("use").value_or(""));
  bool parts = false;
  for (xml::Node part : n.elements()) {
    if (part.ns() != kHl7Ns)
      continue;
    if (part.local_name() == "family") {
      append_part(name.family, trim(part.text()));
      parts = true;
    } else if (part.local_name() == "given") {
      append_part(name.given, trim(part.text()));
      parts = true;
    } else if (part.local_name() == "prefix" || part.local_name() == "suffix" ||
               part.local_name() == "delimiter") {
      parts = true;
    }
  }
  if (!parts)
    name.text = trim(n.text());
  return name;
}

Address parse_address(xml::Node n) {
  Address a;
  for (xml::Node part : n.elements()) {
    if (part.ns() != kHl7Ns)
      continue;
    const auto local = part.local_name();
    const std::string v = trim(part.text());
    if (local == "streetAddressLine" || local == "houseNumber" || local == "streetName" ||
        local == "additionalLocator") {
      append_part(a.street, v);
    } else if (local == "city") {
      a.city = v;
    } else if (local == "state") {
      a.state = v;
    } else if (local == "postalCode") {
      a.postal_code = v;
    } else if (local == "country") {
      a.country = v;
    }
  }
  if (a.street.empty() && a.city.empty() && a.state.empty())
    a.street = trim(n.text());
  return a;
}

Patient parse_patient(xml::Node patient) {
  Patient p;
  for (xml::Node id : children(patient, "id")) {
    Ii ii = parse_ii(id);
    if (!ii.root.empty() || !ii.extension.empty())
      p.ids.push_back(std::move(ii));
  }
  if (auto st = attr_of(patient, "statusCode", "code"))
    p.status = *st;
  xml::Node person = child(patient, "patientPerson");
  for (xml::Node name : children(person, "name")) {
    PersonName pn = parse_name(name);
    if (!pn.family.empty() || !pn.given.empty() || !pn.text.empty())
      p.names.push_back(pn);
  }
  if (auto g = attr_of(person, "administrativeGenderCode", "code"))
    p.sex = sex_from_code(*g);
  if (auto b = attr_of(person, "birthTime", "value"))
    p.birth_date = trim(*b).substr(0, 8);
  for (xml::Node addr : children(person, "addr"))
    p.addresses.push_back(parse_address(addr));
  for (xml::Node tel : children(person, "telecom")) {
    if (auto v = tel.attr("value"); v && !v->empty())
      p.telecoms.push_back(trim(*v));
  }
  for (xml::Node other : children(person, "asOtherIDs")) {
    for (xml::Node id : children(other, "id")) {
      Ii ii = parse_ii(id);
      if (!ii.root.empty())
        p.other_ids.push_back(std::move(ii));
    }
  }
  if (xml::Node org = child(patient, "providerOrganization")) {
    if (auto r = attr_of(org, "id", "root"))
      p.provider_organization = *r;
  }
  return p;
}

void write_ii(xml::Writer& w, std::string_view element, const Ii& id) {
  w.start(element);
  if (id.root.empty() && id.extension.empty()) {
    w.attr("nullFlavor", "NA");
  } else {
    w.attr("root", id.root);
    if (!id.extension.empty())
      w.attr("extension", id.extension);
    if (!id.assigning_authority_name.empty()) {
      w.attr("assigningAuthorityName", id.assigning_authority_name);
    }
  }
  w.end();
}

void write_name(xml::Writer& w, std::string_view element, const PersonName& name) {
  w.start(element);
  if (auto u = use_code(name.use); !u.empty())
    w.attr("use", u);
  if (!name.family.empty())
    w.element("family", name.family);
  if (!name.given.empty()) {
    // Several given names were joined with a space; write them back as separate parts.
    std::string_view rest = name.given;
    while (!rest.empty()) {
      auto sp = rest.find(' ');
      auto part = rest.substr(0, sp);
      if (!part.empty())
        w.element("given", part);
      if (sp == std::string_view::npos)
        break;
      rest.remove_prefix(sp + 1);
    }
  }
  if (name.family.empty() && name.given.empty() && !name.text.empty())
    w.text(name.text);
  w.end();
}

void write_address(xml::Writer& w, const Address& a) {
  w.start("addr");
  if (!a.street.empty())
    w.element("streetAddressLine", a.street);
  if (!a.city.empty())
    w.element("city", a.city);
  if (!a.state.empty())
    w.element("state", a.state);
  if (!a.postal_code.empty())
    w.element("postalCode", a.postal_code);
  if (!a.country.empty())
    w.element("country", a.country);
  w.end();
}

void write_code(xml::Writer& w, std::string_view element, std::string_view code,
                std::string_view code_system) {
  w.start(element).attr("code", code);
  if (!code_system.empty())
    w.attr("codeSystem", code_system);
  w.end();
}

void write_value(xml::Writer& w, std::string_view element, std::string_view value) {
  w.start(element).attr("value", value).end();
}

}  // namespace hareyaka::hl7v3
