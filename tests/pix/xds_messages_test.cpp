// The XCA messages (proto/xds): stored queries and document set requests as peers send them,
// including IPF's published FindDocuments request (with an injection attempt in the patient
// id, which is refused rather than read), and the responses we write validated against the
// ebRS 3.0 / IHEXDSB schemas; MTOM packaging read back as written.
#include <gtest/gtest.h>

#include "proto/xds/ebrs.hpp"
#include "proto/xds/mtom.hpp"
#include "proto/xml/writer.hpp"
#include "tests/pix/schema_support.hpp"

namespace hareyaka {
namespace {

std::string find_documents(const std::string& patient_value) {
  return R"(<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">
  <query:ResponseOption returnComposedObjects="true" returnType="LeafClass"/>
  <rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d" home="urn:oid:1.2.392.200300.9001">
    <rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>)" +
         patient_value + R"(</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList>
      <rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved', 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated')</rim:Value>
    </rim:ValueList></rim:Slot>
    <rim:Slot name="$XDSDocumentEntryClassCode"><rim:ValueList><rim:Value>('lab_results^^Hareyaka data category')</rim:Value><rim:Value>('it''s')</rim:Value></rim:ValueList></rim:Slot>
  </rim:AdhocQuery>
</query:AdhocQueryRequest>)";
}

TEST(XdsMessages, ReadsAFindDocumentsQuery) {
  const auto doc = xml::parse(find_documents("'42^^^&amp;1.2.392.200300.9001.1&amp;ISO'"));
  const xds::StoredQuery q = xds::parse_adhoc_query(doc.root());
  EXPECT_EQ(q.id, xds::kFindDocuments);
  EXPECT_EQ(q.home_community_id, "urn:oid:1.2.392.200300.9001");
  EXPECT_TRUE(q.leaf_class);
  ASSERT_NE(q.slot("$XDSDocumentEntryPatientId"), nullptr);
  const auto pid = xds::parse_patient_id(q.slot("$XDSDocumentEntryPatientId")->at(0));
  ASSERT_TRUE(pid);
  EXPECT_EQ(pid->id, "42");
  EXPECT_EQ(pid->root, "1.2.392.200300.9001.1");
  EXPECT_EQ(*q.slot("$XDSDocumentEntryStatus"),
            (std::vector<std::string>{"urn:oasis:names:tc:ebxml-regrep:StatusType:Approved",
                                      "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"}));
  EXPECT_EQ(*q.slot("$XDSDocumentEntryClassCode"),
            (std::vector<std::string>{"lab_results^^Hareyaka data category", "it's"}));
}

// IPF's published ITI-18 request, unmodified: its patient id carries an SQL injection
// attempt after the closing quote. It is refused as a malformed value naming the slot.
TEST(XdsMessages, RefusesThePublishedInjectionAttempt) {
  const auto doc =
      xml::parse(testing::read_file(testing::ihe_dir() + "/samples/xca/iti18request.xml"));
  try {
    xds::parse_adhoc_query(doc.root());
    FAIL() << "accepted";
  } catch (const xds::RequestError& e) {
    EXPECT_EQ(e.error().code, "XDSRegistryError");
    EXPECT_EQ(e.error().location, "$XDSDocumentEntryPatientId");
  }
}

TEST(XdsMessages, RefusesMalformedRequests) {
  for (const std::string bad :
       {"'42^^^&amp;1.2&amp;ISO", "42^^^&amp;1.2&amp;ISO", "('a','b'", "('a' 'b')", "'a' or 1=1"}) {
    const auto doc = xml::parse(find_documents(bad));
    EXPECT_THROW(xds::parse_adhoc_query(doc.root()), xds::RequestError) << bad;
  }
  EXPECT_THROW(xds::parse_adhoc_query(xml::parse("<a/>").root()), xds::RequestError);
  EXPECT_FALSE(xds::parse_patient_id("42^^^&1.2.3&ISOX"));
  EXPECT_FALSE(xds::parse_patient_id("42^^^&1.2.x&ISO"));
  EXPECT_FALSE(xds::parse_patient_id("^^^&1.2.3&ISO"));
  EXPECT_FALSE(xds::parse_patient_id("4^2^^^&1.2.3&ISO"));
  EXPECT_THROW(
      xds::parse_retrieve_request(
          xml::parse(R"(<RetrieveDocumentSetRequest xmlns="urn:ihe:iti:xds-b:2007"/>)").root()),
      xds::RequestError);
  EXPECT_THROW(
      xds::parse_retrieve_request(
          xml::parse(
              R"(<RetrieveDocumentSetRequest xmlns="urn:ihe:iti:xds-b:2007"><DocumentRequest><RepositoryUniqueId>1.2</RepositoryUniqueId></DocumentRequest></RetrieveDocumentSetRequest>)")
              .root()),
      xds::RequestError);
}

