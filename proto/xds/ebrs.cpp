#include "proto/xds/ebrs.hpp"

#include <algorithm>

namespace hareyaka::xds {
namespace {

// Classification schemes and identification schemes of a DocumentEntry (ITI TF-3 4.2.5).
constexpr std::string_view kAuthor = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d";
constexpr std::string_view kClassCode = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a";
constexpr std::string_view kConfidentiality = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f";
constexpr std::string_view kFormatCode = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d";
constexpr std::string_view kFacilityType = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1";
constexpr std::string_view kPracticeSetting = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead";
constexpr std::string_view kTypeCode = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983";
constexpr std::string_view kPatientIdScheme = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427";
constexpr std::string_view kUniqueIdScheme = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab";
constexpr std::string_view kClassificationNode =
    "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification";
constexpr std::string_view kExternalIdentifierType =
    "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier";
constexpr std::string_view kErrorSeverity = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:";

[[noreturn]] void refuse(std::string context, std::string location,
                         std::string code = "XDSRegistryError") {
  throw RequestError({std::move(code), std::move(context), std::move(location)});
}

std::string trim(std::string_view s) {
  const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && ws(s.back()))
    s.remove_suffix(1);
  return std::string(s);
}

// One scalar of a stored query parameter: 'text' (a doubled quote inside stands for one) or
// a bare number/token of letters, digits, '.', '-', ':' and '_'.
std::optional<std::string> scalar(std::string_view v) {
  if (v.empty())
    return std::nullopt;
  if (v.front() == '\'') {
    std::string out;
    for (std::size_t i = 1; i < v.size(); ++i) {
      if (v[i] != '\'') {
        out += v[i];
      } else if (i + 1 < v.size() && v[i + 1] == '\'') {
        out += '\'';
        ++i;
      } else {
        return i + 1 == v.size() ? std::optional(out) : std::nullopt;  // text after the quote
      }
    }
    return std::nullopt;  // unterminated
  }
  const bool bare = std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '-' || c == ':' || c == '_';
  });
  return bare ? std::optional(std::string(v)) : std::nullopt;
}

// A Value: a scalar or "(" scalar {"," scalar} ")"; commas inside quotes belong to the text.
bool split_value(std::string_view raw, std::vector<std::string>& out) {
  const std::string v = trim(raw);
  if (v.size() >= 2 && v.front() == '(' && v.back() == ')') {
    const std::string_view inner(v.data() + 1, v.size() - 2);
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= inner.size(); ++i) {
      if (i < inner.size() && inner[i] == '\'')
        quoted = !quoted;  // a doubled quote toggles twice: still inside
      if (i == inner.size() || (!quoted && inner[i] == ',')) {
        auto s = scalar(trim(inner.substr(start, i - start)));
        if (!s)
          return false;
        out.push_back(std::move(*s));
        start = i + 1;
      }
    }
    return !quoted;
  }
  auto s = scalar(v);
  if (!s)
    return false;
  out.push_back(std::move(*s));
  return true;
}

void slot(xml::Writer& w, std::string_view name, const std::vector<std::string>& values) {
  w.start("Slot", "rim").attr("name", name).start("ValueList", "rim");
  for (const auto& v : values)
    w.element("Value", v, "rim");
  w.end().end();
}

void localized(xml::Writer& w, std::string_view element, std::string_view text) {
  w.start(element, "rim").start("LocalizedString", "rim");
  w.attr_ns("xml", "lang", "ja-JP").attr("charset", "UTF-8").attr("value", text);
  w.end().end();
}

void classification(xml::Writer& w, const std::string& object, int& seq, std::string_view scheme,
                    const Code& c) {
  w.start("Classification", "rim")
      .attr("id", object + "-c" + std::to_string(++seq))
      .attr("objectType", kClassificationNode)
      .attr("classificationScheme", scheme)
      .attr("classifiedObject", object)
      .attr("nodeRepresentation", c.code);
  slot(w, "codingScheme", {c.scheme});
  localized(w, "Name", c.display.empty() ? c.code : c.display);
  w.end();
}

void external_id(xml::Writer& w, const std::string& object, int& seq, std::string_view scheme,
                 std::string_view value, std::string_view name) {
  w.start("ExternalIdentifier", "rim")
      .attr("id", object + "-e" + std::to_string(++seq))
      .attr("objectType", kExternalIdentifierType)
      .attr("registryObject", object)
      .attr("identificationScheme", scheme)
      .attr("value", value);
  localized(w, "Name", name);
  w.end();
}

