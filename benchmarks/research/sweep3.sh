#!/bin/bash
# Phase 3: refine the two validation leaders of phase 2, then 3-seed ensembles (3 seeds each,
# with the validation-residual 90% interval coverage on test).
P=/tmp/venvtest/bin/python
R="$P ett_experiments.py run --seeds 0 1 2 --coverage"
$R --name gru_win336_seg24_l1 --cell gru --window 336 --segment 24 --layers 1
$R --name gru_win336_seg24_h32 --cell gru --window 336 --segment 24 --hidden 32
$R --name gru_win336_seg24_ens3 --cell gru --window 336 --segment 24 --ensemble 3
$R --name gru_win168_seg24_l1_ens3 --cell gru --window 168 --segment 24 --layers 1 --ensemble 3
$R --name gru_win336_seg24_l1_ens3 --cell gru --window 336 --segment 24 --layers 1 --ensemble 3
