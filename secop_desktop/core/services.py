"""One object holding every service over one database: what the GUI, CLI and tests share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from secop_desktop import paths
from secop_desktop.core.access.service import AccessService
from secop_desktop.core.accounts.mailbox import Mailbox
from secop_desktop.core.accounts.users import UserService
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.documents.service import DocumentService
from secop_desktop.core.entities.interests import InterestService
from secop_desktop.core.entities.service import EntityService
from secop_desktop.core.registration.drafts import DraftService
from secop_desktop.store.database import Database


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

    def __post_init__(self) -> None:
        self.users = UserService(self.db, self.clock, self.token_ttl)
        self.entities = EntityService(self.db, self.clock)
        self.access = AccessService(self.db, self.users, self.clock)
        self.drafts = DraftService(self.db, self.clock)
        self.documents = DocumentService(self)
        self.interests = InterestService(self.db, self.clock)
        self.mailbox = Mailbox(self.db, self.clock)
        self.users.email_delivery = self._mail_enabled

    def _mail_enabled(self) -> bool:
        from secop_desktop.core.mail import mailer  # imported late: the mailer imports Services

        return mailer.is_enabled(self)

    @classmethod
    def open(cls, url: str | None = None, data_dir: Path | None = None, **kwargs: object) -> Services:
        """Opens (and migrates) the configured database."""
        base = data_dir or paths.data_dir()
        return cls(Database(url or paths.database_url(base)), base, **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        self.db.dispose()
