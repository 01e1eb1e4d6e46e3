/*
 * fileserver: a Spin HTTP component (fermyon:spin/inbound-http#handle-request, cabi_realloc)
 * that serves its `files` mount like spin-fileserver: GET <route>/<path> answers the file at
 * /<path> (from `spin-path-info`), with `x-file-size` taken from fstat. See serve_file.h.
 */
#include "serve_file.h"

static void handle(const spin_request_t *req, spin_response_t *res) {
    uint32_t len = 0;
    const char *path_info = spin_header(req, "spin-path-info", &len);
    serve_file(req, res, path_info, path_info ? len : 0);
}

SPIN_REALLOC_EXPORT("cabi_realloc")
SPIN_HTTP_EXPORT("fermyon:spin/inbound-http#handle-request", handle)
