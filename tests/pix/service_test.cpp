// The PIX/PDQ manager end to end at the SOAP boundary, on a real PostgreSQL: every request
// sample answered correctly, every response schema-valid, errors as IHE wants them.
#include "pix/service.hpp"

#include <gtest/gtest.h>

#include "pix/pg_identity_store.hpp"
#include "proto/hl7v3/soap.hpp"
#include "tests/pix/schema_support.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::pix {
namespace {

using namespace hl7v3;

constexpr const char* kHimss1 = "1.3.6.1.4.1.21367.2005.1.1";
constexpr const char* kHimss2 = "1.3.6.1.4.1.21367.2005.1.2";

std::string strip_declaration(std::string xml) {
  if (xml.rfind("<?xml", 0) == 0)
    xml.erase(0, xml.find("?>") + 2);
  return xml;
}

std::string soap(const std::string& payload, const std::string& action, bool in_header = true) {
  std::string s =
      "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><soap:Header>";
  if (in_header)
    s += "<wsa:Action soap:mustUnderstand=\"true\">" + action + "</wsa:Action>";
  s += "<wsa:MessageID>urn:uuid:7b1c1e0a-0000-4000-8000-000000000001</wsa:MessageID>"
       "<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address>"
       "</wsa:ReplyTo></soap:Header><soap:Body>" +
       strip_declaration(payload) + "</soap:Body></soap:Envelope>";
  return s;
}

std::string sample(const std::string& rel) {
  return testing::read_file(testing::ihe_dir() + "/samples/" + rel);
}

const PersonFilter kEveryone = [](std::int64_t) { return true; };
// A node that sees the whole registry (the configured exception), and one that sees nothing.
const IdentityFilter kWholeRegistry = [](const std::vector<PersonIdentities>& persons) {
  std::vector<std::vector<bool>> out;
  for (const auto& p : persons)
    out.emplace_back(p.size(), true);
  return out;
};
const IdentityFilter kNothing = [](const std::vector<PersonIdentities>& persons) {
  std::vector<std::vector<bool>> out;
  for (const auto& p : persons)
    out.emplace_back(p.size(), false);
  return out;
};
// Only the identities of one assigning authority (a gateway's own domain).
IdentityFilter only_domain(std::string authority) {
  return [authority](const std::vector<PersonIdentities>& persons) {
    std::vector<std::vector<bool>> out;
    for (const auto& p : persons) {
      out.emplace_back();
      for (const auto& k : p)
        out.back().push_back(k.authority == authority);
    }
    return out;
  };
}

struct Reply {
  SoapResult raw;
  xml::Document doc;
  xml::Node payload;
};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = testing::fresh_pool({&migrations()}, 4);
    StoreSettings ss;
    ss.notification_consumers = {"registry"};
    store_ = std::make_unique<PgIdentityStore>(*pool_, ss);
    ServiceSettings s;
    s.device = {"1.2.392.200284.1.1", "1.2.392.200284"};
    s.clock = [] {
      return std::chrono::system_clock::time_point(std::chrono::seconds(1795000000));
    };
    service_ = std::make_unique<Service>(*store_, s);
  }

  Reply call(const std::string& body, const std::string& action, bool pdq = false,
             bool action_in_header = true, IdentityFilter allow = kWholeRegistry) {
    const std::string ct =
        action_in_header ? "application/soap+xml; charset=UTF-8" : soap_content_type(action);
    Reply r;
    const std::string envelope = soap(body, action, action_in_header);
    r.raw = pdq ? service_->handle_pdq_soap(envelope, ct, allow)
                : service_->handle_pix_soap(envelope, ct, sender_);
    r.doc = xml::parse(r.raw.body);
    xml::Node body_el = r.doc.root().child(kSoap12Ns, "Body");
    r.payload = body_el.elements().at(0);
    if (!r.payload.is(kSoap12Ns, "Fault")) {
      auto errors = testing::validate_hl7(r.payload);
      EXPECT_TRUE(errors.empty()) << errors.front() << "\n" << r.raw.body;
      EXPECT_EQ(r.doc.root().child(kSoap12Ns, "Header").child(kWsaNs, "RelatesTo").text(),
                "urn:uuid:7b1c1e0a-0000-4000-8000-000000000001");
    }
    return r;
  }

  AckCode feed(const std::string& xml, const std::string& interaction) {
    Reply r = call(xml, "urn:hl7-org:v3:" + interaction);
    EXPECT_EQ(r.raw.http_status, 200);
    EXPECT_NE(r.raw.content_type.find("MCCI_IN000002UV01"), std::string::npos);
    return parse_ack_message(r.payload).ack.code;
  }

  // Feeds one patient through ITI-44 as a source would.
  void feed_patient(std::vector<Ii> ids, std::vector<PersonName> names, Sex sex, std::string birth,
                    std::string phone = {}, std::string postal = {}) {
    PatientFeed f;
    f.header.id = {service_->new_uuid(), "", ""};
    f.header.creation_time = "20261124000000";
    f.header.sender = {"1.2.392.200284.33.9.1", ids.front().root};
    f.header.receiver = {"1.2.392.200284.1.1", ""};
    f.patient.ids = std::move(ids);
    f.patient.names = std::move(names);
    f.patient.sex = sex;
    f.patient.birth_date = std::move(birth);
    if (!phone.empty())
      f.patient.telecoms.push_back("tel:" + phone);
    if (!postal.empty())
      f.patient.addresses.push_back({"", "", "", postal, "JP"});
    xml::Writer w;
    write_feed(w, f);
    EXPECT_EQ(feed(w.finish(), "PRPA_IN201301UV02"), AckCode::kAA);
  }

  ParsedPixResponse pix_query(const std::string& xml, bool action_in_header = true) {
    Reply r = call(xml, "urn:hl7-org:v3:PRPA_IN201309UV02", false, action_in_header);
    EXPECT_EQ(r.raw.http_status, 200);
    return parse_pix_response(r.payload);
  }

  // A PRPA_IN201309UV02 asking for `id`, optionally limited to `data_sources`.
  static std::string pix_query_for(const Ii& id, std::vector<std::string> data_sources = {}) {
    PixQuery q;
    q.header.id = {"q-" + id.extension, "", ""};
    q.query_id = {"1.2.3", "1", ""};
    q.patient_id = id;
    q.data_sources = std::move(data_sources);
    xml::Writer w;
    write_pix_query(w, q);
    return w.finish();
  }

  ParsedPdqResponse pdq(const std::string& xml, IdentityFilter allow = kWholeRegistry) {
    Reply r = call(xml, "urn:hl7-org:v3:PRPA_IN201305UV02", true, true, std::move(allow));
    EXPECT_EQ(r.raw.http_status, 200);
    return parse_pdq_response(r.payload);
  }

  void seed_samples() {
    feed_patient({{kHimss1, "PIX10501", ""}, {kHimss2, "H-1", ""}},
                 {{NameUse::kUnspecified, "Heidi", "MARY", ""}}, Sex::kFemale, "19400101");
    feed_patient({{kHimss1, "ABC10501", ""}}, {{NameUse::kUnspecified, "Nowak", "ANNA", ""}},
                 Sex::kFemale, "19700101");
    feed_patient({{kHimss2, "W-1", ""}},
                 {{NameUse::kUnspecified, "Wurm Heidi", "MARY Annemarie", ""}}, Sex::kFemale,
                 "19400101");
    feed_patient({{"1.2.3.4.5", "PDQ113XX04", ""}}, {{NameUse::kUnspecified, "MOORE", "CHIP", ""}},
                 Sex::kMale, "19500505");
    feed_patient({{"1.2.3.4", "OTHER-1", ""}, {"1.2.3", "ACC999", ""}},
                 {{NameUse::kUnspecified, "Other", "Person", ""}}, Sex::kMale, "19600606");
    feed_patient({{"1.2.3.4.9", "PID4-1", ""}}, {{NameUse::kUnspecified, "McAddam", "Joe", ""}},
                 Sex::kMale, "19800131");
  }

  const FeedSender* sender_ = nullptr;  // the calling node, when a test plays the portal
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgIdentityStore> store_;
  std::unique_ptr<Service> service_;
};

