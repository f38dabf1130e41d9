// `hareyaka-gateway restore`: rebuilds a hospital's SS-MIX2 standard storage from one
// preservation node (issue #20). Every patient's newest generation (or the newest at or before
// --as-of) is fetched, its manifest's signature checked with the gateway's preservation key,
// its file list opened with the hospital's key, and each file's object checked three ways (the
// node's digest of the blob, the authenticated encryption, the file digest in the signed list)
// before it is written. A patient whose newest generation fails is restored from the one before
// it, and reported; a file that fails everywhere is reported and not written.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/http_client.hpp"
#include "gateway/preserve/sealing.hpp"

namespace hareyaka::gateway::preserve {

struct RestoreOptions {
  std::string node_url;       // https://node:port
  std::string into;           // the storage root to write (created; existing files are kept)
  std::int64_t as_of_ms = 0;  // 0: the newest generation
  bool verify_only = false;   // check everything, write nothing
};

struct RestoreProblem {
  std::string patient;     // the node's reference (never the patient id)
  std::string generation;  // empty: no generation usable
  std::string reason;
};

struct RestoreReport {
  std::int64_t patients = 0;
  std::int64_t files = 0;
  std::int64_t bytes = 0;
  std::int64_t older_generations_used = 0;  // newest one failed verification
  std::vector<RestoreProblem> problems;
  std::int64_t newest_generation_ms = 0;  // the recovery point
  nlohmann::json to_json() const;
};

RestoreReport restore(const PreserveCrypto& crypto, http::BlockingHttpClient& client,
                      const RestoreOptions& options);

}  // namespace hareyaka::gateway::preserve
