#include "util/json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <limits>

namespace treeprint {
namespace {

TEST(JsonWriter, CompactObjectsAndArraysGetTheirCommas) {
  JsonWriter w;
  w.begin_object().field("a", 1).key("list").begin_array();
  w.number(1).string("two").boolean(false).null().begin_object().end_object().begin_array().end_array();
  w.end_array().field("last", true).end_object();
  EXPECT_EQ(w.text(), R"({"a":1,"list":[1,"two",false,null,{},[]],"last":true})");
}

TEST(JsonWriter, SpacedStyleIsOneReadableLine) {
  JsonWriter w(JsonWriter::Style::spaced);
  w.begin_object().field("valid", true).key("totals").begin_object().field("files", 2).field("bytes", 3);
  w.end_object().key("ids").begin_array().number(1).number(2).end_array().end_object();
  EXPECT_EQ(w.text(), R"({"valid": true, "totals": {"files": 2, "bytes": 3}, "ids": [1, 2]})");
}

TEST(JsonWriter, StringsAndKeysAreEscaped) {
  JsonWriter w;
  w.begin_object().field("q\"uote", "back\\slash\nnew\x01line \xc3\xa9").end_object();
  EXPECT_EQ(w.text(), "{\"q\\\"uote\":\"back\\\\slash\\nnew\\u0001line \xc3\xa9\"}");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(w.text()).get(doc));
  std::string_view back;
  ASSERT_FALSE(doc["q\"uote"].get_string().get(back));
  EXPECT_EQ(back, "back\\slash\nnew\x01line \xc3\xa9");
}

TEST(JsonWriter, NumbersKeepTheirSignAndFullRange) {
  JsonWriter w;
  w.begin_array().number(int64_t{-5}).number(std::numeric_limits<uint64_t>::max());
  w.number(std::numeric_limits<int64_t>::min()).number(uint32_t{7}).end_array();
  EXPECT_EQ(w.text(), "[-5,18446744073709551615,-9223372036854775808,7]");
}

TEST(JsonWriter, RawValuesAreInsertedWithTheirComma) {
  JsonWriter inner;
  inner.begin_object().field("x", 1).end_object();
  JsonWriter w;
  w.begin_object().field("a", "b").key("inner").raw(inner.text()).end_object();
  EXPECT_EQ(w.take(), R"({"a":"b","inner":{"x":1}})");
}

TEST(JsonWriter, LinesLayoutPutsEachItemOnALineAndLeavesEmptyListsShut) {
  using Layout = JsonWriter::Layout;
  JsonWriter w(JsonWriter::Style::spaced);
  w.begin_object(Layout::lines).field("identical", false).key("changes").begin_array(Layout::lines);
  w.begin_object().field("path", "a").end_object().begin_object().field("path", "b").end_object();
  w.end_array().key("unreadable").begin_array(Layout::lines).end_array().end_object();
  EXPECT_EQ(w.text(),
            "{\n"
            "  \"identical\": false,\n"
            "  \"changes\": [\n"
            "    {\"path\": \"a\"},\n"
            "    {\"path\": \"b\"}\n"
            "  ],\n"
            "  \"unreadable\": []\n"
            "}");
}

}  // namespace
}  // namespace treeprint
