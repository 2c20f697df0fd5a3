"""E-mail for Buzón messages: settings (settings.py), one SMTP session (smtp.py), the delivery service (delivery.py)."""