TEST_F(ServiceTest, FeedSamplesAreAcknowledged) {
  EXPECT_EQ(feed(sample("pixv3/PIX_FEED_REG_Maximal_Request.xml"), "PRPA_IN201301UV02"),
            AckCode::kAA);
  EXPECT_EQ(feed(sample("pixv3/PIX_FEED_REV_Maximal_Request.xml"), "PRPA_IN201302UV02"),
            AckCode::kAA);
  EXPECT_EQ(feed(sample("pixv3/PIX_FEED_MERGE_Maximal_Request.xml"), "PRPA_IN201304UV02"),
            AckCode::kAA);
  // The REG sample's two rooted ids are one patient; the root-less third is not an id.
  auto a = store_->find({kHimss1, "PIX10515W3"});
  auto b = store_->find({"1.2.3.4.5.1000", "PIX10515W4"});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->person_id, b->person_id);
  EXPECT_EQ(a->demographics.family_kanji, "WASHINGTON-UPDATE");  // revised by the REV sample
  EXPECT_TRUE(store_->find({"1.2.3.4.5.1000", "120-01"}));
  // Ack points at the request.
  Reply r =
      call(sample("pixv3/PIX_FEED_REG_Maximal_Request.xml"), "urn:hl7-org:v3:PRPA_IN201301UV02");
  EXPECT_EQ(parse_ack_message(r.payload).ack.target_message.root,
            "21acf7be-007c-41e6-b176-d0969794983b");
}

