#include "proto/preserve/manifest.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <regex>

#include "proto/ssmix2/file_name.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::preserve {
namespace {

using nlohmann::json;

bool is_hex(std::string_view s) {
  return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

json body_of(const Manifest& m) {
  return json{{"format", kManifestFormat}, {"facility", m.facility},
              {"patient", m.patient},      {"generation", m.generation},
              {"created", m.created},      {"objects", m.objects},
              {"index", m.index}};
}

bool is_base64(std::string_view s) {
  return !s.empty() && s.find_first_not_of(
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                           "0123456789+/=") == std::string_view::npos;
}

}  // namespace

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && is_hex(s);
}

bool is_oid(std::string_view s) {
  static const std::regex kOid(R"(^[0-2](\.(0|[1-9][0-9]{0,15})){1,30}$)");
  return s.size() <= 128 && std::regex_match(s.begin(), s.end(), kOid);
}

std::string make_generation(std::int64_t unix_ms, std::string_view salt) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%013lld-", static_cast<long long>(unix_ms));
  return std::string(buf) + std::string(salt.substr(0, 8));
}

bool is_generation(std::string_view s) {
  return s.size() == 22 && s[13] == '-' &&
         s.substr(0, 13).find_first_not_of("0123456789") == std::string_view::npos &&
         is_hex(s.substr(14));
}

std::int64_t generation_time_ms(std::string_view g) {
  return std::stoll(std::string(g.substr(0, 13)));
}

std::string iso_time_ms(std::int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return buf;
}

std::string signed_bytes(const Manifest& m) {
  return body_of(m).dump();  // nlohmann orders keys: one byte form for signer and verifier
}

std::string to_json(const Manifest& m) {
  json j = body_of(m);
  j["signature"] = m.signature;
  return j.dump();
}

ManifestParse parse_manifest(std::string_view text) {
  ManifestParse r;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    r.error = "manifest is not a JSON object";
    return r;
  }
  auto str = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string())
      return false;
    out = it->get<std::string>();
    return true;
  };
  Manifest m;
  std::string format;
  if (!str("format", format) || format != kManifestFormat) {
    r.error = "manifest format is not hareyaka-preserve/1";
    return r;
  }
  if (!str("facility", m.facility) || !is_oid(m.facility)) {
    r.error = "manifest facility is not an OID";
  } else if (!str("patient", m.patient) || !is_sha256_hex(m.patient)) {
    r.error = "manifest patient is not a 64-digit reference";
  } else if (!str("generation", m.generation) || !is_generation(m.generation)) {
    r.error = "manifest generation is not <13 digits>-<8 hex>";
  } else if (!str("created", m.created) || m.created.size() != 24) {
    r.error = "manifest created is not an ISO 8601 UTC time";
  } else if (!str("index", m.index) || !m.index.starts_with("v1:") || m.index.size() > (64 << 20)) {
    r.error = "manifest index is not a sealed value";
  } else if (!str("signature", m.signature) || m.signature.size() != 88 ||
             !is_base64(m.signature)) {
    r.error = "manifest signature is not a base64 Ed25519 signature";
  }
  if (!r.error.empty())
    return r;
  auto objects = j.find("objects");
  if (objects == j.end() || !objects->is_array() || objects->size() > kMaxObjects) {
    r.error = "manifest objects is not a list of at most 200000 digests";
    return r;
  }
  for (const auto& o : *objects) {
    if (!o.is_string() || !is_sha256_hex(o.get<std::string>())) {
      r.error = "manifest objects holds something other than a SHA-256 digest";
      return r;
    }
    m.objects.push_back(o.get<std::string>());
  }
  if (!std::is_sorted(m.objects.begin(), m.objects.end()) ||
      std::adjacent_find(m.objects.begin(), m.objects.end()) != m.objects.end()) {
    r.error = "manifest objects are not sorted and unique";
    return r;
  }
  if (j.size() != 8) {
    r.error = "manifest has fields other than those of hareyaka-preserve/1";
    return r;
  }
  r.manifest = std::move(m);
  return r;
}

std::string index_to_json(const PatientIndex& index) {
  json files = json::array();
  for (const auto& f : index.files) {
    files.push_back(
        {{"path", f.path}, {"sha256", f.sha256}, {"object", f.object}, {"size", f.size}});
  }
  return json{{"patient_id", index.patient_id}, {"files", files}}.dump();
}

std::optional<PatientIndex> parse_index(std::string_view text, std::string& error) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("patient_id") ||
      !j["patient_id"].is_string() || !j.contains("files") || !j["files"].is_array()) {
    error = "index is not {patient_id, files}";
    return std::nullopt;
  }
  PatientIndex index;
  index.patient_id = j["patient_id"].get<std::string>();
  if (!ssmix2::valid_patient_id(index.patient_id)) {
    error = "index patient id is not an SS-MIX2 patient id";
    return std::nullopt;
  }
  const std::string folder = ssmix2::patient_folder(index.patient_id) + "/";
  for (const auto& f : j["files"]) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("sha256") ||
        !f["sha256"].is_string() || !f.contains("object") || !f["object"].is_string() ||
        !f.contains("size") || !f["size"].is_number_unsigned()) {
      error = "index file entry is not {path, sha256, object, size}";
      return std::nullopt;
    }
    PreservedFile p{f["path"].get<std::string>(), f["sha256"].get<std::string>(),
                    f["object"].get<std::string>(), f["size"].get<std::uint64_t>()};
    if (!is_sha256_hex(p.sha256) || !is_sha256_hex(p.object)) {
      error = "index file digest is not SHA-256";
      return std::nullopt;
    }
    // Only a well-formed standard path of this patient: never "..", never absolute.
    if (!p.path.starts_with(folder) || !ssmix2::check_standard_path(p.path).problems.empty()) {
      error = "index file path is not a standard-storage path of the patient";
      return std::nullopt;
    }
    index.files.push_back(std::move(p));
  }
  return index;
}

}  // namespace hareyaka::preserve
