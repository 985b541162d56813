// Status propagation macros. Debian's abseil (20220623) lacks ABSL_RETURN_IF_ERROR and
// ABSL_ASSIGN_OR_RETURN, so NoKV defines its own once, here.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define NOKV_CONCAT_INNER_(a, b) a##b
#define NOKV_CONCAT_(a, b) NOKV_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define NOKV_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::absl::Status nokv_status_ = (expr);        \
    if (!nokv_status_.ok()) return nokv_status_; \
  } while (0)

// NOKV_ASSIGN_OR_RETURN(auto x, StatusOrExpr()); declares/assigns on success, returns on error.
#define NOKV_ASSIGN_OR_RETURN(lhs, expr) \
  NOKV_ASSIGN_OR_RETURN_IMPL_(NOKV_CONCAT_(nokv_statusor_, __LINE__), lhs, expr)
#define NOKV_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()