TEST_F(ServiceTest, InvalidFeedsGetAnErrorAckWithTheLocation) {
  Reply r = call(sample("validation/iti44-multipatient-request-1.xml"),
                 "urn:hl7-org:v3:PRPA_IN201301UV02");
  AckMessage ack = parse_ack_message(r.payload);
  EXPECT_EQ(ack.ack.code, AckCode::kAE);
  ASSERT_EQ(ack.ack.details.size(), 1u);
  EXPECT_EQ(ack.ack.details[0].location, "/PRPA_IN201301UV02/controlActProcess/subject[2]");
  Reply bad = call(sample("validation/prpa-invalid.xml"), "urn:hl7-org:v3:PRPA_IN201301UV02");
  EXPECT_EQ(parse_ack_message(bad.payload).ack.code, AckCode::kAE);
}

TEST_F(ServiceTest, NistPixQueriesIncludingUnknownIdAndUnknownAuthority) {
  seed_samples();
  // 10501-04: PIX10501 has an id in the asked domain.
  ParsedPixResponse ok = pix_query(sample("pixv3/NistPixpdq_Mesa10501-04_Example_01.xml"));
  EXPECT_EQ(ok.ack.code, AckCode::kAA);
  EXPECT_EQ(ok.query_response_code, "OK");
  EXPECT_EQ(ok.ids, (std::vector<Ii>{{kHimss2, "H-1", ""}}));
  // 10501-05 (action from the Content-Type): known, but nothing in the asked domain.
  ParsedPixResponse nf = pix_query(sample("pixv3/NistPixpdq_Mesa10501-05_Example_01.xml"), false);
  EXPECT_EQ(nf.ack.code, AckCode::kAA);
  EXPECT_EQ(nf.query_response_code, "NF");
  EXPECT_TRUE(nf.ids.empty());
  // 10502-03: unknown id in a known domain.
  ParsedPixResponse unknown_id =
      pix_query(sample("pixv3/NistPixpdq_Mesa10502-03~UnknownId_Example_01.xml"));
  EXPECT_EQ(unknown_id.ack.code, AckCode::kAE);
  EXPECT_EQ(unknown_id.query_response_code, "AE");
  ASSERT_EQ(unknown_id.ack.details.size(), 1u);
  EXPECT_EQ(unknown_id.ack.details[0].code, "204");
  EXPECT_EQ(unknown_id.ack.details[0].location,
            "/PRPA_IN201309UV02/controlActProcess/queryByParameter/parameterList/"
            "patientIdentifier/value");
  // 10503-01: unknown assigning authority.
  ParsedPixResponse unknown_aa =
      pix_query(sample("pixv3/NistPixpdq_Mesa10503-01~UnknownAssigningAuth_Example_01.xml"));
  EXPECT_EQ(unknown_aa.ack.code, AckCode::kAE);
  EXPECT_EQ(unknown_aa.ack.details.at(0).code, "204");
  EXPECT_EQ(unknown_aa.ack.details.at(0).location, unknown_id.ack.details[0].location);
  // An unknown dataSource domain points at that dataSource.
  std::string q = sample("pixv3/NistPixpdq_Mesa10501-04_Example_01.xml");
  q.replace(q.find(kHimss2), std::string(kHimss2).size(), "1.2.3.999");
  ParsedPixResponse bad_source = pix_query(q);
  EXPECT_EQ(bad_source.ack.code, AckCode::kAE);
  EXPECT_EQ(bad_source.ack.details.at(0).location,
            "/PRPA_IN201309UV02/controlActProcess/queryByParameter/parameterList/dataSource/value");
}

TEST_F(ServiceTest, PixQueryNeverEchoesTheQueriedIdentifier) {
  const char* hospital = "1.2.392.200284.33.1";
  const char* clinic = "1.2.392.200284.33.2";
  feed_patient({{hospital, "ALONE-1", ""}}, {{NameUse::kSyllabic, "ヒトリ", "タロウ", ""}},
               Sex::kMale, "19700101");
  feed_patient({{clinic, "OTHER-1", ""}}, {{NameUse::kSyllabic, "ベツ", "ハナコ", ""}},
               Sex::kFemale, "19800101");
  // Known only in the queried domain: there is no cross-reference to give.
  ParsedPixResponse all = pix_query(pix_query_for({hospital, "ALONE-1", ""}));
  EXPECT_EQ(all.ack.code, AckCode::kAA);
  EXPECT_EQ(all.query_response_code, "NF");
  EXPECT_TRUE(all.ids.empty());
  // The same when the queried domain is the one asked for.
  ParsedPixResponse own = pix_query(pix_query_for({hospital, "ALONE-1", ""}, {hospital}));
  EXPECT_EQ(own.ack.code, AckCode::kAA);
  EXPECT_EQ(own.query_response_code, "NF");
  EXPECT_TRUE(own.ids.empty());
  // A second id in the same domain for the same patient is a cross-reference.
  feed_patient({{hospital, "ALONE-1", ""}, {hospital, "ALONE-1-OLD", ""}},
               {{NameUse::kSyllabic, "ヒトリ", "タロウ", ""}}, Sex::kMale, "19700101");
  ParsedPixResponse dup = pix_query(pix_query_for({hospital, "ALONE-1", ""}));
  EXPECT_EQ(dup.query_response_code, "OK");
  EXPECT_EQ(dup.ids, (std::vector<Ii>{{hospital, "ALONE-1-OLD", ""}}));
}

