#!/usr/bin/env bash
# Model-checks the control-plane authority specifications (spec/pml/*.pml) with spin.
#
#   spec/check.sh [--out DIR] [--keep] [--write-artifacts]
#
# Every check compiles a verifier (spin -a, cc -O2) and runs an exhaustive search, one
# at a time. Positive models must verify with zero errors; contrast models must yield a
# counterexample for the expected property (and for no property they are meant to keep);
# reachability probes must all be hit; Finality (LTL) must hold under weak fairness and
# must fail without it and for a mutant that cannot finish a handover.
#
#   --out DIR          scratch directory (default: a fresh temporary directory, removed
#                      at exit unless --keep). ctest passes a directory in its build tree.
#   --keep             keep the temporary directory.
#   --write-artifacts  on success, replace spec/artifacts/ with this run's outputs
#                      (summary, verifier outputs, counterexample trails).
#
# Exit status: 0 when every check has its expected outcome, 1 otherwise, 2 on usage
# errors or when spin or a C compiler is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pml_dir=$here/pml
artifact_dir=$here/artifacts

out=""
keep=0
write_artifacts=0

usage() {
  sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (($# > 0)); do
  case $1 in
    --out)
      [[ $# -ge 2 ]] || { echo "check.sh: --out needs a directory" >&2; exit 2; }
      out=$2
      shift 2
      ;;
    --keep) keep=1; shift ;;
    --write-artifacts) write_artifacts=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "check.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

missing=()
command -v spin >/dev/null 2>&1 || missing+=("spin (Debian package 'spin')")
command -v cc >/dev/null 2>&1 || missing+=("cc (Debian package 'build-essential')")
if ((${#missing[@]} > 0)); then
  echo "check.sh: cannot model-check, missing: $(printf '%s; ' "${missing[@]}")" >&2
  echo "check.sh: run tools/deps.sh (or apt-get install spin build-essential)." >&2
  exit 2
fi

tmp_created=0
if [[ -z $out ]]; then
  out=$(mktemp -d "${TMPDIR:-/tmp}/nokv-spec.XXXXXX")
  tmp_created=1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
cleanup() {
  if ((tmp_created == 1 && keep == 0)); then
    rm -rf "$out"
  fi
}
trap cleanup EXIT

runs=$out/runs
arts=$out/artifacts
rm -rf "$runs" "$arts"
mkdir -p "$runs" "$arts"

failures=0
rows=()
start_all=$(date +%s.%N)

# Lines of verifier output that change from run to run (timings, memory rates).
stable() {
  grep -v -E '^pan: (elapsed time|rate)|^Depth= ' || true
}

# field <file> <what>: a figure from a pan report.
field() {
  local file=$1 what=$2
  case $what in
    states) sed -n -E 's/^ *([0-9.e+]+) states, stored.*/\1/p' "$file" | head -n 1 ;;
    transitions) sed -n -E 's/^ *([0-9.e+]+) transitions.*/\1/p' "$file" | head -n 1 ;;
    depth) sed -n -E 's/.*depth reached ([0-9]+).*/\1/p' "$file" | head -n 1 ;;
    errors) sed -n -E 's/.*errors: ([0-9]+).*/\1/p' "$file" | head -n 1 ;;
  esac
}

# build <dir> <model> <spin -D flags> <cc -D flags>: generate and compile a verifier.
build() {
  local dir=$1 model=$2 spin_defs=$3 cc_defs=$4
  mkdir -p "$dir"
  cp "$pml_dir/$model.pml" "$dir/"
  # shellcheck disable=SC2086 # flag lists are intentionally split
  (cd "$dir" && spin $spin_defs -a "$model.pml" >spin.log 2>&1) || {
    echo "spin -a failed for $model:" >&2
    cat "$dir/spin.log" >&2
    return 1
  }
  # gcc warns about code in pan.c that is fine; -w keeps the log readable.
  # shellcheck disable=SC2086
  (cd "$dir" && cc -O2 -w $cc_defs -o pan pan.c >cc.log 2>&1) || {
    echo "cc failed for $model:" >&2
    cat "$dir/cc.log" >&2
    return 1
  }
}

# save_trail <dir> <model> <spin -D flags> <artifact stem>: plain-words replay (the
# model's "@" narrative lines), the violated property, and a trimmed step-by-step replay.
save_trail() {
  local dir=$1 model=$2 spin_defs=$3 stem=$4
  local trail=$dir/$model.pml.trail
  [[ -f $trail ]] || return 1
  cp "$trail" "$arts/$stem.pantrail"
  # shellcheck disable=SC2086
  (cd "$dir" && spin $spin_defs -t "$model.pml" >replay.txt 2>&1) || true
  # shellcheck disable=SC2086
  (cd "$dir" && spin $spin_defs -t -p "$model.pml" >replay-p.txt 2>&1) || true
  {
    echo "# $model counterexample (replay: spin ${spin_defs:+$spin_defs }-t -p -k spec/artifacts/$stem.pantrail spec/pml/$model.pml)"
    echo
    echo "## Steps in plain words"
    sed -n -E 's/^ *(@ .*)$/\1/p; /START OF CYCLE/s/^ */  /p; s/^spin: (text of failed assertion: .*)$/\1/p' \
      "$dir/replay.txt"
    echo
    echo "## spin -t -p replay (trimmed to 150 lines)"
    grep -v -E '^ +@ ' "$dir/replay-p.txt" | sed -n '1,150p'
  } >"$arts/$stem.trail.txt"
  grep -q -E 'START OF CYCLE|assertion violated' "$dir/replay.txt"
}

# record <model> <check> <log> <result> <ok>
record() {
  local model=$1 check=$2 log=$3 result=$4 ok=$5
  rows+=("$(printf '%-20s %-52s %8s %12s %6s  %s' "$model" "$check" \
    "$(field "$log" states)" "$(field "$log" transitions)" "$(field "$log" depth)" "$result")")
  echo "${rows[-1]}"
  if [[ $ok != 1 ]]; then
    failures=$((failures + 1))
  fi
}

# verify <model>: exhaustive breadth-first safety search; every invariant must hold.
verify() {
  local model=$1 dir=$runs/$1.safety log
  build "$dir" "$model" "" "-DSAFETY -DNOCLAIM -DBFS" ||
    { record "$model" "safety invariants (BFS)" /dev/null "UNEXPECTED: build failed" 0; return 0; }
  log=$dir/pan.out
  (cd "$dir" && ./pan -w20 >pan.out 2>&1) || true
  stable <"$log" >"$arts/$model.safety.pan.txt"
  local errors
  errors=$(field "$log" errors)
  if [[ $errors == 0 ]] && ! grep -q -E 'Search not completed|max search depth too small' "$log"; then
    record "$model" "safety invariants (BFS)" "$log" "verified" 1
  else
    local what
    what=$(grep -m1 -o -E 'assertion violated [A-Za-z_]+|invalid end state|max search depth too small' "$log" || echo "errors: $errors")
    save_trail "$dir" "$model" "" "$model.safety" || true
    record "$model" "safety invariants (BFS)" "$log" "UNEXPECTED: $what" 0
  fi
}

# probes <model>: every probe_* claim ("this state is never reached") must be violated.
probes() {
  local model=$1 dir=$runs/$1.probes log
  build "$dir" "$model" "-DPROBES" "-DSAFETY -DNOCLAIM -DBFS" ||
    { record "$model" "reachability probes (pan -c0)" /dev/null "UNEXPECTED: build failed" 0; return 0; }
  log=$dir/pan.out
  (cd "$dir" && ./pan -c0 -w20 >pan.out 2>&1) || true
  local want got other
  want=$(grep -o -E 'probe_[a-z_]+' "$pml_dir/$model.pml" | sort -u)
  got=$(sed -n -E 's/.*assertion violated (probe_[a-z_]+).*/\1/p' "$log" | sort -u)
  other=$(grep 'assertion violated' "$log" | grep -v -E 'assertion violated probe_' |
    sed -E 's/^pan:[0-9]+: //; s/ \(at depth [0-9]+\)//' | sort -u || true)
  {
    echo "# distinct probe violations (each one is a reached state)"
    echo "$got"
    echo
    grep -v -E '^pan:[0-9]+: assertion violated' "$log" | stable
  } >"$arts/$model.probes.pan.txt"
  local n_want n_got missing_probes
  n_want=$(wc -w <<<"$want")
  n_got=$(wc -w <<<"$got")
  missing_probes=$(comm -23 <(echo "$want") <(echo "$got") | tr '\n' ' ')
  if [[ -z $other && -z $missing_probes ]]; then
    record "$model" "reachability probes (pan -c0)" "$log" "$n_got/$n_want probes reached" 1
  elif [[ -n $other ]]; then
    record "$model" "reachability probes (pan -c0)" "$log" "UNEXPECTED: $(head -n1 <<<"$other")" 0
  else
    record "$model" "reachability probes (pan -c0)" "$log" "UNEXPECTED: unreached ${missing_probes% }" 0
  fi
}

# contrast <model> <expected property> [property that must still hold ...]
contrast() {
  local model=$1 expected=$2
  shift 2
  local holds=("$@")
  local dir=$runs/$model.contrast log
  build "$dir" "$model" "" "-DSAFETY -DNOCLAIM -DBFS" ||
    { record "$model" "contrast: expect $expected" /dev/null "UNEXPECTED: build failed" 0; return 0; }
  log=$dir/pan.out
  (cd "$dir" && ./pan -w20 >pan.out 2>&1) || true
  stable <"$log" >"$arts/$model.contrast.pan.txt"
  local first depth
  first=$(sed -n -E 's/^pan:1: assertion violated ([A-Za-z_]+).*/\1/p' "$log" | head -n 1)
  depth=$(sed -n -E 's/^pan:1: .*\(at depth ([0-9]+)\).*/\1/p' "$log" | head -n 1)
  save_trail "$dir" "$model" "" "$model.contrast" || first=""
  # The whole state space: which properties fail anywhere, and which never do.
  (cd "$dir" && ./pan -c0 -w20 >pan-all.out 2>&1) || true
  local violated
  violated=$(sed -n -E 's/^pan:[0-9]+: assertion violated ([A-Za-z_]+).*/\1/p' "$dir/pan-all.out" | sort -u | tr '\n' ' ')
  violated=${violated% }
  {
    echo "# properties violated somewhere in the state space (pan -c0): $violated"
    echo "# properties that must hold and do: ${holds[*]:-(none)}"
  } >>"$arts/$model.contrast.pan.txt"
  local broken=""
  for h in "${holds[@]}"; do
    if [[ " $violated " == *" $h "* ]]; then
      broken+="$h "
    fi
  done
  if [[ $first == "$expected" && -z $broken && -s $dir/$model.pml.trail ]]; then
    record "$model" "contrast: expect $expected" "$log" "counterexample as expected (trail depth $depth)" 1
  elif [[ -n $broken ]]; then
    record "$model" "contrast: expect $expected" "$log" "UNEXPECTED: also violates ${broken% }" 0
  elif [[ -z $first ]]; then
    record "$model" "contrast: expect $expected" "$log" "UNEXPECTED: no counterexample (broken contrast)" 0
  else
    record "$model" "contrast: expect $expected" "$log" "UNEXPECTED: first violation is $first" 0
  fi
}

# liveness <model> <claim> <label> <spin -D flags> <pan flags> <expect: hold|cycle>
liveness() {
  local model=$1 claim=$2 label=$3 spin_defs=$4 pan_flags=$5 expect=$6
  local stem dir log
  stem=$model.$label
  dir=$runs/$stem
  build "$dir" "$model" "$spin_defs" "-DNOREDUCE" ||
    { record "$model" "LTL $claim, $label" /dev/null "UNEXPECTED: build failed" 0; return 0; }
  log=$dir/pan.out
  # shellcheck disable=SC2086
  (cd "$dir" && ./pan -a $pan_flags -N "$claim" -m1000000 -w20 >pan.out 2>&1) || true
  stable <"$log" >"$arts/$stem.pan.txt"
  local errors cycle=0
  errors=$(field "$log" errors)
  grep -q 'acceptance cycle' "$log" && cycle=1
  local check="LTL $claim, $label"
  if [[ $expect == hold ]]; then
    if [[ $errors == 0 ]] && ! grep -q -E 'Search not completed|max search depth too small' "$log"; then
      record "$model" "$check" "$log" "verified" 1
    else
      save_trail "$dir" "$model" "$spin_defs" "$stem" || true
      record "$model" "$check" "$log" "UNEXPECTED: errors: $errors" 0
    fi
  else
    if ((cycle == 1)) && save_trail "$dir" "$model" "$spin_defs" "$stem"; then
      record "$model" "$check" "$log" "acceptance cycle as expected" 1
    else
      record "$model" "$check" "$log" "UNEXPECTED: no acceptance cycle" 0
    fi
  fi
}

header=$(printf '%-20s %-52s %8s %12s %6s  %s' model check states transitions depth result)
echo "spin: $(spin -V 2>&1 | head -n 1)"
echo "$header"

verify Succession
probes Succession
liveness Succession finality weak-fairness "" "-f" hold
liveness Succession finality no-fairness "" "" cycle
liveness Succession finality mutant-no-inherit "-DMUTANT_NO_INHERIT" "-f -A" cycle
verify SuccessionMultiDim
probes SuccessionMultiDim
contrast LeaseOnly NoOldReplyAfterSuccessor
contrast TokenOnly NoOldReplyAfterSuccessor
contrast ChubbyFencedLease SuccessorCoversHistoricalFrontiers NoOldReplyAfterSuccessor
contrast LeaseStartOnly NoWriteBehindServedRead Primacy
verify TsoWindow
probes TsoWindow
contrast TsoFenceAfterServe StrictlyIncreasing

end_all=$(date +%s.%N)
elapsed=$(awk -v a="$start_all" -v b="$end_all" 'BEGIN { printf "%.1f", b - a }')

{
  echo "# spin model-check summary (spec/check.sh)"
  echo "# $(spin -V 2>&1 | head -n 1)"
  echo "# states = states stored by pan; depth = pan's depth reached (BFS levels for safety"
  echo "# runs, DFS stack depth for LTL runs). Not comparable one-to-one with TLC figures."
  echo "$header"
  printf '%s\n' "${rows[@]}"
} >"$arts/summary.txt"

echo
if ((failures == 0)); then
  echo "all ${#rows[@]} checks have their expected outcome (${elapsed}s)"
else
  echo "$failures of ${#rows[@]} checks did NOT have their expected outcome (${elapsed}s)" >&2
fi
if ((tmp_created == 0 || keep == 1)); then
  echo "outputs: $arts"
fi

if ((write_artifacts == 1)); then
  if ((failures == 0)); then
    rm -rf "$artifact_dir"
    mkdir -p "$artifact_dir"
    cp "$arts"/* "$artifact_dir/"
    echo "artifacts written to $artifact_dir"
  else
    echo "artifacts NOT written: some checks failed" >&2
  fi
fi

((failures == 0))
