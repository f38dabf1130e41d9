// The HPD directory from the admin console (POST /api/v1/admin/hpd): the secretariat feeds and
// queries DSMLv2 batches with its session and CSRF token; other users and requests without the
// token are refused; every change is audited with the administrator as the actor.
#include <gtest/gtest.h>

#include "hpd/dsml/dsml.hpp"
#include "hpd/pg_directory_store.hpp"
#include "tests/integration/trust_network.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::TrustNetwork;
namespace dsml = hpd::dsml;

TEST(HpdAdmin, TheSecretariatFeedsAndQueriesThroughTheConsole) {
  auto& net = TrustNetwork::get();
  dsml::BatchRequest feed;
  dsml::AddRequest org;
  org.entry.dn = "uid=1.2.392.200284.33.4440001,ou=HCRegulatedOrganization,dc=HPD,o=Hareyaka,c=JP";
  org.entry.add("objectClass", {"top", "organization", "HCRegulatedOrganization"});
  org.entry.add("o", {"コンソール薬局"});
  org.entry.add("hcIdentifier", {"1.2.392.200284:FacilityOID:1.2.392.200284.33.4440001:Active"});
  org.entry.add("businessCategory", {"pharmacy"});
  feed.requests.push_back(org);
  const json body{{"transaction", "feed"}, {"batch", dsml::write_batch_request(feed)}};

  // Without the CSRF token: refused, nothing changes.
  EXPECT_EQ(net.admin->call("POST", "/api/v1/admin/hpd", body, false).status, 403);
  hpd::PgDirectoryStore directory(*net.pool);
  EXPECT_FALSE(directory.find_facility("1.2.392.200284.33.4440001"));

  auto r = net.admin->call("POST", "/api/v1/admin/hpd", body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto res = dsml::parse_batch_response(body_of(r)["batch"].get<std::string>());
  ASSERT_EQ(res.responses.size(), 1u);
  EXPECT_EQ(std::get<dsml::OperationResponse>(res.responses[0]).result.code,
            dsml::ResultCode::kSuccess);
  auto f = directory.find_facility("1.2.392.200284.33.4440001");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, hpd::FacilityKind::kPharmacy);

  dsml::BatchRequest query;
  dsml::SearchRequest s;
  s.dn = "dc=HPD,o=Hareyaka,c=JP";
  s.filter.kind = dsml::Filter::Kind::kEqualityMatch;
  s.filter.attribute = "o";
  s.filter.value = "コンソール薬局";
  query.requests.push_back(s);
  auto q = net.admin->call("POST", "/api/v1/admin/hpd",
                           {{"transaction", "query"}, {"batch", dsml::write_batch_request(query)}});
  ASSERT_EQ(q.status, 200) << q.body;
  auto found = dsml::parse_batch_response(body_of(q)["batch"].get<std::string>());
  EXPECT_EQ(std::get<dsml::SearchResponse>(found.responses.at(0)).entries.size(), 1u);

  EXPECT_EQ(net.admin
                ->call("POST", "/api/v1/admin/hpd",
                       {{"transaction", "query"}, {"batch", "<batchRequest>"}})
                .status,
            400);
  EXPECT_EQ(
      net.admin
          ->call("POST", "/api/v1/admin/hpd", {{"transaction", "delete-all"}, {"batch", "<x/>"}})
          .status,
      422);

  pg::transact(*net.pool, [&](pg::Tx& tx) {
    auto rows = tx.exec_trusted(
        "SELECT actor_user FROM audit_log WHERE reason = 'hpd_addResponse' AND detail LIKE "
        "'%4440001%'");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0].as<std::string>(), testing::kAdminLogin);
  });
}

}  // namespace
}  // namespace hareyaka
