// The body as a whole: strict JSON with a depth limit, the shapes of fhir_in.hpp, the
// references to the one Patient, and the per-entry errors.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "common/error.hpp"
#include "proto/fhir_in/fhir_in.hpp"
#include "proto/fhir_in/resources.hpp"

namespace hareyaka::fhir_in {
namespace {

using detail::Problem;
using nlohmann::json;

struct TooDeep {};

// The resources a JP-CLINS document carries besides the five read here: kept with the
// document as received.
constexpr std::array<std::string_view, 24> kDocumentParts{"Encounter",
                                                          "Practitioner",
                                                          "PractitionerRole",
                                                          "Organization",
                                                          "Coverage",
                                                          "Location",
                                                          "RelatedPerson",
                                                          "Procedure",
                                                          "Immunization",
                                                          "FamilyMemberHistory",
                                                          "MedicationStatement",
                                                          "Medication",
                                                          "Specimen",
                                                          "ServiceRequest",
                                                          "CarePlan",
                                                          "DocumentReference",
                                                          "Binary",
                                                          "DiagnosticReport",
                                                          "Consent",
                                                          "Device",
                                                          "ClinicalImpression",
                                                          "CareTeam",
                                                          "Communication",
                                                          "Goal"};

bool is_document_part(std::string_view type) {
  return std::find(kDocumentParts.begin(), kDocumentParts.end(), type) != kDocumentParts.end();
}

json parse_strict(std::string_view body) {
  if (body.size() > kMaxBytes)
    throw Error(ErrorCode::kPayloadTooLarge,
                "a FHIR upload is at most " + std::to_string(kMaxBytes >> 20) + " MB");
  json::parser_callback_t depth_limit = [](int depth, json::parse_event_t, json&) {
    if (depth > static_cast<int>(kMaxDepth))
      throw TooDeep{};
    return true;
  };
  try {
    return json::parse(body.begin(), body.end(), depth_limit);
  } catch (const TooDeep&) {
    throw Error(ErrorCode::kUnprocessable,
                "the JSON nests deeper than " + std::to_string(kMaxDepth) + " levels");
  } catch (const json::parse_error& e) {
    // byte: the position, never the text around it.
    throw Error(ErrorCode::kUnprocessable,
                "not JSON (RFC 8259, UTF-8): syntax error at byte " + std::to_string(e.byte));
  } catch (const json::exception&) {
    // a number out of range ("1e999"), and whatever else the parser refuses
    throw Error(ErrorCode::kUnprocessable, "not JSON (RFC 8259): a value out of range");
  }
}

std::string type_of(const json& r) {
  auto it = r.find("resourceType");
  return it != r.end() && it->is_string() ? it->get<std::string>() : "";
}

clinical::Source source_of(const std::string& file, const std::string& type) {
  clinical::Source s;
  s.data_type = "FHIR " + type;
  s.file = file;
  return s;
}

struct Reader {
  Parsed& out;
  const std::string& file;
  std::set<std::string> patient_refs;  // what names the upload's Patient

  void fail(std::size_t index, const std::string& type, std::string reason) {
    out.errors.push_back({index, type, std::move(reason)});
  }

  // Everything that names the Patient of `entry` (its fullUrl, Patient/<id>).
  void note_patient(const json& entry, const json& r) {
    std::string full;
    if (auto it = entry.find("fullUrl"); it != entry.end() && it->is_string())
      full = it->get<std::string>();
    if (!full.empty()) {
      patient_refs.insert(full);
      if (auto p = full.rfind("Patient/"); p != std::string::npos)
        patient_refs.insert(full.substr(p));
    }
    if (auto it = r.find("id"); it != r.end() && it->is_string())
      patient_refs.insert("Patient/" + it->get<std::string>());
  }

  void check_subject(const json& r, const char* key) {
    const std::string ref = detail::reference_of(r, key);
    if (out.patient && !patient_refs.contains(ref))
      throw Problem{std::string(key) + " does not name the Patient of this upload"};
  }

