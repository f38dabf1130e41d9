#include "gateway/preserve/sealing.hpp"

#include <algorithm>

#include "common/digest.hpp"
#include "common/error.hpp"
#include "proto/encoding/base64.hpp"

namespace hareyaka::gateway::preserve {
namespace {

std::string nonce_for(const SecretBox& box, std::string_view kind, std::string_view digest) {
  std::string label("nonce");
  label.append(1, '\0').append(kind).append(1, '\0').append(digest);
  return box.mac(label).substr(0, 12);
}

std::string file_ad(const std::string& sha256) {
  return std::string("file") + '\0' + sha256;
}

std::string index_ad(const std::string& facility, const std::string& ref) {
  return std::string("index") + '\0' + facility + '\0' + ref;
}

}  // namespace

PreserveCrypto::PreserveCrypto(std::vector<BoxKey> keys, const std::string& signing_key_file,
                               std::string facility_oid)
    : box_(std::move(keys)),
      signer_([&] {
        // A private key signs and verifies; a public one (restore elsewhere) only verifies.
        try {
          return Ed25519Key::private_from_file(signing_key_file, "preservation signing key");
        } catch (const Error&) {
          return Ed25519Key::public_from_file(signing_key_file, "preservation signing key");
        }
      }()),
      facility_(std::move(facility_oid)) {
  if (!box_.has_keys())
    throw Error(ErrorCode::kInternal, "cannot start", "no preservation key configured");
}

std::string PreserveCrypto::patient_ref(const std::string& patient_id) const {
  return to_hex(box_.mac(std::string("patient") + '\0' + facility_ + '\0' + patient_id));
}

SealedObject PreserveCrypto::seal_file(std::string_view bytes, const std::string& sha256) const {
  SealedObject s;
  s.blob = box_.seal_with_nonce(bytes, file_ad(sha256), nonce_for(box_, "file", sha256));
  s.object = sha256_hex(s.blob);
  return s;
}

std::optional<std::string> PreserveCrypto::open_file(std::string_view blob,
                                                     const std::string& sha256) const {
  auto opened = box_.open(blob, file_ad(sha256));
  if (!opened.ok() || sha256_hex(opened.plaintext) != sha256)
    return std::nullopt;
  return std::move(opened.plaintext);
}

Manifest PreserveCrypto::make_manifest(const PatientIndex& index, std::int64_t now_ms) const {
  Manifest m;
  m.facility = facility_;
  m.patient = patient_ref(index.patient_id);
  const std::string plain = hareyaka::preserve::index_to_json(index);
  m.index = box_.seal_with_nonce(plain, index_ad(facility_, m.patient),
                                 nonce_for(box_, "index", sha256_hex(plain)));
  m.generation = hareyaka::preserve::make_generation(now_ms, sha256_hex(m.index).substr(0, 8));
  m.created = hareyaka::preserve::iso_time_ms(now_ms);
  for (const auto& f : index.files)
    m.objects.push_back(f.object);
  std::sort(m.objects.begin(), m.objects.end());
  m.objects.erase(std::unique(m.objects.begin(), m.objects.end()), m.objects.end());
  m.signature = base64_encode(signer_.sign(hareyaka::preserve::signed_bytes(m)));
  return m;
}

OpenedManifest PreserveCrypto::open_manifest(const Manifest& m) const {
  OpenedManifest r;
  if (m.facility != facility_) {
    r.error = "manifest is for another facility";
    return r;
  }
  auto sig = base64_decode(m.signature);
  if (!sig || !signer_.verify(hareyaka::preserve::signed_bytes(m), *sig)) {
    r.error = "manifest signature does not verify";
    return r;
  }
  auto opened = box_.open(m.index, index_ad(m.facility, m.patient));
  if (!opened.ok()) {
    r.error = "manifest index does not open: " + std::string(to_string(opened.error));
    return r;
  }
  std::string why;
  auto index = hareyaka::preserve::parse_index(opened.plaintext, why);
  if (!index) {
    r.error = why;
    return r;
  }
  if (patient_ref(index->patient_id) != m.patient) {
    r.error = "manifest index names another patient";
    return r;
  }
  for (const auto& f : index->files) {
    if (!std::binary_search(m.objects.begin(), m.objects.end(), f.object)) {
      r.error = "manifest index names an object the manifest does not list";
      return r;
    }
  }
  r.index = std::move(index);
  return r;
}

}  // namespace hareyaka::gateway::preserve
