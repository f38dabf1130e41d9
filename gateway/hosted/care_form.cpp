#include "gateway/hosted/care_form.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "common/media_check.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/ssmix2/file_name.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::hosted {
namespace {

constexpr std::size_t kMaxTitleBytes = 120;  // 40 kanji

// The code points of a UTF-8 text; nullopt when it is not well-formed UTF-8.
std::optional<std::vector<char32_t>> code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size())
      return std::nullopt;
    char32_t c = n == 1 ? b : b & (0x7f >> n);
    for (int k = 1; k < n; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont >> 6) != 2)
        return std::nullopt;
      c = (c << 6) | (cont & 0x3f);
    }
    out.push_back(c);
    i += n;
  }
  return out;
}

// Full- or half-width katakana, the prolonged sound mark and spaces.
bool katakana(std::string_view s) {
  const auto cps = code_points(s);
  return cps && std::all_of(cps->begin(), cps->end(), [](char32_t c) {
           return (c >= 0x30A1 && c <= 0x30FC) || (c >= 0xFF66 && c <= 0xFF9F) || c == 0x3000 ||
                  c == ' ';
         });
}

// YYYY-MM-DD of a real calendar day -> yyyymmdd; 0 otherwise.
std::uint32_t form_date(const std::string& iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-')
    return 0;
  const std::uint32_t d = encoding::compact_date(iso);
  return d != 0 && ssmix2::valid_calendar_date(d) ? d : 0;
}

std::uint32_t today_in_japan() {
  return encoding::compact_date(
      encoding::iso_utc(std::chrono::system_clock::now() + std::chrono::hours(9)));
}

void check_title(const std::string& title) {
  const auto cps = code_points(title);
  if (title.empty() || !cps)
    throw Error(ErrorCode::kUnprocessable, "title: required (text)");
  if (title.size() > kMaxTitleBytes)
    throw Error(ErrorCode::kUnprocessable, "title: at most 40 characters");
  if (title.front() == '.' || title.front() == ' ' || title.back() == ' ')
    throw Error(ErrorCode::kUnprocessable, "title: may not begin with '.' or a space");
  for (char32_t c : *cps) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
      throw Error(ErrorCode::kUnprocessable, "title: no '/', '\\' or control characters");
  }
}

const DocumentCategory* find_category(const std::string& key) {
  for (const auto& c : document_categories()) {
    if (key == c.key || key == c.name)
      return &c;
  }
  return nullptr;
}

// The parent folder of a relative path ("a/b/c" -> "a/b").
std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// A current document's content folder and the name it takes with another condition flag (2: a
// correction supersedes it, 0: withdrawn). `field`: how the form names the document.
struct Retired {
  std::string folder, as, order_no;
};
Retired retired(const storage::StorageIndex& index, const std::string& patient_id,
                const std::string& document_id, ssmix2::Condition condition, const char* field) {
  const auto old = index.document(patient_id, document_id);
  if (!old)
    throw Error(ErrorCode::kNotFound,
                std::string(field) + "no such current document of this patient");
  const auto check = ssmix2::check_extended_path(old->relative_path);
  if (!check.location || !check.location->content_name)
    throw Error(ErrorCode::kUnprocessable,
                std::string(field) +
                    "that document's folder does not follow the file-name rule, so its "
                    "condition cannot be changed");
  ssmix2::FileName name = *check.location->content_name;
  name.condition = condition;
  const std::string folder = parent_of(old->relative_path);
  return {.folder = folder,
          .as = parent_of(folder) + "/" + name.to_string(),
          .order_no = name.order_no};
}

}  // namespace

const std::vector<DocumentCategory>& document_categories() {
  static const std::vector<DocumentCategory> kAll{
      {"referral", "HYK-REF", "診療情報提供書", "57133-1", "Referral note"},
      {"nursing_summary", "HYK-NSUM", "看護サマリー", "34745-0", "Nurse Discharge summary"},
      {"care_record", "HYK-CARE", "介護記録", "", ""},
      {"test_result", "HYK-LAB", "検査結果", "11502-2", "Laboratory report"},
      {"image", "HYK-IMG", "画像", "", ""},
      {"other", "HYK-OTH", "その他", "", ""}};
  return kAll;
}

std::string type_folder(const DocumentCategory& c) {
  const std::string loinc = c.loinc;
  return std::string(c.code) + "^" + c.name + "^99HYK^" + loinc + "^" + c.loinc_name + "^" +
         (loinc.empty() ? "" : "LN");
}

