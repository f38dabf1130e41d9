#include "gateway/dicom_service.hpp"

#include <charconv>
#include <filesystem>

#include "common/log.hpp"
#include "gateway/dicom/codecs.hpp"
#include "gateway/dicom/importer.hpp"

namespace hareyaka::gateway {
namespace {

namespace fs = std::filesystem;

dicom::ScpSettings scp_settings(const DicomSettings& s) {
  dicom::ScpSettings o;
  o.ae_title = s.ae_title;
  o.port = static_cast<std::uint16_t>(s.port);
  o.allowed_calling_aes = s.allowed_calling_aes;
  o.max_associations = static_cast<std::size_t>(s.max_associations);
  return o;
}

}  // namespace

DicomService::DicomService(const DicomSettings& settings)
    : settings_(settings), store_(settings.storage_dir), scp_(store_, scp_settings(settings)) {
  if (settings_.pacs) {
    const auto& p = *settings_.pacs;
    dicom::PacsSettings o;
    o.calling_ae = settings_.ae_title;
    o.called_ae = p.called_ae;
    o.host = p.host;
    o.port = static_cast<std::uint16_t>(p.port);
    o.retrieve = p.use_cget ? dicom::RetrieveMethod::kGet : dicom::RetrieveMethod::kMove;
    o.move_destination_ae = p.move_destination_ae;
    o.timeout = std::chrono::duration_cast<std::chrono::seconds>(p.timeout);
    if (o.timeout.count() < 1)
      o.timeout = std::chrono::seconds(1);
    pacs_ = std::make_unique<dicom::PacsClient>(std::move(o), store_);
  }
}

DicomService::~DicomService() {
  stop();
}

std::vector<publish::StudyRef> DicomService::study_refs(const std::string& patient_id) const {
  dicom::StudyQuery q;
  q.patient_id = patient_id;
  q.limit = 100000;
  std::vector<publish::StudyRef> out;
  for (const auto& s : store_.index().find_studies(q)) {
    publish::StudyRef r{.study_uid = s.head.study_uid};
    std::uint32_t date = 0;
    const auto& d = s.head.study_date;
    if (d.size() == 8 && std::from_chars(d.data(), d.data() + 8, date).ec == std::errc())
      r.date = date;
    for (const auto& m : s.modalities)
      r.modality += (r.modality.empty() ? "" : "/") + m;
    out.push_back(std::move(r));
  }
  return out;
}

void DicomService::on_new_study(std::function<void(const std::string& patient_id)> callback) {
  store_.set_on_indexed([this, callback = std::move(callback)](const dicom::InstanceRecord& r) {
    auto study = store_.index().study(r.study_uid);
    if (!study || study->instance_count != 1 || r.patient_id.empty())
      return;
    // The instance is stored whatever happens here: a failure to tell the portal now is
    // repaired by the publisher's next resynchronisation, never reported as a failed store.
    try {
      callback(r.patient_id);
    } catch (const std::exception&) {
      log::warn("new study not yet announced to the portal; the next resync will",
                {.component = "dicom"});
    }
  });
}

void DicomService::start() {
  dicom::register_codecs();
  scp_.start();
  log::info("DICOM storage SCP listening", {.component = "dicom", .port = scp_.port()});
  if (settings_.import_dir.empty()) {
    import_done_ = true;
    return;
  }
  importer_ = std::thread([this] {
    std::error_code ec;
    if (!fs::is_directory(settings_.import_dir, ec)) {
      log::warn("DICOM import folder missing", {.component = "dicom"});
    } else {
      auto report = dicom::import_folder(store_, settings_.import_dir);
      log::info("DICOM import finished",
                {.component = "dicom", .count = static_cast<std::int64_t>(report.imported)});
      if (report.refused > 0) {
        log::warn("DICOM import refused files",
                  {.component = "dicom", .count = static_cast<std::int64_t>(report.refused)});
      }
    }
    import_done_ = true;
  });
}

void DicomService::stop() {
  scp_.stop();
  if (importer_.joinable())
    importer_.join();
}

}  // namespace hareyaka::gateway
