// ThreadSanitizer's built-in suppressions for programs that serve HTTP with cpp-httplib.
//
// Debian's libcpp-httplib is a compiled library without TSan instrumentation: the inline
// atomic fast paths inside it (function-local statics such as its compiled regular
// expressions, shared_ptr counts) are invisible to TSan, which then reports the library's own
// well-synchronised reads as races: in its own code, and in the std::regex templates it runs
// (instantiated, instrumented, in our binary), plus libstdc++'s known benign race on the
// ctype narrow cache that std::regex compilation hits. Only those are suppressed; our own code
// stays fully checked (its one use of std::regex, inside valijson, keeps a validator and its
// compiled expressions per thread). Linked into the collector binary and every test program
// that serves HTTP with cpp-httplib; compiled to nothing without TSan.
#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libcpp-httplib.so.0.11\n"
         "race:std::__detail::_BracketMatcher\n"
         "race:std::__detail::_Scanner\n"
         "race:std::__detail::_Compiler\n"
         "race:std::__detail::_Executor\n"
         "race:std::ctype<char>::narrow\n";
}
#endif