void check_registration(const Registration& r) {
  if (!ssmix2::valid_patient_id(r.patient_id) || r.patient_id.size() > 20)
    throw Error(ErrorCode::kUnprocessable,
                "patient_id: the facility's id for the patient, 1 to 20 letters and digits");
  if (r.family.empty() || !code_points(r.family) || !code_points(r.given))
    throw Error(ErrorCode::kUnprocessable, "family: the patient's family name is required");
  if (!katakana(r.family_kana) || !katakana(r.given_kana))
    throw Error(ErrorCode::kUnprocessable, "family_kana, given_kana: katakana only (カタカナ)");
  if (r.sex != 'M' && r.sex != 'F' && r.sex != 'U')
    throw Error(ErrorCode::kUnprocessable, "sex: M, F or U");
  if (!r.birth_date.empty()) {
    const auto d = form_date(r.birth_date);
    if (d == 0 || d > today_in_japan())
      throw Error(ErrorCode::kUnprocessable, "birth_date: a past date, YYYY-MM-DD");
  }
  for (const std::string* v : {&r.postal_code, &r.address, &r.phone}) {
    if (!code_points(*v) || v->size() > 200)
      throw Error(ErrorCode::kUnprocessable, "postal_code, address, phone: text up to 200 bytes");
  }
}

RegistrationFile registration_file(const storage::StorageIndex& index, const Registration& r,
                                   const std::string& facility_oid) {
  // The newest ADT-00 held: the same demographics written with its timestamp give its very
  // bytes.
  for (const auto& e : index.current_files(r.patient_id)) {
    if (e.type() != ssmix2::DataType::kAdt00)
      continue;
    auto same = demographics_file(r, facility_oid, e.timestamp);
    if (read_whole_file(index.standard_path(r.patient_id, e)) == same.bytes)
      return {.changed = false, .file = std::move(same)};
    break;
  }
  return {.changed = true, .file = demographics_file(r, facility_oid, ssmix2_timestamp_now())};
}

FormResult register_patient(Ssmix2Store& store, const storage::StorageIndex& index,
                            const Registration& r, const std::string& facility_oid,
                            std::vector<std::string>& placed) {
  check_registration(r);
  const auto adt = registration_file(index, r, facility_oid);
  const bool added = adt.changed && store.place(adt.file.path, adt.file.bytes, placed);
  return {.status = added ? "stored" : "unchanged", .path = adt.file.path, .document_id = ""};
}

FormResult withdraw_document(Ssmix2Store& store, const storage::StorageIndex& index,
                             const std::string& patient_id, const std::string& document_id,
                             std::vector<std::string>& placed) {
  const Retired old =
      retired(index, patient_id, document_id, ssmix2::Condition::kDeleted, "document: ");
  store.retire_document(old.folder, old.as, placed);
  return {.status = "withdrawn", .path = old.folder, .document_id = document_id};
}

FormResult store_document(Ssmix2Store& store, const storage::StorageIndex& index,
                          const DocumentForm& form, std::string_view bytes,
                          std::vector<std::string>& placed) {
  if (!ssmix2::valid_patient_id(form.patient_id))
    throw Error(ErrorCode::kUnprocessable, "patient_id: letters and digits");
  check_title(form.title);
  const DocumentCategory* category = find_category(form.category);
  if (!category) {
    std::string keys;
    for (const auto& c : document_categories())
      keys += (keys.empty() ? "" : ", ") + std::string(c.key);
    throw Error(ErrorCode::kUnprocessable, "category: one of " + keys);
  }
  const std::uint32_t date = form_date(form.date);
  if (date == 0 || date > today_in_japan())
    throw Error(ErrorCode::kUnprocessable,
                "date: the document's date, YYYY-MM-DD, not later "
                "than today");
  if (bytes.empty())
    throw Error(ErrorCode::kUnprocessable, "the file is empty");
  if (bytes.size() > kMaxDocumentBytes)
    throw Error(ErrorCode::kPayloadTooLarge, "a document is at most 32 MB");
  const std::string ext = checked_extension(form.media_type, bytes);
  if (!index.has_patient(form.patient_id))
    throw Error(ErrorCode::kNotFound,
                "no such patient at this facility: register the patient first");

  const std::uint64_t ts = ssmix2_timestamp_now();
  ssmix2::FileName content{.patient_id = form.patient_id,
                           .date = date,
                           .data_type_code = category->code,
                           .type = std::nullopt,
                           .order_no = std::to_string(ts).substr(2),
                           .timestamp = ts,
                           .department = "-",
                           .condition = ssmix2::Condition::kCurrent};
  std::string old_folder, old_as;
  if (!form.supersedes.empty()) {
    const Retired old = retired(index, form.patient_id, form.supersedes,
                                ssmix2::Condition::kSuperseded, "supersedes: ");
    old_folder = old.folder;
    old_as = old.as;
    content.order_no = old.order_no;  // the same order, a newer file
  }
  const std::string path = ssmix2::patient_folder(form.patient_id) + "/" +
                           ssmix2::format_date_folder(date) + "/" + type_folder(*category) + "/" +
                           content.to_string() + "/" + form.title + ext;
  const auto check = ssmix2::check_extended_path(path);
  if (!check.location)
    throw Error(ErrorCode::kInternal, "cannot store the document",
                "a web-form document path is refused by the index's rule");
  store.place_document(path, std::string(bytes), old_folder, old_as, placed);
  return {.status = "stored", .path = path, .document_id = storage::document_id(path)};
}

}  // namespace hareyaka::gateway::hosted
