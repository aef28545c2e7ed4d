/* selfpipe.c: the self-pipe trick; handlers write one byte, the loop reads. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "selfpipe.h"

static int pipefd[2] = { -1, -1 };
static sigset_t trapped;

static void
selfpipe_handler(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	/* A full pipe drops the byte: the loop already has a wake-up pending,
	 * and SIGCHLD handling reaps everything anyway. */
	(void)!write(pipefd[1], &c, 1);
	errno = saved;
}

int
selfpipe_init(void)
{
	if (pipefd[0] >= 0)
		return pipefd[0];
	if (pipe2(pipefd, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	sigemptyset(&trapped);
	return pipefd[0];
}

int
selfpipe_trap(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = selfpipe_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = sig == SIGCHLD ? SA_NOCLDSTOP : 0;
	if (sigaction(sig, &sa, NULL) < 0)
		return -1;
	sigaddset(&trapped, sig);
	return 0;
}

/* Bytes read but not yet handed out: a burst of signals costs one read(2),
 * not one per signal. */
static unsigned char pending[64];
static size_t pending_pos, pending_len;

int
selfpipe_read(void)
{
	ssize_t r;

	if (pending_pos < pending_len)
		return pending[pending_pos++];
	do
		r = read(pipefd[0], pending, sizeof pending);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		pending_len = (size_t)r;
		pending_pos = 1;
		return pending[0];
	}
	pending_pos = pending_len = 0;
	if (r < 0 && errno == EAGAIN)
		return 0;
	if (r == 0)
		errno = EPIPE;
	return -1;
}

void
selfpipe_child_reset(void)
{
	sigset_t empty;
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&trapped, sig) == 1)
			signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		pipefd[0] = pipefd[1] = -1;
	}
	pending_pos = pending_len = 0;
}
