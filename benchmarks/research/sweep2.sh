#!/bin/bash
# Phase 2: combine the knobs that helped on VALIDATION in phase 1 (3 seeds each).
P=/tmp/venvtest/bin/python
R="$P ett_experiments.py run --seeds 0 1 2"
$R --name gru_win168 --cell gru --window 168
$R --name gru_seg24 --cell gru --segment 24
$R --name gru_win168_seg24 --cell gru --window 168 --segment 24
$R --name gru_l1 --cell gru --layers 1
$R --name gru_win168_seg24_l1 --cell gru --window 168 --segment 24 --layers 1
$R --name gru_lr5e-3 --cell gru --lr 5e-3
$R --name gru_win336_seg24 --cell gru --window 336 --segment 24
$R --name gru_win168_drop0.1 --cell gru --window 168 --dropout 0.1
