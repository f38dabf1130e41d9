#include "gateway/hosted/tenant.hpp"

#include <chrono>
#include <filesystem>
#include <map>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/uuid.hpp"
#include "gateway/data_api.hpp"
#include "gateway/hosted/registration.hpp"
#include "gateway/hosted/upload_access.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/jahis/notebook.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::gateway::hosted {
namespace {

namespace fs = std::filesystem;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kUploadBodyLimit = 256u << 20;

std::string tenant_dir(const SharedParts& shared, const TenantSettings& s) {
  return shared.tenants_dir + "/" + s.id;
}

std::string state_dir(const SharedParts& shared, const TenantSettings& s) {
  const std::string d = tenant_dir(shared, s) + "/state";
  fs::create_directories(d);
  return d;
}

}  // namespace

Tenant::Tenant(TenantSettings settings, const SharedParts& shared)
    : settings_(std::move(settings)),
      shared_(shared),
      dir_(tenant_dir(shared_, settings_)),
      audit_(state_dir(shared_, settings_) + "/audit.jsonl"),
      store_(dir_, settings_.quota_bytes, shared_.limits),
      dispensings_(dir_),
      fhir_(dir_) {
  storage::IndexOptions o;
  o.standard_root = store_.standard_root();
  o.extended_root = store_.extended_root();
  o.cache_file = dir_ + "/state/index.cache";
  o.threads = 1;
  o.reject_pid_mismatch = true;
  o.use_inotify = false;  // only uploads write here, and they refresh the index themselves
  o.progress_interval = std::chrono::hours(1);
  o.on_patient_changed = [this](const std::string& patient_id) {
    if (publisher_) {
      publisher_->patient_changed(patient_id);
      if (queued_)
        queued_();
    }
  };
  o.on_problem = [id = settings_.id](const storage::Problem& p) {
    log::warn("unusable file",
              {.component = "hosted", .detail = id + ": " + p.reason, .file = p.path});
  };
  index_ = std::make_unique<storage::StorageIndex>(std::move(o));
  if (!shared_.portal_url.empty()) {
    outbox_ = std::make_unique<publish::Outbox>(dir_ + "/state");
    publisher_ = std::make_unique<publish::Publisher>(
        *index_, *outbox_,
        publish::PublisherSettings{.portal_url = shared_.portal_url,
                                   .tls = settings_.tls,
                                   .facility_oid = settings_.facility_oid,
                                   .patient_authority = settings_.patient_authority,
                                   // the dispensings in the locator's "prescriptions", the
                                   // FHIR uploads' items in their categories
                                   .extra =
                                       [this](const std::string& patient_id) {
                                         auto out = fhir_.dates(patient_id);
                                         for (const auto& o : dispensings_.orders(patient_id))
                                           out["prescriptions"].push_back(
                                               encoding::compact_date(o.value("date", "")));
                                         return out;
                                       },
                                   .client_thread = shared_.client_thread});
  }
  add_routes();
}

Tenant::~Tenant() = default;

void Tenant::start() {
  store_.recover();  // a recovered commit's files are in the scan that follows
  index_->scan();
  if (publisher_) {
    publisher_->resync();
    if (queued_)
      queued_();
  }
}

json Tenant::status() const {
  const auto stats = index_->stats();
  json j{{"id", settings_.id},
         {"facility_oid", settings_.facility_oid},
         {"patients", stats.patients},
         {"files", stats.stored_files},
         {"errors", stats.errors},
         {"used_bytes", store_.used_bytes()},
         {"quota_bytes", store_.quota_bytes()}};
  if (publisher_)
    j["publish"] = publisher_->status();
  return j;
}

void Tenant::add_routes() {
  // The data API, as a hospital gateway's, over this tenant's index alone. No parsed-file
  // cache: that cache is keyed by storage path, which two tenants may share.
  add_data_routes(
      router_,
      {.index = *index_,
       .verifier = shared_.verifier,
       .audit = audit_,
       .settings = {.facility_oid = settings_.facility_oid,
                    .patient_authority = settings_.patient_authority,
                    .unknown_users = shared_.unknown_users},
       .directory = shared_.directory,
       .parsed_files = nullptr,
       .readers = &shared_.readers,
       .supplement = [this](const std::string& patient_id,
                            std::string_view category) { return supplement(patient_id, category); },
       .document = [this](const std::string& patient_id,
                          const std::string& id) { return fhir_.document(patient_id, id); }});
  const UploadChecker checker{shared_.verifier, audit_, settings_.facility_oid, shared_.directory,
                              shared_.unknown_users};
  router_.add_blocking(
      "POST", "/gw/v1/uploads/ssmix2",
      [this, checker](Request& req) {
        const std::string type = req.media_type();
        if (type != "application/zip" && type != "application/x-zip-compressed")
          throw Error(ErrorCode::kUnsupportedMediaType,
                      "an SS-MIX2 upload is a zip archive (Content-Type: application/zip)");
        const AccessAssertion who = authorize_upload(checker, req, "ssmix2");
        std::vector<std::string> placed;
        UploadReport report = store_.upload(req.body, placed);
        const int status = finish_upload(checker, req, who, report, placed,
                                         storage::StorageKind::kStandard, "", "ssmix2");
        return Response::json(status, report.to_json().dump());
      },
      {.body_limit = kUploadBodyLimit,
       .summary = "an SS-MIX2 standard storage upload (zip): all files stored or none"});
  add_jahis_route(checker);
  add_disclosed_routes(checker);
  add_fhir_route(checker);
  add_form_routes(checker);
  router_.add_blocking(
      "GET", "/gw/v1/uploads",
      [this, checker](Request& req) {
        authorize_upload(checker, req, "list");
        json items = json::array();
        for (auto& r : store_.reports(100))
          items.push_back(std::move(r));
        return Response::json(200, json{{"items", items},
                                        {"used_bytes", store_.used_bytes()},
                                        {"quota_bytes", store_.quota_bytes()}}
                                       .dump());
      },
      {.body_limit = 0, .summary = "the reports of this facility's recent uploads"});
  router_.add_blocking("GET", "/gw/v1/publish/status",
                       [this](Request& req) {
                         shared_.readers.require(req);
                         return Response::json(200,
                                               publisher_ ? publisher_->status().dump() : "{}");
                       },
                       {.body_limit = 0, .summary = "what the portal has not acknowledged yet"});
}

