/*
 * idle.c — opens N connections to a port on 127.0.0.1 (spread over
 * source addresses 127.0.0.2..127.0.0.N/4000+2 so no address passes
 * the sensor's per-source bound), reads what the server greets with,
 * then holds them all idle for SECS seconds and reports how many the
 * server kept open.  usage: idle PORT N SECS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: idle PORT N SECS\n");
    return 2;
  }
  int port = (int)strtol(argv[1], NULL, 10);
  int n = (int)strtol(argv[2], NULL, 10);
  int secs = (int)strtol(argv[3], NULL, 10);
  int *fds = calloc((size_t)n, sizeof *fds);
  int opened = 0;
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      perror("socket");
      break;
    }
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(i / 4000));
    if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
      perror("bind");
      close(fd);
      break;
    }
    struct sockaddr_in dst = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port)};
    dst.sin_addr.s_addr = htonl(0x7f000001u);
    if (connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
      perror("connect");
      close(fd);
      break;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    fds[opened++] = fd;
  }
  sleep((unsigned)secs);
  int alive = 0;
  char buf[4096];
  for (int i = 0; i < opened; i++) {
    ssize_t r;
    int closed = 0;
    for (int k = 0; k < 16; k++) {
      r = read(fds[i], buf, sizeof buf);
      if (r == 0) {
        closed = 1;
        break;
      }
      if (r < 0)
        break;
    }
    alive += !closed;
  }
  printf("opened %d, open after %ds: %d\n", opened, secs, alive);
  for (int i = 0; i < opened; i++)
    close(fds[i]);
  free(fds);
  return 0;
}
