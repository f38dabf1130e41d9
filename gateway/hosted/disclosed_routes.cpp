// What a hosted facility has disclosed, for its data manager (issue #17's tenant page): its
// patients, each patient's shown records, and their withdrawal. Nothing is deleted: a withdrawn
// SS-MIX2 file stays in the storage, hidden by the deletion file (condition flag 0) written
// beside it, as an EMR withdraws an order; a withdrawn お薬手帳 or FHIR upload is kept renamed;
// a withdrawn web-form document keeps its file, its content folder taking condition flag 0. Every
// withdrawal is audited and listed with the upload reports. A correction is a withdrawal and a
// new upload (a newer file), so the old version is never silently replaced.
#include <algorithm>
#include <charconv>
#include <filesystem>

#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "common/uuid.hpp"
#include "gateway/hosted/care_form.hpp"
#include "gateway/hosted/registration.hpp"
#include "gateway/hosted/tenant.hpp"
#include "gateway/record/record_query.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/ssmix2/file_name.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::hosted {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kMaxReason = 200;

std::size_t limit_param(const Request& req) {
  std::size_t limit = 50;
  if (auto v = req.query_param("limit")) {
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), limit);
    if (ec != std::errc() || p != v->data() + v->size() || limit < 1 || limit > 200)
      throw Error(ErrorCode::kBadRequest, "'limit' must be 1 to 200");
  }
  return limit;
}

json record_json(const std::string& patient_id, const storage::FileEntry& e) {
  const ssmix2::FileName name = e.file_name(patient_id);
  return {{"path", ssmix2::standard_relative_path(name)},
          {"data_type", std::string(ssmix2::to_string(e.type()))},
          {"date", e.date() ? encoding::iso_date(e.date()) : std::string()},
          {"order_no", e.order_no()},
          {"timestamp", std::to_string(e.timestamp)},
          {"department", e.department()}};
}

// The name fields of a patient's demographics, for the list (no more than the page shows).
json name_of(const storage::StorageIndex& index, const std::string& patient_id) {
  const auto d = record::demographics(index, patient_id, nullptr);
  if (!d || !(*d)["patient"].is_object())
    return json::object();
  const json& p = (*d)["patient"];
  return {{"name_kanji", p.value("name_kanji", json::object())},
          {"name_kana", p.value("name_kana", json::object())},
          {"birth_date", p.value("birth_date", "")},
          {"sex", p.value("sex", "")}};
}

std::string required_text(const json& body, const char* key, std::size_t max) {
  const auto it = body.find(key);
  if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    throw Error(ErrorCode::kUnprocessable, std::string(key) + ": required");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max)
    throw Error(ErrorCode::kUnprocessable,
                std::string(key) + ": at most " + std::to_string(max) + " bytes");
  return s;
}

}  // namespace

