#!/bin/bash
# Phase 4 (issue 6, time to accuracy): the chosen config with larger batches and a
# linearly scaled learning rate. Chosen on validation z-MSE only, like every phase.
P=/tmp/venvtest/bin/python
R="$P ett_experiments.py run --seeds 0 1 2"
$R --name gru_win336_seg24_l1_ens3_b256 --cell gru --window 336 --segment 24 --layers 1 --ensemble 3 --batch 256 --lr 0.004
$R --name gru_win336_seg24_l1_ens3_b512 --cell gru --window 336 --segment 24 --layers 1 --ensemble 3 --batch 512 --lr 0.008