// A feed as the portal sees it from facility 33.1's gateway (domain 33.1.1).
class ScreenedFeedTest : public ServiceTest {
 protected:
  static constexpr const char* kOwn = "1.2.392.200284.33.1.1";
  static constexpr const char* kOtherFacility = "1.2.392.200284.33.2.1";
  static constexpr const char* kNational = "1.2.392.100495.20.3.51.1";  // not a facility

  void SetUp() override {
    ServiceTest::SetUp();
    gateway_.own_domain = kOwn;
    gateway_.is_facility_domain = [](std::string_view a) {
      return a.rfind("1.2.392.200284.33.", 0) == 0;
    };
    sender_ = &gateway_;
  }

  AckMessage send(std::vector<Ii> ids, std::vector<Ii> other_ids = {},
                  FeedKind kind = FeedKind::kAdd, std::vector<Ii> prior = {}) {
    PatientFeed f;
    f.kind = kind;
    f.header.id = {service_->new_uuid(), "", ""};
    f.header.creation_time = "20261124000000";
    f.header.sender = {"1.2.392.200284.33.9.1", kOwn};
    f.header.receiver = {"1.2.392.200284.1.1", ""};
    f.patient.ids = std::move(ids);
    f.patient.other_ids = std::move(other_ids);
    f.patient.names = {{NameUse::kSyllabic, "ハレヤマ", "ハナコ", ""}};
    f.patient.sex = Sex::kFemale;
    f.patient.birth_date = "19500101";
    f.prior_ids = std::move(prior);
    xml::Writer w;
    write_feed(w, f);
    Reply r = call(w.finish(), "urn:hl7-org:v3:" + std::string(interaction_of(kind)));
    EXPECT_EQ(r.raw.http_status, 200) << r.raw.body;
    return parse_ack_message(r.payload);
  }

  FeedSender gateway_;
};

TEST_F(ScreenedFeedTest, AnotherFacilitysIdIsAnArWithAPolicyCode) {
  for (auto [ids, others] :
       {std::pair{std::vector<Ii>{{kOtherFacility, "B-9", ""}}, std::vector<Ii>{}},
        std::pair{std::vector<Ii>{{kOwn, "A-1", ""}, {kOtherFacility, "B-9", ""}},
                  std::vector<Ii>{}},
        std::pair{std::vector<Ii>{{kOwn, "A-1", ""}},
                  std::vector<Ii>{{kOtherFacility, "B-9", ""}}}}) {
    AckMessage ack = send(ids, others);
    EXPECT_EQ(ack.ack.code, AckCode::kAR);
    ASSERT_EQ(ack.ack.details.size(), 1u);
    EXPECT_EQ(ack.ack.details[0].type_code, "E");
    EXPECT_EQ(ack.ack.details[0].code, kForeignFacilityDomain);
    EXPECT_EQ(ack.ack.details[0].code_system, kFeedPolicyCodes);
  }
  // The asOtherIDs case points at that id.
  EXPECT_EQ(send({{kOwn, "A-1", ""}}, {{kOtherFacility, "B-9", ""}}).ack.details.at(0).location,
            "/PRPA_IN201301UV02/controlActProcess/subject/registrationEvent/subject1/patient/"
            "patientPerson/asOtherIDs[1]/id");
  // Nothing was stored, not even the facility's own id sent beside the foreign one.
  EXPECT_FALSE(store_->find({kOtherFacility, "B-9"}));
  EXPECT_FALSE(store_->find({kOwn, "A-1"}));
  // Merging away another facility's id is refused too.
  EXPECT_EQ(send({{kOwn, "A-1", ""}}).ack.code, AckCode::kAA);
  AckMessage merge = send({{kOwn, "A-1", ""}}, {}, FeedKind::kMerge, {{kOtherFacility, "B-9", ""}});
  EXPECT_EQ(merge.ack.code, AckCode::kAR);
  EXPECT_EQ(merge.ack.details.at(0).location,
            "/PRPA_IN201304UV02/controlActProcess/subject/registrationEvent/replacementOf/"
            "priorRegistration/subject1/priorRegisteredRole/id[1]");
  // A node whose certificate is no facility's may not feed at all.
  FeedSender stranger = gateway_;
  stranger.own_domain.clear();
  sender_ = &stranger;
  AckMessage unknown = send({{kOwn, "A-2", ""}});
  EXPECT_EQ(unknown.ack.code, AckCode::kAR);
  EXPECT_EQ(unknown.ack.details.at(0).code, kSourceNotRegistered);
  EXPECT_FALSE(store_->find({kOwn, "A-2"}));
}

