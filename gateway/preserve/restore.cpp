#include "gateway/preserve/restore.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/digest.hpp"
#include "common/error.hpp"

namespace hareyaka::gateway::preserve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  const fs::path tmp = path.string() + ".restore-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out)
      throw Error(ErrorCode::kUnavailable, "cannot write", "cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

class NodeReader {
 public:
  NodeReader(http::BlockingHttpClient& client, const std::string& url, const std::string& oid)
      : client_(client), base_(url + "/pv/v1/facilities/" + oid) {}

  http::ClientResponse get(const std::string& path) {
    auto r = client_.request({.url = base_ + path, .timeout = std::chrono::seconds(60)});
    if (r.status >= 500 || r.status == 401 || r.status == 403) {
      throw Error(
          ErrorCode::kUnavailable, "preservation node unavailable",
          "GET " + path + ": HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200));
    }
    return r;
  }

 private:
  http::BlockingHttpClient& client_;
  std::string base_;
};

}  // namespace

json RestoreReport::to_json() const {
  json p = json::array();
  for (const auto& x : problems)
    p.push_back({{"patient", x.patient}, {"generation", x.generation}, {"reason", x.reason}});
  return {{"patients", patients},
          {"files", files},
          {"bytes", bytes},
          {"older_generations_used", older_generations_used},
          {"newest_generation_ms", newest_generation_ms},
          {"problems", p}};
}

RestoreReport restore(const PreserveCrypto& crypto, http::BlockingHttpClient& client,
                      const RestoreOptions& o) {
  RestoreReport report;
  NodeReader node(client, o.node_url, crypto.facility());
  std::string after;
  for (;;) {
    auto page = node.get("/patients?limit=500" + (after.empty() ? "" : "&after=" + after));
    const json listing = json::parse(page.body, nullptr, false);
    if (page.status != 200 || !listing.is_object() || !listing.contains("patients"))
      throw Error(ErrorCode::kUnavailable, "preservation node unavailable",
                  "patient listing: HTTP " + std::to_string(page.status));
    const json patients = listing["patients"];
    for (const auto& p : patients) {
      const std::string ref = p.value("patient", "");
      after = ref;
      std::vector<std::string> gens = p.value("generations", std::vector<std::string>{});
      std::sort(gens.rbegin(), gens.rend());  // newest first
      std::erase_if(gens, [&](const std::string& g) {
        return !hareyaka::preserve::is_generation(g) ||
               (o.as_of_ms > 0 && hareyaka::preserve::generation_time_ms(g) > o.as_of_ms);
      });
      bool restored = false;
      for (std::size_t i = 0; i < gens.size() && !restored; ++i) {
        const std::string& gen = gens[i];
        auto text = node.get("/patients/" + ref + "/generations/" + gen);
        auto parsed = hareyaka::preserve::parse_manifest(text.body);
        std::string why = text.status != 200 ? "manifest missing at the node"
                          : !parsed.manifest ? parsed.error
                          : parsed.manifest->generation != gen || parsed.manifest->patient != ref
                              ? "manifest names another generation or patient"
                              : "";
        OpenedManifest opened;
        if (why.empty()) {
          opened = crypto.open_manifest(*parsed.manifest);
          why = opened.error;
        }
        if (!why.empty()) {
          report.problems.push_back({ref, gen, why});
          continue;  // an older generation may still be whole
        }
        restored = true;
        report.older_generations_used += i > 0 ? 1 : 0;
        report.newest_generation_ms =
            std::max(report.newest_generation_ms, hareyaka::preserve::generation_time_ms(gen));
        ++report.patients;
        for (const auto& f : opened.index->files) {
          auto blob = node.get("/objects/" + f.object);
          std::optional<std::string> bytes;
          if (blob.status == 200 && sha256_hex(blob.body) == f.object)
            bytes = crypto.open_file(blob.body, f.sha256);
          if (!bytes) {
            report.problems.push_back(
                {ref, gen,
                 blob.status != 200 ? "object missing at the node"
                                    : "object altered at the node (digest or authentication)"});
            continue;
          }
          if (!o.verify_only)
            write_file(fs::path(o.into) / f.path, *bytes);
          ++report.files;
          report.bytes += static_cast<std::int64_t>(bytes->size());
        }
      }
      if (!restored && gens.empty())
        report.problems.push_back({ref, "", "no generation at or before the requested time"});
    }
    if (patients.empty() || listing.value("next", json()).is_null())
      break;
  }
  return report;
}

}  // namespace hareyaka::gateway::preserve
