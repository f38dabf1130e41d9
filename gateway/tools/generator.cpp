#include "gateway/tools/generator.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/tools/generator_data.hpp"
#include "gateway/tools/generator_hl7.hpp"
#include "gateway/tools/generator_records.hpp"

namespace hareyaka::gateway::tools {
namespace {

using namespace gen;

void generate_patient(Writer& w, const Person& person, const std::string& pid, std::uint64_t seed,
                      int visits, std::string& error) {
  Context c{w, person, pid, Rng(mix(seed, person.person_id ^ 0xC1u)), 0, {}};
  demographics(c);
  if (chance(c.rng, 0.3))
    allergies(c);
  std::uint32_t day = add_days(20200101, uniform(c.rng, 0, 700));
  int n = std::max(1, visits + uniform(c.rng, -visits / 2, visits / 2));
  diagnoses(c, day);
  for (int i = 0; i < n && c.error.empty(); ++i) {
    visit(c, day);
    if (chance(c.rng, 0.7))
      prescription(c, day);
    if (chance(c.rng, 0.5))
      lab(c, day);
    if (chance(c.rng, 0.1))
      radiology(c, day);
    if (chance(c.rng, 0.04))
      admission(c, add_days(day, 1));
    day = add_days(day, uniform(c.rng, 14, 120));
  }
  if (!c.error.empty())
    error = c.error;
}

std::string pid_text(std::uint64_t id) {
  return std::to_string(id);
}

}  // namespace

GeneratorReport generate(const GeneratorOptions& o) {
  GeneratorReport report;
  if (o.out.empty()) {
    report.error = "no output folder";
    return report;
  }
  Writer a(o.out, o.extended_out, "FACILITY-A");
  Writer b(o.second_out, o.second_extended_out, "FACILITY-B");
  const bool second = !o.second_out.empty();

  // Facility B: A's shared persons (with variations) then B's own persons.
  struct BPatient {
    Person person;
    std::string pid, variation;
  };
  std::vector<BPatient> b_patients;
  std::vector<std::pair<std::uint64_t, std::string>> truth_a;  // person id, pid
  if (second) {
    std::uint64_t next = o.second_first_id;
    for (std::uint64_t i = 0; i < o.patients; ++i) {
      if (static_cast<double>(mix(o.seed ^ 0x5eedu, i) % 1000000) / 1e6 >= o.shared_fraction)
        continue;
      Person p = make_person(o.seed, i);
      Rng rng(mix(o.seed ^ 0xB0u, i));
      std::string variation = "same";
      int kind = uniform(rng, 0, 3);
      if (kind == 1 && (kana_variant(p.given_kana) || kana_variant(p.family_kana))) {
        variation = "kana_spelling";
      } else if (kind == 2) {
        const auto& place = pick(rng, data::kPlaces);
        p.postal = place.postal;
        p.address = std::string(place.text) + "３−１−１";
        variation = "moved";
      } else if (kind == 3 && p.sex == 'F' && p.birth < 20040101) {
        const auto& fam = pick(rng, data::kFamily);
        if (p.family != fam.kanji) {
          p.family = fam.kanji;
          p.family_kana = fam.kana;
          variation = "married_surname";
        }
      }
      b_patients.push_back({std::move(p), pid_text(next++), variation});
    }
    for (std::uint64_t k = 0; k < o.second_patients; ++k) {
      b_patients.push_back(
          {make_person(o.seed, 1'000'000'000'000ull + k), pid_text(next++), "only_b"});
    }
  }

  std::mutex error_mu;
  auto fail = [&](const std::string& e) {
    std::lock_guard lock(error_mu);
    if (report.error.empty())
      report.error = e;
  };
  std::atomic<std::uint64_t> next_a{0}, next_b{0};
  auto worker = [&] {
    for (;;) {
      std::uint64_t i = next_a.fetch_add(1);
      if (i >= o.patients)
        break;
      std::string error;
      generate_patient(a, make_person(o.seed, i), pid_text(o.first_id + i), o.seed, o.visits,
                       error);
      if (!error.empty())
        return fail(error);
    }
    for (;;) {
      std::uint64_t i = next_b.fetch_add(1);
      if (i >= b_patients.size())
        break;
      std::string error;
      generate_patient(b, b_patients[i].person, b_patients[i].pid, o.seed ^ 0xFAC1B, o.visits,
                       error);
      if (!error.empty())
        return fail(error);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::max(1u, o.threads); ++t)
    threads.emplace_back(worker);
  for (auto& t : threads)
    t.join();

  if (!o.truth.empty() && report.error.empty()) {
    std::ofstream out(o.truth, std::ios::trunc);
    out << "person_id,facility,patient_id,variation\n";
    for (std::uint64_t i = 0; i < o.patients; ++i) {
      out << "P" << i << ",A," << pid_text(o.first_id + i) << ",original\n";
    }
    for (const auto& bp : b_patients) {
      std::uint64_t id = bp.person.person_id;
      out << (id >= 1'000'000'000'000ull ? "Q" + std::to_string(id - 1'000'000'000'000ull)
                                         : "P" + std::to_string(id))
          << ",B," << bp.pid << "," << bp.variation << "\n";
    }
    if (!out)
      report.error = "cannot write " + o.truth;
  }
  report.files = a.files() + b.files();
  report.bytes = a.bytes() + b.bytes();
  report.patients = o.patients + b_patients.size();
  return report;
}

}  // namespace hareyaka::gateway::tools