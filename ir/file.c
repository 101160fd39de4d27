/* file.c: reading input files whole, and writing outputs atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ir.h"

int qf_read_file(const char *path, size_t max, char **text, size_t *len, qf_diag *d)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		qf_diag_file_error(d, path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		qf_diag_file_error(d, path, 0, "%s", S_ISDIR(st.st_mode) ? "is a directory, not a file" : "not a regular file");
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		qf_diag_file_error(d, path, 0, "file is %lld bytes; the limit is %zu",
				   (long long)st.st_size, max);
		close(fd);
		return -1;
	}
	size_t n = (size_t)st.st_size, got = 0;
	char *buf = qf_xmalloc(n + 1);
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			qf_diag_file_error(d, path, 0, "read failed: %s", r < 0 ? strerror(errno) : "file shrank while reading");
			free(buf);
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	*text = buf;
	*len = n;
	return 0;
}

int qf_atomic_open(qf_atomic *a, const char *path, qf_diag *d)
{
	memset(a, 0, sizeof(*a));
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		qf_diag_file_error(d, path, 0, "is a directory; give a file name to write");
		return -1;
	}
	/* The final rename would replace a device or FIFO with a regular file. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		qf_diag_file_error(d, path, 0, "exists and is not a regular file; refusing to replace it");
		return -1;
	}
	size_t n = strlen(path);
	a->tmp = qf_xmalloc(n + 16);
	snprintf(a->tmp, n + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(a->tmp);
	if (fd < 0) {
		qf_diag_file_error(d, path, 0, "cannot create: %s", strerror(errno));
		free(a->tmp);
		a->tmp = NULL;
		return -1;
	}
	fchmod(fd, 0644);
	a->f = fdopen(fd, "wb");
	if (!a->f) {
		close(fd);
		unlink(a->tmp);
		free(a->tmp);
		a->tmp = NULL;
		qf_diag_file_error(d, path, 0, "cannot open for writing: %s", strerror(errno));
		return -1;
	}
	a->path = qf_xstrdup(path);
	return 0;
}

void qf_atomic_abort(qf_atomic *a)
{
	if (a->f)
		fclose(a->f);
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

int qf_atomic_commit(qf_atomic *a, qf_diag *d)
{
	int bad = ferror(a->f) || fflush(a->f) != 0 || fsync(fileno(a->f)) != 0;
	if (bad) {
		qf_diag_file_error(d, a->path, 0, "write failed: %s", strerror(errno));
		qf_atomic_abort(a);
		return -1;
	}
	if (fclose(a->f) != 0) {
		a->f = NULL;
		qf_diag_file_error(d, a->path, 0, "write failed: %s", strerror(errno));
		qf_atomic_abort(a);
		return -1;
	}
	a->f = NULL;
	if (rename(a->tmp, a->path) != 0) {
		qf_diag_file_error(d, a->path, 0, "cannot rename into place: %s", strerror(errno));
		qf_atomic_abort(a);
		return -1;
	}
	free(a->tmp);
	free(a->path);
	memset(a, 0, sizeof(*a));
	return 0;
}
