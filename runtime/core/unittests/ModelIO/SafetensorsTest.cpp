//===- SafetensorsTest.cpp - safetensors reader and writer ----------------===//

#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/FileIO.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

using namespace spike::core;

namespace {

std::string tempPath(const std::string &name) {
  return testing::TempDir() + "/" + std::to_string(::getpid()) + "_" + name;
}

TEST(Safetensors, RoundTrip) {
  SafetensorsWriter w;
  w.setMetadata("producer", "test");
  ASSERT_TRUE(w.addF32("a.weight", {2, 3}, {1, 2, 3, 4, 5, 6}).isOk());
  std::vector<uint16_t> half = {0x3c00, 0xc000}; // 1.0, -2.0
  ASSERT_TRUE(w.add("b", DType::F16, {2}, half.data(), 4).isOk());
  std::vector<uint16_t> bf = {0x3f80}; // 1.0
  ASSERT_TRUE(w.add("c", DType::BF16, {1}, bf.data(), 2).isOk());
  std::string path = tempPath("rt.safetensors");
  ASSERT_TRUE(w.write(path).isOk());

  auto f = SafetensorsFile::open(path);
  ASSERT_TRUE(f.isOk()) << f.message();
  EXPECT_EQ(f->metadata().at("producer"), "test");
  ASSERT_TRUE(f->contains("a.weight"));
  EXPECT_EQ(f->find("a.weight")->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(*f->readF32("a.weight"), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(*f->readF32("b"), (std::vector<float>{1.0f, -2.0f}));
  EXPECT_EQ(*f->readF32("c"), (std::vector<float>{1.0f}));
  EXPECT_FALSE(f->readF32("missing").isOk());
  std::remove(path.c_str());
}

TEST(Safetensors, WriterRejectsBadTensors) {
  SafetensorsWriter w;
  EXPECT_FALSE(w.addF32("x", {2, 2}, {1, 2, 3}).isOk());
  ASSERT_TRUE(w.addF32("x", {1}, {1}).isOk());
  EXPECT_FALSE(w.addF32("x", {1}, {1}).isOk());
  EXPECT_FALSE(w.addF32("__metadata__", {1}, {1}).isOk());
}

TEST(Safetensors, DeferredTensorsAreWrittenLikeHeldOnes) {
  // The same tensors held and deferred give the same bytes; the producers
  // run once each, when the file is written.
  SafetensorsWriter held, deferred;
  int calls = 0;
  ASSERT_TRUE(held.addF32("a", {2}, {1.5f, -2}).isOk());
  ASSERT_TRUE(held.addF32("b", {1}, {3}).isOk());
  ASSERT_TRUE(deferred
                  .addDeferredF32("a", {2},
                                  [&]() -> Result<std::vector<float>> {
                                    ++calls;
                                    return std::vector<float>{1.5f, -2};
                                  })
                  .isOk());
  ASSERT_TRUE(deferred.addF32("b", {1}, {3}).isOk());
  EXPECT_EQ(calls, 0);
  std::string heldPath = tempPath("held.safetensors");
  std::string path = tempPath("deferred.safetensors");
  ASSERT_TRUE(held.write(heldPath).isOk());
  ASSERT_TRUE(deferred.write(path).isOk());
  EXPECT_EQ(calls, 1);
  auto a = readFileBytes(heldPath), b = readFileBytes(path);
  ASSERT_TRUE(a.isOk() && b.isOk());
  EXPECT_EQ(*a, *b);
  std::remove(heldPath.c_str());
  auto f = SafetensorsFile::open(path);
  ASSERT_TRUE(f.isOk()) << f.message();
  EXPECT_EQ(*f->readF32("a"), (std::vector<float>{1.5f, -2}));
  std::remove(path.c_str());
}

TEST(Safetensors, AFailingProducerLeavesNoFile) {
  std::string path = tempPath("failing.safetensors");
  std::remove(path.c_str());
  SafetensorsWriter wrongSize, failing;
  ASSERT_TRUE(wrongSize
                  .addDeferredF32("w", {2, 2},
                                  []() -> Result<std::vector<float>> {
                                    return std::vector<float>{1, 2, 3};
                                  })
                  .isOk());
  Status st = wrongSize.write(path);
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.message(),
            "tensor 'w': produced 12 bytes, its F32 shape needs 16");
  EXPECT_FALSE(std::ifstream(path).good());
  ASSERT_TRUE(failing
                  .addDeferredF32("w", {1},
                                  []() -> Result<std::vector<float>> {
                                    return Status::error("model: unreadable");
                                  })
                  .isOk());
  st = failing.write(path);
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.message(), "model: unreadable");
  EXPECT_FALSE(std::ifstream(path).good());
}

void writeRaw(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string withHeader(const std::string &json, const std::string &data) {
  uint64_t n = json.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + json + data;
}

// Every corrupt file gives an error naming the file (and the tensor where
// there is one); none crashes.
TEST(Safetensors, CorruptFilesGiveOneClearError) {
  struct Case {
    const char *what;
    std::string bytes;
    const char *expect;
  } cases[] = {
      {"empty", "", "truncated: no 8-byte header length"},
      {"huge header", std::string("\xff\xff\xff\xff\0\0\0\0", 8) + "{}",
       "exceeds file size"},
      {"bad json", withHeader("{not json", ""), "header: malformed JSON"},
      {"not object", withHeader("[1,2]", ""), "not a JSON object"},
      {"bad dtype",
       withHeader(R"({"w":{"dtype":"Q9","shape":[1],"data_offsets":[0,4]}})",
                  "abcd"),
       "tensor 'w': unknown dtype"},
      {"truncated data",
       withHeader(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
                  "abcd"),
       "tensor 'w': data_offsets [0, 16) outside the data section"},
      {"size mismatch",
       withHeader(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})",
                  "abcd"),
       "tensor 'w': byte size 4 does not match"},
      {"negative dim",
       withHeader(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})",
                  "abcd"),
       "tensor 'w': shape has a negative"},
      {"missing field", withHeader(R"({"w":{"dtype":"F32"}})", ""),
       "tensor 'w': entry needs dtype, shape and data_offsets"},
  };
  for (const Case &c : cases) {
    std::string path = tempPath("corrupt.safetensors");
    writeRaw(path, c.bytes);
    auto f = SafetensorsFile::open(path);
    EXPECT_FALSE(f.isOk()) << c.what;
    EXPECT_NE(f.message().find(path), std::string::npos) << f.message();
    EXPECT_NE(f.message().find(c.expect), std::string::npos)
        << c.what << ": " << f.message();
    EXPECT_EQ(f.message().find('\n'), std::string::npos);
    std::remove(path.c_str());
  }
  EXPECT_FALSE(SafetensorsFile::open("/nonexistent/x.safetensors").isOk());
}

