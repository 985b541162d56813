#include "src/redis/glob.h"

#include <gtest/gtest.h>

namespace nokv::redis {
namespace {

TEST(GlobTest, MatchesLikeRedis) {
  struct Case {
    const char* pattern;
    const char* subject;
    bool match;
  };
  const Case cases[] = {
      {"*", "", true},
      {"*", "anything", true},
      {"h?llo", "hello", true},
      {"h?llo", "hllo", false},
      {"h*llo", "heeeello", true},
      {"h[ae]llo", "hallo", true},
      {"h[ae]llo", "hillo", false},
      {"h[^e]llo", "hallo", true},
      {"h[^e]llo", "hello", false},
      {"h[a-b]llo", "hbllo", true},
      {"h[b-a]llo", "hbllo", true},
      {"h[a-b]llo", "hcllo", false},
      {"h\\*llo", "h*llo", true},
      {"h\\*llo", "hello", false},
      {"user:*:name", "user:42:name", true},
      {"user:*:name", "user:42:age", false},
      {"a*b*c", "aXbYc", true},
      {"a*b*c", "aXbY", false},
      {"[abc", "b", true},
      {"*?", "", false},
      {"**a", "bba", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(GlobMatch(c.pattern, c.subject), c.match) << c.pattern << " ~ " << c.subject;
  }
}

TEST(GlobTest, PathologicalPatternIsFast) {
  std::string subject(5000, 'a');
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "a*";
  pattern += "b";
  EXPECT_FALSE(GlobMatch(pattern, subject));  // exponential matchers never return
}

}  // namespace
}  // namespace nokv::redis
