"""El flujo del registro (los tres pasos de la guía) y sus borradores."""
