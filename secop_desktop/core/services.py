"""One object holding every service over one database: what the GUI, CLI and tests share."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secop_desktop import paths
from secop_desktop.core.access.lookup import HelpDeskService
from secop_desktop.core.access.service import AccessService
from secop_desktop.core.accounts.mailbox import Mailbox
from secop_desktop.core.accounts.users import UserService
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.documents.service import DocumentService
from secop_desktop.core.entities.interests import InterestService
from secop_desktop.core.entities.service import EntityService
from secop_desktop.core.registration.drafts import DraftService
from secop_desktop.store.database import Database

if TYPE_CHECKING:
    from secop_desktop.core.mail.delivery import MailService
    from secop_desktop.core.packages.service import PackageService
    from secop_desktop.core.training.service import TrainingService


@dataclass
class Services:
    db: Database
    data_dir: Path
    clock: Clock = utcnow
    token_ttl: timedelta = timedelta(hours=24)
    users: UserService = field(init=False)
    entities: EntityService = field(init=False)
    access: AccessService = field(init=False)
    drafts: DraftService = field(init=False)
    documents: DocumentService = field(init=False)
    interests: InterestService = field(init=False)
    mailbox: Mailbox = field(init=False)
    lookup: HelpDeskService = field(init=False)

    def __post_init__(self) -> None:
        self.users = UserService(self.db, self.clock, self.token_ttl)
        self.entities = EntityService(self.db, self.clock)
        self.access = AccessService(self.db, self.users, self.clock)
        self.drafts = DraftService(self.db, self.clock)
        self.documents = DocumentService(self)
        self.interests = InterestService(self.db, self.clock)
        self.mailbox = Mailbox(self.db, self.clock)
        self.lookup = HelpDeskService(self.db, self.clock)
        self.users.email_delivery = self._mail_enabled

    def _mail_enabled(self) -> bool:
        # Mail is only ever enabled through self.mail: while it was never built, nothing leaves by e-mail.
        return "mail" in self.__dict__ and self.mail.is_enabled()

    # Packages, mail and training are built on first use: most sessions never need them, and the
    # first window paints sooner without importing them (benchmarks/bench_start.py).
    @cached_property
    def packages(self) -> PackageService:
        from secop_desktop.core.packages.service import PackageService

        return PackageService(self)

    @cached_property
    def mail(self) -> MailService:
        from secop_desktop.core.mail.delivery import MailService

        return MailService(self.db, self.clock, self.data_dir)

    @cached_property
    def training(self) -> TrainingService:
        from secop_desktop.core.training.service import TrainingService

        return TrainingService(self.db, self.data_dir)

    @classmethod
    def service_types(cls) -> dict[str, type[Any]]:
        """Every service this door offers, by attribute name (imports the lazy ones)."""
        from secop_desktop.core.mail.delivery import MailService
        from secop_desktop.core.packages.service import PackageService
        from secop_desktop.core.training.service import TrainingService

        eager = {name: kind for name, kind in typing.get_type_hints(cls).items()
                 if isinstance(kind, type) and name not in ("db", "data_dir", "token_ttl")}
        return {**eager, "packages": PackageService, "mail": MailService, "training": TrainingService}

    @classmethod
    def open(cls, url: str | None = None, data_dir: Path | None = None, **kwargs: object) -> Services:
        """Opens (and migrates) the configured database."""
        base = data_dir or paths.data_dir()
        return cls(Database(url or paths.database_url(base)), base, **kwargs)  # type: ignore[arg-type]

    def database_text(self) -> str:
        """Which database this is, for messages (the password hidden)."""
        return self.db.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.db.dispose()
