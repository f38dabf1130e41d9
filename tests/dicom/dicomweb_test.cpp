// QIDO-RS, WADO-URI and WADO-RS logic on a store filled from pydicom's samples (plain,
// RLE multi-frame, JPEG 2000, Japanese names, a structured report).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.hpp"
#include "gateway/dicom/multipart.hpp"
#include "gateway/dicom/qido.hpp"
#include "gateway/dicom/store.hpp"
#include "gateway/dicom/wado_rs.hpp"
#include "gateway/dicom/wado_uri.hpp"
#include "tests/dicom/dicom_test_support.hpp"

namespace hareyaka::gateway::dicom {
namespace {

namespace fs = std::filesystem;
using testing::pydicom_data;

struct Size {
  unsigned width = 0, height = 0;
  bool operator==(const Size&) const = default;
};

// Width and height from a baseline/extended JPEG's SOF marker.
Size jpeg_size(const std::string& b) {
  for (std::size_t i = 2; i + 9 < b.size();) {
    if (static_cast<unsigned char>(b[i]) != 0xFF)
      return {};
    unsigned char marker = b[i + 1];
    unsigned len =
        (static_cast<unsigned char>(b[i + 2]) << 8) | static_cast<unsigned char>(b[i + 3]);
    if (marker >= 0xC0 && marker <= 0xC3) {
      unsigned h =
          (static_cast<unsigned char>(b[i + 5]) << 8) | static_cast<unsigned char>(b[i + 6]);
      unsigned w =
          (static_cast<unsigned char>(b[i + 7]) << 8) | static_cast<unsigned char>(b[i + 8]);
      return {w, h};
    }
    i += 2 + len;
  }
  return {};
}

Size png_size(const std::string& b) {
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(b[at])) << 24) |
           (static_cast<unsigned char>(b[at + 1]) << 16) |
           (static_cast<unsigned char>(b[at + 2]) << 8) | static_cast<unsigned char>(b[at + 3]);
  };
  return b.size() > 24 ? Size{be32(16), be32(20)} : Size{};
}

class DicomWeb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    store_ = new DicomStore(fs::path(dir_->path()) / "store");
    for (const char* f : {"test_files/CT_small.dcm", "test_files/MR_small.dcm",
                          "test_files/JPEG2000.dcm", "test_files/SC_rgb_rle_2frame.dcm",
                          "charset_files/chrH31.dcm", "test_files/test-SR.dcm"}) {
      auto r = store_->import_file(pydicom_data() / f);
      records_[f] = r;
    }
  }
  static void TearDownTestSuite() {
    delete store_;
    delete dir_;
  }
  static const InstanceRecord& rec(const char* f) { return records_.at(f); }
  static QueryParams wado(const InstanceRecord& r, std::string content_type = "image/jpeg") {
    return {{"requestType", "WADO"},
            {"studyUID", r.study_uid},
            {"seriesUID", r.series_uid},
            {"objectUID", r.sop_uid},
            {"contentType", content_type}};
  }
  static void expect_bad(const QueryParams& p, const std::string& fragment) {
    try {
      parse_wado_uri(p);
      ADD_FAILURE() << "accepted; expected an error about " << fragment;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadRequest);
      EXPECT_NE(e.external().find(fragment), std::string::npos) << e.external();
    }
  }

  static testing::TempDir* dir_;
  static DicomStore* store_;
  static std::map<std::string, InstanceRecord> records_;
};

testing::TempDir* DicomWeb::dir_ = nullptr;
DicomStore* DicomWeb::store_ = nullptr;
std::map<std::string, InstanceRecord> DicomWeb::records_;

