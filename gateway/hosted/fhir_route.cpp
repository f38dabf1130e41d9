// POST /gw/v1/uploads/fhir?patient_id= (issue #17's FHIR way in): a JP Core resource, a
// collection or transaction Bundle of them, or a JP-CLINS document Bundle, for one patient of
// the facility, by its data manager (upload_access.hpp). Checked whole before anything is
// written (proto/fhir_in): one bad entry refuses the upload with a report per entry; an
// accepted body is kept as received (fhir_store.hpp), counted against the tenant's quota. A
// patient new to the facility is registered from the Patient resource (an ADT-00, as the
// お薬手帳 route does); for a patient already held, a Patient whose details differ from the
// newest registration is a new ADT-00 (the facility's record of the patient changed, as an
// EMR's ADT-08 update), the same details change nothing.
#include <chrono>

#include "common/error.hpp"
#include "common/uuid.hpp"
#include "gateway/hosted/care_form.hpp"
#include "gateway/hosted/registration.hpp"
#include "gateway/hosted/tenant.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/fhir_in/fhir_in.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::gateway::hosted {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

bool fhir_media_type(const Request& req) {
  const std::string t = req.media_type();
  return t == "application/fhir+json" || t == "application/json";
}

std::string entry_name(std::size_t index, const std::string& type) {
  return "entry " + std::to_string(index) + (type.empty() ? "" : " " + type);
}

Registration registration_of(const clinical::Patient& p, const std::string& patient_id) {
  Registration r{.patient_id = patient_id,
                 .family = p.name_kanji.family,
                 .given = p.name_kanji.given,
                 .family_kana = p.name_kana.family,
                 .given_kana = p.name_kana.given,
                 .sex = p.sex == "M" || p.sex == "F" ? p.sex[0] : 'U',
                 .birth_date = p.birth_date};
  if (!p.addresses.empty()) {
    r.postal_code = p.addresses.front().postal_code;
    r.address = p.addresses.front().text;
  }
  if (!p.phones.empty())
    r.phone = p.phones.front().number;
  return r;
}

}  // namespace

std::vector<json> Tenant::supplement(const std::string& patient_id,
                                     std::string_view category) const {
  std::vector<json> out = fhir_.items(patient_id, category);
  if (category == "prescriptions") {
    for (auto& o : dispensings_.orders(patient_id))
      out.push_back(std::move(o));
  }
  return out;
}

void Tenant::add_fhir_route(const UploadChecker& checker) {
  router_.add_blocking(
      "POST", "/gw/v1/uploads/fhir",
      [this, checker](Request& req) {
        if (!fhir_media_type(req))
          throw Error(ErrorCode::kUnsupportedMediaType,
                      "a FHIR upload is JSON (Content-Type: application/fhir+json)");
        const std::string patient_id = req.query_param("patient_id").value_or("");
        if (!ssmix2::valid_patient_id(patient_id))
          throw Error(ErrorCode::kBadRequest,
                      "patient_id: the facility's id for the patient (letters and digits)");
        const AccessAssertion who = authorize_upload(checker, req, "fhir");
        UploadReport report;
        report.upload_id = random_uuid();
        report.received_at = encoding::iso_utc(std::chrono::system_clock::now());
        report.bytes = req.body.size();
        fhir_in::Parsed parsed;
        try {
          parsed = fhir_in::parse(req.body, "");
        } catch (const Error& e) {
          report.error = e.external();
          report.error_status = http_status(e.code());
        }
        // Per entry: its error, else where it goes.
        std::map<std::size_t, std::string> problems;
        for (const auto& e : parsed.errors)
          problems[e.index] += (problems[e.index].empty() ? "" : "; ") + e.reason;
        std::map<std::size_t, std::string> types;
        for (const auto& e : parsed.errors)
          types[e.index] = e.resource_type;
        const bool known = index_->has_patient(patient_id);
        std::optional<StandardFile> adt;
        std::size_t patient_entry = 0;
        for (const auto& e : parsed.entries) {
          types[e.index] = e.resource_type;
          if (e.use == "patient")
            patient_entry = e.index;
        }
        if (report.error.empty() && parsed.ok()) {
          if (parsed.patient) {
            const auto& ids = parsed.patient_identifiers;
            if (std::find(ids.begin(), ids.end(), patient_id) == ids.end()) {
              problems[patient_entry] = "no identifier of the Patient is the upload's patient_id";
            } else {
              try {
                auto held = registration_file(*index_, registration_of(*parsed.patient, patient_id),
                                              settings_.facility_oid);
                if (held.changed)
                  adt = std::move(held.file);
              } catch (const Error& e) {
                problems[patient_entry] = "the patient cannot be registered: " + e.external();
              }
            }
          } else if (!known) {
            report.error =
                "the patient is not registered at this facility: include its Patient resource";
            report.error_status = 422;
          }
        }
        const bool accepted = report.error.empty() && problems.empty();
        const std::string date = parsed.document ? parsed.document->date.substr(0, 10)
                                                 : report.received_at.substr(0, 10);
        bool added = false;
        std::vector<std::string> placed;
        if (accepted) {
          const std::uint64_t adding = (fhir_.holds(patient_id, req.body) ? 0 : req.body.size()) +
                                       (adt ? adt->bytes.size() : 0);
          if (store_.used_bytes() + adding > store_.quota_bytes()) {
            report.error = "over the facility's quota: " + std::to_string(store_.used_bytes()) +
                           " of " + std::to_string(store_.quota_bytes()) +
                           " bytes used, this upload adds " + std::to_string(adding);
            report.error_status = 413;
          } else {
            // The body first, the registration after: a crash between the two leaves a body
            // the index does not show (no patient), never a registration published for an
            // upload that was not acknowledged; sent again, the upload completes.
            added = store_.charge(req.body.size(),
                                  [&] { return fhir_.put(patient_id, date, req.body); });
            if (adt) {
              store_.place(adt->path, adt->bytes, placed);
              report.files.push_back(
                  {"Patient", adt->path, "stored", known ? "updated" : "registered"});
            }
          }
        }
        for (const auto& [index, type] : types) {
          UploadFile f{entry_name(index, type), "", "", ""};
          if (auto it = problems.find(index); it != problems.end()) {
            f.status = "rejected";
            f.reason = it->second;
          } else if (!report.error.empty() || !accepted) {
            f.status = "ignored";
            f.reason = "not stored: the upload was refused";
          } else {
            f.status = added ? "stored" : "unchanged";
          }
          report.files.push_back(std::move(f));
        }
        report.tally();
        // The locator counts the new items.
        const int status =
            finish_upload(checker, req, who, report, placed, storage::StorageKind::kStandard,
                          added ? patient_id : "", "fhir");
        return Response::json(status, report.to_json().dump());
      },
      {.body_limit = fhir_in::kMaxBytes,
       .summary = "JP Core resources or a JP-CLINS document (FHIR R4 JSON) for one patient"});
}

}  // namespace hareyaka::gateway::hosted
