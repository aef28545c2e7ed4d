/* sanitize_defaults.c: linked into every program of make check-asan, so
 * that the sanitizers' reports of any process land in one folder
 * (SANITIZE_LOG_DIR), whatever environment a test gives the program, and
 * the run can end with "no report" as its verdict. */
#ifndef SANITIZE_LOG_DIR
#define SANITIZE_LOG_DIR "/tmp"
#endif

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *
__asan_default_options(void)
{
	return "log_path=" SANITIZE_LOG_DIR "/asan:detect_leaks=1:"
	    "detect_stack_use_after_return=0";
}

const char *
__ubsan_default_options(void)
{
	return "log_path=" SANITIZE_LOG_DIR "/ubsan:print_stacktrace=1";
}

/* Criterion's runner keeps a block to its end; not ours to fix. */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libcriterion.so\n";
}
