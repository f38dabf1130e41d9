// The portal as an IHE HPD Provider Information Directory, as a feed source and a query
// client meet it: the published ITI-59 sample loads over HTTPS with mutual TLS into the real
// portal on a real PostgreSQL, ITI-58 queries find exactly those entries, bad DSML gets a
// precise resultCode and changes nothing, and every DSML response validates against
// DSMLv2.xsd.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "hpd/dsml/dsml.hpp"
#include "hpd/pg_directory_store.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xml/document.hpp"
#include "proto/xml/schema.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::dev_pki;
namespace dsml = hpd::dsml;

constexpr const char* kSampleBase = "O=HPDTEST,DC=HPD,C=US";
constexpr const char* kQuery = "urn:ihe:iti:2010:ProviderInformationQueryRequest";
constexpr const char* kFeed = "urn:ihe:iti:2010:ProviderInformationFeedRequest";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string sample(const std::string& name) {
  return read_file(std::string(HAREYAKA_TEST_DATA_DIR) + "/ihe/samples/hpd/" + name);
}

const xml::Schema& dsml_schema() {
  static const xml::Schema schema =
      xml::Schema::load(std::string(HAREYAKA_TEST_DATA_DIR) + "/ihe/schemas/DSMLv2.xsd");
  return schema;
}

std::string envelope(std::string payload, const std::string& action) {
  if (payload.rfind("<?xml", 0) == 0)
    payload.erase(0, payload.find("?>") + 2);
  std::string header;
  if (!action.empty())
    header = "<a:Action s:mustUnderstand=\"true\">" + action + "</a:Action>";
  return "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>" +
         header +
         "<a:MessageID>urn:uuid:0b0e4f7a-5c1d-4b7e-9a59-2f7f3a1c0001</a:MessageID>"
         "</s:Header><s:Body>" +
         payload + "</s:Body></s:Envelope>";
}

dsml::Filter eq(const std::string& a, const std::string& v) {
  dsml::Filter f;
  f.kind = dsml::Filter::Kind::kEqualityMatch;
  f.attribute = a;
  f.value = v;
  return f;
}

dsml::Filter present(const std::string& a) {
  dsml::Filter f;
  f.kind = dsml::Filter::Kind::kPresent;
  f.attribute = a;
  return f;
}

dsml::Filter combine(dsml::Filter::Kind k, std::vector<dsml::Filter> children) {
  dsml::Filter f;
  f.kind = k;
  f.children = std::move(children);
  return f;
}

