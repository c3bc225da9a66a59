"""The library calls behind each command: train, predict, detect, backtest."""
