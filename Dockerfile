# The assistant's image for docker-compose.yml (docs/scaling.md): every process of the scale-out
# deployment runs from it (`python -m bot serve rasa`, `serve actions`, `worker`, `console`,
# `migrate`), with the model trained at build time so that every replica serves the same one.
#   docker compose build        (the training takes 5 to 8 minutes on 2 cores)
FROM python:3.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2

WORKDIR /app
# The pinned packages first: a change to the code alone does not reinstall them.
COPY requirements.lock ./
RUN pip install "pip==24.2" && pip install --requirement requirements.lock

COPY . .
# Rasa's cache and the training log stay out of the image.
RUN python -m bot train && rm -rf .rasa var

RUN useradd --system --create-home --uid 10001 atencion && mkdir var && chown atencion var
USER atencion
EXPOSE 5005 5055 8000
CMD ["python", "-m", "bot", "serve", "rasa"]
