#include "proto/hl7v3/pix_query.hpp"

namespace hareyaka::hl7v3 {

std::string_view to_string(QueryResponse r) {
  switch (r) {
    case QueryResponse::kOk:
      return "OK";
    case QueryResponse::kNotFound:
      return "NF";
    case QueryResponse::kApplicationError:
      return "AE";
    case QueryResponse::kQueryError:
      return "QE";
  }
  return "AE";
}

PixQuery parse_pix_query(xml::Node root) {
  if (!root.is(kHl7Ns, "PRPA_IN201309UV02")) {
    throw MessageError(std::string(kDataTypeError), "not a PRPA_IN201309UV02 message",
                       location(root));
  }
  PixQuery q;
  q.header = parse_header(root);
  xml::Node qbp = require(require(root, "controlActProcess"), "queryByParameter");
  if (xml::Node id = child(qbp, "queryId"))
    q.query_id = parse_ii(id);
  xml::Node params = require(qbp, "parameterList");
  auto ids = children(params, "patientIdentifier");
  if (ids.empty())
    require(params, "patientIdentifier");
  if (ids.size() > 1) {
    throw MessageError(std::string(kDataTypeError), "exactly one patientIdentifier is allowed",
                       location(ids[1]));
  }
  xml::Node value = require(ids.front(), "value");
  q.patient_id = parse_ii(value);
  q.patient_id_location = location(value);
  if (q.patient_id.root.empty() || q.patient_id.extension.empty()) {
    throw MessageError(std::string(kRequiredMissing),
                       "patientIdentifier needs both root and extension", location(value));
  }
  for (xml::Node ds : children(params, "dataSource")) {
    xml::Node v = require(ds, "value");
    auto root_oid = v.attr("root").value_or("");
    if (root_oid.empty()) {
      throw MessageError(std::string(kRequiredMissing), "dataSource value without root",
                         location(v));
    }
    q.data_sources.push_back(root_oid);
    q.data_source_locations.push_back(location(v));
  }
  return q;
}

namespace {

void write_query_by_parameter(xml::Writer& w, const PixQuery& q) {
  w.start("queryByParameter");
  write_ii(w, "queryId", q.query_id);
  write_code(w, "statusCode", "new");
  write_code(w, "responsePriorityCode", "I");
  w.start("parameterList");
  for (const std::string& ds : q.data_sources) {
    w.start("dataSource");
    write_ii(w, "value", {ds, "", ""});
    w.element("semanticsText", "DataSource.id");
    w.end();
  }
  w.start("patientIdentifier");
  write_ii(w, "value", q.patient_id);
  w.element("semanticsText", "Patient.id");
  w.end();
  w.end().end();
}

}  // namespace

void write_pix_query(xml::Writer& w, const PixQuery& q) {
  MessageHeader h = q.header;
  h.interaction_id = "PRPA_IN201309UV02";
  start_message(w, h);
  w.start("controlActProcess").attr("classCode", "CACT").attr("moodCode", "EVN");
  write_code(w, "code", "PRPA_TE201309UV02", kInteractionRoot);
  write_query_by_parameter(w, q);
  w.end().end();
}

void write_pix_response(xml::Writer& w, const PixQueryResponse& r, const PixQuery& q) {
  MessageHeader h = r.header;
  h.interaction_id = "PRPA_IN201310UV02";
  start_message(w, h);
  write_acknowledgement(w, r.ack);
  w.start("controlActProcess").attr("classCode", "CACT").attr("moodCode", "EVN");
  write_code(w, "code", "PRPA_TE201310UV02", kInteractionRoot);
  if (r.response == QueryResponse::kOk && !r.ids.empty()) {
    w.start("subject").attr("typeCode", "SUBJ");
    w.start("registrationEvent").attr("classCode", "REG").attr("moodCode", "EVN");
    w.start("id").attr("nullFlavor", "NA").end();
    write_code(w, "statusCode", "active");
    w.start("subject1").attr("typeCode", "SBJ");
    w.start("patient").attr("classCode", "PAT");
    for (const Ii& id : r.ids)
      write_ii(w, "id", id);
    write_code(w, "statusCode", "active");
    w.start("patientPerson").attr("classCode", "PSN").attr("determinerCode", "INSTANCE");
    // ITI-45 returns identifiers only; the name is required by the schema, so it is null.
    w.start("name").attr("nullFlavor", "NA").end();
    w.end();        // patientPerson
    w.end().end();  // patient, subject1
    w.start("custodian").attr("typeCode", "CST");
    w.start("assignedEntity").attr("classCode", "ASSIGNED");
    write_ii(w, "id", {r.custodian, "", ""});
    w.end().end();
    w.end().end();  // registrationEvent, subject
  }
  w.start("queryAck");
  write_ii(w, "queryId", q.query_id);
  write_code(w, "statusCode", "deliveredResponse");
  write_code(w, "queryResponseCode", to_string(r.response));
  w.end();
  write_query_by_parameter(w, q);
  w.end().end();
}

ParsedPixResponse parse_pix_response(xml::Node root) {
  if (!root.is(kHl7Ns, "PRPA_IN201310UV02")) {
    throw MessageError(std::string(kDataTypeError), "not a PRPA_IN201310UV02 message",
                       location(root));
  }
  ParsedPixResponse r;
  r.header = parse_header(root);
  r.ack = parse_acknowledgement(root);
  xml::Node cap = require(root, "controlActProcess");
  for (xml::Node subject : children(cap, "subject")) {
    xml::Node patient = child(child(child(subject, "registrationEvent"), "subject1"), "patient");
    for (xml::Node id : children(patient, "id"))
      r.ids.push_back(parse_ii(id));
    for (xml::Node other : children(child(patient, "patientPerson"), "asOtherIDs")) {
      for (xml::Node id : children(other, "id"))
        r.ids.push_back(parse_ii(id));
    }
  }
  r.query_response_code = attr_of(child(cap, "queryAck"), "queryResponseCode", "code").value_or("");
  return r;
}

}  // namespace hareyaka::hl7v3
