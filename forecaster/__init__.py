"""forecaster: forecast time series and detect anomalies in them with stacked LSTMs."""

__version__ = "0.1.0"
