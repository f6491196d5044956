#pragma once
// Points in time given by users (--since): RFC 3339 or Unix seconds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace treeprint {

/// "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.5+02:00" (also 't' or ' ' between date and time), or Unix seconds
/// ("1704164645", "-5", "1704164645.25"). Returns nanoseconds since the epoch, or an error saying what is wrong.
Result<int64_t> parse_time_spec(std::string_view text);

}  // namespace treeprint
