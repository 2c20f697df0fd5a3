"""Entidades: formulario, búsqueda, DIVIPOLA, áreas de interés y resumen del registro."""
