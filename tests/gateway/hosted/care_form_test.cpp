// The web form of a facility without an EMR (issue #17): a registration is an ADT-00 the
// index and the data API read (an update is a newer one, the same details again change
// nothing); a document lands in the extended storage, where the data API lists it under
// "documents" and serves its bytes; a correction marks the old one superseded (flag 2, file
// kept) and only the new one is listed; wrong content, a wrong type, an unknown patient, a bad
// date or title, a document over the limit or the quota are refused and leave nothing behind.
#include "gateway/hosted/care_form.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "gateway/record/record_query.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::hosted {
namespace {

using hareyaka::testing::files_under;
namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOid = "1.2.392.200284.33.2100003";
const std::string kPdf = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

struct CareForm : ::testing::Test {
  hareyaka::testing::TempDir tmp;
  std::string dir = tmp.path() + "/care";
  Ssmix2Store store{dir, 1u << 20, UploadLimits{}};
  std::unique_ptr<storage::StorageIndex> index;

  void SetUp() override {
    store.recover();
    storage::IndexOptions o;
    o.standard_root = store.standard_root();
    o.extended_root = store.extended_root();
    o.threads = 1;
    o.reject_pid_mismatch = true;
    o.use_inotify = false;
    index = std::make_unique<storage::StorageIndex>(std::move(o));
    index->scan();
  }

  static Registration hanako() {
    return {.patient_id = "K0001",
            .family = "晴山",
            .given = "花子",
            .family_kana = "ハレヤマ",
            .given_kana = "ハナコ",
            .sex = 'F',
            .birth_date = "1938-05-01",
            .postal_code = "760-0019",
            .address = "香川県高松市サンポート1-1",
            .phone = "087-000-0001"};
  }

  FormResult enrol(const Registration& r) {
    std::vector<std::string> placed;
    auto out = register_patient(store, *index, r, kOid, placed);
    for (const auto& p : placed)
      index->refresh(storage::StorageKind::kStandard, p);
    return out;
  }

  FormResult attach(const DocumentForm& f, const std::string& bytes) {
    std::vector<std::string> placed;
    auto out = store_document(store, *index, f, bytes, placed);
    for (const auto& p : placed)
      index->refresh(storage::StorageKind::kExtended, p);
    return out;
  }