/// Writes `tensors` (name -> values, shape [n]) to `path`, naming `base`
/// as the overlay's base unless empty.
void writeOverlay(const std::string &path, const std::string &base,
                  const std::map<std::string, std::vector<float>> &tensors) {
  SafetensorsWriter w;
  if (!base.empty())
    w.setMetadata(kBaseFileKey, base);
  for (const auto &[name, values] : tensors)
    ASSERT_TRUE(w.addF32(name, {int64_t(values.size())}, values).isOk());
  ASSERT_TRUE(w.write(path).isOk());
}

// An overlay stands for itself over its base: its own tensors shadow the
// base's, the rest read the base's bytes, and a relative base resolves
// beside the overlay.
TEST(Safetensors, OverlayReadsItsBaseForTheRest) {
  std::string dir = tempPath("overlay");
  std::filesystem::create_directories(dir);
  writeOverlay(dir + "/base.safetensors", "",
               {{"a", {1, 2}}, {"b", {3, 4, 5}}, {"c", {6}}});
  writeOverlay(dir + "/mid.safetensors", "base.safetensors", {{"a", {7, 8}}});
  writeOverlay(dir + "/top.safetensors", dir + "/mid.safetensors",
               {{"c", {9}}, {"d", {10}}});
  auto f = SafetensorsFile::open(dir + "/top.safetensors");
  ASSERT_TRUE(f.isOk()) << f.message();
  EXPECT_EQ(f->files(), (std::vector<std::string>{dir + "/top.safetensors",
                                                  dir + "/mid.safetensors",
                                                  dir + "/base.safetensors"}));
  EXPECT_EQ(f->tensors().size(), 4u);
  EXPECT_EQ(*f->readF32("a"), (std::vector<float>{7, 8}));
  EXPECT_EQ(*f->readF32("b"), (std::vector<float>{3, 4, 5}));
  EXPECT_EQ(*f->readF32("c"), (std::vector<float>{9}));
  EXPECT_EQ(*f->readF32("d"), (std::vector<float>{10}));
  EXPECT_EQ(f->metadata().at(kBaseFileKey), dir + "/mid.safetensors");
  // A copy shares the maps and reads the same.
  SafetensorsFile copy = *f;
  f = Status::error("dropped");
  EXPECT_EQ(*copy.readF32("b"), (std::vector<float>{3, 4, 5}));
  std::filesystem::remove_all(dir);
}

