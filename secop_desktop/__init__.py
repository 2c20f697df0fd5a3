"""secop-desktop: el registro de proveedores del SECOP II sin navegador."""

__version__ = "0.1.0"
APP_NAME = "secop-desktop"