  json documents() {
    auto page = record::category(*index, "K0001", "documents", record::RecordQuery{});
    return page ? (*page)["items"] : json();
  }
};

DocumentForm referral() {
  return {.patient_id = "K0001",
          .title = "診療情報提供書 12月",
          .category = "referral",
          .date = "2026-12-01",
          .media_type = "application/pdf",
          .supersedes = ""};
}

TEST_F(CareForm, ARegistrationIsAnAdt00AndAnUpdateANewerOne) {
  EXPECT_EQ(enrol(hanako()).status, "stored");
  ASSERT_TRUE(index->has_patient("K0001"));
  auto demo = record::demographics(*index, "K0001");
  ASSERT_TRUE(demo.has_value());
  EXPECT_NE(demo->dump().find("ハレヤマ"), std::string::npos) << demo->dump();
  // The same details again: nothing new.
  EXPECT_EQ(enrol(hanako()).status, "unchanged");
  EXPECT_EQ(files_under(store.standard_root()), 1u);
  // A new address: a newer ADT-00, which the data API reads.
  Registration moved = hanako();
  moved.address = "香川県丸亀市1-2-3";
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(enrol(moved).status, "stored");
  EXPECT_EQ(files_under(store.standard_root()), 2u);
  demo = record::demographics(*index, "K0001");
  EXPECT_NE(demo->dump().find("丸亀市"), std::string::npos) << demo->dump();
}

TEST_F(CareForm, ARegistrationWithBadDetailsIsRefused) {
  auto bad = [&](auto change) {
    Registration r = hanako();
    change(r);
    EXPECT_THROW(enrol(r), Error);
  };
  bad([](Registration& r) { r.patient_id = "K-1"; });
  bad([](Registration& r) { r.family = ""; });
  bad([](Registration& r) { r.family_kana = "はれやま"; });  // hiragana
  bad([](Registration& r) { r.sex = 'X'; });
  bad([](Registration& r) { r.birth_date = "1938-02-30"; });
  bad([](Registration& r) { r.birth_date = "2999-01-01"; });
  bad([](Registration& r) { r.birth_date = "19380501"; });
  EXPECT_EQ(files_under(dir), 0u);
  EXPECT_FALSE(index->has_patient("K-1"));
}

TEST_F(CareForm, ADocumentIsListedAndServedByTheDataApi) {
  enrol(hanako());
  const auto r = attach(referral(), kPdf);
  EXPECT_EQ(r.status, "stored");
  // <PID path>/<date>/<type folder>/<content folder by the file-name rule>/<title>.pdf
  EXPECT_EQ(r.path.rfind("K00/01/K0001/20261201/HYK-REF^診療情報提供書^99HYK^57133-1^Referral "
                         "note^LN/K0001_20261201_HYK-REF_",
                         0),
            0u)
      << r.path;
  EXPECT_TRUE(r.path.ends_with("_-_1/診療情報提供書 12月.pdf")) << r.path;
  const json docs = documents();
  ASSERT_EQ(docs.size(), 1u) << docs.dump();
  EXPECT_EQ(docs[0]["id"], r.document_id);
  EXPECT_EQ(docs[0]["title"], "診療情報提供書 12月");
  EXPECT_EQ(docs[0]["date"], "2026-12-01");
  EXPECT_EQ(docs[0]["media_type"], "application/pdf");
  EXPECT_EQ(docs[0]["type"]["display"], "診療情報提供書");
  EXPECT_EQ(docs[0]["type"]["alt_code"], "57133-1");
  const auto file = record::document_file(*index, "K0001", r.document_id);
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(read_whole_file(file->path), kPdf);
  EXPECT_EQ(file->media_type, "application/pdf");
  // An image of another category, the same day.
  DocumentForm photo = referral();
  photo.title = "褥瘡の写真";
  photo.category = "image";
  photo.media_type = "image/png";
  const std::uint64_t used = store.used_bytes();
  const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + "IHDR....";
  EXPECT_EQ(attach(photo, png).status, "stored");
  EXPECT_EQ(documents().size(), 2u);
  EXPECT_EQ(store.used_bytes(), used + png.size());  // counted against the quota
}

TEST_F(CareForm, ACorrectionSupersedesTheOldDocumentAndKeepsIt) {
  enrol(hanako());
  const auto first = attach(referral(), kPdf);
  DocumentForm fix = referral();
  fix.title = "診療情報提供書 12月 訂正";
  fix.supersedes = first.document_id;
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const auto second = attach(fix, kPdf + "% corrected\n");
  const json docs = documents();
  ASSERT_EQ(docs.size(), 1u) << docs.dump();
  EXPECT_EQ(docs[0]["id"], second.document_id);
  EXPECT_EQ(docs[0]["order_no"], std::string(fs::path(first.path).parent_path().filename())
                                     .substr(std::string("K0001_20261201_HYK-REF_").size(), 15));
  EXPECT_FALSE(record::document_file(*index, "K0001", first.document_id).has_value());
  // The old file is still there, in a folder whose condition flag is 2.
  EXPECT_EQ(files_under(store.extended_root()), 2u);
  std::string old_folder = fs::path(first.path).parent_path().string();
  old_folder.back() = '2';
  EXPECT_TRUE(fs::exists(store.extended_root() + "/" + old_folder)) << old_folder;
  // Superseding it again: it is no longer current.
  fix.supersedes = first.document_id;
  EXPECT_THROW(attach(fix, kPdf), Error);
}

TEST_F(CareForm, AWithdrawnDocumentIsKeptAndNoLongerListed) {
  enrol(hanako());
  const auto doc = attach(referral(), kPdf);
  ASSERT_EQ(documents().size(), 1u);
  std::vector<std::string> placed;
  const auto out = withdraw_document(store, *index, "K0001", doc.document_id, placed);
  for (const auto& p : placed)
    index->refresh(storage::StorageKind::kExtended, p);
  EXPECT_EQ(out.status, "withdrawn");
  EXPECT_EQ(documents().size(), 0u) << documents().dump();
  EXPECT_FALSE(record::document_file(*index, "K0001", doc.document_id).has_value());
  // The file is still there, in a folder whose condition flag is 0; no journal is left.
  EXPECT_EQ(files_under(store.extended_root()), 1u);
  std::string folder = fs::path(doc.path).parent_path().string();
  folder.back() = '0';
  EXPECT_TRUE(fs::exists(store.extended_root() + "/" + folder)) << folder;
  EXPECT_EQ(files_under(dir + "/uploads"), 0u);
  // Twice, or another patient's id for it: not found.
  EXPECT_THROW(withdraw_document(store, *index, "K0001", doc.document_id, placed), Error);
  EXPECT_THROW(withdraw_document(store, *index, "K0002", doc.document_id, placed), Error);
}

TEST_F(CareForm, AWrongDocumentIsRefusedAndLeavesNothing) {
  enrol(hanako());
  const std::size_t before = files_under(dir);
  auto refused = [&](DocumentForm f, const std::string& bytes, ErrorCode code) {
    try {
      attach(f, bytes);
      ADD_FAILURE() << "stored: " << f.title << " " << f.media_type;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.external();
      EXPECT_FALSE(e.external().empty());
    }
  };
  DocumentForm f = referral();
  refused(f, "<html>not a pdf</html>", ErrorCode::kUnprocessable);  // magic bytes
  f.media_type = "image/jpeg";
  refused(f, kPdf, ErrorCode::kUnprocessable);  // a PDF said to be a JPEG
  f.media_type = "text/plain";
  refused(f, "hello", ErrorCode::kUnsupportedMediaType);
  f = referral();
  refused(f, "", ErrorCode::kUnprocessable);
  refused(f, kPdf + std::string(kMaxDocumentBytes, ' '), ErrorCode::kPayloadTooLarge);
  refused(f, kPdf + std::string(2u << 20, ' '), ErrorCode::kPayloadTooLarge);  // the 1 MB quota
  f.patient_id = "K0002";
  refused(f, kPdf, ErrorCode::kNotFound);  // never registered
  f = referral();
  f.date = "2026-13-01";
  refused(f, kPdf, ErrorCode::kUnprocessable);
  f.date = "2999-01-01";
  refused(f, kPdf, ErrorCode::kUnprocessable);
  f = referral();
  f.title = "../../etc";
  refused(f, kPdf, ErrorCode::kUnprocessable);
  f.title = "";
  refused(f, kPdf, ErrorCode::kUnprocessable);
  f = referral();
  f.category = "prescription";
  refused(f, kPdf, ErrorCode::kUnprocessable);
  f = referral();
  f.supersedes = "0123456789abcdef";
  refused(f, kPdf, ErrorCode::kNotFound);
  EXPECT_EQ(files_under(dir), before);
  EXPECT_EQ(files_under(store.extended_root()), 0u);
  EXPECT_TRUE(documents().empty());
}

}  // namespace
}  // namespace hareyaka::gateway::hosted
