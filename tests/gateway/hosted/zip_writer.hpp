// Zip archives for the hosted gateway's tests (libzip, as the gateway reads them): entries
// named as given, from bytes or from a folder tree.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hareyaka::testing {

using ZipEntries = std::vector<std::pair<std::string, std::string>>;  // name, bytes

std::string make_zip(const ZipEntries& entries);
// Every regular file under `root`, named `prefix` + its relative path.
ZipEntries entries_of_tree(const std::string& root, const std::string& prefix = "");

}  // namespace hareyaka::testing
