"""Documentos anexos: política de archivos, almacén por contenido y el servicio."""