TEST_F(DicomWeb, QidoStudiesMatchAndAnswerInDicomJson) {
  const auto& ct = rec("test_files/CT_small.dcm");
  auto out = qido_search(store_->index(), QidoLevel::kStudies, "", "",
                         {{"PatientID", ct.patient_id}}, {.base_url = "https://gw/dicomweb"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["0020000D"]["Value"][0], ct.study_uid);
  EXPECT_EQ(out[0]["0020000D"]["vr"], "UI");
  EXPECT_EQ(out[0]["00100010"]["Value"][0]["Alphabetic"], "CompressedSamples^CT1");
  EXPECT_EQ(out[0]["00080061"]["Value"][0], "CT");
  EXPECT_EQ(out[0]["00201208"]["Value"][0], 1);
  EXPECT_EQ(out[0]["00081190"]["Value"][0], "https://gw/dicomweb/studies/" + ct.study_uid);

  out = qido_search(store_->index(), QidoLevel::kStudies, "", "", {{"00100010", "山田*"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["00100010"]["Value"][0]["Ideographic"], "山田^太郎");
  EXPECT_EQ(out[0]["00100010"]["Value"][0]["Phonetic"], "やまだ^たろう");

  out = qido_search(store_->index(), QidoLevel::kStudies, "", "", {{"ModalitiesInStudy", "MR,CT"}});
  EXPECT_EQ(out.size(), 2u);
  out = qido_search(store_->index(), QidoLevel::kStudies, "", "", {{"limit", "2"}});
  EXPECT_EQ(out.size(), 2u);
  auto all = qido_search(store_->index(), QidoLevel::kStudies, "", "", {});
  out =
      qido_search(store_->index(), QidoLevel::kStudies, "", "", {{"offset", "1"}, {"limit", "1"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], all[1]);
  out = qido_search(store_->index(), QidoLevel::kStudies, "", "",
                    {{"StudyDate", ct.study_date + "-" + ct.study_date}, {"includefield", "all"}});
  EXPECT_FALSE(out.empty());
  for (const auto& s : out)
    EXPECT_EQ(s["00080020"]["Value"][0], ct.study_date);
}

TEST_F(DicomWeb, QidoRejectsWhatItCannotMatch) {
  for (const QueryParams& p : std::vector<QueryParams>{{{"Foo", "1"}},
                                                       {{"limit", "-1"}},
                                                       {{"limit", "100000"}},
                                                       {{"StudyDate", "2024"}},
                                                       {{"StudyDate", "20240201-20240101"}},
                                                       {{"SOPInstanceUID", "1.2"}}}) {
    EXPECT_THROW(qido_search(store_->index(), QidoLevel::kStudies, "", "", p), Error) << p[0].first;
  }
}

TEST_F(DicomWeb, QidoSeriesAndInstancesOfAStudy) {
  const auto& rle = rec("test_files/SC_rgb_rle_2frame.dcm");
  auto series = qido_search(store_->index(), QidoLevel::kSeries, rle.study_uid, "", {});
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0]["0020000E"]["Value"][0], rle.series_uid);
  auto instances =
      qido_search(store_->index(), QidoLevel::kInstances, rle.study_uid, rle.series_uid, {});
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0]["00280008"]["Value"][0], 2);
  EXPECT_EQ(instances[0]["00083002"]["Value"][0], "1.2.840.10008.1.2.5");
  EXPECT_TRUE(qido_search(store_->index(), QidoLevel::kSeries, "9.9.9", "", {}).empty());
}

TEST_F(DicomWeb, WadoUriParsesWithClearErrors) {
  const auto& ct = rec("test_files/CT_small.dcm");
  auto ok = parse_wado_uri(wado(ct));
  EXPECT_FALSE(ok.dicom);
  EXPECT_EQ(ok.render.format, ImageFormat::kJpeg);
  QueryParams p = wado(ct);
  p.erase(p.begin());
  expect_bad(p, "requestType");
  p = wado(ct);
  p[1].second = "1.2.abc";
  expect_bad(p, "studyUID");
  expect_bad(wado(ct, "image/gif"), "contentType");
  p = wado(ct);
  p.push_back({"windowCenter", "40"});
  expect_bad(p, "windowWidth");
  p = wado(ct, "application/dicom");
  p.push_back({"rows", "64"});
  expect_bad(p, "not allowed with contentType=application/dicom");
  p = wado(ct);
  p.push_back({"frameNumber", "0"});
  expect_bad(p, "frameNumber");
  p = wado(ct);
  p.push_back({"columns", "many"});
  expect_bad(p, "columns");
  p = wado(ct);
  p.push_back({"bogus", "1"});
  expect_bad(p, "bogus");
  p = wado(ct);
  p.push_back({"objectUID", ct.sop_uid});
  expect_bad(p, "more than once");
}

TEST_F(DicomWeb, WadoUriServesRawAndRenderedImages) {
  const auto& ct = rec("test_files/CT_small.dcm");
  auto raw = serve_wado_uri(*store_, parse_wado_uri(wado(ct, "application/dicom")));
  EXPECT_EQ(raw.content_type, "application/dicom");
  EXPECT_EQ(fs::file_size(raw.file), ct.size_bytes);

  auto jpeg = serve_wado_uri(*store_, parse_wado_uri(wado(ct)));
  EXPECT_EQ(jpeg_size(jpeg.body), (Size{128, 128}));
  QueryParams p = wado(ct, "image/png");
  p.push_back({"rows", "64"});
  auto png = serve_wado_uri(*store_, parse_wado_uri(p));
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(png_size(png.body), (Size{64, 64}));
  // A different window gives a different picture.
  p = wado(ct, "image/png");
  p.push_back({"windowCenter", "40"});
  p.push_back({"windowWidth", "80"});
  auto windowed = serve_wado_uri(*store_, parse_wado_uri(p));
  auto plain = serve_wado_uri(*store_, parse_wado_uri(wado(ct, "image/png")));
  EXPECT_NE(windowed.body, plain.body);
  // Unknown object, or a known one asked for under the wrong series.
  p = wado(ct);
  p[3].second = "1.2.3.4";
  EXPECT_THROW(serve_wado_uri(*store_, parse_wado_uri(p)), Error);
  p = wado(ct);
  p[2].second = rec("test_files/MR_small.dcm").series_uid;
  try {
    serve_wado_uri(*store_, parse_wado_uri(p));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
  // Transcoding is refused clearly.
  p = wado(ct, "application/dicom");
  p.push_back({"transferSyntax", "1.2.840.10008.1.2.4.50"});
  EXPECT_THROW(serve_wado_uri(*store_, parse_wado_uri(p)), Error);
}

TEST_F(DicomWeb, JpegTwoThousandSaysWhyItCannotRenderAndStaysRetrievable) {
  const auto& j2k = rec("test_files/JPEG2000.dcm");
  try {
    serve_wado_uri(*store_, parse_wado_uri(wado(j2k)));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnprocessable);
    EXPECT_NE(e.external().find("cannot render this transfer syntax (JPEG 2000"), std::string::npos)
        << e.external();
  }
  EXPECT_THROW(retrieve_frames(*store_, j2k.study_uid, j2k.series_uid, j2k.sop_uid, "1"), Error);
  EXPECT_TRUE(
      fs::exists(serve_wado_uri(*store_, parse_wado_uri(wado(j2k, "application/dicom"))).file));
}