xds::DocumentEntry entry() {
  xds::DocumentEntry e;
  e.entry_uuid = "urn:uuid:0b6a2a9c-94b1-4f59-9d36-1a2c3d4e5f60";
  e.unique_id = "1.2.392.200300.9001.3.42.6";
  e.home_community_id = "urn:oid:1.2.392.200300.9001";
  e.repository_unique_id = "1.2.392.200300.34.1310001";
  e.title = "検体検査結果（広島中央病院）";
  e.patient_id = {"42", "1.2.392.200300.9001.1"};
  e.source_patient_id = {"0000123", "1.2.392.200300.34.1310001.1"};
  e.service_start = "20250401";
  e.service_stop = "20261130";
  e.author_institution = "広島中央病院^^^^^^^^^1.2.392.200300.34.1310001";
  e.class_code = {"lab_results", "Hareyaka data category", "検体検査"};
  e.type_code = {"11502-2", "2.16.840.1.113883.6.1", "Laboratory report"};
  e.format_code = {"urn:hareyaka:category-json:1", "Hareyaka format", "JSON"};
  e.confidentiality_code = {"N", "2.16.840.1.113883.5.25", "normal"};
  e.facility_type_code = {"hospital", "Hareyaka facility kind", "病院"};
  e.practice_setting_code = {"394802001", "2.16.840.1.113883.6.96", "General medicine"};
  return e;
}

TEST(XdsMessages, QueryResponseIsSchemaValidAndReadsBack) {
  for (bool leaf : {true, false}) {
    xml::Writer w;
    xds::write_query_response(
        w, {entry()}, {{"XDSUnknownCommunity", "not this community", "urn:oid:1.2.3", false}},
        leaf);
    const std::string text = w.finish();
    EXPECT_EQ(testing::validate_xds_text(text), std::vector<std::string>{}) << text;
    const auto r = xds::parse_query_response(xml::parse(text).root());
    EXPECT_EQ(r.status, xds::kPartialSuccess);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].location, "urn:oid:1.2.3");
    if (!leaf)
      continue;
    ASSERT_EQ(r.entries.size(), 1u);
    const auto& e = r.entries[0];
    EXPECT_EQ(e.unique_id, "1.2.392.200300.9001.3.42.6");
    EXPECT_EQ(e.repository_unique_id, "1.2.392.200300.34.1310001");
    EXPECT_EQ(e.object_type, xds::kOnDemandEntry);
    EXPECT_EQ(e.class_code.code, "lab_results");
    EXPECT_EQ(e.title, "検体検査結果（広島中央病院）");
    EXPECT_EQ(e.patient_id.id, "42");
    EXPECT_EQ(e.source_patient_id.root, "1.2.392.200300.34.1310001.1");
    EXPECT_EQ(e.author_institution, "広島中央病院^^^^^^^^^1.2.392.200300.34.1310001");
    EXPECT_EQ(e.service_stop, "20261130");
  }
  xml::Writer empty;
  xds::write_query_response(empty, {}, {});
  const std::string text = empty.finish();
  EXPECT_EQ(testing::validate_xds_text(text), std::vector<std::string>{});
  EXPECT_EQ(xds::parse_query_response(xml::parse(text).root()).status, xds::kSuccess);
}

TEST(XdsMessages, RetrieveResponseInMtomIsSchemaValidAndReadsBack) {
  xds::RetrievedDocument d{
      {"urn:oid:1.2.392.200300.9001", "1.2.392.200300.34.1310001", "1.2.392.200300.9001.3.42.6"},
      "1.2.392.200300.9001.3.42.6.1733450000",
      "",
      "application/json",
      "1.doc@hareyaka"};
  xml::Writer w(true);
  xds::write_retrieve_response(
      w, {d}, {{"XDSMissingHomeCommunityId", "no HomeCommunityId", "DocumentRequest[2]", false}});
  const std::string payload = w.finish();
  EXPECT_EQ(testing::validate_xds_text(payload), std::vector<std::string>{}) << payload;
  const std::string body = R"({"items":[{"test":"HbA1c","value":"6.1"}]})";
  const auto out =
      xds::write_mtom("<env>" + payload + "</env>", "urn:ihe:iti:2007:CrossGatewayRetrieveResponse",
                      {{"1.doc@hareyaka", "application/json", body}}, "b1");
  const auto m = xds::parse_mtom(out.body, out.content_type);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->envelope, "<env>" + payload + "</env>");
  EXPECT_NE(m->soap_content_type.find("CrossGatewayRetrieveResponse"), std::string::npos);
  ASSERT_NE(m->find("cid:1.doc%40hareyaka"), nullptr);
  EXPECT_EQ(m->find("cid:1.doc@hareyaka")->body, body);
  const auto r = xds::parse_retrieve_response(xml::parse(payload).root());
  EXPECT_EQ(r.status, xds::kPartialSuccess);
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(r.documents[0].content_id, "1.doc@hareyaka");
  EXPECT_EQ(r.documents[0].new_document_unique_id, "1.2.392.200300.9001.3.42.6.1733450000");
  EXPECT_FALSE(xds::parse_mtom("<a/>", "application/soap+xml"));
  EXPECT_THROW(xds::parse_mtom("nothing", "multipart/related; boundary=x"), xds::MtomError);
  EXPECT_THROW(xds::parse_mtom(out.body.substr(0, out.body.size() - 20), out.content_type),
               xds::MtomError);
}

}  // namespace
}  // namespace hareyaka
