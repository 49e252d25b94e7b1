/*
 * probe.c — raw TCP behaviours curl cannot produce, for the TAXII limits
 * test (loopback only):
 *   probe hold HOST PORT SRC N SECONDS   open N idle connections from SRC,
 *                                        print how many the server kept,
 *                                        hold them for SECONDS
 *   probe idle HOST PORT MAX_S           connect, send nothing; print when
 *                                        the server closed (or exit 1)
 *   probe trickle HOST PORT MS MAX_S headers|body
 *                                        send a request one byte every MS
 *                                        milliseconds; print when the
 *                                        server closed (or exit 1)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long num(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*end || end == s) {
    fprintf(stderr, "probe: not a number: %s\n", s);
    exit(2);
  }
  return v;
}

static int dial(const char *host, const char *port, const char *src) {
  struct sockaddr_in sa = {.sin_family = AF_INET};
  sa.sin_port = htons((unsigned short)num(port));
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
      (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
    fprintf(stderr, "probe: %s is not a loopback IPv4 address\n", host);
    exit(2);
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  if (src) {
    struct sockaddr_in from = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, src, &from.sin_addr) != 1 ||
        bind(fd, (struct sockaddr *)&from, sizeof from) != 0) {
      close(fd);
      return -1;
    }
  }
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* 1 when the peer has closed (or reset) fd, waiting up to ms. */
static int closed_within(int fd, int ms) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  if (poll(&p, 1, ms) <= 0)
    return 0;
  char buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
    return 1;
  /* Data (an error response): the close follows. */
  return closed_within(fd, ms);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc >= 7 && strcmp(argv[1], "hold") == 0) {
    long n = num(argv[5]), secs = num(argv[6]);
    int fds[256], kept = 0;
    for (long i = 0; i < n && i < 256; i++)
      fds[i] = dial(argv[2], argv[3], argv[4]);
    usleep(200 * 1000);
    for (long i = 0; i < n && i < 256; i++)
      if (fds[i] >= 0 && !closed_within(fds[i], 0))
        kept++;
    printf("held %d\n", kept);
    fflush(stdout);
    sleep((unsigned)secs);
    return 0;
  }
  if (argc >= 5 && strcmp(argv[1], "idle") == 0) {
    double t0 = now_s();
    int fd = dial(argv[2], argv[3], NULL);
    if (fd < 0)
      return 2;
    if (closed_within(fd, (int)num(argv[4]) * 1000)) {
      printf("closed after %.1f s\n", now_s() - t0);
      return 0;
    }
    printf("still open after %ld s\n", num(argv[4]));
    return 1;
  }
  if (argc >= 7 && strcmp(argv[1], "trickle") == 0) {
    long ms = num(argv[4]), max_s = num(argv[5]);
    int body = strcmp(argv[6], "body") == 0;
    char req[8192];
    size_t head;
    if (body)
      head = (size_t)snprintf(
          req, sizeof req,
          "POST /api/collections/default/objects/ HTTP/1.1\r\nHost: p\r\n"
          "Accept: application/taxii+json;version=2.1\r\n"
          "Content-Type: application/taxii+json;version=2.1\r\n"
          "Authorization: Basic %s\r\nContent-Length: 4000\r\n\r\n",
          getenv("PROBE_BASIC") ? getenv("PROBE_BASIC") : "");
    else
      head = (size_t)snprintf(req, sizeof req,
                              "GET /taxii2/ HTTP/1.1\r\nHost: p\r\nX-Pad: ");
    size_t len = head;
    while (len < sizeof req - 1)
      req[len++] = body ? ' ' : 'a';
    double t0 = now_s();
    int fd = dial(argv[2], argv[3], NULL);
    if (fd < 0)
      return 2;
    size_t sent = 0;
    if (body) { /* the headers at once, then the body drop by drop */
      if (send(fd, req, head, MSG_NOSIGNAL) != (ssize_t)head)
        return 2;
      sent = head;
    }
    while (sent < len && now_s() - t0 < (double)max_s) {
      if (send(fd, req + sent, 1, MSG_NOSIGNAL) != 1 ||
          closed_within(fd, (int)ms)) {
        printf("closed after %.1f s, %zu bytes sent\n", now_s() - t0, sent);
        return 0;
      }
      sent++;
    }
    printf("still open after %.1f s, %zu bytes sent\n", now_s() - t0, sent);
    return 1;
  }
  fprintf(stderr, "usage: see the comment at the top of probe.c\n");
  return 2;
}
