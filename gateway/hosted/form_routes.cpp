// The web form's routes of a hosted tenant (issue #17, care_form.hpp): a data manager of the
// facility registers a patient (POST /gw/v1/uploads/patients) and attaches a document (POST
// /gw/v1/uploads/documents). Each is authorised and audited as the other uploads are, answers
// with an upload report (kept with the facility's reports) and writes nothing when refused.
#include <chrono>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/uuid.hpp"
#include "gateway/hosted/care_form.hpp"
#include "gateway/hosted/tenant.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::gateway::hosted {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

std::string field(const json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null())
    return "";
  if (!it->is_string())
    throw Error(ErrorCode::kBadRequest, std::string(key) + ": a string");
  return it->get<std::string>();
}

Registration registration_of(const std::string& text) {
  const json body = json::parse(text, nullptr, false);
  if (!body.is_object())
    throw Error(ErrorCode::kBadRequest, "the body is a JSON object of the patient's details");
  Registration r{.patient_id = field(body, "patient_id"),
                 .family = field(body, "family"),
                 .given = field(body, "given"),
                 .family_kana = field(body, "family_kana"),
                 .given_kana = field(body, "given_kana"),
                 .sex = 'U',
                 .birth_date = field(body, "birth_date"),
                 .postal_code = field(body, "postal_code"),
                 .address = field(body, "address"),
                 .phone = field(body, "phone")};
  const std::string sex = field(body, "sex");
  if (sex.size() > 1)
    throw Error(ErrorCode::kUnprocessable, "sex: M, F or U");
  if (sex.size() == 1)
    r.sex = sex[0];
  return r;
}

UploadReport new_report(const Request& req, const std::string& name) {
  UploadReport report;
  report.upload_id = random_uuid();
  report.received_at = encoding::iso_utc(std::chrono::system_clock::now());
  report.bytes = req.body.size();
  report.files.push_back({name, "", "", ""});
  return report;
}

// The report of a form action that `fn` performs; a refusal (Error) is the report's only
// file, rejected, with the error's message and status.
template <typename Fn>
int run_form(UploadReport& report, Fn&& fn) {
  UploadFile& file = report.files.front();
  try {
    const FormResult r = fn();
    file.status = r.status;
    file.path = r.path;
    report.stored = r.status == "stored";
    report.unchanged = r.status == "unchanged";
    return 200;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInternal || e.code() == ErrorCode::kUnavailable)
      throw;
    file.status = "rejected";
    file.reason = e.external();
    report.rejected = 1;
    return http_status(e.code());
  }
}

}  // namespace

void Tenant::add_form_routes(const UploadChecker& checker) {
  router_.add_blocking(
      "POST", "/gw/v1/uploads/patients",
      [this, checker](Request& req) {
        if (req.media_type() != "application/json")
          throw Error(ErrorCode::kUnsupportedMediaType,
                      "a registration is JSON (Content-Type: application/json)");
        const AccessAssertion who = authorize_upload(checker, req, "patient");
        UploadReport report = new_report(req, "patient");
        std::vector<std::string> placed;
        std::string patient_id;
        const int status = run_form(report, [&] {
          const Registration r = registration_of(req.body);
          patient_id = r.patient_id;
          return register_patient(store_, *index_, r, settings_.facility_oid, placed);
        });
        // The index feeds the portal the registration (ITI-44).
        finish_upload(checker, req, who, report, placed, storage::StorageKind::kStandard, "",
                      "patient");
        json out = report.to_json();
        out["patient_id"] = patient_id;
        return Response::json(status, out.dump());
      },
      {.body_limit = 64u << 10,
       .summary = "registers or updates a patient from the facility's web form (an ADT-00)"});
  router_.add_blocking(
      "POST", "/gw/v1/uploads/documents",
      [this, checker](Request& req) {
        const AccessAssertion who = authorize_upload(checker, req, "document");
        DocumentForm form{.patient_id = req.query_param("patient_id").value_or(""),
                          .title = req.query_param("title").value_or(""),
                          .category = req.query_param("category").value_or(""),
                          .date = req.query_param("date").value_or(""),
                          .media_type = req.media_type(),
                          .supersedes = req.query_param("supersedes").value_or("")};
        UploadReport report = new_report(req, "document");
        std::vector<std::string> placed;
        std::string document_id;
        const int status = run_form(report, [&] {
          FormResult r = store_document(store_, *index_, form, req.body, placed);
          document_id = r.document_id;
          return r;
        });
        // The index tells the locator of the documents.
        finish_upload(checker, req, who, report, placed, storage::StorageKind::kExtended, "",
                      "document");
        json out = report.to_json();
        if (!document_id.empty())
          out["document_id"] = document_id;
        if (!form.supersedes.empty() && report.stored)
          out["superseded"] = form.supersedes;
        return Response::json(status, out.dump());
      },
      {.body_limit = kMaxDocumentBytes + 1,
       .summary = "attaches a PDF, JPEG or PNG document to a registered patient (extended "
                  "storage)"});
}

}  // namespace hareyaka::gateway::hosted
