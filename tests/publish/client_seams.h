#pragma once
// HttpClientOptions whose seams record instead of acting, for the HTTP client's tests: sleeps are not slept (each
// is kept in `sleeps`), the epoch clock and the jitter are fixed, the environment is `env` only, log lines go to
// `log`.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "publish/http_client.h"

namespace treeprint::testing {

struct ClientSeams {
  std::vector<std::chrono::milliseconds> sleeps;
  std::vector<std::string> log;
  std::map<std::string, std::string> env;
  HttpClientOptions options;

  ClientSeams() {
    options.backoff_base = std::chrono::milliseconds(1000);
    options.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    options.now = [] { return int64_t{1'700'000'000}; };
    options.random = [] { return 0.5; };  // jitter factor 0.75
    options.getenv = [this](const char* name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    options.log = [this](const std::string& line) { log.push_back(line); };
  }
  ClientSeams(const ClientSeams&) = delete;
  ClientSeams& operator=(const ClientSeams&) = delete;
  HttpClient client() { return HttpClient(options); }
};

}  // namespace treeprint::testing
