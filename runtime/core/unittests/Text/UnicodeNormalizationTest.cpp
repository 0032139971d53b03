//===- UnicodeNormalizationTest.cpp - UAX #15 conformance -----------------===//
//
// The UCD's own conformance file, NormalizationTest.txt (Debian's
// unicode-data, the source of the tables): every line's five columns and
// the invariants of its header, for all four forms.
//
//===----------------------------------------------------------------------===//

#include "spike/core/Text/UnicodeNormalization.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Text/PreTokenizer.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

using namespace spike::core;

namespace {

std::vector<uint32_t> codePoints(const std::string &field) {
  std::vector<uint32_t> out;
  std::istringstream in(field);
  for (std::string hex; in >> hex;)
    out.push_back(uint32_t(std::stoul(hex, nullptr, 16)));
  return out;
}

std::string hex(const std::vector<uint32_t> &cps) {
  std::ostringstream out;
  for (uint32_t cp : cps)
    out << std::hex << std::uppercase << cp << ' ';
  return out.str();
}

TEST(UnicodeNormalization, ConformanceFile) {
  auto text = readBz2Text(SPIKE_UCD_DIR "/NormalizationTest.txt.bz2");
  ASSERT_TRUE(text.isOk()) << text.message()
                           << " (install Debian's unicode-data package)";
  std::istringstream in(*text);
  size_t lines = 0, failures = 0;
  std::set<uint32_t> part1; // code points Part 1 lists
  bool inPart1 = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("@Part", 0) == 0) {
      inPart1 = line.rfind("@Part1", 0) == 0;
      continue;
    }
    if (line.empty() || line[0] == '#')
      continue;
    std::vector<std::vector<uint32_t>> c;
    std::istringstream fields(line);
    for (std::string f; c.size() < 5 && std::getline(fields, f, ';');)
      c.push_back(codePoints(f));
    ASSERT_EQ(c.size(), 5u) << line;
    if (inPart1)
      part1.insert(c[0][0]);
    ++lines;
    // The header's invariants: c2 == NFC(c1..c3), c4 == NFC(c4, c5);
    // c3 == NFD(c1..c3), c5 == NFD(c4, c5); c4 == NFKC(c1..c5);
    // c5 == NFKD(c1..c5).
    struct Check {
      NormalForm form;
      int want;
      std::vector<int> from;
    };
    for (const Check &k : {Check{NormalForm::NFC, 1, {0, 1, 2}},
                           Check{NormalForm::NFC, 3, {3, 4}},
                           Check{NormalForm::NFD, 2, {0, 1, 2}},
                           Check{NormalForm::NFD, 4, {3, 4}},
                           Check{NormalForm::NFKC, 3, {0, 1, 2, 3, 4}},
                           Check{NormalForm::NFKD, 4, {0, 1, 2, 3, 4}}})
      for (int from : k.from) {
        auto got = normalize(c[size_t(from)], k.form);
        if (got != c[size_t(k.want)] && ++failures <= 10)
          ADD_FAILURE() << normalFormName(k.form) << "(c" << from + 1
                        << ") of line '" << line << "' is " << hex(got);
      }
  }
  EXPECT_GT(lines, 19000u); // the file's size in Unicode 15
  EXPECT_EQ(failures, 0u);
  // Part 1's other code points are their own normal forms in every form.
  size_t checked = 0;
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || part1.count(cp))
      continue;
    for (NormalForm f :
         {NormalForm::NFC, NormalForm::NFD, NormalForm::NFKC, NormalForm::NFKD})
      if (normalize({cp}, f) != std::vector<uint32_t>{cp} && ++failures <= 10)
        ADD_FAILURE() << normalFormName(f) << " changes U+" << hex({cp});
    ++checked;
  }
  EXPECT_EQ(failures, 0u);
  EXPECT_GT(checked, 1000000u);
}

TEST(UnicodeNormalization, Utf8KeepsMalformedBytes) {
  // e + combining acute composes; a stray continuation byte between them
  // is kept and blocks the composition.
  EXPECT_EQ(normalizeUtf8("e\xcc\x81", NormalForm::NFC), "\xc3\xa9");
  EXPECT_EQ(normalizeUtf8("e\x80\xcc\x81", NormalForm::NFC), "e\x80\xcc\x81");
  EXPECT_EQ(normalizeUtf8("\xef\xac\x81", NormalForm::NFKC), "fi"); // U+FB01
  EXPECT_EQ(normalizeUtf8("\xea\xb0\x81", NormalForm::NFD),         // U+AC01
            "\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8");
  EXPECT_EQ(normalizeUtf8("", NormalForm::NFC), "");
}

} // namespace
