#pragma once
// Safe Markdown from untrusted text (file names, error messages) for the step summary and other GitHub-flavoured
// Markdown bodies, and cutting a document to a byte limit without breaking it.

#include <cstddef>
#include <string>
#include <string_view>

namespace treeprint {

/// GitHub drops a step summary larger than this (1 MiB) entirely.
inline constexpr size_t k_step_summary_limit = 1024 * 1024;

/// `raw` as an inline code span. Bytes that are not UTF-8 and control characters (newlines included) are shown as
/// \xNN, a backslash as \\ (the same text as log lines), so any name renders on one line and cannot inject
/// Markdown or HTML. With `in_table`, '|' is escaped so the span stays in its table cell.
std::string md_code(std::string_view raw, bool in_table);

/// `raw` as plain Markdown text: the same \xNN treatment, and every ASCII punctuation character that Markdown or
/// HTML could read as syntax is backslash-escaped, so the text renders literally (in a table cell too).
std::string md_text(std::string_view raw);

/// At most `max_bytes` of UTF-8, cut at a character boundary with "…" appended when cut (`max_bytes` >= 3).

/// `markdown` unchanged when it fits in `max_bytes`. Otherwise the longest prefix that ends at a line break and
/// leaves room for a closing code fence (if the cut is inside one), the closing tags of the <details> blocks the cut
/// left open, and a visible note that says the text was cut, how many bytes were left out and to stay within what
/// (`limit_name`); `where_else` ("the manifest has every entry") is added to the note. The result never exceeds
/// `max_bytes`; when even the note does not fit, the result is empty.
std::string fit_markdown(std::string_view markdown, size_t max_bytes, std::string_view where_else,
                         std::string_view limit_name = "GitHub's 1 MiB limit for a step summary");

}  // namespace treeprint