// A base that is missing, loops back, chains too deep, or holds a shadowed
// tensor at another shape: one line naming the overlay and the base.
TEST(Safetensors, BrokenOverlaysGiveOneClearError) {
  std::string dir = tempPath("broken-overlay");
  std::filesystem::create_directories(dir);
  auto expectError = [&](const std::string &file, const std::string &what) {
    auto f = SafetensorsFile::open(dir + "/" + file);
    ASSERT_FALSE(f.isOk()) << file;
    EXPECT_NE(f.message().find(what), std::string::npos) << f.message();
    EXPECT_EQ(f.message().find('\n'), std::string::npos);
  };
  writeOverlay(dir + "/orphan.safetensors", "gone.safetensors", {{"a", {1}}});
  expectError("orphan.safetensors",
              "orphan.safetensors: base weight file 'gone.safetensors' "
              "(spikec.base): " +
                  dir + "/gone.safetensors");
  writeOverlay(dir + "/x.safetensors", "y.safetensors", {{"a", {1}}});
  writeOverlay(dir + "/y.safetensors", "./x.safetensors", {{"b", {1}}});
  expectError("x.safetensors", "the chain of base files loops");
  writeOverlay(dir + "/self.safetensors", "self.safetensors", {});
  expectError("self.safetensors", "loops");
  for (int i = 0; i < 9; ++i)
    writeOverlay(dir + "/l" + std::to_string(i) + ".safetensors",
                 "l" + std::to_string(i + 1) + ".safetensors", {});
  writeOverlay(dir + "/l9.safetensors", "", {});
  expectError("l0.safetensors", "more than 8 files");
  ASSERT_TRUE(SafetensorsFile::open(dir + "/l2.safetensors").isOk());
  writeOverlay(dir + "/base.safetensors", "", {{"a", {1, 2}}});
  writeOverlay(dir + "/wide.safetensors", "base.safetensors",
               {{"a", {1, 2, 3}}});
  expectError("wide.safetensors", "tensor 'a' has shape [3], but its base " +
                                      dir + "/base.safetensors has [2]");
  writeOverlay(dir + "/empty.safetensors", "", {});
  {
    SafetensorsWriter w;
    w.setMetadata(kBaseFileKey, "");
    ASSERT_TRUE(w.write(dir + "/blank.safetensors").isOk());
  }
  expectError("blank.safetensors", "empty path");
  writeOverlay(dir + "/device.safetensors", "/dev/null", {});
  expectError("device.safetensors", "'/dev/null' (spikec.base): not a "
                                    "regular file");
  writeOverlay(dir + "/folder.safetensors", ".", {});
  expectError("folder.safetensors", "not a regular file");
  std::filesystem::remove_all(dir);
}

