#include "gateway/publish/locator.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "common/digest.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/ssmix2/data_type.hpp"

namespace hareyaka::gateway::publish {
namespace {

using nlohmann::json;

struct Range {
  std::int64_t count = 0;
  std::uint32_t first = 0, last = 0;
  void add(std::uint32_t date) {
    ++count;
    if (date == 0)
      return;
    if (first == 0 || date < first)
      first = date;
    last = std::max(last, date);
  }
};

json range_json(const Range& r) {
  json j{{"count", r.count}};
  if (r.first != 0) {
    j["first"] = encoding::iso_date(r.first);
    j["last"] = encoding::iso_date(r.last);
  }
  return j;
}

}  // namespace

std::optional<LocatorEntry> locator_entry(const storage::StorageIndex& index,
                                          const StudyLookup& studies, const std::string& patient_id,
                                          const ExtraRecords& extra) {
  if (!index.has_patient(patient_id))
    return std::nullopt;
  std::map<std::string, Range> ranges;
  std::int64_t newest_ns = 0;
  for (const auto& f : index.current_files(patient_id)) {
    newest_ns = std::max(newest_ns, f.mtime_ns);
    const auto category = ssmix2::category_of(f.type());
    if (category == ssmix2::Category::kDemographics)
      continue;  // the ITI-44 feed carries it
    ranges[std::string(ssmix2::to_string(category))].add(f.date());
  }
  if (extra) {
    for (const auto& [category, dates] : extra(patient_id)) {
      for (auto d : dates)
        ranges[category].add(d);
    }
  }
  json documents = json::array();
  std::vector<std::string> ids;
  for (const auto& d : index.documents(patient_id)) {
    newest_ns = std::max(newest_ns, d.mtime_ns);
    ranges["documents"].add(d.date);
    ids.push_back(d.id);
  }
  std::sort(ids.begin(), ids.end());
  for (auto& id : ids)
    documents.push_back(std::move(id));
  json study_list = json::array();
  if (studies) {
    auto refs = studies(patient_id);
    std::sort(refs.begin(), refs.end(),
              [](const StudyRef& a, const StudyRef& b) { return a.study_uid < b.study_uid; });
    for (const auto& s : refs) {
      json j{{"study_uid", s.study_uid}};
      if (s.date != 0)
        j["date"] = encoding::iso_date(s.date);
      if (!s.modality.empty())
        j["modality"] = s.modality;
      study_list.push_back(std::move(j));
    }
  }
  json categories = json::object();
  for (const auto& [name, r] : ranges)
    categories[name] = range_json(r);
  LocatorEntry e;
  e.content = {{"categories", categories}, {"documents", documents}, {"studies", study_list}};
  e.digest = locator_digest(e.content);
  e.last_change_ms = newest_ns / 1'000'000;
  return e;
}

std::string locator_digest(const json& content) {
  return sha256_hex(content.dump());
}

std::string format_utc_ms(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::optional<std::int64_t> parse_utc_ms(const std::string& text) {
  int y, mo, d, h, mi, s, ms = 0;
  char z = 0;
  if (text.size() != 24 ||
      std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &s, &ms,
                  &z) != 8 ||
      z != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace hareyaka::gateway::publish
