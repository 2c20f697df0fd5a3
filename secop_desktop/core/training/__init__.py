"""Modo de capacitación: base de práctica, datos generados y ejercicios."""
