// The /hpd SOAP binding without HTTP: the action variants implementations use, SOAP faults for
// what is not a DSML batch, a DSML errorResponse for a batch with bad attributes; and the
// portal's hpd configuration keys.
#include "portal/hpd_routes.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/config.hpp"
#include "hpd/migrations.hpp"
#include "portal/config.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xml/schema.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::portal {
namespace {

namespace dsml = hpd::dsml;

const std::string kSearch =
    "<batchRequest xmlns=\"urn:oasis:names:tc:DSML:2:0:core\"><searchRequest "
    "dn=\"dc=HPD,o=Hareyaka,c=JP\" scope=\"wholeSubtree\" derefAliases=\"neverDerefAliases\">"
    "<filter><present name=\"objectClass\"/></filter></searchRequest></batchRequest>";

std::string envelope(const std::string& payload, const std::string& action) {
  std::string header;
  if (!action.empty())
    header = "<a:Action>" + action + "</a:Action>";
  return "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>" +
         header + "<a:MessageID>urn:uuid:1</a:MessageID></s:Header><s:Body>" + payload +
         "</s:Body></s:Envelope>";
}

class HpdSoap : public ::testing::Test {
 protected:
  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool({&hpd::migrations()});
  hpd::HpdService service_{*pool_, hpd::HpdSettings{}};
  hpd::HpdCaller node_{.name = "CN=gw"};

  hl7v3::Envelope call(const std::string& body, const std::string& content_type,
                       const std::string& reply_action) {
    auto r = handle_hpd_soap(service_, body, content_type, node_);
    EXPECT_EQ(r.http_status, 200) << r.body;
    auto env = hl7v3::parse_envelope(r.body, r.content_type);
    EXPECT_EQ(env.addressing.action, reply_action);
    EXPECT_EQ(env.addressing.relates_to, "urn:uuid:1");
    static const auto schema =
        xml::Schema::load(std::string(HAREYAKA_TEST_DATA_DIR) + "/ihe/schemas/DSMLv2.xsd");
    for (const auto& e : schema.validate(xml::Document::copy_of(env.payload)))
      ADD_FAILURE() << e.message;
    return env;
  }
};

TEST_F(HpdSoap, AcceptsTheActionVariantsFromHeaderOrContentType) {
  const std::string ct = "application/soap+xml; charset=UTF-8";
  for (const char* action : {"urn:ihe:iti:2010:ProviderInformationQuery",
                             "urn:ihe:iti:2010:ProviderInformationQueryRequest"}) {
    auto env =
        call(envelope(kSearch, action), ct, "urn:ihe:iti:2010:ProviderInformationQueryResponse");
    auto b = dsml::parse_batch_response(env.payload);
    EXPECT_EQ(std::get<dsml::SearchResponse>(b.responses.at(0)).done.code,
              dsml::ResultCode::kSuccess);
    call(envelope(kSearch, ""), hl7v3::soap_content_type(action),
         "urn:ihe:iti:2010:ProviderInformationQueryResponse");
  }
  // A search in a feed is refused inside DSML, not as a fault.
  auto env = call(envelope(kSearch, "urn:ihe:iti:2010:ProviderInformationFeedRequest"), ct,
                  "urn:ihe:iti:2010:ProviderInformationFeedResponse");
  EXPECT_EQ(std::get<dsml::SearchResponse>(dsml::parse_batch_response(env.payload).responses[0])
                .done.code,
            dsml::ResultCode::kUnwillingToPerform);
  // A batch with a bad attribute is a malformedRequest errorResponse.
  auto bad = call(envelope("<batchRequest xmlns=\"urn:oasis:names:tc:DSML:2:0:core\" "
                           "onError=\"panic\"/>",
                           "urn:ihe:iti:2010:ProviderInformationFeed"),
                  ct, "urn:ihe:iti:2010:ProviderInformationFeedResponse");
  const auto bad_batch = dsml::parse_batch_response(bad.payload);
  const auto& err = std::get<dsml::ErrorResponse>(bad_batch.responses.at(0));
  EXPECT_EQ(err.type, dsml::ErrorType::kMalformedRequest);
  EXPECT_NE(err.message.find("onError"), std::string::npos) << err.message;
}

TEST_F(HpdSoap, FaultsForWhatIsNotADsmlBatch) {
  const std::string ct = "application/soap+xml; charset=UTF-8";
  auto no_action = handle_hpd_soap(service_, envelope(kSearch, ""), ct, node_);
  EXPECT_EQ(no_action.http_status, 400);
  EXPECT_NE(no_action.body.find("no WS-Addressing Action"), std::string::npos);
  auto soap11 = handle_hpd_soap(
      service_,
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>",
      "text/xml", node_);
  EXPECT_NE(soap11.http_status, 200);
  auto doctype = handle_hpd_soap(service_,
                                 "<!DOCTYPE x [<!ENTITY e \"e\">]>" +
                                     envelope(kSearch, "urn:ihe:iti:2010:ProviderInformationQuery"),
                                 ct, node_);
  EXPECT_EQ(doctype.http_status, 400);
}

TEST(HpdConfig, KeysAreReadAndCheckedNamingTheKey) {
  const auto dir = std::filesystem::temp_directory_path() / ("hpdcfg" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& hpd) {
    const auto path = (dir / "portal.json").string();
    std::ofstream(path) << R"({"database": {"conninfo": "dbname=x"}, "assertion_signing_key": "k",
      "listeners": {"web": {"port": 0, "cert_file": "c", "key_file": "k"},
                    "nodes": {"port": 0, "cert_file": "c", "key_file": "k", "client_auth": "require",
                              "client_ca_file": "ca"}},
      "hpd": )" << hpd << "}";
    return path;
  };
  const std::string fp(64, 'a');
  auto c = load_portal_config(write(
      R"({"base_dn": "dc=HPD,o=Okayama,c=JP", "extra_base_dns": ["o=X,c=US"], "max_results": 20, "feed_nodes": [")" +
      fp + R"("]})"));
  EXPECT_EQ(c.hpd.base_dn, "dc=HPD,o=Okayama,c=JP");
  EXPECT_EQ(c.hpd.extra_base_dns, std::vector<std::string>{"o=X,c=US"});
  EXPECT_EQ(c.hpd.max_results, 20);
  EXPECT_EQ(c.hpd.feed_nodes, std::vector<std::string>{fp});
  for (const char* bad : {R"({"base_dn": "dc=,c=JP"})", R"({"feed_nodes": ["ABC"]})",
                          R"({"max_results": 0})", R"({"colour": "red"})"}) {
    EXPECT_THROW(load_portal_config(write(bad)), config::ConfigError) << bad;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hareyaka::portal
