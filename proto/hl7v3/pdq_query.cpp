#include "proto/hl7v3/pdq_query.hpp"

#include <charconv>

#include "proto/hl7v3/feed.hpp"

namespace hareyaka::hl7v3 {
namespace {

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return std::nullopt;
  return v;
}

int int_value(xml::Node n, int min, int max) {
  auto v = parse_int(n.attr("value").value_or(""));
  if (!v || *v < min || *v > max) {
    throw MessageError(std::string(kDataTypeError), "value must be an integer in range",
                       location(n));
  }
  return *v;
}

// An INT-typed element whose xsi:type, when present, must name {urn:hl7-org:v3}INT (the
// schemas allow any type there; IHE and IPF refuse REAL and friends).
void require_int_type(xml::Node value) {
  auto type = value.attr_ns(kXsiNs, "type");
  if (!type)
    return;
  auto q = value.resolve_qname(*type);
  if (!q || q->second != "INT" || !(q->first == kHl7Ns)) {
    throw MessageError(std::string(kDataTypeError), "xsi:type must be INT", location(value));
  }
}

void check_query_by_parameter(xml::Node qbp) {
  xml::Node mcl = child(qbp, "matchCriterionList");
  if (xml::Node mdm = child(mcl, "minimumDegreeMatch")) {
    if (xml::Node v = child(mdm, "value"))
      require_int_type(v);
  }
  if (xml::Node iq = child(qbp, "initialQuantity"))
    require_int_type(iq);
}

}  // namespace

PdqQuery parse_pdq_query(xml::Node root) {
  if (!root.is(kHl7Ns, "PRPA_IN201305UV02")) {
    throw MessageError(std::string(kDataTypeError), "not a PRPA_IN201305UV02 message",
                       location(root));
  }
  xml::Node qbp = require(require(root, "controlActProcess"), "queryByParameter");
  PdqQuery q = parse_query_by_parameter(qbp);
  q.header = parse_header(root);
  return q;
}

PdqQuery parse_query_by_parameter(xml::Node qbp) {
  PdqQuery q;
  check_query_by_parameter(qbp);
  if (xml::Node id = child(qbp, "queryId"))
    q.query_id = parse_ii(id);
  if (xml::Node iq = child(qbp, "initialQuantity"))
    q.initial_quantity = int_value(iq, 1, 100000);
  if (xml::Node mdm = child(child(qbp, "matchCriterionList"), "minimumDegreeMatch")) {
    if (xml::Node v = child(mdm, "value"))
      q.minimum_degree_match = int_value(v, 0, 100);
  }
  xml::Node params = require(qbp, "parameterList");
  for (xml::Node p : children(params, "livingSubjectAdministrativeGender")) {
    if (auto code = attr_of(p, "value", "code"))
      q.sex = sex_from_code(*code);
  }
  for (xml::Node p : children(params, "livingSubjectBirthTime")) {
    xml::Node v = require(p, "value");
    std::string ts = v.attr("value").value_or("");
    if (ts.empty()) {
      // An IVL_TS: take the low bound's date (day precision search).
      ts = attr_of(v, "low", "value").value_or("");
    }
    if (ts.size() < 4 || ts.find_first_not_of("0123456789") < std::min<std::size_t>(ts.size(), 8)) {
      throw MessageError(std::string(kDataTypeError), "birth time must be an HL7 TS", location(v));
    }
    q.birth_date = ts.substr(0, 8);
  }
  for (xml::Node p : children(params, "livingSubjectId")) {
    xml::Node v = require(p, "value");
    Ii id = parse_ii(v);
    if (id.root.empty()) {
      throw MessageError(std::string(kRequiredMissing), "livingSubjectId value without root",
                         location(v));
    }
    q.ids.push_back(std::move(id));
    q.id_locations.push_back(location(v));
  }
  for (xml::Node p : children(params, "livingSubjectName")) {
    for (xml::Node v : children(p, "value"))
      q.names.push_back(parse_name(v));
  }
  for (xml::Node p : children(params, "otherIDsScopingOrganization")) {
    xml::Node v = require(p, "value");
    auto r = v.attr("root").value_or("");
    if (r.empty()) {
      throw MessageError(std::string(kRequiredMissing), "scoping organization without root",
                         location(v));
    }
    q.scoping_organizations.push_back(r);
    q.scoping_organization_locations.push_back(location(v));
  }
  for (xml::Node p : children(params, "patientAddress")) {
    for (xml::Node v : children(p, "value"))
      q.addresses.push_back(parse_address(v));
  }
  for (xml::Node p : children(params, "patientTelecom")) {
    for (xml::Node v : children(p, "value")) {
      if (auto t = v.attr("value"))
        q.telecoms.push_back(*t);
    }
  }
  q.query_by_parameter_xml = xml::Document::copy_of(qbp).root().serialize();
  return q;
}

