// The gateway's DICOM side as the daemon runs it: the store and index, the C-STORE/C-ECHO
// SCP, the optional PACS client (query/retrieve on demand) and the import of a folder at
// start. Built from the "dicom" configuration section; routes are added by dicom_api.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "gateway/config.hpp"
#include "gateway/dicom/pacs_client.hpp"
#include "gateway/dicom/storage_scp.hpp"
#include "gateway/dicom/store.hpp"
#include "gateway/publish/locator.hpp"

namespace hareyaka::gateway {

class DicomService {
 public:
  explicit DicomService(const DicomSettings& settings);  // opens the store
  ~DicomService();
  DicomService(const DicomService&) = delete;
  DicomService& operator=(const DicomService&) = delete;

  // Registers the codecs, binds the SCP (throws Error(kUnavailable) when it cannot) and
  // starts the import of import_dir in the background.
  void start();
  // Stops accepting associations, lets running ones finish, waits for the import.
  void stop();

  // The patient's studies as the locator entries list them.
  std::vector<publish::StudyRef> study_refs(const std::string& patient_id) const;
  // Called with the patient id when the first instance of a study is stored (not for every
  // instance: the locator entry lists studies, and telling the portal is a durable write).
  // Set before start().
  void on_new_study(std::function<void(const std::string& patient_id)> callback);

  int port() const { return scp_.port(); }
  dicom::DicomStore& store() { return store_; }
  dicom::PacsClient* pacs() { return pacs_.get(); }
  bool import_done() const { return import_done_; }

 private:
  DicomSettings settings_;
  dicom::DicomStore store_;
  dicom::StorageScp scp_;
  std::unique_ptr<dicom::PacsClient> pacs_;
  std::thread importer_;
  std::atomic<bool> import_done_{false};
};

}  // namespace hareyaka::gateway
