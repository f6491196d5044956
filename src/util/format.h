#pragma once
// Small text helpers shared by every stage: hex digests, human-readable sizes, errno text.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace treeprint {

/// Lower-case hex of `bytes`.
std::string to_hex(std::span<const unsigned char> bytes);

/// Appends the lower-case hex of `bytes` to `out`.
void append_hex(std::string& out, std::span<const unsigned char> bytes);

/// "839.2 MB" (decimal units, one decimal place), for logs.
std::string human_bytes(uint64_t bytes);

/// "50,300": thousands separators, for logs.
std::string with_commas(uint64_t n);

/// strerror(err) without the thread-safety trap.
std::string errno_text(int err);

}  // namespace treeprint

namespace treeprint {

/// A path made safe for a log line: control bytes and bytes that are not UTF-8 become \xNN, so a hostile name
/// cannot forge log lines or workflow commands.
std::string printable(std::string_view raw);

}  // namespace treeprint
