"""services.training: whether this is the practice store, its exercises, and Reiniciar capacitación."""

from __future__ import annotations

from pathlib import Path

from secop_desktop.core.training import exercises
from secop_desktop.core.training import store as practice
from secop_desktop.core.training.exercises import ExerciseState
from secop_desktop.core.training.seed import SeedInfo, read_seed_info
from secop_desktop.errors import ServiceError
from secop_desktop.store.database import Database

NOT_TRAINING = "Solo se puede reiniciar la base de datos de capacitación."


class TrainingService:
    """Practice data only: no actor is needed, and nothing here touches a real database."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.data_dir = data_dir

    def is_training(self) -> bool:
        return self.seed_info() is not None

    def seed_info(self) -> SeedInfo | None:
        with self.db.session() as s:
            return read_seed_info(s)

    def exercise_states(self) -> list[ExerciseState]:
        """Every exercise with each step ticked or not; empty outside the practice store."""
        with self.db.session() as s:
            info = read_seed_info(s)
            return [] if info is None else exercises.states(s, info)

    def reset(self) -> None:
        """Reiniciar capacitación: the seeded state again, in about a second (a copy, not a re-seed)."""
        if not self.is_training():
            raise ServiceError(NOT_TRAINING)
        folder = Path(self.data_dir)
        self.db.dispose()
        if practice.template_ok(folder):
            practice.restore_files(folder)
        else:
            practice.fresh(folder, None)
        self.db.dispose()
