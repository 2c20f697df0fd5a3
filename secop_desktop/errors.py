"""The project's own errors, shared by core and store: each carries a Spanish message ready to show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    label: str
    message: str


class ServiceError(Exception):
    """A refused action, with the Spanish message to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError):
    """One or more fields are wrong; each error names its field and the guide's label."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.label}: {e.message}" for e in errors))
        self.errors = errors

    def by_field(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}


class PermissionDenied(ServiceError):
    pass


class ConflictError(ServiceError):
    """Somebody else changed the row first; the caller should reload and retry."""

    def __init__(self, message: str = "Otro usuario modificó estos datos mientras usted los editaba. "
                 "Se cargaron los datos actuales; revise y vuelva a intentarlo.") -> None:
        super().__init__(message)


class AlreadyExists(ServiceError):
    """A row with the same unique key is already stored."""

    def __init__(self, message: str = "Ya existe un registro con esos datos.") -> None:
        super().__init__(message)


class InvalidValue(ServiceError):
    """The database refused a value (too long, out of range); validators should have caught it."""

    def __init__(self, message: str = "Uno de los valores no se puede guardar: revise los datos.") -> None:
        super().__init__(message)


class StoreUnavailable(ServiceError):
    """The database cannot be reached or is not usable right now."""

    def __init__(self, message: str = "No se pudo conectar con la base de datos. Revise la conexión "
                 "y vuelva a intentarlo.") -> None:
        super().__init__(message)


# NUL, lone surrogates and control characters: refused wherever text comes in (forms, searches, imports).
NOT_ALLOWED = "El texto contiene caracteres no permitidos."