TEST_F(ScreenedFeedTest, ANationalIdBesideTheOwnIdIsKeptWhenRegisteredAndIgnoredOtherwise) {
  // Unregistered national domain, as a second id and in asOtherIDs: AA with warnings.
  AckMessage warned = send({{kOwn, "A-1", ""}, {kNational, "N-1", ""}}, {{kNational, "N-2", ""}});
  EXPECT_EQ(warned.ack.code, AckCode::kAA);
  ASSERT_EQ(warned.ack.details.size(), 2u);
  for (const AckDetail& d : warned.ack.details) {
    EXPECT_EQ(d.type_code, "W");
    EXPECT_EQ(d.code, kUnregisteredDomainIgnored);
  }
  EXPECT_TRUE(store_->find({kOwn, "A-1"}));
  EXPECT_FALSE(store_->find({kNational, "N-1"}));
  EXPECT_FALSE(store_->find({kNational, "N-2"}));
  EXPECT_FALSE(store_->domain_known(kNational));  // ignoring it did not register it
  // Once the domain is registered, the same ids become identities of the same person.
  store_->register_domain(kNational, "national id");
  AckMessage kept = send({{kOwn, "A-1", ""}, {kNational, "N-1", ""}}, {{kNational, "N-2", ""}});
  EXPECT_EQ(kept.ack.code, AckCode::kAA);
  EXPECT_TRUE(kept.ack.details.empty());
  const auto own = store_->find({kOwn, "A-1"});
  const auto n1 = store_->find({kNational, "N-1"});
  const auto n2 = store_->find({kNational, "N-2"});
  ASSERT_TRUE(own && n1 && n2);
  EXPECT_EQ(n1->person_id, own->person_id);
  EXPECT_EQ(n2->person_id, own->person_id);
  // The national id alone, without the facility's own, is not a feed this node may send.
  AckMessage alone = send({{kNational, "N-3", ""}});
  EXPECT_EQ(alone.ack.code, AckCode::kAR);
  EXPECT_EQ(alone.ack.details.at(0).code, kOwnIdMissing);
}

TEST_F(ServiceTest, PdqSamplesAreAnswered) {
  seed_samples();
  ParsedPdqResponse plain = pdq(sample("pdqv3/PDQ.xml"));
  EXPECT_EQ(plain.query_response_code, "OK");
  ASSERT_EQ(plain.patients.size(), 1u);
  EXPECT_EQ(plain.patients[0].ids, (std::vector<Ii>{{kHimss2, "H-1", ""}}));  // scoped
  ParsedPdqResponse max = pdq(sample("pdqv3/PDQ_Maximal_Query.xml"));
  ASSERT_EQ(max.patients.size(), 1u);
  EXPECT_EQ(max.patients[0].ids.at(0).extension, "W-1");
  ParsedPdqResponse by_id = pdq(sample("pdqv3/PDQ_ID_Query.xml"));
  ASSERT_EQ(by_id.patients.size(), 1u);
  EXPECT_EQ(by_id.patients[0].ids.at(0).extension, "PDQ113XX04");
  for (const char* f : {"pdqv3/PDQ_connectathon2011_namespaces_issue.xml",
                        "pdqv3/PDQ_unused_global_namespace_issue.xml"}) {
    ParsedPdqResponse r = pdq(sample(f));
    ASSERT_EQ(r.patients.size(), 1u) << f;
    EXPECT_EQ(r.patients[0].names.at(0).family, "MOORE");
  }
  ParsedPdqResponse pid4 = pdq(sample("pdqv3/PDQ_with_PID4.xml"));
  ASSERT_EQ(pid4.patients.size(), 1u);
  EXPECT_EQ(pid4.patients[0].birth_date, "19800131");
}

TEST_F(ServiceTest, PdqErrorsAndNotFound) {
  // Nothing seeded: the scoping domain is unknown → AE 204 at its location.
  ParsedPdqResponse unknown = pdq(sample("pdqv3/PDQ.xml"));
  EXPECT_EQ(unknown.ack.code, AckCode::kAE);
  EXPECT_EQ(unknown.ack.details.at(0).code, "204");
  EXPECT_EQ(unknown.ack.details.at(0).location,
            "/PRPA_IN201305UV02/controlActProcess/queryByParameter/parameterList/"
            "otherIDsScopingOrganization/value");
  ParsedPdqResponse nf = pdq(sample("pdqv3/PDQ_connectathon2011_namespaces_issue.xml"));
  EXPECT_EQ(nf.ack.code, AckCode::kAA);
  EXPECT_EQ(nf.query_response_code, "NF");
  EXPECT_EQ(nf.total, 0);
}

