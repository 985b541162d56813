// The cluster configuration: the shipped example parses; every kind of bad config is rejected
// with one message that names the entry; keys, lookups and the JSON round trip.
#include "src/config/cluster_config.h"

#include <gtest/gtest.h>

#include <functional>

#include "engine/vfs/mem_vfs.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/config/test_cluster_config.h"

namespace nokv::config {
namespace {

using configpb::ClusterConfig;

TEST(ClusterConfigTest, ShippedExampleIsValid) {
  VFS* vfs = VFS::Default();
  auto config = LoadClusterConfig(*vfs, NOKV_EXAMPLE_CONFIG);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->coordinators_size(), 3);
  EXPECT_EQ(config->stores_size(), 3);
  ASSERT_EQ(config->regions_size(), 2);
  EXPECT_EQ(config->regions(0).end_key(), "m");
  EXPECT_EQ(config->regions(1).start_key(), "m");
  EXPECT_EQ(config->regions(1).peers_size(), 3);
  for (const auto& c : config->coordinators()) {
    EXPECT_EQ(c.addr().rfind("127.0.0.1:", 0), 0u) << c.addr();
    EXPECT_FALSE(c.meta_raft_addr().empty());
  }
  ASSERT_NE(FindStore(*config, 2), nullptr);
  EXPECT_EQ(FindStore(*config, 2)->listen_addr(), "127.0.0.1:20171");
  EXPECT_EQ(FindStore(*config, 9), nullptr);
  ASSERT_NE(FindCoordinator(*config, 3), nullptr);
  EXPECT_EQ(FindCoordinator(*config, 3)->meta_raft_addr(), "127.0.0.1:2481");
  EXPECT_EQ(config->timing().lease_ms(), 3000u);
}

TEST(ClusterConfigTest, GeneratedConfigsRoundTripThroughJson) {
  for (int coordinators : {1, 3}) {
    test::TestClusterShape shape;
    shape.coordinators = coordinators;
    shape.split_keys = {"g", "t", "hex:ff00"};
    ClusterConfig config = test::MakeTestClusterConfig(shape);
    const std::string json = ClusterConfigToJson(config);
    auto parsed = ParseClusterConfig(json, "gen.json");
    ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << json;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(config, *parsed));
  }
}

TEST(ClusterConfigTest, LoadNamesMissingFile) {
  MemVFS vfs;
  auto config = LoadClusterConfig(vfs, "/nowhere/cluster.json");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("/nowhere/cluster.json"), std::string::npos)
      << config.status();
}

