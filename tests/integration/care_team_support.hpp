// What the care team's integration tests share (care_team_test, care_attachment_test): the
// matrix's logins, one browser per member logged in once, each call recorded for the check of
// the answers against docs/openapi/portal.yaml, the refusal's code and the audit counts.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"

namespace hareyaka::testing {

// "m.<facility kind>.<consent state>.<directory profession>" (trust_matrix_setup).
std::string care_login(const std::string& kind, const std::string& state, const std::string& prof);

// The members-to-be of the matrix person's team, each logged in once (a one-time code is good
// once).
struct CareTeamClient {
  std::map<std::string, std::unique_ptr<Browser>> b;
  std::map<std::string, std::string> member_id;
  nlohmann::json answers = nlohmann::json::array();
  std::string base;  // /api/v1/persons/<matrix person>/care-team

  static CareTeamClient& get();
  Browser& as(const std::string& who);
  // A JSON call, recorded for the schema check under its route pattern.
  http::ClientResponse call(const std::string& who, const std::string& method,
                            const std::string& pattern, const std::string& path = "",
                            const nlohmann::json& body = nullptr);
  // A body sent as it is (an attachment), recorded when the answer is JSON.
  http::ClientResponse send(const std::string& who, const std::string& pattern,
                            const std::string& path, std::string body,
                            const std::string& content_type);

 private:
  CareTeamClient();
  void record(const std::string& method, const std::string& pattern, const http::ClientResponse& r);
};

// The refusal's code: the first word of the error message.
std::string care_code_of(const http::ClientResponse& r);
// Care-team audit records of the login about the matrix person with this outcome and reason.
std::int64_t care_audit_count(const std::string& login, const std::string& outcome,
                              const std::string& reason);
// The recorded answers against the portal's served OpenAPI document
// (tests/support/openapi_check.py); "" when they all validate, else its output.
std::string care_schema_problems(const CareTeamClient& t, const std::string& name);

}  // namespace hareyaka::testing
