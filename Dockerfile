FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY countries ./countries
COPY senderids ./senderids
COPY registrations ./registrations
COPY smsvoice ./smsvoice
RUN pip install --no-cache-dir .
COPY . .
# A throwaway key just for collectstatic: the portal refuses weak keys, and none is baked into the image.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