void extrinsic_object(xml::Writer& w, const DocumentEntry& e) {
  w.start("ExtrinsicObject", "rim")
      .attr("id", e.entry_uuid)
      .attr("home", e.home_community_id)
      .attr("objectType", e.object_type)
      .attr("status", kApproved)
      .attr("mimeType", e.mime_type);
  if (!e.creation_time.empty())
    slot(w, "creationTime", {e.creation_time});
  slot(w, "languageCode", {e.language});
  slot(w, "repositoryUniqueId", {e.repository_unique_id});
  if (!e.service_start.empty())
    slot(w, "serviceStartTime", {e.service_start});
  if (!e.service_stop.empty())
    slot(w, "serviceStopTime", {e.service_stop});
  slot(w, "sourcePatientId", {format_patient_id(e.source_patient_id)});
  if (!e.title.empty())
    localized(w, "Name", e.title);
  int seq = 0;
  // The author: the disclosing facility (an authorInstitution only).
  w.start("Classification", "rim")
      .attr("id", e.entry_uuid + "-c" + std::to_string(++seq))
      .attr("objectType", kClassificationNode)
      .attr("classificationScheme", kAuthor)
      .attr("classifiedObject", e.entry_uuid)
      .attr("nodeRepresentation", "");
  slot(w, "authorInstitution", {e.author_institution});
  w.end();
  classification(w, e.entry_uuid, seq, kClassCode, e.class_code);
  classification(w, e.entry_uuid, seq, kConfidentiality, e.confidentiality_code);
  classification(w, e.entry_uuid, seq, kFormatCode, e.format_code);
  classification(w, e.entry_uuid, seq, kFacilityType, e.facility_type_code);
  classification(w, e.entry_uuid, seq, kPracticeSetting, e.practice_setting_code);
  classification(w, e.entry_uuid, seq, kTypeCode, e.type_code);
  external_id(w, e.entry_uuid, seq, kPatientIdScheme, format_patient_id(e.patient_id),
              "XDSDocumentEntry.patientId");
  external_id(w, e.entry_uuid, seq, kUniqueIdScheme, e.unique_id, "XDSDocumentEntry.uniqueId");
  w.end();
}

void error_list(xml::Writer& w, const std::vector<RegistryError>& errors) {
  if (errors.empty())
    return;
  w.start("RegistryErrorList", "rs");
  for (const auto& e : errors) {
    w.start("RegistryError", "rs")
        .attr("errorCode", e.code)
        .attr("codeContext", e.context)
        .attr("severity", std::string(kErrorSeverity) + (e.warning ? "Warning" : "Error"));
    if (!e.location.empty())
      w.attr("location", e.location);
    w.end();
  }
  w.end();
}

std::string status_of(bool any_result, const std::vector<RegistryError>& errors) {
  const bool any_error =
      std::any_of(errors.begin(), errors.end(), [](const RegistryError& e) { return !e.warning; });
  if (!any_error)
    return std::string(kSuccess);
  return std::string(any_result ? kPartialSuccess : kFailure);
}

std::vector<RegistryError> read_errors(xml::Node response) {
  std::vector<RegistryError> out;
  for (const auto& list : response.children(kRsNs, "RegistryErrorList")) {
    for (const auto& e : list.children(kRsNs, "RegistryError")) {
      out.push_back({e.attr("errorCode").value_or(""), e.attr("codeContext").value_or(""),
                     e.attr("location").value_or(""),
                     e.attr("severity").value_or("").ends_with("Warning")});
    }
  }
  return out;
}

std::string slot_value(xml::Node object, std::string_view name) {
  for (const auto& s : object.children(kRimNs, "Slot")) {
    if (s.attr("name") == name) {
      for (const auto& list : s.children(kRimNs, "ValueList")) {
        for (const auto& v : list.children(kRimNs, "Value"))
          return v.text();
      }
    }
  }
  return "";
}

std::string localized_value(xml::Node parent, std::string_view element) {
  if (auto n = parent.child(kRimNs, element)) {
    if (auto l = n.child(kRimNs, "LocalizedString"))
      return l.attr("value").value_or("");
  }
  return "";
}

}  // namespace

const std::vector<std::string>* StoredQuery::slot(std::string_view name) const {
  auto it = slots.find(std::string(name));
  return it == slots.end() ? nullptr : &it->second;
}

