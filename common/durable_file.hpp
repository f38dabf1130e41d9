// Files that survive a crash at any moment: written under a temporary name in the same
// folder, fsynced, then put in place (rename, or link(2) where an existing name must never be
// replaced) and the folder fsynced. A reader sees the old file, the new one, or none; never
// part of one. Errors throw Error(kUnavailable) naming the path (internal detail only).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hareyaka {

// fsync of a folder, so that names created or removed in it are on disk.
void sync_dir(const std::string& dir);
// Flushes every file and folder change of the file system that holds `path` (syncfs(2)): one
// call that makes many files written without their own fsync durable at once.
void sync_filesystem(const std::string& path);
// Writes `content` to `path` (exclusive create), without an fsync: for files made durable
// together afterwards with sync_filesystem().
void write_file_unsynced(const std::string& path, std::string_view content, unsigned mode = 0440);
// Writes `content` to `path` (replacing it), creating the parent folders. `mode`: the new
// file's permissions.
void write_file_durably(const std::string& path, std::string_view content, unsigned mode = 0640);
// Writes `content` to `path` unless that name exists; true: written, false: it existed (and is
// left alone).
bool write_file_once(const std::string& path, std::string_view content, unsigned mode = 0440);
// True for the name of a temporary these functions write (".tmp-<pid>-<n>"): one found when
// no write is under way was left by a crash and was never put in place.
bool is_temporary_name(std::string_view file_name);
// The whole file, or nullopt when it cannot be opened.
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace hareyaka
