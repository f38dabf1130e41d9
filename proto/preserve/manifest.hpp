// The manifest of one preserved generation of one patient's minimum data set (issue #20),
// as the gateway writes it and the preservation node stores it. The node sees only what it
// needs to keep the copy whole: which facility, an opaque patient reference (an HMAC of the
// patient id under the hospital's key), the generation's name and the digests of the
// encrypted objects it references. The list of files, with their paths and plaintext digests,
// is sealed with the hospital's key (`index`), and the whole manifest is signed with the
// gateway's Ed25519 preservation key (`signature`), so a node can neither read the records
// nor change, drop or swap a file without the restore noticing.
//
// Wire form (JSON, one object):
//   {"format": "hareyaka-preserve/1", "facility": OID, "patient": 64 hex,
//    "generation": "<13-digit unix ms>-<8 hex>", "created": "YYYY-MM-DDThh:mm:ss.sssZ",
//    "objects": [64 hex, ...], "index": "v1:<key id>:<base64>", "signature": base64}
// The signature covers signed_bytes(): the same object without "signature", keys sorted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::preserve {

inline constexpr std::string_view kManifestFormat = "hareyaka-preserve/1";
inline constexpr std::size_t kMaxObjects = 200'000;

struct Manifest {
  std::string facility;
  std::string patient;               // opaque reference, 64 lower-case hex
  std::string generation;            // sorts by time; see make_generation
  std::string created;               // ISO 8601 UTC with milliseconds
  std::vector<std::string> objects;  // SHA-256 (hex) of each encrypted object, sorted, unique
  std::string index;                 // the sealed PatientIndex
  std::string signature;             // base64 of the Ed25519 signature
};

std::string signed_bytes(const Manifest& m);
std::string to_json(const Manifest& m);

struct ManifestParse {
  std::optional<Manifest> manifest;
  std::string error;  // what is wrong, without any value from the text
};
// Checks every field's form (not the signature: the node holds no key).
ManifestParse parse_manifest(std::string_view text);

bool is_sha256_hex(std::string_view s);
bool is_oid(std::string_view s);
// "<unix ms, 13 digits>-<salt, 8 hex>": lexical order is time order.
std::string make_generation(std::int64_t unix_ms, std::string_view salt_hex8);
bool is_generation(std::string_view s);
std::int64_t generation_time_ms(std::string_view generation);  // of a valid generation
std::string iso_time_ms(std::int64_t unix_ms);                 // "2026-12-07T08:40:00.000Z"

// The sealed part: the patient and every preserved file.
struct PreservedFile {
  std::string path;    // relative to the SS-MIX2 standard storage root
  std::string sha256;  // of the file's bytes
  std::string object;  // SHA-256 of the encrypted object holding them
  std::uint64_t size = 0;
};
struct PatientIndex {
  std::string patient_id;
  std::vector<PreservedFile> files;  // sorted by path
};
std::string index_to_json(const PatientIndex& index);
// Refuses anything but standard-storage paths of this patient (no absolute path, no "..":
// a restore writes these paths).
std::optional<PatientIndex> parse_index(std::string_view text, std::string& error);

}  // namespace hareyaka::preserve
