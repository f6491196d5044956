#pragma once
// An unsigned Actions runtime token for tests: a JWT whose `scp` claim carries the backend ids, as the runner's does.

#include <string>
#include <string_view>

#include "manifest/path_encoding.h"

namespace treeprint::testing {

inline std::string base64url(std::string_view s) {
  std::string out = base64_encode(s);
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

/// `scp` is the claim's text, e.g. "Actions.ExampleScope Actions.Results:<run>:<job>".
inline std::string runtime_token(const std::string& scp) {
  return base64url(R"({"alg":"none","typ":"JWT"})") + "." + base64url(R"({"scp":")" + scp + R"(","exp":9999999999})") +
         ".";
}

}  // namespace treeprint::testing
