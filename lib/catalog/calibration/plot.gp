# Predicted against measured tokens/s, leave-one-source-out, decode and
# prefill side by side, log-log, one colour per category.  fit.py writes
# the data files and calls
#   gnuplot -e "data='DIR'; out='FILE'; term='...'; dlo=..; dhi=..; plo=..; phi=.." plot.gp
# (the axis ranges, whole decades around the data, are the same on x and y).
set terminal @term
set output out
set multiplot layout 1,2 title "llmroof: predicted vs measured, each source predicted by a fit without it (docs/accuracy.md)"
set logscale xy
set grid
set key top left font ",10"
set size ratio -1
cats = "single_gpu multi_gpu multi_gpu_row unified partial_offload cpu_only"
names = "'single GPU' 'multi-GPU, layer or tensor split' 'multi-GPU, legacy row split' 'unified memory (Apple, Strix Halo, GB10)' 'partial offload' 'CPU only'"
do for [m in "decode prefill"] {
    set title m." tokens/s"
    set xlabel "measured"
    set ylabel "predicted"
    lo = (m eq "decode") ? dlo : plo
    hi = (m eq "decode") ? dhi : phi
    set xrange [lo:hi]
    set yrange [lo:hi]
    plot for [i=1:words(cats)] sprintf("%s/%s-%s.dat", data, m, word(cats, i)) \
             using 1:2 with points pt 7 ps 0.6 title word(names, i), \
         x with lines lc rgb "black" dt 2 title "exact", \
         1.25*x with lines lc rgb "gray" dt 3 title "±25%", \
         0.75*x with lines lc rgb "gray" dt 3 notitle
}
unset multiplot