TEST_F(ServiceTest, JapaneseFeedsLinkAcrossFacilitiesAndPixAnswersFromEitherId) {
  const char* hospital = "1.2.392.200284.33.1";
  const char* clinic = "1.2.392.200284.33.2";
  const char* third = "1.2.392.200284.33.3";
  feed_patient(
      {{hospital, "0001000052", ""}},
      {{NameUse::kIdeographic, "渡邊", "洋子", ""}, {NameUse::kSyllabic, "ワタナベ", "ヨウコ", ""}},
      Sex::kFemale, "19580412", "086-224-2111", "700-8570");
  feed_patient({{clinic, "12-345", ""}},
               {{NameUse::kUnspecified, "渡辺 洋子", "", "渡辺 洋子"},
                {NameUse::kUnspecified, "", "", "ﾜﾀﾅﾍﾞ ﾖｰｺ"}},
               Sex::kFemale, "19580412", "0862242111", "7008570");
  feed_patient(
      {{third, "T-9", ""}},
      {{NameUse::kIdeographic, "佐藤", "一郎", ""}, {NameUse::kSyllabic, "サトウ", "イチロウ", ""}},
      Sex::kMale, "19580412", "", "7008570");
  // Each id answers with the other one (never with itself, ITI TF-2b 3.45.4.2.3).
  const Ii at_hospital{hospital, "0001000052", ""};
  const Ii at_clinic{clinic, "12-345", ""};
  for (auto [asked, other] :
       {std::pair{at_hospital, at_clinic}, std::pair{at_clinic, at_hospital}}) {
    ParsedPixResponse r = pix_query(pix_query_for(asked));
    EXPECT_EQ(r.query_response_code, "OK");
    EXPECT_EQ(r.ids, (std::vector<Ii>{other}));
  }
  EXPECT_NE(store_->find({third, "T-9"})->person_id,
            store_->find({hospital, "0001000052"})->person_id);

  // PDQ on the kana name in another spelling, and on a variant kanji.
  auto query = [&](const std::string& family, const std::string& given) {
    std::string q = sample("pdqv3/PDQ_connectathon2011_namespaces_issue.xml");
    q.replace(q.find("CHIP"), 4, given);
    q.replace(q.find("MOORE"), 5, family);
    return pdq(q);
  };
  for (auto [f, g] :
       {std::pair{"ﾜﾀﾅﾍﾞ", "ﾖｳｺ"}, std::pair{"わたなべ", "ようこ"}, std::pair{"渡邉", "洋子"}}) {
    ParsedPdqResponse r = query(f, g);
    ASSERT_EQ(r.patients.size(), 1u) << f;
    EXPECT_EQ(r.patients[0].ids.size(), 2u);
  }
  // The allow hook hides persons the caller may not see.
  std::string q = sample("pdqv3/PDQ_connectathon2011_namespaces_issue.xml");
  q.replace(q.find("CHIP"), 4, "洋子");
  q.replace(q.find("MOORE"), 5, "渡辺");
  EXPECT_EQ(pdq(q, kNothing).query_response_code, "NF");
  EXPECT_EQ(pdq(q, IdentityFilter{}).query_response_code, "NF");  // no filter: default deny
  // A caller that sees only the clinic's identities gets the clinic's id alone, and the
  // clinic's demographics (the hospital's kanji and phone never leave).
  // The clinic typed the whole name as the family name: the hospital's identity is what
  // matches 渡辺/洋子, so a caller that sees only the clinic's identity does not find her by it
  // (a hidden identity neither finds nor ranks a person)...
  EXPECT_EQ(pdq(q, only_domain(clinic)).query_response_code, "NF");
  // ...but does by what the clinic holds, and gets the clinic's id and demographics alone.
  std::string by_prefix = sample("pdqv3/PDQ_connectathon2011_namespaces_issue.xml");
  by_prefix.replace(by_prefix.find("CHIP"), 4, "");
  by_prefix.replace(by_prefix.find("MOORE"), 5, "渡辺*");
  ParsedPdqResponse clinic_only = pdq(by_prefix, only_domain(clinic));
  ASSERT_EQ(clinic_only.patients.size(), 1u);
  EXPECT_EQ(clinic_only.patients[0].ids, (std::vector<Ii>{at_clinic}));
  ASSERT_FALSE(clinic_only.patients[0].names.empty());
  for (const auto& n : clinic_only.patients[0].names)
    EXPECT_EQ(n.family.find("渡邊"), std::string::npos) << n.family;  // the hospital's spelling
  // A caller holding none of her identities does not learn she exists.
  EXPECT_EQ(pdq(by_prefix, only_domain(third)).query_response_code, "NF");
  EXPECT_EQ(pdq(by_prefix, kWholeRegistry).patients.size(), 1u);
  // ITI-45 in a scope: the hidden cross-reference is left out (NF), and an identity the
  // caller may not see is answered as unknown (AE), like one that does not exist.
  PixQuery scoped;
  scoped.patient_id = at_hospital;
  const IdentityFilter hospital_only = only_domain(hospital);
  EXPECT_EQ(service_->handle_iti45(scoped, &hospital_only).response, QueryResponse::kNotFound);
  const IdentityFilter clinic_scope = only_domain(clinic);
  EXPECT_EQ(service_->handle_iti45(scoped, &clinic_scope).ack.code, AckCode::kAE);
  EXPECT_EQ(service_->handle_iti45(scoped, &kWholeRegistry).ids, (std::vector<Ii>{at_clinic}));
  const std::int64_t person = store_->find({hospital, "0001000052"})->person_id;
  auto ui = service_->search_persons({.family = "ﾜﾀﾅﾍﾞ"}, kEveryone, 10);
  ASSERT_EQ(ui.size(), 1u);
  EXPECT_EQ(ui[0].person_id, person);
  EXPECT_EQ(ui[0].identities.size(), 2u);
  EXPECT_TRUE(service_->search_persons({.family = "ﾜﾀﾅﾍﾞ"}, {}, 10).empty());
  EXPECT_TRUE(service_
                  ->search_persons(
                      {.family = "ﾜﾀﾅﾍﾞ"}, [&](std::int64_t p) { return p != person; }, 10)
                  .empty());

  // ITI-46: the link produced a notification; its message is a valid PRPA_IN201302UV02.
  auto claimed = store_->claim_due_notifications(10, std::chrono::seconds(30));
  ASSERT_EQ(claimed.size(), 1u);
  auto msg = service_->build_update_notification(claimed[0], {}, "https://registry.example/pix");
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->action, "urn:hl7-org:v3:PRPA_IN201302UV02");
  auto errors = testing::validate_hl7_text(msg->body);
  EXPECT_TRUE(errors.empty()) << errors.front();
  xml::Document doc = xml::parse(msg->body);
  PatientFeed notice = parse_feed(doc.root().child(kSoap12Ns, "Body").elements().at(0));
  EXPECT_EQ(notice.patient.ids.size(), 2u);
  auto only_clinic = service_->build_update_notification(claimed[0], {clinic}, "https://x");
  ASSERT_TRUE(only_clinic);
  EXPECT_EQ(
      parse_feed(xml::parse(only_clinic->body).root().child(kSoap12Ns, "Body").elements().at(0))
          .patient.ids.size(),
      1u);
  EXPECT_FALSE(service_->build_update_notification(claimed[0], {"9.9.9"}, "https://x"));
}

