#include "tests/integration/care_team_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/dev_pki.hpp"

namespace hareyaka::testing {

using nlohmann::json;

std::string care_login(const std::string& kind, const std::string& state, const std::string& prof) {
  return "m." + kind + "." + state + "." + prof;
}

CareTeamClient& CareTeamClient::get() {
  static CareTeamClient t;
  return t;
}

CareTeamClient::CareTeamClient() {
  base = "/api/v1/persons/" + matrix().person_id + "/care-team";
}

Browser& CareTeamClient::as(const std::string& who) {
  auto& p = b[who];
  if (!p) {
    p = std::make_unique<Browser>(net().portal->port("web"));
    const auto r = p->login(who, kPassword, matrix().secret);
    EXPECT_EQ(r.status, 200) << who << ": " << r.body;
  }
  return *p;
}

void CareTeamClient::record(const std::string& method, const std::string& pattern,
                            const http::ClientResponse& r) {
  auto ct = r.headers.find("Content-Type");
  answers.push_back({{"method", method},
                     {"pattern", "/api/v1/persons/{person_id}/care-team" + pattern},
                     {"status", r.status},
                     {"content_type", ct == r.headers.end() ? "" : ct->second},
                     {"body", r.body}});
}

http::ClientResponse CareTeamClient::call(const std::string& who, const std::string& method,
                                          const std::string& pattern, const std::string& path,
                                          const json& body) {
  auto r = as(who).call(method, base + (path.empty() ? pattern : path), body);
  record(method, pattern, r);
  return r;
}

http::ClientResponse CareTeamClient::send(const std::string& who, const std::string& pattern,
                                          const std::string& path, std::string body,
                                          const std::string& content_type) {
  auto r = as(who).send("POST", base + path, std::move(body), content_type);
  auto ct = r.headers.find("Content-Type");
  if (ct != r.headers.end() && ct->second.rfind("application/json", 0) == 0)
    record("POST", pattern, r);
  return r;
}

std::string care_code_of(const http::ClientResponse& r) {
  const json b = body_of(r);
  if (!b.is_object() || !b.contains("message"))
    return "(no error body: " + r.body.substr(0, 200) + ")";
  const std::string m = b["message"].get<std::string>();
  return m.substr(0, m.find(':'));
}

std::int64_t care_audit_count(const std::string& login, const std::string& outcome,
                              const std::string& reason) {
  return pg::transact(*net().pool, [&](pg::Tx& tx) {
    return tx.raw()
        .exec_params(
            "SELECT count(*) FROM audit_log WHERE category = 'care_team' AND actor_user = $1 "
            "AND outcome = $2 AND reason = $3 AND person_id = $4",
            login, outcome, reason, matrix().person_id)[0][0]
        .as<std::int64_t>();
  });
}

std::string care_schema_problems(const CareTeamClient& t, const std::string& name) {
  http::ClientSettings s;
  s.tls = {.ca_file = dev_pki().ca(),
           .cert_file = dev_pki().cert("portal"),
           .key_file = dev_pki().key("portal")};
  http::BlockingHttpClient client(s);
  auto doc = client.request({.url = net().portal->url("web", "/openapi.json")});
  if (doc.status != 200)
    return "GET /openapi.json: " + std::to_string(doc.status);
  const std::string dir = net().tmp.path();
  std::ofstream(dir + "/" + name + ".openapi.json") << doc.body;
  std::ofstream(dir + "/" + name + ".answers.json") << t.answers.dump();
  auto r = run({"python3", source_dir() + "/tests/support/openapi_check.py",
                dir + "/" + name + ".openapi.json", dir + "/" + name + ".answers.json"});
  return r.exit_code == 0 ? "" : r.output;
}

}  // namespace hareyaka::testing
