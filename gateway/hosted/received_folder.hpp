// Uploads kept as received (issue #17): the お薬手帳 files and the FHIR bodies of a hosted
// facility, one folder per patient under <tenant>/received/<kind>/, each file written once and
// named by its date and content digest ("<yyyymmdd>_<sha256/32><extension>"). A withdrawn file
// is kept, renamed "<name>.withdrawn", and no longer listed; nothing is deleted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hareyaka::gateway::hosted {

class ReceivedFolder {
 public:
  // `root`: <tenant>/received/<kind>; `extension`: ".csv", ".json".
  ReceivedFolder(std::string root, std::string extension);
  const std::string& root() const { return root_; }

  struct HeldFile {
    std::string name;  // "<yyyymmdd>_<digest><extension>"
    std::string date;  // ISO, from the name
    std::uint64_t bytes = 0;
  };
  // The digest part of a held file's name ("" when the name is not one).
  std::string digest_of_name(const std::string& name) const;
  // True when these bytes are held for the patient (under any date).
  bool holds(const std::string& patient_id, const std::string& bytes) const;
  // Keeps the bytes; false when they are already held. `date_iso`: YYYY-MM-DD (anything else
  // gives 00000000). Throws Error(kUnprocessable) for a patient id that is not letters and digits.
  bool put(const std::string& patient_id, const std::string& date_iso, const std::string& bytes);
  // The patient's files in force, absolute paths, newest date first.
  std::vector<std::string> paths(const std::string& patient_id) const;
  std::vector<HeldFile> files(const std::string& patient_id) const;
  // Withdraws one file (kept, renamed). False when the patient holds no such file.
  bool withdraw(const std::string& patient_id, const std::string& name);
  // Every byte under the root, withdrawn files included (the tenant's quota counts them).
  std::uint64_t used_bytes() const;

 private:
  std::string root_;
  std::string extension_;
};

}  // namespace hareyaka::gateway::hosted