void write_xcpd_query(xml::Writer& w, const PdqQuery& q, std::string_view author_authority) {
  MessageHeader h = q.header;
  h.interaction_id = "PRPA_IN201305UV02";
  start_message(w, h);
  w.start("controlActProcess").attr("classCode", "CACT").attr("moodCode", "EVN");
  write_code(w, "code", "PRPA_TE201305UV02", kInteractionRoot);
  w.start("authorOrPerformer").attr("typeCode", "AUT");
  w.start("assignedDevice").attr("classCode", "ASSIGNED");
  write_ii(w, "id", {std::string(author_authority), "", ""});
  w.end().end();
  w.start("queryByParameter");
  write_ii(w, "queryId", q.query_id);
  write_code(w, "statusCode", "new");
  write_code(w, "responseModalityCode", "R");
  write_code(w, "responsePriorityCode", "I");
  if (q.minimum_degree_match) {
    w.start("matchCriterionList").start("minimumDegreeMatch");
    w.start("value")
        .attr_ns("xsi", "type", "INT")
        .attr("value", std::to_string(*q.minimum_degree_match))
        .end();
    w.start("semanticsText").text("Degree of match requested").end();
    w.end().end();
  }
  w.start("parameterList");
  auto semantics = [&w](std::string_view text) { w.start("semanticsText").text(text).end(); };
  if (q.sex) {
    w.start("livingSubjectAdministrativeGender");
    write_code(w, "value", to_code(*q.sex));
    semantics("LivingSubject.administrativeGender");
    w.end();
  }
  if (!q.birth_date.empty()) {
    w.start("livingSubjectBirthTime");
    w.start("value").attr("value", q.birth_date).end();
    semantics("LivingSubject.birthTime");
    w.end();
  }
  for (const Ii& id : q.ids) {
    w.start("livingSubjectId");
    write_ii(w, "value", id);
    semantics("LivingSubject.id");
    w.end();
  }
  if (!q.names.empty()) {
    w.start("livingSubjectName");
    write_name(w, "value", q.names.front());
    semantics("LivingSubject.name");
    w.end();
  }
  if (!q.telecoms.empty()) {
    w.start("patientTelecom");
    w.start("value").attr("value", q.telecoms.front()).end();
    semantics("Patient.telecom");
    w.end();
  }
  w.end().end().end();  // parameterList, queryByParameter, controlActProcess
  w.end();              // PRPA_IN201305UV02
}

PdqContinuation parse_pdq_continuation(xml::Node root) {
  if (!root.is(kHl7Ns, "QUQI_IN000003UV01")) {
    throw MessageError(std::string(kDataTypeError), "not a QUQI_IN000003UV01 message",
                       location(root));
  }
  PdqContinuation c;
  c.header = parse_header(root);
  xml::Node qc = require(require(root, "controlActProcess"), "queryContinuation");
  xml::Node qid = require(qc, "queryId");
  c.query_id = parse_ii(qid);
  const std::string status = attr_of(qc, "statusCode", "code").value_or("");
  c.cancel = status == "aborted";
  if (!c.cancel) {
    xml::Node quantity = require(qc, "continuationQuantity");
    c.quantity = int_value(quantity, 1, 100000);
  }
  return c;
}

void write_pdq_continuation(xml::Writer& w, const PdqContinuation& c) {
  MessageHeader h = c.header;
  h.interaction_id = "QUQI_IN000003UV01";
  start_message(w, h);
  w.start("controlActProcess").attr("classCode", "CACT").attr("moodCode", "EVN");
  write_code(w, "code", "PRPA_TE000003UV01", kInteractionRoot);
  w.start("queryContinuation");
  write_ii(w, "queryId", c.query_id);
  if (!c.cancel)
    write_value(w, "continuationQuantity", std::to_string(c.quantity));
  write_code(w, "statusCode", c.cancel ? "aborted" : "waitContinuedQueryResponse");
  w.end().end().end();
}