void Tenant::add_disclosed_routes(const UploadChecker& checker) {
  router_.add_blocking(
      "GET", "/gw/v1/uploads/patients",
      [this, checker](Request& req) {
        authorize_upload(checker, req, "patients");
        const std::size_t limit = limit_param(req);
        const auto ids = index_->patient_ids(req.query_param("after").value_or(""), limit);
        json items = json::array();
        for (const auto& id : ids) {
          json item = name_of(*index_, id);
          item["patient_id"] = id;
          item["records"] = index_->current_files(id).size();
          item["dispensing_files"] = dispensings_.files(id).size();
          item["fhir_files"] = fhir_.files(id).size();
          item["documents"] = index_->documents(id).size();
          items.push_back(std::move(item));
        }
        json out{{"items", items}, {"next_after", nullptr}};
        if (ids.size() == limit)
          out["next_after"] = ids.back();
        return Response::json(200, out.dump());
      },
      {.body_limit = 0, .summary = "the facility's disclosed patients, paged (data manager)"});

  router_.add_blocking(
      "GET", "/gw/v1/uploads/patients/{id}",
      [this, checker](Request& req) {
        authorize_upload(checker, req, "patient");
        const std::string& id = req.param("id");
        if (!ssmix2::valid_patient_id(id) || !index_->has_patient(id))
          throw Error(ErrorCode::kNotFound, "no such patient at this facility");
        json records = json::array();
        for (const auto& e : index_->current_files(id))
          records.push_back(record_json(id, e));
        json dispensing = json::array();
        for (const auto& f : dispensings_.files(id))
          dispensing.push_back({{"file", f.name}, {"date", f.date}, {"bytes", f.bytes}});
        json fhir = json::array();
        for (const auto& f : fhir_.files(id))
          fhir.push_back({{"file", f.name}, {"date", f.date}, {"bytes", f.bytes}});
        json documents = json::array();
        for (const auto& d : index_->documents(id))
          documents.push_back({{"document_id", d.id},
                               {"title", std::filesystem::path(d.relative_path).stem().string()},
                               {"date", d.date ? encoding::iso_date(d.date) : std::string()},
                               {"bytes", d.size}});
        json out = name_of(*index_, id);
        out["patient_id"] = id;
        out["records"] = std::move(records);
        out["dispensing_files"] = std::move(dispensing);
        out["fhir_files"] = std::move(fhir);
        out["documents"] = std::move(documents);
        return Response::json(200, out.dump());
      },
      {.body_limit = 0, .summary = "one disclosed patient's shown records (data manager)"});

  router_.add_blocking(
      "POST", "/gw/v1/uploads/withdraw",
      [this, checker](Request& req) {
        const AccessAssertion who = authorize_upload(checker, req, "withdraw");
        json body;
        try {
          body = json::parse(req.body);
        } catch (const json::exception&) {
          throw Error(ErrorCode::kBadRequest, "the body is not JSON");
        }
        if (!body.is_object())
          throw Error(ErrorCode::kBadRequest, "the body must be a JSON object");
        const std::string patient_id = required_text(body, "patient_id", 64);
        const std::string reason = required_text(body, "reason", kMaxReason);
        if (!ssmix2::valid_patient_id(patient_id) || !index_->has_patient(patient_id))
          throw Error(ErrorCode::kNotFound, "no such patient at this facility");

        UploadReport report;
        report.upload_id = random_uuid();
        report.received_at = encoding::iso_utc(std::chrono::system_clock::now());
        UploadFile file{.name = "withdrawal", .path = "", .status = "withdrawn", .reason = reason};
        std::vector<std::string> placed, extended;
        if (body.contains("path")) {
          const std::string path = required_text(body, "path", 512);
          const auto check = ssmix2::check_standard_path(path);
          if (!check.problems.empty() || !check.name || check.name->patient_id != patient_id)
            throw Error(ErrorCode::kUnprocessable, "path: not a standard file of this patient");
          if (check.name->type == ssmix2::DataType::kAdt00)
            throw Error(ErrorCode::kUnprocessable,
                        "a patient's registration (ADT-00) is corrected by a new registration, "
                        "not withdrawn");
          const auto current = index_->current_files(patient_id);
          const auto shown = std::find_if(current.begin(), current.end(), [&](const auto& e) {
            return ssmix2::standard_relative_path(e.file_name(patient_id)) == path;
          });
          if (shown == current.end())
            throw Error(ErrorCode::kNotFound, "path: no such shown record of this patient");
          const auto bytes = read_whole_file(store_.standard_root() + "/" + path);
          if (!bytes)
            throw Error(ErrorCode::kInternal, "the record's file cannot be read");
          // The deletion file: the same date, data type and order number, now, flag 0.
          ssmix2::FileName deletion = *check.name;
          deletion.condition = ssmix2::Condition::kDeleted;
          deletion.timestamp = std::max(ssmix2_timestamp_now(), deletion.timestamp + 1);
          file.path = ssmix2::standard_relative_path(deletion);
          store_.place(file.path, *bytes, placed);
        } else if (body.contains("file")) {
          const std::string name = required_text(body, "file", 128);
          if (!dispensings_.withdraw(patient_id, name))
            throw Error(ErrorCode::kNotFound, "file: no such お薬手帳 file of this patient");
          file.path = "received/jahis/" + patient_id + "/" + name;
        } else if (body.contains("fhir")) {
          const std::string name = required_text(body, "fhir", 128);
          if (!fhir_.withdraw(patient_id, name))
            throw Error(ErrorCode::kNotFound, "fhir: no such FHIR upload of this patient");
          file.path = "received/fhir/" + patient_id + "/" + name;
        } else if (body.contains("document")) {
          const std::string id = required_text(body, "document", 128);
          file.path = withdraw_document(store_, *index_, patient_id, id, extended).path;
        } else {
          throw Error(ErrorCode::kUnprocessable,
                      "name the record: 'path' (an SS-MIX2 file), 'file' (an お薬手帳 file), "
                      "'fhir' (a FHIR upload) or 'document' (a document of the web form)");
        }
        report.files.push_back(file);
        for (const auto& p : extended)
          index_->refresh(storage::StorageKind::kExtended, p);
        finish_upload(checker, req, who, report, placed, storage::StorageKind::kStandard,
                      patient_id, "withdraw");
        return Response::json(200, report.to_json().dump());
      },
      {.body_limit = 4096,
       .summary = "withdraw one disclosed record (kept, hidden by a deletion file; audited)"});
}

}  // namespace hareyaka::gateway::hosted
