#!/bin/bash
# Phase 1: one knob at a time from the base config (3 seeds each). Run sequentially.
P=/tmp/venvtest/bin/python
R="$P ett_experiments.py run --seeds 0 1 2"
$R --name base
$R --name norm_revin --norm revin
$R --name seg6 --segment 6
$R --name seg24 --segment 24
$R --name gru --cell gru
$R --name h32 --hidden 32
$R --name h128 --hidden 128
$R --name layers1 --layers 1
$R --name win168 --window 168
$R --name win336 --window 336
$R --name b32_lr1e-3 --batch 32 --lr 1e-3
$R --name b256_lr3e-3 --batch 256 --lr 3e-3
$R --name lr1e-3 --lr 1e-3
$R --name lr5e-3 --lr 5e-3
$R --name pat8 --patience 8 --epochs 50
$R --name huber --loss huber --huber_delta 0.1
$R --name mae --loss mae
$R --name drop0.1 --dropout 0.1
$R --name seg1 --segment 1