class HpdOverHttps : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::fresh_database();
    auto listener = [](const std::string& auth) {
      json l{{"port", 0},
             {"cert_file", dev_pki().cert("portal")},
             {"key_file", dev_pki().key("portal")},
             {"client_auth", auth}};
      if (auth != "none")
        l["client_ca_file"] = dev_pki().ca();
      return l;
    };
    json cfg{{"assertion_signing_key", dev_pki().dir + "/assertion.key"},
             {"database", {{"conninfo", {{"env", "HAREYAKA_TEST_DB"}}}}},
             {"listeners", {{"web", listener("none")}, {"nodes", listener("require")}}},
             {"hpd",
              {{"extra_base_dns", {kSampleBase}},
               {"max_results", 50},
               {"feed_nodes", {testing::cert_fingerprint(dev_pki().cert("client"))}}}}};
    portal_ = std::make_unique<testing::Daemon>(
        "portal/hareyaka-portal", cfg, "portal",
        std::map<std::string, std::string>{{"HAREYAKA_TEST_DB", db_}});
    for (const char* node : {"client", "gateway-a"}) {
      http::ClientSettings cs;
      cs.tls = {.ca_file = dev_pki().ca(),
                .cert_file = dev_pki().cert(node),
                .key_file = dev_pki().key(node)};
      clients_[node] = std::make_unique<http::BlockingHttpClient>(cs);
    }
  }

  // Posts a DSML payload; returns the batchResponse after checking it against DSMLv2.xsd.
  dsml::BatchResponse post(const std::string& payload, const std::string& action,
                           const std::string& node = "client", bool action_in_header = true) {
    auto res = clients_.at(node)->request(
        {.method = "POST",
         .url = portal_->url("nodes", "/hpd"),
         .headers = {{"Content-Type", action_in_header ? "application/soap+xml; charset=UTF-8"
                                                       : hl7v3::soap_content_type(action)}},
         .body = envelope(payload, action_in_header ? action : "")});
    EXPECT_EQ(res.status, 200) << res.body;
    auto env = hl7v3::parse_envelope(res.body, res.headers["Content-Type"]);
    const std::string reply = std::string(action).find("Query") != std::string::npos
                                  ? "urn:ihe:iti:2010:ProviderInformationQueryResponse"
                                  : "urn:ihe:iti:2010:ProviderInformationFeedResponse";
    EXPECT_EQ(env.addressing.action, reply);
    auto standalone = xml::Document::copy_of(env.payload);
    const auto errors = dsml_schema().validate(standalone);
    for (const auto& e : errors)
      ADD_FAILURE() << "DSMLv2.xsd: line " << e.line << ": " << e.message << "\n" << res.body;
    return dsml::parse_batch_response(env.payload);
  }

  dsml::BatchResponse feed(const dsml::BatchRequest& b, const std::string& node = "client") {
    return post(dsml::write_batch_request(b), kFeed, node);
  }

  dsml::SearchResponse search(const dsml::SearchRequest& r) {
    dsml::BatchRequest b;
    b.requests.push_back(r);
    auto res = post(dsml::write_batch_request(b), kQuery, "gateway-a", false);
    EXPECT_EQ(res.responses.size(), 1u);
    return std::get<dsml::SearchResponse>(res.responses.at(0));
  }

  dsml::SearchRequest subtree(dsml::Filter f, std::string base = kSampleBase) {
    dsml::SearchRequest r;
    r.dn = std::move(base);
    r.scope = dsml::Scope::kWholeSubtree;
    r.filter = std::move(f);
    return r;
  }

  static std::vector<std::string> dns(const dsml::SearchResponse& r) {
    std::vector<std::string> out;
    for (const auto& e : r.entries)
      out.push_back(e.dn);
    std::sort(out.begin(), out.end());
    return out;
  }

  // Everything the directory holds, as text, to compare before and after a refused change.
  std::string snapshot() {
    std::string out;
    for (const char* base : {kSampleBase, "dc=HPD,o=Hareyaka,c=JP"}) {
      auto r = search(subtree(present("objectClass"), base));
      for (const auto& e : r.entries) {
        out += e.dn + "\n";
        for (const auto& a : e.attrs) {
          for (const auto& v : a.values)
            out += "  " + a.name + ": " + v + "\n";
        }
      }
    }
    pg::Pool pool({.conninfo = db_, .size = 1});
    pg::transact(pool, [&](pg::Tx& tx) {
      for (const auto& row : tx.exec_trusted("SELECT oid, status FROM facilities ORDER BY oid"))
        out += "facility " + row[0].as<std::string>() + " " + row[1].as<std::string>() + "\n";
    });
    return out;
  }

  void load_sample() {
    // The sample's network group exists before the hospital joins it (its use case).
    dsml::BatchRequest seed;
    dsml::AddRequest group;
    group.entry.dn = "cn=someHospitalNetworkGroup,ou=Relationship,O=HPDTEST,DC=HPD,C=US";
    group.entry.add("objectClass", {"groupOfNames", "top"});
    group.entry.add("cn", {"someHospitalNetworkGroup"});
    seed.requests.push_back(group);
    auto seeded = feed(seed);
    ASSERT_EQ(std::get<dsml::OperationResponse>(seeded.responses.at(0)).result.code,
              dsml::ResultCode::kSuccess);
    auto res = post(sample("iti-59-request-message-1.xml"), kFeed);
    ASSERT_EQ(res.responses.size(), 6u);
    for (const auto& r : res.responses) {
      const auto& op = std::get<dsml::OperationResponse>(r);
      EXPECT_EQ(op.result.code, dsml::ResultCode::kSuccess) << op.result.error_message;
    }
  }

  std::string db_;
  std::unique_ptr<testing::Daemon> portal_;
  std::map<std::string, std::unique_ptr<http::BlockingHttpClient>> clients_;
};

