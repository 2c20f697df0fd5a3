"""Registration packages (.secop): format and zip safety apart from the export and the import into the store."""
