/* A small HTTP/1.1 load generator for `make bench`, compiled at run time with the machine's cc.
 *
 * It replays a file of complete, pre-built requests (each with its own body, delivery id and
 * signature) over C keep-alive connections, one thread per connection, so the load costs
 * almost no CPU next to the server it measures and never shares its interpreter.
 *
 *   loadgen HOST PORT REQUEST_FILE CLIENTS [MARK_INDEX]
 *
 * REQUEST_FILE: "<count>\n" then, per request, "<length>\n" followed by exactly <length> bytes.
 * Requests are taken in file order by whichever connection is free. MARK_INDEX (optional) names
 * one request whose send time (Unix seconds) is reported, to follow it downstream.
 * Prints one JSON object: requests, elapsed_s, rps, p50_ms, p90_ms, p99_ms, max_ms, statuses,
 * errors, mark_sent_unix.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *data;
    size_t len;
} request_t;

static request_t *requests;
static long n_requests;
static long next_index;
static double *latencies;
static int *statuses;
static long mark_index = -1;
static double mark_sent;
static struct sockaddr_in addr;
static long errors;
static pthread_mutex_t error_lock = PTHREAD_MUTEX_INITIALIZER;

static double now_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_unix(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_server(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read one response; returns its status (0 on error) and sets *keep to 0 when the server closes. */
static int read_response(int fd, char *buf, size_t cap, int *keep) {
    size_t have = 0;
    char *head_end = NULL;
    while (!head_end) {
        if (have == cap) return 0;
        ssize_t n = recv(fd, buf + have, cap - have, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return 0;
        }
        have += (size_t)n;
        head_end = memmem(buf, have, "\r\n\r\n", 4);
    }
    size_t head_len = (size_t)(head_end - buf) + 4;
    head_end[2] = 0; /* the header block as a C string, ending after its last CRLF */
    int status = 0;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) return 0;
    long content_length = 0;
    *keep = 1;
    for (char *line = strstr(buf, "\r\n") + 2; line < head_end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "Content-Length:", 15) == 0) content_length = strtol(line + 15, NULL, 10);
        else if (strncasecmp(line, "Connection:", 11) == 0) {
            const char *v = line + 11;
            while (*v == ' ') v++;
            if (strncasecmp(v, "close", 5) == 0) *keep = 0;
        }
    }
    size_t body_have = have - head_len;
    while ((long)body_have < content_length) {
        ssize_t n = recv(fd, buf, cap, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return 0;
        }
        body_have += (size_t)n;
    }
    return status;
}

static void count_error(void) {
    pthread_mutex_lock(&error_lock);
    errors++;
    pthread_mutex_unlock(&error_lock);
}

static void *client(void *arg) {
    (void)arg;
    char *buf = malloc(1 << 16);
    int fd = -1;
    for (;;) {
        long i = __sync_fetch_and_add(&next_index, 1);
        if (i >= n_requests) break;
        if (fd < 0 && (fd = connect_server()) < 0) {
            count_error();
            statuses[i] = 0;
            latencies[i] = -1;
            continue;
        }
        int keep = 1;
        double t0 = now_mono();
        if (i == mark_index) mark_sent = now_unix();
        int status = 0;
        if (send_all(fd, requests[i].data, requests[i].len) == 0) status = read_response(fd, buf, 1 << 16, &keep);
        latencies[i] = now_mono() - t0;
        statuses[i] = status;
        if (status == 0) {
            count_error();
            keep = 0;
        }
        if (!keep) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) close(fd);
    free(buf);
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *sorted, long n, double p) {
    if (n == 0) return 0;
    long k = (long)(p * (n - 1) + 0.5);
    return sorted[k];
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s HOST PORT REQUEST_FILE CLIENTS [MARK_INDEX]\n", argv[0]);
        return 2;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "loadgen: bad IPv4 address %s\n", argv[1]);
        return 2;
    }
    int clients = atoi(argv[4]);
    if (argc > 5) mark_index = atol(argv[5]);

    FILE *f = fopen(argv[3], "rb");
    if (!f) {
        perror("loadgen: request file");
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    if (fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "loadgen: short read\n");
        return 2;
    }
    fclose(f);
    data[size] = 0;
    char *p = data;
    n_requests = strtol(p, &p, 10);
    requests = calloc((size_t)n_requests, sizeof *requests);
    for (long i = 0; i < n_requests; i++) {
        long len = strtol(p, &p, 10);
        if (*p != '\n' || p + 1 + len > data + size) {
            fprintf(stderr, "loadgen: request file is malformed at request %ld\n", i);
            return 2;
        }
        requests[i].data = p + 1;
        requests[i].len = (size_t)len;
        p += 1 + len;
    }
    latencies = calloc((size_t)n_requests, sizeof *latencies);
    statuses = calloc((size_t)n_requests, sizeof *statuses);

    pthread_t *threads = calloc((size_t)clients, sizeof *threads);
    double start = now_mono();
    for (int c = 0; c < clients; c++) pthread_create(&threads[c], NULL, client, NULL);
    for (int c = 0; c < clients; c++) pthread_join(threads[c], NULL);
    double elapsed = now_mono() - start;

    double *sorted = malloc((size_t)n_requests * sizeof *sorted);
    long ok = 0;
    for (long i = 0; i < n_requests; i++)
        if (latencies[i] >= 0) sorted[ok++] = latencies[i];
    qsort(sorted, (size_t)ok, sizeof *sorted, cmp_double);

    int seen[1000] = {0};
    for (long i = 0; i < n_requests; i++)
        if (statuses[i] > 0 && statuses[i] < 1000) seen[statuses[i]]++;
    printf("{\"requests\": %ld, \"elapsed_s\": %.6f, \"rps\": %.1f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, "
           "\"p99_ms\": %.3f, \"max_ms\": %.3f, \"errors\": %ld, \"mark_sent_unix\": %.6f, \"statuses\": {",
           n_requests, elapsed, n_requests / elapsed, percentile(sorted, ok, 0.50) * 1e3,
           percentile(sorted, ok, 0.90) * 1e3, percentile(sorted, ok, 0.99) * 1e3,
           ok ? sorted[ok - 1] * 1e3 : 0.0, errors, mark_sent);
    int first = 1;
    for (int s = 100; s < 1000; s++)
        if (seen[s]) {
            printf("%s\"%d\": %d", first ? "" : ", ", s, seen[s]);
            first = 0;
        }
    printf("}}\n");
    return 0;
}
