# CPU-only image for the `forecast` CLI.
#   docker build -t forecaster .
#   docker run --rm -v "$PWD/data:/data" -v "$PWD/models:/models" forecaster --help
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib

# CPU torch wheel first, so that `pip install .` finds torch satisfied and never pulls CUDA.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

WORKDIR /opt/forecaster
COPY . .
RUN pip install --no-cache-dir .

RUN useradd --create-home --uid 1000 --shell /usr/sbin/nologin forecaster \
    && mkdir -p /data /models /work \
    && chown forecaster:forecaster /data /models /work

USER forecaster
WORKDIR /work
VOLUME ["/data", "/models"]
ENV FORECAST_MODEL_DIR=/models/forecast-model

ENTRYPOINT ["forecast"]
CMD ["--help"]
