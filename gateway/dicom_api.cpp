#include "gateway/dicom_api.hpp"

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <charconv>
#include <fstream>
#include <memory>
#include <set>

#include "common/attachment.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "gateway/dicom/multipart.hpp"
#include "gateway/dicom/pacs_client.hpp"
#include "gateway/dicom/qido.hpp"
#include "gateway/dicom/store.hpp"
#include "gateway/dicom/wado_rs.hpp"
#include "gateway/dicom/wado_uri.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::gateway {
namespace {

namespace net = boost::asio;
using http::Request;
using http::Response;
using nlohmann::json;
using Parts = std::shared_ptr<DicomApiParts>;

constexpr std::size_t kChunk = 256 * 1024;
constexpr const char* kDicomJson = "application/dicom+json";

dicom::QueryParams params_of(const Request& req) {
  return {req.query.begin(), req.query.end()};
}

std::string path_param(const Request& req, const char* name) {
  auto it = req.params.find(name);
  return it == req.params.end() ? std::string() : it->second;
}

// The study named in the path must belong to the asserted patient; an unknown study passes
// here (nothing is disclosed) and is answered 404, or fetched from the PACS, afterwards.
AccessAssertion authorize_study(const Parts& p, const Request& req, const std::string& study) {
  return authorize(p->access, req,
                   {.category = kImagingCategory,
                    .check = [&](const AccessAssertion& a) -> std::string {
                      auto s = p->store.index().study(study);
                      if (s && s->head.patient_id != a.local_id)
                        return "study belongs to another patient";
                      return {};
                    },
                    .detail = {{"study_uid", study}}});
}

// Makes sure a study of the asserted patient is in the store: when it is not and a PACS is
// configured, the PACS is asked (C-FIND by the patient's id, so a study of someone else is
// never fetched) and the study retrieved.
void ensure_study(const Parts& p, const std::string& study, const AccessAssertion& a) {
  if (p->store.index().study(study))
    return;
  if (!p->pacs || !dicom::valid_uid(study))
    throw Error(ErrorCode::kNotFound, "no such study");
  bool known = false;
  for (const auto& s : p->pacs->find_studies(a.local_id))
    known = known || s.study_uid == study;
  if (!known)
    throw Error(ErrorCode::kNotFound, "no such study");
  auto r = p->pacs->retrieve_study(study);
  log::info("study retrieved from the PACS",
            {.component = "dicom", .count = static_cast<std::int64_t>(r.completed)});
  auto s = p->store.index().study(study);
  if (!s)
    throw Error(ErrorCode::kUnavailable, "the PACS did not deliver the study");
  if (s->head.patient_id != a.local_id)
    throw Error(ErrorCode::kForbidden, "study belongs to another patient");
}

AccessAssertion study_access(const Parts& p, const Request& req) {
  const std::string study = req.param("study");
  auto a = authorize_study(p, req, study);
  ensure_study(p, study, a);
  return a;
}

// multipart/related; type="application/dicom": each file streamed in chunks.
Response multipart_files(std::vector<dicom::InstanceFile> files) {
  struct State {
    std::vector<dicom::InstanceFile> files;
    dicom::MultipartRelated mp{"application/dicom"};
    std::size_t next = 0;
    std::ifstream in;
    bool reading = false;
    bool done = false;
  };
  auto st = std::make_shared<State>();
  st->files = std::move(files);
  Response res;
  res.headers["Content-Type"] = st->mp.content_type();
  res.body = http::ChunkSource([st]() -> net::awaitable<std::optional<std::string>> {
    if (st->done)
      co_return std::nullopt;
    if (!st->reading) {
      if (st->next == st->files.size()) {
        st->done = true;
        co_return st->mp.closing();
      }
      st->in = std::ifstream(st->files[st->next].file, std::ios::binary);
      if (!st->in)
        throw Error(ErrorCode::kNotFound, "instance file gone");
      st->reading = true;
      co_return st->mp.part_header();
    }
    std::string buf(kChunk, '\0');
    st->in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    buf.resize(static_cast<std::size_t>(st->in.gcount()));
    if (!st->in) {
      if (!st->in.eof())
        throw Error(ErrorCode::kInternal, "instance file unreadable");
      st->in.close();
      st->reading = false;
      ++st->next;
    }
    co_return buf;
  });
  return res;
}

Response dicom_json(const json& j) {
  auto res = Response::json(200, j.dump());
  res.headers["Content-Type"] = kDicomJson;
  return res;
}

Response image(dicom::RenderedImage img) {
  Response res;
  res.headers["Content-Type"] = img.content_type;
  res.body = std::move(img.bytes);
  return res;
}

std::uint32_t frame_number(const Request& req) {
  const std::string f = path_param(req, "frame");
  if (f.empty())
    return 0;
  return dicom::parse_uint("frame", f, 1'000'000);
}

std::size_t size_param(const Request& req, const char* name, std::size_t fallback,
                       std::size_t max) {
  auto v = req.query_param(name);
  if (!v)
    return fallback;
  return dicom::parse_uint(name, *v, static_cast<std::uint32_t>(max));
}

template <typename Strings>
std::string join(const Strings& values) {
  std::string out;
  for (const std::string& v : values)
    out += (out.empty() ? "" : "/") + v;
  return out;
}

// The patient's studies, as a category list for the portal's imaging view.
json study_list(const Parts& p, const std::string& patient_id, std::size_t offset,
                std::size_t limit) {
  dicom::StudyQuery q;
  q.patient_id = patient_id;
  q.limit = 100000;
  std::vector<json> items;
  std::set<std::string> local;
  bool pacs_unavailable = false;
  for (const auto& s : p->store.index().find_studies(q)) {
    local.insert(s.head.study_uid);
    items.push_back({{"kind", "study"},
                     {"study_uid", s.head.study_uid},
                     {"date", encoding::iso_date(s.head.study_date)},
                     {"performed_at", encoding::iso_date(s.head.study_date)},
                     {"modality", join(s.modalities)},
                     {"modalities", s.modalities},
                     {"description", s.head.study_description},
                     {"accession_number", s.head.accession_number},
                     {"series", s.series_count},
                     {"instances", s.instance_count},
                     {"location", "gateway"}});
  }
  if (p->pacs) {
    try {
      for (const auto& s : p->pacs->find_studies(patient_id)) {
        if (local.contains(s.study_uid))
          continue;
        const std::vector<std::string> mods = dicom::split_list(s.modalities);
        items.push_back({{"kind", "study"},
                         {"study_uid", s.study_uid},
                         {"date", encoding::iso_date(s.study_date)},
                         {"performed_at", encoding::iso_date(s.study_date)},
                         {"modality", join(mods)},
                         {"modalities", mods},
                         {"description", s.study_description},
                         {"accession_number", s.accession_number},
                         {"instances", s.instances},
                         {"location", "pacs"}});
      }
    } catch (const Error& e) {
      // The local copies are still worth showing; the list says the PACS is missing.
      log::warn("PACS query failed", {.component = "dicom", .detail = e.internal()});
      pacs_unavailable = true;
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const json& a, const json& b) {
    return a["date"].get<std::string>() > b["date"].get<std::string>();
  });
  json out{{"items", json::array()}};
  for (std::size_t i = offset; i < items.size() && i < offset + limit; ++i)
    out["items"].push_back(items[i]);
  if (offset + limit < items.size())
    out["next_offset"] = offset + limit;
  if (pacs_unavailable)
    out["pacs"] = "unavailable";
  return out;
}

void add_routes(http::Router& r, const Parts& p) {
  const std::string base = "/gw/v1/dicomweb";
  const http::RouteOptions opts{.body_limit = 0};
  auto with = [&](const char* summary) {
    auto o = opts;
    o.summary = summary;
    return o;
  };

  r.add_blocking(
      "GET", "/gw/v1/patients/{id}/imaging",
      [p](Request& req) {
        const std::string& id = req.param("id");
        authorize(p->access, req, {.category = kImagingCategory, .local_id = id});
        return Response::json(200, study_list(p, id, size_param(req, "offset", 0, 100'000'000),
                                              size_param(req, "limit", 50, 1000))
                                       .dump());
      },
      with("a patient's DICOM studies (held here or at the PACS)"));

  // QIDO-RS
  r.add_blocking(
      "GET", base + "/studies",
      [p](Request& req) {
        auto a = authorize(p->access, req, {.category = kImagingCategory});
        auto params = params_of(req);
        std::erase_if(params, [](const auto& kv) {
          return kv.first == "PatientID" || kv.first == "00100020";
        });
        params.emplace_back("PatientID", a.local_id);
        return dicom_json(
            dicom::qido_search(p->store.index(), dicom::QidoLevel::kStudies, {}, {}, params));
      },
      with("QIDO-RS: the asserted patient's studies"));
  auto qido_in_study = [p](dicom::QidoLevel level) {
    return [p, level](Request& req) {
      study_access(p, req);
      return dicom_json(dicom::qido_search(p->store.index(), level, req.param("study"),
                                           path_param(req, "series"), params_of(req)));
    };
  };
  r.add_blocking("GET", base + "/studies/{study}/series", qido_in_study(dicom::QidoLevel::kSeries),
                 with("QIDO-RS: series of a study"));
  r.add_blocking("GET", base + "/studies/{study}/instances",
                 qido_in_study(dicom::QidoLevel::kInstances),
                 with("QIDO-RS: instances of a study"));
  r.add_blocking("GET", base + "/studies/{study}/series/{series}/instances",
                 qido_in_study(dicom::QidoLevel::kInstances),
                 with("QIDO-RS: instances of a series"));

  // WADO-RS
  auto files = [p](Request& req) {
    study_access(p, req);
    return multipart_files(dicom::retrieve_files(
        p->store, req.param("study"), path_param(req, "series"), path_param(req, "sop")));
  };
  auto metadata = [p](Request& req) {
    study_access(p, req);
    return dicom_json(dicom::retrieve_metadata(p->store, req.param("study"),
                                               path_param(req, "series"), path_param(req, "sop")));
  };
  for (const std::string level : {"/studies/{study}", "/studies/{study}/series/{series}",
                                  "/studies/{study}/series/{series}/instances/{sop}"}) {
    r.add_blocking("GET", base + level, files, with("WADO-RS: DICOM instances, multipart"));
    r.add_blocking("GET", base + level + "/metadata", metadata, with("WADO-RS: metadata"));
  }
  const std::string instance = base + "/studies/{study}/series/{series}/instances/{sop}";
  r.add_blocking(
      "GET", instance + "/frames/{frames}",
      [p](Request& req) {
        study_access(p, req);
        auto frames = dicom::retrieve_frames(p->store, req.param("study"), req.param("series"),
                                             req.param("sop"), req.param("frames"));
        dicom::MultipartRelated mp("application/octet-stream");
        Response res;
        res.headers["Content-Type"] = mp.content_type();
        res.body = mp.build(frames);
        return res;
      },
      with("WADO-RS: uncompressed frames, multipart"));
  auto rendered = [p](Request& req) {
    study_access(p, req);
    auto options =
        dicom::parse_rendered(params_of(req), req.header("Accept").value_or(""), frame_number(req));
    return image(dicom::retrieve_rendered(p->store, req.param("study"), req.param("series"),
                                          req.param("sop"), options));
  };
  r.add_blocking("GET", instance + "/rendered", rendered, with("WADO-RS: rendered image"));
  r.add_blocking("GET", instance + "/frames/{frame}/rendered", rendered,
                 with("WADO-RS: one rendered frame"));

  // WADO-URI
  r.add_blocking(
      "GET", "/gw/v1/wado",
      [p](Request& req) {
        auto request = dicom::parse_wado_uri(params_of(req));
        auto a = authorize_study(p, req, request.study_uid);
        ensure_study(p, request.study_uid, a);
        auto w = dicom::serve_wado_uri(p->store, request);
        Response res;
        res.headers["Content-Type"] = w.content_type;
        // A stored object: a download, never rendered (common/attachment.hpp).
        http::serve_as_attachment(res, "");
        if (!w.file.empty())
          res.body = http::FileBody{w.file};
        else
          res.body = std::move(w.body);
        return res;
      },
      with("WADO-URI: one object, raw or rendered"));
}

}  // namespace

void add_dicom_routes(http::Router& router, DicomApiParts parts) {
  add_routes(router, std::make_shared<DicomApiParts>(std::move(parts)));
}

}  // namespace hareyaka::gateway
