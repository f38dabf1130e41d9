#include "gateway/access.hpp"

#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::gateway {

using nlohmann::json;

AccessAssertion authorize(const AccessChecker& checker, const http::Request& req,
                          const AccessRequest& access) {
  json entry{{"event", "disclosure"},
             {"request_id", req.request_id},
             {"patient", {{"authority", checker.patient_authority}, {"local_id", access.local_id}}},
             {"category", access.category},
             {"peer", req.peer ? req.peer->subject : ""}};
  if (access.detail.is_object()) {
    for (const auto& [k, v] : access.detail.items())
      entry[k] = v;
  }
  const std::string token = req.header(kAssertionHeader).value_or("");
  const std::string presenter = req.peer ? req.peer->sha256_fingerprint : "";
  entry["presenter"] = presenter;
  auto result = checker.verifier.verify(token, checker.facility_oid, presenter, unix_now());
  if (auto* err = std::get_if<AssertionError>(&result)) {
    entry["outcome"] = "refused";
    entry["reason"] = describe(*err);
    checker.audit.append(entry);
    // A genuine assertion used twice or by the wrong node means a copy is out there: worth
    // an operator's look, unlike a plain expiry.
    if (*err == AssertionError::kReplayed || *err == AssertionError::kWrongPresenter ||
        *err == AssertionError::kTooManyInFlight) {
      log::warn("access assertion refused",
                {.request_id = req.request_id,
                 .component = "access",
                 .peer = req.peer ? std::string_view(req.peer->subject) : std::string_view(),
                 .detail = describe(*err)});
    }
    ErrorCode code = ErrorCode::kUnauthorized;
    if (*err == AssertionError::kWrongAudience || *err == AssertionError::kWrongPresenter)
      code = ErrorCode::kForbidden;
    else if (*err == AssertionError::kTooManyInFlight)
      code = ErrorCode::kUnavailable;
    throw Error(code, describe(*err));
  }
  const auto& a = std::get<AccessAssertion>(result);
  entry["assertion_id"] = a.id;
  entry["viewer"] = {{"user", a.user},
                     {"profession", a.profession},
                     {"facility", a.facility_oid},
                     {"purpose", a.purpose},
                     {"portal_request_id", a.request_id}};
  if (access.local_id.empty())
    entry["patient"]["local_id"] = a.local_id;
  std::string mismatch;
  if (!a.community.empty()) {
    // Asked by the portal for a peer network (IHE XCA) under that network's agreement and the
    // patient's consent for it: no user of this directory, so named by its community.
    entry["viewer"]["community"] = a.community;
  } else if (checker.directory) {
    auto verdict = checker.directory->check(a.user, a.facility_oid, checker.unknown_users);
    if (verdict.viewer) {
      entry["viewer"]["display_name"] = verdict.viewer->display_name;
      entry["viewer"]["directory_profession"] = verdict.viewer->profession;
      entry["viewer"]["facility_name"] = verdict.viewer->facility_name;
    }
    // Not empty when the directory does not know the user, or disabled them.
    mismatch = std::move(verdict.refusal);
  }
  if (mismatch.empty()) {
    if ((!access.local_id.empty() && a.local_id != access.local_id) ||
        a.authority != checker.patient_authority) {
      mismatch = "access assertion is for another patient";
    } else if (a.category != access.category) {
      mismatch = "access assertion is for another category";
    } else if (access.check) {
      mismatch = access.check(a);
    }
  }
  if (!mismatch.empty()) {
    entry["outcome"] = "refused";
    entry["reason"] = mismatch;
    checker.audit.append(entry);
    throw Error(ErrorCode::kForbidden, mismatch);
  }
  entry["outcome"] = "allowed";
  checker.audit.append(entry);
  return a;
}

}  // namespace hareyaka::gateway
