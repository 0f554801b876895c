// cxxprog.cc: a C++ program for the native tests: namespaces, a class template, a lambda, an anonymous namespace, std::function.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace fleet {
namespace geo {
template <typename T> class Grid {
  public:
    explicit Grid(T n) : n_(n) {}
    __attribute__((noinline)) T nearest(T x) const
    {
        T best = 0;
        for (T i = 0; i < n_; i++)
            best += (x * 2654435761u + static_cast<T>(i)) % 1021;
        return best;
    }

  private:
    T n_;
};
} // namespace geo
} // namespace fleet

namespace {
__attribute__((noinline)) long anon_work(const std::vector<long> &v)
{
    long s = 0;
    for (long x : v)
        s += x % 7;
    return s;
}
} // namespace

int main(int argc, char **argv)
{
    long n = argc > 1 ? std::atol(argv[1]) : 3000;
    fleet::geo::Grid<long> g(2000);
    std::vector<long> v(5000, 3);
    std::function<long(long)> f = [&](long i) __attribute__((noinline)) { return g.nearest(i) + anon_work(v); };
    long s = 0;
    for (long i = 0; i < n; i++)
        s += f(i);
    std::printf("%ld\n", s);
    return 0;
}
