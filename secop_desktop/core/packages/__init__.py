"""Paquetes de registro .secop: formato, seguridad del zip, exportar e importar."""
