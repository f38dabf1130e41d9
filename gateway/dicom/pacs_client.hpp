// Query/retrieve toward the hospital's PACS, for gateways configured to reach studies there
// instead of (or besides) holding copies: C-FIND lists a patient's studies (study root,
// study level), and a study is fetched on demand with C-MOVE (the PACS sends it to our
// storage SCP, which it must know as a DICOM node under move_destination_ae) or C-GET (on
// the same association, written straight into the store). One association per call.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hareyaka::gateway::dicom {

class DicomStore;

enum class RetrieveMethod { kMove, kGet };

struct PacsSettings {
  std::string calling_ae = "HAREYAKA";  // our AE title toward the PACS
  std::string called_ae;                // the PACS's AE title
  std::string host;
  std::uint16_t port = 104;
  RetrieveMethod retrieve = RetrieveMethod::kMove;
  std::string move_destination_ae = "HAREYAKA";  // our SCP, as the PACS knows it
  std::chrono::seconds timeout{30};
  std::size_t max_results = 1000;  // C-FIND matches kept; the PACS is asked to cancel beyond
};

struct RemoteStudy {
  std::string study_uid;
  std::string patient_id;
  std::string patient_name;  // UTF-8
  std::string study_date;
  std::string study_time;
  std::string study_description;  // UTF-8
  std::string accession_number;
  std::string modalities;  // ModalitiesInStudy, '\\'-separated
  std::uint32_t instances = 0;
};

struct RetrieveResult {
  std::uint32_t completed = 0;
  std::uint32_t failed = 0;
  std::uint32_t warning = 0;
};

class PacsClient {
 public:
  // store: where C-GET writes (unused for C-MOVE, where our SCP receives).
  PacsClient(PacsSettings settings, DicomStore& store);

  // C-ECHO. Throws Error(kUnavailable) when the PACS does not answer.
  void echo() const;

  // Studies of one patient (exact Patient ID; the PACS's own matching). Throws
  // Error(kUnavailable / kTimeout) on network failure, kBadRequest on a bad patient id.
  std::vector<RemoteStudy> find_studies(const std::string& patient_id) const;

  // Fetches one study into the store (C-MOVE or C-GET as configured). Throws Error on
  // network failure or when the PACS refuses the retrieve.
  RetrieveResult retrieve_study(const std::string& study_uid) const;

 private:
  PacsSettings settings_;
  DicomStore& store_;
};

}  // namespace hareyaka::gateway::dicom
