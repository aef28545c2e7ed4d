/* sanitize_defaults.c: linked into every program of make check-asan, so
 * that the sanitizers' reports of any process land in one folder
 * (SANITIZE_LOG_DIR), whatever environment a test gives the program, and
 * the run can end with "no report" as its verdict. */
#ifndef SANITIZE_LOG_DIR
#define SANITIZE_LOG_DIR "/tmp"
#endif

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

/* Errors and undefined behaviour abort (the test that ran the program
 * sees it crash); a leak does not change the exit code, as Criterion's
 * runner itself keeps a block to its end: tests/sanitize.mk judges the
 * reports instead, counting a leak when a frame of it is our code. The
 * fast unwinder stops at libc's frames, so a block asprintf allocated
 * shows no frame of ours; the slow one made mailctl's TLS start 30 times
 * slower (6 s), past the tests' bounds. make check-valgrind, with whole
 * stacks, covers those. */
const char *
__asan_default_options(void)
{
	return "log_path=" SANITIZE_LOG_DIR "/asan:detect_leaks=1:exitcode=0:"
	    "abort_on_error=1:detect_stack_use_after_return=0";
}

const char *
__ubsan_default_options(void)
{
	return "log_path=" SANITIZE_LOG_DIR "/ubsan:print_stacktrace=1:"
	    "abort_on_error=1";
}
