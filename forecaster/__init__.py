"""forecaster: forecast time series and detect anomalies in them with recurrent networks
(GRU, or stacked LSTMs)."""

__version__ = "0.1.0"
