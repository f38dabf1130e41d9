// The published IHE samples (IPF and NIST) parse into the right values, including the odd
// namespace declarations seen at Connectathons, and the validation cases are told apart.
#include <gtest/gtest.h>

#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/pdq_query.hpp"
#include "proto/hl7v3/pix_query.hpp"
#include "proto/xml/writer.hpp"
#include "tests/pix/schema_support.hpp"

namespace hareyaka::hl7v3 {
namespace {

xml::Document sample(const std::string& rel) {
  return xml::parse(testing::read_file(testing::ihe_dir() + "/samples/" + rel));
}

TEST(PixSamples, RegistrationReviseAndMergeFeeds) {
  auto reg = sample("pixv3/PIX_FEED_REG_Maximal_Request.xml");
  PatientFeed add = parse_feed(reg.root());
  EXPECT_EQ(add.kind, FeedKind::kAdd);
  EXPECT_EQ(add.header.id.root, "21acf7be-007c-41e6-b176-d0969794983b");
  EXPECT_EQ(add.header.sender.device_id, "1.2.840.114350.1.13.99998.8734");
  ASSERT_EQ(add.patient.ids.size(), 3u);  // the third has no root (domain by name only)
  EXPECT_EQ(add.patient.ids[0].root, "1.3.6.1.4.1.21367.2005.1.1");
  EXPECT_EQ(add.patient.ids[0].extension, "PIX10515W3");
  EXPECT_EQ(add.patient.ids[2].root, "");
  ASSERT_EQ(add.patient.names.size(), 2u);
  EXPECT_EQ(add.patient.names[0].family, "WASHINGTON");
  EXPECT_EQ(add.patient.names[0].given, "MARY ROSE");
  EXPECT_EQ(add.patient.sex, Sex::kFemale);
  EXPECT_EQ(add.patient.birth_date, "19771208");
  EXPECT_EQ(add.patient.addresses.at(0).postal_code, "60523");
  EXPECT_EQ(add.patient.telecoms.at(0), "tel:012-0001");
  EXPECT_EQ(add.patient.other_ids.size(), 2u);

  auto rev = sample("pixv3/PIX_FEED_REV_Maximal_Request.xml");
  EXPECT_EQ(parse_feed(rev.root()).kind, FeedKind::kRevise);

  auto merge = sample("pixv3/PIX_FEED_MERGE_Maximal_Request.xml");
  PatientFeed m = parse_feed(merge.root());
  EXPECT_EQ(m.kind, FeedKind::kMerge);
  EXPECT_EQ(m.patient.ids.at(0).extension, "120-01");
  ASSERT_EQ(m.prior_ids.size(), 1u);
  EXPECT_EQ(m.prior_ids[0].root, "1.2.3.4.666");
  EXPECT_EQ(m.prior_ids[0].extension, "120-02");
}

TEST(PixSamples, QueriesIncludingNistUnknownCases) {
  auto q1 = sample("pixv3/NistPixpdq_Mesa10501-05_Example_01.xml");
  PixQuery q = parse_pix_query(q1.root());
  EXPECT_EQ(q.patient_id.root, "1.3.6.1.4.1.21367.2005.1.1");
  EXPECT_EQ(q.patient_id.extension, "ABC10501");
  ASSERT_EQ(q.data_sources.size(), 1u);
  EXPECT_EQ(q.data_sources[0], "1.3.6.1.4.1.21367.2005.1.2");
  EXPECT_EQ(q.patient_id_location,
            "/PRPA_IN201309UV02/controlActProcess/queryByParameter/parameterList/"
            "patientIdentifier/value");
  EXPECT_EQ(q.data_source_locations[0],
            "/PRPA_IN201309UV02/controlActProcess/queryByParameter/parameterList/dataSource/value");
  for (const char* f : {"pixv3/NistPixpdq_Mesa10501-04_Example_01.xml",
                        "pixv3/NistPixpdq_Mesa10502-03~UnknownId_Example_01.xml",
                        "pixv3/NistPixpdq_Mesa10503-01~UnknownAssigningAuth_Example_01.xml"}) {
    auto d = sample(f);
    EXPECT_NO_THROW(parse_pix_query(d.root())) << f;
  }
}

TEST(PixSamples, ResponsesAndCommitAcks) {
  auto r = sample("pixv3/07_PIXQuery1Response.xml");
  ParsedPixResponse pr = parse_pix_response(r.root());
  EXPECT_EQ(pr.ack.code, AckCode::kCA);
  EXPECT_TRUE(is_accept(pr.ack.code));  // CA is as good as AA from a peer
  EXPECT_EQ(pr.query_response_code, "OK");
  EXPECT_EQ(pr.ids.size(), 3u);
  auto a = sample("pixv3/Ack.xml");
  AckMessage ack = parse_ack_message(a.root());
  EXPECT_EQ(ack.ack.code, AckCode::kCA);
  EXPECT_TRUE(is_accept(ack.ack.code));
  EXPECT_EQ(ack.ack.target_message.root, "22a0f9e0-4454-11dc-a6be-3603d6866807");
}

TEST(PdqSamples, EveryQueryParses) {
  auto max = sample("pdqv3/PDQ_Maximal_Query.xml");
  PdqQuery q = parse_pdq_query(max.root());
  EXPECT_EQ(q.initial_quantity, 2);
  EXPECT_EQ(q.minimum_degree_match.value_or(0), 75);
  ASSERT_TRUE(q.sex);
  EXPECT_EQ(*q.sex, Sex::kFemale);
  EXPECT_EQ(q.birth_date, "19400101");
  ASSERT_EQ(q.names.size(), 1u);
  EXPECT_EQ(q.names[0].family, "Wurm Heidi");
  EXPECT_EQ(q.scoping_organizations.at(0), "1.3.6.1.4.1.21367.2005.1.2");
  EXPECT_EQ(q.addresses.at(0).city, "Some City");
  EXPECT_NE(q.query_by_parameter_xml.find("queryByParameter"), std::string::npos);

  auto ids = sample("pdqv3/PDQ_ID_Query.xml");
  PdqQuery iq = parse_pdq_query(ids.root());
  ASSERT_EQ(iq.ids.size(), 3u);
  EXPECT_EQ(iq.ids[1].root, "1.2.3.4.5");
  EXPECT_EQ(iq.ids[1].extension, "PDQ113XX04");

  for (const char* f : {"pdqv3/PDQ_connectathon2011_namespaces_issue.xml",
                        "pdqv3/PDQ_unused_global_namespace_issue.xml"}) {
    auto d = sample(f);
    PdqQuery nq = parse_pdq_query(d.root());
    ASSERT_EQ(nq.names.size(), 1u) << f;
    EXPECT_EQ(nq.names[0].family, "MOORE");
    EXPECT_EQ(nq.names[0].given, "CHIP");
    EXPECT_EQ(nq.initial_quantity, 30);
  }
  auto pid4 = sample("pdqv3/PDQ_with_PID4.xml");
  PdqQuery p4 = parse_pdq_query(pid4.root());
  EXPECT_EQ(p4.birth_date, "19800131");
  EXPECT_EQ(p4.names.at(0).given, "*");
  auto plain = sample("pdqv3/PDQ.xml");
  EXPECT_NO_THROW(parse_pdq_query(plain.root()));
}

TEST(PdqSamples, ResponsesParse) {
  for (const char* f : {"pdqv3/PDQ_Response.xml", "pdqv3/PDQ_Maximal_Query_Response.xml",
                        "pdqv3/PDQ_with_PID4_Response.xml",
                        "pdqv3/PDQ_connectathon2011_namespaces_issue_Response.xml",
                        "pdqv3/PDQ_unused_global_namespace_issue_Response.xml"}) {
    auto d = sample(f);
    ParsedPdqResponse r = parse_pdq_response(d.root());
    EXPECT_FALSE(r.patients.empty()) << f;
  }
}

// IPF's ITI-55 (XCPD) pair: the request is a PDQ V3 query with the asking community as the
// sender's organisation; the response names each patient's custodian community.
TEST(XcpdSamples, RequestAndResponseParse) {
  auto q = parse_pdq_query(sample("xcpd/iti55-sample-request.xml").root());
  EXPECT_EQ(q.header.sender.organization_id, "1.2.3.928.955");
  EXPECT_EQ(q.birth_date, "19630805");
  EXPECT_EQ(q.ids.size(), 2u);
  EXPECT_EQ(q.minimum_degree_match, 100);
  auto r = parse_pdq_response(sample("xcpd/iti55-sample-response.xml").root());
  ASSERT_FALSE(r.patients.empty());
  EXPECT_EQ(r.custodians.size(), r.patients.size());
  EXPECT_EQ(r.custodians.front(), "1.2.840.114350.1.13.99998.8734");
}

// What the portal sends as an Initiating Gateway: schema-valid, and read back as it was meant.
TEST(XcpdSamples, TheQueryWeSendIsValidAndRoundTrips) {
  PdqQuery q;
  q.header.id = {"5f0c0d3e-1111-4000-8000-000000000001", "", ""};
  q.header.creation_time = "20261206040000";
  q.header.sender = {"1.2.392.200284.9001.0.55", "1.2.392.200284.9001"};
  q.header.receiver = {"1.2.392.200300.9001", ""};
  q.query_id = {"1.2.392.200284.9001.0.55.1", "q-1", ""};
  q.names.push_back({NameUse::kSyllabic, "アオキ", "ハナコ", ""});
  q.sex = Sex::kFemale;
  q.birth_date = "19500101";
  q.ids.push_back({"1.2.392.200284.9001.1", "42", ""});
  q.telecoms.push_back("tel:086-10");
  q.minimum_degree_match = 90;
  xml::Writer w;
  write_xcpd_query(w, q, "1.2.392.200284.9001.1");
  const std::string text = w.finish();
  EXPECT_EQ(testing::validate_hl7_text(text), std::vector<std::string>{}) << text;
  const auto doc = xml::parse(text);
  const PdqQuery back = parse_pdq_query(doc.root());
  EXPECT_EQ(back.header.sender.organization_id, "1.2.392.200284.9001");
  ASSERT_EQ(back.names.size(), 1u);
  EXPECT_EQ(back.names[0].family, "アオキ");
  EXPECT_EQ(back.names[0].given, "ハナコ");
  EXPECT_EQ(back.birth_date, "19500101");
  EXPECT_EQ(back.sex, Sex::kFemale);
  ASSERT_EQ(back.ids.size(), 1u);
  EXPECT_EQ(back.ids[0].extension, "42");
  EXPECT_EQ(back.minimum_degree_match, 90);
  EXPECT_EQ(back.telecoms, std::vector<std::string>{"tel:086-10"});
}

TEST(ValidationSamples, SchemaAndProfileRulesTellGoodFromBad) {
  auto valid = sample("validation/prpa-valid.xml");
  EXPECT_TRUE(testing::validate_hl7(valid.root()).empty());
  EXPECT_NO_THROW(parse_feed(valid.root()));
  auto invalid = sample("validation/prpa-invalid.xml");
  EXPECT_FALSE(testing::validate_hl7(invalid.root()).empty());
  EXPECT_THROW(parse_feed(invalid.root()), MessageError);

  // Schema-valid, but ITI-44 carries one patient per message.
  auto multi = sample("validation/iti44-multipatient-request-1.xml");
  EXPECT_TRUE(testing::validate_hl7(multi.root()).empty());
  try {
    parse_feed(multi.root());
    FAIL() << "two subjects accepted";
  } catch (const MessageError& e) {
    EXPECT_EQ(e.location(), "/PRPA_IN201301UV02/controlActProcess/subject[2]");
  }

  // The degree of match must be an INT (not REAL) whatever prefix names the type.
  for (const char* good : {"validation/type-ns-good.xml", "validation/type-nons-good.xml"}) {
    auto d = sample(good);
    EXPECT_NO_THROW(parse_pdq_response(d.root())) << good;
  }
  for (const char* wrong : {"validation/type-ns-wrong.xml", "validation/type-nons-wrong.xml"}) {
    auto d = sample(wrong);
    try {
      parse_pdq_response(d.root());
      ADD_FAILURE() << "accepted " << wrong;
    } catch (const MessageError& e) {
      EXPECT_NE(e.location().find("queryMatchObservation/value"), std::string::npos)
          << e.location();
    }
  }
}

}  // namespace
}  // namespace hareyaka::hl7v3