  // One resource; `in_document`: a document Bundle's entry after its Composition.
  void read(std::size_t index, const json& entry, const json& r, bool in_document) {
    const std::string type = type_of(r);
    try {
      if (type.empty())
        throw Problem{"resourceType is missing"};
      if (type == "Patient") {
        out.entries.push_back({index, type, "patient"});
        return;  // read before the others
      }
      if (type == "Condition") {
        check_subject(r, "subject");
        auto d = detail::condition(r);
        d.source = source_of(file, type);
        out.diagnoses.push_back(std::move(d));
        out.entries.push_back({index, type, "diagnoses"});
      } else if (type == "AllergyIntolerance") {
        check_subject(r, "patient");
        auto a = detail::allergy(r);
        a.source = source_of(file, type);
        out.allergies.push_back(std::move(a));
        out.entries.push_back({index, type, "allergies"});
      } else if (type == "MedicationRequest") {
        check_subject(r, "subject");
        auto m = detail::medication_request(r);
        m.source = source_of(file, type);
        m.source.order_no = m.order_no;
        out.prescriptions.push_back(std::move(m));
        out.entries.push_back({index, type, "prescriptions"});
      } else if (type == "Observation") {
        check_subject(r, "subject");
        auto l = detail::observation(r);
        l.source = source_of(file, type);
        out.lab_results.push_back(std::move(l));
        out.entries.push_back({index, type, "lab_results"});
      } else if (type == "Composition") {
        throw Problem{in_document ? "a second Composition in the document"
                                  : "a Composition outside a document Bundle"};
      } else if (in_document && is_document_part(type)) {
        out.entries.push_back({index, type, "document"});
      } else if (type == "Bundle") {
        throw Problem{"a Bundle inside a Bundle is not accepted"};
      } else {
        throw Problem{in_document ? "a resource type a JP-CLINS document does not carry"
                                  : "not accepted here: Patient, Condition, AllergyIntolerance, "
                                    "MedicationRequest or Observation (or a JP-CLINS document)"};
      }
    } catch (const Problem& p) {
      fail(index, type, p.reason);
    }
    (void)entry;
  }

  // The Patient entries first, so the others' subjects can be checked against them.
  void read_patients(const std::vector<std::pair<const json*, const json*>>& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      const json& r = *items[i].second;
      if (type_of(r) != "Patient")
        continue;
      try {
        if (out.patient)
          throw Problem{"a second Patient: an upload is for one patient"};
        auto p = detail::patient(r, out.patient_identifiers);
        p.source = source_of(file, "Patient");
        out.patient = std::move(p);
        note_patient(*items[i].first, r);
      } catch (const Problem& p) {
        fail(i, "Patient", p.reason);
      }
    }
  }
};

}  // namespace

Parsed parse(std::string_view body, const std::string& source_file) {
  const json root = parse_strict(body);
  if (!root.is_object())
    throw Error(ErrorCode::kUnprocessable, "a FHIR upload is one JSON object (a resource)");
  const std::string root_type = type_of(root);
  if (root_type.empty())
    throw Error(ErrorCode::kUnprocessable, "resourceType is missing");
  Parsed out;
  Reader reader{out, source_file, {}};
  static const json kNoEntry = json::object();
  if (root_type != "Bundle") {
    out.shape = "resource";
    reader.read_patients({{&kNoEntry, &root}});
    reader.read(0, kNoEntry, root, false);
    return out;
  }
  const std::string type = root.value("type", json("")).is_string() ? root.value("type", "") : "";
  if (type != "document" && type != "collection" && type != "transaction")
    throw Error(ErrorCode::kUnprocessable,
                "a Bundle of type document (JP-CLINS), collection or transaction is accepted");
  out.shape = type;
  auto it = root.find("entry");
  if (it == root.end() || !it->is_array() || it->empty())
    throw Error(ErrorCode::kUnprocessable, "the Bundle has no entry");
  const json& entries = *it;
  if (entries.size() > kMaxEntries)
    throw Error(ErrorCode::kPayloadTooLarge,
                "a Bundle of at most " + std::to_string(kMaxEntries) + " entries is accepted");
  std::vector<std::pair<const json*, const json*>> items;  // entry, resource
  static const json kNoResource = json::object();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const json& e = entries[i];
    const json* r = &kNoResource;
    if (!e.is_object()) {
      reader.fail(i, "", "an entry must be an object");
    } else if (auto res = e.find("resource"); res == e.end() || !res->is_object()) {
      reader.fail(i, "", "the entry has no resource");
    } else {
      r = &*res;
      if (type == "transaction") {
        const json req = e.value("request", json::object());
        const std::string method = req.is_object() && req.value("method", json("")).is_string()
                                       ? req.value("method", "")
                                       : "";
        if (method != "POST" && method != "PUT")
          reader.fail(i, type_of(*r), "a transaction entry must be a POST or PUT");
      }
    }
    items.emplace_back(&e, r);
  }
  reader.read_patients(items);
  std::size_t first = 0;
  if (type == "document") {
    first = 1;
    const json& c = *items[0].second;
    if (type_of(c) != "Composition") {
      reader.fail(0, type_of(c), "the first entry of a document Bundle must be a Composition");
    } else {
      try {
        if (!out.patient)
          throw Problem{"the document has no Patient entry"};
        reader.check_subject(c, "subject");
        out.document = detail::composition(c);
        out.entries.push_back({0, "Composition", "documents"});
      } catch (const Problem& p) {
        reader.fail(0, "Composition", p.reason);
      }
    }
  }
  for (std::size_t i = first; i < items.size(); ++i) {
    if (items[i].second != &kNoResource)
      reader.read(i, *items[i].first, *items[i].second, type == "document");
  }
  std::sort(out.errors.begin(), out.errors.end(),
            [](const EntryError& a, const EntryError& b) { return a.index < b.index; });
  return out;
}

