"""Correo: configuración SMTP y entrega de los mensajes del Buzón."""
