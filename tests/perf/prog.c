/* prog.c: the program tests/perf/run.sh records: two named threads in different functions,
 * a forked child, and the main thread, each busy for a while, frame pointers kept. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile unsigned long sink;

__attribute__((noinline)) static unsigned long spin(unsigned long x, long n)
{
    for (long i = 0; i < n; i++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x;
}

__attribute__((noinline)) static unsigned long hot_alpha(unsigned long x) { return spin(x, 3000) ^ 1; }
__attribute__((noinline)) static unsigned long hot_beta(unsigned long x) { return spin(x, 1000) ^ 2; }
__attribute__((noinline)) static unsigned long child_work(unsigned long x) { return spin(x, 2000) ^ 3; }

static long rounds;

static void *worker(void *arg)
{
    const char *name = arg;
    pthread_setname_np(pthread_self(), name);
    unsigned long s = 0;
    for (long i = 0; i < rounds; i++)
        s += name[7] == 'a' ? hot_alpha(i) : hot_beta(i);
    sink = s;
    return NULL;
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atol(argv[1]) : 20000;
    pid_t child = fork();
    if (child == 0) {
        unsigned long s = 0;
        for (long i = 0; i < rounds; i++)
            s += child_work(i);
        sink = s;
        _exit(0);
    }
    pthread_t a, b;
    pthread_create(&a, NULL, worker, "worker_a");
    pthread_create(&b, NULL, worker, "worker_b");
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    waitpid(child, NULL, 0);
    printf("%lu\n", sink);
    return 0;
}
