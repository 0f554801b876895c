/* libwork.c: the native tests' own shared library (its names must come from the .so, at whatever address it was loaded). */
__attribute__((noinline)) static unsigned long lib_inner(unsigned long x)
{
    for (int i = 0; i < 40; i++)
        x = x * 6364136223846793005UL + 1442695040888963407UL;
    return x;
}

unsigned long work_lib(unsigned long n)
{
    unsigned long s = 0;
    for (unsigned long i = 0; i < n; i++)
        s ^= lib_inner(i);
    return s;
}
