// hareyaka-dicom-gen: small, valid DICOM studies for the radiology orders of a synthetic
// SS-MIX2 storage (hareyaka-ssmix2-gen), so that the study UID an OMG-11 result carries
// opens in the viewer. Each study is one Secondary Capture series of a synthetic phantom
// (16-bit MONOCHROME2, 128×128; several slices for CT and MR so a series can be scrolled),
// with the patient id of the SS-MIX2 record and the order's accession number and date.
// The same storage gives the same files.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr const char* kHelp = R"(usage: hareyaka-dicom-gen --ssmix2 DIR --out DIR

Writes one small DICOM study per OMG-11 radiology order found under the SS-MIX2 storage
DIR (its IPC segment's study instance UID, accession number and modality), as
OUT/<study uid>/<n>.dcm, for a gateway's dicom.import_dir.
)";

struct Order {
  std::string patient_id, study_uid, accession, modality, date;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep))
    out.push_back(part);
  return out;
}

std::optional<Order> read_order(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  Order o;
  o.patient_id = split(file.filename().string(), '_').at(0);
  for (const auto& seg : split(buf.str(), '\r')) {
    auto f = split(seg, '|');
    if (f.empty())
      continue;
    if (f[0] == "OBR" && f.size() > 7)
      o.date = f[7].substr(0, 8);
    if (f[0] == "IPC" && f.size() > 5) {
      o.accession = f[1].substr(0, 16);
      o.study_uid = f[3];
      o.modality = split(f[5], '^').empty() ? "OT" : split(f[5], '^')[0];
    }
  }
  if (o.study_uid.empty() || o.study_uid.size() > 56)
    return std::nullopt;
  return o;
}

bool write_instance(const Order& o, int slice, int slices, const fs::path& path) {
  constexpr int kSize = 128;
  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  const std::string series = o.study_uid + ".1";
  const std::string sop = series + "." + std::to_string(slice);
  ds->putAndInsertString(DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
  ds->putAndInsertString(DCM_SOPInstanceUID, sop.c_str());
  ds->putAndInsertString(DCM_StudyInstanceUID, o.study_uid.c_str());
  ds->putAndInsertString(DCM_SeriesInstanceUID, series.c_str());
  ds->putAndInsertString(DCM_PatientID, o.patient_id.c_str());
  ds->putAndInsertString(DCM_PatientName, "");
  ds->putAndInsertString(DCM_PatientBirthDate, "");
  ds->putAndInsertString(DCM_PatientSex, "");
  ds->putAndInsertString(DCM_StudyDate, o.date.c_str());
  ds->putAndInsertString(DCM_StudyTime, "090000");
  ds->putAndInsertString(DCM_AccessionNumber, o.accession.c_str());
  ds->putAndInsertString(DCM_ReferringPhysicianName, "");
  ds->putAndInsertString(DCM_StudyID, "1");
  ds->putAndInsertString(DCM_Modality, o.modality.c_str());
  ds->putAndInsertString(DCM_ConversionType, "WSD");
  ds->putAndInsertString(DCM_SeriesNumber, "1");
  ds->putAndInsertString(DCM_InstanceNumber, std::to_string(slice).c_str());
  ds->putAndInsertString(DCM_SeriesDescription, "synthetic phantom");
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_Rows, kSize);
  ds->putAndInsertUint16(DCM_Columns, kSize);
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_BitsStored, 12);
  ds->putAndInsertUint16(DCM_HighBit, 11);
  ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
  ds->putAndInsertString(DCM_RescaleIntercept, "-1024");
  ds->putAndInsertString(DCM_RescaleSlope, "1");
  ds->putAndInsertString(DCM_WindowCenter, "40");
  ds->putAndInsertString(DCM_WindowWidth, "400");
  // A body outline with an "organ" whose size changes along the series.
  std::vector<Uint16> px(kSize * kSize);
  const double organ = 10.0 + 20.0 * std::sin(3.14159 * slice / (slices + 1));
  for (int y = 0; y < kSize; ++y) {
    for (int x = 0; x < kSize; ++x) {
      const double dx = x - kSize / 2.0, dy = y - kSize / 2.0;
      const double r = std::sqrt(dx * dx + dy * dy * 1.4);
      const double r2 = std::sqrt((dx - 15) * (dx - 15) + dy * dy);
      int hu = -1000;
      if (r < 55)
        hu = 40 + ((x * 7 + y * 13 + slice) % 11);
      if (r < 55 && r2 < organ)
        hu = 180;
      px[y * kSize + x] = static_cast<Uint16>(hu + 1024);
    }
  }
  ds->putAndInsertUint16Array(DCM_PixelData, px.data(), static_cast<unsigned long>(px.size()));
  return ff.saveFile(path.c_str(), EXS_LittleEndianExplicit).good();
}

}  // namespace

int main(int argc, char** argv) {
  std::string root, out;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (i + 1 < argc && std::strcmp(argv[i], "--ssmix2") == 0) {
      root = argv[++i];
    } else if (i + 1 < argc && std::strcmp(argv[i], "--out") == 0) {
      out = argv[++i];
    } else {
      std::fprintf(stderr, "hareyaka-dicom-gen: unknown argument %s\n%s", argv[i], kHelp);
      return 2;
    }
  }
  if (root.empty() || out.empty()) {
    std::fputs(kHelp, stderr);
    return 2;
  }
  std::size_t studies = 0, files = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.find("_OMG-11_") == std::string::npos)
      continue;
    auto order = read_order(e.path());
    if (!order)
      continue;
    const fs::path dir = fs::path(out) / order->study_uid;
    fs::create_directories(dir);
    const int slices = (order->modality == "CT" || order->modality == "MR") ? 12 : 1;
    for (int s = 1; s <= slices; ++s) {
      if (!write_instance(*order, s, slices, dir / (std::to_string(s) + ".dcm"))) {
        std::fprintf(stderr, "hareyaka-dicom-gen: cannot write %s\n", dir.c_str());
        return 1;
      }
      ++files;
    }
    ++studies;
  }
  if (ec) {
    std::fprintf(stderr, "hareyaka-dicom-gen: cannot read %s: %s\n", root.c_str(),
                 ec.message().c_str());
    return 1;
  }
  std::printf("%zu studies, %zu files\n", studies, files);
  return 0;
}
