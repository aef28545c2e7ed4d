/* pathexec.h: tcpserver's PATH search for the program, safe to run in a
 * vfork()ed child: no allocation, no global state, only the stack. */
#ifndef MAILSTACK_TCPSERVER_PATHEXEC_H
#define MAILSTACK_TCPSERVER_PATHEXEC_H

/* execve(file) as djb's pathexec_run: a file with a '/' is run as is,
 * otherwise each element of path is tried (NULL = "/bin:/usr/bin", an
 * empty element = "."), no shell fallback. Returns only on failure: -1
 * with errno (EACCES/EPERM/EISDIR found on the way win over ENOENT;
 * ENAMETOOLONG for an element + file longer than PATH_MAX). Both ways of
 * starting a child (fork + child_run, and vfork) exec through it. */
int pathexec_run(const char *file, char *const argv[], char *const envp[],
    const char *path);

#endif
