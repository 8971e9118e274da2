// qbench: per-type ggml CPU vec_dot cost, one thread, L1-resident rows (tools/qbench/README.md)
#include "ggml.h"
#include "ggml-cpu.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <cmath>
#include <x86intrin.h>
int main(int argc, char**argv){
  const int n = argc>1? atoi(argv[1]) : 4096;   // values per dot
  const int reps = argc>2? atoi(argv[2]) : 20000;
  ggml_cpu_init();
  ggml_type types[] = {GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q8_0, GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q5_0, GGML_TYPE_Q5_1,
    GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K,
    GGML_TYPE_IQ1_S, GGML_TYPE_IQ1_M, GGML_TYPE_IQ2_XXS, GGML_TYPE_IQ2_XS, GGML_TYPE_IQ2_S, GGML_TYPE_IQ3_XXS, GGML_TYPE_IQ3_S,
    GGML_TYPE_IQ4_NL, GGML_TYPE_IQ4_XS, GGML_TYPE_MXFP4, GGML_TYPE_TQ1_0, GGML_TYPE_TQ2_0};
  std::vector<float> x(n), y(n), imat(n, 1.0f);
  srand(1);
  for (int i=0;i<n;i++){ x[i]= (rand()/(float)RAND_MAX-0.5f); y[i]=(rand()/(float)RAND_MAX-0.5f);} 
  printf("%-8s %8s %10s %10s %12s\n","type","bpw","ns/32w","cyc/32w","GB/s(wts)");
  for (ggml_type t: types){
    const auto * tr = ggml_get_type_traits(t);
    const auto * trc = ggml_get_type_traits_cpu(t);
    if (!trc->vec_dot) continue;
    ggml_quantize_init(t);
    size_t rs = ggml_row_size(t, n);
    std::vector<uint8_t> qx(rs + 64);
    ggml_quantize_chunk(t, x.data(), qx.data(), 0, 1, n, imat.data());
    ggml_type vt = trc->vec_dot_type;
    size_t rsy = ggml_row_size(vt, n);
    std::vector<uint8_t> qy(rsy + 64);
    const auto * trv = ggml_get_type_traits_cpu(vt);
    if (vt == GGML_TYPE_F32) memcpy(qy.data(), y.data(), n*4); else trv->from_float(y.data(), qy.data(), n);
    float s=0, acc=0;
    for (int r=0;r<200;r++){ trc->vec_dot(n,&s,0,qx.data(),0,qy.data(),0,1); acc+=s; }
    double best=1e30; unsigned long long bestc=~0ull;
    for (int rep=0; rep<5; rep++){
      auto t0=std::chrono::steady_clock::now(); unsigned long long c0=__rdtsc();
      for (int r=0;r<reps;r++){ trc->vec_dot(n,&s,0,qx.data(),0,qy.data(),0,1); acc+=s; }
      unsigned long long c1=__rdtsc(); auto t1=std::chrono::steady_clock::now();
      double ns = std::chrono::duration<double,std::nano>(t1-t0).count();
      if (ns<best) best=ns; if (c1-c0<bestc) bestc=c1-c0;
    }
    double per32 = best/reps/(n/32.0);
    double cyc32 = (double)bestc/reps/(n/32.0);
    double bpw = 8.0*rs/n;
    printf("%-8s %8.4f %10.3f %10.2f %12.2f   (chk %g)\n", tr->type_name, bpw, per32, cyc32, rs/(best/reps), acc*0);
  }
}
