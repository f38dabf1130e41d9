#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::ssmix2 {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t pos = path.find('/', start);
    if (pos == std::string_view::npos)
      pos = path.size();
    if (pos > start)
      out.push_back(path.substr(start, pos - start));
    start = pos + 1;
  }
  return out;
}

std::string patient_folder(std::string_view id) {
  std::string out(id.substr(0, 3));
  out += '/';
  out += id.size() > 3 ? id.substr(3, 3) : std::string_view{};
  out += '/';
  out += id;
  return out;
}

std::string standard_relative_path(const FileName& name) {
  return patient_folder(name.patient_id) + "/" + format_date_folder(name.date) + "/" +
         name.data_type_code + "/" + name.to_string();
}

namespace {

// Checks the three patient folders; returns the problem or empty.
std::string check_patient_folders(std::string_view a, std::string_view b, std::string_view pid) {
  if (!valid_patient_id(pid))
    return "patient folder name is not letters and digits";
  if (a != pid.substr(0, 3) || b != (pid.size() > 3 ? pid.substr(3, 3) : std::string_view{})) {
    return "wrong folder: the first two folders must be the patient id's characters 1-3 and 4-6";
  }
  return {};
}

}  // namespace

StandardPathCheck check_standard_path(std::string_view relative_path) {
  StandardPathCheck out;
  auto parts = split_path(relative_path);
  if (parts.size() != 6) {
    out.problems.push_back(
        "wrong folder: a standard storage file must be at depth 6 "
        "(PID[0:3]/PID[3:6]/PID/date/type/file), found depth " +
        std::to_string(parts.size()));
    if (!parts.empty()) {
      FileNameError ignored;
      out.name = parse_file_name(parts.back(), &ignored);
    }
    return out;
  }
  FileNameError error;
  out.name = parse_file_name(parts[5], &error);
  if (!out.name)
    out.problems.push_back("file name does not follow the SS-MIX2 rule: " + error.message);
  std::string folder_problem = check_patient_folders(parts[0], parts[1], parts[2]);
  if (!folder_problem.empty())
    out.problems.push_back(folder_problem);
  auto folder_date = parse_date_folder(parts[3]);
  if (!folder_date)
    out.problems.push_back("date folder is neither '-' nor a valid yyyymmdd date");
  auto folder_type = parse_data_type(parts[4]);
  if (!folder_type) {
    out.problems.push_back("unknown data type folder '" + std::string(parts[4]) + "'");
  }
  if (out.name) {
    const FileName& n = *out.name;
    if (n.patient_id != parts[2]) {
      out.problems.push_back(
          "wrong folder: the file name's patient id differs from its patient folder");
    }
    if (folder_date && n.date != *folder_date) {
      out.problems.push_back("wrong folder: the file name's date differs from its date folder");
    }
    if (n.data_type_code != parts[4]) {
      out.problems.push_back("wrong folder: the file name's data type " + n.data_type_code +
                             " differs from its data type folder " + std::string(parts[4]));
    } else if (!n.type && folder_type) {
      out.problems.push_back("unknown data type '" + n.data_type_code + "'");
    }
  }
  return out;
}

std::optional<ExtendedTypeFolder> parse_extended_type_folder(std::string_view folder) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = folder.find('^', start);
    parts.push_back(
        folder.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos)
      break;
    start = pos + 1;
  }
  if (parts.size() != 6)
    return std::nullopt;
  if (parts[0].empty() && parts[3].empty())
    return std::nullopt;  // needs at least one code
  return ExtendedTypeFolder{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                            std::string(parts[3]), std::string(parts[4]), std::string(parts[5])};
}

ExtendedPathCheck check_extended_path(std::string_view relative_path) {
  ExtendedPathCheck out;
  auto parts = split_path(relative_path);
  if (parts.size() != 7) {
    out.problems.push_back(
        "wrong folder: an extended storage document must be at depth 7 "
        "(PID[0:3]/PID[3:6]/PID/date/type folder/content folder/file), found depth " +
        std::to_string(parts.size()));
    return out;
  }
  std::string folder_problem = check_patient_folders(parts[0], parts[1], parts[2]);
  if (!folder_problem.empty())
    out.problems.push_back(folder_problem);
  auto date = parse_date_folder(parts[3]);
  if (!date)
    out.problems.push_back("date folder is neither '-' nor a valid yyyymmdd date");
  auto type = parse_extended_type_folder(parts[4]);
  if (!type) {
    out.problems.push_back(
        "extended data type folder is not 'local code^name^system^standard "
        "code^name^system'");
  }
  ExtendedLocation loc;
  FileNameError ignored;
  loc.content_name = parse_file_name(parts[5], &ignored);
  if (loc.content_name && loc.content_name->patient_id != parts[2]) {
    out.problems.push_back(
        "wrong folder: the content folder's patient id differs from its patient folder");
  }
  if (!out.problems.empty())
    return out;
  loc.patient_id = std::string(parts[2]);
  loc.date = *date;
  loc.type_folder = std::string(parts[4]);
  loc.type = *type;
  loc.content_folder = std::string(parts[5]);
  loc.file = std::string(parts[6]);
  out.location = std::move(loc);
  return out;
}

}  // namespace hareyaka::ssmix2
