# CI smoke test of nokv-ycsb (run with cmake -P, registered by tests/bench/CMakeLists.txt).
#
# Runs every workload with tiny sizes against the given engines and checks that the harness
# exits 0, printed a table row for each (workload, engine), and that the JSON rows show every
# engine answering reads (and scans, for E) with values that all verified. Memtable, cache and
# file sizes are tiny so that flushes, compactions and block reads from files happen.
#
# Inputs: YCSB (binary path), ENGINES (comma separated), WORK_DIR, MODE ("pass" or "corrupt":
# the harness corrupts values it reads and must then fail with exit status 2).
cmake_minimum_required(VERSION 3.25)

foreach(var YCSB ENGINES WORK_DIR MODE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "smoke_check.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(json "${WORK_DIR}/smoke.json")
# The corrupt mode only needs reads to prove that the checker fires.
set(run_workloads A,B,C,D,E,F)
if(MODE STREQUAL "corrupt")
  set(run_workloads C)
endif()
set(args
  --engines=${ENGINES} --workloads=${run_workloads} --records=4000 --ops=4000 --threads=4
  --value-size=400 --memtable-mb=1 --cache-mb=1 --target-file-mb=1 --final-check
  --progress-secs=0 --fsync-probe-samples=8 --dir=${WORK_DIR} --json=${json})
if(MODE STREQUAL "corrupt")
  list(APPEND args --debug-corrupt-one-in=50)
endif()

execute_process(COMMAND "${YCSB}" ${args}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(err)
  message("stderr:\n${err}")
endif()

if(MODE STREQUAL "corrupt")
  if(NOT rc EQUAL 2 OR NOT out MATCHES "MISMATCH")
    message(FATAL_ERROR "corrupted reads were not reported: exit status ${rc} (want 2)")
  endif()
  file(REMOVE_RECURSE "${WORK_DIR}")
  return()
endif()

if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nokv-ycsb exited with status ${rc}")
endif()

string(REPLACE "," ";" engine_list "${ENGINES}")
set(workloads load A B C D E F)
foreach(engine IN LISTS engine_list)
  foreach(workload IN LISTS workloads)
    if(NOT out MATCHES "\n${workload} +${engine} +[0-9]+ ")
      message(FATAL_ERROR "no table row for workload ${workload}, engine ${engine}")
    endif()
  endforeach()
endforeach()

file(READ "${json}" rows)
string(JSON count LENGTH "${rows}")
list(LENGTH engine_list engines)
list(LENGTH workloads per_engine)
math(EXPR want "${engines} * ${per_engine}")
if(NOT count EQUAL want)
  message(FATAL_ERROR "${json}: ${count} rows, want ${want}")
endif()
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON engine GET "${rows}" ${i} engine)
  string(JSON workload GET "${rows}" ${i} workload)
  string(JSON ops_per_sec GET "${rows}" ${i} ops_per_sec)
  string(JSON failures GET "${rows}" ${i} verify_failures)
  string(JSON reads GET "${rows}" ${i} reads_verified)
  string(JSON scanned GET "${rows}" ${i} scan_records_verified)
  set(row "${engine}/${workload}")
  if(NOT failures EQUAL 0)
    message(FATAL_ERROR "${row}: ${failures} values failed verification")
  endif()
  if(NOT ops_per_sec GREATER 0)
    message(FATAL_ERROR "${row}: no throughput")
  endif()
  if(workload STREQUAL "load")
    continue()
  endif()
  # Every workload reads (the final check reads all records back, so even E reads).
  if(reads LESS 4000)
    message(FATAL_ERROR "${row}: only ${reads} reads verified")
  endif()
  if(workload STREQUAL "E" AND NOT scanned GREATER 0)
    message(FATAL_ERROR "${row}: no scanned records verified")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
message("smoke test passed: ${count} rows, all values verified")