StoredQuery parse_adhoc_query(xml::Node root) {
  if (!root || !root.is(kQueryNs, "AdhocQueryRequest"))
    refuse("an AdhocQueryRequest (ebRS 3.0 query namespace) is expected", "Body");
  StoredQuery q;
  if (auto opt = root.child(kQueryNs, "ResponseOption"))
    q.leaf_class = opt.attr("returnType").value_or("LeafClass") != "ObjectRef";
  const xml::Node query = root.child(kRimNs, "AdhocQuery");
  if (!query)
    refuse("the request has no AdhocQuery", "AdhocQueryRequest");
  q.id = query.attr("id").value_or("");
  if (q.id.empty())
    refuse("the AdhocQuery has no id (the stored query)", "AdhocQuery");
  q.home_community_id = query.attr("home").value_or("");
  for (const auto& s : query.children(kRimNs, "Slot")) {
    const std::string name = s.attr("name").value_or("");
    if (name.empty())
      refuse("a Slot of the AdhocQuery has no name", "AdhocQuery/Slot");
    auto& values = q.slots[name];
    for (const auto& list : s.children(kRimNs, "ValueList")) {
      for (const auto& v : list.children(kRimNs, "Value")) {
        if (!split_value(v.text(), values))
          refuse("the value of " + name +
                     " is not a quoted string, a number or a parenthesised list of them",
                 name);
      }
    }
  }
  return q;
}

std::optional<PatientId> parse_patient_id(std::string_view cx) {
  const auto caret = cx.find("^^^&");
  if (caret == std::string_view::npos || caret == 0 || !cx.ends_with("&ISO"))
    return std::nullopt;
  PatientId p{std::string(cx.substr(0, caret)),
              std::string(cx.substr(caret + 4, cx.size() - caret - 8))};
  const auto oid = [](const std::string& s) {
    return !s.empty() && s.front() != '.' && s.back() != '.' &&
           std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  };
  if (!oid(p.root) || p.id.find_first_of("^&~\\|") != std::string::npos)
    return std::nullopt;
  return p;
}

std::string format_patient_id(const PatientId& p) {
  return p.id + "^^^&" + p.root + "&ISO";
}

std::vector<DocumentRequest> parse_retrieve_request(xml::Node root) {
  if (!root || !root.is(kXdsbNs, "RetrieveDocumentSetRequest"))
    refuse("a RetrieveDocumentSetRequest (urn:ihe:iti:xds-b:2007) is expected", "Body");
  std::vector<DocumentRequest> out;
  for (const auto& d : root.children(kXdsbNs, "DocumentRequest")) {
    DocumentRequest r;
    if (auto n = d.child(kXdsbNs, "HomeCommunityId"))
      r.home_community_id = trim(n.text());
    if (auto n = d.child(kXdsbNs, "RepositoryUniqueId"))
      r.repository_unique_id = trim(n.text());
    if (auto n = d.child(kXdsbNs, "DocumentUniqueId"))
      r.document_unique_id = trim(n.text());
    if (r.repository_unique_id.empty() || r.document_unique_id.empty())
      refuse("a DocumentRequest needs a RepositoryUniqueId and a DocumentUniqueId",
             "DocumentRequest[" + std::to_string(out.size() + 1) + "]");
    out.push_back(std::move(r));
  }
  if (out.empty())
    refuse("the request names no DocumentRequest", "RetrieveDocumentSetRequest");
  return out;
}

void write_query_response(xml::Writer& w, const std::vector<DocumentEntry>& entries,
                          const std::vector<RegistryError>& errors, bool leaf_class) {
  w.start_ns("query", "AdhocQueryResponse", kQueryNs)
      .declare("rim", kRimNs)
      .declare("rs", kRsNs)
      .attr("status", status_of(!entries.empty(), errors));
  error_list(w, errors);
  w.start("RegistryObjectList", "rim");
  for (const auto& e : entries) {
    if (leaf_class) {
      extrinsic_object(w, e);
    } else {
      w.start("ObjectRef", "rim").attr("id", e.entry_uuid).attr("home", e.home_community_id).end();
    }
  }
  w.end().end();
}

void write_retrieve_response(xml::Writer& w, const std::vector<RetrievedDocument>& documents,
                             const std::vector<RegistryError>& errors) {
  w.start_ns("xdsb", "RetrieveDocumentSetResponse", kXdsbNs).declare("rs", kRsNs);
  w.start("RegistryResponse", "rs").attr("status", status_of(!documents.empty(), errors));
  error_list(w, errors);
  w.end();
  for (const auto& d : documents) {
    w.start("DocumentResponse", "xdsb");
    if (!d.request.home_community_id.empty())
      w.element("HomeCommunityId", d.request.home_community_id, "xdsb");
    w.element("RepositoryUniqueId", d.request.repository_unique_id, "xdsb");
    w.element("DocumentUniqueId", d.request.document_unique_id, "xdsb");
    if (!d.new_repository_unique_id.empty())
      w.element("NewRepositoryUniqueId", d.new_repository_unique_id, "xdsb");
    if (!d.new_document_unique_id.empty())
      w.element("NewDocumentUniqueId", d.new_document_unique_id, "xdsb");
    w.element("mimeType", d.mime_type, "xdsb");
    w.start("Document", "xdsb")
        .start_ns("xop", "Include", kXopNs)
        .attr("href", "cid:" + d.content_id)
        .end()
        .end();
    w.end();
  }
  w.end();
}

