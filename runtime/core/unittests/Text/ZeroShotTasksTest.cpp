//===- ZeroShotTasksTest.cpp - The zero-shot task files as prompts --------===//

#include "spike/core/Text/ZeroShotTasks.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

using namespace spike::core;

namespace {

std::string dataDir() { return std::string(SPIKE_SHARED_DATA) + "/zeroshot"; }

bool haveData() {
  struct stat st;
  return stat(dataDir().c_str(), &st) == 0;
}

TEST(ZeroShotTasks, PromptsFollowTheHarness) {
  if (!haveData())
    GTEST_SKIP() << dataDir() << " not found";
  auto piqa = loadZeroShotTask("piqa", dataDir(), 2);
  ASSERT_TRUE(piqa) << piqa.message();
  ASSERT_EQ(piqa->items.size(), 2u);
  EXPECT_EQ(piqa->items[0].choices[0].context,
            "Question: How do I ready a guinea pig cage for it's new "
            "occupants?\nAnswer:");
  EXPECT_EQ(piqa->items[0].choices[0].continuation.substr(0, 9), " Provide ");
  EXPECT_EQ(piqa->items[0].gold, 0);

  auto wino = loadZeroShotTask("winogrande", dataDir(), 1);
  ASSERT_TRUE(wino) << wino.message();
  EXPECT_FALSE(wino->reportsNorm);
  const TaskItem &w = wino->items[0];
  EXPECT_EQ(w.choices[0].context,
            "Sarah was a much better surgeon than Maria so Sarah");
  EXPECT_EQ(w.choices[1].context,
            "Sarah was a much better surgeon than Maria so Maria");
  EXPECT_EQ(w.choices[0].continuation, " always got the easier cases.");
  EXPECT_EQ(w.gold, 1);

  auto arc = loadZeroShotTask("arc_easy", dataDir(), 1);
  ASSERT_TRUE(arc) << arc.message();
  EXPECT_EQ(arc->items[0].choices.size(), 4u);
  EXPECT_EQ(arc->items[0].gold, 0);

  auto hs = loadZeroShotTask("hellaswag", dataDir(), 1);
  ASSERT_TRUE(hs) << hs.message();
  EXPECT_EQ(hs->items[0].choices[0].context,
            "Roof shingle removal: A man is sitting on a roof. he");
  EXPECT_EQ(hs->items[0].choices[3].continuation,
            " starts pulling up roofing on a roof.");
  EXPECT_EQ(hs->items[0].gold, 3);
}

TEST(ZeroShotTasks, FullTaskSizes) {
  if (!haveData())
    GTEST_SKIP() << dataDir() << " not found";
  const std::pair<const char *, size_t> sizes[] = {{"piqa", 1838},
                                                   {"arc_easy", 2376},
                                                   {"arc_challenge", 1172},
                                                   {"winogrande", 1267},
                                                   {"hellaswag", 10042}};
  for (auto [name, n] : sizes) {
    auto task = loadZeroShotTask(name, dataDir());
    ASSERT_TRUE(task) << task.message();
    EXPECT_EQ(task->items.size(), n) << name;
  }
}

TEST(ZeroShotTasks, HellaswagPreprocessIsTheHarness) {
  // Python: text.strip(); .replace(" [title]", ". ");
  // re.sub("\\[.*?\\]", "", text); .replace("  ", " ").
  EXPECT_EQ(hellaswagPreprocess("  Roof: he climbs [step] up.\t"),
            "Roof: he climbs up.");
  EXPECT_EQ(hellaswagPreprocess("Cook [title] Stir [a] [b]c"), "Cook. Stir c");
  EXPECT_EQ(hellaswagPreprocess("a   b"), "a  b"); // non-overlapping
  EXPECT_EQ(hellaswagPreprocess("open [ bracket"), "open [ bracket");
  EXPECT_EQ(hellaswagPreprocess("x [y]] z"), "x ] z"); // to the first ]
  EXPECT_EQ(hellaswagPreprocess(""), "");
}

TEST(ZeroShotTasks, BadInputIsOneError) {
  auto unknown = loadZeroShotTask("mmlu", "/nonexistent");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.message().find("unknown zero-shot task 'mmlu'"),
            std::string::npos);
  auto missing = loadZeroShotTask("piqa", "/nonexistent");
  ASSERT_FALSE(missing);
  EXPECT_NE(
      missing.message().find("/nonexistent/piqa/valid.jsonl: cannot open"),
      std::string::npos);
}

} // namespace
