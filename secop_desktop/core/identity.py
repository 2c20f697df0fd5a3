"""Who is acting: a signed-in user, or the system itself for start-up and maintenance jobs.

Every service method that reads or changes somebody's data takes one of these and is
authorized in the service (see ``core/access/authorize.py``), so the GUI, the CLI and the
tests are held to the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignedIn:
    """A user who proved their password in this process (made by ``UserService.sign_in``)."""

    user_id: int
    usuario: str
    nombre: str = ""


@dataclass(frozen=True)
class System:
    """The application itself (start-up cleaning, training seed, mail delivery); never a person."""

    motivo: str


Actor = SignedIn | System

STARTUP = System("inicio")
