// SS-MIX2 folder layout. Standard storage:
//   <root>/<PID[0:3]>/<PID[3:6]>/<PID>/<yyyymmdd or ->/<data type>/<file name>
// Extended storage (documents and anything the standard types do not cover):
//   <root>/<PID[0:3]>/<PID[3:6]>/<PID>/<yyyymmdd or ->/<type folder>/<content folder>/<file>
// where the type folder is named "local code^name^system^standard code^name^system" and the
// content folder usually follows the standard file-name rule (so it carries a condition flag).
// These functions take paths relative to the storage root; they do no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::ssmix2 {

// "<PID[0:3]>/<PID[3:6]>/<PID>" (shorter ids give shorter first folders, as the rule slices).
std::string patient_folder(std::string_view patient_id);
// The relative path a standard file with this name must have.
std::string standard_relative_path(const FileName& name);

struct StandardPathCheck {
  std::optional<FileName> name;       // set when the file name itself parses
  std::vector<std::string> problems;  // empty when the path is a well-formed standard path
};

// Checks a path relative to the standard root: the depth, the folder rule, that the file
// name parses and agrees with its folders (patient, date, data type), and that the type is
// a standard one. Messages say what disagrees, without patient data.
StandardPathCheck check_standard_path(std::string_view relative_path);

struct ExtendedTypeFolder {
  std::string local_code, local_name, local_system;
  std::string standard_code, standard_name, standard_system;
};

std::optional<ExtendedTypeFolder> parse_extended_type_folder(std::string_view folder);

struct ExtendedLocation {
  std::string patient_id;
  std::uint32_t date = 0;
  std::string type_folder;
  ExtendedTypeFolder type;
  std::string content_folder;
  std::optional<FileName> content_name;  // when the content folder follows the file-name rule
  std::string file;                      // the document's file name inside the content folder
};

struct ExtendedPathCheck {
  std::optional<ExtendedLocation> location;
  std::vector<std::string> problems;
};

ExtendedPathCheck check_extended_path(std::string_view relative_path);

// Splits "a/b/c" into its components (no empty ones).
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace hareyaka::ssmix2
