/*
 * Serves the file named by the request's `spin-path-info` from the component's `files` mount,
 * the way spin-fileserver does: open, fstat (WASI fd_filestat_get) for the size, read it whole.
 * 200 with the bytes and `x-file-size` (the size fstat reported); 404 when the file cannot be
 * opened because it does not exist; 500 naming the failing call otherwise.
 */
#ifndef SERVE_FILE_H
#define SERVE_FILE_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spin_http.h"

static void serve_file(const spin_request_t *req, spin_response_t *res, const char *path_info, uint32_t path_len) {
    char path[512];
    if (path_len == 0 || path_len >= sizeof path) {
        spin_set_text(res, 404, "no such file\n");
        return;
    }
    memcpy(path, path_info, path_len);
    path[path_len] = 0;
    (void)req;

    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        char text[600];
        snprintf(text, sizeof text, "open %s: %s\n", path, strerror(errno));
        spin_set_text(res, errno == ENOENT || errno == ENOTDIR ? 404 : 500, text);
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        char text[600];
        snprintf(text, sizeof text, "fstat %s: %s\n", path, strerror(errno));
        spin_set_text(res, 500, text);
        close(fd);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        spin_set_text(res, 404, "not a regular file\n");
        close(fd);
        return;
    }
    uint8_t *data = malloc(st.st_size ? (size_t)st.st_size : 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    char size[32];
    snprintf(size, sizeof size, "%lld", (long long)st.st_size);
    res->status = 200;
    spin_add_header(res, "content-type", "application/octet-stream");
    spin_add_header(res, "x-file-size", size);
    res->body = data;
    res->body_len = (uint32_t)got;
}

#endif
