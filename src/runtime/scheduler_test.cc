#include "runtime/scheduler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "support/testdata.h"

namespace olla::runtime {
namespace {

using namespace std::chrono_literals;

std::string Stories() { return testing::TestdataPath("models/stories260K.gguf"); }
std::string TinyQ8() { return testing::TestdataPath("models/tiny-llama-q-Q8_0.gguf"); }

LoadParams Small() {
  LoadParams p;
  p.num_ctx = 64;
  p.num_batch = 32;
  p.num_thread = 1;
  return p;
}

TEST(SchedulerTest, LoadsOnceAndReusesWhileKeptAlive) {
  Scheduler s({});
  {
    auto a = s.Acquire("stories", Stories(), Small(), std::nullopt);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->num_ctx(), 64u);
  }
  auto loaded = s.Loaded();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_TRUE(loaded[0].expires_at.has_value());  // idle: the 5-minute timer runs
  auto b = s.Acquire("stories", Stories(), Small(), std::nullopt);
  ASSERT_TRUE(b.ok());
  EXPECT_LT(b->load_duration(), 50ms);  // no reload
  EXPECT_FALSE(s.Loaded()[0].expires_at.has_value());  // busy: no timer
}

TEST(SchedulerTest, KeepAliveZeroUnloadsWhenIdle) {
  Scheduler s({});
  { ASSERT_TRUE(s.Acquire("stories", Stories(), Small(), Duration::zero()).ok()); }
  EXPECT_TRUE(s.Loaded().empty());
}

TEST(SchedulerTest, ShortKeepAliveExpires) {
  Scheduler s({});
  { ASSERT_TRUE(s.Acquire("stories", Stories(), Small(), 50ms).ok()); }
  EXPECT_EQ(s.Loaded().size(), 1u);
  for (int i = 0; i < 200 && !s.Loaded().empty(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(s.Loaded().empty());
}

TEST(SchedulerTest, ForeverNeverExpiresAndExpireUnloads) {
  Scheduler s({});
  { ASSERT_TRUE(s.Acquire("stories", Stories(), Small(), kForever).ok()); }
  auto l = s.Loaded();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_FALSE(l[0].expires_at.has_value());
  s.Expire(Stories());
  EXPECT_TRUE(s.Loaded().empty());
}

TEST(SchedulerTest, MaxLoadedModelsEvictsIdle) {
  SchedulerConfig c;
  c.max_loaded_models = 1;
  Scheduler s(c);
  { ASSERT_TRUE(s.Acquire("stories", Stories(), Small(), std::nullopt).ok()); }
  { ASSERT_TRUE(s.Acquire("tiny", TinyQ8(), Small(), std::nullopt).ok()); }
  auto l = s.Loaded();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].name, "tiny");
}

TEST(SchedulerTest, ChangedLoadOptionsReload) {
  Scheduler s({});
  { ASSERT_TRUE(s.Acquire("stories", Stories(), Small(), std::nullopt).ok()); }
  LoadParams bigger = Small();
  bigger.num_ctx = 128;
  auto b = s.Acquire("stories", Stories(), bigger, std::nullopt);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->num_ctx(), 128u);
  EXPECT_EQ(s.Loaded().size(), 1u);
}

TEST(SchedulerTest, BusySlotMakesSecondRequestWaitAndStopCancelsIt) {
  Scheduler s({});
  auto a = s.Acquire("stories", Stories(), Small(), std::nullopt);
  ASSERT_TRUE(a.ok());
  std::stop_source cancel;
  auto waiter = std::async(std::launch::async, [&] { return s.Acquire("stories", Stories(), Small(), std::nullopt, cancel.get_token()); });
  EXPECT_EQ(waiter.wait_for(100ms), std::future_status::timeout);  // one slot, in use
  cancel.request_stop();
  auto r = waiter.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  // Releasing the slot lets the next request in.
  *a = Lease();
  auto waiter2 = std::async(std::launch::async, [&] { return s.Acquire("stories", Stories(), Small(), std::nullopt); });
  EXPECT_TRUE(waiter2.get().ok());
}

TEST(SchedulerTest, FullQueueIsRejected) {
  SchedulerConfig c;
  c.max_queue = 1;
  Scheduler s(c);
  auto a = s.Acquire("stories", Stories(), Small(), std::nullopt);  // holds the only slot
  ASSERT_TRUE(a.ok());
  std::stop_source cancel;
  auto waiter = std::async(std::launch::async, [&] { return s.Acquire("stories", Stories(), Small(), std::nullopt, cancel.get_token()); });
  std::this_thread::sleep_for(50ms);
  auto rejected = s.Acquire("stories", Stories(), Small(), std::nullopt);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(rejected.status().message(), "server busy, please try again.  maximum pending requests exceeded");
  cancel.request_stop();
  EXPECT_FALSE(waiter.get().ok());
}

TEST(SchedulerTest, MissingOrBadFileFailsCleanly) {
  Scheduler s({});
  auto r = s.Acquire("x", "/nonexistent.gguf", Small(), std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(s.Loaded().empty());
}

}  // namespace
}  // namespace olla::runtime
