#include "tests/gateway/ssmix2_test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "proto/hl7v2/charset.hpp"
#include "tests/support/data.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::testing {

namespace fs = std::filesystem;

std::string sample_root() {
  return hareyaka::testing::test_data_dir() + "/ssmix2-nho/sampleData";
}

void copy_tree(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  fs::path p(path);
  fs::create_directories(p.parent_path());
  fs::path tmp = p.parent_path() / ("." + p.filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  fs::rename(tmp, p);
}

std::string replace_in_jis(const std::string& jis, const std::string& from, const std::string& to) {
  auto utf8 = hl7v2::iso2022jp_to_utf8(jis);
  EXPECT_TRUE(utf8);
  std::string s = utf8.value_or("");
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos)
    s.replace(pos, from.size(), to);
  return hl7v2::utf8_to_iso2022jp(s).value_or("");
}

std::string only_file_in(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    files.push_back(e.path().string());
  EXPECT_EQ(files.size(), 1u) << dir;
  return files.empty() ? std::string() : files.front();
}

int run_generator(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv{std::string(HAREYAKA_BINARY_DIR) + "/gateway/hareyaka-ssmix2-gen"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = hareyaka::testing::run(argv);
  if (output)
    *output = r.output;
  return r.exit_code;
}

}  // namespace hareyaka::gateway::testing