TEST_F(HpdOverHttps, SampleFeedLoadsAndQueriesFindExactlyItsEntries) {
  load_sample();
  const std::string p = ",ou=HCProfessional,O=HPDTEST,DC=HPD,C=US";
  const std::string smith = "uid=hpdtest:I6" + p;
  const std::string doe = "uid=hpdtest:I7" + p;
  const std::string hospital = "uid=hpdtest:O1,ou=HCRegulatedOrganization,O=HPDTEST,DC=HPD,C=US";

  // Equality (case-insensitive, as caseIgnoreMatch).
  EXPECT_EQ(dns(search(subtree(eq("uid", "HPDTEST:i6")))), std::vector<std::string>{smith});
  // Substrings: final, initial, any.
  dsml::Filter ends;
  ends.kind = dsml::Filter::Kind::kSubstrings;
  ends.attribute = "cn";
  ends.final_part = "Smith";
  EXPECT_EQ(dns(search(subtree(ends))), std::vector<std::string>{smith});
  dsml::Filter starts;
  starts.kind = dsml::Filter::Kind::kSubstrings;
  starts.attribute = "hcSpecialization";
  starts.initial = "internal";
  EXPECT_EQ(dns(search(subtree(starts))), (std::vector<std::string>{smith, doe}));
  dsml::Filter middle;
  middle.kind = dsml::Filter::Kind::kSubstrings;
  middle.attribute = "hcRegisteredName";
  middle.any = {"General"};
  EXPECT_EQ(dns(search(subtree(middle))), std::vector<std::string>{hospital});
  // and / or / not.
  using K = dsml::Filter::Kind;
  EXPECT_EQ(dns(search(subtree(combine(K::kAnd, {eq("objectClass", "HCProfessional"),
                                                 combine(K::kNot, {eq("gender", "F")})})))),
            std::vector<std::string>{smith});
  EXPECT_EQ(dns(search(subtree(combine(K::kOr, {eq("sn", "Doe"), eq("sn", "Smith")})))),
            (std::vector<std::string>{smith, doe}));
  // present.
  EXPECT_EQ(dns(search(subtree(present("hpdMedicalRecordsDeliveryEmailAddress")))),
            std::vector<std::string>{hospital});
  // An attribute type the directory does not know is Undefined: no match, even negated.
  EXPECT_TRUE(search(subtree(combine(K::kNot, {eq("shoeSize", "42")}))).entries.empty());

  // Size limit: 5 entries match, 2 come back with sizeLimitExceeded.
  auto all = search(subtree(present("objectClass")));
  EXPECT_EQ(all.entries.size(), 5u);
  EXPECT_EQ(all.done.code, dsml::ResultCode::kSuccess);
  auto limited = subtree(present("objectClass"));
  limited.size_limit = 2;
  auto two = search(limited);
  EXPECT_EQ(two.entries.size(), 2u);
  EXPECT_EQ(two.done.code, dsml::ResultCode::kSizeLimitExceeded);

  // Base DN and scope.
  auto base = subtree(present("objectClass"), doe);
  base.scope = dsml::Scope::kBaseObject;
  EXPECT_EQ(dns(search(base)), std::vector<std::string>{doe});
  auto orgs = subtree(present("objectClass"), "ou=HCRegulatedOrganization,O=HPDTEST,DC=HPD,C=US");
  orgs.scope = dsml::Scope::kSingleLevel;
  EXPECT_EQ(dns(search(orgs)), std::vector<std::string>{hospital});
  auto groups = subtree(present("objectClass"), "ou=Relationship,o=hpdtest,dc=hpd,c=us");
  groups.scope = dsml::Scope::kSingleLevel;
  EXPECT_EQ(search(groups).entries.size(), 2u);
  auto nowhere = search(subtree(present("objectClass"), "o=Elsewhere,c=US"));
  EXPECT_EQ(nowhere.done.code, dsml::ResultCode::kNoSuchObject);
  auto missing = subtree(present("objectClass"), "uid=nobody" + p);
  missing.scope = dsml::Scope::kBaseObject;
  EXPECT_EQ(search(missing).done.code, dsml::ResultCode::kNoSuchObject);

  // Requested attributes.
  auto named = subtree(eq("uid", "hpdtest:I7"));
  named.attributes = {"cn", "hcProfession"};
  auto one = search(named);
  ASSERT_EQ(one.entries.size(), 1u);
  ASSERT_EQ(one.entries[0].attrs.size(), 2u);
  EXPECT_EQ(one.entries[0].first("cn"), "Jackie Doe");
  EXPECT_EQ(one.entries[0].first("hcProfession"), "Cardiologist");

  // The relationship the sample built.
  auto group = search(subtree(eq("cn", "NowhereGeneralHospitalGroup")));
  ASSERT_EQ(group.entries.size(), 1u);
  ASSERT_NE(group.entries[0].find("member"), nullptr);
  EXPECT_EQ(group.entries[0].find("member")->values.size(), 2u);
}