int Tenant::finish_upload(const UploadChecker& checker, const Request& req,
                          const AccessAssertion& who, const UploadReport& report,
                          const std::vector<std::string>& placed, storage::StorageKind kind,
                          const std::string& changed, const std::string& action) {
  for (const auto& path : placed)
    index_->refresh(kind, path);  // the index tells the publisher of its patients' changes
  if (!changed.empty() && publisher_) {
    publisher_->patient_changed(changed);
    if (queued_)
      queued_();
  }
  audit_upload(checker, req, who, report, action);
  store_.save_report(report);
  log::info("upload",
            {.request_id = req.request_id,
             .component = "hosted",
             .detail = settings_.id + ": " + action + (report.accepted() ? " stored" : " refused"),
             .count = static_cast<std::int64_t>(report.stored)});
  return report.status();
}

void Tenant::add_jahis_route(const UploadChecker& checker) {
  router_.add_blocking(
      "POST", "/gw/v1/uploads/jahis",
      [this, checker](Request& req) {
        const std::string patient_id = req.query_param("patient_id").value_or("");
        if (!ssmix2::valid_patient_id(patient_id))
          throw Error(ErrorCode::kBadRequest,
                      "patient_id: the pharmacy's id for the patient (letters and digits)");
        const AccessAssertion who = authorize_upload(checker, req, "jahis");
        UploadReport report;
        report.upload_id = random_uuid();
        report.received_at = encoding::iso_utc(std::chrono::system_clock::now());
        report.bytes = req.body.size();
        UploadFile file{"notebook", "", "stored", ""};
        jahis::Notebook notebook;
        try {
          notebook = jahis::parse_notebook(req.body);
        } catch (const Error& e) {
          file.status = "rejected";
          file.reason = e.external();
        }
        if (file.status == "stored" && notebook.dispensings.empty()) {
          file.status = "rejected";
          file.reason = "no dispensing (record 5) in the file";
        }
        // Checked before the registration, so that a refused file registers nobody (charge()
        // below checks again under the store's lock).
        if (file.status == "stored" &&
            store_.used_bytes() + req.body.size() > store_.quota_bytes()) {
          file.status = "rejected";
          file.reason = "over the facility's quota";
          report.error = "over the facility's quota: " + std::to_string(store_.used_bytes()) +
                         " of " + std::to_string(store_.quota_bytes()) + " bytes used";
          report.error_status = 413;
        }
        std::vector<std::string> placed;
        if (file.status == "stored") {
          // The file first, the registration after (as the FHIR route): a crash between the
          // two never leaves a patient published for an upload that was not acknowledged.
          const bool added = store_.charge(req.body.size(), [&] {
            return dispensings_.put(patient_id, notebook.dispensings.front().date, req.body);
          });
          if (!index_->has_patient(patient_id)) {
            // A patient new to this pharmacy: registered from the notebook's record 1.
            Registration r{.patient_id = patient_id};
            split_name(notebook.patient.name, r.family, r.given);
            split_name(notebook.patient.kana, r.family_kana, r.given_kana);
            r.sex = notebook.patient.sex == "M" || notebook.patient.sex == "F"
                        ? notebook.patient.sex[0]
                        : 'U';
            r.birth_date = notebook.patient.birth_date;
            r.postal_code = notebook.patient.postal_code;
            r.address = notebook.patient.address;
            r.phone = notebook.patient.phone;
            const auto adt = demographics_file(r, settings_.facility_oid, ssmix2_timestamp_now());
            store_.place(adt.path, adt.bytes, placed);
            file.path = adt.path;
          }
          file.status = added ? "stored" : "unchanged";
          for (const auto& w : notebook.warnings)
            file.reason += (file.reason.empty() ? "line " : "; line ") + std::to_string(w.line) +
                           ": " + w.message;
        }
        report.files.push_back(file);
        report.tally();
        // The locator counts the dispensings.
        const int status =
            finish_upload(checker, req, who, report, placed, storage::StorageKind::kStandard,
                          report.stored ? patient_id : "", "jahis");
        return Response::json(status, report.to_json().dump());
      },
      {.body_limit = 8u << 20,
       .summary = "a pharmacy's dispensing records (JAHIS 電子版お薬手帳 CSV) for one patient"});
}

}  // namespace hareyaka::gateway::hosted
