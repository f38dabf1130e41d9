// Helpers for the SS-MIX2 gateway tests: sample data, copies, file edits the way an EMR
// makes them, and the generator binary.
#pragma once

#include <string>
#include <vector>

namespace hareyaka::gateway::testing {

// tests/data/ssmix2-nho/sampleData
std::string sample_root();
// Copies a folder tree (the tests change files; the reference data stays untouched).
void copy_tree(const std::string& from, const std::string& to);
// Reads a file whole; writes one atomically through a hidden temporary and a rename.
std::string read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);
// Decodes a JIS file to UTF-8, replaces `from` by `to`, encodes back.
std::string replace_in_jis(const std::string& jis, const std::string& from, const std::string& to);
// The single file in a folder (fails the test when there is not exactly one).
std::string only_file_in(const std::string& dir);
// Runs hareyaka-ssmix2-gen with these arguments; returns its exit code.
int run_generator(const std::vector<std::string>& args, std::string* output = nullptr);

}  // namespace hareyaka::gateway::testing
