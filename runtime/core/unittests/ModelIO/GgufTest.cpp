//===- GgufTest.cpp - GGUF reader and writer ------------------------------===//

#include "spike/core/ModelIO/Gguf.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/Half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <unistd.h>

using namespace spike::core;

namespace {

std::string tempPath(const std::string &name) {
  return testing::TempDir() + "/" + std::to_string(::getpid()) + "_" + name;
}

std::vector<float> randomValues(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0, 1);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

TEST(Gguf, RoundTripAllWriterTypes) {
  GgufWriter w;
  w.set("general.architecture", std::string("llama"));
  w.set("llama.block_count", uint64_t(2));
  w.set("llama.rope.freq_base", 10000.0);
  w.set("tokenizer.ggml.tokens", std::vector<std::string>{"a", "b"});
  std::vector<float> v = randomValues(4 * 64, 1);
  ASSERT_TRUE(w.add("f32", {4, 64}, v, GgmlType::F32).isOk());
  ASSERT_TRUE(w.add("f16", {4, 64}, v, GgmlType::F16).isOk());
  ASSERT_TRUE(w.add("q8_0", {4, 64}, v, GgmlType::Q8_0).isOk());
  ASSERT_TRUE(w.add("q4_1", {4, 64}, v, GgmlType::Q4_1).isOk());
  EXPECT_FALSE(
      w.add("bad", {4, 10}, std::vector<float>(40), GgmlType::Q8_0).isOk());
  std::string path = tempPath("rt.gguf");
  ASSERT_TRUE(w.write(path).isOk());

  auto f = GgufFile::open(path);
  ASSERT_TRUE(f.isOk()) << f.message();
  EXPECT_EQ(*f->getString("general.architecture"), "llama");
  EXPECT_EQ(*f->getInt("llama.block_count"), 2);
  EXPECT_EQ(*f->getFloat("llama.rope.freq_base"), 10000.0);
  EXPECT_EQ(f->getStrings("tokenizer.ggml.tokens")->size(), 2u);
  EXPECT_FALSE(f->getInt("general.architecture").isOk());
  EXPECT_FALSE(f->getString("missing").isOk());
  EXPECT_EQ(f->findTensor("q8_0")->shape, (std::vector<int64_t>{4, 64}));

  EXPECT_EQ(*f->readF32("f32"), v);
  // Quantized types: error bounded by their step (Q8_0: amax/127/2 per
  // block; Q4_1: range/15/2; F16: relative 2^-11).
  auto check = [&](const char *name, double tolerance) {
    auto got = f->readF32(name);
    ASSERT_TRUE(got.isOk());
    double worst = 0;
    for (size_t i = 0; i < v.size(); ++i)
      worst = std::max(worst, double(std::fabs((*got)[i] - v[i])));
    EXPECT_LT(worst, tolerance) << name;
  };
  check("f16", 4e-3);
  check("q8_0", 0.03);
  check("q4_1", 0.6);
  std::remove(path.c_str());
}

TEST(Gguf, HalfConversionRoundsToNearestEven) {
  for (float f : {0.f, 1.f, -2.f, 65504.f, 6.1035156e-05f, 5.9604645e-08f})
    EXPECT_EQ(halfToFloat(floatToHalf(f)), f);
  EXPECT_EQ(floatToHalf(1.f + 1.f / 4096), floatToHalf(1.f)); // tie -> even
  EXPECT_TRUE(std::isinf(halfToFloat(floatToHalf(1e6f))));
}

TEST(Gguf, Bf16ConversionRoundsToNearestEven) {
  for (float f : {0.f, 1.f, -2.f, 3.3895314e38f, 1.1754944e-38f})
    EXPECT_EQ(bf16ToFloat(floatToBf16(f)), f);
  // Ties between two bfloat16 values go to the even one; others to nearest.
  EXPECT_EQ(floatToBf16(1.f + 1.f / 256), 0x3f80); // 1 | 1.0078125
  EXPECT_EQ(floatToBf16(1.f + 3.f / 256), 0x3f82); // 1.0078125 | 1.015625
  EXPECT_EQ(floatToBf16(1.f + 1.f / 256 + 1e-6f), 0x3f81);
  EXPECT_TRUE(std::isinf(bf16ToFloat(floatToBf16(3.4028235e38f))));
  EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(std::nanf("")))));
}

