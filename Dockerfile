# Boundary Consult: a small image that runs `python -m bot` as a non-root user.
# Build: docker build -t boundary-consult .
# Run:   docker run -p 3000:3000 -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… \
#          -e BOUNDARY_SECRET_KEY=… -e DATABASE_URL=postgres://… boundary-consult
# PYTHON_IMAGE: any Debian-based image with python and pip on PATH, for a registry mirror or a
# locally built base (docker build --build-arg PYTHON_IMAGE=… .).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

# Only what the app reads at run time (code, configuration, texts).
COPY bot ./bot
COPY config ./config
COPY prompts ./prompts
COPY manifest.yml Procfile ./
# Bytecode compiled once here: with PYTHONDONTWRITEBYTECODE (above; and /app is not the
# user's to write) every start would otherwise compile each module of bot/ from source.
RUN python -m compileall -q bot

# data/ holds the SQLite file when DATABASE_URL is not set (mount a volume there).
# A numeric user (hosts that check "not root" can tell without /etc/passwd).
RUN groupadd --system --gid 10001 boundary \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /app boundary \
    && mkdir -p /app/data && chown 10001:10001 /app/data
USER 10001:10001

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "-m", "bot", "healthcheck"]
CMD ["python", "-m", "bot"]
