# Runs parser_fuzz for the CTest test `parser_fuzz` (label fuzz):
#   cmake -DFUZZER=... -DWORK_DIR=... -DSECONDS=... [-DDICT=...] [-DREGRESSIONS=...] [-DSEEDS=...]
#         [-DMESSAGES=...] [-DCORPUS=...] -P run_fuzz.cmake
# The working corpus (WORK_DIR/corpus, kept between runs) is the one folder libFuzzer writes to;
# the seed folders are only read. The RFC 4475/5118 corpora are used when present. Fails on any
# crash, sanitizer report, timeout, out-of-memory or broken invariant.
foreach(var FUZZER WORK_DIR SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzz.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT EXISTS "${FUZZER}")
  message(FATAL_ERROR "run_fuzz.cmake: ${FUZZER} is missing; build the project first")
endif()

set(corpus "${WORK_DIR}/corpus")
set(artifacts "${WORK_DIR}/artifacts")
file(MAKE_DIRECTORY "${corpus}" "${artifacts}")

set(seeds)
foreach(dir "${REGRESSIONS}" "${SEEDS}" "${MESSAGES}" "${CORPUS}/rfc4475" "${CORPUS}/rfc5118")
  if(dir AND IS_DIRECTORY "${dir}")
    list(APPEND seeds "${dir}")
  elseif(dir)
    message(STATUS "run_fuzz.cmake: no seed folder ${dir}; going on without it")
  endif()
endforeach()

# SECONDS <= 0: run the corpus and the seeds once, without fuzzing.
if(SECONDS GREATER 0)
  set(duration "-max_total_time=${SECONDS}")
else()
  set(duration "-runs=0")
endif()
set(dict)
if(DICT AND EXISTS "${DICT}")
  set(dict "-dict=${DICT}")
endif()

# One process, one job: CI runs ctest -j2 on two cores.
execute_process(
  COMMAND "${FUZZER}" ${duration} -max_len=65536 -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 "-artifact_prefix=${artifacts}/" ${dict} "${corpus}" ${seeds}
  WORKING_DIRECTORY "${WORK_DIR}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "parser_fuzz failed (${result}); the input that broke it is in ${artifacts}/"
                      " (run it again with: ${FUZZER} <file>)")
endif()