TEST_F(ServiceTest, RomajiFeedsFromTwoHospitalsLinkAndMeetTheKanaReading) {
  const char* hospital = "1.2.392.200284.33.1";
  const char* clinic = "1.2.392.200284.33.2";
  const char* third = "1.2.392.200284.33.3";
  // Issue #24: the same romaji name, birth date, sex, phone and postal code from two
  // hospitals went to review only. Here also in the other order and another romanisation.
  feed_patient({{hospital, "R-1", ""}}, {{NameUse::kUnspecified, "SATOU", "KYOUKO", ""}},
               Sex::kFemale, "19580412", "086-224-2111", "700-8570");
  feed_patient({{clinic, "R-2", ""}}, {{NameUse::kUnspecified, "", "", "Kyōko Satō"}}, Sex::kFemale,
               "19580412", "0862242111", "7008570");
  // A third facility knows her by kanji and kana only.
  feed_patient(
      {{third, "K-3", ""}},
      {{NameUse::kIdeographic, "佐藤", "京子", ""}, {NameUse::kSyllabic, "サトウ", "キョウコ", ""}},
      Sex::kFemale, "19580412", "086-224-2111", "700-8570");
  const auto a = store_->find({hospital, "R-1"});
  const auto b = store_->find({clinic, "R-2"});
  const auto c = store_->find({third, "K-3"});
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->person_id, b->person_id);
  EXPECT_EQ(c->person_id, a->person_id);
  EXPECT_EQ(b->link_origin, "auto");
  // Her twin sister (same family, birth date, home) stays apart.
  feed_patient({{clinic, "R-4", ""}}, {{NameUse::kUnspecified, "SATO", "YOKO", ""}}, Sex::kFemale,
               "19580412", "086-224-2111", "700-8570");
  EXPECT_NE(store_->find({clinic, "R-4"})->person_id, a->person_id);
}

TEST_F(ServiceTest, PdqContinuationAndCancel) {
  for (int i = 0; i < 3; ++i) {
    feed_patient({{"1.2.392.200284.33.1", "S" + std::to_string(i), ""}},
                 {{NameUse::kSyllabic, "スズキ", "イチロウ", ""}}, Sex::kMale,
                 "19" + std::to_string(50 + i) + "0101");
  }
  std::string q = sample("pdqv3/PDQ_connectathon2011_namespaces_issue.xml");
  q.replace(q.find("CHIP"), 4, "");
  q.replace(q.find("MOORE"), 5, "ｽｽﾞｷ");
  q.replace(q.find("value=\"30\""), 10, "value=\"1\"");
  ParsedPdqResponse first = pdq(q);
  EXPECT_EQ(first.total, 3);
  EXPECT_EQ(first.current, 1);
  EXPECT_EQ(first.remaining, 2);

  auto continuation = [&](bool cancel) {
    PdqContinuation c;
    c.header.id = {service_->new_uuid(), "", ""};
    c.header.sender = {"1.2.3.4.5", ""};  // the sender of the sample query
    c.query_id = {"1.2.3.4.5", "1326231396750", ""};
    c.quantity = 1;
    c.cancel = cancel;
    xml::Writer w;
    write_pdq_continuation(w, c);
    return call(w.finish(),
                cancel ? "urn:hl7-org:v3:QUQI_IN000003UV01_Cancel"
                       : "urn:hl7-org:v3:QUQI_IN000003UV01_Continue",
                true);
  };
  Reply next = continuation(false);
  ParsedPdqResponse second = parse_pdq_response(next.payload);
  EXPECT_EQ(second.current, 1);
  EXPECT_EQ(second.remaining, 1);
  EXPECT_NE(second.patients.at(0).ids, first.patients.at(0).ids);
  Reply cancel = continuation(true);
  EXPECT_EQ(parse_ack_message(cancel.payload).ack.code, AckCode::kAA);
  Reply gone = continuation(false);
  ParsedPdqResponse after = parse_pdq_response(gone.payload);
  EXPECT_EQ(after.ack.code, AckCode::kAE);
  EXPECT_EQ(after.ack.details.at(0).code, "204");
}

