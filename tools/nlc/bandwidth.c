/* Read bandwidth of this machine: sums a 1.7 GB array (the size of the F16
 * model cpu_decode.sh times) with N OpenMP threads, best of 5 passes.  The
 * figure the CPU tier's "bandwidth" is set to in compare_cpu.py: this VM's
 * nominal DRAM peak is not known (a 2-vCPU slice of a shared host).
 *   gcc -O3 -march=native -fopenmp bandwidth.c -o bandwidth && ./bandwidth 2 */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    size_t n = (size_t)1705254912 / sizeof(uint64_t);
    uint64_t *a = malloc(n * sizeof *a);
    if (!a || threads < 1)
        return 1;
    omp_set_num_threads(threads);
#pragma omp parallel for
    for (size_t i = 0; i < n; i++)
        a[i] = i;
    double best = 0;
    uint64_t sum = 0;
    for (int pass = 0; pass < 5; pass++) {
        double t0 = omp_get_wtime();
        uint64_t s = 0;
#pragma omp parallel for reduction(+ : s)
        for (size_t i = 0; i < n; i++)
            s += a[i];
        double gbs = (double)(n * sizeof *a) / (omp_get_wtime() - t0) / 1e9;
        sum += s;
        if (gbs > best)
            best = gbs;
    }
    printf("read bandwidth, %d thread(s): %.1f GB/s (best of 5 passes over %.2f GB; checksum %llu)\n",
           threads, best, (double)(n * sizeof *a) / 1e9, (unsigned long long)(sum & 0xffff));
    free(a);
    return 0;
}
