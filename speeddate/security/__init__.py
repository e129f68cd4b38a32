"""Security: response headers, rate limits on public posts and logins."""
