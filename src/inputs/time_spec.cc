#include "inputs/time_spec.h"

#include <chrono>
#include <limits>

namespace treeprint {

namespace {

bool digits(std::string_view s, size_t pos, size_t count, int* out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Up to nine digits of a fraction, as nanoseconds; more digits are accepted and truncated.
size_t parse_fraction(std::string_view s, size_t pos, int64_t* ns) {
  size_t i = pos;
  int64_t v = 0;
  int n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (n < 9) {
      v = v * 10 + (s[i] - '0');
      ++n;
    }
    ++i;
  }
  for (; n < 9; ++n) v *= 10;
  *ns = v;
  return i;
}

std::optional<int64_t> parse_unix(std::string_view s, std::string* error) {
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) ++i;
  if (i == s.size()) return std::nullopt;
  constexpr int64_t k_max_seconds = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
  int64_t secs = 0;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    secs = secs * 10 + (s[i] - '0');
    if (secs > k_max_seconds) {
      *error = "out of range";
      return std::nullopt;
    }
    ++i;
  }
  if (i == start) return std::nullopt;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    const size_t end = parse_fraction(s, i + 1, &frac);
    if (end == i + 1) return std::nullopt;
    i = end;
  }
  if (i != s.size()) return std::nullopt;
  const int64_t ns = secs * 1'000'000'000 + frac;
  return negative ? -ns : ns;
}

}  // namespace

Result<int64_t> parse_time_spec(std::string_view s) {
  std::string why;
  if (auto v = parse_unix(s, &why)) return Result<int64_t>(*v);
  if (!why.empty()) {
    return Result<int64_t>::failure("'" + std::string(s) + "' is " + why);
  }
  const std::string expected = "'" + std::string(s) +
                               "' is not a time: use RFC 3339 (2024-01-02T03:04:05Z, 2024-01-02T03:04:05.5+02:00) "
                               "or Unix seconds (1704164645)";
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || !digits(s, 0, 4, &y) || s[4] != '-' || !digits(s, 5, 2, &mo) || s[7] != '-' ||
      !digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, &h) || s[13] != ':' ||
      !digits(s, 14, 2, &mi) || s[16] != ':' || !digits(s, 17, 2, &sec)) {
    return Result<int64_t>::failure(expected);
  }
  size_t i = 19;
  int64_t frac = 0;
  if (s[i] == '.') {
    const size_t end = parse_fraction(s, i + 1, &frac);
    if (end == i + 1) {
      return Result<int64_t>::failure(expected);
    }
    i = end;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    offset = 0;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh, om;
    if (!digits(s, i + 1, 2, &oh) || !digits(s, i + 4, 2, &om) || oh > 23 || om > 59) {
      return Result<int64_t>::failure(expected);
    }
    offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
  } else {
    return Result<int64_t>::failure(expected);
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
    return Result<int64_t>::failure("'" + std::string(s) + "' is not a valid date and time");
  }
  const int64_t days_since_epoch = sys_days{ymd}.time_since_epoch().count();
  const int64_t secs = days_since_epoch * 86400 + h * 3600 + mi * 60 + sec - offset;
  return Result<int64_t>(secs * 1'000'000'000 + frac);
}

}  // namespace treeprint