TEST_F(HpdOverHttps, CompareAbandonAndWhoAmIAreAnsweredInAQuery) {
  load_sample();
  const std::string smith = "uid=hpdtest:I6,ou=HCProfessional,O=HPDTEST,DC=HPD,C=US";
  const std::string payload =
      "<batchRequest xmlns=\"urn:oasis:names:tc:DSML:2:0:core\" onError=\"resume\">"
      "<compareRequest dn=\"" +
      smith +
      "\" requestID=\"c1\"><assertion name=\"cn\"><value>michael smith</value></assertion>"
      "</compareRequest>"
      "<compareRequest dn=\"" +
      smith +
      "\" requestID=\"c2\"><assertion name=\"cn\"><value>John Doe</value></assertion>"
      "</compareRequest>"
      "<compareRequest dn=\"uid=nobody,ou=HCProfessional,O=HPDTEST,DC=HPD,C=US\" "
      "requestID=\"c3\"><assertion name=\"cn\"><value>x</value></assertion></compareRequest>"
      "<compareRequest dn=\"" +
      smith +
      "\" requestID=\"c4\"><assertion name=\"shoeSize\"><value>42</value></assertion>"
      "</compareRequest>"
      "<abandonRequest abandonID=\"c5\"/>"
      "<compareRequest dn=\"" +
      smith +
      "\" requestID=\"c5\"><assertion name=\"cn\"><value>x</value></assertion>"
      "</compareRequest>"
      "<extendedRequest requestID=\"w\"><requestName>1.3.6.1.4.1.4203.1.11.3</requestName>"
      "</extendedRequest>"
      "<extendedRequest requestID=\"x\"><requestName>1.3.6.1.4.1.1466.20037</requestName>"
      "</extendedRequest></batchRequest>";
  // From a node that may not feed: every one of these is a read.
  auto res = post(payload, kQuery, "gateway-a");
  ASSERT_EQ(res.responses.size(), 6u);  // c5 abandoned, the abandonRequest unanswered
  const std::vector<dsml::ResultCode> codes = {
      dsml::ResultCode::kCompareTrue, dsml::ResultCode::kCompareFalse,
      dsml::ResultCode::kNoSuchObject, dsml::ResultCode::kUndefinedAttributeType};
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const auto& c = std::get<dsml::OperationResponse>(res.responses[i]);
    EXPECT_EQ(c.operation, dsml::Operation::kCompare);
    EXPECT_EQ(c.result.request_id, "c" + std::to_string(i + 1));
    EXPECT_EQ(c.result.code, codes[i]) << c.result.error_message;
  }
  const auto& who = std::get<dsml::ExtendedResponse>(res.responses[4]);
  EXPECT_EQ(who.result.code, dsml::ResultCode::kSuccess);
  ASSERT_TRUE(who.value);
  EXPECT_EQ(who.value->rfind("dn:", 0), 0u) << *who.value;
  EXPECT_NE(who.value->find("gateway-a"), std::string::npos) << *who.value;
  const auto& unknown = std::get<dsml::ExtendedResponse>(res.responses[5]);
  EXPECT_EQ(unknown.result.code, dsml::ResultCode::kProtocolError);
  EXPECT_NE(unknown.result.error_message.find("1.3.6.1.4.1.1466.20037"), std::string::npos);
}

