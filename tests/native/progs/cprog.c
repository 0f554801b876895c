/* cprog.c: a small C program for the native tests: main -> busy_a -> middle (inlined_mix inlined) -> leaf_hash, and work_lib in a shared library. */
#include <stdio.h>
#include <stdlib.h>

unsigned long work_lib(unsigned long n); /* libwork.c */
static inline unsigned long inlined_mix(unsigned long x) { return x * 2654435761u ^ (x >> 7); }
__attribute__((noinline)) unsigned long leaf_hash(unsigned long x) {
    for (int i = 0; i < 50; i++) x = (x << 5) ^ (x >> 3) ^ i;
    return x;
}
__attribute__((noinline)) unsigned long middle(unsigned long x) {
    unsigned long s = 0;
    for (int i = 0; i < 1000; i++) s += inlined_mix(leaf_hash(x + i));
    return s;
}
__attribute__((noinline)) unsigned long busy_a(long n) {
    unsigned long s = 0;
    for (long i = 0; i < n; i++) s += middle(i);
    return s;
}
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000;
    void *p[100];
    for (int i = 0; i < 100; i++) p[i] = malloc(1000 + i);
    printf("%lu %lu\n", busy_a(n), work_lib((unsigned long)n * 40));
    for (int i = 0; i < 100; i++) free(p[i]);
    return 0;
}