// A base may be a sharded checkpoint's index: its shards stand together as
// the base; a tensor in two shards, or listed but absent, is an error.
TEST(Safetensors, OverlayOverAShardedIndex) {
  std::string dir = tempPath("index-overlay");
  std::filesystem::create_directories(dir);
  writeOverlay(dir + "/s1.safetensors", "", {{"a", {1}}, {"b", {2, 3}}});
  writeOverlay(dir + "/s2.safetensors", "", {{"c", {4}}});
  auto index = [&](const std::string &name, const std::string &json) {
    ASSERT_TRUE(writeFileAtomic(dir + "/" + name, json).isOk());
  };
  index("m.safetensors.index.json",
        R"({"weight_map": {"a": "s1.safetensors", "b": "s1.safetensors",
            "c": "s2.safetensors"}})");
  writeOverlay(dir + "/top.safetensors", "m.safetensors.index.json",
               {{"b", {7, 8}}});
  auto f = SafetensorsFile::open(dir + "/top.safetensors");
  ASSERT_TRUE(f.isOk()) << f.message();
  EXPECT_EQ(f->files().size(), 3u);
  EXPECT_EQ(*f->readF32("a"), (std::vector<float>{1}));
  EXPECT_EQ(*f->readF32("b"), (std::vector<float>{7, 8}));
  EXPECT_EQ(*f->readF32("c"), (std::vector<float>{4}));

  writeOverlay(dir + "/s3.safetensors", "", {{"c", {5}}});
  index("twice.safetensors.index.json",
        R"({"weight_map": {"a": "s1.safetensors", "c": "s2.safetensors",
            "d": "s3.safetensors"}})");
  writeOverlay(dir + "/t2.safetensors", "twice.safetensors.index.json", {});
  auto twice = SafetensorsFile::open(dir + "/t2.safetensors");
  ASSERT_FALSE(twice.isOk());
  EXPECT_NE(twice.message().find("tensor 'c' is in two shards"),
            std::string::npos)
      << twice.message();
  index("absent.safetensors.index.json",
        R"({"weight_map": {"z": "s1.safetensors"}})");
  writeOverlay(dir + "/t3.safetensors", "absent.safetensors.index.json", {});
  auto absent = SafetensorsFile::open(dir + "/t3.safetensors");
  ASSERT_FALSE(absent.isOk());
  EXPECT_NE(absent.message().find("tensor 'z' is not in its shard "
                                  "s1.safetensors"),
            std::string::npos)
      << absent.message();
  index("bad.safetensors.index.json", R"({"weight_map": [1]})");
  writeOverlay(dir + "/t4.safetensors", "bad.safetensors.index.json", {});
  auto bad = SafetensorsFile::open(dir + "/t4.safetensors");
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.message().find("missing object 'weight_map'"),
            std::string::npos)
      << bad.message();
  std::filesystem::remove_all(dir);
}

// Every prefix of a valid file and random byte flips: open either succeeds
// or fails cleanly (this suite also runs under ASan and UBSan).
TEST(Safetensors, TruncationsAndBitFlipsNeverCrash) {
  SafetensorsWriter w;
  ASSERT_TRUE(w.addF32("a", {3, 4}, std::vector<float>(12, 1.5f)).isOk());
  ASSERT_TRUE(w.addF32("b", {5}, std::vector<float>(5, -2.f)).isOk());
  std::string good = tempPath("good.safetensors");
  ASSERT_TRUE(w.write(good).isOk());
  auto bytes = readFileBytes(good);
  ASSERT_TRUE(bytes.isOk());
  std::string bad = tempPath("bad.safetensors");
  for (size_t len = 0; len < bytes->size(); ++len) {
    ASSERT_TRUE(writeFileAtomic(bad, bytes->data(), len).isOk());
    auto f = SafetensorsFile::open(bad);
    EXPECT_FALSE(f.isOk()) << len;
  }
  uint64_t seed = 5;
  for (int k = 0; k < 3000; ++k) {
    std::vector<uint8_t> copy = *bytes;
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    copy[(seed >> 33) % copy.size()] ^= uint8_t(1u << ((seed >> 20) % 8));
    ASSERT_TRUE(writeFileAtomic(bad, copy.data(), copy.size()).isOk());
    auto f = SafetensorsFile::open(bad);
    if (f)
      for (const auto &[name, info] : f->tensors())
        (void)f->readF32(name);
  }
  std::remove(good.c_str());
  std::remove(bad.c_str());
}

TEST(FileIO, FailedAtomicWriteLeavesNothing) {
  Status s = writeFileAtomic("/nonexistent-dir/out.json", std::string("{}"));
  EXPECT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("/nonexistent-dir/out.json"), std::string::npos);
}

} // namespace
