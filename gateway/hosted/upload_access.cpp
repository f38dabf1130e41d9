#include "gateway/hosted/upload_access.hpp"

#include <cctype>

#include "common/error.hpp"

namespace hareyaka::gateway::hosted {

using nlohmann::json;

namespace {

json entry_for(const http::Request& req, const std::string& action) {
  return {{"event", "upload"},
          {"action", action},
          {"request_id", req.request_id},
          {"peer", req.peer ? req.peer->subject : ""},
          {"presenter", req.peer ? req.peer->sha256_fingerprint : ""}};
}

}  // namespace

AccessAssertion authorize_upload(const UploadChecker& checker, const http::Request& req,
                                 const std::string& action) {
  json entry = entry_for(req, action);
  const std::string token = req.header(kAssertionHeader).value_or("");
  const std::string presenter = req.peer ? req.peer->sha256_fingerprint : "";
  auto result = checker.verifier.verify(token, checker.facility_oid, presenter, unix_now());
  if (auto* err = std::get_if<AssertionError>(&result)) {
    entry["outcome"] = "refused";
    entry["reason"] = describe(*err);
    checker.audit.append(entry);
    const bool forbidden =
        *err == AssertionError::kWrongAudience || *err == AssertionError::kWrongPresenter;
    throw Error(forbidden ? ErrorCode::kForbidden : ErrorCode::kUnauthorized, describe(*err));
  }
  const auto& a = std::get<AccessAssertion>(result);
  entry["assertion_id"] = a.id;
  entry["uploader"] = {{"user", a.user},
                       {"profession", a.profession},
                       {"facility", a.facility_oid},
                       {"portal_request_id", a.request_id}};
  std::string refusal;
  if (a.category != kUploadCategory || a.purpose != kUploadCategory)
    refusal = "access assertion is not for an upload";
  else if (a.profession != kDataManager)
    refusal = "only a data manager of the facility may upload";
  else if (a.facility_oid != checker.facility_oid || !a.community.empty())
    refusal = "only a data manager of this facility may upload";
  else if (checker.directory)
    refusal = checker.directory->check(a.user, a.facility_oid, checker.unknown_users).refusal;
  if (!refusal.empty()) {
    entry["outcome"] = "refused";
    entry["reason"] = refusal;
    checker.audit.append(entry);
    throw Error(ErrorCode::kForbidden, refusal);
  }
  entry["outcome"] = "allowed";
  checker.audit.append(entry);
  return a;
}

void audit_upload(const UploadChecker& checker, const http::Request& req,
                  const AccessAssertion& who, const UploadReport& report,
                  const std::string& action) {
  json entry = entry_for(req, action);
  entry["outcome"] = report.accepted() ? "stored" : "rejected";
  entry["assertion_id"] = who.id;
  entry["uploader"] = {{"user", who.user}, {"facility", who.facility_oid}};
  entry["upload"] = {{"id", report.upload_id},
                     {"bytes", report.bytes},
                     {"stored", report.stored},
                     {"unchanged", report.unchanged},
                     {"rejected", report.rejected}};
  if (!report.error.empty())
    entry["reason"] = report.error;
  checker.audit.append(entry);
}

}  // namespace hareyaka::gateway::hosted
