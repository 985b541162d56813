#include "tests/util/crash_workload.h"

#include <cstdio>

namespace nokv::test {

std::string ClientPrefix(int client) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "c%02d/", client);
  return buf;
}

std::string ClientKey(int client, int k) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%03d", k);
  return ClientPrefix(client) + buf;
}

namespace {

// Just past every key of the client ("c07/k..." < "c07/l").
std::string ClientEnd(int client) { return ClientPrefix(client) + "l"; }

std::string Value(Random* rng, const WorkloadOptions& options, int client, uint64_t index, int op) {
  std::string v =
      "c" + std::to_string(client) + "w" + std::to_string(index) + "o" + std::to_string(op) + ":";
  size_t pad = rng->Uniform(64);
  if (options.large_values && rng->OneIn(40)) pad = 4096 + rng->Uniform(8192);
  v.append(pad, static_cast<char>('a' + (index + op) % 26));
  return v;
}

}  // namespace

WorkloadWrite GenerateWrite(Random* rng, const WorkloadOptions& options, int client, uint64_t index,
                            uint64_t now_ms) {
  WorkloadWrite w;
  w.sync = static_cast<int>(rng->Uniform(100)) < options.sync_percent;
  const int ops =
      rng->OneIn(4) ? 2 + static_cast<int>(rng->Uniform(options.max_ops_per_batch - 1)) : 1;
  for (int i = 0; i < ops; ++i) {
    ModelOp op;
    uint64_t ttl = 0;
    const int key = static_cast<int>(rng->Uniform(options.keys_per_client));
    const uint64_t dice = rng->Uniform(100);
    if (dice < 55) {
      op.kind = ModelOp::kSet;
      op.key = ClientKey(client, key);
      op.value = Value(rng, options, client, index, i);
      if (options.ttl && rng->OneIn(5)) {
        static constexpr uint64_t kTtls[] = {500, 1500, 4000, 3'600'000};
        ttl = kTtls[rng->Uniform(4)];
        op.expires_at = now_ms + ttl;
      }
    } else if (dice < 85) {
      op.kind = ModelOp::kDelete;
      op.key = ClientKey(client, key);
    } else {
      op.kind = ModelOp::kDeleteRange;
      op.key = ClientKey(client, key);
      const int span = 1 + static_cast<int>(rng->Uniform(8));
      op.value =
          key + span >= options.keys_per_client ? ClientEnd(client) : ClientKey(client, key + span);
    }
    w.ops.push_back(std::move(op));
    w.ttl_ms.push_back(ttl);
  }
  return w;
}

absl::Status ExecuteWrite(DB* db, const WorkloadWrite& write) {
  WriteOptions wo;
  wo.sync = write.sync;
  if (write.ops.size() == 1) {
    const ModelOp& op = write.ops[0];
    switch (op.kind) {
      case ModelOp::kSet:
        return write.ttl_ms[0] ? db->SetWithTTL(wo, op.key, op.value, write.ttl_ms[0])
                               : db->Set(wo, op.key, op.value);
      case ModelOp::kDelete:
        return db->Delete(wo, op.key);
      case ModelOp::kDeleteRange:
        return db->DeleteRange(wo, op.key, op.value);
    }
  }
  WriteBatch batch;
  for (size_t i = 0; i < write.ops.size(); ++i) {
    const ModelOp& op = write.ops[i];
    switch (op.kind) {
      case ModelOp::kSet:
        if (write.ttl_ms[i]) {
          batch.SetWithTTL(op.key, op.value, write.ttl_ms[i]);
        } else {
          batch.Set(op.key, op.value);
        }
        break;
      case ModelOp::kDelete:
        batch.Delete(op.key);
        break;
      case ModelOp::kDeleteRange:
        batch.DeleteRange(op.key, op.value);
        break;
    }
  }
  return db->Write(wo, batch);
}

absl::StatusOr<std::vector<ModelState>> ReadClientStates(DB* db, int clients) {
  std::vector<ModelState> out(clients);
  for (int c = 0; c < clients; ++c) {
    ReadOptions ro;
    ro.prefix = ClientPrefix(c);
    auto it = db->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out[c][std::string(it->key())] =
          ModelValue{std::string(it->value()), it->expires_at_millis()};
    }
    if (!it->status().ok()) return it->status();
  }
  return out;
}

}  // namespace nokv::test
