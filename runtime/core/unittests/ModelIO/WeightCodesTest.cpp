//===- WeightCodesTest.cpp - A linear's weight as integer codes -----------===//
//
// quantizeRows must give Neuron.h's codes and scales for every stored float
// dtype, and readCodes must copy stored codes exactly and refuse any that
// lie off the grid or in the wrong integer type.
//
//===----------------------------------------------------------------------===//

#include "spike/core/ModelIO/WeightCodes.h"
#include "spike/core/Neuron/Neuron.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <unistd.h>

using namespace spike::core;
namespace neuron = spike::neuron;

namespace {

std::string tempPath(const std::string &name) {
  return testing::TempDir() + "/" + std::to_string(::getpid()) + "_" + name;
}

// A 3 x 5 weight with a zero row (scale 1 by the absmax rule) and ties at
// half a step (round half up).
const std::vector<float> kWeight = {0.5f,  -1.0f, 0.25f, 0.75f, -0.125f,
                                    0.0f,  0.0f,  0.0f,  0.0f,  0.0f,
                                    -3.0f, 1.5f,  2.25f, 0.1f,  -0.7f};

TEST(WeightCodes, RowsOnTheGridAreNeuronCodesForEveryFloatDtype) {
  std::string path = tempPath("float.safetensors");
  SafetensorsWriter w;
  ASSERT_TRUE(w.addF32("f32", {3, 5}, kWeight));
  ASSERT_TRUE(w.addDeferredBF16("bf16", {3, 5}, [] { return kWeight; }));
  ASSERT_TRUE(w.write(path));
  auto file = SafetensorsFile::open(path);
  ASSERT_TRUE(file.isOk()) << file.message();
  for (const char *name : {"f32", "bf16"}) {
    std::vector<float> values = *file->readF32(name);
    for (int bits : {3, 6, 8}) {
      std::vector<int8_t> codes(15);
      std::vector<float> scales(3);
      quantizeRows(*file, *file->find(name), nullptr, bits, scales.data(),
                   codes.data());
      for (int r = 0; r < 3; ++r) {
        float s = neuron::weightScale(&values[r * 5], 5, bits);
        EXPECT_EQ(scales[r], s) << name << " row " << r;
        for (int c = 0; c < 5; ++c)
          EXPECT_EQ(codes[r * 5 + c],
                    neuron::weightCode(values[r * 5 + c], s, bits))
              << name << " " << bits << " bits, [" << r << ", " << c << "]";
      }
      // Given scales are used as they are.
      std::vector<float> given = {0.25f, 0.5f, 1.0f};
      quantizeRows(*file, *file->find(name), given.data(), bits,
                   scales.data(), codes.data());
      EXPECT_EQ(scales, given);
      EXPECT_EQ(codes[0], neuron::weightCode(values[0], 0.25f, bits));
    }
  }
  std::remove(path.c_str());
}

TEST(WeightCodes, StoredCodesAreCopiedExactlyAndCheckedAgainstTheGrid) {
  std::string path = tempPath("codes.safetensors");
  std::vector<int8_t> six = {31, -31, 0, 5, -7, 1};
  std::vector<int8_t> off = {31, -32, 0, 5, -7, 1}; // -32 is off 6 bits
  std::vector<int16_t> wide = {300, -300, 0, 1, 2, 3};
  SafetensorsWriter w;
  ASSERT_TRUE(w.add("six", DType::I8, {2, 3}, six.data(), six.size()));
  ASSERT_TRUE(w.add("off", DType::I8, {2, 3}, off.data(), off.size()));
  ASSERT_TRUE(w.add("wide", DType::I16, {2, 3}, wide.data(), 2 * wide.size()));
  ASSERT_TRUE(w.write(path));
  auto file = SafetensorsFile::open(path);
  ASSERT_TRUE(file.isOk()) << file.message();

  std::vector<int64_t> codes(6);
  ASSERT_TRUE(readCodes(*file, "six", *file->find("six"), 6, codes.data()));
  EXPECT_EQ(codes, std::vector<int64_t>(six.begin(), six.end()));
  ASSERT_TRUE(readCodes(*file, "wide", *file->find("wide"), 10, codes.data()));
  EXPECT_EQ(codes, std::vector<int64_t>(wide.begin(), wide.end()));

  Status st = readCodes(*file, "off", *file->find("off"), 6, codes.data());
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("tensor 'off': code -32 at element 1 is off "
                              "the 6-bit grid (|k| <= 31)"),
            std::string::npos)
      << st.message();
  st = readCodes(*file, "wide", *file->find("wide"), 6, codes.data());
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("tensor 'wide' is I16; 6-bit codes are stored "
                              "as I8"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(codeDType(8), DType::I8);
  EXPECT_EQ(codeDType(9), DType::I16);
  EXPECT_EQ(codeDType(17), DType::I32);
  EXPECT_TRUE(isCodeDType(DType::I8));
  EXPECT_FALSE(isCodeDType(DType::BF16));
  std::remove(path.c_str());
}

} // namespace
