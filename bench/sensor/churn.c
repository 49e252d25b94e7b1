/*
 * churn.c — new sessions per second: C connections in parallel (epoll),
 * each connecting, sending one request, reading until the server closes,
 * and starting over, for SECS seconds; source addresses rotate over
 * 127.0.0.2..127.0.0.201 so no address passes the per-source bounds.
 * usage: churn PORT C SECS http|telnet   (prints completed sessions)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static const char *req;
static unsigned next_src;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int start(int ep) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_in src = {.sin_family = AF_INET};
  src.sin_addr.s_addr = htonl(0x7f000002u + next_src++ % 200);
  bind(fd, (struct sockaddr *)&src, sizeof src);
  struct sockaddr_in dst = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
  dst.sin_addr.s_addr = htonl(0x7f000001u);
  if (connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: churn PORT C SECS http|telnet\n");
    return 2;
  }
  port = (int)strtol(argv[1], NULL, 10);
  int conc = (int)strtol(argv[2], NULL, 10);
  double secs = strtod(argv[3], NULL);
  int http = strcmp(argv[4], "http") == 0;
  req = http ? "GET /bench HTTP/1.0\r\nUser-Agent: churn\r\n\r\n"
             : "root\r\nroot\r\n";
  int ep = epoll_create1(0);
  char *sent = calloc(65536, 1);
  for (int i = 0; i < conc; i++)
    start(ep);
  long done = 0, failed = 0;
  double t0 = now(), end = t0 + secs;
  struct epoll_event evs[256];
  char buf[4096];
  int active = conc;
  while (active > 0) {
    int k = epoll_wait(ep, evs, 256, 100);
    double t = now();
    for (int i = 0; i < k; i++) {
      int fd = evs[i].data.fd;
      if ((evs[i].events & EPOLLOUT) && !sent[fd]) {
        sent[fd] = 1;
        if (write(fd, req, strlen(req)) < 0) {
          failed++;
          goto restart;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
        continue;
      }
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r > 0) {
          if (!http && memmem(buf, (size_t)r, "incorrect", 9)) {
            done++; /* a telnet session: the login was answered */
            goto restart;
          }
          continue;
        }
        if (r < 0 && errno == EAGAIN)
          continue;
        if (r == 0)
          done++;
        else
          failed++;
      restart:
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
        sent[fd] = 0;
        close(fd);
        if (t < end)
          start(ep);
        else
          active--;
      }
    }
    if (t > end + 10)
      break;
  }
  double el = now() - t0;
  printf("%ld sessions in %.2fs: %.0f/s (%ld failed)\n", done, el, done / el,
         failed);
  free(sent);
  return 0;
}