TEST_F(DicomWeb, WadoRsFilesMetadataFramesAndRendered) {
  const auto& rle = rec("test_files/SC_rgb_rle_2frame.dcm");
  auto files = retrieve_files(*store_, rle.study_uid);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].sop_uid, rle.sop_uid);
  EXPECT_THROW(retrieve_files(*store_, "9.9.9"), Error);

  auto frames = retrieve_frames(*store_, rle.study_uid, rle.series_uid, rle.sop_uid, "2,1");
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].size(), std::size_t{rle.rows} * rle.columns * 3);
  EXPECT_NE(frames[0], frames[1]);
  EXPECT_THROW(retrieve_frames(*store_, rle.study_uid, rle.series_uid, rle.sop_uid, "3"), Error);
  EXPECT_THROW(retrieve_frames(*store_, rle.study_uid, rle.series_uid, rle.sop_uid, "1,,2"), Error);

  auto second = retrieve_rendered(*store_, rle.study_uid, rle.series_uid, rle.sop_uid,
                                  parse_rendered({{"viewport", "50,50"}}, "image/png", 2));
  EXPECT_EQ(second.content_type, "image/png");
  EXPECT_EQ(png_size(second.bytes), (Size{50, 50}));
  EXPECT_THROW(parse_rendered({}, "image/gif"), Error);
  EXPECT_THROW(parse_rendered({{"window", "40"}}, ""), Error);
  EXPECT_EQ(parse_rendered({{"window", "40,400"}, {"quality", "70"}}, "").quality, 70);

  // Metadata: UTF-8 names (from ISO 2022 IR 87), no inline pixel data.
  const auto& jp = rec("charset_files/chrH31.dcm");
  auto meta = retrieve_metadata(*store_, jp.study_uid);
  ASSERT_EQ(meta.size(), 1u);
  EXPECT_EQ(meta[0]["00100010"]["Value"][0]["Ideographic"], "山田^太郎");
  const auto& ct = rec("test_files/CT_small.dcm");
  meta = retrieve_metadata(*store_, ct.study_uid, ct.series_uid, ct.sop_uid);
  EXPECT_FALSE(meta[0].contains("7FE00010"));
  meta = retrieve_metadata(*store_, ct.study_uid, "", "", "https://gw/dicomweb");
  EXPECT_EQ(meta[0]["7FE00010"]["BulkDataURI"], "https://gw/dicomweb/studies/" + ct.study_uid +
                                                    "/series/" + ct.series_uid + "/instances/" +
                                                    ct.sop_uid + "/frames/1");
  // A structured report has metadata but nothing to render.
  const auto& sr = rec("test_files/test-SR.dcm");
  EXPECT_EQ(retrieve_metadata(*store_, sr.study_uid).size(), 1u);
  EXPECT_THROW(retrieve_rendered(*store_, sr.study_uid, sr.series_uid, sr.sop_uid, RenderOptions{}),
               Error);
}

TEST(Multipart, FramesPartsWithARandomBoundary) {
  MultipartRelated a("application/octet-stream"), b("application/octet-stream");
  EXPECT_NE(a.boundary(), b.boundary());
  EXPECT_EQ(a.content_type(),
            "multipart/related; type=\"application/octet-stream\"; boundary=" + a.boundary());
  std::string body = a.build({"AAA", "BB"});
  const std::string dash = "--" + a.boundary();
  EXPECT_EQ(body, dash + "\r\nContent-Type: application/octet-stream\r\n\r\nAAA\r\n" + dash +
                      "\r\nContent-Type: application/octet-stream\r\n\r\nBB\r\n" + dash + "--\r\n");
  MultipartRelated c("application/dicom");
  EXPECT_EQ(
      c.part_header("/x"),
      "--" + c.boundary() + "\r\nContent-Type: application/dicom\r\nContent-Location: /x\r\n\r\n");
  EXPECT_EQ(c.part_header().substr(0, 4), "\r\n--");
}

}  // namespace
}  // namespace hareyaka::gateway::dicom
