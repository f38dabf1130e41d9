// The one access check of the gateway's patient routes (SS-MIX2 data and DICOM alike): the
// request's access assertion must be signed by the portal, addressed to this gateway, bound
// to the TLS client certificate presenting it, unused so far, for the patient and category
// asked, and every attempt, allowed or refused, is written to the
// local audit before anything is disclosed.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/assertion.hpp"
#include "common/http_types.hpp"
#include "gateway/directory/directory_cache.hpp"
#include "gateway/local_audit.hpp"

namespace hareyaka::gateway {

struct AccessChecker {
  const AssertionVerifier& verifier;
  LocalAudit& audit;
  std::string facility_oid;       // assertions must be addressed to it
  std::string patient_authority;  // the assigning authority of this gateway's patient ids
  // The pulled network directory: names the viewer in the audit and refuses users it does
  // not know (per unknown_users) or has disabled. Null: no directory (no portal configured).
  const DirectoryCache* directory = nullptr;
  UnknownUserPolicy unknown_users = UnknownUserPolicy::kAfterFirstPull;
};

struct AccessRequest {
  std::string category;
  // The patient the path names; empty when the resource is reached by another key (a study
  // UID): the assertion's patient is then the one audited, and `check` must tie the
  // resource to it.
  std::string local_id;
  // Further refusal check on the verified assertion: returns the reason, or empty to allow.
  std::function<std::string(const AccessAssertion&)> check;
  nlohmann::json detail;  // added to the audit entry (e.g. the study UID)
};

// Returns the verified assertion; throws Error (401 for a missing, invalid, expired,
// too long-lived or replayed assertion, 403 for another gateway, another presenter, a user
// the directory refuses, another patient or category, or a refusal by `check`; 503 when the
// replay cache is full) after auditing.
AccessAssertion authorize(const AccessChecker& checker, const http::Request& req,
                          const AccessRequest& access);

}  // namespace hareyaka::gateway
