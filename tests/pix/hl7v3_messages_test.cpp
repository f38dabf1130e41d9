// What we write is schema-valid HL7 V3 and reads back to the same values; SOAP envelopes
// carry WS-Addressing and malformed ones become faults.
#include <gtest/gtest.h>

#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/pdq_query.hpp"
#include "proto/hl7v3/pix_query.hpp"
#include "proto/hl7v3/soap.hpp"
#include "tests/pix/schema_support.hpp"

namespace hareyaka::hl7v3 {
namespace {

MessageHeader header(std::string interaction) {
  MessageHeader h;
  h.id = {"6d79fe84-133c-4c15-9534-79642f13881b", "", ""};
  h.creation_time = "20261124101500+0900";
  h.interaction_id = std::move(interaction);
  h.sender = {"1.2.392.200284.33.1.1", "1.2.392.200284.33.1"};
  h.receiver = {"1.2.392.200284.1.1", "1.2.392.200284.1"};
  return h;
}

template <typename F>
std::string write(F&& f) {
  xml::Writer w;
  f(w);
  return w.finish();
}

void expect_valid(const std::string& xml) {
  auto errors = testing::validate_hl7_text(xml);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors.front()) << "\n" << xml;
}

Patient japanese_patient() {
  Patient p;
  p.ids = {{"1.2.392.200284.33.1", "0001000052", ""}};
  p.names = {{NameUse::kIdeographic, "髙橋", "花子", ""},
             {NameUse::kSyllabic, "タカハシ", "ハナコ", ""}};
  p.sex = Sex::kFemale;
  p.birth_date = "19580412";
  p.addresses = {{"岡山市北区丸の内2-4-6", "", "岡山県", "7008570", "JP"}};
  p.telecoms = {"tel:086-224-2111"};
  return p;
}

TEST(Hl7v3Write, FeedsValidateAndRoundTrip) {
  for (FeedKind kind : {FeedKind::kAdd, FeedKind::kRevise, FeedKind::kMerge}) {
    PatientFeed f;
    f.kind = kind;
    f.header = header("");
    f.patient = japanese_patient();
    f.custodian = "1.2.392.200284.33.1";
    if (kind == FeedKind::kMerge)
      f.prior_ids = {{"1.2.392.200284.33.1", "0001000099", ""}};
    const std::string xml = write([&](xml::Writer& w) { write_feed(w, f); });
    expect_valid(xml);
    xml::Document doc = xml::parse(xml);
    PatientFeed back = parse_feed(doc.root());
    EXPECT_EQ(back.kind, kind);
    EXPECT_EQ(back.patient.ids, f.patient.ids);
    ASSERT_EQ(back.patient.names.size(), 2u);
    EXPECT_EQ(back.patient.names[0].use, NameUse::kIdeographic);
    EXPECT_EQ(back.patient.names[0].family, "髙橋");
    EXPECT_EQ(back.patient.names[1].use, NameUse::kSyllabic);
    EXPECT_EQ(back.patient.names[1].given, "ハナコ");
    EXPECT_EQ(back.patient.birth_date, "19580412");
    EXPECT_EQ(back.patient.addresses.at(0).postal_code, "7008570");
    EXPECT_EQ(back.prior_ids, f.prior_ids);
    EXPECT_EQ(back.header.sender.device_id, "1.2.392.200284.33.1.1");
  }
}

TEST(Hl7v3Write, AcknowledgementWithUnknownKeyDetailValidates) {
  AckMessage m{header("MCCI_IN000002UV01"), {}};
  m.ack.code = AckCode::kAE;
  m.ack.target_message = {"22a0f9e0-4454-11dc-a6be-3603d6866807", "", ""};
  m.ack.details.push_back(unknown_key("unknown patient identifier",
                                      "/PRPA_IN201309UV02/controlActProcess/queryByParameter/"
                                      "parameterList/patientIdentifier/value"));
  const std::string xml = write([&](xml::Writer& w) { write_ack_message(w, m); });
  expect_valid(xml);
  xml::Document doc = xml::parse(xml);
  AckMessage back = parse_ack_message(doc.root());
  EXPECT_EQ(back.ack.code, AckCode::kAE);
  ASSERT_EQ(back.ack.details.size(), 1u);
  EXPECT_EQ(back.ack.details[0].code, "204");
  EXPECT_EQ(back.ack.details[0].code_system, "2.16.840.1.113883.12.357");
  EXPECT_EQ(back.ack.details[0].location, m.ack.details[0].location);
}

TEST(Hl7v3Write, PixQueryAndResponsesValidate) {
  PixQuery q;
  q.header = header("PRPA_IN201309UV02");
  q.query_id = {"1.2.3.4.5", "42", ""};
  q.patient_id = {"1.2.392.200284.33.1", "0001000052", ""};
  q.data_sources = {"1.2.392.200284.33.2"};
  const std::string qxml = write([&](xml::Writer& w) { write_pix_query(w, q); });
  expect_valid(qxml);
  xml::Document qdoc = xml::parse(qxml);
  PixQuery back = parse_pix_query(qdoc.root());
  EXPECT_EQ(back.patient_id, q.patient_id);
  EXPECT_EQ(back.data_sources, q.data_sources);

  for (QueryResponse code :
       {QueryResponse::kOk, QueryResponse::kNotFound, QueryResponse::kApplicationError}) {
    PixQueryResponse r;
    r.header = header("PRPA_IN201310UV02");
    r.ack.code = code == QueryResponse::kApplicationError ? AckCode::kAE : AckCode::kAA;
    r.ack.target_message = q.header.id;
    r.response = code;
    r.custodian = "1.2.392.200284";
    if (code == QueryResponse::kOk) {
      r.ids = {{"1.2.392.200284.33.1", "0001000052", ""}, {"1.2.392.200284.33.2", "12-345", ""}};
    } else if (code == QueryResponse::kApplicationError) {
      r.ack.details.push_back(unknown_key("unknown", back.patient_id_location));
    }
    const std::string xml = write([&](xml::Writer& w) { write_pix_response(w, r, q); });
    expect_valid(xml);
    xml::Document doc = xml::parse(xml);
    ParsedPixResponse pr = parse_pix_response(doc.root());
    EXPECT_EQ(pr.query_response_code, to_string(code));
    EXPECT_EQ(pr.ids, r.ids);
  }
}

TEST(Hl7v3Write, PdqResponseWithJapaneseNamesAndContinuationValidate) {
  auto doc = xml::parse(testing::read_file(
      testing::ihe_dir() + "/samples/pdqv3/PDQ_connectathon2011_namespaces_issue.xml"));
  PdqQuery q = parse_pdq_query(doc.root());
  PdqResponse r;
  r.header = header("PRPA_IN201306UV02");
  r.ack.target_message = q.header.id;
  r.query_id = q.query_id;
  r.matches = {{japanese_patient(), 100}};
  r.total = 3;
  r.remaining = 2;
  r.custodian = "1.2.392.200284";
  const std::string xml =
      write([&](xml::Writer& w) { write_pdq_response(w, r, q.query_by_parameter_xml); });
  expect_valid(xml);
  xml::Document rdoc = xml::parse(xml);
  ParsedPdqResponse back = parse_pdq_response(rdoc.root());
  EXPECT_EQ(back.total, 3);
  EXPECT_EQ(back.current, 1);
  EXPECT_EQ(back.remaining, 2);
  ASSERT_EQ(back.patients.size(), 1u);
  EXPECT_EQ(back.patients[0].names.at(1).family, "タカハシ");

  PdqContinuation c{header(""), q.query_id, 5, false};
  const std::string cxml = write([&](xml::Writer& w) { write_pdq_continuation(w, c); });
  expect_valid(cxml);
  xml::Document cdoc = xml::parse(cxml);
  PdqContinuation cb = parse_pdq_continuation(cdoc.root());
  EXPECT_EQ(cb.quantity, 5);
  EXPECT_FALSE(cb.cancel);
  c.cancel = true;
  xml::Document cancel = xml::parse(write([&](xml::Writer& w) { write_pdq_continuation(w, c); }));
  EXPECT_TRUE(parse_pdq_continuation(cancel.root()).cancel);
}

const char* kEnvelope =
    "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope' "
    "xmlns:a='http://www.w3.org/2005/08/addressing'><s:Header>%HEADER%</s:Header>"
    "<s:Body><PRPA_IN201309UV02 xmlns='urn:hl7-org:v3'/></s:Body></s:Envelope>";

std::string envelope(const std::string& header) {
  std::string e = kEnvelope;
  e.replace(e.find("%HEADER%"), 8, header);
  return e;
}

TEST(Soap, ActionFromHeaderOrContentType) {
  Envelope e = parse_envelope(
      envelope("<a:Action s:mustUnderstand='true'>urn:hl7-org:v3:PRPA_IN201309UV02</a:Action>"
               "<a:MessageID>urn:uuid:1</a:MessageID><a:ReplyTo><a:Address>http://x</a:Address>"
               "</a:ReplyTo>"),
      "application/soap+xml");
  EXPECT_EQ(e.addressing.action, "urn:hl7-org:v3:PRPA_IN201309UV02");
  EXPECT_EQ(e.addressing.message_id, "urn:uuid:1");
  EXPECT_EQ(e.addressing.reply_to, "http://x");
  EXPECT_TRUE(e.payload.is(kHl7Ns, "PRPA_IN201309UV02"));

  Envelope ct = parse_envelope(
      envelope(""),
      "application/soap+xml; charset=UTF-8; action=\"urn:hl7-org:v3:PRPA_IN201309UV02\"");
  EXPECT_EQ(ct.addressing.action, "urn:hl7-org:v3:PRPA_IN201309UV02");
  EXPECT_EQ(content_type_action("application/soap+xml;Action=urn:x"), "urn:x");
}

TEST(Soap, MalformedEnvelopesAreFaults) {
  auto fault_of = [](const std::string& body, const std::string& ct = "application/soap+xml") {
    try {
      parse_envelope(body, ct);
    } catch (const SoapFault& f) {
      return f.code();
    }
    return FaultCode::kReceiver;  // "no fault" marker for the assertions below
  };
  EXPECT_EQ(fault_of("<oops"), FaultCode::kSender);
  EXPECT_EQ(fault_of("<Envelope xmlns='http://schemas.xmlsoap.org/soap/envelope/'/>"),
            FaultCode::kVersionMismatch);
  EXPECT_EQ(fault_of("<x/>"), FaultCode::kVersionMismatch);
  EXPECT_EQ(fault_of("<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'/>"),
            FaultCode::kSender);
  EXPECT_EQ(fault_of(envelope("<x:Security xmlns:x='urn:sec' s:mustUnderstand='1'/>")),
            FaultCode::kMustUnderstand);
  EXPECT_EQ(fault_of(envelope("<a:Action>urn:a</a:Action>"), "application/soap+xml; action=urn:b"),
            FaultCode::kSender);

  Addressing req;
  req.message_id = "urn:uuid:9";
  const std::string f =
      write_fault(SoapFault(FaultCode::kSender, "bad <input>"), req, "urn:uuid:10");
  xml::Document doc = xml::parse(f);
  xml::Node fault = doc.root().child(kSoap12Ns, "Body").child(kSoap12Ns, "Fault");
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault.child(kSoap12Ns, "Code").child(kSoap12Ns, "Value").text(), "env:Sender");
  EXPECT_EQ(fault.child(kSoap12Ns, "Reason").child(kSoap12Ns, "Text").text(), "bad <input>");
  EXPECT_EQ(doc.root().child(kSoap12Ns, "Header").child(kWsaNs, "RelatesTo").text(), "urn:uuid:9");
}

}  // namespace
}  // namespace hareyaka::hl7v3
