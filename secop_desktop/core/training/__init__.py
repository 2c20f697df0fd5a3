"""Modo de capacitación: base de práctica, datos generados y ejercicios.

`store` (where the practice database lives, open, template, reset files), `generator` (fictitious
Colombian data), `seed` (fills the store through the real services), `exercises` (the guided
exercises) and `service` (`services.training`). The names below are what views, the CLI and tests use.
"""

from secop_desktop.core.training.exercises import EXERCISES, ExerciseState, StepState
from secop_desktop.core.training.generator import APELLIDOS, NOMBRES, PASSWORD, sample_pdf
from secop_desktop.core.training.seed import SeedInfo
from secop_desktop.core.training.service import TrainingService
from secop_desktop.core.training.store import (
    BANNER,
    DB_FILE,
    SEED_VERSION,
    TEMPLATE_DIR,
    TRAINING_DIR,
    documents_fingerprint,
    ensure_ready,
    open_training,
)
from secop_desktop.store.queries.training import fingerprint

__all__ = [
    "APELLIDOS", "BANNER", "DB_FILE", "EXERCISES", "NOMBRES", "PASSWORD", "SEED_VERSION", "TEMPLATE_DIR",
    "TRAINING_DIR", "ExerciseState", "SeedInfo", "StepState", "TrainingService", "documents_fingerprint",
    "ensure_ready", "fingerprint", "open_training", "sample_pdf",
]
