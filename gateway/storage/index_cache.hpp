// The on-disk cache of the storage index: one line per file with its size, mtime and
// verdict, so a restart re-reads only files that changed. The files stay the source of
// truth: a missing, foreign or corrupt cache only costs a full re-read.
#pragma once

#include <string>
#include <vector>

#include "gateway/storage/scanner.hpp"

namespace hareyaka::gateway::storage {

// Loads the cache written for these roots; empty when absent or written for other roots.
KnownFiles load_index_cache(const std::string& cache_file, const std::string& standard_root,
                            const std::string& extended_root);

// Writes atomically (temporary file, then rename). Returns false on I/O failure.
bool save_index_cache(const std::string& cache_file, const std::string& standard_root,
                      const std::string& extended_root, const std::vector<Verdict>& verdicts);

}  // namespace hareyaka::gateway::storage