TEST_F(ServiceTest, PdqDegreeOfMatchRanksAndFiltersMatches) {
  const char* hospital = "1.2.392.200284.33.1";
  feed_patient({{hospital, "EXACT", ""}}, {{NameUse::kSyllabic, "ワタナベ", "ヨウコ", ""}},
               Sex::kFemale, "19580412");
  // The same kana key (long-vowel mark) but another birth date: another person.
  feed_patient({{hospital, "NEAR", ""}}, {{NameUse::kSyllabic, "ワタナベ", "ヨーコ", ""}},
               Sex::kFemale, "19600101");
  std::string q = sample("pdqv3/PDQ_connectathon2011_namespaces_issue.xml");
  q.replace(q.find("CHIP"), 4, "ヨウコ");
  q.replace(q.find("MOORE"), 5, "ワタナベ");
  ParsedPdqResponse both = pdq(q);
  ASSERT_EQ(both.patients.size(), 2u);
  // Best first: the exact spelling scores 100, the long-vowel variant less, not 0.
  EXPECT_EQ(both.patients[0].ids.at(0).extension, "EXACT");
  EXPECT_EQ(both.degrees.at(0), 100);
  EXPECT_GT(both.degrees.at(1), 50);
  EXPECT_LT(both.degrees.at(1), 100);
  // minimumDegreeMatch drops what scores below it.
  q.replace(q.find("<ns1:parameterList>"), 0,
            "<ns1:matchCriterionList><ns1:minimumDegreeMatch><ns1:value "
            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"ns1:INT\" "
            "value=\"" +
                std::to_string(both.degrees.at(1) + 1) +
                "\"/><ns1:semanticsText>Degree of match requested</ns1:semanticsText>"
                "</ns1:minimumDegreeMatch></ns1:matchCriterionList>");
  ParsedPdqResponse best = pdq(q);
  ASSERT_EQ(best.patients.size(), 1u);
  EXPECT_EQ(best.patients[0].ids.at(0).extension, "EXACT");
  EXPECT_EQ(best.total, 1);
}

TEST_F(ServiceTest, MalformedEnvelopesAndWrongActionsAreSoapFaults) {
  auto fault_code = [](const SoapResult& r) {
    xml::Document d = xml::parse(r.body);
    return d.root()
        .child(kSoap12Ns, "Body")
        .child(kSoap12Ns, "Fault")
        .child(kSoap12Ns, "Code")
        .child(kSoap12Ns, "Value")
        .text();
  };
  SoapResult broken = service_->handle_pix_soap("<soap:Envelope", "application/soap+xml");
  EXPECT_EQ(broken.http_status, 400);
  EXPECT_EQ(fault_code(broken), "env:Sender");
  SoapResult v11 = service_->handle_pix_soap(
      "<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'><e:Body/></e:Envelope>",
      "text/xml");
  EXPECT_EQ(v11.http_status, 500);
  EXPECT_EQ(fault_code(v11), "env:VersionMismatch");
  const std::string q = soap(sample("pixv3/NistPixpdq_Mesa10501-04_Example_01.xml"),
                             "urn:hl7-org:v3:PRPA_IN201305UV02");
  EXPECT_EQ(service_->handle_pix_soap(q, "application/soap+xml").http_status, 400);
  const std::string mismatch = soap(sample("pixv3/NistPixpdq_Mesa10501-04_Example_01.xml"),
                                    "urn:hl7-org:v3:PRPA_IN201301UV02");
  EXPECT_EQ(service_->handle_pix_soap(mismatch, "application/soap+xml").http_status, 400);
  const std::string no_action =
      soap(sample("pixv3/NistPixpdq_Mesa10501-04_Example_01.xml"), "", false);
  EXPECT_EQ(service_->handle_pix_soap(no_action, "application/soap+xml").http_status, 400);
  EXPECT_EQ(service_->handle_pdq_soap(q.substr(0, 100), "application/soap+xml", {}).http_status,
            400);
  const std::string doctype = "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>" + q;
  EXPECT_EQ(service_->handle_pix_soap(doctype, "application/soap+xml").http_status, 400);
}

}  // namespace
}  // namespace hareyaka::pix