TEST(ClusterConfigTest, LoadReadsThroughTheVfs) {
  MemVFS vfs;
  ASSERT_TRUE(vfs.CreateDir("/cfg").ok());
  ClusterConfig config = test::MakeTestClusterConfig({});
  ASSERT_TRUE(WriteStringToFile(vfs, ClusterConfigToJson(config), "/cfg/c.json", true).ok());
  auto loaded = LoadClusterConfig(vfs, "/cfg/c.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->stores(0).listen_addr(), config.stores(0).listen_addr());
}

TEST(ClusterConfigTest, HexKeys) {
  EXPECT_EQ(*DecodeKey("hex:6d00ff"), std::string("m\0\xff", 3));
  EXPECT_EQ(*DecodeKey("plain"), "plain");
  EXPECT_EQ(*DecodeKey(""), "");
  EXPECT_FALSE(DecodeKey("hex:abc").ok());
  EXPECT_FALSE(DecodeKey("hex:zz").ok());
  EXPECT_EQ(PrintableKey(std::string("a\0\"", 3)), "a\\x00\\x22");
}

// One bad config: a mutation of a valid three-coordinator config and the words its single
// message must contain.
struct BadCase {
  const char* name;
  std::function<void(ClusterConfig*)> mutate;
  std::vector<const char*> expect;
};

std::vector<BadCase> BadCases() {
  return {
      {"two coordinators",
       [](ClusterConfig* c) { c->mutable_coordinators()->RemoveLast(); },
       {"coordinators: 2 entries", "exactly 1 or 3"}},
      {"coordinator id zero",
       [](ClusterConfig* c) { c->mutable_coordinators(1)->set_id(0); },
       {"coordinators[1]: id must be > 0"}},
      {"duplicate coordinator id",
       [](ClusterConfig* c) { c->mutable_coordinators(2)->set_id(1); },
       {"coordinators[2] (id 1): duplicate id"}},
      {"missing coordinator addr",
       [](ClusterConfig* c) { c->mutable_coordinators(0)->clear_addr(); },
       {"coordinators[0] (id 1): addr is missing"}},
      {"missing meta raft addr with three",
       [](ClusterConfig* c) { c->mutable_coordinators(1)->clear_meta_raft_addr(); },
       {"coordinators[1] (id 2): meta_raft_addr is missing"}},
      {"bad port",
       [](ClusterConfig* c) { c->mutable_coordinators(0)->set_addr("127.0.0.1:99999"); },
       {"coordinators[0] (id 1): addr \"127.0.0.1:99999\" is not host:port"}},
      {"port zero",
       [](ClusterConfig* c) { c->mutable_stores(1)->set_listen_addr("127.0.0.1:0"); },
       {"stores[1] (store_id 2): listen_addr", "non-zero port"}},
      {"address used twice",
       [](ClusterConfig* c) {
         c->mutable_stores(2)->set_listen_addr(c->coordinators(1).meta_raft_addr());
       },
       {"stores[2] (store_id 3): listen_addr", "is also coordinators[1] (id 2).meta_raft_addr"}},
      {"missing workdir",
       [](ClusterConfig* c) { c->mutable_stores(0)->clear_workdir(); },
       {"stores[0] (store_id 1): workdir is missing"}},
      {"workdir used twice",
       [](ClusterConfig* c) { c->mutable_stores(1)->set_workdir(c->coordinators(0).workdir()); },
       {"stores[1] (store_id 2): workdir", "is used twice"}},
      {"no stores", [](ClusterConfig* c) { c->clear_stores(); }, {"stores: at least one store"}},
      {"duplicate store id",
       [](ClusterConfig* c) { c->mutable_stores(1)->set_store_id(1); },
       {"stores[1] (store_id 1): duplicate store_id"}},
      {"no regions", [](ClusterConfig* c) { c->clear_regions(); }, {"regions: at least one"}},
      {"gap",
       [](ClusterConfig* c) { c->mutable_regions(1)->set_start_key("n"); },
       {"regions[1] (id 2): gap between regions[0] (id 1) ending at \"m\"", "starting at \"n\""}},
      {"overlap",
       [](ClusterConfig* c) { c->mutable_regions(1)->set_start_key("k"); },
       {"regions[1] (id 2): range starting at \"k\" overlaps regions[0] (id 1) ending at \"m\""}},
      {"first region not at empty key",
       [](ClusterConfig* c) { c->mutable_regions(0)->set_start_key("a"); },
       {"no region starts at the empty key", "regions[0] (id 1)"}},
      {"last region bounded",
       [](ClusterConfig* c) { c->mutable_regions(1)->set_end_key("z"); },
       {"regions[1] (id 2): the last region ends at \"z\""}},
      {"end before start",
       [](ClusterConfig* c) { c->mutable_regions(1)->set_end_key("a"); },
       {"regions[1] (id 2): end_key \"a\" is not after start_key \"m\""}},
      {"bad hex key",
       [](ClusterConfig* c) { c->mutable_regions(1)->set_start_key("hex:6"); },
       {"regions[1] (id 2): start_key", "odd number of hex digits"}},
      {"duplicate region id",
       [](ClusterConfig* c) { c->mutable_regions(1)->set_id(1); },
       {"regions[1] (id 1): id 1 is also used by regions[0] (id 1)"}},
      {"region without peers",
       [](ClusterConfig* c) { c->mutable_regions(0)->clear_peers(); },
       {"regions[0] (id 1): no peers"}},
      {"peer on unknown store",
       [](ClusterConfig* c) { c->mutable_regions(0)->mutable_peers(2)->set_store_id(7); },
       {"regions[0] (id 1).peers[2] (peer_id 301): store_id 7 is not one of the stores"}},
      {"two peers on one store",
       [](ClusterConfig* c) { c->mutable_regions(0)->mutable_peers(1)->set_store_id(1); },
       {"regions[0] (id 1).peers[1] (peer_id 201): a second peer on store 1"}},
      {"duplicate peer id",
       [](ClusterConfig* c) { c->mutable_regions(1)->mutable_peers(0)->set_peer_id(101); },
       {"regions[1] (id 2).peers[0] (peer_id 101): id 101 is also used by regions[0] (id "
        "1).peers[0]"}},
      {"peer id equals a region id",
       [](ClusterConfig* c) { c->mutable_regions(1)->mutable_peers(0)->set_peer_id(1); },
       {"regions[1] (id 2).peers[0] (peer_id 1): id 1 is also used by regions[0] (id 1)"}},
      {"leader not among peers",
       [](ClusterConfig* c) {
         c->mutable_regions(0)->mutable_peers()->RemoveLast();
         c->mutable_regions(0)->set_leader_store_id(3);
       },
       {"regions[0] (id 1): leader_store_id 3 has no peer of this region"}},
      {"renew not below lease",
       [](ClusterConfig* c) {
         c->mutable_timing()->set_lease_ms(1000);
         c->mutable_timing()->set_renew_interval_ms(1000);
       },
       {"timing.renew_interval_ms 1000 must be below the lease (1000 ms)"}},
  };
}

TEST(ClusterConfigTest, EachBadConfigGetsOneClearMessage) {
  test::TestClusterShape shape;
  shape.coordinators = 3;
  const ClusterConfig good = test::MakeTestClusterConfig(shape);
  ASSERT_TRUE(ValidateClusterConfig(good, "good.json").ok());
  for (const BadCase& bad : BadCases()) {
    SCOPED_TRACE(bad.name);
    ClusterConfig config = good;
    bad.mutate(&config);
    auto parsed = ParseClusterConfig(ClusterConfigToJson(config), "bad.json");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(parsed.status().message());
    EXPECT_EQ(message.rfind("bad.json: ", 0), 0u) << message;
    for (const char* words : bad.expect) {
      EXPECT_NE(message.find(words), std::string::npos)
          << "message: " << message << "\nexpected: " << words;
    }
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(ClusterConfigTest, JsonSchemaErrorsNameTheSource) {
  struct JsonCase {
    const char* json;
    const char* expect;
  };
  const JsonCase cases[] = {
      {"{", "not a valid cluster config"},
      {"{\"stores\": [{\"store_id\": 1, \"listen_adr\": \"127.0.0.1:1\"}]}", "listen_adr"},
      {"{\"stores\": [{\"store_id\": \"one\"}]}", "store_id"},
      {"[]", "not a valid cluster config"},
      {"", "not a valid cluster config"},
  };
  for (const JsonCase& c : cases) {
    auto parsed = ParseClusterConfig(c.json, "schema.json");
    ASSERT_FALSE(parsed.ok()) << c.json;
    const std::string message(parsed.status().message());
    EXPECT_EQ(message.rfind("schema.json: ", 0), 0u) << message;
    EXPECT_NE(message.find(c.expect), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace nokv::config
