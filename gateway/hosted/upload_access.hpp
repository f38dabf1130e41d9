// Who may write to a hosted tenant (issue #17): a data manager (施設データ管理者) of that
// facility, logged in at the portal, for whom the portal signs an access assertion of
// category "upload" and purpose "upload" addressed to the facility. Every attempt, allowed or
// refused, and every upload's outcome is written to the tenant's local audit before the
// answer is sent.
#pragma once

#include <string>

#include "common/assertion.hpp"
#include "common/http_types.hpp"
#include "gateway/directory/directory_cache.hpp"
#include "gateway/hosted/ssmix2_upload.hpp"
#include "gateway/local_audit.hpp"

namespace hareyaka::gateway::hosted {

inline constexpr const char* kUploadCategory = "upload";
inline constexpr const char* kDataManager = "data_manager";

struct UploadChecker {
  const AssertionVerifier& verifier;
  LocalAudit& audit;
  std::string facility_oid;
  const DirectoryCache* directory = nullptr;
  UnknownUserPolicy unknown_users = UnknownUserPolicy::kAfterFirstPull;
};

// Returns the verified assertion; throws Error (401 for a missing or invalid assertion, 403
// for another facility, category, purpose or profession, or a user the directory refuses)
// after auditing. `action`: what is asked ("ssmix2", "list"), for the audit.
AccessAssertion authorize_upload(const UploadChecker& checker, const http::Request& req,
                                 const std::string& action);
// The outcome of an authorised upload, in the same audit (`action` as for authorize_upload).
void audit_upload(const UploadChecker& checker, const http::Request& req,
                  const AccessAssertion& who, const UploadReport& report,
                  const std::string& action = "ssmix2");

}  // namespace hareyaka::gateway::hosted