// A deferred tensor is made when the file is written, and the file is the
// one held tensors give, byte for byte; a producer that fails, or makes the
// wrong number of values, leaves no file.
TEST(Gguf, DeferredTensorsAreWrittenLikeHeldOnes) {
  std::vector<float> v = randomValues(4 * 64, 4);
  GgufWriter held, deferred;
  for (GgufWriter *w : {&held, &deferred})
    w->set("general.architecture", std::string("llama"));
  for (GgmlType t :
       {GgmlType::F32, GgmlType::F16, GgmlType::Q8_0, GgmlType::Q4_1}) {
    std::string name = "t" + std::to_string(int(t));
    ASSERT_TRUE(held.add(name, {4, 64}, v, t).isOk());
    ASSERT_TRUE(
        deferred
            .addDeferred(name, {4, 64}, t,
                         [v]() -> Result<std::vector<float>> { return v; })
            .isOk());
  }
  std::string a = tempPath("held.gguf"), b = tempPath("deferred.gguf");
  ASSERT_TRUE(held.write(a).isOk());
  ASSERT_TRUE(deferred.write(b).isOk());
  EXPECT_EQ(*readFileBytes(a), *readFileBytes(b));

  GgufWriter failing, short_;
  ASSERT_TRUE(failing
                  .addDeferred("t", {2, 32}, GgmlType::Q8_0,
                               []() -> Result<std::vector<float>> {
                                 return Status::error("no values");
                               })
                  .isOk());
  ASSERT_TRUE(short_
                  .addDeferred("t", {2, 32}, GgmlType::Q8_0,
                               []() -> Result<std::vector<float>> {
                                 return std::vector<float>(32);
                               })
                  .isOk());
  std::string c = tempPath("failed.gguf");
  EXPECT_EQ(failing.write(c).message(), "no values");
  EXPECT_EQ(short_.write(c).message(),
            "tensor 't': produced 32 values, its shape needs 64");
  EXPECT_FALSE(readFileBytes(c).isOk());
  EXPECT_FALSE(
      short_.addDeferred("q", {2, 10}, GgmlType::Q8_0, nullptr).isOk());
  std::remove(a.c_str());
  std::remove(b.c_str());
}

// Every prefix of a valid file, and random byte flips, either open cleanly
// or fail with one error line naming the file. None may crash (this suite
// also runs under ASan and UBSan).
TEST(Gguf, CorruptFilesNeverCrash) {
  GgufWriter w;
  w.set("general.architecture", std::string("llama"));
  w.set("tokenizer.ggml.merges", std::vector<std::string>{"a b", "c d"});
  w.set("scores", std::vector<double>{1.0, 2.0});
  ASSERT_TRUE(w.add("t", {2, 32}, randomValues(64, 2), GgmlType::Q4_1).isOk());
  std::string path = tempPath("good.gguf");
  ASSERT_TRUE(w.write(path).isOk());
  auto bytes = readFileBytes(path);
  ASSERT_TRUE(bytes.isOk());
  std::string bad = tempPath("bad.gguf");
  for (size_t len = 0; len < bytes->size(); ++len) {
    ASSERT_TRUE(writeFileAtomic(bad, bytes->data(), len).isOk());
    auto f = GgufFile::open(bad);
    if (!f) {
      EXPECT_NE(f.message().find(bad), std::string::npos);
      EXPECT_EQ(f.message().find('\n'), std::string::npos);
    } else {
      (void)f->readF32("t"); // must not crash either
    }
  }
  std::mt19937_64 rng(3);
  for (int k = 0; k < 3000; ++k) {
    std::vector<uint8_t> copy = *bytes;
    for (int flips = 0; flips < 3; ++flips)
      copy[rng() % copy.size()] ^= uint8_t(1u << (rng() % 8));
    ASSERT_TRUE(writeFileAtomic(bad, copy.data(), copy.size()).isOk());
    auto f = GgufFile::open(bad);
    if (f)
      for (const auto &[name, t] : f->tensors())
        (void)f->readF32(name);
  }
  auto magic = GgufFile::open(tempPath("missing.gguf"));
  EXPECT_FALSE(magic.isOk());
  ASSERT_TRUE(writeFileAtomic(bad, std::string("GGUX\3\0\0\0")).isOk());
  EXPECT_NE(GgufFile::open(bad).message().find("not a GGUF file"),
            std::string::npos);
  std::remove(path.c_str());
  std::remove(bad.c_str());
}

} // namespace
