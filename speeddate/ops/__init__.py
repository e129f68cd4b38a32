"""Operations: health check, request ids and structured logs, backups."""