QueryResponse parse_query_response(xml::Node root) {
  if (!root || !root.is(kQueryNs, "AdhocQueryResponse"))
    refuse("an AdhocQueryResponse is expected", "Body");
  QueryResponse r;
  r.status = root.attr("status").value_or("");
  r.errors = read_errors(root);
  const xml::Node list = root.child(kRimNs, "RegistryObjectList");
  if (!list)
    return r;
  for (const auto& o : list.children(kRimNs, "ExtrinsicObject")) {
    DocumentEntry e;
    e.entry_uuid = o.attr("id").value_or("");
    e.home_community_id = o.attr("home").value_or("");
    e.object_type = o.attr("objectType").value_or("");
    e.mime_type = o.attr("mimeType").value_or("");
    e.repository_unique_id = slot_value(o, "repositoryUniqueId");
    e.service_start = slot_value(o, "serviceStartTime");
    e.service_stop = slot_value(o, "serviceStopTime");
    e.creation_time = slot_value(o, "creationTime");
    e.language = slot_value(o, "languageCode");
    if (auto p = parse_patient_id(slot_value(o, "sourcePatientId")))
      e.source_patient_id = *p;
    e.title = localized_value(o, "Name");
    for (const auto& c : o.children(kRimNs, "Classification")) {
      const std::string scheme = c.attr("classificationScheme").value_or("");
      Code code{c.attr("nodeRepresentation").value_or(""), slot_value(c, "codingScheme"),
                localized_value(c, "Name")};
      if (scheme == kAuthor)
        e.author_institution = slot_value(c, "authorInstitution");
      else if (scheme == kClassCode)
        e.class_code = code;
      else if (scheme == kTypeCode)
        e.type_code = code;
      else if (scheme == kFormatCode)
        e.format_code = code;
      else if (scheme == kConfidentiality)
        e.confidentiality_code = code;
      else if (scheme == kFacilityType)
        e.facility_type_code = code;
      else if (scheme == kPracticeSetting)
        e.practice_setting_code = code;
    }
    for (const auto& x : o.children(kRimNs, "ExternalIdentifier")) {
      const std::string scheme = x.attr("identificationScheme").value_or("");
      if (scheme == kUniqueIdScheme)
        e.unique_id = x.attr("value").value_or("");
      else if (scheme == kPatientIdScheme)
        if (auto p = parse_patient_id(x.attr("value").value_or("")))
          e.patient_id = *p;
    }
    r.entries.push_back(std::move(e));
  }
  return r;
}

RetrieveResponse parse_retrieve_response(xml::Node root) {
  if (!root || !root.is(kXdsbNs, "RetrieveDocumentSetResponse"))
    refuse("a RetrieveDocumentSetResponse is expected", "Body");
  RetrieveResponse r;
  if (auto rr = root.child(kRsNs, "RegistryResponse")) {
    r.status = rr.attr("status").value_or("");
    r.errors = read_errors(rr);
  }
  for (const auto& d : root.children(kXdsbNs, "DocumentResponse")) {
    RetrievedDocument doc;
    auto text = [&](std::string_view name) {
      auto n = d.child(kXdsbNs, name);
      return n ? trim(n.text()) : std::string();
    };
    doc.request = {text("HomeCommunityId"), text("RepositoryUniqueId"), text("DocumentUniqueId")};
    doc.new_document_unique_id = text("NewDocumentUniqueId");
    doc.new_repository_unique_id = text("NewRepositoryUniqueId");
    doc.mime_type = text("mimeType");
    if (auto body = d.child(kXdsbNs, "Document")) {
      if (auto inc = body.child(kXopNs, "Include")) {
        std::string href = inc.attr("href").value_or("");
        doc.content_id = href.starts_with("cid:") ? href.substr(4) : href;
      }
    }
    r.documents.push_back(std::move(doc));
  }
  return r;
}

}  // namespace hareyaka::xds
