"""Reading, validating, windowing and splitting time series."""
