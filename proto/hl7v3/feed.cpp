#include "proto/hl7v3/feed.hpp"

namespace hareyaka::hl7v3 {

std::string_view interaction_of(FeedKind k) {
  switch (k) {
    case FeedKind::kAdd:
      return "PRPA_IN201301UV02";
    case FeedKind::kRevise:
      return "PRPA_IN201302UV02";
    case FeedKind::kMerge:
      return "PRPA_IN201304UV02";
  }
  return "PRPA_IN201301UV02";
}

PatientFeed parse_feed(xml::Node root) {
  PatientFeed feed;
  if (root.is(kHl7Ns, "PRPA_IN201301UV02")) {
    feed.kind = FeedKind::kAdd;
  } else if (root.is(kHl7Ns, "PRPA_IN201302UV02")) {
    feed.kind = FeedKind::kRevise;
  } else if (root.is(kHl7Ns, "PRPA_IN201304UV02")) {
    feed.kind = FeedKind::kMerge;
  } else {
    throw MessageError(std::string(kDataTypeError),
                       "not a patient identity feed: " + std::string(root.local_name()),
                       location(root));
  }
  feed.header = parse_header(root);
  xml::Node cap = require(root, "controlActProcess");
  auto subjects = children(cap, "subject");
  if (subjects.empty())
    require(cap, "subject");
  if (subjects.size() > 1) {
    // IHE ITI-44 carries exactly one patient per message.
    throw MessageError(std::string(kDataTypeError), "a feed must carry exactly one subject",
                       location(subjects[1]));
  }
  xml::Node event = require(subjects.front(), "registrationEvent");
  xml::Node patient = require(require(event, "subject1"), "patient");
  feed.patient = parse_patient(patient);
  feed.patient_location = location(patient);
  bool any_rooted = false;
  for (const Ii& id : feed.patient.ids)
    any_rooted = any_rooted || !id.root.empty();
  if (!any_rooted) {
    throw MessageError(std::string(kRequiredMissing),
                       "patient has no identifier with an assigning authority (id/@root)",
                       location(patient) + "/id");
  }
  if (xml::Node custodian = child(event, "custodian")) {
    feed.custodian = attr_of(child(custodian, "assignedEntity"), "id", "root").value_or("");
  }
  if (feed.kind == FeedKind::kMerge) {
    xml::Node prior = require(require(event, "replacementOf"), "priorRegistration");
    xml::Node role = require(require(prior, "subject1"), "priorRegisteredRole");
    for (xml::Node id : children(role, "id")) {
      Ii ii = parse_ii(id);
      if (!ii.root.empty())
        feed.prior_ids.push_back(std::move(ii));
    }
    if (feed.prior_ids.empty()) {
      throw MessageError(std::string(kRequiredMissing), "merge without a prior identifier",
                         location(role) + "/id");
    }
  }
  return feed;
}

void write_person_body(xml::Writer& w, const Patient& p) {
  if (p.names.empty()) {
    w.start("name").attr("nullFlavor", "NA").end();
  }
  for (const PersonName& n : p.names)
    write_name(w, "name", n);
  for (const std::string& t : p.telecoms)
    w.start("telecom").attr("value", t).end();
  if (p.sex != Sex::kUnknown) {
    write_code(w, "administrativeGenderCode", to_code(p.sex), "2.16.840.1.113883.5.1");
  }
  if (!p.birth_date.empty())
    write_value(w, "birthTime", p.birth_date);
  for (const Address& a : p.addresses)
    write_address(w, a);
  for (const Ii& other : p.other_ids) {
    w.start("asOtherIDs").attr("classCode", "PAT");
    write_ii(w, "id", other);
    w.start("scopingOrganization").attr("classCode", "ORG").attr("determinerCode", "INSTANCE");
    write_ii(w, "id", {other.root, "", ""});
    w.end().end();
  }
}

void write_feed(xml::Writer& w, const PatientFeed& feed) {
  MessageHeader h = feed.header;
  h.interaction_id = std::string(interaction_of(feed.kind));
  start_message(w, h);
  w.start("controlActProcess").attr("classCode", "CACT").attr("moodCode", "EVN");
  std::string te = h.interaction_id;
  te.replace(0, 7, "PRPA_TE");
  write_code(w, "code", te, kInteractionRoot);
  w.start("subject").attr("typeCode", "SUBJ");
  w.start("registrationEvent").attr("classCode", "REG").attr("moodCode", "EVN");
  w.start("id").attr("nullFlavor", "NA").end();
  write_code(w, "statusCode", "active");
  w.start("subject1").attr("typeCode", "SBJ");
  w.start("patient").attr("classCode", "PAT");
  for (const Ii& id : feed.patient.ids)
    write_ii(w, "id", id);
  write_code(w, "statusCode", feed.patient.status.empty() ? "active" : feed.patient.status);
  w.start("patientPerson").attr("classCode", "PSN").attr("determinerCode", "INSTANCE");
  write_person_body(w, feed.patient);
  w.end();
  // providerOrganization is required by PRPA_MT201301UV02/201302UV02: the facility.
  std::string provider = feed.patient.provider_organization;
  if (provider.empty())
    provider = feed.custodian;
  if (provider.empty())
    provider = h.sender.organization_id;
  if (provider.empty())
    provider = h.sender.device_id;
  w.start("providerOrganization").attr("classCode", "ORG").attr("determinerCode", "INSTANCE");
  write_ii(w, "id", {provider, "", ""});
  w.start("contactParty").attr("classCode", "CON").end();
  w.end();
  w.end().end();  // patient, subject1
  w.start("custodian").attr("typeCode", "CST");
  w.start("assignedEntity").attr("classCode", "ASSIGNED");
  write_ii(w, "id", {feed.custodian.empty() ? h.sender.device_id : feed.custodian, "", ""});
  w.end().end();
  if (feed.kind == FeedKind::kMerge) {
    w.start("replacementOf").attr("typeCode", "RPLC");
    w.start("priorRegistration").attr("classCode", "REG").attr("moodCode", "EVN");
    write_code(w, "statusCode", "obsolete");
    w.start("subject1").attr("typeCode", "SBJ");
    w.start("priorRegisteredRole").attr("classCode", "PAT");
    for (const Ii& id : feed.prior_ids)
      write_ii(w, "id", id);
    w.end().end().end().end();
  }
  w.end().end().end();  // registrationEvent, subject, controlActProcess
  w.end();              // root
}

}  // namespace hareyaka::hl7v3
