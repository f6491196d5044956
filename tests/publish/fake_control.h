#pragma once
// The test hooks of the fakes under tests/servers (`/_fake/...` on fake_github.py, fake-results.js and
// fake_forge.py): one control request, its JSON answer returned, a failure or a status other than 200 a test failure.

#include <gtest/gtest.h>

#include <string>

#include "publish/http_client.h"

namespace treeprint::testing {

inline std::string fake_control(const std::string& base_url, const std::string& method, const std::string& path,
                                const std::string& body = "{}") {
  HttpClient http;
  HttpRequest r;
  r.method = method;
  r.url = base_url + path;
  r.headers = {{"Content-Type", "application/json"}};
  if (method != "GET") r.body = body;
  auto res = http.send(r);
  EXPECT_TRUE(res) << path << ": " << res.error();
  if (!res) return "";
  EXPECT_EQ(res->status, 200) << path << ": " << res->body;
  return res->body;
}

}  // namespace treeprint::testing
