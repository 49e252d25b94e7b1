/*
 * sshrate.c — SSH handshakes per second: T threads, each connecting with
 * libssh's client, completing the key exchange and one password attempt,
 * then disconnecting, for SECS seconds.
 * usage: sshrate PORT THREADS SECS
 */
#include <libssh/libssh.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int port;
static double secs;
static long total, failed;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg) {
  (void)arg;
  long ok = 0, bad = 0;
  double end = now() + secs;
  while (now() < end) {
    ssh_session s = ssh_new();
    int verb = SSH_LOG_NOLOG;
    ssh_options_set(s, SSH_OPTIONS_HOST, "127.0.0.1");
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    ssh_options_set(s, SSH_OPTIONS_USER, "root");
    ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verb);
    ssh_options_set(s, SSH_OPTIONS_KEY_EXCHANGE, "curve25519-sha256");
    ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, "ssh-ed25519");
    if (ssh_connect(s) == SSH_OK) {
      ssh_userauth_password(s, NULL, "123456");
      ok++;
      ssh_disconnect(s);
    } else {
      bad++;
    }
    ssh_free(s);
  }
  pthread_mutex_lock(&mu);
  total += ok;
  failed += bad;
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: sshrate PORT THREADS SECS\n");
    return 2;
  }
  port = (int)strtol(argv[1], NULL, 10);
  int n = (int)strtol(argv[2], NULL, 10);
  secs = strtod(argv[3], NULL);
  ssh_init();
  pthread_t th[64];
  double t0 = now();
  for (int i = 0; i < n && i < 64; i++)
    pthread_create(&th[i], NULL, worker, NULL);
  for (int i = 0; i < n && i < 64; i++)
    pthread_join(th[i], NULL);
  double el = now() - t0;
  printf("%ld handshakes+auth in %.2fs: %.0f/s (%ld failed)\n", total, el,
         total / el, failed);
  ssh_finalize();
  return 0;
}
