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

/// Decodes lower-case hex (`hex.size() / 2` bytes into `out`); false when the length is odd or any byte is not one
/// of 0-9 a-f (upper case included: the hex this tool writes is canonical). `out` may be written even then.
bool decode_lower_hex(std::string_view hex, unsigned char* out);
/// Whether every byte of `hex` is one of 0-9 a-f (true for "").
bool is_lower_hex(std::string_view hex);

/// "839.2 MB" (decimal units, one decimal place), for logs.
std::string human_bytes(uint64_t bytes);

/// "50,300": thousands separators, for logs.
std::string with_commas(uint64_t n);

/// strerror(err) without the thread-safety trap.
std::string errno_text(int err);

}  // namespace treeprint

namespace treeprint {

/// A path made safe for a log line: backslashes are doubled, and otherwise as log_safe, so a hostile name cannot
/// forge log lines or workflow commands.
std::string printable(std::string_view raw);

/// The one sanitizer for text from outside (what a server sent: status text, headers, bodies, error messages; what
/// a file holds) on its way into a log line. Control bytes (CR and LF included: the runner ends a line at either)
/// and bytes that are not UTF-8 become \xNN; "::" becomes ":\x3a" and "##[" becomes "##\x5b", so the text can
/// neither end the line nor hold a workflow command, in the current form (`::name::`, which the runner reads at the
/// start of a line) or the legacy one (`##[name]`, which it reads anywhere in a line). Backslashes and '%' are kept:
/// a workflow command's data escapes '%' itself (escape_command_data). Text that went through it once comes back
/// unchanged, so a message built from already-sanitized parts can safely be sanitized again.
std::string log_safe(std::string_view raw);

}  // namespace treeprint
