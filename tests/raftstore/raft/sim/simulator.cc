#include "tests/raftstore/raft/sim/simulator.h"

#include <algorithm>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "raftstore/raft/errors.h"
#include "raftstore/raft/failpoints.h"
#include "raftstore/raft/raw_node.h"
#include "raftstore/raft/ready_loop.h"
#include "raftstore/raft/storage.h"
#include "src/util/random.h"
#include "src/util/str_cat.h"
#include "tests/raftstore/raft/sim/kv_state_machine.h"
#include "tests/raftstore/raft/sim/linearizability.h"

namespace nokv::raft::sim {
namespace {

constexpr size_t kTraceTail = 300;
constexpr uint64_t kClientTimeoutSteps = 80;
constexpr int kMaxWriteRetries = 20;

// ---- simulation state ----

struct PendingRead {
  size_t op = 0;
  bool has_index = false;
  uint64_t index = 0;
  bool lease = false;
};

struct SimNode {
  uint64_t id = 0;
  bool up = true;
  uint64_t restart_at = 0;
  int group = 0;
  std::unique_ptr<MemoryStorage> storage;
  std::unique_ptr<RawNode> raw;
  Failpoints failpoints;
  KvMap kv;
  uint64_t applied = 0;
  raftpb::ConfState conf_state;
  uint64_t since_snapshot = 0;
  uint64_t checked_commit = 0;
  std::map<std::string, PendingRead> reads;  // by ReadIndex context
  std::map<uint64_t, size_t> writes;         // op id -> history index
};

struct InFlight {
  uint64_t deliver_at;
  uint64_t seq;
  raftpb::Message msg;
};

struct Client {
  bool busy = false;
  size_t op = 0;
  uint64_t deadline = 0;
  int retries = 0;
  int counter = 0;
};

struct OpRecord {
  KvOperation op;
  uint64_t op_id = 0;
  bool pending = true;
  bool dropped = false;  // never reached the log / read abandoned: not part of the history
};

class Simulation {
 public:
  explicit Simulation(const SimOptions& o) : o_(o), rng_(o.seed) {}
  SimResult Run();

 private:
  void Trace(std::string line);
  void Fail(std::string why);
  SimNode& node(uint64_t id) { return nodes_.at(id); }

  void StartNode(SimNode& n);
  void Crash(SimNode& n, std::string_view why);
  void HandleStatus(SimNode& n, const absl::Status& s, std::string_view what);
  void Step(bool faults);
  void InjectFaults();
  void TickAll();
  void DeliverDue();
  void Send(raftpb::Message m);
  void ProcessReady(SimNode& n);
  absl::Status Apply(SimNode& n, const raftpb::Entry& e);
  void MaybeSnapshot(SimNode& n);
  void ServeReads(SimNode& n);
  void ClientsAct(bool final_phase);
  void StartOp(int client_id, bool final_write);
  void CompleteOp(size_t op_index);
  void ExpireClients();
  void CheckInvariants();
  uint64_t PickTarget();
  std::vector<uint64_t> UpNodes() const;
  void ProposeConfChange();