TEST_F(HpdOverHttps, BadDsmlGetsThePreciseResultCodeAndChangesNothing) {
  load_sample();
  const std::string before = snapshot();
  auto professional = [](const std::string& uid) {
    dsml::AddRequest a;
    a.entry.dn = "uid=" + uid + ",ou=HCProfessional,O=HPDTEST,DC=HPD,C=US";
    a.entry.add("objectClass", {"top", "person", "inetOrgPerson", "HCProfessional"});
    a.entry.add("uid", {uid});
    a.entry.add("cn", {"Taro Yamada"});
    a.entry.add("sn", {"Yamada"});
    a.entry.add("hcIdentifier", {"1.2.392.200284.33.1001:staff:42:Active"});
    return a;
  };
  struct Case {
    const char* name;
    dsml::AddRequest add;
    dsml::ResultCode code;
    const char* message;
  };
  std::vector<Case> cases;
  {
    auto a = professional("t1");
    a.entry.find("objectClass")->values.push_back("hcSpaceship");
    cases.push_back({"unknown object class", a, dsml::ResultCode::kObjectClassViolation,
                     "unknown object class hcSpaceship"});
  }
  {
    auto a = professional("t2");
    std::erase_if(a.entry.attrs, [](const auto& x) { return x.name == "sn"; });
    cases.push_back({"missing required attribute", a, dsml::ResultCode::kObjectClassViolation,
                     "requires attribute sn"});
  }
  {
    auto a = professional("t3");
    a.entry.add("favouriteColour", {"blue"});
    cases.push_back({"unknown attribute", a, dsml::ResultCode::kUndefinedAttributeType,
                     "undefined attribute type favouriteColour"});
  }
  {
    auto a = professional("t4");
    a.entry.add("userPassword", {"secret"});
    cases.push_back({"password", a, dsml::ResultCode::kUnwillingToPerform, "passwords"});
  }
  {
    dsml::AddRequest a;
    a.entry.dn = "uid=o9,ou=HCRegulatedOrganization,dc=HPD,o=Hareyaka,c=JP";
    a.entry.add("objectClass", {"top", "organization", "HCRegulatedOrganization"});
    a.entry.add("o", {"Bad OID Clinic"});
    a.entry.add("hcIdentifier", {"1.2.392.200284:FacilityOID:1.2.392.200284.99.1001:Active"});
    cases.push_back(
        {"bad facility OID", a, dsml::ResultCode::kInvalidAttributeSyntax, "invalid facility OID"});
  }
  {
    auto a = professional("I6");
    a.entry.dn = "uid=HPDTEST:i6,ou=HCProfessional,O=HPDTEST,DC=HPD,C=US";
    cases.push_back({"entry exists", a, dsml::ResultCode::kEntryAlreadyExists, "already exists"});
  }
  {
    auto a = professional("t5");
    a.entry.dn = "uid=t5,ou=Nowhere,O=HPDTEST,DC=HPD,C=US";
    cases.push_back({"no parent", a, dsml::ResultCode::kNoSuchObject, "no parent"});
  }
  for (const auto& c : cases) {
    dsml::BatchRequest b;
    b.requests.push_back(c.add);
    auto res = feed(b);
    ASSERT_EQ(res.responses.size(), 1u) << c.name;
    const auto& r = std::get<dsml::OperationResponse>(res.responses[0]).result;
    EXPECT_EQ(r.code, c.code) << c.name << ": " << r.error_message;
    EXPECT_NE(r.error_message.find(c.message), std::string::npos)
        << c.name << ": " << r.error_message;
  }
  // A bad DN and a malformed filter, written by hand (our writer cannot produce them).
  const std::string ns = "xmlns:dsml=\"urn:oasis:names:tc:DSML:2:0:core\"";
  auto raw = [&](const std::string& body, const char* action) {
    return post("<dsml:batchRequest " + ns + ">" + body + "</dsml:batchRequest>", action);
  };
  auto bad_dn = raw("<dsml:delRequest dn=\"uid=hpdtest:I6,,ou=HCProfessional\"/>", kFeed);
  EXPECT_EQ(std::get<dsml::OperationResponse>(bad_dn.responses.at(0)).result.code,
            dsml::ResultCode::kInvalidDnSyntax);
  auto bad_filter =
      raw("<dsml:searchRequest dn=\"O=HPDTEST,DC=HPD,C=US\" scope=\"wholeSubtree\" "
          "derefAliases=\"neverDerefAliases\"><dsml:filter><dsml:not><dsml:present name=\"cn\"/>"
          "<dsml:present name=\"sn\"/></dsml:not></dsml:filter></dsml:searchRequest>",
          kQuery);
  const auto& done = std::get<dsml::SearchResponse>(bad_filter.responses.at(0)).done;
  EXPECT_EQ(done.code, dsml::ResultCode::kProtocolError);
  EXPECT_NE(done.error_message.find("malformed filter"), std::string::npos) << done.error_message;
  // A modify that would remove a required attribute, and one of a missing entry.
  dsml::BatchRequest mods;
  mods.on_error = dsml::OnError::kResume;
  mods.requests.push_back(
      dsml::ModifyRequest{"",
                          "uid=hpdtest:I6,ou=HCProfessional,O=HPDTEST,DC=HPD,C=US",
                          {{dsml::ModOp::kReplace, "displayName", {"Dr. Mike Smith"}},
                           {dsml::ModOp::kDelete, "sn", {}}}});
  mods.requests.push_back(
      dsml::DelRequest{"", "uid=nobody,ou=HCProfessional,O=HPDTEST,DC=HPD,C=US"});
  auto mres = feed(mods);
  ASSERT_EQ(mres.responses.size(), 2u);
  EXPECT_EQ(std::get<dsml::OperationResponse>(mres.responses[0]).result.code,
            dsml::ResultCode::kObjectClassViolation);
  EXPECT_EQ(std::get<dsml::OperationResponse>(mres.responses[1]).result.code,
            dsml::ResultCode::kNoSuchObject);
  // A node that is not a configured feeder may query but not feed.
  dsml::BatchRequest unauthorised;
  unauthorised.requests.push_back(professional("t6"));
  auto refused = feed(unauthorised, "gateway-a");
  EXPECT_EQ(std::get<dsml::OperationResponse>(refused.responses.at(0)).result.code,
            dsml::ResultCode::kInsufficientAccessRights);

  EXPECT_EQ(snapshot(), before);
}