void write_pdq_response(xml::Writer& w, const PdqResponse& r,
                        std::string_view query_by_parameter_xml) {
  MessageHeader h = r.header;
  h.interaction_id = "PRPA_IN201306UV02";
  start_message(w, h);
  write_acknowledgement(w, r.ack);
  w.start("controlActProcess").attr("classCode", "CACT").attr("moodCode", "EVN");
  write_code(w, "code", "PRPA_TE201306UV02", kInteractionRoot);
  for (const PdqMatch& m : r.matches) {
    w.start("subject").attr("typeCode", "SUBJ");
    w.start("registrationEvent").attr("classCode", "REG").attr("moodCode", "EVN");
    w.start("id").attr("nullFlavor", "NA").end();
    write_code(w, "statusCode", "active");
    w.start("subject1").attr("typeCode", "SBJ");
    w.start("patient").attr("classCode", "PAT");
    for (const Ii& id : m.patient.ids)
      write_ii(w, "id", id);
    write_code(w, "statusCode", "active");
    w.start("patientPerson").attr("classCode", "PSN").attr("determinerCode", "INSTANCE");
    write_person_body(w, m.patient);
    w.end();
    w.start("subjectOf1");
    w.start("queryMatchObservation").attr("classCode", "COND").attr("moodCode", "EVN");
    write_code(w, "code", "IHE_PDQ");
    w.start("value")
        .attr_ns("xsi", "type", "INT")
        .attr("value", std::to_string(m.degree_of_match))
        .end();
    w.end().end();
    w.end().end();  // patient, subject1
    w.start("custodian").attr("typeCode", "CST");
    w.start("assignedEntity").attr("classCode", "ASSIGNED");
    write_ii(w, "id", {r.custodian, "", ""});
    if (!r.health_data_locator.empty())
      write_code(w, "code", r.health_data_locator, "1.3.6.1.4.1.19376.1.2.27.2");
    w.end().end();
    w.end().end();  // registrationEvent, subject
  }
  for (const std::string& attribute : r.requested_attributes) {
    w.start("reasonOf").attr("typeCode", "RSON");
    w.start("detectedIssueEvent").attr("classCode", "ALRT").attr("moodCode", "EVN");
    write_code(w, "code", "ActAdministrativeDetectedIssueCode", "2.16.840.1.113883.5.4");
    w.start("triggerFor").attr("typeCode", "TRIG");
    w.start("actOrderRequired").attr("classCode", "ACT").attr("moodCode", "RQO");
    write_code(w, "code", attribute, kXcpdRequestedAttributeSystem);
    w.end().end();  // actOrderRequired, triggerFor
    w.end().end();  // detectedIssueEvent, reasonOf
  }
  w.start("queryAck");
  write_ii(w, "queryId", r.query_id);
  write_code(w, "statusCode", r.remaining > 0 ? "waitContinuedQueryResponse" : "deliveredResponse");
  write_code(w, "queryResponseCode", to_string(r.response));
  if (r.response == QueryResponse::kOk || r.response == QueryResponse::kNotFound) {
    write_value(w, "resultTotalQuantity", std::to_string(r.total));
    write_value(w, "resultCurrentQuantity", std::to_string(r.matches.size()));
    write_value(w, "resultRemainingQuantity", std::to_string(r.remaining));
  }
  w.end();
  if (!query_by_parameter_xml.empty())
    w.raw(query_by_parameter_xml);
  w.end().end();
}

ParsedPdqResponse parse_pdq_response(xml::Node root) {
  if (!root.is(kHl7Ns, "PRPA_IN201306UV02")) {
    throw MessageError(std::string(kDataTypeError), "not a PRPA_IN201306UV02 message",
                       location(root));
  }
  ParsedPdqResponse r;
  r.header = parse_header(root);
  r.ack = parse_acknowledgement(root);
  xml::Node cap = require(root, "controlActProcess");
  for (xml::Node subject : children(cap, "subject")) {
    xml::Node patient = child(child(child(subject, "registrationEvent"), "subject1"), "patient");
    if (!patient)
      continue;
    int degree = -1;
    for (xml::Node obs : children(patient, "subjectOf1")) {
      if (xml::Node v = child(child(obs, "queryMatchObservation"), "value")) {
        require_int_type(v);
        degree = parse_int(v.attr("value").value_or("")).value_or(-1);
      }
    }
    r.degrees.push_back(degree);
    r.patients.push_back(parse_patient(patient));
    r.custodians.push_back(
        attr_of(child(child(child(subject, "registrationEvent"), "custodian"), "assignedEntity"),
                "id", "root")
            .value_or(""));
  }
  for (xml::Node reason : children(cap, "reasonOf")) {
    xml::Node order =
        child(child(child(reason, "detectedIssueEvent"), "triggerFor"), "actOrderRequired");
    if (auto code = attr_of(order, "code", "code"))
      r.requested_attributes.push_back(*code);
  }
  xml::Node qa = child(cap, "queryAck");
  r.query_response_code = attr_of(qa, "queryResponseCode", "code").value_or("");
  auto quantity = [&](std::string_view name) {
    auto v = attr_of(qa, name, "value");
    return v ? parse_int(*v).value_or(-1) : -1;
  };
  r.total = quantity("resultTotalQuantity");
  r.current = quantity("resultCurrentQuantity");
  r.remaining = quantity("resultRemainingQuantity");
  if (xml::Node qbp = child(cap, "queryByParameter"))
    check_query_by_parameter(qbp);
  return r;
}

}  // namespace hareyaka::hl7v3
