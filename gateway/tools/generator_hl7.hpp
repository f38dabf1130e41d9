// Internal parts of the SS-MIX2 test-data generator (generator.hpp is the public face):
// the seeded randomness, the synthetic person, the HL7 segment builder, the storage writer
// and the segments every message shares (MSH, PID, doctors, order numbers).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::gateway::tools::gen {

using Rng = std::mt19937_64;

template <typename T, std::size_t N>
const T& pick(Rng& rng, const T (&arr)[N]) {
  return arr[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

inline int uniform(Rng& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
inline bool chance(Rng& rng, double p) {
  return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b);

// One HL7 segment built field by field (so field numbers are explicit, not counted bars).
class Seg {
 public:
  explicit Seg(std::string name) : name_(std::move(name)) {}
  Seg& set(int field, std::string value) {
    if (static_cast<int>(fields_.size()) < field)
      fields_.resize(field);
    fields_[field - 1] = std::move(value);
    return *this;
  }
  std::string str() const {
    std::string out = name_;
    for (const auto& f : fields_)
      out += "|" + f;
    return out;
  }

 private:
  std::string name_;
  std::vector<std::string> fields_;
};

std::string esc(std::string_view v);

struct Person {
  std::uint64_t person_id = 0;
  std::string family, family_kana, given, given_kana;
  char sex = 'M';
  std::uint32_t birth = 0;
  std::string postal, address, phone;
};

Person make_person(std::uint64_t seed, std::uint64_t person_id);

// A spelling variant a different hospital's registration desk might type.
bool kana_variant(std::string& kana);

std::string date_text(std::uint32_t d);

// Adds days to a yyyymmdd date.
std::uint32_t add_days(std::uint32_t d, int days);

class Writer {
 public:
  Writer(std::string root, std::string extended_root, std::string facility)
      : root_(std::move(root)),
        extended_root_(std::move(extended_root)),
        facility_(std::move(facility)) {}

  // Writes one standard storage file; returns false (with error) on failure.
  bool write(const std::string& pid, std::uint32_t date, const char* type,
             const std::string& order_no, std::uint64_t timestamp, const std::string& dept,
             int flag, const std::vector<std::string>& segments, std::string& error);

  bool write_document(const std::string& pid, std::uint32_t date, const std::string& type_folder,
                      const std::string& content_folder, const std::string& file,
                      const std::string& bytes, std::string& error);

  const std::string& facility() const { return facility_; }
  std::uint64_t files() const { return files_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  bool put(const std::string& path, const std::string& bytes, std::string& error);

  std::string root_, extended_root_, facility_;
  std::atomic<std::uint64_t> files_{0}, bytes_{0};
};

struct Context {
  Writer& w;
  const Person& person;
  std::string pid;
  Rng rng;
  std::uint64_t counter = 0;
  std::string error;
};

std::string ts14(std::uint64_t ts17);
std::uint64_t stamp(std::uint32_t date, Context& c);
std::string msh(Context& c, std::uint64_t ts, const char* type);
std::string pid_segment(const Context& c, bool full);
std::string doctor(Context& c);
std::string order_no(Context& c);

}  // namespace hareyaka::gateway::tools::gen
