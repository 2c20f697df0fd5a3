"""Administración de usuarios: quién entra a la cuenta de una Entidad, y el registro de auditoría."""
