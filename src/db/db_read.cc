// Read paths: Get, iterators, snapshots (docs/runtime.md "Read path").
#include "engine/lsm/merging_iterator.h"
#include "src/db/db_impl.h"
#include "src/db/db_iter.h"
#include "src/util/status_macros.h"

namespace nokv {
namespace {

class SnapshotImpl final : public Snapshot {
 public:
  explicit SnapshotImpl(SequenceNumber seq) : seq_(seq) {}
  ~SnapshotImpl() override = default;
  uint64_t sequence() const override { return seq_; }

 private:
  SequenceNumber seq_;
};

}  // namespace

std::shared_ptr<const SuperVersion> DBImpl::GetSuperVersion() const {
  MutexLock lock(&sv_mu_);
  return super_version_;
}

void DBImpl::InstallSuperVersion() {
  auto sv = std::make_shared<SuperVersion>();
  sv->mem = mem_;
  for (auto it = imm_.rbegin(); it != imm_.rend(); ++it) sv->imms.push_back(it->mem);
  sv->version = versions_->current();
  sv->table_cache = table_cache_;
  PickerOptions picker = MakePickerOptions();
  std::vector<std::string> bounds = NextShardBounds(*sv->version, picker, *picker.shard_bounds);
  picker.shard_bounds = bounds;
  l0_depth_.store(ComputeLevelLayout(*sv->version, picker).l0_depth, std::memory_order_relaxed);
  {
    MutexLock lock(&bounds_mu_);
    shard_bounds_ = std::move(bounds);
  }
  {
    MutexLock lock(&sv_mu_);
    super_version_ = std::move(sv);
  }
  sv_cache_.Invalidate();
}

SequenceNumber DBImpl::ReadSequence(const ReadOptions& options) const {
  if (options.snapshot != nullptr) return options.snapshot->sequence();
  return visible_seq_.load(std::memory_order_acquire);
}

absl::StatusOr<std::string> DBImpl::Get(const ReadOptions& options, std::string_view key) {
  NOKV_ASSIGN_OR_RETURN(ValueWithExpiry v, GetImpl(options, key));
  return std::move(v.value);
}

absl::StatusOr<ValueWithExpiry> DBImpl::GetWithExpiry(const ReadOptions& options,
                                                      std::string_view key) {
  return GetImpl(options, key);
}

absl::StatusOr<ValueWithExpiry> DBImpl::GetImpl(const ReadOptions& options, std::string_view key) {
  NOKV_RETURN_IF_ERROR(CheckOpen());
  if (key.empty()) return absl::InvalidArgumentError("Get: empty key");
  uint64_t start = clock_->NowMonotonicMicros();
  stats_.gets.fetch_add(1, std::memory_order_relaxed);
  const SuperVersionCache::Lease sv = sv_cache_.Acquire();
  SequenceNumber snapshot = ReadSequence(options);
  std::string stored;
  bool found = false, deleted = false;
  // Memtables, newest first. Within one memtable a newer point beats an older tombstone.
  auto probe = [&](const MemTable& mem) {
    SequenceNumber tomb = mem.MaxCoveringTombstone(key, snapshot);
    ValueKind kind;
    SequenceNumber seq;
    if (mem.Get(key, snapshot, &kind, &seq, &stored) && seq > tomb) {
      if (kind == ValueKind::kValue) {
        found = true;
      } else {
        deleted = true;
      }
      return true;
    }
    if (tomb > 0) {
      deleted = true;
      return true;
    }
    return false;
  };
  bool done = probe(*sv->mem);
  for (size_t i = 0; !done && i < sv->imms.size(); ++i) done = probe(*sv->imms[i]);
  if (!done) {
    PointLookupResult result;
    NOKV_RETURN_IF_ERROR(
        sv->version->Get(sv->table_cache.get(), key, snapshot,
                         TableReadOptions{options.fill_cache, options.verify_checksums}, &result));
    if (result.found && !result.deleted) {
      found = true;
      stored = std::move(result.stored_value);
    }
  }
  stats_.get_latency_us.Observe(clock_->NowMonotonicMicros() - start);
  if (!found || deleted) return absl::NotFoundError("key not found");
  StoredValue sv_decoded;
  if (!DecodeStoredValue(stored, &sv_decoded)) {
    return absl::DataLossError("Corruption: malformed stored value");
  }
  if (IsExpired(sv_decoded.expires_at_millis, clock_->NowUnixMillis())) {
    return absl::NotFoundError("key not found (expired)");
  }
  stats_.get_hits.fetch_add(1, std::memory_order_relaxed);
  return ValueWithExpiry{std::string(sv_decoded.value), sv_decoded.expires_at_millis};
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  if (!CheckOpen().ok()) {
    return NewDBIterator(std::make_unique<EmptyIterator>(CheckOpen()), RangeDelIndex(), 0, 0,
                         options, nullptr);
  }
  stats_.iterators_created.fetch_add(1, std::memory_order_relaxed);
  auto sv = GetSuperVersion();
  SequenceNumber snapshot = ReadSequence(options);
  std::vector<std::unique_ptr<InternalIterator>> children;
  std::vector<RangeTombstone> tombstones;
  auto add_mem = [&](const std::shared_ptr<MemTable>& mem) {
    children.push_back(mem->NewIterator(mem));
    auto ts = mem->RangeTombstones();
    tombstones.insert(tombstones.end(), ts.begin(), ts.end());
  };
  add_mem(sv->mem);
  for (const auto& imm : sv->imms) add_mem(imm);
  sv->version->AddIterators(sv->table_cache.get(),
                            TableReadOptions{options.fill_cache, options.verify_checksums},
                            &children);
  absl::Status s = sv->version->CollectRangeTombstones(sv->table_cache.get(), &tombstones);
  if (!s.ok()) children.push_back(std::make_unique<EmptyIterator>(s));
  return NewDBIterator(NewMergingIterator(std::move(children)), RangeDelIndex(tombstones, snapshot),
                       snapshot, clock_->NowUnixMillis(), options, sv);
}

const Snapshot* DBImpl::GetSnapshot() {
  MutexLock lock(&snapshots_mu_);
  SequenceNumber seq = visible_seq_.load(std::memory_order_acquire);
  snapshots_.insert(seq);
  return new SnapshotImpl(seq);
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  {
    MutexLock lock(&snapshots_mu_);
    auto it = snapshots_.find(snapshot->sequence());
    if (it != snapshots_.end()) snapshots_.erase(it);
  }
  delete static_cast<const SnapshotImpl*>(snapshot);
}

std::vector<SequenceNumber> DBImpl::LiveSnapshots() {
  MutexLock lock(&snapshots_mu_);
  std::vector<SequenceNumber> out(snapshots_.begin(), snapshots_.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace nokv
