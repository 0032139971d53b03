//===- FileIOTest.cpp - Atomic writes and output sets ---------------------===//

#include "spike/core/Support/FileIO.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace spike::core;

namespace {

std::string folder() {
  std::string d = testing::TempDir() + "/fileio_" + std::to_string(::getpid());
  ::mkdir(d.c_str(), 0755);
  return d;
}

std::string text(const std::string &path) {
  auto t = readFileText(path);
  return t ? *t : "<missing>";
}

/// Names in `dir` other than . and ..
std::vector<std::string> entries(const std::string &dir) {
  std::vector<std::string> out;
  if (DIR *d = ::opendir(dir.c_str())) {
    while (dirent *e = ::readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
        out.push_back(e->d_name);
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(OutputSet, CommitMovesEveryFileIntoPlace) {
  std::string d = folder() + "/commit";
  ::mkdir(d.c_str(), 0755);
  OutputSet set;
  ASSERT_TRUE(set.write(d + "/a.csv", std::string("a")).isOk());
  ASSERT_TRUE(set.write(d + "/b.json", std::string("b")).isOk());
  // Nothing is in place before the commit.
  EXPECT_EQ(text(d + "/a.csv"), "<missing>");
  ASSERT_TRUE(set.commit().isOk());
  EXPECT_EQ(text(d + "/a.csv"), "a");
  EXPECT_EQ(text(d + "/b.json"), "b");
  EXPECT_EQ(entries(d), (std::vector<std::string>{"a.csv", "b.json"}));
}

TEST(OutputSet, WithoutCommitEarlierFilesStayAndNoTemporaryIsLeft) {
  std::string d = folder() + "/abandon";
  ::mkdir(d.c_str(), 0755);
  ASSERT_TRUE(writeFileAtomic(d + "/out.json", std::string("OLD")).isOk());
  {
    OutputSet set;
    ASSERT_TRUE(set.write(d + "/out.json", std::string("NEW")).isOk());
    // A later output fails: the command returns without committing.
    Status st = set.write(d + "/no-such-dir/x.png", std::string("x"));
    ASSERT_FALSE(st.isOk());
    EXPECT_NE(st.message().find("no-such-dir/x.png: cannot write"),
              std::string::npos)
        << st.message();
  }
  EXPECT_EQ(text(d + "/out.json"), "OLD");
  EXPECT_EQ(entries(d), (std::vector<std::string>{"out.json"}));
}

TEST(OutputSet, APathGivenTwiceIsRefused) {
  std::string d = folder() + "/twice";
  ::mkdir(d.c_str(), 0755);
  OutputSet set;
  ASSERT_TRUE(set.write(d + "/t.safetensors", std::string("a")).isOk());
  Status st = set.write(d + "/t.safetensors", std::string("b"));
  ASSERT_FALSE(st.isOk());
  EXPECT_NE(st.message().find("given for two outputs"), std::string::npos);
}

TEST(OutputSet, DevicesAreWrittenInPlace) {
  struct stat before, after;
  ASSERT_EQ(::stat("/dev/null", &before), 0);
  EXPECT_EQ(OutputSet().stage("/dev/null"), "/dev/null");
  OutputSet set;
  ASSERT_TRUE(set.write("/dev/null", std::string("x")).isOk());
  ASSERT_TRUE(set.commit().isOk());
  ASSERT_TRUE(writeFileAtomic("/dev/null", std::string("y")).isOk());
  ASSERT_EQ(::stat("/dev/null", &after), 0);
  EXPECT_TRUE(S_ISCHR(after.st_mode));
  EXPECT_EQ(before.st_ino, after.st_ino);
}

} // namespace

namespace {

TEST(MappedFile, MapsARegularFileAndReadsTheRest) {
  std::string dir = folder();
  ASSERT_TRUE(writeFileAtomic(dir + "/m.bin", "spike").isOk());
  auto m = MappedFile::open(dir + "/m.bin");
  ASSERT_TRUE(m.isOk()) << m.message();
  EXPECT_TRUE((*m)->mapped());
  EXPECT_EQ(
      std::string(reinterpret_cast<const char *>((*m)->data()), (*m)->size()),
      "spike");
  // Replacing the file (an atomic write renames a new inode into place)
  // leaves the mapping's bytes as they were.
  ASSERT_TRUE(writeFileAtomic(dir + "/m.bin", "other").isOk());
  EXPECT_EQ(std::string(reinterpret_cast<const char *>((*m)->data()), 5),
            "spike");
  // An empty file and a device cannot be mapped; they are read.
  ASSERT_TRUE(writeFileAtomic(dir + "/empty.bin", "").isOk());
  auto e = MappedFile::open(dir + "/empty.bin");
  ASSERT_TRUE(e.isOk());
  EXPECT_FALSE((*e)->mapped());
  EXPECT_EQ((*e)->size(), 0u);
  auto n = MappedFile::open("/dev/null");
  ASSERT_TRUE(n.isOk());
  EXPECT_FALSE((*n)->mapped());
  auto missing = MappedFile::open(dir + "/missing.bin");
  ASSERT_FALSE(missing.isOk());
  EXPECT_NE(missing.message().find("missing.bin: cannot open"),
            std::string::npos);
}

} // namespace