TEST_F(HpdOverHttps, FeedBindsFacilitiesAndUsersAndChangesAreAudited) {
  const std::string base = "dc=HPD,o=Hareyaka,c=JP";
  dsml::BatchRequest b;
  dsml::AddRequest org;
  org.entry.dn = "uid=1.2.392.200284.33.1001,ou=HCRegulatedOrganization," + base;
  org.entry.add("objectClass", {"top", "organization", "HCRegulatedOrganization", "hpdProvider"});
  org.entry.add("o", {"晴れやか病院"});
  org.entry.add("hcIdentifier", {"1.2.392.200284:FacilityOID:1.2.392.200284.33.1001:Active"});
  org.entry.add("businessCategory", {"Hospital"});
  b.requests.push_back(org);
  dsml::AddRequest doctor;
  doctor.entry.dn = "uid=dr.sato,ou=HCProfessional," + base;
  doctor.entry.add("objectClass", {"top", "person", "inetOrgPerson", "HCProfessional"});
  doctor.entry.add("cn", {"佐藤 花子"});
  doctor.entry.add("sn", {"佐藤"});
  doctor.entry.add("hcIdentifier", {"1.2.392.200284.33.1001:login:dr.sato:Active"});
  doctor.entry.add("hcProfession", {"医師"});
  doctor.entry.add("hpdCredential", {"HPKI:issuer=CN=HPKI CA,O=MHLW,C=JP$serial=1A2B$subject="});
  b.requests.push_back(doctor);
  dsml::ModDnRequest rename;
  rename.dn = org.entry.dn;
  rename.new_rdn = "uid=hareyaka-hospital";
  b.requests.push_back(rename);
  auto res = feed(b);
  ASSERT_EQ(res.responses.size(), 3u);
  for (const auto& r : res.responses) {
    EXPECT_EQ(std::get<dsml::OperationResponse>(r).result.code, dsml::ResultCode::kSuccess)
        << std::get<dsml::OperationResponse>(r).result.error_message;
  }
  pg::Pool pool({.conninfo = db_, .size = 1});
  hpd::PgDirectoryStore directory(pool);
  auto f = directory.find_facility("1.2.392.200284.33.1001");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name_kanji, "晴れやか病院");
  EXPECT_EQ(f->kind, hpd::FacilityKind::kHospital);
  EXPECT_TRUE(f->views);
  auto u = directory.find_user_by_login("dr.sato");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->facility_oid, "1.2.392.200284.33.1001");
  EXPECT_EQ(u->profession, hpd::Profession::kDoctor);
  EXPECT_EQ(u->display_name, "佐藤 花子");
  EXPECT_TRUE(u->password_hash.empty());  // HPD carries no secrets
  EXPECT_EQ(u->hpki.issuer, "CN=HPKI CA,O=MHLW,C=JP");
  EXPECT_EQ(u->hpki.serial, "1A2B");

  // A login for a facility that is not registered is refused; a secretariat administrator
  // cannot be created through HPD.
  dsml::BatchRequest bad;
  bad.on_error = dsml::OnError::kResume;
  auto stranger = doctor;
  stranger.entry.dn = "uid=dr.kato,ou=HCProfessional," + base;
  stranger.entry.find("hcIdentifier")->values = {"1.2.392.200284.33.9999:login:dr.kato:Active"};
  stranger.entry.find("uid") ? void() : stranger.entry.add("uid", {"dr.kato"});
  stranger.entry.attrs.erase(
      std::remove_if(stranger.entry.attrs.begin(), stranger.entry.attrs.end(),
                     [](const auto& a) { return a.name == "hpdCredential"; }),
      stranger.entry.attrs.end());
  bad.requests.push_back(stranger);
  auto admin = stranger;
  admin.entry.dn = "uid=boss,ou=HCProfessional," + base;
  admin.entry.find("hcIdentifier")->values = {"1.2.392.200284.33.1001:login:boss:Active"};
  admin.entry.find("hcProfession")->values = {"secretariat_admin"};
  bad.requests.push_back(admin);
  auto refused = feed(bad);
  ASSERT_EQ(refused.responses.size(), 2u);
  EXPECT_EQ(std::get<dsml::OperationResponse>(refused.responses[0]).result.code,
            dsml::ResultCode::kConstraintViolation);
  EXPECT_EQ(std::get<dsml::OperationResponse>(refused.responses[1]).result.code,
            dsml::ResultCode::kUnwillingToPerform);
  EXPECT_FALSE(directory.find_user_by_login("dr.kato"));
  EXPECT_FALSE(directory.find_user_by_login("boss"));

  // Deleting the entries retires the user and the facility (audit and consents refer to them).
  dsml::BatchRequest del;
  del.requests.push_back(dsml::DelRequest{"", doctor.entry.dn});
  del.requests.push_back(
      dsml::DelRequest{"", "uid=hareyaka-hospital,ou=HCRegulatedOrganization," + base});
  feed(del);
  EXPECT_EQ(directory.find_user_by_login("dr.sato")->status, hpd::UserStatus::kRetired);
  EXPECT_EQ(directory.find_facility("1.2.392.200284.33.1001")->status,
            hpd::FacilityStatus::kRetired);

  pg::transact(pool, [&](pg::Tx& tx) {
    auto r = tx.exec_trusted("SELECT reason FROM audit_log WHERE reason LIKE 'hpd_%' ORDER BY seq");
    std::vector<std::string> reasons;
    for (const auto& row : r)
      reasons.push_back(row[0].as<std::string>());
    EXPECT_EQ(reasons,
              (std::vector<std::string>{"hpd_addResponse", "hpd_addResponse", "hpd_modDNResponse",
                                        "hpd_delResponse", "hpd_delResponse"}));
  });
}

TEST_F(HpdOverHttps, MalformedEnvelopesAndActionsAreSoapFaults) {
  auto post_raw = [&](const std::string& body, const std::string& content_type) {
    return clients_.at("client")->request({.method = "POST",
                                           .url = portal_->url("nodes", "/hpd"),
                                           .headers = {{"Content-Type", content_type}},
                                           .body = body});
  };
  const std::string ct = "application/soap+xml; charset=UTF-8";
  auto broken = post_raw("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">", ct);
  EXPECT_EQ(broken.status, 400);
  EXPECT_NE(broken.body.find("Fault"), std::string::npos);
  auto wrong_action = post_raw(envelope("<x/>", "urn:ihe:iti:2007:CrossGatewayQuery"), ct);
  EXPECT_EQ(wrong_action.status, 400);
  EXPECT_NE(wrong_action.body.find("ActionNotSupported"), std::string::npos);
  auto not_dsml = post_raw(envelope("<x xmlns=\"urn:example\"/>", kQuery), ct);
  EXPECT_EQ(not_dsml.status, 400);
  EXPECT_NE(not_dsml.body.find("batchRequest"), std::string::npos);
}

}  // namespace
}  // namespace hareyaka