  SimOptions o_;
  nokv::Random rng_;
  SimResult result_;
  uint64_t now_ = 0;
  uint64_t seq_ = 0;
  std::map<uint64_t, SimNode> nodes_;
  std::vector<InFlight> network_;
  // (sender, destination, failed): snapshot outcomes reported to the sender after delivery.
  std::vector<std::tuple<uint64_t, uint64_t, bool>> pending_snapshot_reports_;
  std::vector<Client> clients_;
  std::vector<OpRecord> ops_;
  uint64_t next_op_id_ = 1;
  std::map<uint64_t, uint64_t> leader_of_term_;
  std::map<uint64_t, uint64_t> committed_term_;    // index -> term, as first observed committed
  std::map<uint64_t, std::string> applied_entry_;  // index -> term|data, as first applied
  // op id -> (first time any replica applied it, whether a CAS swapped): the ground truth of
  // when a write took effect, used to bound writes whose client gave up (see Run()).
  std::map<uint64_t, std::pair<uint64_t, bool>> first_applied_;
  std::deque<std::string> trace_;
  bool final_write_done_ = false;
};

void Simulation::Trace(std::string line) {
  line = StrCat("[", now_, "] ", line);
  if (o_.verbose) std::cerr << line << "\n";
  trace_.push_back(std::move(line));
  if (trace_.size() > kTraceTail) trace_.pop_front();
}

void Simulation::Fail(std::string why) {
  if (!result_.ok) return;
  result_.ok = false;
  result_.failure = StrCat("step ", now_, ": ", why);
  for (auto& [id, n] : nodes_) {
    if (!n.up) {
      Trace(StrCat("node ", id, " down"));
      continue;
    }
    NodeStatus st = n.raw->Status();
    const Raft& r = n.raw->raft();
    std::string progress;
    if (st.state == StateType::kLeader) {
      for (const auto& [pid, pr] : r.tracker().progress()) {
        StrAppend(&progress, " [", pid, ": ", pr.DebugString(), "]");
      }
    }
    Trace(StrCat("node ", id, " ", StateTypeName(st.state), " term=", st.term, " vote=", st.vote,
                 " lead=", st.lead, " commit=", st.commit, " applied=", st.applied, " last=",
                 r.log().LastIndex(), "/", r.log().LastTerm(), " first=", r.log().FirstIndex(),
                 " config ", r.tracker().config().DebugString(), progress));
  }
  Trace(StrCat("FAILURE: ", why));
}

std::vector<uint64_t> Simulation::UpNodes() const {
  std::vector<uint64_t> up;
  for (const auto& [id, n] : nodes_) {
    if (n.up) up.push_back(id);
  }
  return up;
}

void Simulation::StartNode(SimNode& n) {
  absl::StatusOr<raftpb::Snapshot> snap = n.storage->GetSnapshot();
  n.kv = DeserializeKv(snap->data());
  n.applied = snap->metadata().index();
  n.conf_state = snap->metadata().conf_state();
  n.since_snapshot = 0;
  n.failpoints.DisarmAll();
  Config c;
  c.id = n.id;
  c.election_tick = 10;
  c.heartbeat_tick = 1;
  c.storage = n.storage.get();
  c.applied = n.applied;
  c.pre_vote = o_.pre_vote;
  c.check_quorum = o_.check_quorum;
  c.max_inflight_msgs = 4;
  c.max_size_per_msg = 256;
  c.random_seed = rng_.Next();
  c.failpoints = &n.failpoints;
  absl::StatusOr<std::unique_ptr<RawNode>> raw = RawNode::Create(c);
  if (!raw.ok()) {
    Fail(StrCat("node ", n.id, " failed to start: ", raw.status().ToString()));
    return;
  }
  n.raw = std::move(*raw);
  n.up = true;
}

void Simulation::Crash(SimNode& n, std::string_view why) {
  if (!n.up) return;
  Trace(StrCat("crash node ", n.id, " (", why, ")"));
  ++result_.stats.crashes;
  n.up = false;
  n.raw.reset();
  n.kv.clear();
  for (auto& [ctx, read] : n.reads) {
    ops_[read.op].dropped = true;
    ops_[read.op].pending = false;
    clients_[ops_[read.op].op.client].busy = false;
  }
  n.reads.clear();
  // Writes proposed through this node stay pending: their clients retry at the deadline.
  n.writes.clear();
  n.restart_at = now_ + 50 + rng_.Uniform(300);
}

void Simulation::HandleStatus(SimNode& n, const absl::Status& s, std::string_view what) {
  if (s.ok() || IsProposalDropped(s)) return;
  if (IsFailpointCrash(s)) {
    ++result_.stats.failpoints_fired;
    Crash(n, StrCat(what, ": ", std::string(s.message())));
    return;
  }
  if (IsFailpointInjectedError(s)) {
    ++result_.stats.failpoints_fired;
    Trace(StrCat("node ", n.id, " ", what, ": ", std::string(s.message())));
    return;
  }
  if (s.code() == absl::StatusCode::kInternal || s.code() == absl::StatusCode::kDataLoss) {
    Fail(StrCat("node ", n.id, " ", what, ": ", s.ToString()));
    return;
  }
  Trace(StrCat("node ", n.id, " ", what, ": ", s.ToString()));
}

void Simulation::Send(raftpb::Message m) {
  bool is_snapshot = m.type() == raftpb::MSG_SNAPSHOT;
  if (rng_.NextDouble() < o_.drop_probability) {
    if (is_snapshot) pending_snapshot_reports_.emplace_back(m.from(), m.to(), true);
    return;
  }
  int copies = rng_.NextDouble() < o_.duplicate_probability ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    uint64_t delay = 1 + rng_.Uniform(static_cast<uint64_t>(o_.max_delay_steps));
    network_.push_back(InFlight{now_ + delay, seq_++, m});
  }
}

void Simulation::DeliverDue() {
  std::vector<InFlight> due;
  std::vector<InFlight> later;
  for (InFlight& f : network_) (f.deliver_at <= now_ ? due : later).push_back(std::move(f));
  network_ = std::move(later);
  // Same-step messages arrive in random order.
  for (size_t i = due.size(); i > 1; --i) std::swap(due[i - 1], due[rng_.Uniform(i)]);
  for (InFlight& f : due) {
    raftpb::Message& m = f.msg;
    auto to = nodes_.find(m.to());
    bool is_snapshot = m.type() == raftpb::MSG_SNAPSHOT;
    if (to == nodes_.end() || !to->second.up || to->second.group != node(m.from()).group) {
      if (is_snapshot) pending_snapshot_reports_.emplace_back(m.from(), m.to(), true);
      continue;
    }
    ++result_.stats.messages_delivered;
    uint64_t from = m.from();
    uint64_t dest = m.to();
    absl::Status s = to->second.raw->Step(std::move(m));
    HandleStatus(to->second, s, "step");
    if (is_snapshot) pending_snapshot_reports_.emplace_back(from, dest, false);
  }
  for (auto& [from, dest, failed] : pending_snapshot_reports_) {
    SimNode& sender = node(from);
    if (sender.up) sender.raw->ReportSnapshot(dest, failed);
  }
  pending_snapshot_reports_.clear();
}

void Simulation::TickAll() {
  std::vector<uint64_t> up = UpNodes();
  for (size_t i = up.size(); i > 1; --i) std::swap(up[i - 1], up[rng_.Uniform(i)]);
  for (uint64_t id : up) {
    SimNode& n = node(id);
    if (!n.up) continue;
    HandleStatus(n, n.raw->Tick(), "tick");
  }
}

absl::Status Simulation::Apply(SimNode& n, const raftpb::Entry& e) {
  std::string fingerprint = StrCat(e.term(), "|", static_cast<int>(e.type()), "|", e.data());
  auto [it, inserted] = applied_entry_.emplace(e.index(), fingerprint);
  if (!inserted && it->second != fingerprint) {
    Fail(StrCat("state machine safety: node ", n.id, " applied a different entry at index ",
                e.index()));
  }
  n.applied = e.index();
  ++n.since_snapshot;
  if (e.type() == raftpb::ENTRY_CONF_CHANGE) {
    raftpb::ConfChange cc;
    if (!cc.ParseFromString(e.data())) return absl::DataLossError("bad conf change entry");
    absl::StatusOr<raftpb::ConfState> cs = n.raw->ApplyConfChange(cc);
    if (!cs.ok()) {
      if (IsFailpointCrash(cs.status())) return cs.status();
      Fail(StrCat("node ", n.id, " could not apply committed conf change at ", e.index(), ": ",
                  cs.status().ToString()));
      return absl::OkStatus();
    }
    n.conf_state = *cs;
    ++result_.stats.conf_changes_applied;
    std::string desc;
    for (uint64_t v : cs->voters()) StrAppend(&desc, v, " ");
    if (cs->voters_outgoing_size() > 0) {
      desc += "&& ";
      for (uint64_t v : cs->voters_outgoing()) StrAppend(&desc, v, " ");
    }
    if (cs->learners_size() > 0) {
      desc += "learners ";
      for (uint64_t v : cs->learners()) StrAppend(&desc, v, " ");
    }
    Trace(StrCat("node ", n.id, " applied conf change at ", e.index(), ": voters ", desc));
    return absl::OkStatus();
  }
  if (e.data().empty()) return absl::OkStatus();
  Command c;
  if (!DecodeCommand(e.data(), &c)) return absl::DataLossError("bad command entry");
  bool duplicate = false;
  bool swapped = ApplyCommand(c, &n.kv, &duplicate);
  if (!duplicate) first_applied_.emplace(c.op_id, std::make_pair(now_, swapped));
  auto w = n.writes.find(c.op_id);
  if (w != n.writes.end()) {
    OpRecord& rec = ops_[w->second];
    rec.op.cas_swapped = swapped;
    CompleteOp(w->second);
    n.writes.erase(w);
  }
  return absl::OkStatus();
}

void Simulation::ProcessReady(SimNode& n) {
  ReadyHandlers h;
  h.send = [this](raftpb::Message m) { Send(std::move(m)); };
  h.install_snapshot = [this, &n](const raftpb::Snapshot& s) {
    n.kv = DeserializeKv(s.data());
    n.applied = s.metadata().index();
    n.conf_state = s.metadata().conf_state();
    ++result_.stats.snapshots_installed;
    Trace(StrCat("node ", n.id, " installs snapshot at ", s.metadata().index()));
    return absl::OkStatus();
  };
  h.apply = [this, &n](const raftpb::Entry& e) { return Apply(n, e); };
  h.read_ready = [&n](const ReadState& rs) {
    auto it = n.reads.find(rs.context);
    if (it == n.reads.end()) return;
    it->second.has_index = true;
    it->second.index = rs.index;
  };
  for (int round = 0; round < 4 && n.up && n.raw->HasReady(); ++round) {
    absl::Status s = raft::ProcessReady(*n.raw, *n.storage, h, &n.failpoints);
    if (!s.ok()) {
      if (IsFailpointCrash(s) || IsFailpointInjectedError(s)) ++result_.stats.failpoints_fired;
      // Any error while handling a Ready leaves memory ahead of disk: restart the node.
      Crash(n, StrCat("ready: ", std::string(s.message())));
      return;
    }
  }
  if (!n.up) return;
  MaybeSnapshot(n);
  ServeReads(n);
}

void Simulation::MaybeSnapshot(SimNode& n) {
  if (o_.snapshot_interval <= 0 || n.since_snapshot < static_cast<uint64_t>(o_.snapshot_interval)) {
    return;
  }
  // n.applied <= persisted last index: ProcessReady persists before it applies.
  absl::StatusOr<raftpb::Snapshot> s =
      n.storage->CreateSnapshot(n.applied, n.conf_state, SerializeKv(n.kv));
  if (!s.ok()) return;
  n.since_snapshot = 0;
  uint64_t keep = rng_.Uniform(4);
  if (n.applied > keep + 1) (void)n.storage->Compact(n.applied - keep);
}

void Simulation::ServeReads(SimNode& n) {
  for (auto it = n.reads.begin(); it != n.reads.end();) {
    if (!it->second.has_index || n.applied < it->second.index) {
      ++it;
      continue;
    }
    OpRecord& rec = ops_[it->second.op];
    auto v = n.kv.find(rec.op.key);
    if (v != n.kv.end()) rec.op.read_value = v->second;
    ++result_.stats.reads_completed;
    if (it->second.lease) ++result_.stats.lease_reads_completed;
    CompleteOp(it->second.op);
    it = n.reads.erase(it);
  }
}

void Simulation::CompleteOp(size_t op_index) {
  OpRecord& rec = ops_[op_index];
  if (!rec.pending) return;
  rec.pending = false;
  rec.op.completed = true;
  rec.op.returned = now_;
  ++result_.stats.ops_completed;
  clients_[rec.op.client].busy = false;
  Trace(StrCat("return ", rec.op.DebugString()));
  if (rec.op.value == "final") final_write_done_ = true;
}

uint64_t Simulation::PickTarget() {
  std::vector<uint64_t> up = UpNodes();
  if (up.empty()) return 0;
  std::vector<uint64_t> leaders;
  for (uint64_t id : up) {
    if (node(id).raw->Status().state == StateType::kLeader) leaders.push_back(id);
  }
  if (!leaders.empty() && !rng_.OneIn(5)) return leaders[rng_.Uniform(leaders.size())];
  return up[rng_.Uniform(up.size())];
}

void Simulation::StartOp(int client_id, bool final_write) {
  uint64_t target = PickTarget();
  if (target == 0) return;
  SimNode& n = node(target);
  Client& client = clients_[client_id];
  KvOperation op;
  op.client = client_id;
  op.key = StrCat("k", rng_.Uniform(static_cast<uint64_t>(o_.keys)));
  op.call = now_;
  uint64_t roll = rng_.Uniform(100);
  op.kind = final_write
                ? KvOpKind::kPut
                : (roll < 45 ? KvOpKind::kPut : (roll < 80 ? KvOpKind::kGet : KvOpKind::kCas));
  uint64_t op_id = next_op_id_++;
  op.value = final_write ? std::string("final") : StrCat("c", client_id, "-", client.counter++);
  if (op.kind == KvOpKind::kCas) {
    // Expect the value the target currently has (often right, sometimes stale) or absence.
    auto it = n.kv.find(op.key);
    if (it != n.kv.end() && !rng_.OneIn(4)) op.expected = it->second;
  }
  absl::Status s;
  bool lease = false;
  if (op.kind == KvOpKind::kGet) {
    lease = o_.lease_reads && rng_.OneIn(2);
    std::string ctx = StrCat("read-", op_id);
    s = n.raw->ReadIndex(ctx, lease ? ReadMode::kLease : ReadMode::kSafe);
    if (s.ok()) n.reads[ctx] = PendingRead{ops_.size(), false, 0, lease};
  } else {
    Command c{op_id, op.kind, op.key, op.value, op.expected};
    s = n.raw->Propose(EncodeCommand(c));
    if (s.ok()) n.writes[op_id] = ops_.size();
  }
  if (!s.ok()) {
    HandleStatus(n, s, "client request");
    return;  // refused up front: never happened
  }
  Trace(StrCat("call via ", target, lease ? " (lease) " : " ", op.DebugString()));
  ops_.push_back(OpRecord{std::move(op), op_id});
  client.busy = true;
  client.retries = 0;
  client.op = ops_.size() - 1;
  client.deadline = now_ + kClientTimeoutSteps;
}

void Simulation::ClientsAct(bool final_phase) {
  for (int c = 0; c < static_cast<int>(clients_.size()); ++c) {
    if (clients_[c].busy) continue;
    if (final_phase) {
      if (c == 0 && !final_write_done_ && rng_.OneIn(10)) StartOp(c, /*final_write=*/true);
      continue;
    }
    if (rng_.OneIn(3)) StartOp(c, false);
  }
}

void Simulation::ExpireClients() {
  for (int client_id = 0; client_id < static_cast<int>(clients_.size()); ++client_id) {
    Client& c = clients_[client_id];
    if (!c.busy || now_ < c.deadline) continue;
    OpRecord& rec = ops_[c.op];
    for (auto& [id, n] : nodes_) {
      for (auto it = n.reads.begin(); it != n.reads.end();) {
        it = it->second.op == c.op ? n.reads.erase(it) : std::next(it);
      }
      for (auto it = n.writes.begin(); it != n.writes.end();) {
        it = it->second == c.op ? n.writes.erase(it) : std::next(it);
      }
    }
    if (rec.op.kind == KvOpKind::kGet) {
      // A read that timed out tells us nothing; the client moves on.
      c.busy = false;
      rec.pending = false;
      rec.dropped = true;
      Trace(StrCat("timeout ", rec.op.DebugString()));
      continue;
    }
    // Writes are retried with the same command id (the state machine applies it once and
    // answers duplicates with the first outcome), as raftstore's client retries a request id.
    // Only after many attempts does the client give up with an unknown outcome.
    if (++c.retries > kMaxWriteRetries) {
      c.busy = false;
      rec.pending = false;
      rec.op.completed = false;
      Trace(StrCat("give up ", rec.op.DebugString()));
      continue;
    }
    c.deadline = now_ + kClientTimeoutSteps;
    uint64_t target = PickTarget();
    if (target == 0) continue;
    SimNode& n = node(target);
    Command cmd{rec.op_id, rec.op.kind, rec.op.key, rec.op.value, rec.op.expected};
    absl::Status s = n.raw->Propose(EncodeCommand(cmd));
    if (s.ok()) n.writes[rec.op_id] = c.op;
    Trace(StrCat("retry via ", target, " ", rec.op.DebugString(), s.ok() ? "" : " (refused)"));
    HandleStatus(n, s, "client retry");
  }
}

void Simulation::ProposeConfChange() {
  std::vector<uint64_t> leaders;
  for (uint64_t id : UpNodes()) {
    if (node(id).raw->Status().state == StateType::kLeader) leaders.push_back(id);
  }
  if (leaders.empty()) return;
  SimNode& leader = node(leaders[rng_.Uniform(leaders.size())]);
  raftpb::ConfState cs = leader.raw->conf_state();
  if (cs.voters_outgoing_size() > 0) return;
  std::set<uint64_t> voters(cs.voters().begin(), cs.voters().end());
  std::set<uint64_t> learners(cs.learners().begin(), cs.learners().end());
  std::vector<uint64_t> outside;  // neither voter nor learner
  for (const auto& [id, n] : nodes_) {
    if (!voters.count(id) && !learners.count(id)) outside.push_back(id);
  }
  size_t min_voters = o_.nodes >= 5 ? 3 : 2;
  raftpb::ConfChange cc;
  auto add = [&cc](raftpb::ConfChangeType t, uint64_t id) {
    auto* ch = cc.add_changes();
    ch->set_type(t);
    ch->set_node_id(id);
  };
  std::vector<uint64_t> voter_list(voters.begin(), voters.end());
  uint64_t roll = rng_.Uniform(4);
  if (!learners.empty() && roll < 2) {
    add(raftpb::CONF_CHANGE_ADD_NODE, *learners.begin());  // promote
  } else if (!outside.empty() && roll < 3) {
    add(raftpb::CONF_CHANGE_ADD_LEARNER_NODE, outside[rng_.Uniform(outside.size())]);
  } else if (!outside.empty() && voters.size() > min_voters - 1) {
    // Joint consensus: swap a voter for an outside node in one step.
    add(raftpb::CONF_CHANGE_ADD_NODE, outside[rng_.Uniform(outside.size())]);
    add(raftpb::CONF_CHANGE_REMOVE_NODE, voter_list[rng_.Uniform(voter_list.size())]);
    cc.set_transition(raftpb::CONF_CHANGE_TRANSITION_JOINT_IMPLICIT);
  } else if (voters.size() > min_voters) {
    add(raftpb::CONF_CHANGE_REMOVE_NODE, voter_list[rng_.Uniform(voter_list.size())]);
  } else {
    return;
  }
  absl::Status s = leader.raw->ProposeConfChange(cc);
  Trace(StrCat("node ", leader.id, " proposes conf change ", cc.ShortDebugString(), ": ",
               s.ok() ? std::string("ok") : std::string(s.message())));
  HandleStatus(leader, s, "propose conf change");
}

void Simulation::InjectFaults() {
  if (rng_.NextDouble() < o_.partition_probability) {
    std::string desc;
    for (auto& [id, n] : nodes_) {
      n.group = static_cast<int>(rng_.Uniform(2));
      StrAppend(&desc, id, ":", n.group, " ");
    }
    Trace(StrCat("partition ", desc));
  }
  if (rng_.NextDouble() < o_.heal_probability) {
    for (auto& [id, n] : nodes_) n.group = 0;
    Trace("heal");
  }
  if (rng_.NextDouble() < o_.crash_probability) {
    std::vector<uint64_t> up = UpNodes();
    if (!up.empty()) Crash(node(up[rng_.Uniform(up.size())]), "random crash");
  }
  if (rng_.NextDouble() < o_.failpoint_probability) {
    std::vector<uint64_t> up = UpNodes();
    if (!up.empty()) {
      SimNode& n = node(up[rng_.Uniform(up.size())]);
      auto fp = static_cast<Failpoint>(rng_.Uniform(static_cast<uint64_t>(Failpoint::kCount)));
      auto action = static_cast<FailpointAction>(1 + rng_.Uniform(4));
      n.failpoints.Arm(fp, action, 1);
      Trace(
          StrCat("arm ", FailpointName(fp), " = ", FailpointActionName(action), " on node ", n.id));
    }
  }
  if (rng_.NextDouble() < o_.transfer_probability) {
    for (uint64_t id : UpNodes()) {
      SimNode& n = node(id);
      if (n.raw->Status().state != StateType::kLeader) continue;
      raftpb::ConfState cs = n.raw->conf_state();
      if (cs.voters_size() < 2) break;
      uint64_t to = cs.voters(static_cast<int>(rng_.Uniform(cs.voters_size())));
      Trace(StrCat("transfer leadership ", id, " -> ", to));
      ++result_.stats.transfers;
      HandleStatus(n, n.raw->TransferLeader(to), "transfer");
      break;
    }
  }
  if (o_.membership_changes && rng_.NextDouble() < o_.conf_change_probability) ProposeConfChange();
}

void Simulation::CheckInvariants() {
  uint64_t max_committed = committed_term_.empty() ? 0 : committed_term_.rbegin()->first;
  for (auto& [id, n] : nodes_) {
    if (!n.up) continue;
    NodeStatus st = n.raw->Status();
    const RaftLog& log = n.raw->raft().log();
    if (st.state == StateType::kLeader) {
      auto [it, inserted] = leader_of_term_.emplace(st.term, id);
      if (!inserted && it->second != id) {
        Fail(StrCat("election safety: nodes ", it->second, " and ", id, " both lead term ",
                    st.term));
        return;
      }
      if (inserted) {
        ++result_.stats.leaders_elected;
        Trace(StrCat("node ", id, " leads term ", st.term));
        // Leader completeness: a new leader holds every entry committed so far.
        if (max_committed > 0) {
          absl::StatusOr<uint64_t> t = log.Term(max_committed);
          if (log.LastIndex() < max_committed || (t.ok() && *t != committed_term_[max_committed])) {
            Fail(StrCat("leader completeness: leader ", id, " of term ", st.term,
                        " lacks committed entry ", max_committed));
            return;
          }
        }
      }
    }
    // Committed entries never change (checked by term; log matching covers the content).
    for (uint64_t i = std::max(n.checked_commit, log.FirstIndex()) + 1; i <= st.commit; ++i) {
      absl::StatusOr<uint64_t> t = log.Term(i);
      if (!t.ok()) continue;
      auto [it, inserted] = committed_term_.emplace(i, *t);
      if (!inserted && it->second != *t) {
        Fail(StrCat("committed entry ", i, " changed term on node ", id, ": ", it->second, " -> ",
                    *t));
        return;
      }
    }
    n.checked_commit = std::max(n.checked_commit, st.commit);
  }
}

void Simulation::Step(bool faults) {
  ++now_;
  if (faults) InjectFaults();
  for (auto& [id, n] : nodes_) {
    if (!n.up && n.restart_at <= now_) {
      Trace(StrCat("restart node ", id));
      StartNode(n);
    }
  }
  if (now_ % static_cast<uint64_t>(o_.steps_per_tick) == 0) TickAll();
  DeliverDue();
  ClientsAct(!faults);
  for (auto& [id, n] : nodes_) {
    if (n.up) ProcessReady(n);
  }
  ExpireClients();
  CheckInvariants();
}

SimResult Simulation::Run() {
  std::vector<uint64_t> ids;
  for (int i = 1; i <= o_.nodes; ++i) ids.push_back(static_cast<uint64_t>(i));
  for (uint64_t id : ids) {
    SimNode& n = nodes_[id];
    n.id = id;
    n.storage = std::make_unique<MemoryStorage>(MemoryStorage::WithVoters(ids));
    StartNode(n);
  }
  clients_.resize(static_cast<size_t>(o_.clients));
  Trace(StrCat("start seed=", o_.seed, " nodes=", o_.nodes, " check_quorum=", o_.check_quorum,
               " pre_vote=", o_.pre_vote, " lease_reads=", o_.lease_reads));
  for (int i = 0; i < o_.steps && result_.ok; ++i) Step(/*faults=*/true);

  if (result_.ok) {
    // Liveness: with the network healed, every node up and no failpoints, a write must commit.
    Trace("final phase: heal, restart, disarm");
    for (auto& [id, n] : nodes_) {
      n.group = 0;
      if (!n.up) {
        n.restart_at = now_;
      } else {
        n.failpoints.DisarmAll();
      }
    }
    o_.drop_probability = 0;
    o_.duplicate_probability = 0;
    uint64_t deadline = now_ + 6000;
    while (result_.ok && !final_write_done_ && now_ < deadline) Step(/*faults=*/false);
    if (result_.ok && !final_write_done_) Fail("liveness: no write committed after healing");
  }

  // A write whose client gave up is indeterminate. If some replica applied it, it took effect
  // no later than that first application (every later read index covers it), so it is recorded
  // as returning then, with the outcome the state machine computed. If no replica ever applied
  // it, it had no observable effect within the history and is left out (equivalent to
  // linearizing it after every other operation). This keeps the checker's search small.
  std::vector<KvOperation> history;
  for (OpRecord& rec : ops_) {
    if (rec.dropped) continue;
    if (rec.pending && rec.op.kind == KvOpKind::kGet) continue;
    if (rec.pending || !rec.op.completed) {
      ++result_.stats.ops_incomplete;
      auto it = first_applied_.find(rec.op_id);
      if (it == first_applied_.end()) continue;
      rec.op.completed = true;
      rec.op.returned = it->second.first;
      rec.op.cas_swapped = it->second.second;
    }
    history.push_back(rec.op);
  }
  if (result_.ok) {
    LinearizabilityResult lin = CheckKvLinearizable(history);
    if (!lin.linearizable) Fail(lin.explanation);
  }
  result_.trace_tail.assign(trace_.begin(), trace_.end());
  return result_;
}

}  // namespace

SimOptions OptionsForSeed(uint64_t seed) {
  SimOptions o;
  o.seed = seed;
  o.nodes = seed % 2 == 0 ? 3 : 5;
  if ((seed / 2) % 3 == 2) {
    o.check_quorum = false;
    o.lease_reads = false;
  }
  if ((seed / 2) % 5 == 4) o.pre_vote = false;
  return o;
}

SimResult RunSimulation(const SimOptions& options) {
  Simulation sim(options);
  return sim.Run();
}

std::string FormatFailure(const SimOptions& o, const SimResult& r) {
  std::string out =
      StrCat("raft simulation FAILED: seed=", o.seed, " nodes=", o.nodes, " steps=", o.steps, "\n",
             "replay: raft-soak --seed=", o.seed, " --nodes=", o.nodes, " --steps=", o.steps,
             " --verbose\n", "failure: ", r.failure, "\n", "trace tail:\n");
  for (const std::string& line : r.trace_tail) StrAppend(&out, "  ", line, "\n");
  return out;
}

}  // namespace nokv::raft::sim
