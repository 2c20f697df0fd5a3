"""Usuarios: registro, confirmación, ingreso, contraseñas y el Buzón."""
