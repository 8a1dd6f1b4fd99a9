#include "runtime/scheduler.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>

#include "gguf/reader.h"
#include "gguf/writer.h"
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
  EXPECT_LT(b->load_duration(), 50ms);                 // no reload
  EXPECT_FALSE(s.Loaded()[0].expires_at.has_value());  // busy: no timer
}

// num_thread 1e12 made the load throw std::bad_alloc out of the loader: a 500, and loading_ stayed
// set, so every later load waited forever.
TEST(SchedulerTest, AFailedLoadLeavesTheSchedulerUsable) {
  Scheduler s({});
  LoadParams absurd = Small();
  absurd.num_thread = 1000000000000;
  auto bad = s.Acquire("stories", Stories(), absurd, std::nullopt);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kResourceExhausted) << bad.status().ToString();
  EXPECT_TRUE(s.Loaded().empty());
  auto next = std::async(std::launch::async,
                         [&] { return s.Acquire("stories", Stories(), Small(), std::nullopt); });
  if (next.wait_for(60s) != std::future_status::ready) {
    std::fprintf(stderr, "a load after a failed one is still waiting after 60 s\n");
    std::_Exit(1);  // the future's destructor would wait forever
  }
  auto good = next.get();
  EXPECT_TRUE(good.ok()) << good.status().ToString();
}

// num_ctx 2^58 on a model whose context_length is huge (or 0: unknown) once sized the KV cache
// with a wrapped multiplication, and the first token was written far past it.
TEST(SchedulerTest, AContextTooLargeToAllocateIsAnError) {
  testing::TempDir dir;
  auto src = gguf::File::Open(Stories());
  ASSERT_TRUE(src.ok());
  std::vector<gguf::TensorToWrite> tensors;
  for (const gguf::TensorInfo& t : src->tensors())
    tensors.push_back({t.name, t.ne, t.type, t.data});
  for (uint64_t trained : {uint64_t{1} << 60, uint64_t{0}}) {
    gguf::Metadata md = src->metadata();
    md.Set("llama.context_length", gguf::Value(trained));
    const std::string path = dir.Join("huge_context.gguf");
    ASSERT_TRUE(gguf::WriteFile(path, md, tensors).ok());
    Scheduler s({});
    LoadParams huge = Small();
    huge.num_ctx = size_t{1} << 58;
    auto lease = s.Acquire("huge", path, huge, Duration::zero());
    ASSERT_FALSE(lease.ok()) << trained;
    EXPECT_EQ(lease.status().code(), StatusCode::kResourceExhausted) << lease.status().ToString();
    // The scheduler still loads a sane request.
    EXPECT_TRUE(s.Acquire("stories", Stories(), Small(), Duration::zero()).ok());
  }
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
  auto waiter = std::async(std::launch::async, [&] {
    return s.Acquire("stories", Stories(), Small(), std::nullopt, cancel.get_token());
  });
  EXPECT_EQ(waiter.wait_for(100ms), std::future_status::timeout);  // one slot, in use
  cancel.request_stop();
  auto r = waiter.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  // Releasing the slot lets the next request in.
  *a = Lease();
  auto waiter2 = std::async(std::launch::async,
                            [&] { return s.Acquire("stories", Stories(), Small(), std::nullopt); });
  EXPECT_TRUE(waiter2.get().ok());
}

TEST(SchedulerTest, FullQueueIsRejected) {
  SchedulerConfig c;
  c.max_queue = 1;
  Scheduler s(c);
  auto a = s.Acquire("stories", Stories(), Small(), std::nullopt);  // holds the only slot
  ASSERT_TRUE(a.ok());
  std::stop_source cancel;
  auto waiter = std::async(std::launch::async, [&] {
    return s.Acquire("stories", Stories(), Small(), std::nullopt, cancel.get_token());
  });
  std::this_thread::sleep_for(50ms);
  auto rejected = s.Acquire("stories", Stories(), Small(), std::nullopt);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(rejected.status().message(),
            "server busy, please try again.  maximum pending requests exceeded");
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

// Issue #17: load errors reached API clients with the store's absolute path.
TEST(SchedulerTest, LoadErrorsNameTheFileNotItsFolder) {
  testing::TempDir dir;
  const std::string missing = dir.Join("sha256-0123abcd");
  const std::string bad = dir.Join("sha256-4567ef");
  { std::ofstream(bad) << "not a gguf file"; }
  Scheduler s({});
  for (const std::string& path : {missing, bad}) {
    auto r = s.Acquire("x", path, Small(), std::nullopt);
    ASSERT_FALSE(r.ok());
    const std::string message = r.status().message();
    EXPECT_EQ(message.find(dir.path()), std::string::npos) << message;
    EXPECT_NE(message.find(std::filesystem::path(path).filename().string()), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace olla::runtime