std::string model_system(std::string_view uri) {
  // The inverse of portal/fhir/fhir_mapping.cpp's system_uri(), and the urn:oid forms the
  // JP Core and JP-CLINS examples write for the same code systems.
  static const std::map<std::string_view, std::string_view> kSystems = {
      {"http://medis.or.jp/CodeSystem/master-disease-exCode", "MDCDX2"},
      {"urn:oid:1.2.392.200119.4.101.6", "MDCDX2"},
      {"http://jpfhir.jp/fhir/core/mhlw/CodeSystem/ICD10-2013-full", "I10"},
      {"http://hl7.org/fhir/sid/icd-10", "I10"},
      {"http://medis.or.jp/CodeSystem/master-HOT9", "HOT9"},
      {"urn:oid:1.2.392.200119.4.403.1", "HOT9"},
      {"http://medis.or.jp/CodeSystem/master-HOT7", "HOT7"},
      {"urn:oid:1.2.392.200119.4.403.2", "HOT7"},
      {"http://medis.or.jp/CodeSystem/master-HOT13", "HOT13"},
      {"urn:oid:1.2.392.200119.4.402.1", "HOT13"},
      {"http://capstandard.jp/iyaku.info/CodeSystem/YJ-code", "YJ"},
      {"urn:oid:1.2.392.100495.20.1.73", "YJ"},
      {"http://medis.or.jp/CodeSystem/master-JLAC10-17digits", "JC10"},
      {"urn:oid:1.2.392.200119.4.504", "JC10"},
      {"http://loinc.org", "LN"},
  };
  auto it = kSystems.find(uri);
  return std::string(it == kSystems.end() ? uri : it->second);
}

std::optional<std::string> model_time(std::string_view s) {
  auto digits = [&](std::size_t from, std::size_t n, int& v) {
    if (s.size() < from + n)
      return false;
    v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9')
        return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(0, 4, y))
    return std::nullopt;
  if (s.size() == 4)
    return std::string(s);
  if (s[4] != '-' || !digits(5, 2, mo) || mo < 1 || mo > 12)
    return std::nullopt;
  if (s.size() == 7)
    return std::string(s);
  using namespace std::chrono;
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(digits(8, 2, d) ? d : 0))};
  if (s[7] != '-' || s.size() < 10 || !ymd.ok())
    return std::nullopt;
  if (s.size() == 10)
    return std::string(s);
  if (s[10] != 'T' || !digits(11, 2, h) || s.size() < 19 || s[13] != ':' || !digits(14, 2, mi) ||
      s[16] != ':' || !digits(17, 2, sec) || h > 23 || mi > 59 || sec > 60)
    return std::nullopt;
  std::size_t p = 19;
  if (p < s.size() && s[p] == '.') {
    ++p;
    const std::size_t from = p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9')
      ++p;
    if (p == from)
      return std::nullopt;
  }
  int offset_min = 0;
  if (p < s.size() && s[p] == 'Z' && p + 1 == s.size()) {
    offset_min = 0;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-') && p + 6 == s.size() && s[p + 3] == ':') {
    int oh = 0, om = 0;
    if (!digits(p + 1, 2, oh) || !digits(p + 4, 2, om) || oh > 14 || om > 59)
      return std::nullopt;
    offset_min = (s[p] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return std::nullopt;  // FHIR: a dateTime with a time has its zone
  }
  // Into Japan time (UTC+9), as the model writes times.
  const auto t =
      sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) - minutes(offset_min) + hours(9);
  const auto day_point = floor<days>(t);
  const year_month_day jd{day_point};
  const hh_mm_ss hms{t - day_point};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(jd.year()),
                static_cast<unsigned>(jd.month()), static_cast<unsigned>(jd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return std::string(buf);
}

}  // namespace hareyaka::fhir_in
